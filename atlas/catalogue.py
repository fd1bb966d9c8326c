"""The data page's numbers: every table of the package, searchable, with its schema, the passage each row came from,
and the whole package as a ZIP."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd

from .package import Package

ZIP_SUFFIXES = {".csv", ".json", ".md", ".geojson"}


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


def package_zip(path: Path) -> bytes:
    """The whole data package as one ZIP, for download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(Path(path).rglob("*")):
            if file.is_file() and file.suffix in ZIP_SUFFIXES:
                z.write(file, arcname=str(file.relative_to(path)))
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
