"""The flow records: donations, their item lines and messages of support in one long frame.

`flow_records` joins them (one row per item line or message) once per process; `load` gives the
package, the records and the vocabulary a URL may name; pages filter the records with
`atlas.filters.match` and aggregate them in their own module.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .filters import Vocabulary
from .package import Package, load_package

SCREEN_ROWS = 1_000  # rows of a table sent to the browser: what a rerun costs does not grow with the data


@dataclass(frozen=True)
class Data:
    """Everything loaded once per process: the package, its flow records, and what a URL may name."""
    package: Package
    records: pd.DataFrame
    vocab: Vocabulary

    @property
    def months(self) -> tuple[str, ...]:
        return self.vocab.months


def load(path: str | Path | None = None) -> Data:
    pkg = load_package(path)
    records = flow_records(pkg)
    vocab = Vocabulary.from_regions(pkg.regions, used_regions(pkg), months(records, pkg.key_figures),
                                    tuple(r["name"] for r in pkg.descriptor["resources"]))
    return Data(pkg, records, vocab)


def period(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last month (YYYY-MM) covered by partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD)."""
    v = values.fillna("")
    start = np.where(v.str.len() == 4, v + "-01", v.str[:7])
    end = np.where(v.str.len() == 4, v + "-12", v.str[:7])
    start = pd.Series(start, index=values.index).replace("", None)
    end = pd.Series(end, index=values.index).replace("", None)
    return start, end


def months(records: pd.DataFrame, key_figures: pd.DataFrame) -> tuple[str, ...]:
    """Every month from the first to the last date of a record or a key figure: the date slider's steps."""
    kf_start, _ = period(key_figures["date"])
    dates = pd.concat([records["date_start"].dropna(), records["date_end"].dropna(), kf_start.dropna()])
    if dates.empty:
        return ()
    return tuple(str(p) for p in pd.period_range(dates.min(), dates.max(), freq="M"))


def used_regions(pkg: Package) -> set[str]:
    return set(pkg.places["admin1"]) - {""}


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
        # Table 2 carries no date: the report's section is "as of May 26", which dates nothing in particular.
        "item_as_printed": m["kind_as_printed"], "as_of": "", "status": "sent", "doubtful": m["doubtful"],
        "correction_note": m["correction_note"], "source_id": m["source_id"], "source_ref": m["source_ref"]})
    r = pd.concat([donations, messages], ignore_index=True)
    for end in ("from", "to"):
        p = places.reindex(r[f"{end}_id"])
        for col, source in (("name_en", "name_en"), ("name_zh", "name_zh"), ("kind", "actor_kind"), ("admin1", "admin1"),
                            ("country", "country"), ("lat", "lat"), ("lon", "lon")):
            r[f"{end}_{col}"] = p[source].to_numpy()
    cn_from = r["direction"].eq("cn_to_us")
    r["cn_admin1"] = np.where(cn_from, r["from_admin1"], r["to_admin1"])
    r["us_admin1"] = np.where(cn_from, r["to_admin1"], r["from_admin1"])
    r["date_start"], r["date_end"] = period(r["as_of"])
    # Grouping keys as categories and an integer record number: counting distinct records and grouping
    # by place stay fast at a million rows (strings would be hashed again on every rerun).
    for col in ("direction", "category", "unit", "record_kind", "from_kind", "to_kind", "cn_admin1", "us_admin1", "source_id",
                "from_id", "to_id", "from_admin1", "to_admin1"):
        r[col] = r[col].astype("category")
    r["record_no"] = pd.factorize(r["record_id"])[0].astype("int32")
    r["quantity_missing"] = r["quantity"].isna().to_numpy()
    return r
