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

One engine: the records' polars frame (`frame_of`). pandas holds the records' text (a screen of the table, an
export) and the tables plotly draws, never a second count: a function given pandas records (`summary`,
`aggregate_flows`, `place_totals`) counts them through their polars frame.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import polars as pl

import pyarrow as pa

from .filters import FIELDS, Filters, kept, may_be_in_range, only
from .i18n import fmt_number, label, md, source_ref, t
from .vocab import MASKS, ON_RECORD, PHYSICAL_UNITS, PROMISED

if TYPE_CHECKING:  # the engine reads what atlas.records loads, and the loader asks the engine for the map's scale
    from .records import Data


def counted_expr() -> pl.Expr:
    """Rows of what was given (not pledged or committed), as a polars expression."""
    return ~pl.col("status").is_in(list(PROMISED)).fill_null(False)


# The columns the engine filters and aggregates; `row` is the record's position in `Data.records`, through which a
# few rows of text (a screen of the table, an export) are taken from pandas.
FRAME_COLUMNS = ("record_kind", "record_no", "direction", "category", "unit", "quantity", "quantity_missing", "status",
                 "from_id", "to_id", "from_kind", "to_kind", "from_admin1", "to_admin1", "from_lat", "to_lat",
                 "cn_admin1", "us_admin1", "date_start", "date_end", "source_ref")
FRAME_TEXT = ("status", "date_start", "date_end", "source_ref")


def frame_of(records: pd.DataFrame) -> pl.DataFrame:
    """The records' columns that the engine filters and aggregates, as a polars frame with their `row`."""
    # Through an Arrow table: the same frame as `pl.from_pandas`, which at a million records kept 360 MB where
    # this keeps 175 (the text columns were converted twice).
    frame = pl.from_arrow(pa.Table.from_pandas(records[list(FRAME_COLUMNS)], preserve_index=False))
    # Text the engine matches as text (a status, a source reference) is text there, whether or not pandas holds it as
    # a category (`atlas.package.as_category`): the same frame from any package.
    text = [pl.col(c).cast(pl.String) for c in FRAME_TEXT if frame.schema[c] != pl.String]
    return frame.with_columns(*text, pl.int_range(pl.len(), dtype=pl.Int32).alias("row"))


def select(data: Data, filters: Filters, promised: bool = False) -> pl.DataFrame:
    """The records `filters` keep (the polars frame). Promised records (pledged, committed) only with `promised`."""
    frame = kept(data.frame, filters)
    return frame if promised else frame.filter(counted_expr())


def rows(frame: pl.DataFrame) -> np.ndarray:
    """The positions in `Data.records` of a selection's rows (to take their text from pandas)."""
    return frame["row"].to_numpy()


def given_records(data: Data, filters: Filters | None = None) -> pd.DataFrame:
    """The pandas records of what was given (not promised) that `filters` keep: for views that read their text."""
    return data.records.iloc[rows(select(data, filters or Filters()))]


def stated(grouped: pd.DataFrame) -> pd.DataFrame:
    """The rule for unknown amounts: a grouped table's quantity missing where no row of the group states one (an amount the sources do not give is
    unknown, never 0); its `known` count of stated rows dropped."""
    known = grouped.pop("known").to_numpy()
    grouped["quantity"] = grouped["quantity"].astype("Float64").mask(known == 0)
    return grouped


def masks_by_giver(data: Data, filters: Filters) -> dict[tuple[str, str], int]:
    """Masks given (pieces), by direction and the kind of the giver (government, foundation_ngo, company,
    university, individuals): so that what governments gave is never told as what a province gave."""
    c = pl.col
    g = (select(data, filters).lazy().filter(c("category").is_in(list(MASKS)) & (c("unit") == "pieces"))
         .group_by(c("direction").cast(pl.String), c("from_kind").cast(pl.String)).agg(c("quantity").sum()).collect())
    return {(d, k or ""): int(q) for d, k, q in g.iter_rows() if q}


