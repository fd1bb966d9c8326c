"""Filtering and aggregation: from the package's tables to the frames pages show.

`flow_records` joins donations, their item lines and messages of support into one long frame
(one row per item line or message) once per process; everything else filters and groups it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .filters import Filters
from .package import Package

MESSAGE_KINDS = ("letter", "voice_support", "video", "call_email")
MASKS = ("surgical_mask", "respirator_mask", "mask_unspecified")


def _period(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last month (YYYY-MM) covered by partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD)."""
    v = values.fillna("")
    start = np.where(v.str.len() == 4, v + "-01", v.str[:7])
    end = np.where(v.str.len() == 4, v + "-12", v.str[:7])
    start = pd.Series(start, index=values.index).replace("", None)
    end = pd.Series(end, index=values.index).replace("", None)
    return start, end


def flow_records(pkg: Package) -> pd.DataFrame:
    places = pkg.places.set_index("place_id")
    d = pkg.donations.merge(pkg.donation_items, on="donation_id", how="left", validate="one_to_many")
    donations = pd.DataFrame({
        "record_id": d["donation_id"], "record_kind": "donation", "direction": d["direction"],
        "from_id": d["donor_place_id"], "to_id": d["recipient_place_id"],
        "from_as_printed": d["donor_as_printed"], "to_as_printed": d["recipient_as_printed"],
        "category": d["category"], "quantity": d["quantity"].astype("Float64"), "unit": d["unit"],
        "item_as_printed": d["as_printed"], "as_of": d["as_of"], "status": d["status"], "doubtful": d["doubtful"],
        "correction_note": d["correction_note"], "source_id": d["source_id"], "source_ref": d["source_ref"]})
    m = pkg.support_messages
    messages = pd.DataFrame({
        "record_id": m["message_id"], "record_kind": "message", "direction": "us_to_cn",
        "from_id": m["sender_place_id"], "to_id": m["recipient_place_id"],
        "from_as_printed": m["sender_as_printed"], "to_as_printed": m["recipient_as_printed"],
        "category": m["kind"], "quantity": pd.Series(1.0, index=m.index, dtype="Float64"), "unit": "messages",
        "item_as_printed": m["kind_as_printed"], "as_of": "2020-05-26", "status": "sent", "doubtful": m["doubtful"],
        "correction_note": m["correction_note"], "source_id": m["source_id"], "source_ref": m["source_ref"]})
    # Table 2 carries no date; it is part of the same report section "as of May 26".
    messages["as_of"] = ""
    r = pd.concat([donations, messages], ignore_index=True)
    for end in ("from", "to"):
        p = places.reindex(r[f"{end}_id"])
        r[f"{end}_name_en"] = p["name_en"].to_numpy()
        r[f"{end}_name_zh"] = p["name_zh"].to_numpy()
        r[f"{end}_kind"] = p["actor_kind"].to_numpy()
        r[f"{end}_admin1"] = p["admin1"].to_numpy()
        r[f"{end}_country"] = p["country"].to_numpy()
        r[f"{end}_lat"] = p["lat"].to_numpy()
        r[f"{end}_lon"] = p["lon"].to_numpy()
    cn_from = r["direction"].eq("cn_to_us")
    r["cn_admin1"] = np.where(cn_from, r["from_admin1"], r["to_admin1"])
    r["us_admin1"] = np.where(cn_from, r["to_admin1"], r["from_admin1"])
    r["date_start"], r["date_end"] = _period(r["as_of"])
    # Grouping keys as categories and an integer record number: counting distinct records and grouping
    # by place stay fast at a million rows (strings would be hashed again on every rerun).
    for col in ("direction", "category", "unit", "record_kind", "from_kind", "to_kind", "cn_admin1", "us_admin1", "source_id",
                "from_id", "to_id", "from_admin1", "to_admin1"):
        r[col] = r[col].astype("category")
    r["record_no"] = pd.factorize(r["record_id"])[0].astype("int32")
    r["quantity_missing"] = r["quantity"].isna().to_numpy()
    return r


def filter_records(records: pd.DataFrame, f: Filters) -> pd.DataFrame:
    mask = np.ones(len(records), dtype=bool)
    if f.provinces:
        mask &= records["cn_admin1"].isin(f.provinces).to_numpy()
    if f.states:
        mask &= records["us_admin1"].isin(f.states).to_numpy()
    if f.direction != "both":
        mask &= (records["direction"] == f.direction).to_numpy()
    if f.categories:
        mask &= records["category"].isin(f.categories).to_numpy()
    if f.actors:
        mask &= (records["from_kind"].isin(f.actors) | records["to_kind"].isin(f.actors)).to_numpy()
    if f.date_from:
        mask &= (records["date_end"] >= f.date_from).fillna(False).to_numpy()
    if f.date_to:
        mask &= (records["date_start"] <= f.date_to).fillna(False).to_numpy()
    return records[mask]


