"""What the floor app shows: every element of every page, computed once by the app's own code.

`build()` runs the dashboard's computations (atlas.*, components' chart and deck builders) for the
bundled package and writes, for each page and each filter state the benchmark visits, the list of
Streamlit calls the page makes, in order, with their arguments already computed: figures, deck
JSON, tables, texts, widgets. `floor_app.py` replays that list and does nothing else, so the floor
costs what Streamlit costs to show the same elements. The page functions below mirror pages/*.py
and components/*.py (element for element); the benchmark report counts the elements of both apps in
the browser so a drift shows.

Nothing about the filters or the pages is listed here: the widgets (labels, options, widget keys),
which filters a page applies, the "Filtered by" words and the export names come from the filter
table (`atlas.filters.FIELDS`) and the page registry (`components.site.PAGES`), as in the app.

Filter states: no filter, and the one province the benchmark selects (`PROVINCE`).
"""
from __future__ import annotations

import pickle
from pathlib import Path
from urllib.parse import urlencode

from atlas import catalogue, corporate, flows, overview, pairings, survey
from atlas.exports import file_name
from atlas.filters import BY_NAME, FIELDS, active, defaults, describe, filters_of, only, slug, to_query
from atlas.i18n import fmt_number, has, label, localise_table, md, t
from atlas.vocab import PHYSICAL_UNITS
from components import url_state
from components.charts import (build_category_chart, build_corporate_chart, build_figures_chart, build_region_chart,
                               build_survey_chart, build_timeline_chart)
from components.decks import build_flow_deck, build_pairings_deck, legend_widths
from components.flow_map import MAP_KEY, legend_view
from components.site import BY_KEY, PAGES
from components.tables import MAX_ROWS

LANG = "en"
PROVINCE = "CN-FJ"  # the province the benchmark toggles in the sidebar (Fujian)
FILTER = "province"  # ... in this field's widget


def _deck(deck) -> tuple[str, dict]:
    """What st.pydeck_chart reads from a pydeck Deck: its JSON and its tooltip."""
    from streamlit.elements.deck_gl_json_chart import _get_pydeck_tooltip
    return deck.to_json(), _get_pydeck_tooltip(deck)


def _table(df, options: dict | None = None, localise: bool = True, total: int | None = None) -> tuple:
    """components/tables.py's show_table: the first rows, localised, their headers, and the caption if cut."""
    total = len(df) if total is None else total
    shown = df.head(MAX_ROWS)
    headers = None
    if localise:
        shown, headers = localise_table(shown, LANG)
    note = t("table.truncated", LANG, shown=fmt_number(len(shown), LANG), total=fmt_number(total, LANG)) \
        if total > len(shown) else None
    return ("table", shown, headers, options or {}, note)


def _widget(name: str, state: dict, vocab, format_func=None) -> tuple | None:
    """components/sidebar.py's widget for the field `name`: its kind, label, options, value and widget key."""
    f = BY_NAME[name]
    value = state[f.name]
    options = list(f.choices(vocab))
    show = format_func or (lambda code: f.display(code, LANG, vocab))
    spec = {"widget": f.widget, "label": t(f"filter.{f.name}", LANG), "options": {c: show(c) for c in options},
            "key": url_state.widget_key(f.name),
            "help": t(f"filter.{f.name}_help", LANG) if has(f"filter.{f.name}_help") else None}
    if f.widget == "multiselect":
        spec.update(default=[c for c in value if c in options], placeholder=t("filter.all", LANG))
    elif f.widget == "radio":
        spec.update(index=options.index(value), horizontal=f.name == "lang")
    elif f.widget == "segmented":
        spec.update(default=value)
    elif f.widget == "select":
        spec.update(index=options.index(value) if value in options else 0)
    elif f.widget == "slider":
        if len(options) <= 1:
            return None
        lo, hi = value
        spec.update(value=(lo if lo in options else options[0], hi if hi in options else options[-1]))
    elif f.widget == "text":
        spec.update(value=value,
                    placeholder=t(f"filter.{f.name}_placeholder", LANG) if has(f"filter.{f.name}_placeholder") else None)
    elif f.widget == "toggle":
        spec.update(value=bool(value))
    else:
        raise ValueError(f"the floor cannot show field {f.name}'s widget {f.widget!r}: mirror components/sidebar.py")
    return ("widget", spec)


