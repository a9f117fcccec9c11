"""Safe loading of ``.npy`` / ``.npz`` array files with one-line :class:`~rvsim.errors.DatasetError` messages.

Arrays are always loaded with ``allow_pickle=False``: an object array in a file is refused, never unpickled.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rvsim.errors import DatasetError

__all__ = ["load_npy", "load_npz", "check_array"]


def load_npy(path: str | Path) -> np.ndarray:
    """Load one ``.npy`` file without unpickling.

    Args:
        path: The file.

    Returns:
        The array.

    Raises:
        DatasetError: The file is missing, not a ``.npy`` file, or holds an object (pickled) array.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"Array file {path} does not exist. Received: path={str(path)!r}")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic != b"\x93NUMPY":
        raise DatasetError(f"Array file {path} is not a readable .npy file (no NumPy header). Received: {path.name}")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise DatasetError(
                f"Array file {path} holds an object (pickled) array, which rvsim refuses to load. "
                f"Received: {path.name}"
            ) from None
        raise DatasetError(f"Array file {path} is not a readable .npy file ({exc}). Received: {path.name}") from None
    except (OSError, EOFError) as exc:
        raise DatasetError(f"Array file {path} is not a readable .npy file ({exc}). Received: {path.name}") from None
    if not isinstance(array, np.ndarray):
        raise DatasetError(f"Array file {path} is not a .npy array file. Received: {type(array).__name__}")
    return array


def load_npz(path: str | Path, keys: Sequence[str], optional: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Load named arrays from an ``.npz`` file without unpickling.

    Args:
        path: The file.
        keys: Arrays that must be present.
        optional: Arrays loaded when present.

    Returns:
        ``{key: array}`` for every required key and every optional key found.

    Raises:
        DatasetError: The file is missing or unreadable, lacks a required key, or one of the arrays is an
            object (pickled) array.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"Array file {path} does not exist. Received: path={str(path)!r}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"Array file {path} is not a readable .npz file ({exc}). Received: {path.name}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DatasetError(f"Array file {path} is not an .npz archive. Received: {type(archive).__name__}")
    with archive:
        present = list(archive.files)
        missing = [k for k in keys if k not in present]
        if missing:
            raise DatasetError(f"Array file {path} lacks key(s) {missing}. Received: keys={present}")
        out: dict[str, np.ndarray] = {}
        for key in [*keys, *(k for k in optional if k in present)]:
            try:
                out[key] = np.asarray(archive[key])
            except ValueError as exc:
                if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                    raise DatasetError(
                        f"Array {key!r} in {path} is an object (pickled) array, which rvsim refuses to load. "
                        f"Received: {path.name}[{key!r}]"
                    ) from None
                raise DatasetError(f"Array {key!r} in {path} is unreadable ({exc}). Received: {path.name}") from None
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise DatasetError(f"Array {key!r} in {path} is unreadable ({exc}). Received: {path.name}") from None
    return out


def check_array(
    array: np.ndarray,
    *,
    name: str,
    kind: str,
    shape: tuple[int | None, ...],
    finite: bool = True,
) -> np.ndarray:
    """Check an array's dtype kind, shape and finiteness.

    Args:
        array: The array to check.
        name: How to name it in the error (e.g. the file name).
        kind: ``"float"`` (float or integer dtype accepted, returned as float64) or ``"int"`` (integer dtype,
            returned as int64).
        shape: Expected shape; ``None`` matches any length on that axis.
        finite: Refuse NaN or infinite values.

    Returns:
        The array as float64 or int64.

    Raises:
        DatasetError: Wrong dtype, shape, or non-finite values.
    """
    if kind == "float":
        if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
            raise DatasetError(f"{name} must hold real numbers. Received: dtype={array.dtype}")
    elif kind == "int":
        if not np.issubdtype(array.dtype, np.integer):
            raise DatasetError(f"{name} must hold integers. Received: dtype={array.dtype}")
    else:  # pragma: no cover - programming error
        raise ValueError(f"unknown kind {kind!r}")
    if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
        expected = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise DatasetError(f"{name} must have shape {expected}. Received: shape={array.shape}")
    if kind == "float":
        out = array.astype(np.float64, copy=False)
        if finite and not np.all(np.isfinite(out)):
            bad = int(np.sum(~np.isfinite(out)))
            raise DatasetError(f"{name} holds non-finite values (NaN or inf). Received: {bad} non-finite value(s)")
        return out
    return array.astype(np.int64, copy=False)
