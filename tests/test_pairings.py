"""atlas.pairings: sister relationships, the help recorded between each pair, and the official totals."""
import pandas as pd
import pytest

from atlas import pairings
from atlas.filters import Filters
from atlas.package import Package
from atlas.vocab import PROMISED


def _help_pairs(records, places):
    """(cn, us) pairs of the places that exchanged help, an agency standing for the government it is part of."""
    up = lambda ids: ids.map(places["part_of"].replace("", None).dropna()).fillna(ids)
    cn = records[records["direction"] == "cn_to_us"]
    us = records[records["direction"] == "us_to_cn"]
    return (set(zip(up(cn["from_id"].astype(str)), up(cn["to_id"].astype(str)))),
            set(zip(up(us["to_id"].astype(str)), up(us["from_id"].astype(str)))))


def test_every_pair_with_the_help_recorded_between_its_places(atlas_data, bundled, records):
    view = pairings.view(atlas_data, Filters())
    assert len(view) == len(bundled.pairings) == 226
    # help given, not promised: Wuxi's pledge of 30,000 masks is no help from Wuxi to San Antonio (issue 29); and
    # help only within a relationship that existed then: Fuzhou-Honolulu's agreement of 2021 (Star-Advertiser,
    # 2023-04-02) does not hold Fuzhou's masks of 2020
    given = records[~records["status"].isin(PROMISED)]
    since = pairings.first_year(bundled.pairings.set_index("pairing_id")["established"])
    k1, k2 = _help_pairs(given, bundled.places.set_index("place_id"))
    for pid in since[since > 2020].index:
        pair = tuple(bundled.pairings.set_index("pairing_id").loc[pid, ["cn_place_id", "us_place_id"]])
        k1.discard(pair), k2.discard(pair)
    pairs = list(zip(view["cn_place_id"], view["us_place_id"]))
    assert view["help_cn_to_us"].tolist() == [p in k1 for p in pairs]
    assert view["help_us_to_cn"].tolist() == [p in k2 for p in pairs]
    expected = ["both" if a and b else "cn_to_us" if a else "us_to_cn" if b else "none"
                for a, b in zip(view["help_cn_to_us"], view["help_us_to_cn"])]
    assert view["exchange"].tolist() == expected
    exchange = view.set_index("pairing_id")["exchange"]
    assert exchange["pr-wuxi--san-antonio"] == "us_to_cn" and exchange["pr-fuzhou--honolulu"] == "none"
    hubei_ohio = view.set_index("pairing_id").loc["pr-hubei--ohio"]
    assert (hubei_ohio["cn_admin1"], hubei_ohio["us_admin1"]) == ("CN-HB", "US-OH")


def test_help_of_a_state_agency_counts_for_its_states_pair(atlas_data):
    """Ohio's Development Services Agency sent 1,000 N95 respirators and 3,000 surgical masks to Hubei (2020):
    that is help on the Hubei-Ohio pair, and the pair says through whom."""
    view = pairings.view(atlas_data, Filters(states=("US-OH",))).set_index("pairing_id")
    hubei_ohio = view.loc["pr-hubei--ohio"]
    assert (hubei_ohio["exchange"], hubei_ohio["help_through"]) == ("us_to_cn", "Ohio Development Services Agency")
    assert (view.drop("pr-hubei--ohio")["help_through"] == "").all()


def test_every_pairing_has_an_evidence_level(bundled):
    p = bundled.pairings
    assert p["evidence_level"].value_counts().to_dict() == {"listed": 161, "inferred": 21, "stated": 43, "contradicted": 1}
    bases = p["basis"].str.split("+")
    assert (p.loc[bases.map(lambda b: "stated_in_text" in b or "stated_in_source" in b), "evidence_level"] == "stated").all()
    # a pair a public source names (NBC15: Heilongjiang, Wisconsin's sister state) is stated too
    assert p.set_index("pairing_id").at["pr-heilongjiang--wisconsin", "evidence_level"] == "stated"
    only_inferred = bases.map(lambda b: b == ["table_pair"])
    assert set(p.loc[only_inferred, "evidence_level"]) == {"inferred", "contradicted"}
    # each inferred pair says what it was inferred from: the table rows
    assert p.loc[only_inferred, "evidence"].str.contains(r"CCG report Table [12], row \d+").all()


