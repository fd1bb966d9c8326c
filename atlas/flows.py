"""The flows page's numbers: aggregated arcs between places, place totals, the records' table.

Everything a map needs is aggregated here before it is drawn (components/decks.py draws it). The
number of arcs grows with the number of (origin, destination, category) pairs, not with the number
of records, and the map draws at most MAX_ARCS of them (those with the most records; the legend
still counts all). Points are bounded by the number of places and carry at most a few record
references each. So what a map costs the browser does not grow with the records.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import polars as pl

from . import engine
from .engine import aggregate_flows, dataset_scale, place_scale, place_totals, summary, width_scale  # noqa: F401 - the page's names
from .filters import Filters
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
    # what was pledged or committed, giver -> receiver, as `flows` (never counted in it, nor in `totals` or `legend`):
    # the map draws it apart, dashed (atlas.engine's rule: a promise is shown beside what was given, never in it)
    promised: pd.DataFrame = field(default_factory=pd.DataFrame)

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
    frame = engine.select(data, filters, promised=True)
    if frame.height == 0:
        return None
    given, pledged = frame.filter(engine.counted_expr()), engine.promised_rows(frame)
    fmap = _flow_map(given, engine.categories(data.records), data.package, level, MAX_ARCS, dataset_scale(data), pledged)
    head = data.records.iloc[engine.rows(frame.head(SCREEN_ROWS))]
    promised = data.records.iloc[engine.rows(pledged)]
    return FlowsView(fmap, engine.summary_frame(frame), flow_table(head), frame.height, flow_table(promised))


def summary_words(s: dict, lang: str) -> str:
    """The flows page's sentence of its view (markdown): records, givers, recipients, messages, and the masks given
    each way, a direction never summed with the other (the page and the brief, components/brief.py, both say it)."""
    from .i18n import fmt_number, label, t
    masks = "".join(" " + t("flows.masks_direction", lang, direction=label("direction", d, lang), masks=t("list.separator", lang).join(
        f"{label('category', c, lang)} **{fmt_number(v, lang)}**" for c, v in by_cat.items()))
        for d, by_cat in s["masks_by_category"].items())
    return t("flows.summary", lang, **{k: fmt_number(s[k], lang) for k in ("donations", "recipients", "donors", "messages")}) \
        + masks


def records_table(data: Data, filters: Filters) -> pd.DataFrame:
    """Every record behind the flows page for `filters`: the CSV export."""
    return flow_table(data.records.iloc[engine.rows(engine.select(data, filters, promised=True))])


def coordinates(pkg: Package, level: str) -> pd.DataFrame:
    table, key = (pkg.regions, "admin1") if level == "region" else (pkg.places, "place_id")
    return pd.DataFrame({"key": table[key], "name_en": table["name_en"], "name_zh": table["name_zh"], "lat": table["lat"],
                         "lon": table["lon"], "admin1": table["admin1"], "country": table["country"]})


def attributed(flows: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Each aggregated flow with the names of who gave it where that was not the province's or state's government
    (`givers_en`, `givers_zh`; empty otherwise): "Fujian (Heren Charitable Foundation) -> Ohio", not "Fujian"."""
    names = places.set_index("place_id")
    out = flows.copy()
    for col, src in (("givers_en", "name_en"), ("givers_zh", "name_zh")):
        lookup = names[src].where(names[src] != "", names["name_en"]).to_dict()
        out[col] = [("、" if col.endswith("zh") else "; ").join(lookup.get(i, i) for i in g.split("; ")) if g else ""
                    for g in out["givers"]]
    return out


def giver_name(name: str, givers_en: str, givers_zh: str, lang: str) -> str:
    """A flow's giving end as a reader should quote it: the province or state, and who gave where that was not its
    government ("Fujian (Heren Charitable Foundation)"). Plain text."""
    givers = (givers_zh or givers_en) if lang == "zh" else givers_en
    return f"{name}（{givers}）" if givers and lang == "zh" else f"{name} ({givers})" if givers else name


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
    """A few source references per place or region (`_records_by_key` of pandas records)."""
    return _records_by_key(engine.frame_of(records), level, limit)


def top_arcs(flows: pd.DataFrame, limit: int = MAX_ARCS) -> pd.DataFrame:
    """The `limit` arcs with the most records (then the largest quantity), in a stable order."""
    if len(flows) <= limit:
        return flows
    ranked = flows.sort_values(["records", "quantity"], ascending=False, kind="stable", na_position="last")
    return ranked.head(limit).sort_index()


