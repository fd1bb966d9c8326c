"""atlas/build/curation: every curated file documented with its columns, and consistent with the others."""
import csv
import re
from collections import Counter

import pytest

from atlas import vocab
from atlas.build.files import CURATION

README = (CURATION / "README.md").read_text(encoding="utf-8")
# | `file` | what | `col`, `col` ... |
DOCUMENTED = {m["file"]: m["columns"] for m in re.finditer(r"^\| `(?P<file>[^`]+)` \|[^\n]*\| (?P<columns>[^|\n]+) \|$", README, re.M)}
CSV_FILES = sorted(p.name for p in CURATION.glob("*.csv"))


def read(name: str) -> list[dict]:
    with open(CURATION / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header(name: str) -> list[str]:
    with open(CURATION / name, encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def test_every_file_is_documented():
    files = {p.name for p in CURATION.iterdir()} - {"README.md"}
    assert files == set(DOCUMENTED)


@pytest.mark.parametrize("name", CSV_FILES)
def test_documented_columns_are_the_header(name):
    assert re.findall(r"`([^`]+)`", DOCUMENTED[name]) == header(name)


@pytest.mark.parametrize("name", CSV_FILES)
def test_rows_are_full_and_flags_are_flags(name):
    with open(CURATION / name, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert all(len(r) == len(rows[0]) for r in rows), name
    if "doubtful" in rows[0]:
        assert {r["doubtful"] for r in read(name)} <= {"true", "false"}


def unique(rows, *keys):
    counts = Counter(tuple(r[k] for k in keys) for r in rows)
    return [k for k, n in counts.items() if n > 1]


def test_keys_are_unique():
    assert not unique(read("places.csv"), "place_id")
    assert not unique(read("sources.csv"), "source_id")
    assert not unique(read("key_figures.csv"), "figure_id")
    assert not unique(read("table_names.csv"), "table", "column", "as_printed")
    assert not unique(read("table4_companies.csv"), "as_printed")
    assert not unique(read("wikipedia_cn_places.csv"), "china_city")
    assert not unique(read("wikipedia_decisions.csv"), "china_city", "us_city")
    assert not unique(read("wikipedia_us_names.csv"), "geonames_name", "state")


def test_vocabularies():
    places = read("places.csv")
    assert {p["country"] for p in places} <= set(vocab.COUNTRIES)
    assert {p["actor_kind"] for p in places} <= set(vocab.ACTOR_KINDS)
    assert {p["locate"] for p in places} == {"gn", "seat", "centroid", "none"}
    assert {r["category"] for r in read("item_patterns.csv")} <= set(vocab.ITEM_CATEGORIES)
    assert {r["unit"] for r in read("item_patterns.csv") + read("text_donation_items.csv")} <= set(vocab.UNITS)
    assert {r["category"] for r in read("text_donation_items.csv")} <= set(vocab.ITEM_CATEGORIES)
    assert {r["kind"] for r in read("table2_kinds.csv")} == set(vocab.MESSAGE_KINDS)
    assert {r["theme"] for r in read("survey_themes.csv")} <= set(vocab.SURVEY_THEMES)
    assert {r["scope"] for r in read("key_figures.csv")} <= set(vocab.FIGURE_SCOPES)
    assert {r["direction"] for r in read("text_donations.csv")} <= set(vocab.DIRECTIONS)
    assert {r["pairing_level"] for r in read("government_levels.csv")} <= set(vocab.PAIRING_LEVELS)
    assert {r["level"] for r in read("text_pairings.csv")} <= set(vocab.PAIRING_LEVELS)


def test_places_are_located_as_their_locate_says():
    for p in read("places.csv"):
        if p["locate"] in ("gn", "seat"):
            assert p["geonames_name"] and p["admin1"], p["place_id"]
        else:
            assert not (p["geonames_name"] or p["geonameid"]), p["place_id"]
        if p["locate"] == "centroid":
            assert p["admin1"], p["place_id"]


def test_references_resolve():
    places = {p["place_id"] for p in read("places.csv")}
    sources = {s["source_id"] for s in read("sources.csv")}
    assert {r["place_id"] for r in read("table_names.csv")} <= places
    donations = read("text_donations.csv")
    assert {d[k] for d in donations for k in ("donor_place_id", "recipient_place_id")} <= places
    assert {d["donation_id"] for d in donations} == {i["donation_id"] for i in read("text_donation_items.csv")}
    assert {p[k] for p in read("text_pairings.csv") for k in ("cn_place_id", "us_place_id")} <= places
    assert {r["source_id"] for r in donations + read("key_figures.csv") + read("text_pairings.csv")} <= sources


def test_wikipedia_references_resolve():
    cn_places = {r["china_city"] for r in read("wikipedia_cn_places.csv")}
    points = {r["key"] for r in read("wikipedia_cn_points.csv")}
    for r in read("wikipedia_cn_places.csv"):
        assert not r["point_of"] or r["point_of"] in cn_places | points, r["china_city"]
        assert not r["same_as"] or r["same_as"] in cn_places, r["china_city"]
    assert {d["cn"] for d in read("wikipedia_decisions.csv") if d["cn"]} <= cn_places
    readings = {r["reading"] for r in read("wikipedia_cn_ambiguous.csv")}
    assert {d["cn"] for d in read("wikipedia_decisions.csv") if d["cn"]} <= readings
    assert {r["kind"] for r in read("wikipedia_pair_notes.csv")} <= {"other_seed", "fact"}
    states = {r["postal"] for r in read("geo_us_states.csv")}
    assert {d["state"] for d in read("wikipedia_decisions.csv")} <= states | {"", "unresolved"}
    admin1 = {r["admin1"] for r in read("geonames_cn_admin1.csv")}
    assert {r["admin1"] for r in read("wikipedia_cn_places.csv") if not r["same_as"]} <= admin1


def test_province_lists_agree():
    gn = {r["admin1"] for r in read("geonames_cn_admin1.csv")}
    boundaries = {r["admin1"] for r in read("geo_cn_provinces.csv") if r["admin1"]}
    assert gn == boundaries and len(gn) == 31
