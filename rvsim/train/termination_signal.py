"""A request to stop training, set by SIGTERM (the signal schedulers send before preempting a job)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

__all__ = ["TerminationSignal"]


class TerminationSignal:
    """Context manager that turns SIGTERM into a flag that training polls at each batch end.

    Inside the ``with`` block the first SIGTERM only sets :attr:`requested` (and :attr:`signum`); training
    then checkpoints and stops at the next batch end (see :class:`~rvsim.train.training_checkpoint.TrainingCheckpoint`).
    A second SIGTERM restores the previous handler and re-delivers the signal, so a stuck process can still be
    terminated. On exit the previous handlers are restored. Handlers can only be installed from the main
    thread; elsewhere the object is inert (:attr:`installed` is false) and :meth:`request` still works.

    Args:
        signals: Signals to catch (default: SIGTERM only; Ctrl-C keeps raising ``KeyboardInterrupt``).
    """

    def __init__(self, signals: Sequence[int] = (signal.SIGTERM,)) -> None:
        self.signals = tuple(int(s) for s in signals)
        self.requested = False
        self.signum: int | None = None
        self.installed = False
        self._previous: dict[int, Any] = {}

    def request(self, signum: int | None = None) -> None:
        """Ask training to stop (what the signal handler does; also usable directly, e.g. in tests)."""
        self.requested = True
        self.signum = signum

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested and self.signum == signum:
            # second signal: give up on a clean stop
            signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))
            os.kill(os.getpid(), signum)
            return
        self.request(signum)

    def __enter__(self) -> TerminationSignal:
        if threading.current_thread() is threading.main_thread():
            for s in self.signals:
                self._previous[s] = signal.signal(s, self._handle)
            self.installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.installed:
            for s, previous in self._previous.items():
                signal.signal(s, previous if previous is not None else signal.SIG_DFL)
            self._previous.clear()
            self.installed = False
