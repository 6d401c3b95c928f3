"""Writing files whole or not at all, never over the analyst's own, and one run at a time."""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evalkit.errors import Busy

LOCK_NAME = ".evalkit.lock"
_TEMPORARY = ".*.tmp*"  # write_atomic's and render.render's files on their way into place


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    tmp = _temporary(path, data)
    try:
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_new(path: Path, data: str | bytes) -> None:
    """Write a file that must not exist yet, whole; FileExistsError if it does.

    The link is atomic and fails on an existing name, so nothing is ever overwritten, even
    by a second process doing the same at the same time.
    """
    tmp = _temporary(path, data)
    try:
        os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _temporary(path: Path, data: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is for readers
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files a crashed run left in `folder`. Call it holding the lock."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(_TEMPORARY) if p.is_file()]
    for path in found:
        path.unlink(missing_ok=True)
    return found


@contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold `folder`/.evalkit.lock for the block; raise Busy if another run holds it.

    flock belongs to the open file: the system releases it when the process ends, however
    it ends, so a crash never leaves a stale lock behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(folder) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_free(folder: Path) -> None:
    """Raise Busy if another run holds `folder`'s lock now; create and change nothing.

    A second run is told at once, before it reads the inputs; exclusive() still decides.
    """
    try:
        handle = open(folder / LOCK_NAME, "rb")
    except OSError:  # no lock file (or no folder): no run has written here
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(folder) from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
