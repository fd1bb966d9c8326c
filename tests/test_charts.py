"""components.charts: the chart builders (title, subtitle, source and numbers baked into the figure) and HTML export.

Hostile names (issue #4): an exported interactive chart keeps a company named `</script><img …>`
inside its data script; no element or inline event handler comes out of the data.
"""
import pickle

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


# --- issue #15: axes, rounding, text alternatives ------------------------------------------------

def test_items_chart_is_linear_by_default_and_log_only_when_asked(records):
    totals = overview.category_totals(records)
    linear = charts.build_category_chart(totals, "en", "Source", "no filters")
    assert linear.figure.layout.xaxis.type == "linear" and "log" not in linear.subtitle.lower()
    assert linear.figure.layout.xaxis.range[0] == 0  # bars start at zero: lengths compare
    log = charts.build_category_chart(totals, "en", "Source", "no filters", scale="log")
    assert log.figure.layout.xaxis.type == "log"
    assert "log scale" in log.subtitle and "log scale" in log.figure.layout.xaxis.title.text


def test_region_chart_counts_have_whole_number_ticks_and_each_role_once_in_the_legend(records, bundled):
    g = overview.region_giving(records, bundled.regions)
    fujian_only = g[g["admin1"].isin(["CN-FJ", "US-CA"])]  # small counts: plotly would pick 0.2, 0.4… ticks
    for d in (g, fujian_only):
        chart = charts.build_region_chart(d, "en", "Source", "no filters")
        for axis in (chart.figure.layout.xaxis, chart.figure.layout.xaxis2):
            assert axis.tickvals and all(float(v).is_integer() for v in axis.tickvals), axis.tickvals
        shown = [tr.name for tr in chart.figure.data if tr.showlegend is not False]
        assert len(shown) == len(set(shown)), shown  # "Donations received" was listed twice
    # Fujian gave 8 donations (Table 1): ticks 0…8 cover it with steps of 1 or 2, never fractions.
    ticks = charts.build_region_chart(fujian_only, "en", "S", "f").figure.layout.xaxis.tickvals
    assert max(ticks) >= 8 and ticks[1] - ticks[0] in (1, 2)


def test_chinese_value_axes_read_in_wan_and_yi(bundled):
    chart = charts.build_corporate_chart(corporate.giving(bundled, "CNY"), "CNY", "zh", "来源", "无筛选")
    ticks = list(chart.figure.layout.xaxis.ticktext)
    assert "2,000万" in ticks and not any("M" in x for x in ticks), ticks
    english = charts.build_corporate_chart(corporate.giving(bundled, "CNY"), "CNY", "en", "S", "f")
    assert "20M" in english.figure.layout.xaxis.ticktext


def test_dollar_amounts_are_rounded_to_three_significant_figures(bundled):
    chart = charts.build_corporate_chart(corporate.giving(bundled, "USD"), "USD", "en", "S", "f")
    bar = chart.figure.data[0]
    citadel = list(bar.y).index("1  Citadel")
    assert bar.customdata[citadel] == "USD 7.54 million"  # CNY 52,000,000 / 6.90 = 7,536,231.9
    assert "USD 42 million" in chart.subtitle  # 290,000,000 / 6.90 = 42,028,985.5, not "42,028,986"
    assert "42,028,98" not in chart.subtitle + "".join(bar.text) + "".join(bar.customdata)


def test_survey_shows_the_sources_precision_and_the_interval_on_hover(bundled):
    """The report gives two decimals: 83.85% is shown as such, never rounded to "83.8%" (issue 29)."""
    chart = charts.build_survey_chart(bundled.survey_findings, "en", "Source")
    texts = [x for tr in chart.figure.data for x in tr.text]
    assert "98.43%" in texts and "83.85%" in texts
    assert sorted(texts) == sorted(f"{p:.2f}%" for p in bundled.survey_findings["percent"])
    first = chart.figure.data[0]
    assert "95% interval" in first.hovertemplate and "%{customdata[0]}" in first.hovertemplate
    row = chart.data.set_index("finding_id").loc["s1"]
    assert list(first.customdata[0]) == [f"{row['ci95_low']:.1f}%", f"{row['ci95_high']:.1f}%"]


