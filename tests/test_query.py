"""Filtering and aggregation against figures printed in the CCG report."""
import pandas as pd
import pytest

from atlas import query
from atlas.filters import Filters
from atlas.package import load_package


@pytest.fixture(scope="module")
def pkg():
    return load_package()


@pytest.fixture(scope="module")
def records(pkg):
    return query.flow_records(pkg)


def test_fujian_is_eight_table1_donations_to_eight_recipients(records):
    r = query.filter_records(records, Filters(provinces=("CN-FJ",)))
    assert set(r["source_ref"]) == {f"Table 1, row {n}" for n in range(8, 16)}
    assert r["to_id"].nunique() == 8


def test_region_sums_equal_the_sum_of_their_records(records):
    flows = query.aggregate_flows(records, "region")
    physical = records[records["unit"].isin(["pieces", "items", "pairs"])
                       & (records["from_admin1"] != "") & (records["to_admin1"] != "")]
    expected = physical.groupby(["from_admin1", "to_admin1", "category"], observed=True)["quantity"].sum()
    got = flows[flows["unit"].isin(["pieces", "items", "pairs"])].set_index(["from_key", "to_key", "category"])["quantity"]
    pd.testing.assert_series_equal(got.sort_index(), expected.rename_axis(got.index.names).sort_index(), check_names=False,
                                   check_dtype=False)
    # Fujian to Ohio: the Heren Foundation's 1,000,000 masks (Table 1, row 15)
    row = flows[(flows["from_key"] == "CN-FJ") & (flows["to_key"] == "US-OH") & (flows["category"] == "mask_unspecified")]
    assert row["quantity"].iloc[0] == 1_000_000


def test_arcs_grow_with_place_pairs_not_records(records):
    doubled = pd.concat([records, records.assign(record_id=records["record_id"] + "-copy")], ignore_index=True)
    assert len(query.aggregate_flows(doubled, "place")) == len(query.aggregate_flows(records, "place"))


def test_direction_and_category_filters(records):
    us = query.filter_records(records, Filters(direction="us_to_cn"))
    assert set(us["direction"]) == {"us_to_cn"}
    letters = query.filter_records(records, Filters(categories=("letter",)))
    assert letters["record_id"].nunique() == 23  # Table 2: 23 of the 31 printed rows are letters


def test_empty_result_is_an_empty_frame(records):
    r = query.filter_records(records, Filters(provinces=("CN-FJ",), direction="us_to_cn"))
    assert r.empty
    s = query.summary(r)
    assert s["donations"] == 0 and s["masks_cn_to_us"] == 0


def test_summary_of_everything(records):
    s = query.summary(records)
    assert s["messages"] == 31
    # Table 1's masks plus the masks named in the text (Ohio's 4,000 to Hubei; 10,000 to Yale; 30,000 pledged to San Antonio)
    assert s["masks_us_to_cn"] == 4_000
    assert s["masks_cn_to_us"] == 2_624_076 + 10_000 + 30_000


def test_search_table_finds_text_in_any_cell_literally(pkg):
    found = query.search_table(pkg.places, "fujian")
    assert len(found) >= 1 and found["name_en"].str.contains("Fujian", case=False).any()
    literal = pkg.places.apply(lambda row: any("(" in str(v) for v in row), axis=1).sum()
    assert len(query.search_table(pkg.places, "(")) == literal  # read literally, not as a (broken) regex
    assert len(query.search_table(pkg.places, "  ")) == len(pkg.places)
    assert query.search_table(pkg.places, "no such place anywhere").empty
