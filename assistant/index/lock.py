"""Who may change an index folder, and which builds readers still hold.

Writers (add, remove, edit, index, a first build) take the index folder's file lock, so a second
writer waits for the first instead of interleaving with it. Readers hold a
shared `flock` on the build they opened; a writer deletes an old build only when it can take that
lock exclusively, so no reader ever loses the files or vectors it is answering from. Both kinds
of lock vanish with the process that held them, so a killed writer or reader blocks no one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message

WRITE_LOCK = "write.lock"
READERS_FILE = "readers.lock"


@contextmanager
def writing(settings: Settings, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the index folder's writer lock (reentrant within a thread; the library, built into
    this index, is changed only under it). A second writer calls `on_wait` once, then waits up to
    `settings.writer_wait` seconds."""
    folder = settings.index_dir.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / WRITE_LOCK, is_singleton=True)  # one per path: reentrant
        if not _try(lock, 0):
            if on_wait:
                on_wait()
            if not _try(lock, settings.writer_wait):
                raise UserError(message("errors.writer_busy", folder=folder, seconds=settings.writer_wait))
    except OSError as exc:
        raise UserError(message("errors.folder_not_writable", folder=folder, reason=exc.strerror)) from None
    try:
        yield
    finally:
        lock.release()


def busy(settings: Settings) -> bool:
    """Whether another writer holds the index folder now."""
    lock = FileLock(settings.index_dir.resolve() / WRITE_LOCK, is_singleton=True)
    if lock.is_locked:  # this process is the writer
        return False
    try:
        acquired = _try(lock, 0)
    except OSError:  # a read-only folder: nobody can be writing it
        return False
    if acquired:
        lock.release()
    return not acquired


def _try(lock: FileLock, timeout: float) -> bool:
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        return False
    return True


class ReaderHold:
    """A shared lock on one build folder for as long as a reader uses it. In a read-only folder
    there is no lock to take, and no writer either: the hold is then empty."""

    def __init__(self, build: Path) -> None:
        self._fd: int | None = None
        try:
            self._fd = os.open(build / READERS_FILE, os.O_RDONLY)
        except FileNotFoundError:
            if build.exists():
                return  # an index built before builds had lock files
            raise BuildGone(build) from None
        except OSError:
            return
        fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits while a writer is deleting this build
        if not build.exists():
            self.release()
            raise BuildGone(build)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __del__(self) -> None:
        self.release()


class BuildGone(Exception):
    """The build a reader chose was deleted before it could hold it: read the pointer again."""


def delete_unheld(build: Path, delete: Callable[[], None]) -> bool:
    """Run `delete` for `build` unless a reader holds it, keeping readers out meanwhile; whether it ran."""
    try:
        fd = os.open(build / READERS_FILE, os.O_RDONLY)
    except OSError:
        delete()  # a build cut short before its lock file was made: nobody can be reading it
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        delete()
        return True
    finally:
        os.close(fd)
