"""Place identity by gazetteer id, not by name: in the built package no two places stand for the same
GeoNames entry, and every resolved Wikipedia pair lands on the city its curation row names."""
import pandas as pd

from atlas.build.files import read_csv
from atlas.build.resolve_wikipedia import PAIRS


def test_no_two_places_share_a_gazetteer_entry(bundled):
    own = bundled.places[bundled.places["coord_precision"].eq("city") & bundled.places["geonameid"].notna()]
    shared = own[own.duplicated("geonameid", keep=False)].sort_values("geonameid")
    assert shared.empty, shared[["place_id", "name_en", "geonameid"]].to_string()
    assert bundled.places["place_id"].is_unique


def test_every_wikipedia_pair_resolves_to_the_city_of_its_curation_row(bundled):
    places = bundled.places.set_index("place_id")
    pairs = bundled.pairings
    wiki = [w for w in read_csv(PAIRS) if w["resolution"] != "unresolved"]
    assert len(wiki) > 150
    for w in wiki:
        row = pairs[pairs["evidence"].str.contains(f"Wikipedia list, row {w['wiki_row']} (", regex=False)]
        assert len(row) == 1, w["wiki_row"]
        for side in ("cn", "us"):
            p = places.loc[row[f"{side}_place_id"].iloc[0]]
            assert p["admin1"] == w[f"{side}_admin1"], (w["wiki_row"], side, p["name_en"])
            if w[f"{side}_geonameid"]:
                assert str(int(p["geonameid"])) == w[f"{side}_geonameid"], (w["wiki_row"], side, p["name_en"])
                assert p["coord_precision"] == "city"
            if p["note"].startswith("from the Wikipedia"):  # a place the list brought in carries the row's names
                assert p["name_zh"] == w[f"{side}_name_zh"], (w["wiki_row"], side)


def test_taizhou_jiangsu_and_zhejiang_are_two_places(bundled):
    places = bundled.places.set_index("place_id")
    pairs = bundled.pairings.set_index("us_place_id")
    newport, arcadia, fort_wayne = (places.loc[pairs.at[us, "cn_place_id"]] for us in
                                    ("us-newport-news-va", "us-arcadia-ca", "us-fort-wayne-in"))
    assert (newport["name_zh"], newport["admin1"]) == ("泰州", "CN-JS") == (arcadia["name_zh"], arcadia["admin1"])
    assert (fort_wayne["name_zh"], fort_wayne["admin1"]) == ("台州", "CN-ZJ")


def test_wuxi_city_pairs_are_wuxi_not_xinwu_district(bundled):
    p = bundled.pairings
    assert p.loc[p["us_place_id"] == "us-chattanooga-tn", "cn_place_id"].tolist() == ["cn-wuxi"]
    san_antonio = p[p["us_place_id"] == "us-san-antonio"]
    assert san_antonio["cn_place_id"].tolist() == ["cn-wuxi"]  # once, named in the text and on the list
    assert set(san_antonio["basis"].iloc[0].split("+")) == {"stated_in_text", "wikipedia_list"}
    # Xinwu District keeps only what names the district itself (Table 2's message from Dublin, CA)
    assert p.loc[p["cn_place_id"] == "cn-xinwu", "us_place_id"].tolist() == ["us-dublin-ca"]
