"""Exports that need no rendering: CSV safe to open in a spreadsheet, and the files' names."""
from __future__ import annotations

import csv
import io
import re

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A cell a spreadsheet of any common locale splits at `,`, `;` or a tab: each piece after a delimiter (spaces
# skipped) is a cell there too, so a formula start after a delimiter is neutralised like one at the start.
_AFTER_DELIMITER = re.compile(r"([,;\t][ ]*)([=+\-@\r])")
_NEEDS_QUOTES = re.compile(r'[,;\t"\r\n]')


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe (OWASP's advice), at its
    start and after any `,` `;` or tab inside it (e.g. `x;=1+1` becomes `x;'=1+1`)."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return _AFTER_DELIMITER.sub(r"\1'\2", value) if _AFTER_DELIMITER.search(value) else value


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def _number(value) -> str:
    """A float cell as a reader expects it: a whole number without `.0` (counts summed as floats came out as
    `50000.0`), any other in its shortest exact form, nothing for a missing value."""
    if value is None or pd.isna(value):
        return ""
    x = float(value)
    return str(int(x)) if x.is_integer() and abs(x) < 1e18 else repr(x)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Chinese), text cells neutralised; numbers are left as numbers, and
    whole numbers are written as integers whatever their dtype (`50000`, never `50000.0`).
    Every cell holding a delimiter of a common locale (`,` `;` tab), a quote or a line break is quoted, so
    a `;`- or tab-separated spreadsheet reads the same cells."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
        elif pd.api.types.is_float_dtype(out[col]):  # after neutralising: a number's `-` is no formula
            out[col] = pd.Series([_number(v) for v in out[col]], index=out.index, dtype=object)
    buf = io.StringIO()
    # CRLF makes pandas quote any cell holding a bare CR, which a reader would otherwise split into a new
    # row whose first cell (e.g. "=1+1") escaped neutralisation.
    out.to_csv(buf, index=False, lineterminator="\r\n")
    # pandas quotes only `,`, quotes and line breaks: re-quote its (lossless) output with `;` and tab too.
    rows = csv.reader(io.StringIO(buf.getvalue(), newline=""))
    text = "".join(",".join(csv_cell(c) for c in row) + "\r\n" for row in rows)
    return ("\ufeff" + text).encode("utf-8")


def file_name(slug: str, filter_slug: str, ext: str, lang: str = "en") -> str:
    parts = [slug] + ([filter_slug] if filter_slug else []) + (["zh"] if lang == "zh" else [])
    return "_".join(parts) + "." + ext


# Exports only: columns headed by another catalogue entry than `col.<name>` (the reconciliation's, as on its
# page), and code columns whose words live under a prefix of their own.
EXPORT_HEADERS = {c: f"reconcile.{c}" for c in ("text_total", "rows_sum", "difference", "other_rows", "pledged",
                                                 "reason", "text_ref")}
EXPORT_CODES = {"reason": "reconcile.reason", "measure": "sankey.measure"}


def for_reader(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table as a reader of `lang` downloads it: in Chinese, Chinese throughout (vocabulary codes as words,
    yes/no for true/false, every header in Chinese); in English, the stable field names and codes scripts rely on."""
    if lang == "en":
        return df
    from .i18n import has, localise_table, t
    shown, headers = localise_table(df, lang)
    for column, prefix in EXPORT_CODES.items():
        if column in shown.columns:
            shown[column] = [t(f"{prefix}.{v}", lang) if isinstance(v, str) and has(f"{prefix}.{v}") else v
                             for v in shown[column]]
    words = {True: t("export.true", lang), False: t("export.false", lang)}
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_bool_dtype(values) or (values.dtype == object and len(values.dropna())
                                                  and all(isinstance(v, bool) for v in values.dropna())):
            shown[column] = pd.Series(["" if v is None or v is pd.NA or v != v else words[bool(v)] for v in values],
                                      index=shown.index, dtype=object)

    def heading(column) -> str:
        if has(f"col.{column}", lang):
            return headers[column]
        return t(EXPORT_HEADERS[column], lang) if column in EXPORT_HEADERS else column
    return shown.rename(columns={c: heading(c) for c in shown.columns})


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
