"""The flows page's numbers: aggregated arcs between places, place totals, the records' table.

Everything a map needs is aggregated here before it is drawn (components/decks.py draws it). The
number of arcs grows with the number of (origin, destination, category) pairs, not with the number
of records, and the map draws at most MAX_ARCS of them (those with the most records; the legend
still counts all). Points are bounded by the number of places and carry at most a few record
references each. So what a map costs the browser does not grow with the records.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from . import engine
from .filters import Filters
from .overview import summary
from .package import Package
from .records import SCREEN_ROWS, Data
from .vocab import MASKS, PHYSICAL_UNITS, PROMISED

MAX_ARCS = 300
LEVELS = ("region", "place")


@dataclass(frozen=True)
class FlowMap:
    flows: pd.DataFrame      # the arcs drawn: aggregated, with coordinates and names, at most MAX_ARCS
    totals: pd.DataFrame     # per place or region: quantity given and received per category and unit
    coords: pd.DataFrame     # key, names, lat, lon, admin1, country of every place or region at this level
    records_by_key: dict     # a few record references per place or region
    unmapped: int            # records with an end that has no location at this level
    qmax: float              # the width scale's largest quantity
    legend: pd.DataFrame     # quantity and records per direction, category and unit, over every arc (drawn or not)
    arcs_total: int          # arcs before the cap
    place_max: float = 0.0   # the circle scale's largest place total (physical items given + received); 0: these records'

    @property
    def capped(self) -> bool:
        return self.arcs_total > len(self.flows)


@dataclass(frozen=True)
class FlowsView:
    map: FlowMap         # what was given (atlas.engine: pledges are never drawn as given)
    summary: dict
    table: pd.DataFrame  # the first SCREEN_ROWS rows of the records' table (pledges included, marked by status)
    rows: int            # all of its rows
    promised: pd.DataFrame = None  # the records' table of the pledged and committed records, listed apart


def view(data: Data, filters: Filters, level: str = "region") -> FlowsView | None:
    """The flows page for `filters` at `level`, or None when no record matches.

    Widths and circles use one scale for the whole dataset (`dataset_scale`), so that a line or a circle
    means the same quantity in every filter."""
    if data.frame is not None:
        return _view_columnar(data, filters, level)
    records = engine.select(data, filters, promised=True)
    if records.empty:
        return None
    given = records[engine.counted_mask(records)]
    return FlowsView(flow_map(given, data.package, level, scale=dataset_scale(data)), text_summary(records),
                     flow_table(records, SCREEN_ROWS), len(records), flow_table(engine.promised_rows(records)))


_SCALES: dict[int, tuple[object, tuple[float, float]]] = {}


def dataset_scale(data: Data) -> tuple[float, float]:
    """(largest flow, largest place total) of physical items over every record, at the province/state level,
    where both are largest (a place's flows add up into its region's): the fixed scale of every map."""
    if "scale" in data.derived:  # computed when the package was loaded (`atlas.records.derive`)
        return tuple(data.derived["scale"])
    hit = _SCALES.get(id(data.records))
    if hit is not None and hit[0] is data.records:
        return hit[1]
    records = data.records
    if data.frame is not None:
        cats = _categories(records)
        scale = (width_scale(_aggregate_flows(data.frame, "region", cats)),
                 place_scale(_place_totals(data.frame, "region", cats)))
    else:
        scale = (width_scale(aggregate_flows(records, "region")), place_scale(place_totals(records, "region")))
    _SCALES.clear()  # one package at a time: a reloaded package replaces the old entry
    _SCALES[id(records)] = (records, scale)
    return scale


def place_scale(totals: pd.DataFrame) -> float:
    """Largest physical quantity a place gave and received together (it gets the largest circle)."""
    size = totals[totals["unit"].isin(PHYSICAL_UNITS)].groupby("key")["quantity"].sum()
    return float(size.max()) if len(size) and size.max() > 0 else 1.0


def records_table(data: Data, filters: Filters) -> pd.DataFrame:
    """Every record behind the flows page for `filters`: the CSV export."""
    if data.frame is not None:
        return flow_table(data.records.iloc[engine.select(data, filters, promised=True)["row"].to_numpy()])
    return flow_table(engine.select(data, filters, promised=True))


def aggregate_flows(records: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """One row per origin, destination, category and unit: the arcs of the flow map.

    level="region": ends are provinces/states (records of places without one are left out);
    level="place": ends are the places themselves (places without coordinates are left out).
    """
    cols = ["direction", "category", "unit", "quantity", "quantity_missing", "record_no"]
    if level == "region":
        keys = {"from": "from_admin1", "to": "to_admin1"}
        r = records[cols + list(keys.values())]
        r = r[(records["from_admin1"] != "") & (records["to_admin1"] != "")]
    else:
        keys = {"from": "from_id", "to": "to_id"}
        r = records[cols + list(keys.values())]
        r = r[records["from_lat"].notna() & records["to_lat"].notna()]
    g = (r.groupby([keys["from"], keys["to"], "direction", "category", "unit"], observed=True)
         .agg(quantity=("quantity", "sum"), known=("quantity", "count"), records=("record_no", "nunique"),
              undisclosed=("quantity_missing", "sum"))
         .reset_index().rename(columns={keys["from"]: "from_key", keys["to"]: "to_key"}))
    g = engine.stated(g)
    return g[g["records"] > 0].reset_index(drop=True)


def unmapped(records: pd.DataFrame, level: str) -> pd.DataFrame:
    """Records the map cannot draw at this level (an end without a location)."""
    if level == "region":
        m = (records["from_admin1"] == "") | (records["to_admin1"] == "")
    else:
        m = records["from_lat"].isna() | records["to_lat"].isna()
    return records[m]


def place_totals(records: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """Per place (or region): quantity given and received per category and unit, and records."""
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    parts = []
    for key, role in zip(keys, ("gave", "received")):
        g = (records.groupby([key, "category", "unit"], observed=True)
             .agg(quantity=("quantity", "sum"), known=("quantity", "count"), records=("record_no", "nunique")).reset_index()
             .rename(columns={key: "key"}))
        g = engine.stated(g)
        g["role"] = role
        parts.append(g[g["records"] > 0])
    out = pd.concat(parts, ignore_index=True)
    return out[out["key"] != ""]


def coordinates(pkg: Package, level: str) -> pd.DataFrame:
    table, key = (pkg.regions, "admin1") if level == "region" else (pkg.places, "place_id")
    return pd.DataFrame({"key": table[key], "name_en": table["name_en"], "name_zh": table["name_zh"], "lat": table["lat"],
                         "lon": table["lon"], "admin1": table["admin1"], "country": table["country"]})


def ends(flows: pd.DataFrame, coords: pd.DataFrame) -> pd.DataFrame:
    """Attach coordinates and bilingual names to both ends of each aggregated flow (flows without both are left out)."""
    c = coords.set_index("key")
    out = flows.copy()
    for end in ("from", "to"):
        m = c.reindex(out[f"{end}_key"])
        out[f"{end}_lat"] = m["lat"].to_numpy(dtype=float)
        out[f"{end}_lon"] = m["lon"].to_numpy(dtype=float)
        out[f"{end}_name_en"] = m["name_en"].to_numpy()
        out[f"{end}_name_zh"] = m["name_zh"].to_numpy()
        out[f"{end}_admin1"] = m["admin1"].to_numpy()
    return out.dropna(subset=["from_lat", "to_lat"])


def records_by_key(records: pd.DataFrame, level: str, limit: int = 9) -> dict[str, list[str]]:
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    # Each end is a property of the record, so its first row stands for it; a record's rows are
    # usually adjacent, which makes this a cheap first cut before the exact de-duplication.
    no = records["record_no"].to_numpy()
    records = records[["record_no", "source_ref", *keys]]
    first = records[np.r_[True, no[1:] != no[:-1]]] if len(no) else records
    out: dict[str, list[str]] = {}
    for key in keys:
        head = first.drop_duplicates(["record_no", key]).groupby(key, observed=True).head(limit)
        for k, ref in zip(head[key], head["source_ref"]):
            if k:
                out.setdefault(k, [])
                if ref not in out[k] and len(out[k]) < limit:
                    out[k].append(ref if len(ref) < 40 else ref[:37] + "…")
    return out


def top_arcs(flows: pd.DataFrame, limit: int = MAX_ARCS) -> pd.DataFrame:
    """The `limit` arcs with the most records (then the largest quantity), in a stable order."""
    if len(flows) <= limit:
        return flows
    ranked = flows.sort_values(["records", "quantity"], ascending=False, kind="stable", na_position="last")
    return ranked.head(limit).sort_index()


def width_scale(flows: pd.DataFrame) -> float:
    """Largest physical quantity on the map (pieces, items, pairs): it gets the widest arc."""
    q = flows.loc[flows["unit"].isin(PHYSICAL_UNITS), "quantity"]
    return float(q.max()) if len(q) and pd.notna(q.max()) and q.max() > 0 else 1.0


def legend(flows: pd.DataFrame) -> pd.DataFrame:
    """What the arcs carry per direction, category and unit: the two directions are never summed together."""
    return (flows.groupby(["direction", "category", "unit"], observed=True)
            .agg(quantity=("quantity", lambda q: q.sum(min_count=1)), records=("records", "sum")).reset_index())


def flow_map(records: pd.DataFrame, pkg: Package, level: str, max_arcs: int = MAX_ARCS,
             scale: tuple[float, float] | None = None) -> FlowMap:
    """The map of `records`; `scale` (largest flow, largest place total) fixes widths and circles, by
    default those of these records."""
    coords = coordinates(pkg, level)
    flows = ends(aggregate_flows(records, level), coords)
    shown = top_arcs(flows, max_arcs)
    totals = place_totals(records, level)
    qmax, place_max = scale if scale is not None else (width_scale(flows), place_scale(totals))
    return FlowMap(shown.reset_index(drop=True), totals, coords, records_by_key(records, level),
                   int(unmapped(records, level)["record_no"].nunique()), qmax, legend(flows), len(flows), place_max)


TOP_FLOWS = 10


def top_flows(flows: pd.DataFrame, limit: int = TOP_FLOWS) -> pd.DataFrame:
    """The largest flows, giver -> receiver: counted things (pieces, items, pairs) by quantity first, then
    money and messages by records; one row per giver, receiver, category and unit, with its direction."""
    if flows.empty:
        return flows.assign(rank=pd.Series(dtype=int))
    f = flows.assign(_physical=flows["unit"].isin(PHYSICAL_UNITS).astype(int), _q=flows["quantity"].fillna(-1))
    ranked = f.sort_values(["_physical", "_q", "records", "from_key", "to_key", "category"],
                           ascending=[False, False, False, True, True, True], kind="stable").head(limit)
    ranked = ranked.drop(columns=["_physical", "_q"]).reset_index(drop=True)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked


SANKEY_MEASURES = ("masks", "items", "records")
NOT_STATED = ""  # the admin-1 code of an end whose province or state the sources do not state


def sankey_links(records: pd.DataFrame, measure: str = "masks") -> pd.DataFrame:
    """Chinese provinces -> US states, one link per province, state and direction, whichever way help went.

    measure "masks": mask pieces; "items": every counted thing (pieces, items and pairs together);
    "records": donation records and messages. Ends whose province or state is not stated keep
    `NOT_STATED` as code, so the links add up to the records' own totals."""
    if measure not in SANKEY_MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    r = records[["record_no", "direction", "cn_admin1", "us_admin1", "category", "unit", "quantity"]]
    if measure == "masks":
        r = r[r["category"].isin(MASKS) & (r["unit"] == "pieces")]
    elif measure == "items":
        r = r[r["unit"].isin(PHYSICAL_UNITS)]
    r = r.assign(cn_admin1=r["cn_admin1"].astype(str).replace("nan", NOT_STATED),
                 us_admin1=r["us_admin1"].astype(str).replace("nan", NOT_STATED), direction=r["direction"].astype(str))
    keys = ["cn_admin1", "us_admin1", "direction"]
    if measure == "records":
        g = r.groupby(keys)["record_no"].nunique().rename("value")
    else:
        g = r.groupby(keys)["quantity"].sum(min_count=1).rename("value")
    out = g.reset_index()
    out = out[out["value"].notna() & (out["value"] > 0)]
    return out.sort_values(["value", "cn_admin1", "us_admin1"], ascending=[False, True, True]).reset_index(drop=True)


