"""Every chart, map and table the dashboard shows or serves, declared once.

An `Exhibit` has one name, its address: `/charts/<name>.png|svg|html|json` for a chart,
`/charts/<name>.html` for a map, `/api/v1/<name>.csv|json` for every table and every chart's numbers.
Its `build(ask)` makes it from an `Ask` (the loaded data, a parsed URL state, the language, the theme),
so the page (which asks with the reader's state) and the HTTP routes (which ask with the request's
query, parsed by the same `atlas.filters.parse_query`) draw the same figure from the same numbers.
`filters` names the shared filters an exhibit shows: it is built from those only, its file names and
links carry those only, and the others are reported as not applying.

`build` returns None when nothing matches (the page shows its empty state, an address answers 404
for a chart; a table is never None, an empty table is an answer).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pandas as pd

from atlas import catalogue, corporate, flows, overview, pairings
from atlas.filters import FIELDS, RECORD_PAGES, Vocabulary, describe_shown, filters_of, is_set, only, to_query
from atlas.i18n import t
from atlas.package import RESOURCE_NAMES
from atlas.records import Data
from atlas.vocab import PHYSICAL_UNITS

from . import data
from .charts import (Chart, build_category_chart, build_corporate_chart, build_figures_chart, build_region_chart,
                     build_survey_chart, build_timeline_chart)
from . import site

RECORD_FILTERS = tuple(f.name for f in FIELDS if f.is_filter and set(RECORD_PAGES) <= set(f.pages))


@dataclass(frozen=True)
class Ask:
    """What an exhibit is built from: the data, a full URL state (every field), the language and theme."""
    data: Data
    state: Mapping[str, Any]
    dark: bool = False

    @property
    def lang(self) -> str:
        return self.state.get("lang", "en")

    def filters(self, names: tuple[str, ...]):
        return only(filters_of(self.state), names)

    def describe(self, names: tuple[str, ...]) -> str:
        return describe_shown(self.state, self.lang, self.data.vocab, names)


@dataclass(frozen=True)
class Exhibit:
    name: str                                # the address, and the stem of its files' names
    kind: str                                # "chart" | "map" | "table"
    page: str                                # the page that shows it (locale page.<page>)
    build: Callable[[Ask], Any]              # Chart (chart), (deck, title) (map), DataFrame (table), or None
    filters: tuple[str, ...] = ()            # the shared filters it shows
    options: tuple[str, ...] = ()            # the view options it reads (currency, level, q, ...)
    key: str = ""                            # a chart's key among atlas.vocab.CHARTS (tabs, widget keys)
    empty: str = "empty.no_records"          # the locale key of its empty state
    title_key: str = ""                      # a table's title (locale key), when it has one

    @property
    def formats(self) -> tuple[str, ...]:
        return {"chart": ("png", "svg", "html", "csv", "zip"), "map": ("png", "html"), "table": ("csv", "zip")}[self.kind]

    @property
    def api_formats(self) -> tuple[str, ...]:
        """Formats at /api/v1/<name>.<fmt>: every table, and every chart's numbers."""
        return ("csv", "json", "zip") if self.kind in ("chart", "table") else ()

    @property
    def chart_formats(self) -> tuple[str, ...]:
        """Formats at /charts/<name>.<fmt>."""
        return {"chart": ("png", "svg", "html", "json"), "map": ("png", "html")}.get(self.kind, ())

    def names(self) -> tuple[str, ...]:
        """Every URL field this exhibit reads: its filters, options, the language and the package's version."""
        return ("lang", "version") + self.filters + self.options


# --- the builders ---------------------------------------------------------------------------------

def _overview_view(ask: Ask):
    return data.view(overview.view, ask.filters(RECORD_FILTERS), ask.lang)


