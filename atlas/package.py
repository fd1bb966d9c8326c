"""Load the Frictionless data package once and check it before anything is shown.

The checks are the fast pandas equivalents of `frictionless validate` (types, required fields,
enums, patterns, primary and foreign keys): the full frictionless validation runs in the tests and
in `make validate`, but takes tens of seconds on a million-row package, too long for start-up.
"""
from __future__ import annotations

import functools
import json
import math
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT / "data"
RESOURCE_NAMES = ("sources", "regions", "places", "donations", "donation_items", "support_messages", "pairings",
                  "pairing_evidence", "pairing_years", "corporate_donations", "survey_findings", "key_figures")
# A package bigger than this is refused with a message rather than exhausting the server's memory.
# 1.5 GB as the README states it (decimal units, as `_size` prints them).
MAX_BYTES = int(os.environ.get("ATLAS_MAX_BYTES", str(1_500_000_000)))
MAX_DESCRIPTOR_BYTES = 10_000_000
MAX_MESSAGE = 2_000   # characters of an error message: a 5 MB header must not become a 10 MB error page
EXCERPT = 60          # characters of an offending value quoted back
# Whole numbers beyond this lose precision as floats: a 40-digit "quantity" is a broken cell, not a number.
MAX_INTEGER = 2 ** 53
FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "time", "year", "yearmonth", "any"}

class PackageError(Exception):
    """A data package that cannot be used, with where the problem is."""

    def __init__(self, message: str, resource: str | None = None, row: int | None = None, field: str | None = None):
        self.resource, self.row, self.field = resource, row, field
        where = ", ".join(p for p in (
            f"resource '{resource}'" if resource else "",
            f"row {row}" if row is not None else "",
            f"field '{field}'" if field else "") if p)
        message = _cut(message, MAX_MESSAGE)
        super().__init__(f"{where}: {message}" if where else message)
        self.detail = message


class MissingFile(PackageError, FileNotFoundError):
    """A file the package needs is not there (still a FileNotFoundError for callers that catch that)."""


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def excerpt(value) -> str:
    """A short quoted excerpt of an offending value (repr escapes control characters), never the whole of it."""
    text = value if isinstance(value, str) else str(value)
    return repr(_cut(text, EXCERPT))

@dataclass(frozen=True)
class Package:
    path: Path
    descriptor: dict
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise AttributeError(name) from None

    def resource(self, name: str) -> dict:
        return next(r for r in self.descriptor["resources"] if r["name"] == name)

    def source_title(self, source_id: str) -> str:
        row = self.tables["sources"].set_index("source_id").loc[source_id]
        return f"{row['publisher']}, {row['title']}" + (f" ({row['published']})" if row["published"] else "")

def data_dir() -> Path:
    """The package directory: $ATLAS_DATA_DIR if set, else the bundled data/ (read every call: tests change it)."""
    return _data_path(os.environ.get("ATLAS_DATA_DIR") or "")


@functools.lru_cache(maxsize=16)
def _data_path(value: str) -> Path:  # a page asks some 30 times per rerun
    return Path(value or DEFAULT_DATA_DIR)

def load_package(path: str | Path | None = None) -> Package:
    """The package at `path` (default `data_dir()`), read from its CSVs and checked; PackageError if broken."""
    opened = open_package(path)
    return read_package(opened)


@dataclass(frozen=True)
class Opened:
    """A package whose descriptor is checked and whose files are found, before any table is read."""
    path: Path
    descriptor: dict
    resources: dict[str, dict]
    files: dict[str, Path]   # resource name -> its file, confined to the package

    @property
    def descriptor_file(self) -> Path:
        return self.path / "datapackage.json"


