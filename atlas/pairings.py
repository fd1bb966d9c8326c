"""The pairings page's numbers: sister relationships and the help recorded between each pair."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .filters import Filters
from .package import Package
from .records import Data

OFFICIAL = {"total": "kf-sister-total-2022", "province_state": "kf-sister-province-state-2022",
            "city": "kf-sister-city-2022"}


def view(data: Data, filters: Filters) -> pd.DataFrame:
    """Sister relationships in the chosen provinces and states, with whether (and which way) help was recorded."""
    pkg, records = data.package, data.records
    places = pkg.places.set_index("place_id")
    p = pkg.pairings.copy()
    for side in ("cn", "us"):
        pl = places.reindex(p[f"{side}_place_id"])
        for col in ("name_en", "name_zh", "admin1", "lat", "lon"):
            p[f"{side}_{col}"] = pl[col].to_numpy()
    if filters.provinces:
        p = p[p["cn_admin1"].isin(filters.provinces)]
    if filters.states:
        p = p[p["us_admin1"].isin(filters.states)]
    pair_key = lambda a, b: a + "|" + b
    # The distinct (giver, receiver) pairs first: a few thousand, whatever the number of records.
    giver_receiver = records[["direction", "from_id", "to_id"]].drop_duplicates()
    cn_to_us = giver_receiver[giver_receiver["direction"] == "cn_to_us"]
    us_to_cn = giver_receiver[giver_receiver["direction"] == "us_to_cn"]
    k1 = set(pair_key(cn_to_us["from_id"].astype(str), cn_to_us["to_id"].astype(str)))
    k2 = set(pair_key(us_to_cn["to_id"].astype(str), us_to_cn["from_id"].astype(str)))
    keys = pair_key(p["cn_place_id"], p["us_place_id"])
    p["help_cn_to_us"] = keys.isin(k1).to_numpy()
    p["help_us_to_cn"] = keys.isin(k2).to_numpy()
    p["exchange"] = np.select([p["help_cn_to_us"] & p["help_us_to_cn"], p["help_cn_to_us"], p["help_us_to_cn"]],
                              ["both", "cn_to_us", "us_to_cn"], "none")
    return p.reset_index(drop=True)


def summary(view: pd.DataFrame, pkg: Package) -> dict:
    """Counts of the shown pairs, and the official totals where the package states them (else None)."""
    kf = pkg.key_figures.set_index("figure_id")
    official = {k: (int(kf.at[fid, "value"]) if fid in kf.index else None) for k, fid in OFFICIAL.items()}
    return {
        "pairs": len(view), "province_state": int((view["level"] == "province_state").sum()),
        "city": int((view["level"] == "city").sum()), "exchanged": int((view["exchange"] != "none").sum()),
        "pairs_all": len(pkg.pairings),
        "official_total": official["total"], "official_province_state": official["province_state"],
        "official_city": official["city"],
        "official_date": kf.at[OFFICIAL["total"], "date"] if OFFICIAL["total"] in kf.index else None,
    }


def table(view: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The pairs as a table, names in the reader's language (English where no Chinese name is known)."""
    col = "name_zh" if lang == "zh" else "name_en"
    cn = view[f"cn_{col}"].where(view[f"cn_{col}"] != "", view["cn_name_en"])
    us = view[f"us_{col}"].where(view[f"us_{col}"] != "", view["us_name_en"])
    return pd.DataFrame({
        "pairing_id": view["pairing_id"], "china": cn, "united_states": us, "level": view["level"],
        "exchange_during_covid": view["exchange"], "basis": view["basis"], "doubtful": view["doubtful"],
        "evidence": view["evidence"], "source_id": view["source_id"]})
