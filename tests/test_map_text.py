"""The maps in words (atlas.map_text), checked against the figures of the bundled package: Fujian's twelve
flows to eight US states, Hubei's six sister relationships."""
from atlas import flows, pairings
from atlas.filters import Filters
from atlas.i18n import source_ref
from atlas.map_text import flow_map_text, pairings_map_text
from components import decks


def test_the_fujian_flow_map_in_words_in_both_languages(atlas_data):
    fm = flows.view(atlas_data, Filters(provinces=("CN-FJ",))).map
    en = flow_map_text(fm, "en")
    assert en.startswith("The map draws 12 flows between 1 place in China and 8 places in the United States (12 China to US).")
    # who gave it: the Heren Charitable Foundation (Table 1 row 15), not Fujian's government (issue 29)
    assert "The largest is Fujian (Heren Charitable Foundation) → Ohio: 1,000,000 Masks (kind not stated)." in en
    assert "Fujian gave the most counted items (1,390,500)." in en
    assert "Ohio received the most (1,050,000)." in en
    zh = flow_map_text(fm, "zh")
    assert zh.startswith("地图绘出12条流向，连接中国的1个地点与美国的8个地点")
    assert "福建（河仁慈善基金会） → 俄亥俄州" in zh and "100万" in zh
    assert "Fujian" not in zh and "flows" not in zh


def test_the_words_follow_the_filters(atlas_data):
    every = flow_map_text(flows.view(atlas_data, Filters()).map, "en")
    assert "between 22 places in China and 34 places in the United States (83 China to US; 35 US to China)" in every
    assert "Ohio received the most (1,053,200)." in every  # Ohio also received from other provinces


def test_the_pairings_map_in_words(atlas_data):
    hubei = pairings.view(atlas_data, Filters(provinces=("CN-HB",)))
    # Hubei-Alabama (1985, stated by a quoted source since issue 32) is the seventh
    assert pairings_map_text(hubei, "en") == ("The map draws 7 sister relationships between 6 places in China and "
                                              "7 places in the United States; help passed between 4 of them in 2020. "
                                              "Hubei has the most (2).")
    every = pairings_map_text(pairings.view(atlas_data, Filters()), "zh")
    # Kunshan-Durham (round 2), Sichuan-California and Shandong-Georgia (round 3)
    assert every.startswith("地图绘出226对友好关系") and every.endswith("友好关系最多的是檀香山（7对）。")


def test_a_map_with_nothing_says_so(atlas_data):
    v = pairings.view(atlas_data, Filters(provinces=("CN-HB",)))
    assert pairings_map_text(v.iloc[0:0], "en") == "The map draws nothing for these filters."


def test_tooltips_cite_rows_in_the_readers_language_and_count_in_the_right_number(atlas_data):
    assert source_ref("Table 1, row 8", "zh") == "表1第8行"
    assert source_ref("Table 1, row 8", "en") == "Table 1, row 8"
    fm = flows.view(atlas_data, Filters(provinces=("CN-FJ",))).map
    points = decks.place_points(fm.totals, fm.coords, fm.records_by_key, "zh").set_index("key")
    assert "记录：表1第8行；表1第9行" in points.at["CN-FJ", "tooltip"]  # full-width colon in Chinese (issue #31)
    assert "Table" not in "".join(points["tooltip"])
    places = decks.pairing_places(pairings.view(atlas_data, Filters(provinces=("CN-HB",))), "en").set_index("key")
    assert places.at["cn-wuhan", "tooltip"].endswith("1 sister relationship shown: Pittsburgh, PA")
