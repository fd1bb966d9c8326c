"""atlas.overview: headline counts, what flowed each way, provinces and states, timeline and reconciliation,
checked against figures printed in the CCG report."""
import pandas as pd
import pytest

from atlas import engine, overview
from atlas.filters import Filters
from tests.conftest import matching
from atlas.i18n import t
from atlas.vocab import MASKS


def test_empty_result_is_an_empty_frame(atlas_data, records):
    r = matching(records, Filters(provinces=("CN-FJ",), direction="us_to_cn"))
    assert r.empty
    s = engine.summary(r)
    assert s["donations"] == 0 and s["masks_cn_to_us"] == 0
    assert overview.view(atlas_data, Filters(provinces=("CN-FJ",), direction="us_to_cn")) is None


def test_summary_of_everything(records):
    s = engine.summary(records)
    assert s["messages"] == 31
    # Delivered only: Table 1's 2,624,076 masks plus Zhang Yichen's 10,000 to Yale (text); Wuxi's 30,000 to
    # San Antonio were only pledged, so they stand apart. US to China: Ohio's 1,000 N95 + 3,000 surgical masks.
    assert s["masks_cn_to_us"] == 2_624_076 + 10_000 == 2_634_076
    assert s["masks_cn_to_us_pledged"] == 30_000
    assert s["masks_us_to_cn"] == 4_000 and s["masks_us_to_cn_pledged"] == 0
    assert s["donations"] == 76 and s["donations_pledged"] == 2  # Wuxi's masks, the Gates Foundation's grant
    # by direction, never summed across: 1,390,400 surgical masks went China to US and 3,000 US to China
    assert s["masks_by_category"]["cn_to_us"]["surgical_mask"] == 1_390_400
    assert s["masks_by_category"]["us_to_cn"] == {"respirator_mask": 1_000, "surgical_mask": 3_000}
    for d in ("cn_to_us", "us_to_cn"):
        assert sum(s["masks_by_category"][d].values()) == s[f"masks_{d}"]


def test_headline_cards_set_the_texts_figures_beside_the_delivered_ones(records, bundled):
    cards = {c["key"]: c for c in overview.headline(engine.summary(records), bundled)}
    cn, us = cards["masks_cn_to_us"], cards["masks_us_to_cn"]
    assert (cn["value"], cn["pledged"], cn["stated"]) == (2_634_076, 30_000, {"stated": 2_110_000})
    assert (us["value"], us["pledged"], us["stated"]) == (4_000, None, {"cpaffc": 171_088, "medshare": 1_800_000})
    en = overview.headline_caption(cn, "en")
    assert "plus 30,000 pledged, not counted" in en and "2,110,000" in en and "fewer than" in en
    assert "larger" not in en  # the old caption claimed the report's totals were larger: false for masks
    us_en = overview.headline_caption(us, "en")
    assert "171,088" in us_en and "1,800,000" in us_en and "pledged" not in us_en
    assert "认捐30,000只" in overview.headline_caption(cn, "zh") and "211万" in overview.headline_caption(cn, "zh")
    assert cards["donations"]["stated"] == {"cn": 72, "us": 4, "pledged": 2}


def test_headline_shown_is_each_cards_words_number_and_caption_and_the_source_line(records, bundled):
    summary = engine.summary(records)
    for lang in ("en", "zh"):
        shown = overview.headline_shown(summary, bundled, lang)
        cards = overview.headline(summary, bundled)
        assert [c[2] for c in shown["cards"]] == [overview.headline_caption(c, lang) for c in cards]
        assert [c[0] for c in shown["cards"]] == [t(f"headline.{c['key']}", lang) for c in cards]
    en = overview.headline_shown(summary, bundled, "en")
    assert en["cards"][0][1] == "2,634,076"
    assert en["source"] == t("headline.source", "en", pairs="204", inferred="22")


def test_headline_of_a_province_that_pledged_nothing(atlas_data, bundled):
    fujian = overview.view(atlas_data, Filters(provinces=("CN-FJ",)))
    cn = overview.headline(fujian.summary, bundled)[0]
    assert cn["value"] == 50_000 * 4 + 70_000 + 20_000 + 50_000 + 1_000_000 and cn["pledged"] is None
    assert "pledged" not in overview.headline_caption(cn, "en")


