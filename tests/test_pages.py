"""Every page through AppTest: filters set, pages switched, query parameters read and written.

Hostile input in the app (issues #4 and #7): a crafted link applies nothing, is written back without
the dropped parameters and each dropped value is shown as the text typed; with the hostile package
(markup in names, a link in a source title, formulas in cells) every page shows the data as text:
maps with text tooltips, tables with the raw strings, markdown escaped.
"""
import json

import pytest
from streamlit.testing.v1 import AppTest

from components.site import PAGES as REGISTRY
from tests.conftest import (BREAKOUT, CMD, HOSTILE_PLACE, IMG, LINK, PAGES, ROOT, SCRIPT, SCRIPT_DONATION,
                            assert_markdown_safe, qp, run_app, visible)

pytestmark = pytest.mark.app  # the app tier (pytest.ini): not in `make check`

COMBINATIONS = [
    {},
    {"province": "Fujian"},
    {"state": "Ohio"},
    {"province": "Fujian", "state": "Ohio"},
    {"province": "Fujian", "direction": "us_to_cn"},   # matches nothing
    {"category": "letter", "actor": "government"},
    {"from": "2020-05", "to": "2020-05"},
    {"lang": "zh", "province": "Hubei"},
]


def run(params: dict, page: str | None = None) -> AppTest:
    return run_app(params, page)


def test_the_registry_lists_every_page_file():
    assert PAGES == [p.file for p in REGISTRY] and len(PAGES) == 6
    assert sorted(PAGES) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page_file", PAGES)
