"""components.charts: the chart builders (title, subtitle, source and numbers baked into the figure) and HTML export.

Hostile names (issue #4): an exported interactive chart keeps a company named `</script><img …>`
inside its data script; no element or inline event handler comes out of the data.
"""
import pandas as pd
import pytest

from atlas.text import plot_text

from atlas import corporate, overview, survey
from atlas.filters import Filters
from atlas.i18n import label, t
from components import charts
from components.theme import FONT, OKABE_ITO
from tests.conftest import BREAKOUT, IMG, event_handlers, parse_html


def assert_framed(chart: charts.Chart) -> None:
    """Title, subtitle and source are in the figure itself, so every export carries them; the template is explicit."""
    layout = chart.figure.layout
    assert chart.title in layout.title.text and layout.title.subtitle.text == chart.subtitle
    assert any(a.text == chart.source for a in layout.annotations)
    assert layout.template.layout.font.family == FONT, "never Streamlit's placeholder template"


def test_corporate_chart_in_dollars(bundled):
    giving = corporate.giving(bundled, "USD")
    chart = charts.build_corporate_chart(giving, "USD", "en", t("source.ccg_table4", "en"), "no filters")
    assert_framed(chart)
    assert chart.slug == "corporate-giving"
    assert chart.data.columns.tolist() == ["rank", "company", "company_as_printed", "amount_cny", "amount_usd"]
    assert chart.data["rank"].tolist() == sorted(bundled.corporate_donations["rank"])
    assert chart.data["amount_usd"].tolist() == pytest.approx((chart.data["amount_cny"] / 6.90).tolist())
    bar = chart.figure.data[0]
    assert list(bar.y)[-1] == "1  Citadel" and sum(1 for y in bar.y if y.startswith("10=")) == 7
    assert [c for c, tie in zip(bar.marker.color, giving["tied"]) if tie] == [OKABE_ITO["grey"]] * 7
    yuan = charts.build_corporate_chart(corporate.giving(bundled, "CNY"), "CNY", "zh", "来源", "无筛选")
    assert "amount_usd" not in yuan.data.columns and yuan.title == t("corporate.title", "zh")


def test_survey_chart_draws_the_nine_findings_with_intervals(bundled):
    chart = charts.build_survey_chart(bundled.survey_findings, "en", t("source.ccg_survey", "en", n="1,776"))
    assert_framed(chart)
    assert len(chart.data) == 9 and (chart.data["base_n"] == 1_776).all()
    pd.testing.assert_frame_equal(chart.data[["finding_id", "percent", "ci95_low", "ci95_high"]],
                                  survey.survey_table(bundled.survey_findings)[
                                      ["finding_id", "percent", "ci95_low", "ci95_high"]].reset_index(drop=True))
    assert sum(len(trace.x) for trace in chart.figure.data) == 9
    assert "1,776" in chart.subtitle


def test_category_chart_draws_physical_items_only(records):
    totals = overview.category_totals(records)
    chart = charts.build_category_chart(totals, "en", t("source.ccg_tables", "en"), "no filters")
    assert_framed(chart)
    assert set(chart.data["unit"]) <= {"pieces", "items", "pairs"}
    assert "letter" not in set(chart.data["category"]) and "cash" not in set(chart.data["category"])
    assert [trace.name for trace in chart.figure.data] == [label("direction", d, "en") for d in ("cn_to_us", "us_to_cn")]
    physical = totals[totals["unit"].isin(["pieces", "items", "pairs"])]
    assert chart.data["quantity"].sum() == physical["quantity"].sum()


def test_region_chart_has_a_panel_per_country(records, bundled):
    g = overview.region_giving(records, bundled.regions)
    chart = charts.build_region_chart(g, "zh", "来源", "无筛选")
    assert_framed(chart)
    assert set(chart.data["country"]) == {"CN", "US"}
    fujian = chart.data[(chart.data["admin1"] == "CN-FJ") & (chart.data["role"] == "gave")]
    assert fujian["donations"].tolist() == [8]


def test_timeline_and_figures_charts(bundled):
    kf = overview.timeline_figures(bundled.key_figures, Filters())
    chart = charts.build_timeline_chart(kf, "en", t("source.all", "en"), "no filters")
    assert_framed(chart)
    assert len(chart.data) == len(kf) and sum(len(trace.x) for trace in chart.figure.data) == len(kf)
    rows = corporate.domestic_figures(bundled.key_figures, "online")
    bars = charts.build_figures_chart(rows, "china-tech-philanthropy-online", "Online giving", "CNY", "en", "Source")
    assert_framed(bars)
    assert bars.slug == "china-tech-philanthropy-online"
    assert bars.data["figure_id"].tolist() == corporate.DOMESTIC_GROUPS["online"]


def test_dark_charts_differ_only_in_colours(bundled):
    light = charts.build_survey_chart(bundled.survey_findings, "en", "Source", dark=False)
    dark = charts.build_survey_chart(bundled.survey_findings, "en", "Source", dark=True)
    assert light.figure.layout.template.layout.paper_bgcolor != dark.figure.layout.template.layout.paper_bgcolor
    pd.testing.assert_frame_equal(light.data, dark.data)


def test_wrap_breaks_long_lines_at_spaces_or_anywhere_in_cjk():
    assert charts.wrap("short") == "short"
    words = charts.wrap("word " * 40, 20).split("<br>")
    assert len(words) > 1 and all(len(line) <= 20 for line in words)
    cjk = charts.wrap("合作" * 30, 10).split("<br>")
    assert "".join(cjk) == "合作" * 30 and len(cjk) > 1 and all(len(line) <= 10 for line in cjk)


def test_html_export_is_self_contained_and_titled(bundled):
    chart = charts.build_survey_chart(bundled.survey_findings, "zh", "来源")
    page = charts.html_bytes(chart.figure, chart.title).decode("utf-8")
    assert '<meta charset="utf-8">' in page and f"<title>{chart.title}</title>" in page
    doc = parse_html(page)
    assert not [a for tag, a in doc.tags if tag == "script" and a.get("src")], "plotly.js is inlined: it opens offline"
    assert any("Plotly" in script for script in doc.scripts)


def test_exported_chart_html_keeps_names_inside_the_script(hostile):
    chart = charts.build_corporate_chart(corporate.giving(hostile, "CNY", corporate.Rate(6.9, "corporate.rate_source")),
                                         "CNY", "en", f"Source: {BREAKOUT}", IMG)
    # The name reaches the figure as text plotly shows literally (issue #17), never as markup.
    assert any(plot_text(BREAKOUT) in str(y) for y in chart.figure.data[0].y)
    assert not any("<" in str(y) for y in chart.figure.data[0].y)
    doc = parse_html(charts.html_bytes(chart.figure, f"{chart.title} {BREAKOUT}").decode("utf-8"))
    assert not event_handlers(doc), event_handlers(doc)[:3]
    assert [t for t, _ in doc.tags if t == "img"] == []
    assert sum(1 for t, _ in doc.tags if t == "title") == 1