def summary(records: pd.DataFrame) -> dict:
    """Headline counts for a set of records."""
    records = records[["record_kind", "record_no", "direction", "from_id", "to_id", "category", "quantity"]]  # rows copied below: only these
    don = records[records["record_kind"] == "donation"]
    msg = records[records["record_kind"] == "message"]
    masks = don[don["category"].isin(MASKS)]
    by_dir = masks.groupby("direction", observed=True)["quantity"].sum()
    return {
        "donations": int(don["record_no"].nunique()),
        "donations_cn_to_us": int(don.loc[don["direction"] == "cn_to_us", "record_no"].nunique()),
        "donations_us_to_cn": int(don.loc[don["direction"] == "us_to_cn", "record_no"].nunique()),
        "recipients": int(don["to_id"].nunique()),
        "donors": int(don["from_id"].nunique()),
        "messages": int(msg["record_no"].nunique()),
        "masks_cn_to_us": int(by_dir.get("cn_to_us", 0) or 0),
        "masks_us_to_cn": int(by_dir.get("us_to_cn", 0) or 0),
        "masks_by_category": {c: int(v) for c, v in don[don["category"].isin(MASKS)]
                              .groupby("category", observed=True)["quantity"].sum().items() if v},
    }


def category_totals(records: pd.DataFrame) -> pd.DataFrame:
    """Quantity per direction, category and unit (messages counted one each)."""
    g = (records.groupby(["direction", "category", "unit"], observed=True)
         .agg(quantity=("quantity", "sum"), records=("record_no", "nunique")).reset_index())
    return g[g["records"] > 0]


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


def region_giving(records: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """For each province and state: donations given and received (records) and masks, for comparison charts."""
    records = records[["record_kind", "record_no", "from_admin1", "to_admin1", "category", "quantity"]]
    don = records[records["record_kind"] == "donation"]
    rows = []
    for role, key in (("gave", "from_admin1"), ("received", "to_admin1")):
        g = don.groupby(key, observed=True).agg(donations=("record_no", "nunique")).reset_index().rename(columns={key: "admin1"})
        masks = (don[don["category"].isin(MASKS)].groupby(key, observed=True)["quantity"].sum()
                 .rename("masks").reset_index().rename(columns={key: "admin1"}))
        g = g.merge(masks, on="admin1", how="left")
        g["role"] = role
        rows.append(g)
    msg = records[records["record_kind"] == "message"]
    for role, key in (("sent_messages", "from_admin1"), ("received_messages", "to_admin1")):
        g = msg.groupby(key, observed=True).agg(messages=("record_no", "nunique")).reset_index().rename(columns={key: "admin1"})
        g["role"] = role
        rows.append(g)
    out = pd.concat(rows, ignore_index=True)
    out = out[(out["admin1"] != "")]
    out = out.merge(regions[["admin1", "country", "name_en", "name_zh"]], on="admin1", how="left")
    for c in ("donations", "masks", "messages"):
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    return out


def used_regions(pkg: Package) -> set[str]:
    return set(pkg.places["admin1"]) - {""}


def pairings_view(pkg: Package, records: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Sister relationships with whether (and which way) help was recorded between the pair."""
    places = pkg.places.set_index("place_id")
    p = pkg.pairings.copy()
    for side in ("cn", "us"):
        pl = places.reindex(p[f"{side}_place_id"])
        for col in ("name_en", "name_zh", "admin1", "lat", "lon"):
            p[f"{side}_{col}"] = pl[col].to_numpy()
    if f.provinces:
        p = p[p["cn_admin1"].isin(f.provinces)]
    if f.states:
        p = p[p["us_admin1"].isin(f.states)]
    pair_key = lambda a, b: a + "|" + b
    # The distinct (giver, receiver) pairs first: a few thousand, whatever the number of records.
    ends = records[["direction", "from_id", "to_id"]].drop_duplicates()
    cn_to_us = ends[ends["direction"] == "cn_to_us"]
    us_to_cn = ends[ends["direction"] == "us_to_cn"]
    k1 = set(pair_key(cn_to_us["from_id"].astype(str), cn_to_us["to_id"].astype(str)))
    k2 = set(pair_key(us_to_cn["to_id"].astype(str), us_to_cn["from_id"].astype(str)))
    keys = pair_key(p["cn_place_id"], p["us_place_id"])
    p["help_cn_to_us"] = keys.isin(k1).to_numpy()
    p["help_us_to_cn"] = keys.isin(k2).to_numpy()
    p["exchange"] = np.select([p["help_cn_to_us"] & p["help_us_to_cn"], p["help_cn_to_us"], p["help_us_to_cn"]],
                              ["both", "cn_to_us", "us_to_cn"], "none")
    return p.reset_index(drop=True)


def search_table(table: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """Rows with `text` (case-insensitive, literal, at most 100 characters) in any cell; all rows if no text."""
    needle = (text or "").strip().casefold()[:100]
    if not needle:
        return table
    mask = pd.Series(False, index=table.index)
    for column in table.columns:
        mask |= table[column].astype(str).str.casefold().str.contains(needle, regex=False, na=False)
    return table[mask]
