"""atlas.build.resolve_wikipedia and its output, atlas/build/curation/wikipedia_pairs.csv: the Wikipedia
sister-city pairs resolved to places. (That a rebuild reproduces the file is checked in test_build.py.)"""
import csv

import pycountry
import pytest

from atlas.build import resolve_wikipedia as rw

PAIRS = rw.PAIRS
US_CODES = {s.code for s in pycountry.subdivisions.get(country_code="US")}
CN_CODES = {s.code for s in pycountry.subdivisions.get(country_code="CN")}
# (lat_min, lat_max, lon_min, lon_max); the US box spans Hawaii and Alaska.
US_BOX, CN_BOX = (18.0, 72.0, -180.0, -65.0), (18.0, 54.0, 73.0, 135.0)


@pytest.fixture(scope="module")
def rows():
    with open(PAIRS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by_pair(rows, china_city, us_city):
    hits = [r for r in rows if r["china_city"] == china_city and r["us_city"] == us_city]
    assert len(hits) == 1, (china_city, us_city, len(hits))
    return hits[0]


def in_box(lat, lon, box):
    return box[0] <= float(lat) <= box[1] and box[2] <= float(lon) <= box[3]


@pytest.fixture(scope="module")
def curation():
    return rw.load_curation()


def test_one_row_per_input_row_in_order(rows, shared_dir):
    assert len(rows) == 170
    assert list(rows[0]) == rw.COLUMNS
    assert [int(r["wiki_row"]) for r in rows] == list(range(1, 171))
    with open(shared_dir / rw.INPUT, encoding="utf-8", newline="") as f:
        source = list(csv.DictReader(f))
    assert [(r["china_city"], r["us_city"], r["listed_on_page_of"]) for r in rows] == \
           [(s["china_city"], s["us_city"], s["listed_on_page_of"]) for s in source]


def test_resolution_values_and_notes(rows):
    assert {r["resolution"] for r in rows} <= {"certain", "doubtful", "unresolved"}
    for r in rows:
        assert r["resolution_note"].strip(), r["wiki_row"]
    for r in rows:
        if r["resolution"] == "doubtful":
            note = r["resolution_note"]
            assert "chose" in note or "ambiguous" in note, r["wiki_row"]


def test_resolved_rows_have_valid_codes_and_points(rows):
    for r in rows:
        assert r["cn_admin1"] in CN_CODES, r["wiki_row"]
        assert r["cn_name_en"] and r["cn_name_zh"] and r["cn_level"], r["wiki_row"]
        assert in_box(r["cn_lat"], r["cn_lon"], CN_BOX), r["wiki_row"]
        if r["resolution"] == "unresolved":
            assert not (r["us_admin1"] or r["us_lat"] or r["us_lon"] or r["us_geonameid"]), r["wiki_row"]
            continue
        assert r["us_admin1"] in US_CODES, r["wiki_row"]
        assert r["us_name_en"] and r["us_level"] in {"city", "county", "town", "district"}, r["wiki_row"]
        assert in_box(r["us_lat"], r["us_lon"], US_BOX), r["wiki_row"]


def test_chinese_names_are_han_without_shi(rows):
    for r in rows:
        assert all("\u3400" <= ch <= "\u9fff" for ch in r["cn_name_zh"]), r["cn_name_zh"]
        assert not r["cn_name_zh"].endswith("市"), r["cn_name_zh"]
        assert not r["us_name_zh"].endswith("市"), r["us_name_zh"]


def test_counties_are_counties_without_a_city_geonameid(rows):
    for r in rows:
        if r["us_city"].endswith(" County") and r["resolution"] != "unresolved":
            assert r["us_level"] == "county" and not r["us_geonameid"], r["wiki_row"]
            assert "county seat" in r["resolution_note"], r["wiki_row"]


@pytest.mark.parametrize("china_city, us_city, state", [
    ("Fuzhou", "Tacoma", "US-WA"), ("Shanghai", "Houston", "US-TX"), ("Quzhou", "Red Wing", "US-MN"),
    ("Zibo", "Erie", "US-PA"), ("Baoding", "Charlotte", "US-NC"), ("Liuzhou", "Cincinnati", "US-OH"),
    ("Nanjing", "St. Louis", "US-MO"), ("Jiangyin", "Alameda", "US-CA"), ("Handan", "Dubuque", "US-IA"),
    ("Tangshan", "Cedar Rapids", "US-IA"), ("Qinhuangdao", "Honolulu", "US-HI"), ("Chongqing", "Seattle", "US-WA"),
    ("Hangzhou", "Boston", "US-MA"), ("Hangzhou", "Indianapolis", "US-IN"), ("Changsha", "Saint Paul", "US-MN"),
    ("Wuhan", "Pittsburgh", "US-PA"), ("Xiamen", "Baltimore", "US-MD"), ("Guangzhou", "Los Angeles", "US-CA"),
    ("Harbin", "Anchorage", "US-AK"), ("Fuzhou", "Honolulu", "US-HI"), ("Wuxi", "San Antonio", "US-TX"),
    ("Shenzhen", "Houston", "US-TX"), ("Shanghai", "Chicago", "US-IL"), ("Shanghai", "San Francisco", "US-CA"),
])
def test_pairs_named_by_the_ccg_report_and_seeds(rows, china_city, us_city, state):
    r = by_pair(rows, china_city, us_city)
    assert r["us_admin1"] == state
    assert r["resolution"] == "certain"


def test_fuzhou_pairs_confirmed_by_ccg_are_in_fujian(rows):
    for us_city in ("Tacoma", "Honolulu"):
        assert by_pair(rows, "Fuzhou", us_city)["cn_admin1"] == "CN-FJ"


def test_zhengzhou_richmond_is_virginia_stated_by_richmonds_sister_cities_page(rows):
    # once a judgement (doubtful); Friends of Richmond Sister Cities, for "Virginia's capital region", lists Zhengzhou
    r = by_pair(rows, "Zhengzhou", "Richmond")
    assert (r["us_admin1"], r["resolution"]) == ("US-VA", "certain")
    assert "state stated by source friendsrva-sister" in r["resolution_note"]


def test_ambiguous_chinese_names_follow_the_other_spelling(rows):
    assert by_pair(rows, "Taizhou", "Fort Wayne")["cn_admin1"] == "CN-ZJ"
    assert by_pair(rows, "Taizhou", "Newport News")["cn_admin1"] == "CN-JS"
    assert by_pair(rows, "Suzhou", "Portland")["cn_admin1"] == "CN-JS"
    assert by_pair(rows, "Fuzhou", "Syracuse")["resolution"] == "doubtful"


@pytest.mark.parametrize("later, first", [(8, 7), (108, 105), (113, 111), (114, 110), (124, 106)])
def test_duplicated_pairs_point_to_the_first_row_and_match_it(rows, later, first):
    a, b = rows[first - 1], rows[later - 1]
    assert b["duplicate_of_wiki_row"] == str(first) and a["duplicate_of_wiki_row"] == ""
    for col in ("cn_name_en", "cn_admin1", "cn_geonameid", "us_name_en", "us_admin1", "us_geonameid", "us_lat"):
        assert a[col] == b[col], col


def test_only_listed_duplicates(rows):
    assert sorted(int(r["wiki_row"]) for r in rows if r["duplicate_of_wiki_row"]) == [8, 108, 113, 114, 124]


def test_multi_candidate_states_are_never_certain_without_ccg_or_a_quoted_source(rows, curation):
    """A state chosen among several is a judgement (doubtful: "state not stated") unless the CCG report or a
    public source's quoted words name it."""
    for (china_city, us_city), decision in curation.decisions.items():
        if not decision.state or (china_city, us_city) in curation.ccg_pairs:
            continue
        r = by_pair(rows, china_city, us_city)
        same_state = r["us_city"] == "Morehead"  # both GeoNames records are in Kentucky
        assert r["resolution"] == ("certain" if same_state or decision.source_id else "doubtful"), (china_city, us_city)
        if decision.source_id:
            assert f'state stated by source {decision.source_id}: "{decision.quote}"' in r["resolution_note"]


def test_a_state_is_stated_only_by_a_sources_row_with_an_address_and_words(curation):
    from atlas.build.files import curated
    sources = {s["source_id"]: s for s in curated("sources.csv")}
    sourced = {pair: d for pair, d in curation.decisions.items() if d.source_id}
    assert sourced  # Jiujiang-Louisville, Laoshan-Columbia, Suzhou-Portland (both spellings), Jining-Springfield
    for pair, d in sourced.items():
        assert d.quote.strip() and sources[d.source_id]["url"].startswith(("http://", "https://")), pair


def test_undecidable_states_leave_the_row_unresolved(rows, curation):
    undecided = {pair for pair, d in curation.decisions.items() if d.state_decided and d.state is None}
    assert undecided
    for china_city, us_city in undecided:
        r = by_pair(rows, china_city, us_city)
        assert r["resolution"] == "unresolved" and "state not decided" in r["resolution_note"]


def test_every_curated_pair_is_in_the_input(rows, curation):
    listed = {(r["china_city"], r["us_city"]) for r in rows}
    for pairs in (curation.decisions, curation.ccg_pairs, curation.other_seeds, curation.facts):
        assert set(pairs) <= listed


def test_alias_spellings_share_one_place(curation):
    assert curation.cn_places["Wujiang (Suzhou)"] is curation.cn_places["Suzhou – Wujiang"]


def test_auto_state_needs_a_clear_winner():
    def city(state, population):
        return {"admin1code": state, "population": population}

    only = [city("OH", 900)]
    assert rw.auto_state(only)[0] is only[0]
    clear = [city("TX", 2_000_000), city("OH", 10_000), city("IN", 600)]  # alone above 15,000
    assert rw.auto_state(clear)[0] is clear[0]
    assert rw.auto_state([city("OR", 100_000), city("ME", 14_000)]) == (None, "")  # alone at the top, not ten times larger
    assert rw.auto_state([city("OR", 20_000), city("ME", 16_000)]) == (None, "")   # two at the top tier


def test_us_chinese_names_from_geonames_are_simplified_and_short():
    record = {"alternatenames": ["Springfield", "斯普林菲爾德", "斯普林菲尔德市", "斯普林菲尔德"]}
    assert rw.us_zh(record) == "斯普林菲尔德"
    assert rw.us_zh({"alternatenames": ["Springfield"]}) == ""
