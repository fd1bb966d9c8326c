"""The data page's numbers: every table of the package, searchable, with its schema, the passage each row came from,
and the whole package as a ZIP."""
from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .package import Package, arrow_strings



# The package's tables whose rows are flow records (donations, their item lines, messages): the shared filters
# keep their rows through the records. (id column, record kind)
RECORD_TABLES = {"donations": ("donation_id", "donation"), "donation_items": ("donation_id", "donation"),
                 "support_messages": ("message_id", "message")}


def record_rows(data, filters, name: str) -> np.ndarray:
    """Positions of the rows of package table `name` whose records `filters` keep (item lines: also of the chosen
    categories). Positions, not a copy: a cache of them stays small however many rows are kept. Worked in the
    columnar records and pyarrow's hash lookup when there are some: at a million donations the pandas match and
    string `isin` took a second on every rerun of the data page."""
    import polars as pl

    from .filters import match_expr
    table = data.package.tables[name]
    id_column, kind = RECORD_TABLES[name]
    keep = match_expr(filters) & (pl.col("record_kind") == kind)
    rows = data.frame.select(pl.col("row").filter(keep))["row"].to_numpy()  # no filtered copy of the frame
    ids = data.records["record_id"].take(rows)
    keep = pc.is_in(arrow_strings(table[id_column]), value_set=arrow_strings(pd.Series(ids).drop_duplicates()))
    keep = keep.to_numpy(zero_copy_only=False)
    if name == "donation_items" and filters.categories:
        keep &= table["category"].isin(filters.categories).to_numpy(dtype=bool)
    return np.flatnonzero(keep)


def search_table(table: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """Rows with `text` (case-insensitive, literal, at most 100 characters) in any cell; all rows if no text."""
    needle = (text or "").strip().casefold()[:100]
    if not needle:
        return table
    mask = pd.Series(False, index=table.index)
    for column in table.columns:
        mask |= table[column].astype(str).str.casefold().str.contains(needle, regex=False, na=False)
    return table[mask]


def schema_table(pkg: Package, name: str) -> pd.DataFrame:
    """A resource's fields: name, type and description."""
    return pd.DataFrame([{"field": f["name"], "type": f.get("type", "string"), "description": f.get("description", "")}
                         for f in pkg.resource(name)["schema"]["fields"]])


SPREADSHEET_NOTE = """

## About the CSV files in this ZIP

They are prepared for spreadsheets: every text cell that a spreadsheet would run as a formula (one starting with
`=`, `+`, `-` or `@`, also after a `,`, `;` or tab inside the cell) starts with an apostrophe (`'`), and cells
holding `,`, `;` or a tab are quoted, so Excel, LibreOffice and Numbers in any locale open them as text.
{changed}
For scripts, the tables with their values unchanged are at the app's stable addresses:
`/api/v1/<table>.json` (rows as JSON) and `/api/v1/datapackage.json` (the schemas).
"""


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Field types whose cells the loader has checked to be numbers or true/false: left as they are. Every other cell
# (string, any, date, year...: types whose text is not checked) is neutralised.
_CHECKED_TYPES = {"integer", "number", "boolean"}
# Files of a package besides its descriptor and resources that the app reads or documents: shipped in the ZIP.
GEO_EXTRAS = ("SOURCES.md", "centroids.csv")


def _spreadsheet_csv(raw: bytes, numeric: set[str] | None) -> tuple[bytes, int]:
    """A package CSV with every text cell neutralised, its header included; (bytes, cells changed). Cells of the
    `numeric` columns (the schema's checked number and boolean fields) stay as they are; with `numeric` None (a
    file without a schema), cells that are plain numbers do. A BOM is kept and never taken for part of a name.
    Read with pandas (no field-size limit), written cell by cell."""
    from .exports import csv_cell, neutralise
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    if not text.strip():
        return raw, 0
    newline = "\r\n" if "\r\n" in text else "\n"
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[], engine="c")
    header = [neutralise(str(c)) for c in table.columns]
    changed = sum(h != str(c) for h, c in zip(header, table.columns))
    columns = []
    for name in table.columns:
        values = table[name].tolist()
        if numeric is not None and name in numeric:
            columns.append(values)
            continue
        safe = [v if numeric is None and _PLAIN_NUMBER.fullmatch(v) else neutralise(v) for v in values]
        changed += sum(a != b for a, b in zip(safe, values))
        columns.append(safe)
    rows = [header, *zip(*columns)]
    body = "".join(",".join(csv_cell(c) for c in row) + newline for row in rows)
    return ("\ufeff" if bom else "").encode("utf-8") + body.encode("utf-8"), changed


def _zip_entries(path: Path) -> list[tuple[str, Path, set[str] | None]]:
    """(name in the ZIP, file, numeric columns or None) of what the package declares and the app reads: the
    descriptor, the README, every resource (the loader's own confinement: inside the package, regular files),
    the boundaries and their notes. Nothing else in the folder travels."""
    from .boundaries import BOUNDARY_FILES
    from .package import PackageError, open_package, package_file
    from . import versions
    if versions.is_release(path):
        return _release_entries(Path(path))
    opened = open_package(path)
    entries = [("datapackage.json", opened.descriptor_file.resolve(), None)]
    for name, file in opened.files.items():
        r = opened.resources[name]
        numeric = {f["name"] for f in r["schema"]["fields"] if f.get("type", "string") in _CHECKED_TYPES}
        entries.append((posixpath.normpath(r["path"]), file, numeric))
    for rel in ("README.md", "CHANGELOG.md", *(f"geo/{n}" for n in (*BOUNDARY_FILES.values(), *GEO_EXTRAS))):
        try:
            entries.append((rel, package_file(opened.path, rel), None))
        except PackageError:
            continue  # absent, or not a regular file inside the package: not shipped
    return entries