def promised_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The promised records among selected ones."""
    return frame.filter(~counted_expr())


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
    possible = may_be_in_range(span, pl.col, lambda e, op, v: getattr(e, op)(v).fill_null(False),
                               lambda e: e.is_null(), pl.lit(True))
    found = select(data, others).filter(possible)
    if found.height == 0:
        return None
    table = data.records.iloc[rows(found)]
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
    sep = t("list.separator", lang)
    parts = [t(key, lang, n=fmt_number(n, lang), dates=", ".join(a.list_dates))
             for key, n in (("aside.listed", a.listed), ("aside.coarse", a.coarse), ("aside.undated", a.undated)) if n]
    masks = sep.join(t("aside.masks", lang, masks=fmt_number(v, lang), direction=label("direction", d, lang))
                     for d, v in sorted(a.masks.items())) or t("aside.no_masks", lang)
    return t("aside.note", lang, records=fmt_number(a.records, lang), parts=sep.join(parts), masks=masks)


def promised_words(table: pd.DataFrame, lang: str) -> str:
    """The promised records of a records' table (`atlas.flows.flow_table`) in one sentence, each with its giver,
    receiver, items, status and source: listed apart from what was given, never summed in."""
    rows = []
    for _, r in table.drop_duplicates("record_id").iterrows():
        name = lambda end: (r[f"{end}_name_zh"] if lang == "zh" and r[f"{end}_name_zh"] else r[f"{end}_name_en"])
        items = "; ".join(table.loc[table["record_id"] == r["record_id"], "item_as_printed"].astype(str))
        rows.append(t("flows.promised_row", lang, giver=md(name("from")), receiver=md(name("to")), items=md(items),
                      status=label("status", r["status"], lang), ref=md(source_ref(r["source_ref"], lang))))
    return t("flows.promised", lang, rows=t("list.separator", lang).join(rows)) if rows else ""


def on_record(pkg) -> int:
    """Sister relationships on record in the package: stated in a source's text or listed, not inferred."""
    return int(pkg.pairings["evidence_level"].isin(ON_RECORD).sum())


# --- the aggregations every view is made of --------------------------------------------------------------------

def summary(records: pd.DataFrame) -> dict:
    """The headline counts of pandas records (`summary_frame`, counted through their polars frame), without the
    places each side (the overview's)."""
    return {k: v for k, v in summary_frame(frame_of(records)).items() if k not in ("places_cn", "places_us")}


def dataset_scale(data: Data) -> tuple[float, float]:
    """(largest flow, largest place total) of physical items over every record, at the province/state level,
    where both are largest (a place's flows add up into its region's): the fixed scale of every map."""
    if "scale" not in data.derived:  # computed when the package was loaded (`atlas.records.derive`), or now, once
        data.derived["scale"] = list(scale_of(data.records, data.frame))
    return tuple(data.derived["scale"])


def scale_of(records: pd.DataFrame, frame: pl.DataFrame) -> tuple[float, float]:
    """`dataset_scale` of the records (and their polars frame) of what was given."""
    cats = categories(records)
    given = frame.filter(counted_expr())
    return (width_scale(aggregate_flows_frame(given, "region", cats)),
            place_scale(place_totals_frame(given, "region", cats)))


def place_scale(totals: pd.DataFrame) -> float:
    """Largest physical quantity a place gave and received together (it gets the largest circle)."""
    size = totals[totals["unit"].isin(PHYSICAL_UNITS)].groupby("key")["quantity"].sum()
    return float(size.max()) if len(size) and size.max() > 0 else 1.0


def aggregate_flows(records: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """One row per origin, destination, category and unit: the arcs of the flow map (`aggregate_flows_frame` of
    pandas records).

    level="region": ends are provinces/states (records of places without one are left out);
    level="place": ends are the places themselves (places without coordinates are left out).
    """
    return aggregate_flows_frame(frame_of(records), level, categories(records))


def place_totals(records: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """Per place (or region): quantity given and received per category and unit, and records (`place_totals_frame`
    of pandas records)."""
    return place_totals_frame(frame_of(records), level, categories(records))


def width_scale(flows: pd.DataFrame) -> float:
    """Largest physical quantity on the map (pieces, items, pairs): it gets the widest arc."""
    q = flows.loc[flows["unit"].isin(PHYSICAL_UNITS), "quantity"]
    return float(q.max()) if len(q) and pd.notna(q.max()) and q.max() > 0 else 1.0


KEYS = ("direction", "category", "unit", "from_admin1", "to_admin1", "from_id", "to_id", "cn_admin1", "us_admin1")


def categories(records: pd.DataFrame) -> dict[str, pd.Index]:
    return {c: records[c].cat.categories for c in KEYS}


def as_pandas(out: pl.DataFrame, cats: dict[str, pd.Index], columns: dict[str, str]) -> pd.DataFrame:
    """A polars result as pandas for plotly and tables: group keys as the records' categories, in their order."""
    df = out.to_pandas()
    for col, source in columns.items():
        df[col] = pd.Categorical(df[col].astype(object), categories=cats[source])
    return df


def grouped(lazy: pl.LazyFrame, keys: list[str], cats: dict[str, pd.Index], **aggs) -> pd.DataFrame:
    """`lazy` grouped by categorical `keys` (rows with a missing key left out, as pandas' groupby does), in the
    order of the keys' categories, as pandas with the records' categories."""
    g = (lazy.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys)).group_by(keys).agg(**aggs)
         .sort([pl.col(k).cast(pl.String) for k in keys]).collect())
    return as_pandas(g, cats, {k: k for k in keys})


