"""The output folder: one lock, and a set of files replaced whole or not at all.

A build writes its complete set into a fresh version folder
``OUT/.sets/<n>/``, then switches the symbolic link ``OUT/.sets/current`` to
it with one rename. The names users read (``OUT/ccus-kg.ttl`` …) are links
into ``.sets/current``, so every reader sees either the old set or the new
one: ``kill -9`` at any moment, or a full disk, leaves the previous set
intact and usable. What a killed build left behind (a half-written version
folder, temp files) is removed by the next build. A second build into the
same folder waits for nothing: it is refused with a clear message while the
first holds the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import KgError

SETS = ".sets"
CURRENT = "current"
LOCK = ".lock"


class BuildLocked(KgError):
    """Another build is writing into the same output folder."""


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``OUT/.lock`` for the whole build; refuse at once when another process holds it."""
    out = Path(out)
    created = [p for p in reversed([out, *out.parents]) if not p.exists()]  # removed again if left empty
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildLocked(f"{out}: another build (pid {holder}) is writing here; "
                              "wait for it to finish, or build into another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
        if created and [p.name for p in out.iterdir()] == [LOCK]:  # a refused build leaves no folder behind
            (out / LOCK).unlink(missing_ok=True)
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    folder.rmdir()


class OutputSet:
    """The version folder a build fills, published in one step by :meth:`publish`."""

    def __init__(self, out: Path, names: Iterable[str]):
        self.out = Path(out)
        self.names = list(names)
        self.sets = self.out / SETS
        self.staging: Path | None = None

    def published(self, name: str) -> Path:
        """Where readers find ``name``: ``OUT/name``."""
        return self.out / name

    def current(self, name: str) -> Path | None:
        """The file of the published set (None before the first publish)."""
        path = self.sets / CURRENT / name
        return path if path.exists() else None

    def stage(self) -> Path:
        """A new, empty version folder to write the whole set into."""
        self.sets.mkdir(parents=True, exist_ok=True)
        number = 1 + max((int(p.name) for p in self.sets.iterdir() if p.name.isdigit()), default=0)
        self.staging = self.sets / f"{number}.partial"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        return self.staging

    def path(self, name: str) -> Path:
        """Where this build writes ``name`` (inside the staging folder)."""
        assert self.staging is not None, "stage() first"
        return self.staging / name

    def keep(self, name: str) -> None:
        """Carry an unchanged file of the published set into the new one (a hard link, no copy)."""
        old = self.current(name)
        if old is None:
            raise FileNotFoundError(name)
        try:
            os.link(old, self.path(name))
        except OSError:
            shutil.copy2(old, self.path(name))

    def publish(self) -> None:
        """Switch readers to the staged set in one rename, then link the public names once."""
        assert self.staging is not None, "stage() first"
        missing = [n for n in self.names if not (self.staging / n).exists()]
        if missing:
            raise KgError(f"incomplete output set, not published: {', '.join(missing)} missing")
        final = self.staging.with_name(self.staging.name.removesuffix(".partial"))
        os.replace(self.staging, final)
        link = self.sets / f"{CURRENT}.tmp"
        link.unlink(missing_ok=True)
        link.symlink_to(final.name)
        os.replace(link, self.sets / CURRENT)  # the one step that switches every file at once
        self.staging = None
        for name in self.names:  # public names: links made once, the same on every later build
            public = self.published(name)
            target = Path(SETS) / CURRENT / name
            if public.is_symlink() and os.readlink(public) == str(target):
                continue
            tmp = self.out / f".{name}.link"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(target)
            os.replace(tmp, public)  # a file of an older layout is replaced by the link
        self.clean()

    def discard(self) -> None:
        """Drop the staged set (a refused or failed build); the published one stays."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def clean(self) -> None:
        """Remove what earlier builds left: old versions, half-written sets, temp files."""
        keep = os.readlink(self.sets / CURRENT) if (self.sets / CURRENT).is_symlink() else None
        if self.sets.is_dir():
            for entry in self.sets.iterdir():
                if entry.name in (CURRENT, keep) or entry == self.staging:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        for entry in self.out.iterdir():
            if entry.name.startswith(".") and entry.name.endswith((".tmp", ".link")) \
                    and (entry.is_symlink() or entry.is_file()):
                entry.unlink(missing_ok=True)


__all__ = ["BuildLocked", "OutputSet", "locked"]