@pytest.mark.parametrize("params", COMBINATIONS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_page_renders_without_exception(page_file, params):
    at = run(params, page_file)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"


def test_empty_filter_result_shows_empty_state():
    at = run({"province": "Fujian", "direction": "us_to_cn"}, "pages/flows.py")
    assert any("No records match" in i.value for i in at.info)


def test_url_is_read_into_the_sidebar_and_written_back():
    at = run({"province": "Fujian", "state": "Ohio"})
    assert at.multiselect(key="filter_province_0").value == ["CN-FJ"]
    assert at.multiselect(key="filter_state_0").value == ["US-OH"]
    assert qp(at, "province") == ["Fujian"] and qp(at, "state") == ["Ohio"]


def test_changing_a_filter_rewrites_the_url_and_survives_a_page_switch():
    at = run({})
    at.multiselect(key="filter_province_0").select("CN-HB").run()
    assert qp(at, "province") == ["Hubei"]
    at.switch_page("pages/survey.py").run()
    assert qp(at, "province") == ["Hubei"]
    # The survey has no province: the page says so plainly.
    assert any("Not applied" in i.value for i in at.info)


def test_unknown_values_are_dropped_with_a_warning():
    at = run({"province": "<script>alert(1)</script>", "state": "Narnia"})
    warnings = [w.value for w in at.warning]
    assert any("Narnia" in w for w in warnings)
    # The hostile value is shown, with every markdown character escaped so it renders as typed.
    assert any(r"\<script\>alert\(1\)\</script\>" in w for w in warnings)
    assert "province" not in at.query_params and "state" not in at.query_params


def test_reset_clears_the_filters():
    at = run({"province": "Fujian", "direction": "cn_to_us"})
    at.sidebar.button[0].click().run()
    # Reset re-creates every widget from the state: their keys are of the next generation.
    assert at.multiselect(key="filter_province_1").value == []
    assert dict(at.query_params) == {}


def test_reset_clears_other_pages_view_options_too_and_keeps_the_language():
    """Issue #31: a table tab, the map's level, the data page's table and search no longer ride in every copied
    link after a reset."""
    at = run({"province": "Fujian", "level": "place", "as_table": "corporate", "table": "donations", "q": "Fujian",
              "measure": "records", "currency": "USD", "basemap": "1", "from": "2020-03", "lang": "zh"})
    assert {"level", "as_table", "table", "q", "measure", "currency", "basemap", "from"} <= set(at.query_params)
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert dict(at.query_params) == {"lang": "zh"}


def test_tables_send_at_most_a_thousand_rows_and_say_so():
    def script():
        import pandas as pd
        from components.tables import show_table
        show_table(pd.DataFrame({"quantity": range(5_000), "unit": ["pieces"] * 5_000}), "zh")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 1_000
    assert at.dataframe[0].value["unit"].iloc[0] == "个"  # codes in the reader's language
    assert "5,000" in at.caption[0].value


def test_per_filter_views_are_shared_across_sessions_and_left_unmodified(atlas_data):
    """Two sessions with the same filters get the very same cached objects, and pages do not alter them."""
    import pandas as pd

    from atlas import engine, flows, overview, pairings
    from atlas.filters import Filters
    from tests.conftest import matching
    from components import data
    from components.decks import place_points

    for page in ("pages/flows.py", "pages/overview.py", "pages/pairings.py"):
        for _ in range(2):
            at = run({"province": "Fujian"}, page)
            assert not at.exception
    f = Filters(provinces=("CN-FJ",))
    view = data.view(flows.view, f, level="region")
    assert view is data.view(flows.view, f, "zh", level="region"), "one entry whatever the language"
    records = matching(atlas_data.records, f)
    assert view.rows == len(records) == 12 and view.summary["donations"] == 8  # Fujian: 8 donations, 12 item lines
    fresh = flows.flow_map(records, atlas_data.package, "region")
    pd.testing.assert_frame_equal(view.map.flows, fresh.flows)
    pd.testing.assert_frame_equal(view.map.totals, fresh.totals)
    assert view.map.records_by_key == fresh.records_by_key
    pd.testing.assert_frame_equal(place_points(view.map.totals, view.map.coords, view.map.records_by_key, "en"),
                                  place_points(fresh.totals, fresh.coords, fresh.records_by_key, "en"))
    pd.testing.assert_frame_equal(view.map.legend, fresh.legend)
    assert view.summary == flows.text_summary(records)
    pd.testing.assert_frame_equal(view.table, flows.flow_table(records))
    over = data.view(overview.view, f)
    assert over is data.view(overview.view, f)
    assert over.summary == engine.summary(records)
    pd.testing.assert_frame_equal(over.category_totals, overview.category_totals(records))
    pd.testing.assert_frame_equal(over.region_giving, overview.region_giving(records, atlas_data.package.regions))
    pairs = data.view(pairings.view, f)
    assert pairs is data.view(pairings.view, f)
    pd.testing.assert_frame_equal(pairs, pairings.view(atlas_data, f))


# --- hostile links -------------------------------------------------------------------------------

def test_hostile_link_in_the_app():
    params = {"province": [SCRIPT, "Narnia"], "state": "S" * 10_000, "category": CMD, "from": "2020-13",
              "to": "yesterday", "utm_source": "x", "lang": IMG}
    at = run_app(params)
    assert not at.exception, [e.message for e in at.exception]
    # Nothing was applied ...
    assert at.multiselect(key="filter_province_0").value == [] and at.multiselect(key="filter_state_0").value == []
    assert at.multiselect(key="filter_category_0").value == []
    assert at.radio(key="filter_lang_0").value == "en"
    # ... and the URL is written back without the dropped parameters.
    assert not set(at.query_params) & {"province", "state", "category", "from", "to", "utm_source", "lang"}
    # Each dropped value has a warning, shown as the text that was typed.
    warnings = [visible(w.value) for w in at.warning]
    assert len(warnings) == 8, warnings
    for shown in (SCRIPT, "Narnia", CMD, "2020-13", "yesterday", "utm_source", IMG):
        assert any(shown in w for w in warnings), (shown, warnings)
    long = [w for w in warnings if "S" * 40 in w]
    assert len(long) == 1 and "S" * 40 + "…" in long[0] and "S" * 41 not in long[0]
    assert max(len(w) for w in warnings) < 400
    assert_markdown_safe(at)


def test_hundred_repeated_provinces_in_the_app():
    at = run_app({"province": ["Fujian"] * 100})
    assert not at.exception
    assert at.multiselect(key="filter_province_0").value == ["CN-FJ"]
    assert qp(at, "province") == ["Fujian"]
    assert [visible(w.value) for w in at.warning] and any("100 values" in visible(w.value) for w in at.warning)
    assert len(at.warning) == 1


def test_bad_range_in_the_app_leaves_the_dates_unfiltered():
    at = run_app({"from": "2020-06", "to": "2020-03"})
    assert not at.exception
    start, end = at.selectbox(key="filter_dates_0_from"), at.selectbox(key="filter_dates_0_to")
    assert (start.index, end.index) == (0, len(end.options) - 1) and (start.options[0], end.options[-1]) == ("Jan 2007", "Nov 2025")
    assert at.radio(key="filter_dates_0_preset").value == "all"
    assert "from" not in at.query_params and "to" not in at.query_params
    assert len(at.warning) == 1 and "2020-06 > 2020-03" in visible(at.warning[0].value)


# --- the hostile package, page by page -----------------------------------------------------------

def hostile_app(monkeypatch, hostile_dir, page: str) -> AppTest:
    monkeypatch.setenv("ATLAS_DATA_DIR", str(hostile_dir))
    at = run_app(page=page)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def deck_elements(at: AppTest) -> list:
    return list(at.get("deck_gl_json_chart"))


def test_flows_page_shows_hostile_names_as_text(monkeypatch, hostile_dir):
    at = hostile_app(monkeypatch, hostile_dir, "pages/flows.py")
    at.segmented_control(key="filter_level_0").set_value("place").run()
    assert not at.exception
    # The map: text tooltips, raw names in the data (JSON-escaped only, never HTML-escaped).
    (deck,) = deck_elements(at)
    tip = json.loads(deck.proto.tooltip)
    assert "html" not in tip and tip["text"] == "{tooltip}"
    spec = json.loads(deck.proto.json)
    places = next(layer["data"] for layer in spec["layers"] if layer["id"] == "places")
    assert [p["tooltip"].split(" (")[0] for p in places if p["key"] == HOSTILE_PLACE] == [IMG]
    assert "&lt;img" not in deck.proto.json
    # The records table holds the raw strings (Streamlit draws cells as text).
    table = next(df.value for df in at.dataframe if "from_name_en" in df.value.columns)
    assert (table.loc[table["record_id"] == SCRIPT_DONATION, "from_name_en"] == IMG).all()
    assert (table.loc[table["record_id"] == SCRIPT_DONATION, "from_as_printed"] == SCRIPT).all()
    assert (table["to_name_en"] == BREAKOUT).any()
    # Markdown: the sources list shows the hostile title as typed, without rendering it.
    seen = assert_markdown_safe(at)
    assert any(f"{LINK} {IMG}" in s for s in seen), "the source title is shown as text"


def test_pairings_page_shows_hostile_names_as_text(monkeypatch, hostile_dir):
    at = hostile_app(monkeypatch, hostile_dir, "pages/pairings.py")
    (deck,) = deck_elements(at)
    assert "html" not in json.loads(deck.proto.tooltip)
    arcs = next(layer["data"] for layer in json.loads(deck.proto.json)["layers"] if layer["id"] == "pairs")
    assert any(a["tooltip"].startswith(IMG) for a in arcs)
    table = next(df.value for df in at.dataframe if "china" in df.value.columns)
    assert (table["china"] == IMG).any()
    assert_markdown_safe(at)


def test_corporate_page_captions_escape_the_data(monkeypatch, hostile_dir):
    at = hostile_app(monkeypatch, hostile_dir, "pages/corporate.py")
    seen = assert_markdown_safe(at)
    assert any(f"{IMG} {LINK}" in s for s in seen), "the figure's description is shown as text"
    assert any(SCRIPT in visible(m.label) for m in at.metric), "the actor is shown as text"


def test_data_page_shows_hostile_rows_as_text(monkeypatch, hostile_dir):
    at = hostile_app(monkeypatch, hostile_dir, "pages/data_sources.py")
    at.selectbox(key="filter_table_0").select("places").run()
    at.text_input(key="filter_q_0").input("alert(1)").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "place_id" in df.value.columns)
    assert set(table["place_id"]) == {HOSTILE_PLACE}
    assert table["name_en"].tolist() == [IMG] and table["name_zh"].tolist() == [IMG]
    assert_markdown_safe(at)


