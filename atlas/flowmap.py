"""Everything the flow map needs from a set of records, aggregated before it is drawn.

The number of arcs grows with the number of (origin, destination, category) pairs, not with the
number of records; points carry at most a few record references each.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import query
from .maps import ends, place_points, width_scale
from .package import Package


@dataclass
class FlowMap:
    flows: pd.DataFrame      # aggregated arcs with coordinates and names
    points: pd.DataFrame     # one row per drawn place or region
    unmapped: int            # records with an end that has no location at this level
    qmax: float


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
    out: dict[str, list[str]] = {}
    for key in keys:
        head = records.drop_duplicates(["record_id", key]).groupby(key, observed=True).head(limit)
        for k, ref in zip(head[key], head["source_ref"]):
            if k:
                out.setdefault(k, [])
                if ref not in out[k] and len(out[k]) < limit:
                    out[k].append(ref if len(ref) < 40 else ref[:37] + "…")
    return out


def build_flow_map(records: pd.DataFrame, pkg: Package, level: str, lang: str) -> FlowMap:
    coords = coordinates(pkg, level)
    flows = ends(query.aggregate_flows(records, level), coords)
    totals = query.place_totals(records, level)
    points = place_points(totals, coords, records_by_key(records, level), lang)
    return FlowMap(flows, points, int(query.unmapped(records, level)["record_id"].nunique()), width_scale(flows))


def flow_table(records: pd.DataFrame) -> pd.DataFrame:
    """The records behind the map, one row per item line or message: what the CSV export holds."""
    cols = ["record_id", "direction", "from_name_en", "from_name_zh", "from_admin1", "to_name_en", "to_name_zh", "to_admin1",
            "category", "quantity", "unit", "item_as_printed", "from_as_printed", "to_as_printed", "as_of", "status",
            "doubtful", "correction_note", "source_id", "source_ref"]
    out = records[cols].copy()
    for c in ("direction", "category", "unit", "source_id", "from_admin1", "to_admin1"):
        out[c] = out[c].astype(str)
    return out.reset_index(drop=True)


def text_summary(records: pd.DataFrame) -> dict:
    s = query.summary(records)
    s["places_cn"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "from_id"],
                                    records.loc[records["direction"] == "us_to_cn", "to_id"]]).nunique())
    s["places_us"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "to_id"],
                                    records.loc[records["direction"] == "us_to_cn", "from_id"]]).nunique())
    return s
