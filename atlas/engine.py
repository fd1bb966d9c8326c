"""The counting rules, once: what counts as given, which records a date range holds, what it leaves aside.

Every view takes its records from `select`, so a rule changed here changes every number on every page, chart,
map, list and address:

- **Given, not promised.** A pledged or committed donation (`atlas.vocab.PROMISED`) is never inside a measure of
  what was given: `select(..., promised=False)` (the default) leaves it out; views that list records (tables, the
  headline's "pledged" counts) ask for `promised=True` and show the status beside each row.
- **Date ranges** (`atlas.filters.in_range`): a record counts in a range only if every month it can have happened
  in lies inside it; what a range leaves out but may hold (`aside`) is reported beside the figures, never dropped
  or counted silently.
- **Unknown amounts** stay unknown (`stated`): a group no row of which states a quantity has none, never 0.
- **Directions** are never summed together: every measure is kept per direction by the views.

Both record engines (the polars frame of production and the pandas records) go through here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from .filters import Filters, kept, match, may_be_in_range, only, FIELDS
from .records import Data
from .vocab import MASKS, PROMISED


def counted_expr() -> pl.Expr:
    """Rows of what was given (not pledged or committed), as a polars expression."""
    return ~pl.col("status").is_in(list(PROMISED)).fill_null(False)


def counted_mask(records: pd.DataFrame) -> np.ndarray:
    return ~records["status"].isin(PROMISED).to_numpy(dtype=bool)


def select(data: Data, filters: Filters, promised: bool = False) -> Any:
    """The records `filters` keep: the polars frame when the data has one, else the pandas records. Promised
    records (pledged, committed) only with `promised`."""
    if data.frame is not None:
        frame = kept(data.frame, filters)
        return frame if promised else frame.filter(counted_expr())
    records = match(data.records, filters)
    return records if promised else records[counted_mask(records)]


def stated(grouped: pd.DataFrame) -> pd.DataFrame:
    """The rule for unknown amounts: a grouped table's quantity missing where no row of the group states one (an amount the sources do not give is
    unknown, never 0); its `known` count of stated rows dropped."""
    known = grouped.pop("known").to_numpy()
    grouped["quantity"] = grouped["quantity"].astype("Float64").mask(known == 0)
    return grouped


def promised_rows(records: Any) -> Any:
    """The promised records among selected ones (polars or pandas)."""
    if isinstance(records, pl.DataFrame):
        return records.filter(~counted_expr())
    return records[~counted_mask(records)]


@dataclass(frozen=True)
class Aside:
    """What a date range leaves out but may hold: records whose months, as far as the sources date them, overlap
    the range without lying inside it (given only by the list that names them, dated to a coarser period, or not
    dated at all), with what they gave. Promised records are not among them (they are never counted)."""
    records: int
    listed: int                       # of them, dated only by a list
    list_dates: tuple[str, ...]       # the lists' dates (YYYY-MM-DD)
    undated: int                      # with no date at all (Table 2's messages)
    coarse: int                       # dated to a period that overlaps the range (a year for a month)
    masks: dict = field(default_factory=dict)   # direction -> masks (pieces), never summed together


def aside(data: Data, filters: Filters) -> Aside | None:
    """`Aside` of the records the other filters keep, for the filters' date range; None without a range or when
    nothing is left aside."""
    span = (filters.date_from, filters.date_to)
    if not any(span):
        return None
    others = only(filters, [f.name for f in FIELDS if f.is_filter and f.name != "dates"])
    if data.frame is not None:
        possible = may_be_in_range(span, pl.col, lambda e, op, v: getattr(e, op)(v).fill_null(False),
                                   lambda e: e.is_null(), pl.lit(True))
        rows = select(data, others).filter(possible)
        if rows.height == 0:
            return None
        table = data.records.iloc[rows["row"].to_numpy()]
    else:
        records = select(data, others)
        possible = may_be_in_range(span, lambda c: records[c],
                                   lambda s, op, v: getattr(s, op)(v).fillna(False).to_numpy(),
                                   lambda s: s.isna().to_numpy(), np.ones(len(records), dtype=bool))
        table = records[possible]
        if table.empty:
            return None
    first = table.drop_duplicates("record_no")
    kind = first["date_kind"].astype(str)
    masks = table[table["category"].isin(MASKS) & (table["unit"] == "pieces")]
    by_direction = masks.groupby(masks["direction"].astype(str))["quantity"].sum()
    return Aside(records=int(len(first)), listed=int((kind == "listed").sum()),
                 list_dates=tuple(sorted(set(first.loc[kind == "listed", "as_of"].astype(str)))),
                 undated=int((kind == "").sum()), coarse=int((kind == "event").sum()),
                 masks={d: int(v) for d, v in by_direction.items() if v})


def aside_words(a: Aside | None, lang: str) -> str:
    """The sentence that stands beside every figure a date range changes (plain text); empty without one."""
    if a is None:
        return ""
    from .i18n import fmt_number, label, t
    sep = t("list.separator", lang)
    parts = [t(key, lang, n=fmt_number(n, lang), dates=", ".join(a.list_dates))
             for key, n in (("aside.listed", a.listed), ("aside.coarse", a.coarse), ("aside.undated", a.undated)) if n]
    masks = sep.join(t("aside.masks", lang, masks=fmt_number(v, lang), direction=label("direction", d, lang))
                     for d, v in sorted(a.masks.items())) or t("aside.no_masks", lang)
    return t("aside.note", lang, records=fmt_number(a.records, lang), parts=sep.join(parts), masks=masks)


def promised_words(table: pd.DataFrame, lang: str) -> str:
    """The promised records of a records' table (`atlas.flows.flow_table`) in one sentence, each with its giver,
    receiver, items, status and source: listed apart from what was given, never summed in."""
    from .i18n import label, md, source_ref, t
    rows = []
    for _, r in table.drop_duplicates("record_id").iterrows():
        name = lambda end: (r[f"{end}_name_zh"] if lang == "zh" and r[f"{end}_name_zh"] else r[f"{end}_name_en"])
        items = "; ".join(table.loc[table["record_id"] == r["record_id"], "item_as_printed"].astype(str))
        rows.append(t("flows.promised_row", lang, giver=md(name("from")), receiver=md(name("to")), items=md(items),
                      status=label("status", r["status"], lang), ref=md(source_ref(r["source_ref"], lang))))
    return t("flows.promised", lang, rows=t("list.separator", lang).join(rows)) if rows else ""