def test_error_page_escapes_the_bad_value(monkeypatch, tmp_path):
    import shutil

    import pandas as pd

    dest = tmp_path / "pkg"
    shutil.copytree(ROOT / "data", dest)
    path = dest / "corporate_donations.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "amount_cny"] = f"{LINK}{IMG}"
    df.to_csv(path, index=False)
    monkeypatch.setenv("ATLAS_DATA_DIR", str(dest))
    at = run_app()
    assert not at.exception and len(at.error) == 1
    # shown as typed, as a short excerpt (issue #17: never more than EXCERPT characters of what was read)
    from atlas.package import EXCERPT
    assert repr(f"{LINK}{IMG}"[:EXCERPT - 1] + "…") in visible(at.error[0].value)
    assert_markdown_safe(at)


def test_timeline_says_which_active_filters_it_does_not_apply():
    """The timeline shows only the date filter: with a state set, it says "not filtered by US state",
    never "All records (no filters)" (issue #15)."""
    captions = [c.value for c in run({"state": "Ohio"}, "pages/overview.py").caption]
    timeline = [c for c in captions if c.startswith("Each dot is a figure")]
    assert timeline and "not filtered by US state" in timeline[0] and "no filters" not in timeline[0], timeline
    both = [c.value.replace("\\", "") for c in run({"state": "Ohio", "from": "2020-01"}, "pages/overview.py").caption]
    timeline = [c for c in both if c.startswith("Each dot is a figure")][0]
    assert "2020-01" in timeline and "not filtered by US state" in timeline
    zh = [c.value for c in run({"state": "Ohio", "lang": "zh"}, "pages/overview.py").caption]
    assert any("未按美国州筛选" in c for c in zh), zh


