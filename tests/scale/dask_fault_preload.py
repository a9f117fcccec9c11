"""A Dask worker preload for the fault tests: shard writes that end the worker process mid-file.

Dask imports this file in each worker process when ``distributed.worker.preload`` names it; it reads
``RVSIM_TEST_FAULT`` (inherited from the test process):

- ``exit-once:MARKER``: the first shard write of the run (MARKER is created atomically, so exactly one worker
  does it) writes half a temporary shard file and ends its worker process with ``os._exit(1)``; later writes
  (the retry included) run normally.
- ``exit-always:SHARD``: every write of shard file SHARD (e.g. ``shard-00001.h5``) ends its worker that way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _die_mid_write(path: Path) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}-dying.tmp")
    tmp.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 512)  # the start of an HDF5 file, never finished
    os._exit(1)


def dask_setup(worker: Any) -> None:
    """Wrap ``rvsim.data.write_shard_file`` in this worker process as ``RVSIM_TEST_FAULT`` asks."""
    mode, _, arg = os.environ.get("RVSIM_TEST_FAULT", "").partition(":")
    if mode not in ("exit-once", "exit-always"):
        return
    import rvsim.data

    real = rvsim.data.write_shard_file

    def faulty(path: Any, *args: Any, **kwargs: Any) -> Any:
        p = Path(path)
        if mode == "exit-always" and p.name == arg:
            _die_mid_write(p)
        if mode == "exit-once":
            try:
                fd = os.open(arg, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return real(path, *args, **kwargs)
            os.write(fd, f"{os.getpid()} {p.name}\n".encode())
            os.close(fd)
            _die_mid_write(p)
        return real(path, *args, **kwargs)

    rvsim.data.write_shard_file = faulty
