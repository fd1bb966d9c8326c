"""components.exhibits: every chart and table declared once, built from a URL state, at one address."""
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from atlas import flows
from atlas.filters import parse_query
from atlas.vocab import CHARTS
from components import data, exhibits
from components.charts import Chart


@pytest.fixture(scope="module")
def d():
    return data.get()


def state(d, **params):
    result = parse_query({k: v if isinstance(v, list) else [v] for k, v in params.items()}, d.vocab)
    assert result.warnings == []
    return result.state


def test_names_are_unique_and_every_chart_key_has_one_exhibit():
    names = [e.name for e in exhibits.EXHIBITS]
    assert len(names) == len(set(names))
    assert sorted(e.key for e in exhibits.EXHIBITS if e.kind == "chart") == sorted(CHARTS)
    # every table of the package is an exhibit of the data page
    assert {e.name for e in exhibits.EXHIBITS if e.page == "data"} == set(data.get().package.tables)


def test_every_exhibit_builds_unfiltered_in_both_languages(d):
    for lang in ("en", "zh"):
        ask = exhibits.Ask(d, state(d, lang=lang))
        for ex in exhibits.EXHIBITS:
            made = ex.build(ask)
            expected = {"chart": Chart, "table": pd.DataFrame, "map": exhibits.MapMade}[ex.kind]
            assert isinstance(made, expected), ex.name


def test_the_donations_table_keeps_fujians_eight_donations(d):
    ask = exhibits.Ask(d, state(d, province="Fujian"))
    donations = exhibits.BY_NAME["donations"].build(ask)
    assert len(donations) == 8
    assert set(donations["donor_province_as_printed"]) == {"Fujian"}
    # the flows page's records for the same filter are these donations' item lines
    assert set(flows.records_table(d, ask.filters(exhibits.FLOWS_FILTERS))["record_id"]) == set(donations["donation_id"])


def test_item_lines_keep_only_the_chosen_categories(d):
    ask = exhibits.Ask(d, state(d, category="surgical_mask"))
    items = exhibits.BY_NAME["donation_items"].build(ask)
    assert len(items) and set(items["category"]) == {"surgical_mask"}
    everything = d.package.donation_items
    assert len(items) == int((everything["category"] == "surgical_mask").sum())


def test_messages_follow_the_state_filter(d):
    ask = exhibits.Ask(d, state(d, state="Oklahoma"))
    messages = exhibits.BY_NAME["support_messages"].build(ask)
    assert len(messages) and set(messages["sender_state_as_printed"]) == {"Oklahoma"}


def test_tables_without_records_ignore_the_filters_and_search_with_q(d):
    sources = exhibits.BY_NAME["sources"]
    assert len(sources.build(exhibits.Ask(d, state(d, province="Fujian")))) == len(d.package.sources)
    found = sources.build(exhibits.Ask(d, state(d, q="wikipedia")))
    assert 0 < len(found) < len(d.package.sources)


def test_addresses_carry_only_what_the_exhibit_reads(d):
    s = state(d, province="Fujian", lang="zh", currency="USD")
    corporate = exhibits.address(exhibits.BY_NAME["corporate-giving"], "png", s, d.vocab)
    assert urlsplit(corporate).path == "/charts/corporate-giving.png"
    assert parse_qs(urlsplit(corporate).query) == {"lang": ["zh"], "currency": ["USD"]}
    csv = exhibits.address(exhibits.BY_NAME["flows"], "csv", s, d.vocab, download=True)
    assert urlsplit(csv).path == "/api/v1/flows.csv"
    assert parse_qs(urlsplit(csv).query) == {"province": ["Fujian"], "lang": ["zh"], "download": ["1"]}
    assert exhibits.address(exhibits.BY_NAME["timeline"], "embed", s, d.vocab) == "/embed/timeline?lang=zh"
    assert exhibits.address(exhibits.BY_NAME["survey-findings"], "json", s, d.vocab, api=True).startswith(
        "/api/v1/survey-findings.json")
    with pytest.raises(ValueError):
        exhibits.address(exhibits.BY_NAME["sources"], "png", s, d.vocab)


def test_a_chart_built_through_its_exhibit_is_the_pages_chart(d):
    """The overview's items chart for Fujian: its numbers are the Fujian records' totals by category."""
    ask = exhibits.Ask(d, state(d, province="Fujian"))
    chart = exhibits.BY_NAME["items-each-way"].build(ask)
    records = flows.records_table(d, ask.filters(exhibits.RECORD_FILTERS))
    masks = records[records["category"] == "surgical_mask"]["quantity"].sum()
    assert masks > 0
    assert float(chart.data.loc[chart.data["category"] == "surgical_mask", "quantity"].sum()) == float(masks)
    assert "Fujian" in chart.subtitle