def test_view_is_the_three_aggregates_of_the_matching_records(atlas_data, bundled, records):
    f = Filters(provinces=("CN-FJ",))
    fujian = matching(records, f)
    v = overview.view(atlas_data, f)
    assert v.summary == engine.summary(fujian)
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
    cn = rec[rec["direction"] == "cn_to_us"].set_index("category")
    assert cn.index.tolist() == ["masks", "protective_clothing", "gloves", "goggles", "shoe_covers", "face_masks", "cash"]
    t1 = bundled.donations.loc[bundled.donations["source_ref"].str.startswith("Table 1,"), "donation_id"]
    items = bundled.donation_items[bundled.donation_items["donation_id"].isin(t1)]
    masks = cn.loc["masks"]
    assert masks["rows_sum"] == items.loc[items["category"].isin(MASKS), "quantity"].sum() == 2_624_076
    assert (masks["text_total"], masks["difference"]) == (2_110_000, 514_076)
    assert (masks["other_rows"], masks["pledged"]) == (10_000, 30_000)  # Zhang Yichen to Yale; Wuxi's pledge
    assert (cn.loc["gloves", "difference"], cn.loc["goggles", "difference"]) == (0, 0)
    assert (cn.loc["gloves", "reason"], cn.loc["shoe_covers", "text_total"], cn.loc["shoe_covers", "rows_sum"]) == ("agree", 20_000, 10_000)
    assert cn.loc["face_masks", "text_total"] == 200 and cn.loc["face_masks", "rows_sum"] == 0
    # cash included: the text states no China-to-US cash total; Table 1 row 46 gives CNY 6,000
    assert pd.isna(cn.loc["cash", "text_total"]) and cn.loc["cash", "rows_sum"] == 6_000 and cn.loc["cash", "unit"] == "CNY"
    kf = bundled.key_figures.set_index("figure_id")
    assert masks["text_total"] == int(kf.at["kf-cpaffc-cn-masks", "value"])
    stated = rec.dropna(subset=["text_total"])
    assert (stated["difference"] == stated["rows_sum"] - stated["text_total"]).all()


def test_reconciliation_of_us_to_china(bundled):
    rec = overview.reconciliation(bundled)
    us = rec[rec["direction"] == "us_to_cn"]
    masks = us[us["text_ref"].str.contains("171,088")].iloc[0]
    # The text's 171,088 exclude Hubei; the only US-to-China mask row (Ohio's 4,000) went to Hubei
    assert (masks["text_total"], masks["rows_sum"], masks["other_rows"], masks["reason"]) == (171_088, 0, 4_000, "us_masks")
    medshare = us[us["reason"] == "medshare"].iloc[0]
    assert (medshare["text_total"], medshare["rows_sum"]) == (1_800_000, 0)
    cash = us[(us["category"] == "cash") & (us["unit"] == "CNY")].iloc[0]
    assert (cash["text_total"], cash["rows_sum"], cash["other_rows"]) == (666_000, 0, 7_000_000)  # Qualcomm to the Red Cross
    usd = us[(us["category"] == "cash") & (us["unit"] == "USD")].iloc[0]
    # AmCham China's members: more than USD 74 million, stated in II.i.4 (issue 29); the Gates grant: pledged
    assert (usd["text_total"], usd["rows_sum"], usd["pledged"], usd["reason"]) == (74_000_000, 0, 5_000_000, "amcham_members")
    assert set(us["category"]) == {"masks", "protective_clothing", "goggles", "face_masks", "cash", "other_equipment"}
    assert (us.set_index("category").loc["goggles", "text_total"], us.set_index("category").loc["face_masks", "text_total"]) == (893, 1_360)


def test_every_reconciliation_reason_is_worded_in_both_languages(bundled):
    from atlas.i18n import has
    for r in overview.reconciliation(bundled)["reason"]:
        assert has(f"reconcile.reason.{r}", "en") and has(f"reconcile.reason.{r}", "zh"), r


def test_reconciliation_leaves_out_a_figure_the_package_lacks(bundled):
    from atlas.package import Package
    kf = bundled.key_figures[bundled.key_figures["figure_id"] != "kf-cpaffc-cn-gloves"]
    pkg = Package(bundled.path, bundled.descriptor, {**bundled.tables, "key_figures": kf})
    assert "gloves" not in overview.reconciliation(pkg)["category"].tolist()
    assert len(overview.reconciliation(pkg)) == len(overview.reconciliation(bundled)) - 1


def test_captions_that_cite_the_texts_totals_say_so_under_a_filter(atlas_data, bundled):
    """Issue 29: under province=Hubei the US-to-China caption still spoke of places other than Hubei as if of the
    selection: a filtered headline says the text's totals are of every place."""
    hubei = overview.view(atlas_data, Filters(provinces=("CN-HB",)))
    shown = overview.headline_shown(hubei.summary, bundled, "en", filtered=True)
    captions = [c for _, _, c in shown["cards"]]
    assert any("not only those of the filters" in c for c in captions)
    assert not any("not only those of the filters" in c for _, _, c in overview.headline_shown(hubei.summary, bundled, "en")["cards"])