def open_package(path: str | Path | None = None) -> Opened:
    """The descriptor and resource files of a package, checked (shape, schemas, paths, size) without reading a table."""
    path = Path(path) if path else data_dir()
    descriptor_path = path / "datapackage.json"
    if descriptor_path.is_symlink() or not descriptor_path.is_file():
        # the directory is not named: the message reaches readers (error page, /healthz, every 503), and the
        # server's own paths are not theirs to know; the operator knows which ATLAS_DATA_DIR they set
        raise PackageError("no datapackage.json in the package directory (ATLAS_DATA_DIR, or the bundled data/), "
                           "or it is not a regular file")
    if descriptor_path.stat().st_size > MAX_DESCRIPTOR_BYTES:
        raise PackageError(f"datapackage.json is {_size(descriptor_path.stat().st_size)}, above the "
                           f"{_size(MAX_DESCRIPTOR_BYTES)} a descriptor may have")
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"datapackage.json is not valid UTF-8 JSON ({_cut(exc, 200)})") from None
    except RecursionError:
        raise PackageError("datapackage.json is nested too deeply to be a data package descriptor") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list) \
            or not all(isinstance(r, dict) for r in descriptor.get("resources", [])):
        raise PackageError("datapackage.json is not a data package descriptor (an object with a list of resources)")
    resources = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r.get("name"), str)}
    missing = [n for n in RESOURCE_NAMES if n not in resources]
    if missing:
        raise PackageError(f"datapackage.json lacks the resources {', '.join(missing)}")
    for name in RESOURCE_NAMES:
        r = resources[name]
        if not isinstance(r.get("path"), str) or not isinstance(r.get("schema"), dict) \
                or not isinstance(r["schema"].get("fields"), list):
            raise PackageError("datapackage.json gives this resource no path or no schema fields", resource=name)
    files = {name: resource_file(path, resources[name]) for name in RESOURCE_NAMES}  # before any byte is read
    for name in RESOURCE_NAMES:
        _check_schema(name, resources[name]["schema"], resources)
    total = sum(f.stat().st_size for f in files.values())
    if total > MAX_BYTES:
        raise PackageError(f"the package is {_size(total)}, above this server's limit of {_size(MAX_BYTES)} "
                           "(set ATLAS_MAX_BYTES to raise it)")
    return Opened(path, descriptor, resources, files)


def read_package(opened: Opened) -> Package:
    """Every table of an opened package read from its CSV, typed and checked (types, constraints, keys). A package
    that failed is remembered with its files' identity (size, times, inode): asked again while none of its files
    changed (every /healthz and page of a broken server), the same PackageError is raised without reading them."""
    signature = _signature(opened)
    with _failed_lock:
        failed = _failed.get(opened.path)
    if failed is not None and failed[0] == signature:
        raise PackageError(failed[1].detail, failed[1].resource, failed[1].row, failed[1].field)
    resources, files = opened.resources, opened.files
    try:
        tables = {name: _read_resource(files[name], resources[name]) for name in RESOURCE_NAMES}
        for name in RESOURCE_NAMES:
            _check_keys(name, resources[name]["schema"], tables)
    except PackageError as error:
        with _failed_lock:
            _failed.pop(opened.path, None)
            _failed[opened.path] = (signature, error)
            while len(_failed) > 8:
                _failed.pop(next(iter(_failed)))
        raise
    with _failed_lock:
        _failed.pop(opened.path, None)
    return Package(opened.path, opened.descriptor, tables)


_failed: dict[Path, tuple[tuple, PackageError]] = {}
_failed_lock = threading.Lock()


