"""atlas.overview: headline counts, what flowed each way, provinces and states, timeline and reconciliation,
checked against figures printed in the CCG report."""
import pandas as pd
import pytest

from atlas import overview
from atlas.filters import Filters, match
from atlas.vocab import MASKS


def test_empty_result_is_an_empty_frame(atlas_data, records):
    r = match(records, Filters(provinces=("CN-FJ",), direction="us_to_cn"))
    assert r.empty
    s = overview.summary(r)
    assert s["donations"] == 0 and s["masks_cn_to_us"] == 0
    assert overview.view(atlas_data, Filters(provinces=("CN-FJ",), direction="us_to_cn")) is None


def test_summary_of_everything(records):
    s = overview.summary(records)
    assert s["messages"] == 31
    # Table 1's masks plus the masks named in the text (Ohio's 4,000 to Hubei; 10,000 to Yale; 30,000 pledged to San Antonio)
    assert s["masks_us_to_cn"] == 4_000
    assert s["masks_cn_to_us"] == 2_624_076 + 10_000 + 30_000
    assert s["donations"] == 76
    assert sum(s["masks_by_category"].values()) == s["masks_cn_to_us"] + s["masks_us_to_cn"]


def test_view_is_the_three_aggregates_of_the_matching_records(atlas_data, bundled, records):
    f = Filters(provinces=("CN-FJ",))
    fujian = match(records, f)
    v = overview.view(atlas_data, f)
    assert v.summary == overview.summary(fujian)
    assert v.summary["donations"] == 8  # Table 1, rows 8 to 15
    pd.testing.assert_frame_equal(v.category_totals, overview.category_totals(fujian))
    pd.testing.assert_frame_equal(v.region_giving, overview.region_giving(fujian, bundled.regions))


def test_category_totals_add_up_to_the_records(records):
    totals = overview.category_totals(records)
    expected = records.groupby(["direction", "category", "unit"], observed=True)["quantity"].sum()
    got = totals.set_index(["direction", "category", "unit"])["quantity"]
    pd.testing.assert_series_equal(got.sort_index(), expected[expected.index.isin(got.index)].sort_index(),
                                   check_names=False, check_dtype=False)
    letters = totals[(totals["category"] == "letter")]
    assert letters["records"].sum() == 23 and letters["quantity"].sum() == 23  # a message counts one


def test_region_giving_counts_donations_given_and_received(records, bundled):
    g = overview.region_giving(records, bundled.regions)
    fujian = g[(g["admin1"] == "CN-FJ") & (g["role"] == "gave")]
    assert fujian["donations"].tolist() == [8]
    don = records[records["record_kind"] == "donation"]
    ohio = don[don["to_admin1"] == "US-OH"]
    got = g[(g["admin1"] == "US-OH") & (g["role"] == "received")]
    assert got["donations"].tolist() == [ohio["record_id"].nunique()]
    assert got["masks"].tolist() == [int(ohio.loc[ohio["category"].isin(MASKS), "quantity"].sum())]
    assert set(g["country"]) == {"CN", "US"} and "" not in set(g["admin1"])


def test_reconciliation_sets_table1_against_the_text(bundled):
    rec = overview.reconciliation(bundled)
    assert rec["category"].tolist() == ["masks", "protective_clothing", "gloves", "goggles", "shoe_covers"]
    t1 = bundled.donations.loc[bundled.donations["source_ref"].str.startswith("Table 1,"), "donation_id"]
    items = bundled.donation_items[bundled.donation_items["donation_id"].isin(t1)]
    masks = rec.set_index("category").loc["masks"]
    assert masks["table1_sum"] == items.loc[items["category"].isin(MASKS), "quantity"].sum() == 2_624_076
    kf = bundled.key_figures.set_index("figure_id")
    assert masks["text_total"] == int(kf.at["kf-cpaffc-cn-masks", "value"])
    assert (rec["difference"] == rec["table1_sum"] - rec["text_total"]).all()


def test_reconciliation_leaves_out_a_figure_the_package_lacks(bundled):
    from atlas.package import Package
    kf = bundled.key_figures[bundled.key_figures["figure_id"] != "kf-cpaffc-cn-gloves"]
    pkg = Package(bundled.path, bundled.descriptor, {**bundled.tables, "key_figures": kf})
    assert "gloves" not in overview.reconciliation(pkg)["category"].tolist()
    assert len(overview.reconciliation(pkg)) == len(overview.reconciliation(bundled)) - 1


@pytest.mark.parametrize("lo,hi", [(None, None), ("2020-01", "2020-06"), ("2021-01", None), (None, "2015-12")])
def test_timeline_keeps_the_figures_within_the_months(bundled, lo, hi):
    kf = bundled.key_figures
    shown = overview.timeline_figures(kf, Filters(date_from=lo, date_to=hi))
    candidates = kf[kf["value"].notna() | kf["description"].ne("")]
    starts = candidates["date"].map(lambda d: d[:7] if len(d) > 4 else d + "-01")
    ends = candidates["date"].map(lambda d: d[:7] if len(d) > 4 else d + "-12")
    keep = pd.Series(True, index=candidates.index)
    if lo:
        keep &= ends >= lo
    if hi:
        keep &= starts <= hi
    assert shown["figure_id"].tolist() == candidates.loc[keep, "figure_id"].tolist()
    if lo is None and hi is None:
        assert len(shown) == len(candidates) > 0
