"""Filters parsed from and written to the URL: a table of inputs and what they must give."""
import pytest

from atlas.filters import Filters, Vocabulary, parse_query, slug, to_query
from atlas.package import load_package
from atlas import query


@pytest.fixture(scope="module")
def vocab():
    pkg = load_package()
    return Vocabulary.from_regions(pkg.regions, query.used_regions(pkg))


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
