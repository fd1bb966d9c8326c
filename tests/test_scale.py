"""What keeps the flows, overview and pairings pages cheap at a million records (issue #7).

The map draws at most MAX_ARCS arcs but its legend counts every one; screens get the first rows of
tables only; the fast paths (integer record numbers, first-row cuts, distinct pairs first) give the
same answers as the plain ones. Checked on a synthetic package of 3,000 donations over the real places.
"""
import numpy as np
import pandas as pd
import pytest

from atlas import pairings
from atlas.filters import Filters
from atlas.flows import (MAX_ARCS, aggregate_flows, flow_map, flow_table, legend, records_by_key, text_summary,
                         top_arcs)
from atlas.overview import summary
from atlas.records import load
from atlas.vocab import PROMISED
from benchmarks import generate

N = 3_000


@pytest.fixture(scope="module")
def big_data(tmp_path_factory):
    return load(generate.generate(N, tmp_path_factory.mktemp("pkg"), seed=7))


@pytest.fixture(scope="module")
def big(big_data):
    return big_data.package, big_data.records


def test_map_draws_the_arcs_with_most_records_and_the_legend_counts_all(big):
    pkg, records = big
    fm = flow_map(records, pkg, "place")
    everything = aggregate_flows(records, "place")
    assert fm.arcs_total == len(everything) > MAX_ARCS
    assert fm.capped and len(fm.flows) == MAX_ARCS
    # No arc left out has more records than one drawn.
    drawn = set(zip(fm.flows["from_key"], fm.flows["to_key"], fm.flows["category"], fm.flows["unit"]))
    left = everything[[k not in drawn for k in zip(everything["from_key"], everything["to_key"], everything["category"], everything["unit"])]]
    assert left["records"].max() <= fm.flows["records"].min()
    # The legend is over every arc: its records add up to the records' (record, category, unit) combinations drawn anywhere.
    assert fm.legend["records"].sum() == everything["records"].sum()
    mapped = records[records["from_lat"].notna() & records["to_lat"].notna()]
    # per direction: the legend never sums the two directions together (issue 29)
    by_cat = mapped.groupby(["direction", "category", "unit"], observed=True)["quantity"].sum()
    for _, row in fm.legend.iterrows():
        assert row["quantity"] == pytest.approx(by_cat[(row["direction"], row["category"], row["unit"])])


def test_the_bundled_map_is_not_capped(bundled, records):
    assert bundled.path == generate.BUNDLED
    pkg = bundled
    for level in ("region", "place"):
        fm = flow_map(records, pkg, level)
        assert not fm.capped and fm.arcs_total == len(fm.flows) < MAX_ARCS
        pd.testing.assert_frame_equal(fm.legend, legend(fm.flows))


def test_top_arcs_is_stable_and_breaks_ties_by_quantity():
    flows = pd.DataFrame({"from_key": list("abcdef"), "to_key": list("uvwxyz"), "records": [1, 3, 2, 3, 1, 2],
                          "quantity": [5.0, 1.0, 9.0, 2.0, np.nan, 8.0]})
    top = top_arcs(flows, 3)
    assert list(top["from_key"]) == ["b", "c", "d"]  # 3, 3 records; then 2 records with quantity 9 over 8; original order kept
    assert top_arcs(flows, 10) is flows


def _records_by_key_plain(records, level, limit=9):
    """The plain version the fast one replaced: distinct (record, end) pairs, first `limit` per end."""
    keys = ("from_admin1", "to_admin1") if level == "region" else ("from_id", "to_id")
    out = {}
    for key in keys:
        head = records.drop_duplicates(["record_id", key]).groupby(key, observed=True).head(limit)
        for k, ref in zip(head[key], head["source_ref"]):
            if k:
                out.setdefault(k, [])
                if ref not in out[k] and len(out[k]) < limit:
                    out[k].append(ref if len(ref) < 40 else ref[:37] + "…")
    return out


@pytest.mark.parametrize("level", ["region", "place"])
@pytest.mark.parametrize("order", ["as loaded", "shuffled"])
def test_record_references_per_place_match_the_plain_computation(big, level, order):
    _, records = big
    if order == "shuffled":  # a record's rows no longer adjacent: the first-row cut must not change the answer
        records = records.sample(frac=1.0, random_state=3)
    assert records_by_key(records, level) == _records_by_key_plain(records, level)


def test_counts_by_record_number_equal_counts_by_record_id(big):
    pkg, records = big
    assert records["record_no"].nunique() == records["record_id"].nunique()
    s = summary(records)
    don = records[records["record_kind"] == "donation"]
    assert s["donations"] == don["record_id"].nunique() == len(pkg.donations) == N + 76  # 76 bundled donation records
    assert s["messages"] == records.loc[records["record_kind"] == "message", "record_id"].nunique() == 31  # Table 2
    plain = records.groupby(["from_id", "to_id", "direction", "category", "unit"], observed=True)["record_id"].nunique()
    flows = aggregate_flows(records, "place").set_index(["from_key", "to_key", "direction", "category", "unit"])["records"]
    assert (plain.loc[flows.index].to_numpy() == flows.to_numpy()).all()
    undisclosed = records.groupby(["from_id", "to_id", "direction", "category", "unit"], observed=True)["quantity"].apply(
        lambda s: int(s.isna().sum()))
    flows_u = aggregate_flows(records, "place").set_index(["from_key", "to_key", "direction", "category", "unit"])["undisclosed"]
    assert (undisclosed.loc[flows_u.index].to_numpy() == flows_u.to_numpy()).all()


def test_a_screen_table_is_the_first_rows_of_the_export_table(big):
    _, records = big
    pd.testing.assert_frame_equal(flow_table(records, 1_000), flow_table(records).head(1_000))
    assert len(flow_table(records)) == len(records) > 1_000


def test_pairings_see_help_between_the_same_pairs_as_before(big_data):
    records = big_data.records
    records = records[~records["status"].isin(PROMISED)]  # help given, not promised (atlas.engine)
    view = pairings.view(big_data, Filters())
    cn = records[records["direction"] == "cn_to_us"]
    us = records[records["direction"] == "us_to_cn"]
    # an agency stands for the government it is part of (places.part_of: Ohio's Development Services Agency)
    parent = big_data.package.places.set_index("place_id")["part_of"].replace("", None).dropna()
    up = lambda ids: ids.astype(str).map(parent).fillna(ids.astype(str))
    k1 = set(zip(up(cn["from_id"]), up(cn["to_id"])))
    k2 = set(zip(up(us["to_id"]), up(us["from_id"])))
    # help of 2020 counts only within relationships that existed then (atlas.pairings: Fuzhou-Honolulu, 2021)
    later = big_data.package.pairings[pairings.first_year(big_data.package.pairings["established"]) > 2020]
    for pair in zip(later["cn_place_id"], later["us_place_id"]):
        k1.discard(pair), k2.discard(pair)
    pairs = list(zip(view["cn_place_id"], view["us_place_id"]))
    assert view["help_cn_to_us"].tolist() == [p in k1 for p in pairs]
    assert view["help_us_to_cn"].tolist() == [p in k2 for p in pairs]
    assert view["help_cn_to_us"].any()


def test_summary_places_count_both_directions(big):
    _, records = big
    s = text_summary(records)
    cn = pd.concat([records.loc[records["direction"] == "cn_to_us", "from_id"].astype(str),
                    records.loc[records["direction"] == "us_to_cn", "to_id"].astype(str)]).nunique()
    assert s["places_cn"] == cn
