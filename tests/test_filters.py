"""atlas.filters: the URL read into filters and written back, and the records the filters keep.

Hostile query strings (issue #4): parse_query drops what it does not know with a reason code and a
value shortened for display, never raising; unknown keys, over-long values, floods of repeated keys,
backwards or malformed month ranges and non-ASCII digits are all reported, not applied.
"""
import pytest

from atlas.filters import MAX_VALUE_LENGTH, MAX_VALUES, Filters, parse_query, slug, to_query
from tests.conftest import matching
from tests.conftest import SCRIPT


# --- parse_query and to_query: a table of inputs and what they must give -------------------------

@pytest.mark.parametrize("params, expected, warned", [
    ({"province": ["Fujian"]}, Filters(provinces=("CN-FJ",)), []),
    ({"province": ["fujian", "CN-FJ"]}, Filters(provinces=("CN-FJ",)), []),  # case and code, no duplicate
    ({"province": ["Fujian", "Hubei"], "state": ["Ohio"]}, Filters(provinces=("CN-FJ", "CN-HB"), states=("US-OH",)), []),
    ({"province": ["<script>alert(1)</script>"], "state": ["Narnia"]}, Filters(), ["province", "state"]),
    ({"province": ["Ohio"]}, Filters(), ["province"]),  # a state is not a province
    ({"direction": ["cn_to_us"]}, Filters(direction="cn_to_us"), []),
    ({"direction": ["sideways"]}, Filters(), ["direction"]),
    ({"direction": ["cn_to_us", "us_to_cn"]}, Filters(direction="cn_to_us"), ["direction"]),
    ({"category": ["surgical_mask", "letter", "=cmd"]}, Filters(categories=("surgical_mask", "letter")), ["category"]),
    ({"actor": ["company"]}, Filters(actors=("company",)), []),
    ({"from": ["2020-02"], "to": ["2020-05"]}, Filters(date_from="2020-02", date_to="2020-05"), []),
    ({"from": ["2020-13"]}, Filters(), ["from"]),
    ({"from": ["2020-06"], "to": ["2020-01"]}, Filters(), ["from"]),
    ({"province": ["x" * 5000]}, Filters(), ["province"]),
    ({"province": ["Fujian"] * 500}, Filters(provinces=("CN-FJ",)), ["province"]),
    ({"utm_source": ["mail"]}, Filters(), ["utm_source"]),
])
def test_parse_query(vocab, params, expected, warned):
    result = parse_query(params, vocab)
    assert result.filters == expected
    assert [w[0] for w in result.warnings] == warned


def test_round_trip_uses_english_names(vocab):
    f = Filters(provinces=("CN-FJ",), states=("US-OH", "US-OR"), direction="cn_to_us", categories=("surgical_mask",))
    q = to_query(f, vocab)
    assert q == {"province": ["Fujian"], "state": ["Ohio", "Oregon"], "direction": ["cn_to_us"], "category": ["surgical_mask"]}
    assert parse_query(q, vocab).filters == f
    assert slug(f, vocab) == "province-Fujian_state-Ohio+Oregon_direction-cntous_category-surgicalmask"


def test_default_filters_write_an_empty_query(vocab):
    assert to_query(Filters(), vocab) == {}


# --- hostile query parameters --------------------------------------------------------------------

def test_unknown_and_scripted_names_are_dropped(vocab):
    r = parse_query({"province": ["Narnia", SCRIPT, "Fujian"], "state": "Ohio"}, vocab)
    assert r.filters.provinces == ("CN-FJ",) and r.filters.states == ("US-OH",)
    assert r.warnings == [("province", "Narnia", "unknown"), ("province", SCRIPT, "unknown")]


def test_names_match_case_and_space_insensitively_but_not_partially(vocab):
    r = parse_query({"province": ["  fujian ", "CN-HB", "Fuji"]}, vocab)
    assert r.filters.provinces == ("CN-FJ", "CN-HB")
    assert r.warnings == [("province", "Fuji", "unknown")]


def test_very_long_value_is_dropped_and_shown_truncated(vocab):
    long = "Fujian" + "A" * 10_000
    r = parse_query({"province": [long], "category": ["x" * (MAX_VALUE_LENGTH + 1)]}, vocab)
    assert r.filters == Filters()
    assert r.warnings == [("province", long[:40] + "…", "too_long"), ("category", "x" * 40 + "…", "too_long")]