def _signature(opened: Opened) -> tuple:
    """What changes when any file of the package is written, replaced or touched (no byte read)."""
    out = []
    for file in (opened.descriptor_file, *opened.files.values()):
        st = os.stat(file)
        out.append((str(file), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(out)


_DRIVE_OR_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Names pandas or pyarrow would decompress while reading (they infer compression from the name alone).
COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst", ".tar", ".tgz", ".lz4", ".br", ".z")


def resource_file(package_dir: Path, resource: dict) -> Path:
    """The file of a resource, confined to the package (the Frictionless rule: a relative POSIX path without
    `..`), checked before anything is read: absolute paths, URLs, `..`, backslashes, and symlinks that
    resolve outside the package directory are refused, naming the resource; so are compressed files."""
    name, rel = resource.get("name"), resource["path"]
    if "compression" in resource or (isinstance(rel, str) and rel.lower().endswith(COMPRESSED)):
        # the readers would inflate it (by its name), past ATLAS_MAX_BYTES, which is checked on the files' sizes
        raise PackageError(f"path {excerpt(rel)} is a compressed file: resources must be plain CSV, so that their size "
                           "on disk is what the server reads (ATLAS_MAX_BYTES)", resource=name)
    return package_file(package_dir, rel, resource=name)


def package_file(package_dir: Path, rel: str, resource: str | None = None, limit: int | None = None) -> Path:
    """A file of the package by its relative path, under the rules of resources: a relative POSIX path without
    `..`, inside the package directory after resolving symlinks, a regular file (a FIFO or device is refused
    before it is opened, so nothing hangs), at most `limit` bytes. PackageError names the file (and resource)."""
    shown = excerpt(rel)
    parts = rel.split("/") if isinstance(rel, str) else [""]
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel or _DRIVE_OR_SCHEME.match(rel) \
            or any(p in ("..", "") for p in parts) or any(ord(c) < 32 for c in rel):
        raise PackageError(f"path {shown} is not a relative path inside the package (no '/' at the start, "
                           "no '..', no URL, no backslash)", resource=resource)
    root = Path(package_dir).resolve()
    file = Path(package_dir, *parts)
    try:
        resolved = file.resolve(strict=True)
    except FileNotFoundError:
        raise MissingFile(f"file {shown} is missing", resource=resource) from None
    except (OSError, RuntimeError):  # a symlink loop, a name too long
        raise PackageError(f"file {shown} cannot be opened", resource=resource) from None
    if not resolved.is_relative_to(root):
        raise PackageError(f"path {shown} leads outside the package directory (a symlink?)", resource=resource)
    if not resolved.is_file():
        raise PackageError(f"path {shown} is not a regular file", resource=resource)
    if limit is not None and (size := resolved.stat().st_size) > limit:
        raise PackageError(f"file {shown} is {_size(size)}, above the {_size(limit)} this file may have",
                           resource=resource)
    return resolved


def _check_schema(name: str, schema: dict, resources: dict) -> None:
    """Every shape the loader relies on, refused with a message naming the resource and field."""
    names: list[str] = []
    for i, spec in enumerate(schema["fields"]):
        if not isinstance(spec, dict):
            raise PackageError(f"field {i + 1} of the schema is {excerpt(json.dumps(spec))}, not an object with a name",
                               resource=name)
        fname = spec.get("name")
        if not isinstance(fname, str) or not fname:
            raise PackageError(f"field {i + 1} of the schema has no name", resource=name)
        where = {"resource": name, "field": _cut(fname, EXCERPT)}
        if fname in names:
            raise PackageError("the schema names this field twice", **where)
        names.append(fname)
        kind = spec.get("type", "string")
        if kind not in FIELD_TYPES:
            raise PackageError(f"type {excerpt(json.dumps(kind))} is not a Table Schema field type", **where)
        c = spec.get("constraints", {})
        if not isinstance(c, dict):
            raise PackageError(f"constraints must be an object, not {excerpt(json.dumps(c))}", **where)
        if "required" in c and not isinstance(c["required"], bool):
            raise PackageError("constraint 'required' must be true or false", **where)
        if "enum" in c and not (isinstance(c["enum"], list) and all(isinstance(v, str) for v in c["enum"])):
            raise PackageError(f"constraint 'enum' must be a list of strings, not {excerpt(json.dumps(c['enum']))}", **where)
        if "pattern" in c:
            if not isinstance(c["pattern"], str):
                raise PackageError("constraint 'pattern' must be a string", **where)
            _re2_check(c["pattern"], where)
        for bound in ("minimum", "maximum"):
            if bound in c:
                v = c[bound]
                if kind not in _NUMERIC:
                    raise PackageError(f"constraint '{bound}' applies to numbers, not to a {kind} field", **where)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    raise PackageError(f"constraint '{bound}' must be a number, not {excerpt(json.dumps(v))}", **where)
        for bound in ("minLength", "maxLength"):
            if bound in c and (isinstance(c[bound], bool) or not isinstance(c[bound], int) or c[bound] < 0):
                raise PackageError(f"constraint '{bound}' must be a whole number ≥ 0, not {excerpt(json.dumps(c[bound]))}",
                                   **where)
    key = schema.get("primaryKey")
    if key is not None:
        for k in _key_fields(key, name, "primaryKey"):
            if k not in names:
                raise PackageError(f"primaryKey names the field {excerpt(k)}, which the schema lacks", resource=name)
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        raise PackageError("foreignKeys must be a list", resource=name)
    for fk in fks:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            raise PackageError(f"a foreign key {excerpt(json.dumps(fk))} has no 'reference'", resource=name)
        cols = _key_fields(fk.get("fields"), name, "a foreign key's fields")
        ref = fk["reference"]
        target = ref.get("resource", "")
        if not isinstance(target, str) or (target and target not in RESOURCE_NAMES):
            raise PackageError(f"a foreign key refers to the resource {excerpt(target if isinstance(target, str) else json.dumps(target))}, which the "
                               "package lacks", resource=name, field=cols[0])
        ref_cols = _key_fields(ref.get("fields"), name, "a foreign key's reference fields")
        if len(ref_cols) != len(cols):
            raise PackageError("a foreign key's fields and reference fields differ in number", resource=name, field=cols[0])
        ref_names = [f.get("name") for f in resources[target or name]["schema"]["fields"] if isinstance(f, dict)]
        for c in cols:
            if c not in names:
                raise PackageError(f"a foreign key names the field {excerpt(c)}, which the schema lacks", resource=name)
        for c in ref_cols:
            if c not in ref_names:
                raise PackageError(f"a foreign key refers to the field {excerpt(c)}, which '{target or name}' lacks",
                                   resource=name, field=cols[0])


def _re2_full(pattern: str) -> str:
    """A pattern as a whole-cell match (Table Schema patterns match the whole value), for RE2."""
    return "\\A(?:" + pattern + ")\\z"


def _re2_check(pattern: str, where: dict) -> None:
    """A `pattern` RE2 can run (linear time: pyarrow's matcher), or PackageError. Python's `re` is never used on
    the data: a pattern RE2 refuses (lookaround, backreferences) could take exponential time on one cell while
    holding the GIL. The pattern alone is compiled first, so an unbalanced `)` cannot break out of the anchors."""
    probe = pa.array([""], type=pa.string())
    for candidate in (pattern, _re2_full(pattern)):
        try:
            pc.match_substring_regex(probe, candidate)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise PackageError(f"constraint 'pattern' {excerpt(pattern)} is not a regular expression in RE2 syntax, "
                               "which checks every cell in bounded time (no lookaround, no backreferences) "
                               f"({_cut(str(exc).strip(), 200)})", **where) from None


def _key_fields(value, resource: str, what: str) -> list[str]:
    cols = [value] if isinstance(value, str) else value
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
        raise PackageError(f"{what} must be a field name or a list of them, not {excerpt(json.dumps(value))}",
                           resource=resource)
    return cols


def _size(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


_NUMERIC = {"integer": "Int64", "number": "Float64"}

def _read_resource(file: Path, resource: dict) -> pd.DataFrame:
    return typed(read_text(file, resource), resource)


def read_text(file: Path, resource: dict) -> pd.DataFrame:
    """A resource's CSV as text columns (every cell a string, empty for none), its header checked against its schema."""
    name, schema, shown = resource["name"], resource["schema"], _cut(resource["path"], EXCERPT)
    fields = schema["fields"]
    df = _read_fast(file, [f["name"] for f in fields], name)
    try:
        if df is None:
            df = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8", engine="c",
                             compression=None)
    except UnicodeDecodeError:
        line, offset, reason = _first_non_utf8(file)
        raise PackageError(f"{shown} is not UTF-8 text (line {line + 1}, byte {offset}: {reason}); "
                           "save it as UTF-8", resource=name, row=line or None) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PackageError(f"{shown} is not a readable CSV ({_cut(str(exc).strip(), 300)})", resource=name) from None
    expected = [f["name"] for f in fields]
    if list(df.columns) != expected:
        absent = [c for c in expected if c not in df.columns]
        found = ", ".join(excerpt(c) for c in list(df.columns)[:30]) + (" …" if len(df.columns) > 30 else "")
        raise PackageError(f"columns [{found}] do not match the schema {expected}"
                           + (f" (missing: {', '.join(absent)})" if absent else ""), resource=name,
                           field=absent[0] if absent else None)
    return df


def typed(df: pd.DataFrame, resource: dict) -> pd.DataFrame:
    """Text columns (`read_text`) converted to the schema's types and checked against its constraints."""
    name, fields = resource["name"], resource["schema"]["fields"]
    expected = [f["name"] for f in fields]
    if list(df.columns) != expected:
        raise PackageError(f"columns {list(df.columns)[:30]} do not match the schema {expected}", resource=name)
    for f in fields:
        df[f["name"]] = _convert(df[f["name"]], f, name)
        if name in REPEATING and f.get("type", "string") not in _NUMERIC and f.get("type") != "boolean":
            df[f["name"]] = as_category(df[f["name"]])
    return df


# The tables that grow with the record (a million donations, their item lines, messages). Their text columns that
# repeat a few values (a direction, a status, a place id, a date, a source reference) are held as categories: each
# value once and a small code per row. At a million donations the tables took 200 MB instead of 426 and the flow
# records built from them about 100 MB less (they take the codes, not the text), and comparisons and lookups run
# over the few distinct values. The other tables (at most a few hundred rows) keep plain text.
REPEATING = ("donations", "donation_items", "support_messages")
_SAMPLE = 4096


def as_category(values: pd.Series) -> pd.Series:
    """Text as a category with sorted categories (sorting and grouping as the text would), if the column repeats:
    at most a quarter of its first 4,096 cells distinct (ids and names are let through after that look, without
    counting the whole column), and at most half of all its cells. Otherwise the text as it is."""
    if values.dtype != "str" or len(values) < 2:
        return values
    head = arrow_strings(values.iloc[:_SAMPLE])
    if pc.count_distinct(head).as_py() * 4 > len(head):
        return values
    codes, uniques = pd.factorize(values, sort=True)
    if len(uniques) * 2 > len(values):
        return values
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str")), index=values.index,
                     name=values.name)


def _read_fast(file: Path, expected: list[str], resource: str | None = None) -> pd.DataFrame | None:
    """The CSV as text columns through pyarrow's multithreaded reader (a million rows in about a second, where
    pandas takes several), or None when pyarrow objects to anything (bad UTF-8, ragged rows, a header that is not
    the schema's): then pandas reads it and gives the usual, precise message."""
    try:
        # large_string: what pandas' text columns hold, so that `to_pandas` takes the buffers as they are (with
        # `string` it converted every column, 0.3-0.6 s for a million donations).
        opts = pacsv.ConvertOptions(column_types={n: pa.large_string() for n in expected}, strings_can_be_null=False,
                                    null_values=[], quoted_strings_can_be_null=False)
        short: list = []
        table = pacsv.read_csv(file, parse_options=pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=lambda row: (short.append(row), "error")[1]),
            convert_options=opts, read_options=pacsv.ReadOptions(encoding="utf8"))
    except (pa.ArrowException, OSError, ValueError):
        # pandas would fill the cells a short row lacks with empty text, silently: that row is named here
        if short and short[0].actual_columns < short[0].expected_columns:
            row = _short_row(file, short[0].expected_columns)
            raise PackageError(f"{excerpt(file.name)} is not a readable CSV: a row has {short[0].actual_columns} "
                               f"cells where the header has {short[0].expected_columns} (a cell missing, or a quote "
                               "left open)", resource=resource, row=row) from None
        return None
    if table.column_names != expected or any(t != pa.large_string() for t in table.schema.types):
        return None  # columns that are not the schema's: pandas names them as it always has
    # One chunk per column: the reader gives one per block, and every later take of rows by position (the flow
    # records are built that way) would otherwise concatenate the chunks again (1.8 s at a million donations).
    # Column by column, each block freed as soon as its column is whole: combining the whole table at once held
    # the file twice (a peak of 730 MB for a million donations, 545 this way).
    pool, arrays = pa.default_memory_pool(), []
    while table.num_columns:
        arrays.append(table.column(0).combine_chunks())
        table = table.remove_column(0)
        pool.release_unused()
    return pa.Table.from_arrays(arrays, names=expected).to_pandas()