def measure_total(records: pd.DataFrame, measure: str) -> float:
    """What the records' table adds up to for `measure` (the Sankey's links must sum to it)."""
    if measure == "records":
        return float(records["record_no"].nunique()) if len(records) else 0.0
    if measure == "masks":
        r = records[records["category"].isin(MASKS) & (records["unit"] == "pieces")]
    else:
        r = records[records["unit"].isin(PHYSICAL_UNITS)]
    return float(r["quantity"].sum())


def flow_table(records: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The records behind the map, one row per item line or message: what the CSV export holds.

    With `limit`, only the first rows (what a screen shows), built without touching the rest."""
    if limit is not None:
        records = records.head(limit)
    cols = ["record_id", "direction", "from_name_en", "from_name_zh", "from_admin1", "to_name_en", "to_name_zh", "to_admin1",
            "category", "quantity", "unit", "item_as_printed", "from_as_printed", "to_as_printed", "as_of", "status",
            "doubtful", "correction_note", "source_id", "source_ref"]
    out = records[cols].copy()
    for c in out.columns:  # categories as text (missing values stay missing): a few rows, not the whole dictionary
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    return out.reset_index(drop=True)


def text_summary(records: pd.DataFrame) -> dict:
    s = summary(records)
    records = records[["direction", "from_id", "to_id"]]
    s["places_cn"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "from_id"],
                                    records.loc[records["direction"] == "us_to_cn", "to_id"]]).nunique())
    s["places_us"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "to_id"],
                                    records.loc[records["direction"] == "us_to_cn", "from_id"]]).nunique())
    return s


def sankey_view(data: Data, filters: Filters, measure: str = "masks") -> pd.DataFrame:
    """The Sankey's links for `filters` (see `sankey_links`)."""
    if data.frame is not None:
        # only the columns the links use are gathered for the kept rows (a filtered copy of all of them is not)
        used = ["record_no", "quantity", "category", "unit", "cn_admin1", "us_admin1", "direction"]
        return _sankey_links(engine.select(data, filters).select(used), measure)
    return sankey_links(engine.select(data, filters), measure)


# --- the same numbers from the columnar records (polars) -------------------------------------------
# Chosen over DuckDB by a benchmark on 1,000,000 donations (1.44 M records; flows aggregation, first call,
# wall / CPU seconds on a busy 2-core machine): pandas none 1.00 / 0.61, Fujian 0.46 / 0.33, California
# 0.56 / 0.24; polars Fujian 0.078 / 0.069, California 0.120 / 0.127; DuckDB none 1.34 / 1.35, Fujian
# 0.077 / 0.077, California 0.166 / 0.157. Polars is as fast as DuckDB filtered, faster unfiltered on a
# quiet machine (0.45 s in ../shared/STACK.md), and its frames keep the shape of the pandas code they mirror.
# Each function returns exactly what its pandas twin above returns (tests/test_columnar.py compares them).

_KEYS = ("direction", "category", "unit", "from_admin1", "to_admin1", "from_id", "to_id", "cn_admin1", "us_admin1")


def _categories(records: pd.DataFrame) -> dict[str, pd.Index]:
    return {c: records[c].cat.categories for c in _KEYS}


def _rows(frame: pl.DataFrame) -> np.ndarray:
    return frame["row"].to_numpy()


def _as_pandas(out: pl.DataFrame, cats: dict[str, pd.Index], columns: dict[str, str]) -> pd.DataFrame:
    """A polars result as the pandas twin gives it: group keys as the records' categories, in their order."""
    df = out.to_pandas()
    for col, source in columns.items():
        df[col] = pd.Categorical(df[col].astype(object), categories=cats[source])
    return df


def _grouped(lazy: pl.LazyFrame, keys: list[str], cats: dict[str, pd.Index], **aggs) -> pd.DataFrame:
    """`lazy` grouped by categorical `keys` (rows with a missing key left out, as pandas' groupby does), in the
    order of the keys' categories, as pandas with the records' categories."""
    g = (lazy.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys)).group_by(keys).agg(**aggs)
         .sort([pl.col(k).cast(pl.String) for k in keys]).collect())
    return _as_pandas(g, cats, {k: k for k in keys})


