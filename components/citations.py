"""What a citation of the atlas, the package or one exhibit is made of, from the loaded package (issue #33).

`work(name, state, base, today)` gives the `atlas.cite.Work` that every style renders: its title in the reader's
language, the address of exactly that view (the exhibit's own filters, as its links carry them), the package's
version and licence, and the sources it draws, read from the package: the `source_id` of the rows of the
table(s) behind it, most cited first, the first `NAMED` in full (from `sources.csv`), the count of the others.
Where a chart draws one part of a source (the CCG report's Table 4), `WHERE` says which, in both languages.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Mapping
from urllib.parse import urlencode

import pandas as pd

from atlas import cite, corporate
from atlas.filters import FIELDS, active
from atlas.i18n import t

from . import data, exhibits, site

NAMED = 3   # sources named in full in a citation; the others are counted ("and N further sources")

# The package tables whose rows an exhibit draws (their source_id says which document each row comes from), and
# where in the main source it draws them (a locale key), for the exhibits whose source line names a part of it.
DRAWS: dict[str, tuple[tuple[str, ...], str]] = {
    "items-each-way": (("donations",), "cite.where_tables"),
    "provinces-and-states": (("donations",), "cite.where_tables"),
    "timeline": (("key_figures",), ""),
    "reconciliation": (("donations",), "cite.where_tables"),
    "flow-map": (("donations", "support_messages"), "cite.where_tables"),
    "flows": (("donations", "support_messages"), "cite.where_tables"),
    "flows-sankey": (("donations",), "cite.where_tables"),
    "corporate-giving": (("corporate_donations",), "cite.where_table4"),
    "survey-findings": (("survey_findings",), "cite.where_survey"),
    "sister-relationships-map": (("pairings",), ""),
    "sister-relationships": (("pairings",), ""),
    "sister-relationships-by-year": (("pairing_years",), ""),
    "sister-relationships-reconciled": (("pairing_years", "key_figures"), ""),
    "donation_items": (("donations",), "cite.where_tables"),
}
MAIN_SOURCE = "ccg2020"   # the source a WHERE names a part of


def _rows(pkg, table: str, state: Mapping[str, Any] | None):
    """A table's rows behind a view: a record table (donations, their items, messages) keeps the rows the view's
    filters keep, as the data page and its addresses do; any other table whole."""
    if state is not None and table in exhibits.RECORD_TABLES:
        return exhibits.package_table(exhibits.Ask(data.get(), {**state, "q": ""}), table)
    return pkg.tables.get(table)


def _counts(pkg, name: str, state: Mapping[str, Any] | None = None) -> Counter:
    """How many rows of the tables behind `name` (in the view `state`) cite each source."""
    if name.startswith("china-tech-philanthropy-"):
        rows = corporate.domestic_figures(pkg.key_figures, name.removeprefix("china-tech-philanthropy-"))
        return Counter(rows["source_id"].astype(str))
    if name in ("atlas", "package", "sources"):
        tables = [n for n, tb in pkg.tables.items() if n != "sources" and "source_id" in tb.columns]
    elif name in DRAWS:
        tables = list(DRAWS[name][0])
    else:
        tables = [name]
    counts: Counter = Counter()
    for n in tables:
        table = _rows(pkg, n, state)
        for column in ("source_id", "event_source_id"):
            if table is not None and column in table.columns:
                values = table[column].astype("string").dropna()
                # a cell may name several sources ("chinadaily2018-guangdong;ecns2018-guangdong": pairings.evidence)
                counts.update(one.strip() for v in values for one in str(v).split(";") if one.strip())
    return counts


def _source(row: Mapping[str, Any], lang: str, where: str = "") -> cite.Source:
    def text(key: str) -> str:
        value = row.get(key, "")
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    title = text("title")
    if lang == "zh" and text("title_zh"):
        title += t("sources.translated_title", lang, title=text("title_zh"))
    return cite.Source(id=text("source_id"), title=title, publisher=text("publisher"), published=text("published"),
                       url=text("url"), where=where, kind=text("note"))


def _view(name: str, state: Mapping[str, Any] | None) -> dict | None:
    """The part of `state` that chooses an exhibit's rows: its own filters (None: every row)."""
    ex = exhibits.BY_NAME.get(name)
    if state is None or ex is None or not [n for n in active(state, FIELDS) if n in ex.filters]:
        return None
    return {f.name: (state.get(f.name, f.default) if f.name in ex.filters else f.default) for f in FIELDS}


