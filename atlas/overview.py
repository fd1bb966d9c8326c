"""The overview's numbers: headline counts, what flowed each way, provinces and states, the timeline
and the reconciliation of Table 1 with the report's text."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .filters import Filters, match
from .package import Package
from .records import Data, period
from .vocab import MASKS

# Table 1's item categories set against the totals the report's text states for China-to-US giving.
# Each narrative figure is a key figure; the table sum is computed from donation_items.
RECONCILE = [
    ("masks", MASKS, "kf-cpaffc-cn-masks"),
    ("protective_clothing", ("protective_clothing",), "kf-cpaffc-cn-clothing"),
    ("gloves", ("gloves",), "kf-cpaffc-cn-gloves"),
    ("goggles", ("goggles",), "kf-cpaffc-cn-goggles"),
    ("shoe_covers", ("shoe_covers",), "kf-cpaffc-cn-shoe-covers"),
]
CATEGORY_KEYS = {name for name, _, _ in RECONCILE}


@dataclass(frozen=True)
class OverviewView:
    summary: dict
    category_totals: pd.DataFrame
    region_giving: pd.DataFrame


def view(data: Data, filters: Filters) -> OverviewView | None:
    """The overview's figures for `filters`, or None when no record matches."""
    records = match(data.records, filters)
    if records.empty:
        return None
    return OverviewView(summary(records), category_totals(records), region_giving(records, data.package.regions))


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
        "masks_by_category": {c: int(v) for c, v in masks.groupby("category", observed=True)["quantity"].sum().items() if v},
    }


def category_totals(records: pd.DataFrame) -> pd.DataFrame:
    """Quantity per direction, category and unit (messages counted one each)."""
    g = (records.groupby(["direction", "category", "unit"], observed=True)
         .agg(quantity=("quantity", "sum"), records=("record_no", "nunique")).reset_index())
    return g[g["records"] > 0]


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


def reconciliation(pkg: Package) -> pd.DataFrame:
    t1 = pkg.donations[pkg.donations["source_ref"].str.startswith("Table 1,")]["donation_id"]
    items = pkg.donation_items[pkg.donation_items["donation_id"].isin(t1)]
    kf = pkg.key_figures.set_index("figure_id")
    rows = []
    for name, cats, fid in RECONCILE:
        if fid not in kf.index:  # a package without the stated figure: nothing to set the sum against
            continue
        table_sum = int(items.loc[items["category"].isin(cats), "quantity"].sum())
        stated = float(kf.at[fid, "value"])
        rows.append({"category": name, "table1_sum": table_sum, "text_total": int(stated),
                     "difference": int(table_sum - stated), "text_ref": kf.at[fid, "source_ref"]})
    return pd.DataFrame(rows, columns=["category", "table1_sum", "text_total", "difference", "text_ref"])


def timeline_figures(kf: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Key figures with a value or a description, within the filters' months."""
    d = kf[kf["value"].notna() | kf["description"].ne("")]
    start, end = period(d["date"])
    keep = pd.Series(True, index=d.index)
    if filters.date_from:
        keep &= end >= filters.date_from
    if filters.date_to:
        keep &= start <= filters.date_to
    return d[keep]