def _aggregate_flows(frame: pl.DataFrame, level: str, cats: dict[str, pd.Index]) -> pd.DataFrame:
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    group = [*keys, "direction", "category", "unit"]
    # Lazy: the filters and the grouping run as one query over the columns used, without a filtered copy of them
    # (eagerly, the two filters copied ten columns of a million rows: a 290 MB peak).
    r = frame.lazy().select(*group, "from_lat", "to_lat", "quantity", "record_no", "quantity_missing")
    if level == "region":
        r = r.filter((pl.col("from_admin1") != "") & (pl.col("to_admin1") != ""))
    else:
        r = r.filter(pl.col("from_lat").is_not_null() & pl.col("to_lat").is_not_null()
                     & pl.col("from_lat").is_not_nan() & pl.col("to_lat").is_not_nan())
    df = _grouped(r, group, cats, quantity=pl.col("quantity").sum(), known=pl.col("quantity").count(),
                  records=pl.col("record_no").n_unique().cast(pl.Int64),
                  undisclosed=pl.col("quantity_missing").sum().cast(pl.Int64))
    df = df[df["records"] > 0]
    df["quantity"] = df["quantity"].astype("Float64")
    df = engine.stated(df)
    return df.rename(columns={keys[0]: "from_key", keys[1]: "to_key"}).reset_index(drop=True)


