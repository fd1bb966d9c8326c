"""Values a server computed at its start, kept on disk for the next start of the same package and code.

The first views (`components/warm.py`: the overview's numbers and charts, the flows map, the pairings) take
seconds of CPU at a million records (`benchmarks/README.md`, "Figures the code relies on"), and nothing in them changes until the package or the code does. A start
that finds them here puts them in the cache instead of computing them; a start that does not computes them
and writes them for the next.

`key(...)` names a file by everything the values depend on: the package's content hash (the key of its
columnar copy), where it is read from, the engine, the bytes of every module of `atlas/` and `components/` and
of the translations (`atlas/locales/`), and the versions of Python and of the libraries that build or hold the values. A change to any of them is a
new file; an old file is never read for new code or new data. At most `KEEP` files are kept.

The values are pickled (frames, figures as dicts, dataclasses), and reading a pickle runs whatever it names,
so a file is read only if it is a regular file owned by the user who runs the app and writable by no one else,
in a folder of that user that no one else can write to (the checks ssh makes of its keys). The files are
written by that user only, with mode 0600, and renamed into place whole. A file that fails a check, cannot be
read or does not unpickle is ignored (the views are computed, as on a first start) and written again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

KEEP = 8
SUFFIX = ".pickle"
LIBRARIES = ("numpy", "pandas", "polars", "pyarrow", "plotly", "streamlit")


def key(*parts: str, code: Iterable[Path] = ()) -> str:
    """sha256 of `parts`, of the path and bytes of each file of `code` (sorted), and of the library versions."""
    h = hashlib.sha256(b"atlas-stored-views-1\0")
    for part in parts:
        h.update(part.encode() + b"\0")
    for file in sorted(code):
        h.update(f"{file.name}\0".encode())
        h.update(hashlib.sha256(file.read_bytes()).digest())
    h.update(sys.version.encode())
    for lib in LIBRARIES:
        h.update(f"\0{lib}={metadata.version(lib)}".encode())
    return h.hexdigest()


def modules(*folders: Path) -> list[Path]:
    return [f for folder in folders for f in folder.glob("*.py")]


def _trusted(path: Path, kind: int) -> bool:
    info = path.lstat()
    return (stat.S_IFMT(info.st_mode) == kind and info.st_uid == os.geteuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def read(folder: Path, name: str) -> Any | None:
    """The value stored under `name`, or None: absent, not trusted (see the module's docstring), or unreadable."""
    file = folder / f"{name}{SUFFIX}"
    try:
        if not (_trusted(folder, stat.S_IFDIR) and _trusted(file, stat.S_IFREG)):
            return None
        return pickle.loads(file.read_bytes())
    except Exception:  # noqa: BLE001 - absent, damaged or of other code: computed again
        return None


def write(folder: Path, name: str, value: Any) -> bool:
    """Store `value` under `name` (whole or not at all); False if the folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(folder, stat.S_IFDIR):
            return False
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=SUFFIX)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"{name}{SUFFIX}")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written is skipped
        return False


def _prune(folder: Path) -> None:
    files = sorted((f for f in folder.glob(f"*{SUFFIX}") if not f.name.startswith(".")),
                   key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