def _short_row(file: Path, cells: int) -> int | None:
    """The 1-based data row of the first record with fewer than `cells` cells (records may span lines)."""
    import csv
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a long cell is not what is looked for here
    try:
        with open(file, encoding="utf-8", newline="") as fh:
            rows = (r for r in csv.reader(fh) if r)  # blank lines are no rows, as pandas and pyarrow read them
            next(rows, None)
            for n, record in enumerate(rows, start=1):
                if len(record) < cells:
                    return n
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    finally:
        csv.field_size_limit(limit)
    return None


def _first_non_utf8(file: Path) -> tuple[int, int, str]:
    """(0-based line, file offset, reason) of the first bytes that are not UTF-8. pandas' UnicodeDecodeError
    gives an offset inside the cell, not the file. Line 0 is the header, so line n is the 1-based data row n."""
    offset = 0
    with open(file, "rb") as fh:
        for n, line in enumerate(fh):  # b"\n" never occurs inside a multi-byte UTF-8 sequence
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return n, offset + exc.start, exc.reason
            offset += len(line)
    return 0, 0, "unknown"

def _bad(series: pd.Series, mask: pd.Series, resource: str, field: str, message: str):
    if mask.any():
        first = int(mask.to_numpy().nonzero()[0][0])
        raise PackageError(f"{message}: {excerpt(series.iloc[first])}", resource=resource, row=first + 1, field=field)