def test_a_pair_a_public_source_contradicts_is_marked_and_cites_it(bundled):
    p = bundled.pairings.set_index("pairing_id")
    im = p.loc["pr-inner-mongolia--michigan"]
    assert im["evidence_level"] == "contradicted"
    assert "wlns.com" in im["level_note"] and "Hohhot in Inner Mongolia, China is a sister city to Lansing" in im["level_note"]
    # once searched for and not found; Guangdong's provincial news (2016) lists California among its sister states
    gd = p.loc["pr-guangdong--california"]
    assert gd["evidence_level"] == "stated" and gd["level_note"].startswith("confirmed") and "加利福尼亞州" in gd["level_note"]


def test_on_record_counts_leave_out_inferred_pairs(atlas_data, bundled):
    view = pairings.view(atlas_data, Filters())
    s = pairings.summary(view, bundled)
    assert s["pairs"] == s["pairs_all"] == pairings.on_record(bundled) == 204 == 226 - 22
    assert (s["inferred"], s["contradicted"]) == (22, 1)
    # Hubei-Ohio (the report's text), Heilongjiang-Wisconsin (NBC15) and the pairs public web pages state
    assert s["province_state"] == 40  # Heilongjiang-Alaska stated by a reprinted Alaska governor's release;
    # Sichuan-California by the California governor's release of 2017, Shandong-Georgia by Dazhong Daily (2019)
    everything = pairings.summary(view, bundled, include_inferred=True)
    assert everything["pairs"] == 226 and everything["province_state"] == 47


@pytest.mark.parametrize("f, column, codes", [
    (Filters(provinces=("CN-FJ",)), "cn_admin1", {"CN-FJ"}),
    (Filters(states=("US-OH", "US-CA")), "us_admin1", {"US-OH", "US-CA"}),
])
def test_region_filters_narrow_the_pairs(atlas_data, bundled, f, column, codes):
    view = pairings.view(atlas_data, f)
    places = bundled.places.set_index("place_id")["admin1"]
    side = "cn_place_id" if column == "cn_admin1" else "us_place_id"
    expected = bundled.pairings[places.reindex(bundled.pairings[side]).isin(codes).to_numpy()]
    if side == "us_place_id":  # a pair whose US state no source names is never listed under the resolver's guess
        expected = expected[~expected["doubtful"]]
    assert sorted(view["pairing_id"]) == sorted(expected["pairing_id"]) and len(view) > 0
    assert set(view[column]) <= codes


def test_other_filters_do_not_change_the_pairs(atlas_data):
    everything = pairings.view(atlas_data, Filters())
    narrowed = pairings.view(atlas_data, Filters(direction="us_to_cn", categories=("letter",), date_from="2020-05"))
    pd.testing.assert_frame_equal(everything, narrowed)


def test_summary_counts_the_shown_pairs_against_the_official_totals(atlas_data, bundled):
    view = pairings.view(atlas_data, Filters(provinces=("CN-FJ",)))
    s = pairings.summary(view, bundled)
    shown = view[view["on_record"]]
    assert s["pairs"] == len(shown) == s["province_state"] + s["city"]
    assert s["exchanged"] == int((shown["exchange"] != "none").sum())
    assert s["pairs_all"] == 204
    kf = bundled.key_figures.set_index("figure_id")
    assert (s["official_total"], s["official_province_state"], s["official_city"]) == (
        int(kf.at["kf-sister-total-2022", "value"]), int(kf.at["kf-sister-province-state-2022", "value"]),
        int(kf.at["kf-sister-city-2022", "value"])) == (284, 50, 234)
    assert s["official_date"] == kf.at["kf-sister-total-2022", "date"]


def test_summary_without_the_official_figures(atlas_data, bundled):
    kf = bundled.key_figures[~bundled.key_figures["figure_id"].str.startswith("kf-sister-")]
    pkg = Package(bundled.path, bundled.descriptor, {**bundled.tables, "key_figures": kf})
    s = pairings.summary(pairings.view(atlas_data, Filters()), pkg)
    assert s["official_total"] is None and s["official_province_state"] is None and s["official_city"] is None
    assert s["official_date"] is None and s["pairs"] == 204