def test_corporate_cards_read_short_and_the_rate_keeps_two_decimals():
    at = run({}, "pages/corporate.py")
    values = [(m.label, m.value) for m in at.metric]
    assert ("Qualcomm", "CNY 7 million") in values and ("AmCham China member companies", "USD 74 million") in values
    assert {"CNY 538 million", "103 companies", "25.7%"} <= {v for _, v in values}
    assert any("CNY 6.90 per USD" in c.value for c in at.caption)
    zh = {m.value for m in run({"lang": "zh"}, "pages/corporate.py").metric}
    assert {"5.38亿元", "7,400万美元", "103家企业"} <= zh


def test_overview_items_chart_is_linear_unless_the_reader_picks_log():
    import json as _json
    def first_axis(params):
        at = run(params, "pages/overview.py")
        specs = [_json.loads(el.proto.spec) for el in at.get("plotly_chart")]
        return specs[0]["layout"]["xaxis"]["type"]
    assert first_axis({}) == "linear"
    assert first_axis({"scale": "log"}) == "log"


# --- the date field set by hand (issue #31): presets and month pickers, the URL keys from/to as before -----------

def test_a_date_preset_sets_both_ends_and_the_pickers():
    at = run_app()
    at.radio(key="filter_dates_0_preset").set_value("us_outbreak").run()
    assert not at.exception
    assert (qp(at, "from"), qp(at, "to")) == (["2020-03"], ["2020-05"])
    assert (at.selectbox(key="filter_dates_0_from").value, at.selectbox(key="filter_dates_0_to").value) == ("2020-03", "2020-05")
    # To lists only the months from From on, so a range cannot be set upside down
    assert at.selectbox(key="filter_dates_0_to").options[0] == "Mar 2020"
    at.selectbox(key="filter_dates_0_to").set_value("2020-04").run()
    assert (qp(at, "from"), qp(at, "to")) == (["2020-03"], ["2020-04"])
    assert at.radio(key="filter_dates_0_preset").value == "custom"
    at.radio(key="filter_dates_0_preset").set_value("all").run()
    assert "from" not in at.query_params and "to" not in at.query_params


