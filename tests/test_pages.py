"""Every page through AppTest: filters set, pages switched, query parameters read and written."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGES = ["pages/overview.py", "pages/flows.py", "pages/corporate.py", "pages/survey.py", "pages/pairings.py",
         "pages/data_sources.py"]
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


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter as a list (AppTest keeps a single value as a plain string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def run(params: dict, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", COMBINATIONS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_page_renders_without_exception(page, params):
    at = run(params, page)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"


def test_empty_filter_result_shows_empty_state():
    at = run({"province": "Fujian", "direction": "us_to_cn"}, "pages/flows.py")
    assert any("No records match" in i.value for i in at.info)


def test_url_is_read_into_the_sidebar_and_written_back():
    at = run({"province": "Fujian", "state": "Ohio"})
    assert at.multiselect(key="f_province").value == ["CN-FJ"]
    assert at.multiselect(key="f_state").value == ["US-OH"]
    assert qp(at, "province") == ["Fujian"] and qp(at, "state") == ["Ohio"]


def test_changing_a_filter_rewrites_the_url_and_survives_a_page_switch():
    at = run({})
    at.multiselect(key="f_province").select("CN-HB").run()
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
    assert at.multiselect(key="f_province").value == []
    assert dict(at.query_params) == {}


def test_tables_send_at_most_a_thousand_rows_and_say_so():
    def script():
        import pandas as pd
        from components.table import show_table
        show_table(pd.DataFrame({"quantity": range(5_000), "unit": ["pieces"] * 5_000}), "zh")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 1_000
    assert at.dataframe[0].value["unit"].iloc[0] == "个"  # codes in the reader's language
    assert "5,000" in at.caption[0].value


def test_per_filter_views_are_shared_across_sessions_and_left_unmodified():
    """Two sessions with the same filters get the very same cached objects, and pages do not alter them."""
    from dataclasses import astuple

    import pandas as pd

    from atlas import query
    from atlas.filters import Filters
    from atlas.flowmap import build_flow_map, flow_table, text_summary
    from atlas.package import data_dir, load_package
    from components import views

    for page in ("pages/flows.py", "pages/overview.py", "pages/pairings.py"):
        for _ in range(2):
            at = run({"province": "Fujian"}, page)
            assert not at.exception
    f = Filters(provinces=("CN-FJ",))
    key, path = astuple(f), str(data_dir())
    flows = views._flows(path, key, "region", "en")
    assert flows is views._flows(path, key, "region", "en")
    pkg = load_package(data_dir())
    records = query.filter_records(query.flow_records(pkg), f)
    assert flows.rows == len(records) == 12 and flows.summary["donations"] == 8  # Fujian: 8 donations, 12 item lines
    fresh = build_flow_map(records, pkg, "region", "en")
    pd.testing.assert_frame_equal(flows.map.flows, fresh.flows)
    pd.testing.assert_frame_equal(flows.map.points, fresh.points)
    pd.testing.assert_frame_equal(flows.map.legend, fresh.legend)
    assert flows.summary == text_summary(records)
    pd.testing.assert_frame_equal(flows.table, flow_table(records))
    overview = views._overview(path, key)
    assert overview.summary == query.summary(records)
    pd.testing.assert_frame_equal(overview.category_totals, query.category_totals(records))
    pd.testing.assert_frame_equal(overview.region_giving, query.region_giving(records, pkg.regions))
    pd.testing.assert_frame_equal(views._pairings(path, ("CN-FJ",), ()),
                                  query.pairings_view(pkg, query.flow_records(pkg), f))