def legend(flows: pd.DataFrame) -> pd.DataFrame:
    """What the arcs carry per direction, category and unit: the two directions are never summed together."""
    return (flows.groupby(["direction", "category", "unit"], observed=True)
            .agg(quantity=("quantity", lambda q: q.sum(min_count=1)), records=("records", "sum")).reset_index())


def flow_map(records: pd.DataFrame, pkg: Package, level: str, max_arcs: int = MAX_ARCS,
             scale: tuple[float, float] | None = None) -> FlowMap:
    """The map of the given `records` (pandas, counted through their polars frame); `scale` (largest flow, largest
    place total) fixes widths and circles, by default those of these records."""
    return _flow_map(engine.frame_of(records), engine.categories(records), pkg, level, max_arcs, scale)


def _flow_map(given: pl.DataFrame, cats: dict, pkg: Package, level: str, max_arcs: int = MAX_ARCS,
              scale: tuple[float, float] | None = None, pledged: pl.DataFrame | None = None) -> FlowMap:
    """The map of what was given (`given`, the records' frame), and of what was promised (`pledged`) apart."""
    coords = coordinates(pkg, level)
    flows = attributed(ends(engine.aggregate_flows_frame(given, level, cats), coords), pkg.places)
    totals = engine.place_totals_frame(given, level, cats)
    qmax, place_max = scale if scale is not None else (width_scale(flows), place_scale(totals))
    promised = (attributed(ends(engine.aggregate_flows_frame(pledged, level, cats), coords), pkg.places)
                if pledged is not None and pledged.height else pd.DataFrame())
    return FlowMap(top_arcs(flows, max_arcs).reset_index(drop=True), totals, coords, _records_by_key(given, level),
                   _unmapped(given, level), qmax, legend(flows), len(flows), place_max, promised)


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
    """Chinese provinces -> US states, one link per province, state and direction, whichever way help went
    (`_sankey_links` of pandas records).

    measure "masks": mask pieces; "items": every counted thing (pieces, items and pairs together);
    "records": donation records and messages. Ends whose province or state is not stated keep
    `NOT_STATED` as code, so the links add up to the records' own totals."""
    return _sankey_links(engine.frame_of(records), measure)


def flow_table(records: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The records behind the map, one row per item line or message: what the CSV export holds.

    With `limit`, only the first rows (what a screen shows), built without touching the rest."""
    if limit is not None:
        records = records.head(limit)
    cols = ["record_id", "direction", "from_name_en", "from_name_zh", "from_admin1", "to_name_en", "to_name_zh", "to_admin1",
            "category", "quantity", "unit", "item_as_printed", "from_as_printed", "to_as_printed", "for_as_printed", "as_of", "status",
            "doubtful", "correction_note", "source_id", "source_ref"]
    out = records[cols].copy()
    for c in out.columns:  # categories as text (missing values stay missing): a few rows, not the whole dictionary
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    return out.reset_index(drop=True)


def text_summary(records: pd.DataFrame) -> dict:
    """The page's counts of pandas records, with the places each side (`atlas.engine.summary_frame`)."""
    return engine.summary_frame(engine.frame_of(records))


def sankey_view(data: Data, filters: Filters, measure: str = "masks") -> pd.DataFrame:
    """The Sankey's links for `filters` (see `sankey_links`)."""
    # only the columns the links use are gathered for the kept rows (a filtered copy of all of them is not)
    used = ["record_no", "quantity", "category", "unit", "cn_admin1", "us_admin1", "direction"]
    return _sankey_links(engine.select(data, filters).select(used), measure)


# --- counted in the records' polars frame (the one engine) -----------------------------------------
# Chosen over DuckDB by a benchmark on 1,000,000 donations (1.44 M records; flows aggregation, first call,
# wall / CPU seconds on a busy 2-core machine): pandas none 1.00 / 0.61, Fujian 0.46 / 0.33, California
# 0.56 / 0.24; polars Fujian 0.078 / 0.069, California 0.120 / 0.127; DuckDB none 1.34 / 1.35, Fujian
# 0.077 / 0.077, California 0.166 / 0.157. Polars is as fast as DuckDB filtered, faster unfiltered on a
# quiet machine (0.45 s in ../shared/STACK.md). The pandas-named functions above count through these.


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