def _items(ask: Ask) -> Chart | None:
    view = _overview_view(ask)
    if view is None or not view.category_totals["unit"].isin(PHYSICAL_UNITS).any():
        return None
    return build_category_chart(view.category_totals, ask.lang, t("source.ccg_tables", ask.lang),
                                ask.describe(RECORD_FILTERS), ask.dark, ask.state.get("scale", "linear"))


def _regions(ask: Ask) -> Chart | None:
    view = _overview_view(ask)
    if view is None:
        return None
    return build_region_chart(view.region_giving, ask.lang, t("source.ccg_tables", ask.lang),
                              ask.describe(RECORD_FILTERS), ask.dark)


def _timeline(ask: Ask) -> Chart | None:
    figures = overview.timeline_figures(ask.data.package.key_figures, ask.filters(("dates",)))
    if figures.empty:
        return None
    return build_timeline_chart(figures, ask.lang, t("source.all", ask.lang), ask.describe(("dates",)), ask.dark)


def _corporate(ask: Ask) -> Chart:
    giving = corporate.giving(ask.data.package, ask.state.get("currency", "CNY"), corporate.EXCHANGE_RATE)
    return build_corporate_chart(giving, ask.state.get("currency", "CNY"), ask.lang, t("source.ccg_table4", ask.lang),
                                 "", ask.dark)


def _domestic(group: str) -> Callable[[Ask], Chart | None]:
    def build(ask: Ask) -> Chart | None:
        pkg = ask.data.package
        rows = corporate.domestic_figures(pkg.key_figures, group)
        if rows.empty:
            return None
        unit = rows["unit"].iloc[0]
        from .cards import source_title
        source = t("source.generic", ask.lang, sources="; ".join(source_title(pkg, s, ask.lang)
                                                                  for s in rows["source_id"].unique()))
        return build_figures_chart(rows, f"china-tech-philanthropy-{group}", t(f"corporate.domestic.{group}", ask.lang),
                                   t("unit.currency_" + unit.lower(), ask.lang), ask.lang, source, ask.dark)
    return build


def _survey(ask: Ask) -> Chart | None:
    from atlas import survey
    findings = ask.data.package.survey_findings
    n = survey.base(findings)
    if n is None:
        return None
    return build_survey_chart(findings, ask.lang, t("source.ccg_survey", ask.lang, n=f"{n:,}"), ask.dark)


FLOWS_FILTERS = site.BY_KEY["flows"].applies
PAIRINGS_FILTERS = site.BY_KEY["pairings"].applies


@dataclass(frozen=True)
class MapMade:
    """A map as its exports need it: which map, what it draws, and the filters in words."""
    kind: str                 # "flow" | "pairings"
    drawn: Any                # FlowMap or the pairings view
    lang: str
    described: str

    def html(self, link: str = "") -> bytes:
        from . import map_exports
        make = map_exports.flow_map_html if self.kind == "flow" else map_exports.pairings_map_html
        return make(self.drawn, self.lang, self.described, link)

    def png(self, link: str = "") -> bytes:
        from . import map_exports
        make = map_exports.flow_map_png if self.kind == "flow" else map_exports.pairings_map_png
        return make(self.drawn, self.lang, self.described, link)


def _flow_map(ask: Ask) -> MapMade | None:
    view = data.view(flows.view, ask.filters(FLOWS_FILTERS), ask.lang, level=ask.state.get("level", "region"))
    if view is None:
        return None
    return MapMade("flow", view.map, ask.lang, ask.describe(FLOWS_FILTERS))


def _sankey(ask: Ask) -> Chart | None:
    from .charts_flows import build_flow_sankey
    measure = ask.state.get("measure", "masks")
    links = data.view(flows.sankey_view, ask.filters(FLOWS_FILTERS), ask.lang, measure=measure)
    if not len(links):
        return None
    return build_flow_sankey(links, ask.data.package.regions, measure, ask.lang, t("source.ccg_tables", ask.lang),
                             ask.describe(FLOWS_FILTERS), ask.dark)


def _flows_table(ask: Ask) -> pd.DataFrame:
    return flows.records_table(ask.data, ask.filters(FLOWS_FILTERS))


