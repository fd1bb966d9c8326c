"""The flow records: donations, their item lines and messages of support in one long frame.

`flow_records` joins them (one row per item line or message) once per process; `load` gives the
package, the records and the vocabulary a URL may name; pages filter the records with
`atlas.filters.match` and aggregate them in their own module.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from . import columnar, engine
from .filters import Vocabulary
from .package import Package, arrow_strings

SCREEN_ROWS = 1_000  # rows of a table sent to the browser: what a rerun costs does not grow with the data


FRAME_COLUMNS, frame_of = engine.FRAME_COLUMNS, engine.frame_of  # the engine's frame of the records


@dataclass(frozen=True)
class Data:
    """Everything loaded once per process: the package, its flow records, and what a URL may name.

    `frame` is the engine's copy of the records (polars, `atlas.engine.FRAME_COLUMNS` plus `row`): every number
    is filtered and counted there (`atlas.engine`); `records` holds their text."""
    package: Package
    records: pd.DataFrame
    vocab: Vocabulary
    frame: Any
    source: str = "csv"    # where the records came from: "csv" (read and checked) or "columnar" (the stored copy)
    derived: dict = field(default_factory=dict)  # values of a pass over all records, kept in the copy (`derive`)
    key: str = ""          # the package's content hash (`atlas.columnar.package_hash`): what its copy is stored under

    @property
    def months(self) -> tuple[str, ...]:
        return self.vocab.months


def load(path: str | Path | None = None, background: bool = False) -> Data:
    """The package at `path`, from its columnar copy when one matches the CSVs (else read, checked and stored;
    with `background`, stored by a thread while the package is already served). An earlier release kept beside the
    package (`atlas.versions`) is read from its CSVs and upgraded to the current schema each time (no copy: it is the
    bundled package's size, and its records are built by the same `flow_records`)."""
    from . import versions
    if path is not None and versions.is_release(path):
        pkg = versions.load_release(path)
        records = flow_records(pkg)
        frame = frame_of(records)
        derived = derive(pkg, records, frame)
        vocab = Vocabulary.from_regions(pkg.regions, used_regions(pkg), tuple(derived["months"]),
                                        tuple(r["name"] for r in pkg.descriptor["resources"]))
        return Data(pkg, records, vocab, frame, "release", derived, f"release-{pkg.descriptor.get('version', '')}")
    pkg, records, frame, derived, source, key = columnar.load(path, flow_records, frame_of, derive, background)
    if derived is None:  # the copy is being written in the background: the months now, the map's scale when asked
        derived = {"months": list(months(records, pkg.key_figures))}
    vocab = Vocabulary.from_regions(pkg.regions, used_regions(pkg), tuple(derived["months"]),
                                    tuple(r["name"] for r in pkg.descriptor["resources"]))
    return Data(pkg, records, vocab, frame, source, derived, key)


def derive(pkg: Package, records: pd.DataFrame, frame: pl.DataFrame) -> dict:
    """What takes a pass over every record and depends on nothing else: the date slider's months and the map's
    fixed scale (`atlas.engine.dataset_scale`). Stored with the columnar copy, so a start from it skips them."""
    scale = engine.scale_of(records, frame)
    return {"months": list(months(records, pkg.key_figures)), "scale": list(scale)}


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
    dates = [s for s in (records["date_start"], records["date_end"], kf_start) if s.notna().any()]
    if not dates:
        return ()
    lo, hi = min(s.min() for s in dates), max(s.max() for s in dates)  # per column: no million-row concat
    return tuple(str(p) for p in pd.period_range(lo, hi, freq="M"))


def used_regions(pkg: Package) -> set[str]:
    return set(pkg.places["admin1"]) - {""}


def flow_records(pkg: Package) -> pd.DataFrame:
    """One row per item line (each donation in package order, with its lines in file order) or message.

    Built from integer positions rather than joins of strings: item lines are put under their donation by
    position, place attributes are categories taken by code, dates are worked out once per distinct value, and
    the grouping keys are made categories from each table's own distinct values before they are spread over the
    rows (a million strings are not hashed again). At a million donations the string join and the full reindex of
    the places per end took tens of seconds."""
    d, items, m = pkg.donations, pkg.donation_items, pkg.support_messages
    owner = positions(d["donation_id"], items["donation_id"])
    bare = np.flatnonzero(np.bincount(owner, minlength=len(d)) == 0)  # kept as one row each (a left join)
    don_pos = np.concatenate([owner, bare])
    item_pos = np.concatenate([np.arange(len(items)), np.full(len(bare), -1)])
    if len(bare) or (np.diff(owner) < 0).any():  # the usual file keeps each donation's lines together, in order
        order = np.argsort(don_pos, kind="stable")
        don_pos, item_pos = don_pos[order], item_pos[order]
    n_msg = len(m)

    def column(don: pd.Series, pos: np.ndarray, msg) -> pd.Series:
        if isinstance(don.dtype, pd.CategoricalDtype):
            return pd.Series(category(don, pos, msg))  # text the tables hold as categories stays one (their codes taken)
        if isinstance(getattr(msg, "dtype", None), pd.CategoricalDtype):
            msg = msg.astype("str")  # the few messages follow the donations' text, not the other way round
        msg = msg if isinstance(msg, pd.Series) else pd.Series(msg, index=range(n_msg), dtype=don.dtype)
        taken = don.array if _identity(pos, len(don)) else don.array.take(pos, allow_fill=True)
        out = pd.concat([pd.Series(taken), msg.reset_index(drop=True)], ignore_index=True)
        if out.dtype == "str":
            # Text in one chunk (the concat leaves two): a take of a few rows (a screen of the table) from two
            # chunks copied the whole column first, and the copy's writer had to join them again.
            out = pa.array(out).combine_chunks().to_pandas()
        return out

    def category(don: pd.Series | str, pos: np.ndarray, msg) -> pd.Categorical:
        """`column(...).astype("category")`, from the codes of each part's distinct values."""
        d_codes, d_uniques = (np.zeros(len(d), np.intp), [don]) if isinstance(don, str) else pd.factorize(don)
        m_codes, m_uniques = (np.zeros(n_msg, np.intp), [msg]) if isinstance(msg, str) else pd.factorize(msg)
        d_uniques, m_uniques = pd.Index(d_uniques, dtype="str"), pd.Index(m_uniques, dtype="str")
        cats = d_uniques.append(m_uniques).unique().sort_values()
        d_new, m_new = (np.append(cats.get_indexer(u), -1) for u in (d_uniques, m_uniques))
        d_codes = d_codes if _identity(pos, len(d_codes)) else np.where(pos >= 0, d_codes[np.maximum(pos, 0)], -1)
        codes = np.concatenate([d_new[d_codes], m_new[m_codes]]).astype(np.int32)
        if (len(d) or not isinstance(don, str)) and (n_msg or not isinstance(msg, str)):
            # every row of both tables is taken, so every distinct value is used: nothing to compact
            return pd.Categorical.from_codes(codes, categories=cats)
        return _compact(codes, cats)

    r = pd.DataFrame({
        "record_id": column(d["donation_id"], don_pos, m["message_id"]),
        "record_kind": category("donation", don_pos, "message"),
        "direction": category(d["direction"], don_pos, "us_to_cn"),
        "from_id": category(d["donor_place_id"], don_pos, m["sender_place_id"]),
        "to_id": category(d["recipient_place_id"], don_pos, m["recipient_place_id"]),
        "from_as_printed": column(d["donor_as_printed"], don_pos, m["sender_as_printed"]),
        "to_as_printed": column(d["recipient_as_printed"], don_pos, m["recipient_as_printed"]),
        # For whom, where the source names beneficiaries the recipient passed the help on to (the package's
        # donations.beneficiary_*): the record counts under their province or state (below).
        "for_id": category(d["beneficiary_place_id"], don_pos, ""),
        "for_as_printed": column(d["beneficiary_as_printed"], don_pos, ""),
        "category": category(items["category"], item_pos, m["kind"]),
        "quantity": column(items["quantity"].astype("Float64"), item_pos, 1.0),
        "unit": category(items["unit"], item_pos, "messages"),
        "item_as_printed": column(items["as_printed"], item_pos, m["kind_as_printed"]),
        # Table 2 carries no date: the report's section is "as of May 26", which dates nothing in particular.
        "as_of": column(d["as_of"], don_pos, ""),
        "date_kind": column(d["date_kind"], don_pos, ""),
        "event_date": column(d["event_date"], don_pos, ""),
        "status": column(d["status"], don_pos, "sent"),
        "doubtful": column(d["doubtful"], don_pos, m["doubtful"]),
        "correction_note": column(d["correction_note"], don_pos, m["correction_note"]),
        "source_id": category(d["source_id"], don_pos, m["source_id"]),
        "source_ref": column(d["source_ref"], don_pos, m["source_ref"])})
    places = pkg.places
    place_index = pd.Index(places["place_id"])
    for end in ("from", "to"):
        # Looked up once per distinct id (a few hundred places), not once per record.
        ids = r[f"{end}_id"].cat
        pos = np.append(place_index.get_indexer(ids.categories), -1)[ids.codes.to_numpy()]
        # (the latitude says whether an end can be drawn; where, the map takes from the places, once per place)
        for col, source in (("name_en", "name_en"), ("name_zh", "name_zh"), ("kind", "actor_kind"), ("admin1", "admin1"),
                            ("country", "country"), ("lat", "lat")):
            r[f"{end}_{col}"] = _take(places[source], pos)
    # A region is where the help went: the beneficiaries' province or state where a source names them (Qualcomm's
    # gift to the Red Cross Society of China in Beijing bought ambulances for Hubei hospitals: Hubei), else the
    # recipient's. The recipient (to_id, to_name_*) stays who received it.
    ids = r["for_id"].cat
    pos = np.append(place_index.get_indexer(ids.categories), -1)[ids.codes.to_numpy()]
    # (only a beneficiary in the recipient's country: help received in China is for somewhere in China; compared on
    # the few rows that name one, not on a million)
    named = np.flatnonzero(pos >= 0)
    if len(named):
        theirs = places["country"].astype(object).to_numpy()[pos[named]]
        pos[named[theirs != r["to_country"].astype(object).to_numpy()[named]]] = -1
    beneficiary = _take(places["admin1"], pos)
    if beneficiary.notna().any():
        cats = r["to_admin1"].cat.categories.union(beneficiary.cat.categories)
        to, ben = (c.cat.set_categories(cats) for c in (r["to_admin1"], beneficiary))
        r["to_admin1"] = _compact(np.where(ben.notna().to_numpy(), ben.cat.codes.to_numpy(), to.cat.codes.to_numpy()), cats)
    cn_from = r["direction"].eq("cn_to_us").to_numpy()
    for side, cn_end, us_end in (("cn_admin1", "from_admin1", "to_admin1"), ("us_admin1", "to_admin1", "from_admin1")):
        cats = r[cn_end].cat.categories.union(r[us_end].cat.categories)
        a, b = (r[c].cat.set_categories(cats).cat.codes.to_numpy() for c in (cn_end, us_end))
        r[side] = _compact(np.where(cn_from, a, b), cats)
    r["date_start"], r["date_end"] = dated_span(r["as_of"], r["date_kind"], r["event_date"])
    # Grouping keys as categories and an integer record number: counting distinct records and grouping
    # by place stay fast at a million rows (strings would be hashed again on every rerun).
    for col in ("from_kind", "to_kind", "cn_admin1", "us_admin1", "from_admin1", "to_admin1"):
        r[col] = _sorted_category(r[col])
    r["record_no"] = _record_numbers(d["donation_id"], don_pos, m["message_id"], r["record_id"])
    r["quantity_missing"] = r["quantity"].isna().to_numpy()
    return r


def first_rows(df: pd.DataFrame) -> np.ndarray:
    """Positions of the rows `df.drop_duplicates()` keeps (the first of each combination), for categorical columns:
    one integer per row made from the codes, and the least position of each integer. At a million records pandas'
    drop_duplicates hashed the rows' values into 150 MB of temporary memory (a peak of the server's first minute)."""
    sizes = [len(df[c].cat.categories) + 1 for c in df.columns]
    combinations = float(np.prod(sizes, dtype=float))
    if combinations > 2 ** 26:  # too many to keep one slot each: hashed
        return np.flatnonzero(~df.duplicated().to_numpy())
    key = np.zeros(len(df), np.int32)
    for c, size in zip(df.columns, sizes):
        key = key * size + (df[c].cat.codes.to_numpy().astype(np.int32) + 1)  # a missing value (-1) is 0
    first = np.full(int(combinations), len(df), np.int32)
    np.minimum.at(first, key, np.arange(len(df), dtype=np.int32))
    return np.sort(first[first < len(df)])


def _identity(pos: np.ndarray, n: int) -> bool:
    """Whether taking `pos` from n values gives them as they are (the item lines, when every donation has one)."""
    return len(pos) == n and bool((pos == np.arange(n)).all())


def _record_numbers(donation_ids: pd.Series, don_pos: np.ndarray, message_ids: pd.Series, record_ids: pd.Series) -> np.ndarray:
    """`pd.factorize(record_ids)` (numbers in order of first appearance), without hashing a million ids: every
    donation appears, in package order (`don_pos` is sorted), and donation ids are unique, so a donation row's
    number is its donation's position; messages follow. Factorized in full only if a message shares a donation's id."""
    # (looked up among the few message ids: a hash of a million donation ids costs more than the numbering itself)
    if len(message_ids) and pc.any(pc.is_in(arrow_strings(donation_ids), value_set=arrow_strings(message_ids))).as_py():
        return pd.factorize(record_ids)[0].astype("int32")
    return np.concatenate([don_pos, len(donation_ids) + pd.factorize(message_ids)[0]]).astype("int32")


def positions(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """Position of each of `values` in the unique `keys` (-1 if absent): pyarrow's hash lookup, several times
    faster than a pandas Index over a million strings."""
    found = pc.index_in(arrow_strings(values), value_set=arrow_strings(keys))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


def _take(values: pd.Series, pos: np.ndarray) -> pd.Series | np.ndarray:
    """`values` at positions `pos` (-1: missing): numbers as floats, text as a category (a place's name
    repeats on every one of its records; a category holds it once)."""
    if pd.api.types.is_numeric_dtype(values) and not isinstance(values.dtype, pd.CategoricalDtype):
        out = values.to_numpy(dtype=float, na_value=np.nan)[np.maximum(pos, 0)]
        out[pos < 0] = np.nan
        return out
    codes, uniques = pd.factorize(values, sort=True)
    taken = np.where(pos >= 0, codes[np.maximum(pos, 0)], -1)
    return pd.Series(_compact(taken, pd.Index(uniques, dtype="str")))


def _compact(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A categorical of only the categories in use (`remove_unused_categories`, by counting codes)."""
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    new_code = np.cumsum(used) - 1
    return pd.Categorical.from_codes(np.where(codes >= 0, new_code[np.maximum(codes, 0)], -1).astype(np.int32),
                                     categories=categories[used])


def _sorted_category(values: pd.Series) -> pd.Series:
    """A category with only the values present, sorted: what `astype("category")` of the text gives."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        return values.cat.reorder_categories(cats.sort_values()) if not cats.is_monotonic_increasing else values
    return values.astype("category")


def dated_span(as_of: pd.Series, date_kind: pd.Series, event_date: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last month a record can have happened in (YYYY-MM; missing: unknown).

    The date of the event a source states (`event_date`, else `as_of` of an `event` record) spans its precision
    ("2020" is 2020-01..2020-12); a record dated only by the list that names it (`listed`) happened on or before
    the list's date, so its first month is unknown; a record with no date (Table 2's messages) has neither."""
    event = event_date.astype("str").where(event_date.astype("str") != "", None)
    kind = date_kind.astype("str")
    own = as_of.astype("str").where(kind == "event", None)
    start, end = _period_by_value(event.fillna(own).fillna(""))
    listed_start, listed_end = _period_by_value(as_of.astype("str").where(kind == "listed", ""))
    return start, end.fillna(listed_end)


def _period_by_value(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`period` worked out once per distinct value (a million records share a few hundred dates)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    start, end = period(pd.Series(uniques, dtype="str"))
    return (pd.Series(start.array.take(codes, allow_fill=True)), pd.Series(end.array.take(codes, allow_fill=True)))