def sources_of(name: str, lang: str, state: Mapping[str, Any] | None = None) -> tuple[tuple[cite.Source, ...], int]:
    """The sources `name` draws (in the view `state`: a record exhibit's filtered rows), most cited first: the first
    NAMED in full, and how many more."""
    view = _view(name, state)

    def make():
        pkg = data.get().package
        rows = {str(r["source_id"]): r for r in pkg.tables["sources"].astype(object).to_dict("records")}
        # most cited first, but the report the atlas is built on leads wherever it is drawn
        counts = _counts(pkg, name, view) or _counts(pkg, name)   # a view with no rows cites what the exhibit draws
        if name in ("atlas", "package", "sources"):
            # the whole package draws on every source it lists, also those only a note cites (a place's state)
            counts.update({s: 0 for s in rows})
        ranked = [s for s, _ in sorted(counts.items(), key=lambda kv: (kv[0] != MAIN_SOURCE, -kv[1], kv[0]))
                  if s in rows]
        where_key = DRAWS.get(name, ((), ""))[1]
        named = tuple(_source(rows[s], lang, t(where_key, lang) if where_key and s == MAIN_SOURCE else "")
                      for s in ranked[:NAMED])
        if not ranked:  # a table no row of which cites a document (regions, places): the package's own sources
            named = tuple(cite.Source(id=f"package-source-{i + 1}", title=str(s.get("title", "")))
                          for i, s in enumerate(pkg.descriptor.get("sources", [])[:NAMED]))
            return named, max(0, len(pkg.descriptor.get("sources", [])) - NAMED)
        return named, max(0, len(ranked) - NAMED)
    key = exhibits.cache_key(view, data.vocab()) if view is not None else ()
    return data.rendered(("cite-sources", name, lang, key), make)


def known(name: str) -> bool:
    return name in ("atlas", "package") or name in exhibits.BY_NAME


def title_of(name: str, state: Mapping[str, Any]) -> str:
    """The work's title as the reader sees it: a chart's own title, a map's or table's heading."""
    lang = state.get("lang", "en")
    pkg = data.get().package
    if name == "atlas":
        return pkg.descriptor.get("title", cite.ATLAS) if lang == "en" else t("cite.atlas_title", lang)
    if name == "package":
        return t("cite.package_title", lang)
    ex = exhibits.BY_NAME[name]
    if ex.kind == "map":
        return t("mapexport.title_flows" if ex.name == "flow-map" else "mapexport.title_pairings", lang)
    if ex.kind == "table":
        return t(ex.title_key, lang) if ex.title_key else f"{t('page.data', lang)}: {ex.name}"
    def make() -> str:   # the title only is kept, not the figure
        made = ex.build(exhibits.Ask(data.get(), state))
        return made.title if made is not None else t(f"page.{ex.page}", lang)
    return data.rendered(("cite-title", name, exhibits.cache_key(state, data.vocab())), make)


def path_of(name: str, state: Mapping[str, Any]) -> str:
    """The page address (path and query) of the view cited: the exhibit's page with the fields it reads, and the version
    of the data it shows (always named: the citation keeps pointing at what was seen)."""
    state = exhibits.pinned(state)
    lang = state.get("lang", "en")
    if name in ("atlas", "package"):
        q = ([("lang", "zh")] if lang == "zh" else []) + ([("version", state["version"])] if state["version"] else [])
        return (site.BY_KEY["data"].path if name == "package" else "/") + ("?" + urlencode(q) if q else "")
    ex = exhibits.BY_NAME[name]
    q = exhibits.query_of(ex, state, data.vocab()) + ([("table", ex.name)] if ex.page == "data" else [])
    return site.BY_KEY[ex.page].path + ("?" + urlencode(q) if q else "")


def work(name: str, state: Mapping[str, Any], base: str = "", today: dt.date | None = None) -> cite.Work:
    """The citation of `name` ("atlas", "package" or an exhibit) in the view `state`, accessed `today`."""
    lang = state.get("lang", "en")
    descriptor = data.get().package.descriptor
    licence = next(iter(descriptor.get("licenses", [])), {})
    sources, more = sources_of(name, lang, state)
    filters = ""
    if name in exhibits.BY_NAME:
        ex = exhibits.BY_NAME[name]
        if [n for n in active(state, FIELDS) if n in ex.filters]:
            filters = exhibits.Ask(data.get(), state).describe(ex.filters)
    kind = name if name in ("atlas", "package") else exhibits.BY_NAME[name].kind
    return cite.Work(key=name, kind=kind, title=title_of(name, state), version=str(descriptor.get("version", "")),
                     url=base + path_of(name, state), accessed=today or dt.date.today(), lang=lang,
                     licence=str(licence.get("name", "")), licence_url=str(licence.get("path", "")),
                     published=str(descriptor.get("created", ""))[:10], filters=filters, sources=sources,
                     more_sources=more)