def _place_totals(frame: pl.DataFrame, level: str, cats: dict[str, pd.Index]) -> pd.DataFrame:
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    parts = []
    for key, role in zip(keys, ("gave", "received")):
        group = [key, "category", "unit"]
        g = _grouped(frame.lazy().select(*group, "quantity", "record_no"), group, cats,
                     quantity=pl.col("quantity").sum(), known=pl.col("quantity").count(),
                     records=pl.col("record_no").n_unique().cast(pl.Int64))
        g["quantity"] = g["quantity"].astype("Float64")
        g = engine.stated(g)
        g = g.rename(columns={key: "key"})
        g["role"] = role
        parts.append(g[g["records"] > 0])
    out = pd.concat(parts, ignore_index=True)
    return out[out["key"] != ""]


def _records_by_key(frame: pl.DataFrame, level: str, limit: int = 9) -> dict[str, list[str]]:
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    # The first row of each record (its rows are adjacent) with its position; the source references are taken for
    # the few rows kept at the end, not copied for every record.
    first = frame.lazy().with_row_index("_i").select("_i", "record_no", *keys).filter(
        pl.col("record_no") != pl.col("record_no").shift(1, fill_value=-1))
    out: dict[str, list[str]] = {}
    for key in keys:
        rows = first.select("_i", "record_no", key).filter(pl.col(key).is_not_null())
        # The first rows of each key are nearly always distinct records: de-duplicate a few candidates per key
        # (exact unless a key's candidates hold fewer than `limit` records while it has more rows). Taken by
        # group_by().head, not by a window over every row: at a million records that held 140 MB.
        distinct = (rows.group_by(key, maintain_order=True).head(4 * limit)
                    .unique(["record_no", key], keep="first", maintain_order=True).collect())
        short = distinct.group_by(key).len().filter(pl.col("len") < limit)[key]
        if short.len() and rows.filter(pl.col(key).is_in(short.implode())).group_by(key).len() \
                .filter(pl.col("len") > 4 * limit).collect().height:
            distinct = rows.unique(["record_no", key], keep="first", maintain_order=True).collect()
        head = distinct.group_by(key, maintain_order=True).head(limit)
        refs = frame["source_ref"].gather(head["_i"])
        for k, ref in zip(head[key].cast(pl.String).to_list(), refs.to_list()):
            if k:
                out.setdefault(k, [])
                if ref not in out[k] and len(out[k]) < limit:
                    out[k].append(ref if len(ref) < 40 else ref[:37] + "…")
    return out


