"""atlas.corporate: Table 4 in CNY or USD with its ties, the context figures and Chinese tech philanthropy."""
import pytest

from atlas import corporate


def test_giving_in_yuan_is_table4_largest_last(bundled):
    d = corporate.giving(bundled, "CNY")
    table4 = bundled.corporate_donations
    assert len(d) == len(table4) == 16
    assert d["rank"].tolist() == sorted(table4["rank"], reverse=True), "largest last: a bar chart draws it on top"
    assert d["company"].iloc[-1] == "Citadel" and d["rank"].iloc[-1] == 1
    assert (d["amount"] == d["amount_cny"]).all()
    assert d["amount_cny"].sum() == table4["amount_cny"].sum()


def test_giving_in_dollars_uses_the_stated_rate(bundled):
    assert corporate.EXCHANGE_RATE.value == 6.90
    d = corporate.giving(bundled, "USD")
    assert d["amount"].tolist() == pytest.approx((d["amount_cny"] / 6.90).tolist())
    half = corporate.giving(bundled, "USD", corporate.Rate(2.0, "corporate.rate_source"))
    assert half["amount"].tolist() == pytest.approx((half["amount_cny"] / 2).tolist())


def test_tied_ranks_are_marked(bundled):
    d = corporate.giving(bundled, "CNY")
    counts = bundled.corporate_donations["rank"].value_counts()
    tied = set(counts[counts > 1].index)
    assert tied == {10}  # seven companies share the tenth place
    assert d["tied"].tolist() == [r in tied for r in d["rank"]]
    assert d["rank_label"].tolist() == [f"{r}=" if r in tied else str(r) for r in d["rank"]]
    assert (d["rank_label"] == "10=").sum() == 7


def test_context_and_domestic_figures_are_the_listed_ones_the_package_holds(bundled):
    kf = bundled.key_figures
    assert corporate.context_figures(kf)["figure_id"].tolist() == corporate.CONTEXT_IDS
    for group, ids in corporate.DOMESTIC_GROUPS.items():
        assert corporate.domestic_figures(kf, group)["figure_id"].tolist() == ids
    fewer = kf[kf["figure_id"] != "kf-amcham"]
    assert corporate.context_figures(fewer)["figure_id"].tolist() == [i for i in corporate.CONTEXT_IDS if i != "kf-amcham"]


def test_no_domestic_chart_draws_a_bar_beside_one_of_another_kind(bundled):
    # issue #29 item 7: "Online giving in China" drew the 2016 and 2021 annual totals beside Tencent's eight-year
    # CNY 35 billion, and the tech companies' chart held all donors' national totals of 2007/2008 and Zhengzhou's
    kf = bundled.key_figures.set_index("figure_id")
    charts = {g: corporate.domestic_figures(bundled.key_figures, g) for g in corporate.DOMESTIC_GROUPS}
    for group, rows in charts.items():
        assert rows["unit"].nunique() == 1, (group, rows["unit"].tolist())
    online = charts["online"]
    assert online["description"].str.contains(r"in (?:2016|2021)").all()
    assert "kf-tencent-eight-years-amount" not in set(online["figure_id"])
    assert kf.loc["kf-tencent-eight-years-amount", "value"] == 35_000_000_000  # in the multi-year chart
    assert "kf-tencent-eight-years-amount" in set(charts["multiyear"]["figure_id"])
    tech = charts["disasters"]
    assert not tech["actor"].str.contains("Philanthropic giving in China|Donors to Zhengzhou").any()
    assert {"kf-sichuan-before", "kf-sichuan-after", "kf-zhengzhou-total"} <= set(charts["all-donors"]["figure_id"])