def _pairings_view(ask: Ask) -> pd.DataFrame:
    return pairings.find(data.view(pairings.view, ask.filters(PAIRINGS_FILTERS)), ask.state.get("place", ""))


def _pairings_shown(ask: Ask) -> str:
    """The filters shown, and the place looked for (the page's own narrowing by name)."""
    shown, place = ask.describe(PAIRINGS_FILTERS), (ask.state.get("place") or "").strip()
    if not place:
        return shown
    looked_for = f"{t('filter.place', ask.lang)}: {place}"
    return looked_for if shown == t("filters.none", ask.lang) else f"{shown}; {looked_for}"


def _pairings_map(ask: Ask) -> MapMade | None:
    view = _pairings_view(ask)
    if view.empty:
        return None
    return MapMade("pairings", view, ask.lang, _pairings_shown(ask))


def _pairing_years(ask: Ask) -> Chart | None:
    from .charts_pairings import build_pairing_years_chart
    years = pairings.years(_pairings_view(ask))
    if years.empty:
        return None
    return build_pairing_years_chart(years, ask.lang, t("source.pairing_years", ask.lang), _pairings_shown(ask),
                                     ask.dark)


def _pairing_reconciliation(ask: Ask) -> Chart | None:
    """The whole country's relationships on record by year beside the official totals (no filter applies: the totals are
    national)."""
    from .charts_pairings import build_pairing_reconciliation_chart
    pkg = ask.data.package
    official = pairings.official_totals(pkg)
    if official.empty:
        return None
    return build_pairing_reconciliation_chart(pairings.cumulative(pkg), official, pairings.gap(pkg), ask.lang,
                                              t("source.pairing_reconcile", ask.lang), ask.dark)


def _pairings_table(ask: Ask) -> pd.DataFrame:
    return pairings.table(_pairings_view(ask), "en")


def _reconciliation(ask: Ask) -> pd.DataFrame:
    return data.whole(overview.reconciliation_view)


# The package's own tables: as they are, searched with `q` like the data page; those whose rows are flow
# records (donations, their item lines, messages) also keep only the rows the shared filters keep (the rows'
# positions computed once per filter set, in the one cache).
RECORD_TABLES = catalogue.RECORD_TABLES


def package_table(ask: Ask, name: str) -> pd.DataFrame:
    table = ask.data.package.tables[name]
    if name in RECORD_TABLES:
        f = ask.filters(RECORD_FILTERS)
        if any(is_set(fd, ask.state.get(fd.name, fd.default)) for fd in FIELDS if fd.name in RECORD_FILTERS):
            table = table.iloc[data.view(catalogue.record_rows, f, ask.lang, name=name)]
    return catalogue.search_table(table, ask.state.get("q", ""))


def _package_table(name: str) -> Callable[[Ask], pd.DataFrame]:
    return lambda ask: package_table(ask, name)