def test_a_from_after_to_moves_to_and_a_link_opens_on_its_preset():
    at = run_app({"from": "2020-01", "to": "2020-03", "lang": "zh"})
    assert at.radio(key="filter_dates_0_preset").value == "china_outbreak"
    assert at.selectbox(key="filter_dates_0_from").options[at.selectbox(key="filter_dates_0_from").index] == "2020年1月"
    at.selectbox(key="filter_dates_0_from").set_value("2021-06").run()
    assert (qp(at, "from"), qp(at, "to")) == (["2021-06"], ["2021-06"])
    at.selectbox(key="filter_dates_0_from").set_value("2007-01").run()
    assert "from" not in at.query_params and qp(at, "to") == ["2021-06"]


def test_a_date_picker_without_a_value_falls_back_to_the_view():
    """A browser that has lost a picker's own value (Streamlit's frontend then shows the widget's default and sends
    it, or sends none) leaves the view's dates as they are. With Streamlit's default index, To fell back to its first
    option and a CI run's /flows?province=Fujian&state=Maryland became ...&to=2007-01, an empty page."""
    for params in ({"province": "Fujian", "state": "Maryland"}, {"from": "2020-03", "to": "2020-05"}):
        at = run_app(params)
        widgets = {"preset": at.radio(key="filter_dates_0_preset"), "from": at.selectbox(key="filter_dates_0_from"),
                   "to": at.selectbox(key="filter_dates_0_to")}
        shown = {name: w.value for name, w in widgets.items()}
        for name, w in widgets.items():
            # what the browser falls back to is what it shows now
            assert w.options[w.proto.default] == w.options[w.index], (params, name)
        for name in ("from", "to", "preset"):
            key = f"filter_dates_0_{name}"
            (at.radio if name == "preset" else at.selectbox)(key=key).set_value(None).run()
            assert not at.exception
            assert {k: qp(at, k) for k in ("from", "to")} == {k: [params[k]] if k in params else [] for k in ("from", "to")}, (params, name)
            assert at.selectbox(key="filter_dates_0_to").value == shown["to"], (params, name)


def test_the_data_page_cites_the_package_with_its_version_and_sources():
    at = run_app(page="pages/data_sources.py")
    assert not at.exception
    cited = [c.value for c in at.code if "Cooperation Atlas data package" in c.value]
    assert len(cited) == 1 and "version 2.0.0" in cited[0] and "four press sources" not in cited[0]
    assert "163 further sources listed in sources.csv" in cited[0]


def test_one_is_singular_in_the_unmapped_and_inferred_captions():
    """Issue #31: "1 records are not drawn", "1 more pairs shown"."""
    flows_captions = [c.value for c in run({"province": "Hebei"}, "pages/flows.py").caption]
    assert any(c.startswith("1 record is not drawn") for c in flows_captions), flows_captions
    assert not any("1 records" in c for c in flows_captions)
    # Beijing: one pair only inferred from help (Anhui's became stated when Maryland's list was quoted, issue 32)
    pairs_captions = [c.value for c in run({"province": "Beijing"}, "pages/pairings.py").caption]
    assert any(c.startswith("1 more pair shown is only inferred") for c in pairs_captions), pairs_captions
    assert not any("1 more pairs" in c for c in pairs_captions)
