"""The numbers and geometry behind the flow map of issue #14: one width scale for the whole dataset, the
top-flows list, the Sankey's totals, curves that keep the two directions apart, a view fitted to the selection."""
import json

import pandas as pd
import pytest

from atlas import flows
from atlas.filters import Filters, parse_query
from atlas.vocab import MASKS, PHYSICAL_UNITS, PROMISED
from components import decks, map_exports
from components.charts_flows import build_flow_sankey
from tests.test_pages import COMBINATIONS


def filters_of(atlas_data, params: dict) -> Filters:
    params = {k: v for k, v in params.items() if k != "lang"}
    return parse_query(params, atlas_data.vocab).filters


def test_the_width_scale_is_the_whole_datasets_in_every_filter(atlas_data):
    scales = {flows.view(atlas_data, filters_of(atlas_data, p)).map.qmax
              for p in COMBINATIONS if flows.view(atlas_data, filters_of(atlas_data, p)) is not None}
    # Fujian's 1,000,000 masks to Ohio is the largest flow between a province and a state.
    assert scales == {1_000_000.0}
    legend = {tuple(decks.legend_widths(flows.view(atlas_data, filters_of(atlas_data, p)).map.qmax, "en"))
              for p in ({}, {"province": "Fujian", "state": "Maryland"}, {"from": "2020-06"})}
    assert len(legend) == 1


def test_the_top_flows_answer_what_fujian_sent(atlas_data):
    fm = flows.view(atlas_data, filters_of(atlas_data, {"province": "Fujian"})).map
    top = flows.top_flows(fm.flows)
    masks = top[top["category"].isin(MASKS)]
    got = {(r.to_name_en, r.quantity) for r in masks.itertuples()}
    # Table 1 of the CCG report: Fujian's mask donations (Tacoma -> Washington, Honolulu -> Hawaii, Baltimore -> Maryland).
    for expected in [("Ohio", 1_000_000), ("Washington", 70_000), ("Oregon", 50_000), ("Virginia", 50_000),
                     ("Pennsylvania", 50_000), ("New York", 50_000), ("Maryland", 50_000), ("Hawaii", 20_000)]:
        assert expected in got, expected
    assert top.iloc[0]["to_name_en"] == "Ohio" and list(top["rank"]) == list(range(1, len(top) + 1))
    assert set(top["direction"]) == {"cn_to_us"}
    phys = top["unit"].isin(PHYSICAL_UNITS)
    assert top.loc[phys, "quantity"].is_monotonic_decreasing


@pytest.mark.parametrize("params", COMBINATIONS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
@pytest.mark.parametrize("measure", flows.SANKEY_MEASURES)
def test_sankey_links_sum_to_the_records_tables_totals(atlas_data, params, measure):
    f = filters_of(atlas_data, params)
    links = flows.sankey_view(atlas_data, f, measure)
    table = flows.records_table(atlas_data, f)  # the table below the map, and its CSV
    table = table[~table["status"].isin(PROMISED)]  # what was given: a pledge is never inside the Sankey (issue 29)
    if measure == "masks":
        expected = table.loc[table["category"].isin(MASKS) & (table["unit"] == "pieces"), "quantity"].sum()
    elif measure == "items":
        expected = table.loc[table["unit"].isin(PHYSICAL_UNITS), "quantity"].sum()
    else:
        expected = table["record_id"].nunique()
    assert float(links["value"].sum()) == pytest.approx(float(expected))
    if len(links):
        chart = build_flow_sankey(links, atlas_data.package.regions, measure, "en", "s", "")
        assert sum(chart.figure.data[0].link.value) == pytest.approx(float(expected))
        assert chart.data["value"].sum() == pytest.approx(float(expected))


def test_the_two_directions_of_a_pair_bow_to_opposite_sides():
    there, *_ = decks.curve(-240.0, 26.0, -83.0, 40.0)
    back, *_ = decks.curve(-83.0, 40.0, -240.0, 26.0)
    mid_there, mid_back = there[len(there) // 2], back[len(back) // 2]
    assert mid_there[1] < 33 < mid_back[1], (mid_there, mid_back)  # China -> US bows south, US -> China north
    assert there[0] == [-240.0, 26.0] and there[-1] == [-83.0, 40.0]


def test_the_view_fits_the_selection_on_a_phone(atlas_data):
    fm = flows.view(atlas_data, filters_of(atlas_data, {"province": "Fujian"})).map
    view = decks.build_flow_deck(fm, "en", fit_width=340).initial_view_state
    # Centred over the Pacific between Fujian and the US east coast, not on Alaska (lat ~64) or off China.
    assert -180 <= view.longitude <= -150 and 20 < view.latitude < 45, (view.longitude, view.latitude)
    # Fujian and Ohio lie within a 390 px phone's 340 px map, with room for the largest circle at both edges.
    scale = 512 * 2 ** view.zoom / 360
    fj, oh = fm.coords.set_index("key").loc[["CN-FJ", "US-OH"], "lon"]
    assert (oh - (fj - 360)) * scale <= 340 - 2 * 20


def test_flows_are_flat_widest_on_top_and_circles_above_them(atlas_data):
    fm = flows.view(atlas_data, Filters()).map
    spec = json.loads(decks.build_flow_deck(fm, "en").to_json())
    ids = [layer["id"] for layer in spec["layers"]]
    assert ids.index("flows") < ids.index("places") < ids.index("labels")
    flows_layer = spec["layers"][ids.index("flows")]
    assert flows_layer["@@type"] == "PathLayer"  # no 3D arcs
    widths = [d["width"] for d in flows_layer["data"]]
    assert widths == sorted(widths)
    assert all(d["colour"][3] < 255 for d in flows_layer["data"])  # semi-transparent
    assert flows_layer["widthUnits"] == "pixels"
    controller = spec["views"][0]["controller"]
    assert controller["scrollZoom"] is True  # with Ctrl/Cmd only: the page's script stops a bare wheel (tests/e2e/test_flow_map.py)


def test_records_are_counted_with_the_right_plural():
    assert decks.records_text(1, "en") == "1 record" and decks.records_text(2, "en") == "2 records"


def test_the_html_export_carries_title_legend_filters_source_and_licence(atlas_data):
    fm = flows.view(atlas_data, filters_of(atlas_data, {"province": "Fujian"})).map
    html = map_exports.flow_map_html(fm, "en", "Chinese province: Fujian", "http://example.org/flows?province=Fujian").decode()
    assert "<title>Who sent what to whom: flows between China and the US</title>" in html
    for text in ("Filters: Chinese province: Fujian", "Source: CCG (2020)", "Natural Earth", "http://example.org/flows",
                 "Surgical masks (China to US): 340,000 pieces"):
        assert text in html, text
    assert "pydeck</title>" not in html