def _button(label_text: str, name: str, key: str, help_text: str | None = None, primary: bool = False) -> tuple:
    """components/downloads.py's link (to the file's name: the floor serves no files)."""
    ext = name.rsplit(".", 1)[-1]
    return (label_text, f"/floor/{name}?download=1", key,
            ":material/folder_zip:" if ext == "zip" else ":material/download:", help_text, primary)


def _share(title: str, stem: str) -> tuple:
    """components/downloads.py's show_share: page link, image, data, embed snippet and citation."""
    url = "http://localhost:8501/?lang=en"
    items = [(t("share.page", LANG), url, None), (t("share.image", LANG), f"http://localhost:8501/charts/{stem}.png", None),
             (t("share.data", LANG), f"http://localhost:8501/api/v1/{stem}.csv", None),
             (t("share.embed", LANG), f'<iframe src="http://localhost:8501/embed/{stem}" title="{title}" width="100%" '
                                      'height="540" style="border:0" loading="lazy"></iframe>', "html"),
             (t("share.cite", LANG), t("cite.chart", LANG, app="Cooperation Atlas", year=2026, title=title, version="1.0.0",
                                       date="1 December 2026", url=url), None)]
    return ("share", t("share.button", LANG), items)


def build(path: Path) -> Path:
    """Compute the floor's elements for the bundled package and pickle them to `path`."""
    from components import data  # the app's data loader (cached per process, runs in bare mode here)

    d = data.get()
    base = defaults(FIELDS, d.vocab)
    states = {(): base, (PROVINCE,): {**base, FILTER: (PROVINCE,)}}
    snapshot = {
        "pages": [(p.key, t(f"page.{p.key}", LANG), p.url_path, p.icon) for p in PAGES],
        "sidebar": _sidebar(d, base),
        "variant_key": url_state.widget_key(FILTER),
        "variants": {choice: _variant(d, state) for choice, state in states.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(snapshot))
    return path


def _sidebar(d, state: dict) -> list:
    """components/sidebar.py's render, but the link (which depends on the filters: see `_variant`)."""
    out = []
    for f in FIELDS:
        if f.sidebar:
            if (w := _widget(f.name, state, d.vocab)) is not None:
                out.append(w)
            if f.name == "lang":
                out.append(("subheader", t("sidebar.filters", LANG)))
    out.append(("button", t("sidebar.reset", LANG), ":material/restart_alt:"))
    out.append(("caption", t("sidebar.copy_link", LANG)))
    return out


def _variant(d, state: dict) -> dict:
    query_string = to_query(state, d.vocab)
    ctx = _Context(d, state)
    qs = urlencode([(k, v) for k, vs in query_string.items() for v in vs])
    return {
        "query": query_string,
        "share_link": f"/?{qs}" if qs else "/",
        "elements": {p.key: PAGE_ELEMENTS[p.key](ctx) for p in PAGES},
    }


class _Context:
    """The view state and the filter-dependent texts every page needs (components/frame.py, downloads.py)."""

    def __init__(self, d, state: dict):
        self.d, self.pkg, self.vocab, self.state = d, d.package, d.vocab, state
        self.f = filters_of(state)

    def describe(self, names=None) -> str:
        return describe(self.f, LANG, self.vocab, names)

    def widget(self, name: str, format_func=None) -> list:
        w = _widget(name, self.state, self.vocab, format_func)
        return [w] if w else []

    def header(self, page: str) -> list:
        applies = BY_KEY[page].applies
        out = [("title", t(f"page.{page}", LANG)), ("markdown", t(f"purpose.{page}", LANG))]
        set_filters = active(self.state)
        used = [n for n in set_filters if n in applies]
        ignored = [n for n in set_filters if n not in applies]
        if used:
            out.append(("caption", t("filters.applied", LANG, filters=md(self.describe(used)))))
        if ignored:
            out.append(("info", t("filters.not_applicable", LANG, filters=", ".join(t(f"filter.{n}", LANG) for n in ignored),
                                  page=t(f"page.{page}", LANG), reason=t(f"reason.{page}", LANG)), ":material/filter_alt_off:"))
        return out

    def sources(self, page: str) -> tuple:
        rows = self.pkg.sources.set_index("source_id")
        ids = BY_KEY[page].sources
        lines = []
        for sid in (list(rows.index) if "*" in ids else ids):
            if sid in rows.index:
                r = rows.loc[sid]
                line = f"**{md(r['publisher'])}**, *{md(r['title'])}*" + (f" ({md(r['published'])})" if r["published"] else "")
                lines.append(line + (f" — {md(r['url'])}" if r["url"] else f" — {t('sources.no_url', LANG)}"))
        return ("sources", t("sources.heading", LANG), lines, t("sources.row_level", LANG))

    def empty(self, key: str = "empty.no_records") -> tuple:
        return ("info", t(key, LANG) + " " + t("empty.hint", LANG), ":material/search_off:")

    def downloads(self, key: str, stem, filter_names, formats, help_prefix: str = "chart.download_") -> tuple:
        """components/downloads.py's show_row: one button per format, side by side."""
        fslug = slug(only(self.f, filter_names), self.vocab)
        return ("downloads", [_button(fmt.upper(), file_name(stem if isinstance(stem, str) else stem[fmt], fslug, fmt, LANG),
                                      f"dl_{key}_{fmt}", t(f"{help_prefix}{fmt}", LANG)) for fmt in formats])

    def chart(self, chart, key: str, filter_names=()) -> list:
        """components/exhibit_view.py's show_chart: tabs (figure, table; only the open one sent), notes, source line,
        four downloads."""
        labels = [t("chart.tab_chart", LANG), t("chart.tab_table", LANG)]
        tabs = {"default": labels[1] if key in self.state["as_table"] else labels[0],
                "key": url_state.widget_key(f"as_table_{key}")}
        return [("chart", key, labels, tabs, chart.figure, _table(chart.data)[1:],
                 [md(note) for note in chart.notes] + [md(chart.source)]),
                self.downloads(key, chart.slug, filter_names, ("png", "svg", "html", "csv")), _share(chart.title, chart.slug)]


def _overview(ctx: _Context) -> list:
    pkg, f = ctx.pkg, ctx.f
    applies = BY_KEY["overview"].applies
    described = ctx.describe()
    view = overview.view(ctx.d, f)
    out = ctx.header("overview")
    if view is None:
        out.append(ctx.empty())
    else:
        cards = overview.headline(view.summary, pkg)
        out.append(("metrics", [(t(f"headline.{c['key']}", LANG), fmt_number(c["value"], LANG), None) for c in cards]))
        out += [("caption", overview.headline_caption(c, LANG)) for c in cards]
        on_record = pairings.on_record(pkg)
        out.append(("caption", t("headline.source", LANG, pairs=fmt_number(on_record, LANG),
                                 inferred=fmt_number(len(pkg.pairings) - on_record, LANG))))
        out.append(("header", t("overview.items_heading", LANG)))
        totals = view.category_totals
        if not totals["unit"].isin(PHYSICAL_UNITS).any():
            out.append(ctx.empty("empty.no_items"))
        else:
            out += ctx.chart(build_category_chart(totals, LANG, t("source.ccg_tables", LANG), described), "items", applies)
        out.append(("header", t("overview.regions_heading", LANG)))
        out += ctx.chart(build_region_chart(view.region_giving, LANG, t("source.ccg_tables", LANG), described), "regions",
                         applies)
    out.append(("header", t("overview.timeline_heading", LANG)))
    timeline = overview.timeline_figures(pkg.key_figures, f)
    if timeline.empty:
        out.append(ctx.empty("empty.no_figures"))
    else:
        out += ctx.chart(build_timeline_chart(timeline, LANG, t("source.all", LANG), ctx.describe(("dates",))),
                         "timeline", ("dates",))
    out.append(("header", t("overview.reconcile_heading", LANG)))
    out.append(("markdown", t("overview.reconcile_intro", LANG)))
    # components/tables.py's show_reconciliation
    rec = overview.reconciliation(pkg)
    shown = rec.assign(direction=[label("direction", d, LANG) for d in rec["direction"]],
                       category=[label("category", c, LANG) if has(f"category.{c}") else c for c in rec["category"]],
                       reason=[t(f"reconcile.reason.{r}", LANG) for r in rec["reason"]])
    out.append(("dataframe", shown.rename(columns={c: t(f"reconcile.{c}", LANG) for c in rec.columns}), {}))
    out.append(("caption", t("overview.reconcile_note", LANG)))
    out.append(ctx.sources("overview"))
    return out


def _flows(ctx: _Context) -> list:
    out = ctx.header("flows")
    out += ctx.widget("level")
    view = flows.view(ctx.d, ctx.f, level=ctx.state["level"])
    if view is None:
        out.append(ctx.empty())
    else:
        s, fm = view.summary, view.map
        masks = "".join(" " + t("flows.masks_direction", LANG, direction=label("direction", d, LANG), masks=t("list.separator", LANG).join(
            f"{label('category', c, LANG)} **{fmt_number(v, LANG)}**" for c, v in by_cat.items()))
            for d, by_cat in s["masks_by_category"].items())
        out.append(("markdown", t("flows.summary", LANG, **{k: fmt_number(s[k], LANG) for k in ("donations", "recipients", "donors", "messages")})
                    + masks))
        # components/flow_map.py's show_flow_map
        out += ctx.widget("basemap")
        out.append(("deck", _deck(build_flow_deck(fm, LANG, dark=False, basemap=ctx.state["basemap"])),
                    {"key": MAP_KEY, "on_select": "rerun", "selection_mode": "single-object", "height": 520}))
        out.append(("caption", t("map.click_hint", LANG)))
        if fm.capped:
            out.append(("caption", t("map.capped", LANG, shown=fmt_number(len(fm.flows), LANG), total=fmt_number(fm.arcs_total, LANG))))
        if len(fm.legend):
            legend, colours = legend_view(fm.legend, LANG)
            out.append(("caption", t("map.legend_colour", LANG)))
            out.append(("legend", legend, colours, {
                "colour": " ", "category": t("map.col_category", LANG), "unit": t("map.col_unit", LANG),
                "quantity": t("map.col_quantity", LANG), "records": t("map.col_records", LANG)}))
        widths = legend_widths(fm.qmax, LANG)
        out.append(("caption", t("map.legend_width", LANG, scale=", ".join(f"{q} → {w:.0f}px" for q, w in widths))))
        out.append(("caption", t("map.legend_direction", LANG)))
        if fm.unmapped:
            out.append(("caption", t("flows.unmapped", LANG, n=fm.unmapped)))
        out.append(("subheader", t("flows.table_heading", LANG, n=fmt_number(view.rows, LANG))))
        out.append(_table(view.table, {"height": 320}, total=view.rows))
        out.append(ctx.downloads("flows", {"csv": "flows", "html": "flow-map"}, BY_KEY["flows"].applies, ("csv", "html"),
                                 help_prefix="flows.download_"))
    out.append(ctx.sources("flows"))
    return out


def _corporate(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header("corporate")
    out += ctx.widget("currency")
    currency = ctx.state["currency"]
    rate = corporate.EXCHANGE_RATE
    out.append(("caption", t("corporate.rate_note", LANG, rate=rate.value, source=t(rate.source_key, LANG))))
    giving = corporate.giving(pkg, currency, rate)
    out += ctx.chart(build_corporate_chart(giving, currency, LANG, t("source.ccg_table4", LANG), ctx.describe(())),
                     "corporate")
    out.append(("subheader", t("corporate.context_heading", LANG)))
    # components/cards.py's show_figure_cards
    cards = corporate.context_figures(pkg.key_figures)
    if cards.empty:
        out.append(("info", t("empty.no_figures", LANG), ":material/search_off:"))
    else:
        out.append(("metrics", [(md(row["actor"]), f"{fmt_number(row['value'], LANG)} {t('unit.' + row['unit'], LANG)}",
                                 md(f"{row['description']} ({row['date']}). {pkg.source_title(row['source_id'])}"))
                                for _, row in cards.iterrows()]))
    out.append(("subheader", t("corporate.domestic_heading", LANG)))
    out.append(("markdown", t("corporate.domestic_intro", LANG)))
    for group in corporate.DOMESTIC_GROUPS:
        rows = corporate.domestic_figures(pkg.key_figures, group)
        if rows.empty:
            continue
        unit = rows["unit"].iloc[0]
        source = t("source.generic", LANG, sources="; ".join(pkg.source_title(s) for s in rows["source_id"].unique()))
        out += ctx.chart(build_figures_chart(rows, f"china-tech-philanthropy-{group}", t(f"corporate.domestic.{group}", LANG),
                                             t("unit.currency_" + unit.lower(), LANG), LANG, source), f"domestic_{group}")
    out.append(ctx.sources("corporate"))
    return out


def _survey(ctx: _Context) -> list:
    findings = ctx.pkg.survey_findings
    out = ctx.header("survey")
    n = survey.base(findings)
    if n is None:
        out.append(ctx.empty("empty.no_rows"))
    else:
        out.append(("metric", t("survey.base", LANG), f"{n:,}"))
        check = survey.base_check(findings)
        out.append(("caption", t("survey.base_note", LANG, n=fmt_number(n, "en"), fit=len(check["fit"]), findings=check["findings"],
                                 respondents=fmt_number(overview.stated(ctx.pkg, "kf-survey-respondents-abstract"), LANG),
                                 accounts=fmt_number(overview.stated(ctx.pkg, "kf-survey-accounts"), LANG))))
        out.append(("caption", t("survey.method", LANG)))
        out += ctx.chart(build_survey_chart(findings, LANG, t("source.ccg_survey", LANG, n=f"{n:,}")), "survey")
    out.append(("info", t("survey.no_breakdowns", LANG), ":material/info:"))
    out.append(ctx.sources("survey"))
    return out


def _pairings(ctx: _Context) -> list:
    out = ctx.header("pairings")
    view = pairings.view(ctx.d, ctx.f)
    if view.empty:
        out.append(ctx.empty())
    else:
        s = pairings.summary(view, ctx.pkg)
        out.append(("metrics", [(t(f"pairings.{'total' if key == 'pairs' else key}", LANG), s[key], None)
                                for key in ("pairs", "province_state", "city", "exchanged")]))
        if s["official_total"] is not None:
            out.append(("caption", t("pairings.completeness", LANG, listed=s["pairs_all"], official=s["official_total"],
                                     official_ps=s["official_province_state"], official_city=s["official_city"],
                                     date=s["official_date"])))
        # components/pairings_map.py's show_pairings_map
        out += ctx.widget("basemap")
        out.append(("deck", _deck(build_pairings_deck(view, LANG, False, basemap=ctx.state["basemap"])),
                    {"key": "pairings_map", "height": 480}))
        out.append(("caption", t("pairings.legend", LANG)))
        out.append(_table(pairings.table(view, LANG), {"height": 420}))
        out.append(ctx.downloads("pairings", "sister-relationships", BY_KEY["pairings"].applies, ("csv",)))
    out.append(ctx.sources("pairings"))
    return out


def _data(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header("data")
    out.append(("download", *_button(t("data.zip", LANG), "cooperation-atlas-data.zip", "dl_zip", primary=True)))
    out += ctx.widget("table", format_func=lambda n: f"{n} ({len(pkg.tables[n]):,} {t('data.rows', LANG)})")
    choice = ctx.state["table"]
    description = t(f"resource.{choice}", LANG) if has(f"resource.{choice}") else pkg.resource(choice).get("description", "")
    out.append(("markdown", f"**{md(choice)}** — {md(description)}"))
    out += ctx.widget("q")
    table = catalogue.search_table(pkg.tables[choice], ctx.state["q"])
    out.append(("caption", t("data.showing", LANG, n=len(table), total=len(pkg.tables[choice]))))
    if table.empty:
        out.append(ctx.empty("empty.no_rows"))
    else:
        out.append(_table(table, {"height": 460}, localise=False))
    out.append(("download", *_button("CSV", f"{choice}.csv", f"dl_table_{choice}")))
    out.append(("expander_table", t("data.schema", LANG), _table(catalogue.schema_table(pkg, choice))[1:]))
    out.append(("header", t("data.cite_heading", LANG)))
    out.append(("markdown", t("data.cite_text", LANG)))
    out.append(("code", t("data.citation", LANG, version=pkg.descriptor.get("version", ""))))
    out.append(ctx.sources("data"))
    return out


PAGE_ELEMENTS = {"overview": _overview, "flows": _flows, "corporate": _corporate, "survey": _survey,
                 "pairings": _pairings, "data": _data}
if {p.key for p in PAGES} != set(PAGE_ELEMENTS):
    raise RuntimeError(f"components.site.PAGES and the floor's pages differ: {sorted({p.key for p in PAGES} ^ set(PAGE_ELEMENTS))}")


if __name__ == "__main__":
    print(build(Path(__file__).resolve().parent / ".cache" / "floor-snapshot.pkl"))
