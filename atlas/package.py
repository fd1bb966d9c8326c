"""Load the Frictionless data package once and check it before anything is shown.

The checks are the fast pandas equivalents of `frictionless validate` (types, required fields,
enums, patterns, primary and foreign keys): the full frictionless validation runs in the tests and
in `make validate`, but takes tens of seconds on a million-row package, too long for start-up.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT / "data"
RESOURCE_NAMES = ("sources", "regions", "places", "donations", "donation_items", "support_messages", "pairings",
                  "corporate_donations", "survey_findings", "key_figures")
# A package bigger than this is refused with a message rather than exhausting the server's memory.
MAX_BYTES = int(os.environ.get("ATLAS_MAX_BYTES", str(1_500 * 1024 * 1024)))

class PackageError(Exception):
    """A data package that cannot be used, with where the problem is."""

    def __init__(self, message: str, resource: str | None = None, row: int | None = None, field: str | None = None):
        self.resource, self.row, self.field = resource, row, field
        where = ", ".join(p for p in (
            f"resource '{resource}'" if resource else "",
            f"row {row}" if row is not None else "",
            f"field '{field}'" if field else "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.detail = message

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
    """The package directory: $ATLAS_DATA_DIR if set, else the bundled data/."""
    return Path(os.environ.get("ATLAS_DATA_DIR") or DEFAULT_DATA_DIR)

def load_package(path: str | Path | None = None) -> Package:
    path = Path(path) if path else data_dir()
    descriptor_path = path / "datapackage.json"
    if not descriptor_path.is_file():
        raise PackageError(f"no datapackage.json in {path}")
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"datapackage.json is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list) \
            or not all(isinstance(r, dict) for r in descriptor.get("resources", [])):
        raise PackageError("datapackage.json is not a data package descriptor (an object with a list of resources)")
    resources = {r.get("name"): r for r in descriptor.get("resources", [])}
    missing = [n for n in RESOURCE_NAMES if n not in resources]
    if missing:
        raise PackageError(f"datapackage.json lacks the resources {', '.join(missing)}")
    for name in RESOURCE_NAMES:
        r = resources[name]
        if not isinstance(r.get("path"), str) or not isinstance(r.get("schema"), dict) \
                or not isinstance(r["schema"].get("fields"), list):
            raise PackageError("datapackage.json gives this resource no path or no schema fields", resource=name)
    total = sum((path / r["path"]).stat().st_size for r in resources.values()
                if isinstance(r.get("path"), str) and (path / r["path"]).is_file())
    if total > MAX_BYTES:
        raise PackageError(f"the package is {_size(total)}, above this server's limit of {_size(MAX_BYTES)} "
                           "(set ATLAS_MAX_BYTES to raise it)")
    tables = {name: _read_resource(path, resources[name]) for name in RESOURCE_NAMES}
    for name in RESOURCE_NAMES:
        _check_keys(name, resources[name]["schema"], tables)
    return Package(path, descriptor, tables)

def _size(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


_NUMERIC = {"integer": "Int64", "number": "Float64"}

def _read_resource(path: Path, resource: dict) -> pd.DataFrame:
    name, schema = resource["name"], resource["schema"]
    file = path / resource["path"]
    if not file.is_file():
        raise PackageError(f"file {resource['path']} is missing", resource=name)
    fields = schema["fields"]
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8", engine="c")
    except UnicodeDecodeError:
        line, offset, reason = _first_non_utf8(file)
        raise PackageError(f"{resource['path']} is not UTF-8 text (line {line + 1}, byte {offset}: {reason}); "
                           "save it as UTF-8", resource=name, row=line or None) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PackageError(f"{resource['path']} is not a readable CSV ({str(exc).strip()})", resource=name) from None
    expected = [f["name"] for f in fields]
    if list(df.columns) != expected:
        absent = [c for c in expected if c not in df.columns]
        raise PackageError(f"columns {list(df.columns)} do not match the schema {expected}"
                           + (f" (missing: {', '.join(absent)})" if absent else ""), resource=name,
                           field=absent[0] if absent else None)
    for f in fields:
        df[f["name"]] = _convert(df[f["name"]], f, name)
    return df

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
        raise PackageError(f"{message}: {series.iloc[first]!r}", resource=resource, row=first + 1, field=field)

def _convert(values: pd.Series, spec: dict, resource: str) -> pd.Series:
    name, kind = spec["name"], spec.get("type", "string")
    constraints = spec.get("constraints", {})
    empty = values == ""
    if constraints.get("required"):
        _bad(values, empty, resource, name, "a value is required but the cell is empty")
    if kind in _NUMERIC:
        out = pd.to_numeric(values.where(~empty), errors="coerce")
        _bad(values, out.isna() & ~empty, resource, name, f"not a valid {kind}")
        if kind == "integer":
            _bad(values, (out % 1 != 0) & ~empty, resource, name, "not a whole number")
        if "minimum" in constraints:
            _bad(values, (out < constraints["minimum"]).fillna(False), resource, name, f"below the minimum {constraints['minimum']}")
        return out.astype(_NUMERIC[kind])
    if kind == "boolean":
        ok = values.isin(["true", "false"]) | empty
        _bad(values, ~ok, resource, name, "not true or false")
        return values.eq("true")
    if "enum" in constraints:
        _bad(values, ~values.isin(constraints["enum"]) & ~empty, resource, name, f"not one of {constraints['enum']}")
    if "pattern" in constraints:
        ok = values.str.fullmatch(constraints["pattern"]) | empty
        _bad(values, ~ok, resource, name, f"does not match the pattern {constraints['pattern']}")
    return values

def _check_keys(name: str, schema: dict, tables: dict[str, pd.DataFrame]) -> None:
    df = tables[name]
    key = schema.get("primaryKey")
    if key:
        dup = df.duplicated(subset=key, keep="first")
        if dup.any():
            first = int(dup.to_numpy().nonzero()[0][0])
            raise PackageError(f"duplicate primary key {df.iloc[first][key].tolist()}", resource=name, row=first + 1, field=",".join(key))
    for fk in schema.get("foreignKeys", []):
        col, ref = fk["fields"], fk["reference"]
        target = tables[ref["resource"] or name][ref["fields"]]
        values = df[col]
        dangling = ~values.isin(set(target)) & (values != "")
        if dangling.any():
            first = int(dangling.to_numpy().nonzero()[0][0])
            raise PackageError(f"{values.iloc[first]!r} is not a {ref['fields']} of '{ref['resource']}' (dangling reference)",
                               resource=name, row=first + 1, field=col)