@pytest.mark.parametrize("lang, column", [("en", "name_en"), ("zh", "name_zh")])
def test_table_names_the_places_in_the_readers_language(atlas_data, bundled, lang, column):
    view = pairings.view(atlas_data, Filters())
    table = pairings.table(view, lang)
    assert list(table.columns) == ["pairing_id", "china", "united_states", "us_state", "level", "exchange_during_covid", "help_through",
                                   "evidence_level", "basis", "doubtful", "evidence", "level_note", "established",
                                   "established_sources", "source_id"]
    names = bundled.places.set_index("place_id")
    want = [names.at[p, column] or names.at[p, "name_en"] for p in view["cn_place_id"]]
    assert table["china"].tolist() == want
    assert table["exchange_during_covid"].tolist() == view["exchange"].tolist()
    hubei = table.set_index("pairing_id").loc["pr-hubei--ohio"]
    assert (hubei["china"], hubei["united_states"]) == (("Hubei", "Ohio") if lang == "en" else ("湖北省", "俄亥俄州"))


def test_establishment_years_keep_disagreeing_sources(bundled, atlas_data):
    p = bundled.pairings.set_index("pairing_id")
    hubei = p.loc["pr-hubei--ohio"]
    assert hubei["established"] == "1979; 1985"  # Xinhua and the Chinese consulate say 1979; cnhubei.com 1985
    assert "fmprc.gov.cn" in hubei["established_sources"] and "October 7, 1985" in hubei["established_sources"]
    assert p.loc["pr-heilongjiang--wisconsin", "established"] == "1982"
    assert p.loc["pr-heilongjiang--wisconsin", "evidence_level"] == "stated"  # NBC15 names the sister-state tie
    dated = p[p["established"] != ""]
    assert len(dated) == 117 and dated["established_sources"].str.contains('https?://', regex=True).all()
    y = pairings.years(pairings.view(atlas_data, Filters())).set_index("year")
    assert y.loc[1979, "pairs"] == 3 and y.loc[1979, "disputed"] == 1
    # each relationship once, in the earliest year its sources give: Hubei-Ohio (1979; 1985) is in 1979 only
    assert y.loc[1985, "pairing_ids"] == ("pr-gansu--oklahoma; pr-guangdong--hawaii; pr-hubei--alabama; "
                                          "pr-jiangxi--kentucky; pr-kaifeng--wichita-ks; pr-qingdao--long-beach-ca; "
                                          "pr-shanghai--chicago; pr-shanxi--idaho; pr-shenyang--chicago; "
                                          "pr-shijiazhuang--des-moines-ia; pr-xiamen--baltimore; pr-yantai--san-diego")
    # Hubei-Ohio (1979; 1985), Jiujiang-Louisville (2003; 2004), Shenzhen-Houston (1986; 1989), Lhasa-Boulder
    # (1986; 1987) and Quzhou-Red Wing (1992; 1994): their sources disagree, each is counted once, as disputed
    disputed = dated[dated["established"].str.contains(";")]
    assert sorted(disputed.index) == ["pr-hubei--ohio", "pr-jiujiang--louisville-ky", "pr-lhasa--boulder-co",
                                      "pr-quzhou--red-wing", "pr-shenzhen--houston"]
    assert y["pairs"].sum() == len(dated) and y["disputed"].sum() == 5
    fujian = pairings.years(pairings.view(atlas_data, Filters(provinces=("CN-FJ",)))).set_index("year")
    assert fujian["pairing_ids"].to_dict() == {1984: "pr-fujian--oregon", 1985: "pr-xiamen--baltimore", 1994: "pr-fuzhou--tacoma",
                                             2007: "pr-siming-district-xiamen--sarasota-fl", 2021: "pr-fuzhou--honolulu"}


def test_every_basis_and_evidence_level_is_named_in_both_languages(bundled):
    from atlas.i18n import has
    for prefix, column in (("basis", "basis"), ("evidence_level", "evidence_level")):
        for code in set(bundled.pairings[column]):
            assert has(f"{prefix}.{code}", "en") and has(f"{prefix}.{code}", "zh"), code