def _fast_numbers(values: pd.Series) -> pd.Series | None:
    """Text to floats with pyarrow's cast (empty cells: NaN), or None if any cell is not plain decimal
    notation (then pandas converts, and the checks below name the first bad cell)."""
    try:
        arr = pa.array(values, type=pa.string())
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=values.index)
    except (pa.ArrowException, ValueError, TypeError):
        return None


def _convert(values: pd.Series, spec: dict, resource: str) -> pd.Series:
    name, kind = spec["name"], spec.get("type", "string")
    constraints = spec.get("constraints", {})
    empty = values == ""
    if constraints.get("required"):
        _bad(values, empty, resource, name, "a value is required but the cell is empty")
    if kind in _NUMERIC:
        out = _fast_numbers(values)
        if out is None:
            out = pd.to_numeric(values.where(~empty), errors="coerce").astype("float64")
        _bad(values, out.isna() & ~empty, resource, name, f"not a valid {kind}")
        _bad(values, ~np.isfinite(out.fillna(0)), resource, name, "not a finite number")
        if kind == "integer":
            _bad(values, (out % 1 != 0) & ~empty, resource, name, "not a whole number")
            _bad(values, (out.abs() > MAX_INTEGER).fillna(False), resource, name,
                 f"a whole number beyond ±{MAX_INTEGER:,}, more than this package can mean")
        if "minimum" in constraints:
            _bad(values, (out < constraints["minimum"]).fillna(False), resource, name, f"below the minimum {constraints['minimum']}")
        if "maximum" in constraints:
            _bad(values, (out > constraints["maximum"]).fillna(False), resource, name, f"above the maximum {constraints['maximum']}")
        return out.astype(_NUMERIC[kind])
    if kind == "boolean":
        ok = values.isin(["true", "false"]) | empty
        _bad(values, ~ok, resource, name, "not true or false")
        return values.eq("true")
    lengths = values.str.len()
    if "minLength" in constraints:
        _bad(values, (lengths < constraints["minLength"]) & ~empty, resource, name, f"shorter than {constraints['minLength']} characters")
    if "maxLength" in constraints:
        _bad(values, lengths > constraints["maxLength"], resource, name, f"longer than {constraints['maxLength']} characters")
    if "enum" in constraints:
        _bad(values, ~values.isin(constraints["enum"]) & ~empty, resource, name,
             f"not one of {_cut(constraints['enum'], 300)}")
    codes = vocabularies().get((resource, name))
    if codes is not None:  # with or without the descriptor's enum: the app shows these as t(f"{vocabulary}.{code}")
        _bad(values, ~values.isin(codes) & ~empty, resource, name, f"not a code of {_cut(list(codes), 300)}")
    if "pattern" in constraints:
        # RE2 through pyarrow, never Python's re (checked compilable in _check_schema)
        matched = pc.match_substring_regex(arrow_strings(values), _re2_full(constraints["pattern"]))
        ok = pd.Series(matched.to_numpy(zero_copy_only=False), index=values.index) | empty
        _bad(values, ~ok, resource, name, f"does not match the pattern {_cut(constraints['pattern'], 200)}")
    return values

