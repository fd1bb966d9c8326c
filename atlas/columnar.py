"""The columnar copy: a package validated once, kept as Arrow files, mapped back into memory in under a second.

The CSVs stay the source of truth. `load(path)` hashes the descriptor and every resource file; a copy
stored under that hash (`<cache>/<hash>/`) is read instead of the CSVs, else the CSVs are read and
checked (`atlas.package`), the flow records built (`atlas.records.flow_records`), and both written as
uncompressed Arrow IPC files for the next start. A changed byte in any CSV gives a new hash, so a stale copy
is never read.

Why Arrow IPC and not Parquet: the files of a large copy (over MAP_MIN_BYTES, 256 MB) are memory-mapped, so reading is no decoding and no copy; a page of
a column is in memory only once something reads it, and it is the kernel's page cache, shared by every
process on the machine that maps the same copy (two workers behind the proxy hold one copy). At a million
records Parquet (zstd, page checksums) took several times longer to decode, into private memory; the mapped
copy opens and converts in under a second, at about six times Parquet's size on disk (`benchmarks/README.md`, "Figures the code relies on").

Why the full content and not size + mtime: it cannot be fooled by a file restored with its old mtime (`cp -p`,
`rsync -t`, an archive) or changed twice within the file system's timestamp granularity, and it is cheap: the
files are hashed with XXH3 (the `xxhash` library, 128 bits), several times faster than sha256 (`benchmarks/README.md`, "Figures the code relies on"). The copy is read only if every file is the one the
manifest names (size and 64-bit XXH3, checked before use, read through ordinary reads so that checking does
not make the whole copy resident) and Arrow can open it: a broken or partial copy is rebuilt, never trusted.
The check of the copy is a fraction of a second at a million records. XXH3 is a check against damage and change; against
someone who can write the cache, the manifest is signed (HMAC-SHA256) with a key kept outside the cache
(`secret_file()`), and the cache folder, the copy and its files must be the app user's own, writable by no one
else and not symlinks: a copy of another package put under this one's key, or a cache others can write, is never
read. A copy must not be changed in place while an app maps it (the app only ever renames whole copies into
place, and writes their files read-only).

The cache lives outside the package: `$ATLAS_CACHE_DIR`, else `$XDG_CACHE_HOME/cooperation-atlas/columnar`
(`~/.cache/...`). A copy is written to a temporary folder beside it and renamed into place, so a reader sees
a whole copy or none. A cache that cannot be written (read-only, missing, full) is skipped silently: the
package still loads from its CSVs.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import xxhash

from .package import RESOURCE_NAMES, Opened, Package, open_package, read_package

# Bump when what is stored changes shape (the records' columns or types, the tables' conversion): older
# copies then have another key and are never read.
FORMAT = 6  # 6: the manifest carries an HMAC (`mac`) under the cache secret
RECORDS = "records"
FRAME = "frame"  # the polars frame of the records (atlas.records.frame_of)
MANIFEST = "manifest.json"
_CHUNK = 1 << 22
# Copies up to this size are read into memory rather than mapped (see read_copy).
MAP_MIN_BYTES = int(os.environ.get("ATLAS_MAP_MIN_BYTES", str(256_000_000)))
# The code whose output a copy stores (the tables' conversion, the records, the derived values such as the map
# scale): a change to any of these files gives every copy a new key, so no copy outlives the code that wrote it.
CODE = ("columnar.py", "package.py", "records.py", "flows.py", "vocab.py")


def cache_root() -> Path:
    if os.environ.get("ATLAS_CACHE_DIR"):
        return Path(os.environ["ATLAS_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cooperation-atlas" / "columnar"


def secret_file() -> Path:
    """Where the key that signs the copies' manifests is kept: $ATLAS_CACHE_SECRET_FILE, else
    `$XDG_CONFIG_HOME/cooperation-atlas/cache.key` (`~/.config/...`): outside the cache, so that whoever can write
    the cache (shared storage) cannot sign a copy. Replicas that share one cache share this file's content."""
    if os.environ.get("ATLAS_CACHE_SECRET_FILE"):
        return Path(os.environ["ATLAS_CACHE_SECRET_FILE"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "cooperation-atlas" / "cache.key"


def secret() -> bytes | None:
    """The signing key (32 random bytes, made on first use with mode 0600), or None if it cannot be made or is not
    the app user's own and private: then no copy is read or written (the package is read from its CSVs)."""
    path = secret_file()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(os.urandom(32))
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            return None
        key = path.read_bytes()
        return key if len(key) >= 16 else None
    except OSError:
        return None


def _trusted(path: Path, kind: int) -> bool:
    """`path` itself (not a symlink) is of `kind`, owned by the app's user and writable by no one else."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return (stat.S_IFMT(info.st_mode) == kind and info.st_uid == os.geteuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _mac(manifest: dict, key: bytes) -> str:
    body = json.dumps({k: v for k, v in manifest.items() if k != "mac"}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _digest(file: Path, h):
    """`h` updated with the bytes of a file, read in chunks (reads and XXH3 release the GIL: files are read at once).

    Into one buffer: a new 4 MB bytes object per chunk is a fresh mmap and 1,024 page faults each time with the
    server's allocator setting (`atlas.memory`), which made hashing the CSVs four times slower (0.22 s)."""
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    with open(file, "rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            h.update(view[:n])
    return h


def _check(file: Path) -> int:
    """The check value of a file of a copy: its 64-bit XXH3."""
    return _digest(file, xxhash.xxh3_64()).intdigest()


def _file(name: str) -> str:
    return f"{name}.arrow"


def package_hash(opened: Opened) -> str:
    """sha256 of the stored format, the code that writes a copy, the descriptor and every resource file (names,
    sizes and the 128-bit XXH3 of their bytes). The files are hashed in threads, then combined in a fixed order."""
    h = hashlib.sha256(f"atlas-columnar-{FORMAT}\0".encode())
    here = Path(__file__).parent
    for name in CODE:
        h.update(hashlib.sha256((here / name).read_bytes()).digest())
    h.update(opened.descriptor_file.read_bytes())
    files = [opened.files[name] for name in RESOURCE_NAMES]
    with ThreadPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(lambda f: _digest(f, xxhash.xxh3_128()).digest(), files))
    for name, file, digest in zip(RESOURCE_NAMES, files, digests):
        h.update(f"\0{name}\0{file.stat().st_size}\0".encode())
        h.update(digest)
    return h.hexdigest()


_writers: list[threading.Thread] = []


def wait_for_writers(timeout: float | None = None) -> None:
    """Wait for copies being written in the background (`load(..., background=True)`)."""
    for thread in list(_writers):
        thread.join(timeout)
        if not thread.is_alive():
            _writers.remove(thread)


def load(path: str | Path | None, records_of, frame_of, derive, background: bool = False
         ) -> tuple[Package, pd.DataFrame, pl.DataFrame, dict | None, str, str]:
    """(package, flow records, their polars frame, derived values, where they came from: "columnar" or "csv", the
    package's key: `package_hash`). The derived values are None when the copy is being written in the background
    (the writer works them out).

    `records_of(package)` builds the records of a package read from CSV (atlas.records.flow_records),
    `frame_of(records)` the columnar engine's frame of them (atlas.records.frame_of), `derive(package,
    records, frame)` the few values that take a pass over all records (a JSON object: the date range, the
    map's scale), stored in the manifest so that a start from the copy need not compute them again.

    From the CSVs, the copy is written before returning and the package is then served from it (its mapped
    columns); with `background` (the server) it is written in a thread instead, and the first reader does not
    wait for the writing nor for the derived values (the map's scale) (`benchmarks/README.md`, "Figures the code relies on")."""
    opened = open_package(path)
    key = package_hash(opened)
    folder = cache_root() / key
    hit = read_copy(folder)
    if hit is not None:
        tables, records, frame, derived = hit
        return Package(opened.path, opened.descriptor, tables), records, frame, derived, "columnar", key
    pkg = read_package(opened)
    records = records_of(pkg)
    frame = frame_of(records)
    if background:
        # Not a daemon: a process that ends (a server stopped, a script done) first finishes the copy it started.
        # The derived values are worked out by the writer too (the caller computes what it needs at once itself).
        thread = threading.Thread(target=_write_behind, args=(folder, pkg, records, frame, derive),
                                  name="atlas-columnar-copy", daemon=False)
        thread.start()
        _writers.append(thread)
        return pkg, records, frame, None, "csv", key
    derived = _derived(derive, pkg, records, frame)
    if write_copy(folder, pkg.tables, records, frame, derived):
        # Served from the copy just written, as the next start will be: the same mapped, single-chunk columns,
        # and the frames built from the CSVs are freed.
        hit = read_copy(folder)
        if hit is not None:
            tables, records, frame, derived = hit
            return Package(opened.path, opened.descriptor, tables), records, frame, derived, "csv", key
    return pkg, records, frame, derived, "csv", key


def read_copy(folder: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pl.DataFrame, dict] | None:
    """The tables, records, frame and derived values of a stored copy, or None if it is missing, partial or damaged in any way.

    The files' checksums are computed in threads while the files are mapped and converted: the copy is
    returned only if every one matches."""
    try:
        # Made by this server's user for this package: the cache, the copy and its files are that user's own and
        # writable by no one else, none a symlink, and the manifest (the package's key, every file's size and
        # check value) is signed with the secret kept outside the cache. A copy of another package put under this
        # key, or a manifest edited to claim it, fails the signature.
        key = secret()
        names = list(RESOURCE_NAMES) + [RECORDS, FRAME]
        files = {name: folder / _file(name) for name in names}
        if key is None or not (_trusted(folder.parent, stat.S_IFDIR) and _trusted(folder, stat.S_IFDIR)) \
                or not all(_trusted(f, stat.S_IFREG) for f in [folder / MANIFEST, *files.values()]):
            return None
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not hmac.compare_digest(str(manifest.get("mac", "")), _mac(manifest, key)):
            return None
        if manifest.get("format") != FORMAT or manifest.get("key") != folder.name:
            return None
        if sorted(manifest["files"]) != sorted(names):
            return None
        if any(f.stat().st_size != manifest["files"][n]["bytes"] for n, f in files.items()):
            return None
        # A small copy is read into this process's memory: a mapped file truncated under a running server makes
        # the next read of a lost page kill the process (SIGBUS); only a copy too large to hold once per process
        # is mapped (shared by the workers in the page cache), and its files are read-only and the user's own.
        in_memory = sum(manifest["files"][n]["bytes"] for n in names) <= MAP_MIN_BYTES
        with ThreadPoolExecutor(max_workers=2) as pool:
            checks = {n: pool.submit(_check, f) for n, f in files.items()} if not in_memory else {}
            out = {}
            for name, file in files.items():
                if in_memory:
                    data = file.read_bytes()
                    if xxhash.xxh3_64(data).intdigest() != manifest["files"][name]["xxh3_64"]:
                        return None
                    source = pa.BufferReader(pa.py_buffer(data))
                else:
                    source = pa.memory_map(str(file))
                table = ipc.open_file(source).read_all()
                table.validate()
                # The frame through pyarrow's map as well: polars' own reader took 0.25 s and a 420 MB peak at a
                # million records, this 0.08 s and 150 MB.
                out[name] = pl.from_arrow(table) if name == FRAME else table.to_pandas()
            if checks and any(checks[n].result() != manifest["files"][n]["xxh3_64"] for n in names):
                return None
    except Exception:  # noqa: BLE001 - whatever is wrong with a copy, the CSVs are read instead
        return None
    records, frame = out.pop(RECORDS), out.pop(FRAME)
    if len(frame) != len(records) or not isinstance(manifest.get("derived"), dict):
        return None
    return out, records, frame, manifest["derived"]


STALE_S = 3600


def _writer_prefix(key: str) -> str:
    """The temporary folder's name before mkdtemp's random part: the copy's key, this machine and this process."""
    host = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64] or "host"
    return f".{key[:16]}-{host}-{os.getpid()}-"


def _writer_gone(name: str) -> bool:
    """The folder was written by a process of this machine that no longer runs."""
    m = re.fullmatch(r"\.[0-9a-f]{1,16}-(.+)-(\d+)-[^-]+", name)
    if not m or m.group(1) != re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64]:
        return False
    try:
        os.kill(int(m.group(2)), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError, ValueError):
        return False
    return False