def aggregate_flows_frame(frame: pl.DataFrame, level: str, cats: dict[str, pd.Index]) -> pd.DataFrame:
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    group = [*keys, "direction", "category", "unit"]
    # Lazy: the filters and the grouping run as one query over the columns used, without a filtered copy of them
    # (eagerly, the two filters copied ten columns of a million rows: a 290 MB peak).
    r = frame.lazy().select(*dict.fromkeys([*group, "from_lat", "to_lat", "quantity", "record_no", "quantity_missing",
                                            "from_id", "from_kind"]))
    if level == "region":
        r = r.filter((pl.col("from_admin1") != "") & (pl.col("to_admin1") != ""))
    else:
        r = r.filter(pl.col("from_lat").is_not_null() & pl.col("to_lat").is_not_null()
                     & pl.col("from_lat").is_not_nan() & pl.col("to_lat").is_not_nan())
    giver = pl.when((pl.col("from_kind").cast(pl.String) != "government").fill_null(True) & pl.lit(level == "region")) \
        .then(pl.col("from_id").cast(pl.String))
    df = grouped(r, group, cats, quantity=pl.col("quantity").sum(), known=pl.col("quantity").count(),
                 records=pl.col("record_no").n_unique().cast(pl.Int64),
                 undisclosed=pl.col("quantity_missing").sum().cast(pl.Int64),
                 givers=giver.drop_nulls().filter(giver.drop_nulls() != "").unique().sort().str.join("; "))
    df = df[df["records"] > 0]
    df["quantity"] = df["quantity"].astype("Float64")
    df = stated(df)
    return df.rename(columns={keys[0]: "from_key", keys[1]: "to_key"}).reset_index(drop=True)


def place_totals_frame(frame: pl.DataFrame, level: str, cats: dict[str, pd.Index]) -> pd.DataFrame:
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    parts = []
    for key, role in zip(keys, ("gave", "received")):
        group = [key, "category", "unit"]
        g = grouped(frame.lazy().select(*group, "quantity", "record_no"), group, cats,
                     quantity=pl.col("quantity").sum(), known=pl.col("quantity").count(),
                     records=pl.col("record_no").n_unique().cast(pl.Int64))
        g["quantity"] = g["quantity"].astype("Float64")
        g = stated(g)
        g = g.rename(columns={key: "key"})
        g["role"] = role
        parts.append(g[g["records"] > 0])
    out = pd.concat(parts, ignore_index=True)
    return out[out["key"] != ""]


def summary_frame(frame: pl.DataFrame) -> dict:
    """`text_summary` (and so `overview.summary`) of the columnar records.

    Counted in one lazy pass with the conditions as filters on each count, so that no filtered copy of the records
    is made: at a million records the copies of the donations and masks took 0.35 s and a 340 MB peak."""
    c = pl.col  # categoricals compare with text directly (a cast to text would copy a million strings)
    don, msg = c("record_kind") == "donation", c("record_kind") == "message"
    masks = don & c("category").is_in(list(MASKS))
    pledged = c("status").is_in(list(PROMISED))
    cn, us = c("direction") == "cn_to_us", c("direction") == "us_to_cn"
    distinct = lambda mask: c("record_no").filter(mask).n_unique()
    lazy = frame.lazy()
    row = lazy.select(
        donations=distinct(don), donations_pledged=distinct(don & pledged), donations_cn_to_us=distinct(don & cn),
        donations_us_to_cn=distinct(don & us), recipients=c("to_id").filter(don).drop_nulls().n_unique(),
        donors=c("from_id").filter(don).drop_nulls().n_unique(), messages=distinct(msg),
        masks_cn_to_us=c("quantity").filter(masks & ~pledged & cn).sum(),
        masks_cn_to_us_government=c("quantity").filter(masks & ~pledged & cn & (c("from_kind") == "government")).sum(),
        masks_us_to_cn_government=c("quantity").filter(masks & ~pledged & us & (c("from_kind") == "government")).sum(),
        masks_us_to_cn=c("quantity").filter(masks & ~pledged & us).sum(),
        masks_cn_to_us_pledged=c("quantity").filter(masks & pledged & cn).sum(),
        masks_us_to_cn_pledged=c("quantity").filter(masks & pledged & us).sum(),
    ).collect().row(0, named=True)
    places = lambda cn_end, us_end: int(pl.concat([
        lazy.filter(cn).select(c(cn_end).alias("p")), lazy.filter(us).select(c(us_end).alias("p"))])
        .select(c("p").drop_nulls().n_unique()).collect().item())
    by_cat = {(d, k): v for d, k, v in lazy.filter(masks & ~pledged).group_by("direction", "category")
              .agg(c("quantity").sum()).with_columns(c("direction").cast(pl.String), c("category").cast(pl.String))
              .collect().iter_rows()}
    out = {k: int(v or 0) for k, v in row.items()}
    out["masks_by_category"] = {d: {k: int(v) for (d2, k), v in sorted(by_cat.items()) if d2 == d and v}
                                for d in ("cn_to_us", "us_to_cn") if sum(v or 0 for (d2, _), v in by_cat.items() if d2 == d)}
    out["places_cn"] = places("from_id", "to_id")
    out["places_us"] = places("to_id", "from_id")
    return out