EXHIBITS: tuple[Exhibit, ...] = (
    Exhibit("items-each-way", "chart", "overview", _items, RECORD_FILTERS, ("scale",), key="items", empty="empty.no_items"),
    Exhibit("provinces-and-states", "chart", "overview", _regions, RECORD_FILTERS, key="regions"),
    Exhibit("timeline", "chart", "overview", _timeline, ("dates",), key="timeline", empty="empty.no_figures"),
    Exhibit("reconciliation", "table", "overview", _reconciliation, title_key="overview.reconcile_heading"),
    Exhibit("flow-map", "map", "flows", _flow_map, FLOWS_FILTERS, ("level",)),
    Exhibit("flows", "table", "flows", _flows_table, FLOWS_FILTERS, title_key="page.flows"),
    Exhibit("flows-sankey", "chart", "flows", _sankey, FLOWS_FILTERS, ("measure",), key="flows_sankey", empty="sankey.empty"),
    Exhibit("corporate-giving", "chart", "corporate", _corporate, (), ("currency",), key="corporate"),
    *(Exhibit(f"china-tech-philanthropy-{g}", "chart", "corporate", _domestic(g), key=f"domestic_{g}",
              empty="empty.no_figures") for g in corporate.DOMESTIC_GROUPS),
    Exhibit("survey-findings", "chart", "survey", _survey, key="survey", empty="empty.no_rows"),
    Exhibit("sister-relationships-map", "map", "pairings", _pairings_map, PAIRINGS_FILTERS, ("place",)),
    Exhibit("sister-relationships", "table", "pairings", _pairings_table, PAIRINGS_FILTERS, ("place",),
            title_key="page.pairings"),
    Exhibit("sister-relationships-by-year", "chart", "pairings", _pairing_years, PAIRINGS_FILTERS, ("place",), key="pairing_years",
            empty="pairing_years.none"),
    Exhibit("sister-relationships-reconciled", "chart", "pairings", _pairing_reconciliation, key="pairing_reconcile",
            empty="pairing_reconcile.none"),
    *(Exhibit(n, "table", "data", _package_table(n), RECORD_FILTERS if n in RECORD_TABLES else (), ("q",))
      for n in RESOURCE_NAMES),
)
BY_NAME = {e.name: e for e in EXHIBITS}


def main_exhibit(page_key: str, exhibits_list=EXHIBITS) -> Exhibit | None:
    """A page's main exhibit: its first chart or map (what its share card, its oEmbed answer and its citation show);
    None for a page that has none (the data page)."""
    return next((e for e in exhibits_list if e.page == page_key and e.kind != "table"), None)
BY_KEY = {e.key: e for e in EXHIBITS if e.key}


# --- addresses ------------------------------------------------------------------------------------

def query_of(exhibit: Exhibit, state: Mapping[str, Any], vocab: Vocabulary) -> list[tuple[str, str]]:
    """The URL parameters of an exhibit in `state`: the fields it reads that differ from their defaults."""
    names = set(exhibit.names())
    relevant = {f.name: (state.get(f.name, f.default) if f.name in names else f.default) for f in FIELDS}
    return [(k, v) for k, vs in to_query(relevant, vocab).items() for v in vs]


def pinned(state: Mapping[str, Any]) -> dict:
    """`state` naming the version of the data it shows (the current one's number where it names none): what a citation
    and the link inside a file carry, so that they keep pointing at what was seen when newer versions come."""
    return {**state, "version": state.get("version") or data.version().number}


def cache_key(state: Mapping[str, Any], vocab: Vocabulary) -> tuple:
    """Every set field of a state, as a key: a chart's subtitle also names the set filters it does not show."""
    return tuple((k, tuple(vs)) for k, vs in sorted(to_query(state, vocab).items()) if k not in ("as_table",))


def address(exhibit: Exhibit, fmt: str, state: Mapping[str, Any], vocab: Vocabulary, download: bool = False,
            api: bool | None = None) -> str:
    """The path (with query) where `exhibit` is served in `fmt` for `state`.

    CSV, and JSON with `api` (a table's JSON always), are numbers at /api/v1/; PNG, SVG, HTML and a chart's
    figure JSON are at /charts/; "embed" is the minimal view of one chart at /embed/."""
    from urllib.parse import urlencode
    api = (fmt in ("csv", "zip") or exhibit.kind == "table") if api is None else api
    if fmt == "embed" and exhibit.kind != "table":
        base = f"/embed/{exhibit.name}"
    elif api and fmt in exhibit.api_formats:
        base = f"/api/v1/{exhibit.name}.{fmt}"
    elif not api and fmt in exhibit.chart_formats:
        base = f"/charts/{exhibit.name}.{fmt}"
    else:
        raise ValueError(f"{exhibit.name} has no {fmt} address")
    q = query_of(exhibit, state, vocab) + ([("download", "1")] if download else [])
    return base + ("?" + urlencode(q) if q else "")