def _unmapped(frame: pl.DataFrame, level: str) -> int:
    if level == "region":
        m = (pl.col("from_admin1") == "").fill_null(False) | (pl.col("to_admin1") == "").fill_null(False)
    else:
        m = (pl.col("from_lat").is_null() | pl.col("from_lat").is_nan() | pl.col("to_lat").is_null() | pl.col("to_lat").is_nan())
    return int(frame.select(pl.col("record_no").filter(m).n_unique()).item())


def _text_summary(frame: pl.DataFrame) -> dict:
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


def _sankey_links(frame: pl.DataFrame, measure: str) -> pd.DataFrame:
    if measure not in SANKEY_MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    # Filtered and grouped on the categoricals themselves, cast to text only once grouped: a cast of the million
    # rows' ends to text took 0.3 s and half a gigabyte.
    keys = ["cn_admin1", "us_admin1", "direction"]
    r = frame.select("record_no", "quantity", "category", "unit", *keys)
    if measure == "masks":
        r = r.filter(pl.col("category").is_in(list(MASKS)) & (pl.col("unit") == "pieces"))
    elif measure == "items":
        r = r.filter(pl.col("unit").is_in(list(PHYSICAL_UNITS)))
    labels = {"cn_admin1": NOT_STATED, "us_admin1": NOT_STATED, "direction": "nan"}  # what a missing end is called
    fill = [pl.col(c).cast(pl.String).fill_null(text) for c, text in labels.items()]
    if measure == "records":
        value = pl.col("record_no").n_unique().cast(pl.Int64)
    else:
        value = pl.when(pl.col("quantity").is_not_null().any()).then(pl.col("quantity").sum())
    # Grouped on the codes and the few groups named after (naming the missing ends of every row first held 120 MB
    # more and took 3 times as long at a million records). A missing end and an end whose code is the missing ends'
    # name (NOT_STATED is "", a place with no province) are one group: sums are summed again by name; a count of
    # distinct records is not a sum, so there the missing ends are named first when any end has that code.
    g = r.lazy().group_by(keys).agg(value=value).with_columns(fill)
    if measure != "records":
        g = g.group_by(keys).agg(value=pl.when(pl.col("value").is_not_null().any()).then(pl.col("value").sum())).collect()
    elif r.select(pl.any_horizontal((pl.col(c) == text).any() for c, text in labels.items())).item():
        g = r.with_columns(pl.col(c).fill_null(pl.lit(text).cast(frame.schema[c])) for c, text in labels.items()) \
            .group_by(keys).agg(value=value).with_columns(pl.col(c).cast(pl.String) for c in keys)
    else:
        g = g.collect()
    g = g.filter(pl.col("value").is_not_null() & (pl.col("value") > 0))
    g = g.sort(["value", "cn_admin1", "us_admin1", "direction"], descending=[True, False, False, False])
    out = g.to_pandas()
    for c in keys:
        out[c] = out[c].astype(str)
    if measure != "records":
        out["value"] = out["value"].astype("Float64")
    return out.reset_index(drop=True)


def _view_columnar(data: Data, filters: Filters, level: str) -> FlowsView | None:
    frame = engine.select(data, filters, promised=True)
    if frame.height == 0:
        return None
    given = frame.filter(engine.counted_expr())
    cats = _categories(data.records)
    coords = coordinates(data.package, level)
    flows = ends(_aggregate_flows(given, level, cats), coords)
    totals = _place_totals(given, level, cats)
    qmax, place_max = dataset_scale(data)
    fmap = FlowMap(top_arcs(flows).reset_index(drop=True), totals, coords, _records_by_key(given, level),
                   _unmapped(given, level), qmax, legend(flows), len(flows), place_max)
    head = data.records.iloc[_rows(frame.head(SCREEN_ROWS))]
    promised = data.records.iloc[_rows(engine.promised_rows(frame))]
    return FlowsView(fmap, _text_summary(frame), flow_table(head), frame.height, flow_table(promised))
