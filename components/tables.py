"""Tables on screen: headers and vocabulary codes in the reader's language (exports keep field names).

A table sends at most MAX_ROWS rows to the browser, so what a rerun costs does not grow with the data;
the CSV download beside it holds every row, and the caption says so.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas import overview, pairings
from atlas.i18n import fmt_number, fmt_unit, has, label, localise_table, t
from atlas.records import SCREEN_ROWS as MAX_ROWS

from . import data


ROW_PX = 35  # st.dataframe's row (and header) height
NOT_QUANTITIES = {"lat", "lon", "geonameid", "rank", "line", "year"}


def quantity_columns(df: pd.DataFrame) -> list[str]:
    """Numeric columns that hold quantities (shown with thousands separators), not codes or coordinates."""
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            and c not in NOT_QUANTITIES and not c.endswith("_id")]


def fitted_height(rows: int, height) -> int | str:
    """A fixed table height shrunk to its rows, so a short table is not padded with empty grid rows."""
    if not isinstance(height, int):
        return height if height is not None else "auto"
    return min(height, (rows + 1) * ROW_PX + 3)


def _screen(df: pd.DataFrame, lang: str, localise: bool) -> tuple[pd.DataFrame, dict, set]:
    shown = df.head(MAX_ROWS)
    # Categories as text (the package holds repeating text as categories, `atlas.package.as_category`): the rows
    # shown, not a dictionary of every value in the column, go to the browser.
    text = {c: "str" for c in shown.columns if isinstance(shown[c].dtype, pd.CategoricalDtype)}
    shown = shown.astype(text) if text else shown
    headers = {c: c for c in shown.columns}
    if localise:
        shown, headers = localise_table(shown, lang)
    return shown, headers, set(quantity_columns(shown))


def _screen_table(df: pd.DataFrame, lang: str, localise: bool) -> tuple[pd.DataFrame, dict, set]:
    """The table as the screen shows it: codes in words once per table and language, not on every rerun."""
    if len(df) > MAX_ROWS:  # a whole table made for this rerun: not worth keeping alive
        return _screen(df, lang, localise)
    return data.of_table(_screen, df, lang, localise)


def _text_px(text: str) -> int:
    """A generous width (px) of `text` in the grid's 14 px font: CJK characters one em, others about 0.6 em."""
    return int(sum(14 if ord(ch) > 0x2E80 else 8.5 for ch in str(text)))


def _widths(shown: pd.DataFrame, headers: dict) -> dict:
    """Each column wide enough for its header (the grid sized columns by their cells, so a Chinese header such as
    "来自（英文）" over short cells was cut, issue #31) and for its cells up to 320 px (longer ones wrap or scroll)."""
    out = {}
    for c, h in headers.items():
        cells = shown[c].head(200).astype(str) if len(shown) else pd.Series([], dtype=str)
        content = max((_text_px(v) for v in cells), default=0)
        out[c] = int(max(_text_px(h) + 40, min(content + 24, 320), 60))
    return out


def show_table(df: pd.DataFrame, lang: str, localise: bool = True, total: int | None = None, **kwargs):
    """`df` may already be cut to its first rows; `total` then says how many rows there are in all.

    Quantities get thousands separators (50,000, not 50000); a short table is only as tall as its rows."""
    total = len(df) if total is None else total
    shown, headers, numbers = _screen_table(df, lang, localise)
    widths = _widths(shown, headers)
    kwargs["column_config"] = {c: st.column_config.NumberColumn(h, format="localized", width=widths[c]) if c in numbers
                               else st.column_config.Column(h, width=widths[c]) for c, h in headers.items()}
    kwargs["height"] = fitted_height(len(shown), kwargs.get("height"))
    event = st.dataframe(shown, hide_index=True, width="stretch", **kwargs)
    if total > len(shown):
        st.caption(t("table.truncated", lang, shown=fmt_number(len(shown), lang), total=fmt_number(total, lang)))
    return event  # the selection, when the caller asked for one (on_select)


def show_reconciliation(lang: str) -> None:
    """What the report's text states beside what its rows sum to, both directions, in the reader's language (made
    once per package and language)."""
    shown = data.whole(overview.reconciliation_view, lang, then=[(_reconciliation_step,)])
    # each column as wide as its header and cells (up to 320 px): "Face masks (counted apart from masks)" was cut
    widths = _widths(shown, {c: str(c) for c in shown.columns})
    st.dataframe(shown, hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3,
                 column_config={c: st.column_config.Column(width=widths[c]) for c in shown.columns})


def _reconciliation_step(rec: pd.DataFrame, _data, _filters, lang: str) -> pd.DataFrame:
    return reconciliation_shown(rec, lang)


def reconciliation_shown(rec: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The reconciliation as the page shows it: labels and numbers in the reader's language."""
    shown = rec.assign(
        direction=[label("direction", d, lang) for d in rec["direction"]],
        category=[label("category", c, lang) if has(f"category.{c}") else c for c in rec["category"]],
        unit=[fmt_unit(u, lang) for u in rec["unit"]],
        reason=[t(f"reconcile.reason.{r}", lang) for r in rec["reason"]],
        # numbers as the reader's language writes them; "—" where the text states none (the CSV keeps them empty)
        **{c: [fmt_number(None if pd.isna(v) else v, lang) for v in rec[c]]
           for c in ("text_total", "rows_sum", "difference", "other_rows", "pledged")})
    return shown.rename(columns={c: t(f"reconcile.{c}", lang) for c in rec.columns})


def names_in(text: str, lang: str, zh_of: dict[str, str]) -> str:
    """Place names joined as atlas.pairings joins them ("a, b; c") in the reader's language: in Chinese each known
    name becomes its Chinese name (issue #31: "经由Ohio Development Services Agency的援助"), with Chinese separators."""
    if lang != "zh" or not isinstance(text, str) or not text:
        return text
    return "；".join("、".join(zh_of.get(n.strip(), n.strip()) for n in part.split(", ")) for part in text.split("; "))


def pairings_shown(view: pd.DataFrame, d, filters, lang: str) -> pd.DataFrame:
    """The pairs' table of a pairings view as the page shows it (a step of `data.view`: once per view and language)."""
    return pairings_on_screen(pairings.table(view, lang), lang, d.package.places)


def pairings_on_screen(table: pd.DataFrame, lang: str, places: pd.DataFrame) -> pd.DataFrame:
    """The pairs' table as a page shows it: in Chinese without the pair ids (codes such as `pr-hubei--ohio`, English
    words on a Chinese page; the CSV and the API keep them) and with the agencies' names in Chinese."""
    if lang != "zh":
        return table
    shown = table.drop(columns=["pairing_id"], errors="ignore")
    if "help_through" in shown:
        zh_of = {en: zh for en, zh in zip(places["name_en"].astype(str), places["name_zh"].astype(str)) if zh and zh != "nan"}
        shown = shown.assign(help_through=[names_in(v, lang, zh_of) for v in shown["help_through"]])
    return shown
