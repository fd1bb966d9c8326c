"""Exports that need no rendering: CSV safe to open in a spreadsheet, and the files' names."""
from __future__ import annotations

import re

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters a spreadsheet (or a reader's eye) may skip before a formula: spaces of every width, NBSP, zero-width
# spaces and joiners, a BOM; and the fullwidth forms of = + - @, which some spreadsheets take as the ASCII ones.
_BLANKS = " \u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
_STARTS = "=+\\-@\r\uff1d\uff0b\uff0d\uff20"
_LOOK_ALIKE = re.compile(f"[{_BLANKS}]*[{_STARTS}]")
# A cell a spreadsheet of any common locale splits at `,`, `;` or a tab: each piece after a delimiter (blanks
# skipped) is a cell there too, so a formula start after a delimiter is neutralised like one at the start.
_AFTER_DELIMITER = re.compile(f"([,;\t][{_BLANKS}]*)([{_STARTS}])")
_NEEDS_QUOTES = re.compile(r'[,;\t"\r\n]')


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe (OWASP's advice), at its
    start and after any `,` `;` or tab inside it (e.g. `x;=1+1` becomes `x;'=1+1`)."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) or _LOOK_ALIKE.match(value):
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


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _column_cells(series: pd.Series) -> list[str]:
    """One column's cells as CSV text: text neutralised and quoted where needed; anything else as pandas writes it
    (numbers, booleans and dates never hold a delimiter, a quote or a line break, so its lines are its cells)."""
    if _is_text(series):
        return [csv_cell(str(neutralise(v))) if not _missing(v) else "" for v in series.tolist()]
    if pd.api.types.is_float_dtype(series):  # whole numbers as integers (`50000`, never `50000.0`)
        return [_number(v) for v in series.tolist()]
    written = series.to_frame().to_csv(index=False, header=False, lineterminator="\n")
    # pandas writes an empty cell of a one-column frame as "" (an empty line would be no row): here it is empty
    return [c if c != '""' else "" for c in written.split("\n")[:-1]]


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Chinese), text cells neutralised; numbers are left as numbers, and
    whole numbers are written as integers whatever their dtype (`50000`, never `50000.0`). Every cell holding
    a delimiter of a common locale (`,` `;` tab), a quote or a line break (a bare CR included, which a reader
    would otherwise split into a new row whose first cell escaped neutralisation) is quoted, so a `;`- or tab-separated spreadsheet reads the same cells. Written cell by cell, never
    re-parsed: a cell of any length is written (csv.reader stops at 131,072 characters)."""
    columns = [_column_cells(df.iloc[:, i]) for i in range(df.shape[1])]
    header = ",".join(csv_cell(str(neutralise(str(c)))) for c in df.columns) + "\r\n"
    text = header + "".join(",".join(row) + "\r\n" for row in zip(*columns))
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
