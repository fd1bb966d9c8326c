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

from .filters import Filters, match
from .overview import summary
from .package import Package
from .records import SCREEN_ROWS, Data
from .vocab import PHYSICAL_UNITS

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
    legend: pd.DataFrame     # quantity and records per category and unit, over every arc (drawn or not)
    arcs_total: int          # arcs before the cap

    @property
    def capped(self) -> bool:
        return self.arcs_total > len(self.flows)


@dataclass(frozen=True)
class FlowsView:
    map: FlowMap
    summary: dict
    table: pd.DataFrame  # the first SCREEN_ROWS rows of the records' table
    rows: int            # all of its rows


def view(data: Data, filters: Filters, level: str = "region") -> FlowsView | None:
    """The flows page for `filters` at `level`, or None when no record matches."""
    records = match(data.records, filters)
    if records.empty:
        return None
    return FlowsView(flow_map(records, data.package, level), text_summary(records), flow_table(records, SCREEN_ROWS),
                     len(records))


def records_table(data: Data, filters: Filters) -> pd.DataFrame:
    """Every record behind the flows page for `filters`: the CSV export."""
    return flow_table(match(data.records, filters))


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
         .agg(quantity=("quantity", "sum"), records=("record_no", "nunique"), undisclosed=("quantity_missing", "sum"))
         .reset_index().rename(columns={keys["from"]: "from_key", keys["to"]: "to_key"}))
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
             .agg(quantity=("quantity", "sum"), records=("record_no", "nunique")).reset_index()
             .rename(columns={key: "key"}))
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
    return (flows.groupby(["category", "unit"], observed=True)
            .agg(quantity=("quantity", "sum"), records=("records", "sum")).reset_index())


def flow_map(records: pd.DataFrame, pkg: Package, level: str, max_arcs: int = MAX_ARCS) -> FlowMap:
    coords = coordinates(pkg, level)
    flows = ends(aggregate_flows(records, level), coords)
    shown = top_arcs(flows, max_arcs)
    return FlowMap(shown.reset_index(drop=True), place_totals(records, level), coords, records_by_key(records, level),
                   int(unmapped(records, level)["record_no"].nunique()), width_scale(flows), legend(flows), len(flows))


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
    s = summary(records)
    records = records[["direction", "from_id", "to_id"]]
    s["places_cn"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "from_id"],
                                    records.loc[records["direction"] == "us_to_cn", "to_id"]]).nunique())
    s["places_us"] = int(pd.concat([records.loc[records["direction"] == "cn_to_us", "to_id"],
                                    records.loc[records["direction"] == "us_to_cn", "from_id"]]).nunique())
    return s