def every_chart(bundled, records, lang):
    kf = overview.timeline_figures(bundled.key_figures, Filters())
    return {
        "corporate": charts.build_corporate_chart(corporate.giving(bundled, "CNY"), "CNY", lang, "S", "f"),
        "survey": charts.build_survey_chart(bundled.survey_findings, lang, "S"),
        "items": charts.build_category_chart(overview.category_totals(records), lang, "S", "f"),
        "regions": charts.build_region_chart(overview.region_giving(records, bundled.regions), lang, "S", "f"),
        "timeline": charts.build_timeline_chart(kf, lang, "S", "f"),
        **{f"domestic_{g}": charts.build_figures_chart(corporate.domestic_figures(bundled.key_figures, g), g, "T", "U", lang, "S")
           for g in corporate.DOMESTIC_GROUPS},
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_has_a_text_alternative_naming_its_largest_value(bundled, records, lang):
    built = every_chart(bundled, records, lang)
    alts = {k: c.alt for k, c in built.items()}
    assert all(alts.values()), alts
    # The largest values, as the sources give them.
    assert "Citadel" in alts["corporate"] or "城堡投资" in alts["corporate"]
    assert ("CNY 52 million" if lang == "en" else "5,200万元") in alts["corporate"]
    assert "98.4%" in alts["survey"] and t("survey.finding.s1", lang) in alts["survey"]
    assert ("1.39 million" if lang == "en" else "139万") in alts["items"]  # surgical masks, China to US
    assert label("category", "surgical_mask", lang) in alts["items"]
    shandong = bundled.regions.set_index("admin1").loc["CN-SD"]
    assert (shandong["name_en"] if lang == "en" else shandong["name_zh"]) in alts["regions"]
    assert ("CNY 35 billion" if lang == "en" else "350亿元") in alts["timeline"]  # Tencent, eight years
    assert ("CNY 10 billion" if lang == "en" else "100亿元") in alts["domestic_online"]  # 2021, one year
    assert ("CNY 35 billion" if lang == "en" else "350亿元") in alts["domestic_multiyear"]  # Tencent, eight years
    assert ("USD 16 billion" if lang == "en" else "160亿美元") in alts["domestic_all-donors"]  # 2008 Sichuan year
    assert ("USD 15.5 billion" if lang == "en" else "155亿美元") in alts["domestic_disasters"]  # Alibaba, committed
    if lang == "zh":
        assert not any(w in " ".join(alts.values()) for w in ("Bar chart", "largest", "Timeline"))


def test_charts_on_screen_leave_title_and_source_to_the_page(bundled):
    chart = charts.build_corporate_chart(corporate.giving(bundled, "CNY"), "CNY", "en", "Source line", "f")
    screen = charts.for_screen(chart.figure).to_dict()["layout"]  # what st.plotly_chart sends
    assert not screen["title"]["text"] and not screen["title"]["subtitle"]["text"]
    assert not any(a.get("name") == "source" for a in screen.get("annotations", ()))
    assert any(a.text == "Source line" for a in chart.figure.layout.annotations)  # the export keeps it
    export = chart.figure.layout
    assert (screen["height"] - screen["margin"]["t"] - screen["margin"]["b"]
            == export.height - export.margin.t - export.margin.b)  # same bars, same spacing


def test_a_frozen_figure_is_its_dict_and_survives_pickling():
    fig = charts.go.Figure(charts.go.Bar(x=["a", "b"], y=[1, 2]), layout={"height": 420})
    frozen = charts.frozen(fig)
    assert frozen.to_dict() == fig.to_dict() and frozen.to_dict() is frozen.to_dict()  # made once
    assert frozen.height == 420 and charts.FrozenFigure({"data": []}).height == 500
    back = pickle.loads(pickle.dumps(frozen))
    assert type(back) is charts.FrozenFigure and back.to_dict() == fig.to_dict()


def test_the_timeline_title_spans_the_years_it_draws(bundled):
    """Issue 29: the title said 2008-2024 while the first event is of 2007."""
    chart = charts.build_timeline_chart(bundled.key_figures, "en", "s", "")
    years = bundled.key_figures["date"].str[:4]
    assert chart.title == f"Dated events and figures, {years.min()}–{years.max()}" == "Dated events and figures, 2007–2025"


def test_each_panel_of_the_region_chart_is_named_on_a_row_no_bar_reaches(atlas_data, bundled):
    """Issue 31 (whole-page screenshots): the panels' names sat in a corner of the plot and covered the ends of the
    bars when all were as long (Fujian's eight states, one record each). Each name now heads its panel's column of
    names, on a row of its own."""
    from atlas.filters import Filters
    g = overview.view(atlas_data, Filters(provinces=("CN-FJ",))).region_giving
    chart = charts.build_region_chart(g, "zh", "来源", "中国省份：福建")
    layout = chart.figure.layout
    for axis, panel in (("yaxis", "中国省份"), ("yaxis2", "美国各州")):
        order = list(layout[axis].categoryarray)
        assert order[-1] == f"<b>{panel}</b>", order  # the top row of the panel
        bars = [tr for tr in chart.figure.data if tr.yaxis == axis.replace("axis", "") and tr.name != "panel"]
        assert bars and all(order[-1] not in list(tr.y) for tr in bars)
    assert not [a for a in layout.annotations if a.name == "panel"]
