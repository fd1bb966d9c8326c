"""The data page's numbers: every table of the package, searchable, with its schema and the whole package as a ZIP."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

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
    from .exports import _cell, neutralise
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
    return "".join(",".join(_cell(c) for c in row) + newline for row in rows).encode("utf-8"), changed


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