def _release_entries(path: Path) -> list[tuple[str, Path, set[str] | None]]:
    """An earlier release's ZIP: its files as they were published (its manifest lists them: descriptor, tables,
    README) and the manifest naming the commit they come from; the numeric columns are those of its own descriptor.
    No boundaries: a release holds none (every version's maps draw the current ones)."""
    from .package import package_file
    from .versions import MANIFEST, manifest
    kept = manifest(path)
    descriptor = json.loads(package_file(path, "datapackage.json").read_text(encoding="utf-8"))
    numeric = {r.get("path"): {f["name"] for f in r.get("schema", {}).get("fields", [])
                               if f.get("type", "string") in _CHECKED_TYPES}
               for r in descriptor.get("resources", []) if isinstance(r, dict)}
    entries = [(f["path"], package_file(path, f["path"]), numeric.get(f["path"]) if f["path"].endswith(".csv") else None)
               for f in kept["files"]]
    return entries + [(MANIFEST, package_file(path, MANIFEST), None)]


def package_zip(path: Path) -> bytes:
    """The whole data package as one ZIP, for download: the descriptor, its declared resources (found as the
    loader finds them, so only regular files inside the package), the README and the boundaries; every text
    cell of every CSV neutralised for spreadsheets, whatever its field type, and the README saying so."""
    changed = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        readme = None
        for arcname, file, numeric in _zip_entries(path):
            if arcname == "README.md":
                readme = file
                continue
            body = file.read_bytes()
            if arcname.lower().endswith(".csv"):
                body, n = _spreadsheet_csv(body, numeric)
                if n:
                    changed[arcname] = n
            z.writestr(arcname, body)
        lines = "".join(f"\n- `{name}`: {n} cell(s) neutralised" for name, n in changed.items()) or \
            "\nNo cell of this package needed it."
        note = SPREADSHEET_NOTE.format(changed=lines + "\n")
        z.writestr("README.md", (readme.read_text(encoding="utf-8") if readme else "# Cooperation Atlas data\n") + note)
    return buf.getvalue()


# --- where a row came from ------------------------------------------------------------------------

QUOTED = re.compile(r"[\"“](.+?)[\"”](?=[^\"”]*$|;)", re.S)


@dataclass(frozen=True)
class Passage:
    """What a row of the package rests on: its source, where in it, the quoted words and the printed cells."""
    source_id: str
    source: str                             # publisher, title, date
    where: str                              # "Table 1, row 8", a section, or the evidence's preamble
    quotes: tuple[str, ...] = ()            # the source's own words, as quoted in the row
    printed: tuple[tuple[str, str], ...] = ()  # (field, cell as printed) for rows taken from a printed table


def passage(pkg: Package, table: str, row: Mapping) -> Passage | None:
    """The passage a row of `table` came from, or None for a table whose rows cite no source (places, regions).

    Item lines point to their donation's source; a pairing's evidence holds the quoted words."""
    row = {k: ("" if v is None or (isinstance(v, float) and v != v) else v) for k, v in dict(row).items()}
    if table == "donation_items":
        parent = pkg.tables["donations"].set_index("donation_id").loc[row["donation_id"]]
        base = passage(pkg, "donations", {**parent.to_dict(), "donation_id": row["donation_id"]})
        return Passage(base.source_id, base.source, f"{base.where}, line {row['line']}", base.quotes,
                       (("as_printed", str(row["as_printed"])),)) if base else None
    source_id = row.get("source_id")
    if not source_id:
        return None
    ref = str(row.get("source_ref") or row.get("evidence") or "")
    quotes = tuple(q.strip() for q in QUOTED.findall(ref))
    if table == "survey_findings" and row.get("statement"):
        quotes = (str(row["statement"]),)
    where = ref.split(":", 1)[0].strip() if quotes and ":" in ref else ref
    printed = tuple((k, str(v)) for k, v in row.items() if k.endswith("as_printed") and str(v) != "")
    if table == "pairings":  # evidence naming printed rows ("CCG report Table 1, row 1 (donation)"): show those rows
        printed += tuple(cell for ref in TABLE_ROW.findall(ref) for cell in _printed_row(pkg, ref))
    return Passage(source_id, pkg.source_title(source_id), where, quotes, printed)


TABLE_ROW = re.compile(r"Table \d+, row \d+")
PRINTED_TABLES = ("donations", "support_messages", "corporate_donations")


def _printed_row(pkg: Package, ref: str) -> tuple[tuple[str, str], ...]:
    for name in PRINTED_TABLES:
        t = pkg.tables[name]
        hit = t[t["source_ref"] == ref]
        if len(hit):
            r = hit.iloc[0]
            return tuple((f"{ref} · {k}", str(r[k])) for k in t.columns if k.endswith("as_printed") and str(r[k]) not in ("", "nan"))
    return ()