@functools.cache
def vocabularies() -> dict[tuple[str, str], tuple[str, ...]]:
    """(resource, field) -> the atlas.vocab codes it may hold, as the package build declares them (atlas.build.schema):
    checked at load whatever the descriptor says, since the app looks each code up in its translations."""
    from atlas.build.schema import RESOURCES
    return {(res, spec["name"]): tuple(spec["constraints"]["enum"]) for res, r in RESOURCES.items()
            for spec in r["schema"]["fields"] if "enum" in spec.get("constraints", {})}


def arrow_strings(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as an Arrow large_string array, for pyarrow's hash lookups and counts: the buffers of a
    pandas text column as they are (pandas keeps its text as large_string: asking for `string` copied a million
    values per call), converted only from Python objects."""
    if values.dtype == object:
        return pa.array(values.to_numpy(dtype=object), type=pa.large_string())
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pa.array(values).dictionary_decode().cast(pa.large_string())
    return pa.array(values, type=pa.large_string())


def check_keys(tables: dict[str, pd.DataFrame], resources: dict[str, dict]) -> None:
    """Every table's primary key unique and every foreign key found (PackageError naming the first that is not)."""
    for name in RESOURCE_NAMES:
        _check_keys(name, resources[name]["schema"], tables)


def _check_keys(name: str, schema: dict, tables: dict[str, pd.DataFrame]) -> None:
    df = tables[name]
    key = schema.get("primaryKey")
    if key:
        key = _key_fields(key, name, "primaryKey")
        # First the distinct hashes of the key's rows are counted by polars (0.08 s and 40 MB for a million item
        # lines, where pandas' duplicated took 0.3-0.8 s, pyarrow's count_distinct 0.3, and polars' n_unique of the
        # rows themselves kept 300 MB): all distinct means no duplicate. Only a table with fewer (a duplicate, or
        # two keys whose hashes collide) is searched with pandas for the first duplicate, to name its row.
        unique = pl.from_pandas(df[key]).hash_rows().n_unique() == len(df)
        dup = None if unique else df.duplicated(subset=key, keep="first")
        if dup is not None and dup.any():
            first = int(dup.to_numpy().nonzero()[0][0])
            shown = ", ".join(excerpt(v) for v in df.iloc[first][key].tolist())
            raise PackageError(f"duplicate primary key [{shown}]", resource=name, row=first + 1, field=",".join(key))
    for fk in schema.get("foreignKeys", []):
        cols, ref = _key_fields(fk["fields"], name, ""), fk["reference"]
        target_name = ref.get("resource") or name
        ref_cols = _key_fields(ref["fields"], name, "")
        if len(cols) == 1:
            values = df[cols[0]]
            allowed = arrow_strings(tables[target_name][ref_cols[0]])
            if isinstance(values.dtype, pd.CategoricalDtype):  # each distinct value looked up once
                cats = values.cat.categories
                ok = pc.is_in(arrow_strings(pd.Series(cats)), value_set=allowed).to_numpy(zero_copy_only=False) | (cats == "")
                dangling = pd.Series(~np.append(ok, True)[values.cat.codes.to_numpy()], index=df.index)
            else:
                # pyarrow's hash lookup: `isin(set(...))` over a million strings took seconds
                found = pc.is_in(arrow_strings(values), value_set=allowed)
                dangling = pd.Series(~found.to_numpy(zero_copy_only=False), index=df.index) & (values != "")
        else:
            values = pd.Series(list(zip(*(df[c] for c in cols))), index=df.index, dtype=object)
            allowed = set(zip(*(tables[target_name][c] for c in ref_cols)))
            dangling = ~values.isin(allowed) & (df[cols] != "").all(axis=1)
        if dangling.any():
            first = int(dangling.to_numpy().nonzero()[0][0])
            ref_shown = ref["fields"] if isinstance(ref["fields"], str) else ref_cols
            raise PackageError(f"{excerpt(values.iloc[first])} is not a {ref_shown} of '{target_name}' (dangling reference)",
                               resource=name, row=first + 1, field=",".join(cols))
