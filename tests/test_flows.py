"""atlas.flows: the arcs of the flow map, place totals and the records' table, checked against the records."""
import pandas as pd
import pytest

from atlas import flows
from atlas.filters import Filters
from tests.conftest import matching
from atlas.engine import summary
from atlas.records import SCREEN_ROWS
from atlas.vocab import PHYSICAL_UNITS


def test_region_sums_equal_the_sum_of_their_records(records):
    arcs = flows.aggregate_flows(records, "region")
    physical = records[records["unit"].isin(["pieces", "items", "pairs"])
                       & (records["from_admin1"] != "") & (records["to_admin1"] != "")]
    expected = physical.groupby(["from_admin1", "to_admin1", "category"], observed=True)["quantity"].sum()
    got = arcs[arcs["unit"].isin(["pieces", "items", "pairs"])].set_index(["from_key", "to_key", "category"])["quantity"]
    pd.testing.assert_series_equal(got.sort_index(), expected.rename_axis(got.index.names).sort_index(), check_names=False,
                                   check_dtype=False)
    # Fujian to Ohio: the Heren Foundation's 1,000,000 masks (Table 1, row 15)
    row = arcs[(arcs["from_key"] == "CN-FJ") & (arcs["to_key"] == "US-OH") & (arcs["category"] == "mask_unspecified")]
    assert row["quantity"].iloc[0] == 1_000_000


def test_arcs_grow_with_place_pairs_not_records(records):
    doubled = pd.concat([records, records.assign(record_id=records["record_id"] + "-copy")], ignore_index=True)
    assert len(flows.aggregate_flows(doubled, "place")) == len(flows.aggregate_flows(records, "place"))


@pytest.mark.parametrize("level", flows.LEVELS)
def test_every_record_is_drawn_or_counted_unmapped(bundled, records, level):
    # what the map cannot draw at this level, by hand: an end without a province/state, or without a location
    ends_missing = ((records["from_admin1"] == "") | (records["to_admin1"] == "")) if level == "region" \
        else (records["from_lat"].isna() | records["to_lat"].isna())
    left_out = records[ends_missing]
    arcs = flows.aggregate_flows(records, level)
    drawn = records.drop(left_out.index)
    assert arcs["records"].sum() == drawn.groupby(["from_id", "to_id", "direction", "category", "unit"] if level == "place"
                                                  else ["from_admin1", "to_admin1", "direction", "category", "unit"],
                                                  observed=True)["record_no"].nunique().sum()
    fm = flows.flow_map(records, bundled, level)
    assert fm.unmapped == left_out["record_no"].nunique()


def test_ends_attach_coordinates_without_shifting_longitudes(bundled, records):
    coords = flows.coordinates(bundled, "region")
    arcs = flows.ends(flows.aggregate_flows(records, "region"), coords)
    fj_oh = arcs[(arcs["from_key"] == "CN-FJ") & (arcs["to_key"] == "US-OH")].iloc[0]
    regions = bundled.regions.set_index("admin1")
    assert fj_oh["from_lon"] == pytest.approx(float(regions.at["CN-FJ", "lon"])) and fj_oh["from_lon"] > 100
    assert fj_oh["to_lon"] == pytest.approx(float(regions.at["US-OH", "lon"])) and fj_oh["to_lon"] < -80
    assert fj_oh["from_name_en"] == "Fujian" and fj_oh["to_name_en"] == "Ohio"
    assert arcs[["from_lat", "to_lat"]].notna().all().all()


def test_place_totals_per_role(records):
    totals = flows.place_totals(records, "region")
    gave = totals[(totals["key"] == "CN-FJ") & (totals["role"] == "gave")]
    fujian = records[records["from_admin1"] == "CN-FJ"]
    assert gave["quantity"].sum() == fujian["quantity"].sum()
    assert "" not in set(totals["key"])


def test_width_scale_is_the_largest_physical_quantity(records):
    arcs = flows.aggregate_flows(records, "place")
    assert flows.width_scale(arcs) == arcs.loc[arcs["unit"].isin(PHYSICAL_UNITS), "quantity"].max()
    assert flows.width_scale(arcs[~arcs["unit"].isin(PHYSICAL_UNITS)]) == 1.0


def test_view_of_fujian(atlas_data, records):
    f = Filters(provinces=("CN-FJ",))
    fujian = matching(records, f)
    v = flows.view(atlas_data, f, "region")
    assert v.rows == len(fujian) == 12 and v.summary["donations"] == 8  # Fujian: 8 donations, 12 item lines
    assert v.summary == flows.text_summary(fujian)
    pd.testing.assert_frame_equal(v.table, flows.flow_table(fujian))
    pd.testing.assert_frame_equal(v.map.flows, flows.flow_map(fujian, atlas_data.package, "region").flows)
    assert set(v.map.flows["from_key"]) == {"CN-FJ"}
    assert flows.view(atlas_data, Filters(provinces=("CN-FJ",), direction="us_to_cn")) is None


def test_the_screen_table_is_cut_and_the_export_is_not(atlas_data, records):
    v = flows.view(atlas_data, Filters(), "place")
    assert len(v.table) == min(len(records), SCREEN_ROWS) and v.rows == len(records)
    export = flows.records_table(atlas_data, Filters())
    pd.testing.assert_frame_equal(export, flows.flow_table(records))
    pd.testing.assert_frame_equal(v.table, export.head(SCREEN_ROWS))
    f = Filters(categories=("letter",))
    assert flows.records_table(atlas_data, f)["record_id"].nunique() == 23


def test_text_summary_adds_the_places_each_side(records):
    s = flows.text_summary(records)
    assert {k: v for k, v in s.items() if k not in ("places_cn", "places_us")} == summary(records)
    cn = pd.concat([records.loc[records["direction"] == "cn_to_us", "from_id"].astype(str),
                    records.loc[records["direction"] == "us_to_cn", "to_id"].astype(str)]).nunique()
    us = pd.concat([records.loc[records["direction"] == "cn_to_us", "to_id"].astype(str),
                    records.loc[records["direction"] == "us_to_cn", "from_id"].astype(str)]).nunique()
    assert (s["places_cn"], s["places_us"]) == (cn, us)
