"""components.downloads: the panel's citation is the reader's style of the chart's citation, naming the source it draws
(issue #31, #33), and its files are the /api/v1/cite/ addresses of this chart and these filters."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from atlas.filters import parse_query
from components import data, downloads, exhibits


def state(**query):
    return parse_query({k: [v] for k, v in query.items()}, data.vocab()).state


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_citation_of_a_chart_names_the_report_and_the_table_it_draws(lang):
    text = downloads.citation("corporate-giving", state(lang=lang), "http://h", dt.date(2026, 12, 6))
    assert "China-US non-governmental cooperation in response to COVID-19" in text
    if lang == "en":
        assert text.startswith("Cooperation Atlas. (n.d.). Top US company donations to China, early 2020 [Chart, version ")
        assert "Retrieved December 6, 2026, from http://h/corporate" in text and "Table 4" in text
    else:
        assert text.startswith("Cooperation Atlas（合作图谱）. 2020年初美国企业对华捐赠排行[EB/OL]")
        assert "[2026-12-06]" in text and "表4" in text


@pytest.mark.parametrize("fmt", ["bib", "ris", "json"])
def test_the_cite_files_are_this_charts_address_with_its_filters(fmt):
    ex = exhibits.BY_NAME["items-each-way"]
    address = downloads.cite_address(ex.name, fmt, state(province="Fujian", currency="USD"), data.vocab())
    parts = urlsplit(address)
    assert parts.path == f"/api/v1/cite/items-each-way.{fmt}"
    assert parse_qs(parts.query) == {"province": ["Fujian"], "download": ["1"]}
