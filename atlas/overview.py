"""The overview's own numbers: the timeline's figures and the reconciliation of Table 1 with the text."""
from __future__ import annotations

import pandas as pd

from .filters import Filters
from .package import Package

# Table 1's item categories set against the totals the report's text states for China-to-US giving.
# Each narrative figure is a key figure; the table sum is computed from donation_items.
RECONCILE = [
    ("masks", ("surgical_mask", "respirator_mask", "mask_unspecified"), "kf-cpaffc-cn-masks"),
    ("protective_clothing", ("protective_clothing",), "kf-cpaffc-cn-clothing"),
    ("gloves", ("gloves",), "kf-cpaffc-cn-gloves"),
    ("goggles", ("goggles",), "kf-cpaffc-cn-goggles"),
    ("shoe_covers", ("shoe_covers",), "kf-cpaffc-cn-shoe-covers"),
]
CATEGORY_KEYS = {"masks", "protective_clothing", "gloves", "goggles", "shoe_covers"}


def reconciliation(pkg: Package) -> pd.DataFrame:
    t1 = pkg.donations[pkg.donations["source_ref"].str.startswith("Table 1,")]["donation_id"]
    items = pkg.donation_items[pkg.donation_items["donation_id"].isin(t1)]
    kf = pkg.key_figures.set_index("figure_id")
    rows = []
    for name, cats, fid in RECONCILE:
        table_sum = int(items.loc[items["category"].isin(cats), "quantity"].sum())
        stated = float(kf.at[fid, "value"])
        rows.append({"category": name, "table1_sum": table_sum, "text_total": int(stated),
                     "difference": int(table_sum - stated), "text_ref": kf.at[fid, "source_ref"]})
    return pd.DataFrame(rows)


def timeline_figures(kf: pd.DataFrame, f: Filters) -> pd.DataFrame:
    d = kf[kf["value"].notna() | kf["description"].ne("")]
    start = d["date"].str[:7].where(d["date"].str.len() > 4, d["date"] + "-01")
    end = d["date"].str[:7].where(d["date"].str.len() > 4, d["date"] + "-12")
    keep = pd.Series(True, index=d.index)
    if f.date_from:
        keep &= end >= f.date_from
    if f.date_to:
        keep &= start <= f.date_to
    return d[keep]