def test_value_at_the_length_limit_is_still_looked_up(vocab):
    r = parse_query({"province": ["N" * MAX_VALUE_LENGTH]}, vocab)
    assert r.warnings == [("province", "N" * 40 + "…", "unknown")]


def test_repeated_keys_are_capped(vocab):
    r = parse_query({"province": ["Narnia"] * 100}, vocab)
    assert r.filters == Filters()
    assert r.warnings[0] == ("province", "100 values", "too_many")
    assert r.warnings[1:] == [("province", "Narnia", "unknown")] * MAX_VALUES

    r = parse_query({"province": ["Fujian"] * 100}, vocab)
    assert r.filters.provinces == ("CN-FJ",)
    assert r.warnings == [("province", "100 values", "too_many")]


@pytest.mark.parametrize("value", ["2020-13", "2020-00", "2020-1", "20201-01", "2020-05-01", "May 2020", SCRIPT,
                                   pytest.param("２０２０-05", id="fullwidth-digits"),
                                   pytest.param("٢٠٢٠-05", id="arabic-indic-digits")])
def test_bad_months(vocab, value):
    r = parse_query({"from": [value], "to": [value]}, vocab)
    assert r.filters.date_from is None and r.filters.date_to is None
    assert r.warnings == [("from", value[:40] + ("…" if len(value) > 40 else ""), "bad_month"),
                          ("to", value[:40] + ("…" if len(value) > 40 else ""), "bad_month")]


def test_backwards_range_is_dropped(vocab):
    r = parse_query({"from": ["2020-06"], "to": ["2020-03"]}, vocab)
    assert (r.filters.date_from, r.filters.date_to) == (None, None)
    assert r.warnings == [("from", "2020-06 > 2020-03", "bad_range")]
    ok = parse_query({"from": ["2020-03"], "to": ["2020-03"]}, vocab)
    assert (ok.filters.date_from, ok.filters.date_to) == ("2020-03", "2020-03") and not ok.warnings


def test_directions_and_choices(vocab):
    r = parse_query({"direction": ["us_to_cn", "cn_to_us", "sideways"], "category": ["letter", "LETTER"],
                     "actor": ["government", "=1+1"]}, vocab)
    assert r.filters.direction == "us_to_cn"
    assert r.filters.categories == ("letter",) and r.filters.actors == ("government",)
    assert set(r.warnings) == {("direction", "sideways", "unknown"), ("direction", "us_to_cn, cn_to_us", "one_only"),
                               ("category", "LETTER", "unknown"), ("actor", "=1+1", "unknown")}


def test_unknown_keys_are_reported_and_known_extras_are_not(vocab):
    r = parse_query({"utm_source": ["newsletter"], SCRIPT: ["1"], "lang": ["zh"], "level": ["place"],
                     "currency": ["USD"]}, vocab)
    assert r.filters == Filters()
    assert r.warnings == [("utm_source", "", "unknown_key"), (SCRIPT, "", "unknown_key")]


def test_blank_values_are_ignored_silently(vocab):
    r = parse_query({"province": ["", "   "], "state": []}, vocab)
    assert r.filters == Filters() and not r.warnings


def test_unknown_keys_are_shortened_and_capped(vocab):
    r = parse_query({"k" * 10_000: ["1"]}, vocab)
    assert all(len(key) <= 41 for key, _, _ in r.warnings), [len(k) for k, _, _ in r.warnings]
    r = parse_query({f"junk{i}": ["1"] for i in range(1_000)}, vocab)
    assert len(r.warnings) <= MAX_VALUES + 1


# --- match: the records the filters keep (figures printed in the CCG report) ---------------------

def test_fujian_is_eight_table1_donations_to_eight_recipients(records):
    r = matching(records, Filters(provinces=("CN-FJ",)))
    assert set(r["source_ref"]) == {f"Table 1, row {n}" for n in range(8, 16)}
    assert r["to_id"].nunique() == 8


def test_direction_and_category_filters(records):
    us = matching(records, Filters(direction="us_to_cn"))
    assert set(us["direction"]) == {"us_to_cn"}
    letters = matching(records, Filters(categories=("letter",)))
    assert letters["record_id"].nunique() == 23  # Table 2: 23 of the 31 printed rows are letters
