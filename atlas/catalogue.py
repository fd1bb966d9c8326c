"""The data page's numbers: every table of the package, searchable, with its schema, the passage each row came from,
and the whole package as a ZIP."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .package import Package, arrow_strings

ZIP_SUFFIXES = {".csv", ".json", ".md", ".geojson"}


# The package's tables whose rows are flow records (donations, their item lines, messages): the shared filters
# keep their rows through the records. (id column, record kind)
RECORD_TABLES = {"donations": ("donation_id", "donation"), "donation_items": ("donation_id", "donation"),
                 "support_messages": ("message_id", "message")}


def record_rows(data, filters, name: str) -> np.ndarray:
    """Positions of the rows of package table `name` whose records `filters` keep (item lines: also of the chosen
    categories). Positions, not a copy: a cache of them stays small however many rows are kept. Worked in the
    columnar records and pyarrow's hash lookup when there are some: at a million donations the pandas match and
    string `isin` took a second on every rerun of the data page."""
    from .filters import match, match_expr
    table = data.package.tables[name]
    id_column, kind = RECORD_TABLES[name]
    if data.frame is not None:
        import polars as pl
        keep = match_expr(filters) & (pl.col("record_kind") == kind)
        rows = data.frame.select(pl.col("row").filter(keep))["row"].to_numpy()  # no filtered copy of the frame
        ids = data.records["record_id"].take(rows)
    else:
        kept = match(data.records, filters)
        ids = kept.loc[kept["record_kind"] == kind, "record_id"]
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


def _spreadsheet_csv(raw: bytes, text_fields: set[str]) -> tuple[bytes, int]:
    """A package CSV with its text cells neutralised (numbers left alone); (bytes, cells changed)."""
    from .exports import csv_cell, neutralise
    text = raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return raw, 0
    text_columns = [i for i, name in enumerate(rows[0]) if name in text_fields]
    changed = 0
    for row in rows[1:]:
        for i in text_columns:
            if i < len(row) and (safe := neutralise(row[i])) != row[i]:
                row[i], changed = safe, changed + 1
    if not changed and not any(";" in c or "\t" in c for row in rows for c in row):
        return raw, 0
    return "".join(",".join(csv_cell(c) for c in row) + newline for row in rows).encode("utf-8"), changed


def package_zip(path: Path) -> bytes:
    """The whole data package as one ZIP, for download: only regular files inside the package directory
    (no symlinks, nothing outside), its CSVs neutralised for spreadsheets and its README saying so."""
    root = Path(path).resolve()
    try:
        descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        text_fields = {r.get("path"): {f["name"] for f in r["schema"]["fields"] if f.get("type", "string") == "string"}
                       for r in descriptor.get("resources", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        text_fields = {}
    files, changed = [], {}
    for file in sorted(root.rglob("*")):
        if file.is_symlink() or not file.is_file() or file.suffix not in ZIP_SUFFIXES:
            continue
        if not file.resolve().is_relative_to(root) or any(p.is_symlink() for p in file.parents if p != root and
                                                          p.is_relative_to(root)):
            continue
        files.append(file)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        readme = None
        for file in files:
            arcname = file.relative_to(root).as_posix()
            if arcname == "README.md":
                readme = file
                continue
            body = file.read_bytes()
            if file.suffix == ".csv":
                body, n = _spreadsheet_csv(body, text_fields.get(arcname, set()))
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
