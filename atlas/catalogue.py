"""The data page's numbers: every table of the package, searchable, with its schema and the whole package as a ZIP."""
from __future__ import annotations

import io
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


def package_zip(path: Path) -> bytes:
    """The whole data package as one ZIP, for download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(Path(path).rglob("*")):
            if file.is_file() and file.suffix in ZIP_SUFFIXES:
                z.write(file, arcname=str(file.relative_to(path)))
    return buf.getvalue()
