"""The start-up warm-up: the package and every page's first view are in the cache before a reader asks, and a
broken package is no crash (the page that asks for it says why)."""
from __future__ import annotations

from atlas import flows, landing, overview, pairings
from atlas.filters import Filters, parse_query
from components import data, warm
from components.exhibit_view import screen_chart


def test_warm_puts_each_pages_first_view_in_the_cache():
    assert warm.warm() is True
    f = parse_query({}, data.vocab()).filters
    for fn, options in ((flows.view, {"level": "region"}), (flows.sankey_view, {"measure": "masks"}),
                        (overview.view, {}), (pairings.view, {})):
        misses = data._views.misses
        data.view(fn, f, **options)
        assert data._views.misses == misses, f"{fn.__qualname__} was not warmed"
    misses = data._views.misses
    data.view(landing.facts, Filters())
    assert data._views.misses == misses, "the landing facts were not warmed"
    misses = data._views.misses
    data.view(overview.reconciliation_view, Filters())
    assert data._views.misses == misses, "the reconciliation was not warmed"
    for name in warm.CHARTS:
        misses = data._rendered.misses
        chart, figure = screen_chart(name, parse_query({}, data.vocab()).state, False)
        assert data._rendered.misses == misses and chart is not None and figure is not None, f"{name} was not warmed"


def test_the_warmed_flows_view_is_the_one_the_page_computes():
    warm.warm()
    f = parse_query({}, data.vocab()).filters
    view = data.view(flows.view, f, level="region")
    assert view.summary == flows.view(data.get(), f, "region").summary
    assert view.rows == flows.view(data.get(), f, "region").rows > 0


def test_a_broken_package_makes_warm_return_false_without_raising(tmp_path, monkeypatch):
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    assert warm.warm() is False
