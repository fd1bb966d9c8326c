"""Exports that need no rendering: CSV safe to open in a spreadsheet, and the files' names."""
from __future__ import annotations

import io

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Chinese), text cells neutralised; numbers are left as numbers."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    buf = io.StringIO()
    # CRLF makes pandas quote any cell holding a bare CR, which a reader would otherwise split into a new
    # row whose first cell (e.g. "=1+1") escaped neutralisation.
    out.to_csv(buf, index=False, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def file_name(slug: str, filter_slug: str, ext: str, lang: str = "en") -> str:
    parts = [slug] + ([filter_slug] if filter_slug else []) + (["zh"] if lang == "zh" else [])
    return "_".join(parts) + "." + ext


def for_reader(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table as a reader of `lang` downloads it: in Chinese, vocabulary codes as words and headers in Chinese
    (where the catalogue names the column); in English, the stable field names and codes scripts rely on."""
    if lang == "en":
        return df
    from .i18n import has, localise_table
    shown, headers = localise_table(df, lang)
    return shown.rename(columns={c: h for c, h in headers.items() if has(f"col.{c}", lang)})


def table_schema(df: pd.DataFrame) -> list[dict]:
    """Frictionless field descriptors of a frame's columns (name and type from its dtypes)."""
    def kind(series: pd.Series) -> str:
        if pd.api.types.is_bool_dtype(series):
            return "boolean"
        if pd.api.types.is_integer_dtype(series):
            return "integer"
        if pd.api.types.is_numeric_dtype(series):
            return "number"
        return "string"
    return [{"name": str(c), "type": kind(df[c])} for c in df.columns]
