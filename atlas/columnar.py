"""The columnar copy: a package validated once, kept as Parquet, read back in a second or two.

The CSVs stay the source of truth. `load(path)` hashes the descriptor and every resource file; a copy
stored under that hash (`<cache>/<hash>/`) is read instead of the CSVs, else the CSVs are read and
checked (`atlas.package`), the flow records built (`atlas.records.flow_records`), and both written as
Parquet for the next start. A changed byte in any CSV gives a new hash, so a stale copy is never read.

Why the full content and not size + mtime: hashing is about 1.5 GB/s here (sha256), 0.2 s for a million
records, and it cannot be fooled by a file restored with its old mtime (`cp -p`, `rsync -t`, an archive) or
changed twice within the file system's timestamp granularity. The copy is read only if every file is the
one the manifest names (size and sha256, checked before use) and Parquet's page checksums verify: a
broken or partial copy is rebuilt, never trusted.

The cache lives outside the package: `$ATLAS_CACHE_DIR`, else `$XDG_CACHE_HOME/cooperation-atlas/columnar`
(`~/.cache/...`). A copy is written to a temporary folder beside it and renamed into place, so a reader sees
a whole copy or none. A cache that cannot be written (read-only, missing, full) is skipped silently: the
package still loads from its CSVs.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .package import RESOURCE_NAMES, Opened, Package, open_package, read_package

# Bump when what is stored changes shape (the records' columns or types, the tables' conversion): older
# copies then have another key and are never read.
FORMAT = 3
RECORDS = "records"
FRAME = "frame"  # the polars frame of the records (atlas.records.frame_of)
MANIFEST = "manifest.json"
_CHUNK = 1 << 22


def cache_root() -> Path:
    if os.environ.get("ATLAS_CACHE_DIR"):
        return Path(os.environ["ATLAS_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cooperation-atlas" / "columnar"


def _digest(file: Path, h=None):
    h = h or hashlib.sha256()
    with open(file, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h


def package_hash(opened: Opened) -> str:
    """sha256 of the stored format, the descriptor and every resource file (names and bytes)."""
    h = hashlib.sha256(f"atlas-columnar-{FORMAT}\0".encode())
    h.update(opened.descriptor_file.read_bytes())
    for name in RESOURCE_NAMES:
        file = opened.files[name]
        h.update(f"\0{name}\0{file.stat().st_size}\0".encode())
        _digest(file, h)
    return h.hexdigest()


def load(path: str | Path | None, records_of, frame_of) -> tuple[Package, pd.DataFrame, pl.DataFrame, str]:
    """(package, flow records, their polars frame, where they came from: "columnar" or "csv").

    `records_of(package)` builds the records of a package read from CSV (atlas.records.flow_records),
    `frame_of(records)` the columnar engine's frame of them (atlas.records.frame_of)."""
    opened = open_package(path)
    key = package_hash(opened)
    folder = cache_root() / key
    hit = read_copy(folder)
    if hit is not None:
        tables, records, frame = hit
        return Package(opened.path, opened.descriptor, tables), records, frame, "columnar"
    pkg = read_package(opened)
    records = records_of(pkg)
    frame = frame_of(records)
    write_copy(folder, pkg.tables, records, frame)
    return pkg, records, frame, "csv"


def read_copy(folder: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame] | None:
    """The tables and records of a stored copy, or None if it is missing, partial or damaged in any way."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("key") != folder.name:
            return None
        names = list(RESOURCE_NAMES) + [RECORDS, FRAME]
        if sorted(manifest["files"]) != sorted(names):
            return None
        out = {}
        for name in names:
            file = folder / f"{name}.parquet"
            want = manifest["files"][name]
            if file.stat().st_size != want["bytes"] or _digest(file).hexdigest() != want["sha256"]:
                return None
            if name == FRAME:  # polars reads its own file directly, with its categories
                out[name] = pl.read_parquet(file)
            else:
                out[name] = pq.read_table(file, page_checksum_verification=True).to_pandas()
    except Exception:  # noqa: BLE001 - whatever is wrong with a copy, the CSVs are read instead
        return None
    records, frame = out.pop(RECORDS), out.pop(FRAME)
    if len(frame) != len(records):
        return None
    return out, records, frame


def write_copy(folder: Path, tables: dict[str, pd.DataFrame], records: pd.DataFrame, frame: pl.DataFrame) -> bool:
    """Store a copy atomically (a temporary folder renamed into place); False if the cache is not writable."""
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name[:16]}-", dir=folder.parent))
        files = {}
        for name, table in list(tables.items()) + [(RECORDS, records)]:
            file = tmp / f"{name}.parquet"
            pq.write_table(pa.Table.from_pandas(table, preserve_index=False), file, compression="zstd",
                           write_page_checksum=True)
            files[name] = {"bytes": file.stat().st_size, "sha256": _digest(file).hexdigest()}
        file = tmp / f"{FRAME}.parquet"
        frame.write_parquet(file, compression="zstd", statistics=False)
        files[FRAME] = {"bytes": file.stat().st_size, "sha256": _digest(file).hexdigest()}
        (tmp / MANIFEST).write_text(json.dumps({"format": FORMAT, "key": folder.name, "files": files}, indent=1),
                                    encoding="utf-8")
        if folder.exists():  # a damaged copy (else read_copy would have used it): replaced
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(tmp, folder)
        tmp = None
        return True
    except (OSError, pl.exceptions.PolarsError):
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
