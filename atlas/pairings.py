"""The pairings page's numbers: sister relationships and the help recorded between each pair."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .filters import Filters
from .package import Package
from .records import Data, first_rows
from .vocab import ON_RECORD

OFFICIAL = {"total": "kf-sister-total-2022", "province_state": "kf-sister-province-state-2022",
            "city": "kf-sister-city-2022"}


def view(data: Data, filters: Filters) -> pd.DataFrame:
    """Sister relationships in the chosen provinces and states, with whether (and which way) help was recorded."""
    from . import engine
    pkg = data.package
    records = data.records[engine.counted_mask(data.records)]  # help given, not promised
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
    # The distinct (giver, receiver) pairs first: a few thousand, whatever the number of records. An agency
    # counts for the government it belongs to (places.part_of): Ohio's Development Services Agency's help
    # to Hubei is Ohio's, on the Hubei-Ohio pair, and says so in `help_through`.
    parent = places["part_of"].replace("", None).dropna() if "part_of" in places else pd.Series(dtype=str)
    # The last year each record can have happened in: help counts within a relationship only if the
    # relationship existed then (Fuzhou-Honolulu's agreement of 2021 does not hold Fuzhou's masks of 2020).
    year = records["date_end"].astype("str").str[:4].where(records["date_end"].notna(), "").astype("category")
    ends = records[["direction", "from_id", "to_id"]].assign(year=year)
    giver_receiver = ends.iloc[first_rows(ends)].astype(str)  # drop_duplicates' rows, found by their codes
    cn_to_us = giver_receiver[giver_receiver["direction"] == "cn_to_us"]
    us_to_cn = giver_receiver[giver_receiver["direction"] == "us_to_cn"]
    cn_side = pd.concat([cn_to_us["from_id"], us_to_cn["to_id"]], ignore_index=True)
    us_side = pd.concat([cn_to_us["to_id"], us_to_cn["from_id"]], ignore_index=True)
    direction = pd.concat([cn_to_us["direction"], us_to_cn["direction"]], ignore_index=True)
    help_year = pd.concat([cn_to_us["year"], us_to_cn["year"]], ignore_index=True)
    up = lambda ids: ids.map(parent).fillna(ids)
    exchanged = pd.DataFrame({"key": pair_key(up(cn_side), up(us_side)), "direction": direction,
                              "through": [", ".join(places.at[i, "name_en"] for i in (c, u) if i in parent.index)
                                          for c, u in zip(cn_side, us_side)]})
    keys = pair_key(p["cn_place_id"], p["us_place_id"])
    since = pd.Series(first_year(p["established"]).to_numpy(), index=keys.to_numpy())
    since = since[~since.index.duplicated()]
    began = exchanged["key"].map(since)
    known = (help_year != "") & began.notna()
    exchanged = exchanged[~known | (pd.to_numeric(help_year.where(known, "0")) >= began.fillna(0))]
    k1 = set(exchanged.loc[exchanged["direction"] == "cn_to_us", "key"])
    k2 = set(exchanged.loc[exchanged["direction"] == "us_to_cn", "key"])
    through = exchanged[exchanged["through"] != ""].groupby("key")["through"].agg(lambda v: "; ".join(sorted(set(v))))
    p["help_cn_to_us"] = keys.isin(k1).to_numpy()
    p["help_us_to_cn"] = keys.isin(k2).to_numpy()
    p["help_through"] = keys.map(through).fillna("").to_numpy()
    p["exchange"] = np.select([p["help_cn_to_us"] & p["help_us_to_cn"], p["help_cn_to_us"], p["help_us_to_cn"]],
                              ["both", "cn_to_us", "us_to_cn"], "none")
    p["on_record"] = p["evidence_level"].isin(ON_RECORD).to_numpy()
    return p.reset_index(drop=True)


def summary(view: pd.DataFrame, pkg: Package, include_inferred: bool = False) -> dict:
    """Counts of the shown pairs, and the official totals where the package states them (else None).

    The counts are of pairs on record (stated or listed) unless `include_inferred`; `inferred` counts the
    shown pairs only inferred from help between two governments (contradicted ones included)."""
    kf = pkg.key_figures.set_index("figure_id")
    official = {k: (int(kf.at[fid, "value"]) if fid in kf.index else None) for k, fid in OFFICIAL.items()}
    counted = view if include_inferred else view[view["on_record"]]
    return {
        "pairs": len(counted), "province_state": int((counted["level"] == "province_state").sum()),
        "city": int((counted["level"] == "city").sum()), "exchanged": int((counted["exchange"] != "none").sum()),
        "inferred": int((~view["on_record"]).sum()),
        "contradicted": int((view["evidence_level"] == "contradicted").sum()),
        "pairs_all": int(pkg.pairings["evidence_level"].isin(ON_RECORD).sum()),
        "official_total": official["total"], "official_province_state": official["province_state"],
        "official_city": official["city"],
        "official_date": kf.at[OFFICIAL["total"], "date"] if OFFICIAL["total"] in kf.index else None,
    }


def on_record(pkg: Package) -> int:
    """Sister relationships on record in the package: stated in a source's text or listed, not inferred."""
    return int(pkg.pairings["evidence_level"].isin(ON_RECORD).sum())


def first_year(established: pd.Series) -> pd.Series:
    """The earliest year a relationship's sources give (missing where none does)."""
    years = established.fillna("").astype(str).str.findall(r"\d{4}")
    return years.map(lambda ys: min(int(y) for y in ys) if ys else None).astype("Float64")


def years(view: pd.DataFrame) -> pd.DataFrame:
    """Relationships by the earliest year public sources say they were established (pairs without a stated year
    left out), each relationship once. A pair whose sources give several years counts in the earliest, as
    `disputed`."""
    dated = view[view["established"].fillna("") != ""]
    rows = [{"year": int(first), "pairing_id": pid, "disputed": ";" in est}
            for pid, est, first in zip(dated["pairing_id"], dated["established"], first_year(dated["established"]))]
    d = pd.DataFrame(rows, columns=["year", "pairing_id", "disputed"])
    out = (d.groupby("year").agg(pairs=("pairing_id", "size"), disputed=("disputed", "sum"),
                                 pairing_ids=("pairing_id", lambda v: "; ".join(sorted(v))))
           .reset_index())
    out["disputed"] = out["disputed"].astype(int)
    return out


def table(view: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The pairs as a table, names in the reader's language (English where no Chinese name is known)."""
    col = "name_zh" if lang == "zh" else "name_en"
    cn = view[f"cn_{col}"].where(view[f"cn_{col}"] != "", view["cn_name_en"])
    us = view[f"us_{col}"].where(view[f"us_{col}"] != "", view["us_name_en"])
    return pd.DataFrame({
        "pairing_id": view["pairing_id"], "china": cn, "united_states": us, "level": view["level"],
        "exchange_during_covid": view["exchange"], "help_through": view["help_through"],
        "evidence_level": view["evidence_level"], "basis": view["basis"], "doubtful": view["doubtful"],
        "evidence": view["evidence"], "level_note": view["level_note"], "established": view["established"],
        "established_sources": view["established_sources"], "source_id": view["source_id"]})