def _remove_stale(root: Path) -> None:
    """Temporary folders of copies whose writer was killed before renaming them: at once if it was a process of
    this machine that no longer runs, else when an hour old (a writer of another machine sharing the cache)."""
    import time
    for tmp in root.glob(".*-*"):
        try:
            if tmp.is_dir() and (_writer_gone(tmp.name) or time.time() - tmp.stat().st_mtime > STALE_S):
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


# A background copy is written when nothing holds it back (`writes_held`): the server holds it while it computes
# the first pages, which would otherwise share the machine's cores with the writer (0.7 s more to the first page
# at a million records). HOLD_S bounds the wait, whatever happens to the holder.
_may_write = threading.Event()
_may_write.set()
HOLD_S = 120.0


@contextlib.contextmanager
def writes_held():
    """While inside, copies started in the background wait (up to HOLD_S) before they are written."""
    _may_write.clear()
    try:
        yield
    finally:
        _may_write.set()


def _derived(derive, pkg: Package, records: pd.DataFrame, frame: pl.DataFrame) -> dict:
    return json.loads(json.dumps(derive(pkg, records, frame)))  # as a copy gives it back (lists, not tuples)


def _write_behind(folder: Path, pkg: Package, records: pd.DataFrame, frame: pl.DataFrame, derive) -> bool:
    """The derived values and `write_copy`, in a thread that the kernel runs only when the serving threads leave
    a core idle (Linux's per-thread nice value): the copy takes seconds of CPU at a million records, which the
    first readers would otherwise share their two cores with (`benchmarks/README.md`, "Figures the code relies on")."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not Linux, or not allowed: the copy is written at the usual priority
        pass
    _may_write.wait(HOLD_S)
    try:
        derived = _derived(derive, pkg, records, frame)
    except Exception:  # noqa: BLE001 - no copy without its derived values; the package is served from the CSVs
        return False
    return write_copy(folder, pkg.tables, records, frame, derived)


def write_copy(folder: Path, tables: dict[str, pd.DataFrame], records: pd.DataFrame, frame: pl.DataFrame,
               derived: dict) -> bool:
    """Store a copy atomically (a temporary folder renamed into place); False if the cache is not writable."""
    tmp = None
    try:
        key = secret()
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if key is None or not _trusted(folder.parent, stat.S_IFDIR):
            return False  # a cache others can write (or no signing key): not written, never read
        _remove_stale(folder.parent)
        tmp = Path(tempfile.mkdtemp(prefix=_writer_prefix(folder.name), dir=folder.parent))
        files = {}
        for name, table in list(tables.items()) + [(RECORDS, records)]:
            file = tmp / _file(name)
            # One batch per file: a column in two chunks (the records are donations then messages) made every
            # take of a few rows from it (a screen of the table) copy the whole column first (0.3 s, 200 MB).
            # One thread: the writer may still be running while the interpreter shuts down, when no thread pool
            # takes new work.
            arrow = pa.Table.from_pandas(table, preserve_index=False, nthreads=1).combine_chunks()
            with ipc.new_file(str(file), arrow.schema) as writer:
                writer.write_table(arrow)
            files[name] = {"bytes": file.stat().st_size, "xxh3_64": _check(file)}
        file = tmp / _file(FRAME)
        frame.write_ipc(file, compression="uncompressed")
        files[FRAME] = {"bytes": file.stat().st_size, "xxh3_64": _check(file)}
        manifest = {"format": FORMAT, "key": folder.name, "files": files, "derived": derived}
        manifest["mac"] = _mac(manifest, key)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for written in tmp.iterdir():  # read-only, the app user's own: never changed in place
            os.chmod(written, 0o400)
        if folder.exists():  # a damaged copy (else read_copy would have used it): replaced
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(tmp, folder)
        tmp = None
        return True
    except Exception:  # noqa: BLE001 - a copy that cannot be written is no copy; the package is served from the CSVs
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
