"""Everything the flow map needs from a set of records, aggregated before it is drawn.

The number of arcs grows with the number of (origin, destination, category) pairs, not with the
number of records, and the map draws at most MAX_ARCS of them (those with the most records; the
legend still counts all). Points are bounded by the number of places and carry at most a few
record references each. So what a map costs the browser does not grow with the records.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import query
from .figures import CATEGORY_COLOURS
from .i18n import fmt_unit, label
from .maps import ends, place_points, width_scale
from .package import Package


MAX_ARCS = 300


@dataclass
class FlowMap:
    flows: pd.DataFrame      # the arcs drawn: aggregated, with coordinates and names, at most MAX_ARCS
    points: pd.DataFrame     # one row per drawn place or region
    unmapped: int            # records with an end that has no location at this level
    qmax: float
    legend: pd.DataFrame     # quantity and records per category and unit, over every arc (drawn or not)
    arcs_total: int          # arcs before the cap

    @property
    def capped(self) -> bool:
        return self.arcs_total > len(self.flows)


def coordinates(pkg: Package, level: str) -> pd.DataFrame:
    if level == "region":
        r = pkg.regions
        return pd.DataFrame({"key": r["admin1"], "name_en": r["name_en"], "name_zh": r["name_zh"], "lat": r["lat"],
                             "lon": r["lon"], "admin1": r["admin1"], "country": r["country"]})
    p = pkg.places
    return pd.DataFrame({"key": p["place_id"], "name_en": p["name_en"], "name_zh": p["name_zh"], "lat": p["lat"],
                         "lon": p["lon"], "admin1": p["admin1"], "country": p["country"]})


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


def legend(flows: pd.DataFrame) -> pd.DataFrame:
    return (flows.groupby(["category", "unit"], observed=True)
            .agg(quantity=("quantity", "sum"), records=("records", "sum")).reset_index())


def legend_view(legend: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """The legend as shown: an empty colour column, category and unit in the reader's language; and each row's colour."""
    view = legend.copy()
    colours = [CATEGORY_COLOURS.get(c, "#777777") for c in view["category"]]
    view.insert(0, "colour", "")
    view["category"] = [label("category", c, lang) for c in view["category"]]
    view["unit"] = [fmt_unit(u, lang) for u in view["unit"]]
    return view, colours


def build_flow_map(records: pd.DataFrame, pkg: Package, level: str, lang: str, max_arcs: int = MAX_ARCS) -> FlowMap:
    coords = coordinates(pkg, level)
    flows = ends(query.aggregate_flows(records, level), coords)
    shown = top_arcs(flows, max_arcs)
    totals = query.place_totals(records, level)
    points = place_points(totals, coords, records_by_key(records, level), lang)
    return FlowMap(shown.reset_index(drop=True), points, int(query.unmapped(records, level)["record_no"].nunique()),
                   width_scale(flows), legend(flows), len(flows))


def flow_table(records: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The records behind the map, one row per item line or message: what the CSV export holds.

    With `limit`, only the first rows (what a screen shows), built without touching the rest."""
    if limit is not None:
        records = records.head(limit)
    cols = ["record_id", "direction", "from_name_en", "from_name_zh", "from_admin1", "to_name_en", "to_name_zh", "to_admin1",
            "category", "quantity", "unit", "item_as_printed", "from_as_printed", "to_as_printed", "as_of", "status",
            "doubtful", "correction_note", "source_id", "source_ref"]
    out = records[cols].copy()
    for c in ("direction", "category", "unit", "source_id", "from_admin1", "to_admin1"):
        out[c] = out[c].astype(str)
    return out.reset_index(drop=True)


def text_summary(records: pd.DataFrame) -> dict:
    s = query.summary(records)
    records = records[["direction", "from_id", "to_id"]]
    s["places_cn"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "from_id"],
                                    records.loc[records["direction"] == "us_to_cn", "to_id"]]).nunique())
    s["places_us"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "to_id"],
                                    records.loc[records["direction"] == "us_to_cn", "from_id"]]).nunique())
    return s
