"""What the floor app shows: every element of every page, computed once by the app's own code.

`build()` runs the dashboard's computations (atlas.*, the exhibits of components/exhibits.py, the components'
chart, deck, table, card and text builders) for the bundled package and writes, for each page and each filter
state the benchmark visits, the list of Streamlit calls the page makes, in order, with their arguments already
computed: figures (as the dicts the app's screen figures send), deck JSON, tables with their column
configuration, texts, widgets, links. `floor_app.py` replays that list and does nothing else, so the floor costs
what Streamlit costs to show the same elements. The page functions below mirror pages/*.py and the components
they call (frame's header, page setup, sources and empty states; the sidebar's widgets; downloads' rows and
"link, embed, cite"; exhibit_view's charts; flow_map, pairings_map, tables, cards, landing) element for element
and in the same order; the benchmark report counts the elements of both apps in the browser so a drift shows.

Nothing about the filters or the pages is listed here: the widgets (labels, options, widget keys),
which filters a page applies, the "Filtered by" words, the exhibits' addresses and file names come from the
filter table (`atlas.filters.FIELDS`), the page registry (`components.site.PAGES`) and the exhibits
(`components.exhibits.EXHIBITS`), as in the app. The style and script of every page's header are literals of
`components.frame.page_setup`: they are recorded by running it with a stand-in for Streamlit (`_recorded`).
Links and the "link, embed, cite" texts are the app's own addresses after `ORIGIN` (a stand-in for the reader's
host, which the floor does not know); the floor serves none of them.

Filter states: no filter, and the one province the benchmark selects (`PROVINCE`). Other view state (the
pairings page's "count inferred" toggle, a chosen row of the data page) is shown as a page opens.
"""
from __future__ import annotations

import functools
import pickle
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

from atlas import catalogue, corporate, flows, overview, pairings, survey
from atlas.filters import BY_NAME, FIELDS, active, defaults, describe_shown, filters_of, to_query
from atlas.i18n import fmt_number, has, label, md, t
from atlas.landing import facts
from atlas.map_text import flow_map_text, pairings_map_text
from components import cards, data, downloads, exhibits, frame, pairings_map, tables, url_state
from components.landing import fact_links
from components.decks import MAP_HEIGHT, build_flow_deck, build_pairings_deck
from components.exhibit_view import screen_chart
from components.flow_map import MAP_KEY, legend_view, top_flow_lines, width_legend
from components.site import BY_KEY, PAGES

LANG = "en"
PROVINCE = "CN-FJ"  # the province the benchmark toggles in the sidebar (Fujian)
FILTER = "province"  # ... in this field's widget
ORIGIN = "http://localhost:8501"  # the reader's scheme and host, as components/downloads.py's origin() finds them
# components/exhibit_view.py's show_chart: the plotly chart's configuration (no toolbar: the files are in the row)
PLOT_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _deck(deck) -> tuple[str, dict]:
    """What st.pydeck_chart reads from a pydeck Deck: its JSON and its tooltip."""
    from streamlit.elements.deck_gl_json_chart import _get_pydeck_tooltip
    return deck.to_json(), _get_pydeck_tooltip(deck)


def _recorded(fn, *args) -> list:
    """The Streamlit calls `fn(*args)` makes, each as (name, args, kwargs, the calls made inside its `with` block):
    for the app's functions whose arguments are literals (frame.page_setup's style and script), run once with a
    stand-in for Streamlit in their module."""
    calls: list = []
    stack = [calls]

    class Block:
        def __init__(self, inner: list):
            self.inner = inner

        def __enter__(self):
            stack.append(self.inner)
            return self

        def __exit__(self, *exc):
            stack.pop()

    class Recorder:
        def __getattr__(self, name: str):
            def call(*a, **kw):
                inner: list = []
                stack[-1].append((name, a, kw, inner))
                return Block(inner)
            return call

    with mock.patch.object(sys.modules[fn.__module__], "st", Recorder()):
        fn(*args)
    return calls


@functools.cache
def _page_setup() -> tuple:
    """components/frame.py's page_setup: style, the hidden container of the skip links' words, the script."""
    return ("calls", _recorded(frame.page_setup, LANG))


def _table(df, localise: bool = True, total: int | None = None, **options) -> tuple:
    """components/tables.py's show_table: the first rows (localised), their column configuration (quantities with
    thousands separators), the height fitted to the rows, and the caption if cut."""
    from streamlit import column_config
    total = len(df) if total is None else total
    shown, headers, numbers = tables._screen_table(df, LANG, localise)
    config = {c: column_config.NumberColumn(h, format="localized") if c in numbers else column_config.Column(h)
              for c, h in headers.items()}
    options["height"] = tables.fitted_height(len(shown), options.get("height"))
    note = t("table.truncated", LANG, shown=fmt_number(len(shown), LANG), total=fmt_number(total, LANG)) \
        if total > len(shown) else None
    return ("table", shown, config, options, note)


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
    elif f.widget == "months":
        if len(options) <= 1:
            return None
        from atlas.filters import DATE_PRESETS
        from components.sidebar import month_label, preset_of
        presets = {c: e for c, e in DATE_PRESETS.items() if all(x is None or x in options for x in e)}
        lo, hi = value
        lo = lo if lo in options else options[0]
        hi = hi if hi in options and hi >= lo else options[-1]
        spec.update(options={c: month_label(c, LANG) for c in options}, start=lo, end=hi,
                    presets={c: t(f"dates.preset.{c}", LANG) for c in [*presets, "custom"]},
                    preset=preset_of(value, presets), from_label=t("dates.from", LANG), to_label=t("dates.to", LANG))
    elif f.widget == "text":
        spec.update(value=value,
                    placeholder=t(f"filter.{f.name}_placeholder", LANG) if has(f"filter.{f.name}_placeholder") else None)
    elif f.widget == "toggle":
        spec.update(value=bool(value))
    else:
        raise ValueError(f"the floor cannot show field {f.name}'s widget {f.widget!r}: mirror components/sidebar.py")
    return ("widget", spec)


def _link(label_text: str, url: str, key: str, help_text: str | None = None, primary: bool = False,
          zip_file: bool = False) -> tuple:
    """components/downloads.py's link."""
    return ("download", label_text, url, key, ":material/folder_zip:" if zip_file else ":material/download:", help_text,
            primary)


def build(path: Path) -> Path:
    """Compute the floor's elements for the bundled package and pickle them to `path`."""
    d = data.get()  # the app's data loader (cached per process, runs in bare mode here)
    base = defaults(FIELDS, d.vocab)
    states = {(): base, (PROVINCE,): {**base, FILTER: (PROVINCE,)}}
    snapshot = {
        "pages": [(p.key, t(f"page.{p.key}", LANG), p.url_path, p.icon) for p in PAGES],
        "variant_key": url_state.widget_key(FILTER),
        "variants": {choice: _variant(d, state) for choice, state in states.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(snapshot))
    return path


def _sidebar(d, state: dict) -> list:
    """components/sidebar.py's render in the view state `state`, but the link (see `_variant`)."""
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


def _query_string(state: dict, vocab) -> str:
    return urlencode([(k, v) for k, vs in to_query(state, vocab).items() for v in vs])


def _variant(d, state: dict) -> dict:
    qs = _query_string(state, d.vocab)
    return {
        "query": to_query(state, d.vocab),
        "sidebar": _sidebar(d, state),
        "share_link": f"/?{qs}" if qs else "/",
        "elements": {p.key: PAGE_ELEMENTS[p.key](_Context(d, state, p.key)) for p in PAGES},
    }


class _Context:
    """One page in one view state, and what the components every page uses show (frame, downloads, exhibit_view)."""

    def __init__(self, d, state: dict, page: str):
        self.d, self.pkg, self.vocab, self.state, self.page = d, d.package, d.vocab, state, page
        self.f = filters_of(state)
        qs = _query_string(state, self.vocab)
        base = f"{ORIGIN}/{BY_KEY[page].url_path}"
        self.page_url = f"{base}?{qs}" if qs else base  # components/sidebar.py's share_link, on this page

    def widget(self, name: str, format_func=None) -> list:
        """components/sidebar.py's option: the widget of a page's own view option."""
        w = _widget(name, self.state, self.vocab, format_func)
        return [w] if w else []

    def header(self) -> list:
        """components/frame.py's header: page setup, title, purpose, and the container of the notes that come and go
        with the filters (the floor's URL never needs a link warning)."""
        page = self.page
        applies = BY_KEY[page].applies
        out = [_page_setup(), ("title", t(f"page.{page}", LANG)), ("markdown", t(f"purpose.{page}", LANG))]
        set_filters = active(self.state)
        used = [n for n in set_filters if n in applies]
        ignored = [n for n in set_filters if n not in applies]
        notes = []
        if used:
            notes.append(("caption", t("filters.applied", LANG,
                                       filters=md(describe_shown(self.state, LANG, self.vocab, used)))))
        if ignored:
            notes.append(("info", t("filters.not_applicable", LANG,
                                    filters=", ".join(t(f"filter.{n}", LANG) for n in ignored),
                                    page=t(f"page.{page}", LANG), reason=t(f"reason.{page}", LANG)),
                          ":material/filter_alt_off:"))
        out.append(("container", {}, notes))
        return out

    def sources(self) -> tuple:
        """components/frame.py's sources: one line per source (frame.source_line), in an expander."""
        rows = self.pkg.sources.set_index("source_id")
        ids = BY_KEY[self.page].sources
        lines = [frame.source_line(rows.loc[sid], LANG) for sid in (list(rows.index) if "*" in ids else ids)
                 if sid in rows.index]
        return ("sources", t("sources.heading", LANG), lines, t("sources.row_level", LANG))

    def empty(self, key: str = "empty.no_records") -> tuple:
        """components/frame.py's empty."""
        return ("info", t(key, LANG) + " " + t("empty.hint", LANG), ":material/search_off:")

    def row(self, name: str, key: str | None = None, help_prefix: str = "chart.download_",
            share: tuple[str, int] | None = None) -> tuple:
        """components/downloads.py's show_row: a link per format of exhibit `name` in a row that wraps, and with
        `share` the "link, embed, cite" popover at its end."""
        ex = exhibits.BY_NAME[name]
        key = key or ex.key or ex.page
        links = [(t("download.label_zip", LANG) if fmt == "zip" else fmt.upper(),
                  exhibits.address(ex, fmt, self.state, self.vocab, download=True), f"dl_{key}_{fmt}",
                  ":material/folder_zip:" if fmt == "zip" else ":material/download:", t(f"{help_prefix}{fmt}", LANG))
                 for fmt in ex.formats]
        return ("downloads", f"downloads_{key}_{ex.name}", links, self.share(name, *share) if share else None)

    def share(self, name: str, title: str, height: int | None = None) -> tuple:
        """components/downloads.py's show_share: page link, image, data, embed snippet and citation."""
        ex = exhibits.BY_NAME[name]
        state, vocab = self.state, self.vocab
        items = [(t("share.page", LANG), self.page_url, None)]
        if "png" in ex.chart_formats:
            items.append((t("share.image", LANG), ORIGIN + exhibits.address(ex, "png", state, vocab), None))
        items.append((t("share.data", LANG),
                      ORIGIN + exhibits.address(ex, "csv" if "csv" in ex.api_formats else "html", state, vocab), None))
        if ex.kind != "table":
            src = ORIGIN + exhibits.address(ex, "embed", state, vocab)
            items.append((t("share.embed", LANG),
                          f'<iframe src="{src}" title="{downloads._attr(title)}" width="100%" '
                          f'height="{(height or 520) + 20}" style="border:0" loading="lazy"></iframe>', "html"))
        items.append((t("cite.styled", LANG), downloads.citation(name, state, ORIGIN), None))
        return (t("share.button", LANG), items)

    def chart(self, name: str) -> list:
        """components/exhibit_view.py's show_chart: tabs (heading and figure, heading and table; only the open one
        sent), notes, source line, the text alternative, and the row of files with "link, embed, cite"."""
        ex = exhibits.BY_NAME[name]
        chart, on_screen = screen_chart(name, self.state, False)
        if chart is None:
            return [self.empty(ex.empty)]
        labels = [t("chart.tab_chart", LANG), t("chart.tab_table", LANG)]
        tabs = {"default": labels[1] if ex.key in self.state["as_table"] else labels[0],
                "key": url_state.widget_key(f"as_table_{ex.key}")}
        heading = (f"**{md(chart.title)}**", md(chart.subtitle.replace("<br>", " ")))  # components/charts.py's show_heading
        plot = (on_screen.to_dict(), {"theme": None, "key": f"plot_{ex.key}", "alt": chart.alt or None,
                                      "config": PLOT_CONFIG})
        out = [("chart", labels, tabs, heading, plot, _table(chart.data)[1:])]
        out += [("caption", md(note)) for note in chart.notes]
        out.append(("caption", md(chart.source)))
        if chart.alt:
            out.append(("expander", t("alt.heading", LANG), {"icon": ":material/description:"},
                        [("markdown", md(chart.alt))]))
        out.append(self.row(name, share=(chart.title, chart.figure.height)))
        return out

    def map_text(self, text: str) -> tuple:
        """components/flow_map.py's show_map_text: the map in words, in an expander."""
        return ("expander", t("map.as_text", LANG), {"icon": ":material/description:"}, [("markdown", md(text))])


def _landing(ctx: _Context) -> list:
    """components/landing.py's show_landing: the story, and four facts, each a link to its page."""
    f = data.whole(facts, LANG)
    links = [("page_link", key, md(text), BY_KEY[key].icon) for key, text in fact_links(f, LANG)]
    return [("markdown", t("landing.story", LANG)),
            ("container", {"border": True, "key": "landing"}, [("markdown", f"**{t('landing.heading', LANG)}**"), *links])]


def _overview(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header()
    out += _landing(ctx)
    view = data.view(overview.view, ctx.f, LANG)
    if view is None:
        out.append(ctx.empty())
    else:
        shown = overview.headline_shown(view.summary, pkg, LANG)
        out.append(("metrics", 4, [shown["cards"]]))
        out.append(("caption", shown["source"]))
        out.append(("header", t("overview.items_heading", LANG)))
        out += ctx.widget("scale")
        out += ctx.chart("items-each-way")
        out.append(("header", t("overview.regions_heading", LANG)))
        out += ctx.chart("provinces-and-states")
    out.append(("header", t("overview.timeline_heading", LANG)))
    out += ctx.chart("timeline")
    out.append(("header", t("overview.reconcile_heading", LANG)))
    out.append(("markdown", t("overview.reconcile_intro", LANG)))
    # components/tables.py's show_reconciliation
    shown = tables.reconciliation_shown(data.whole(overview.reconciliation_view), LANG)
    out.append(("dataframe", shown, {"height": 35 * (len(shown) + 1) + 3}))
    out.append(("caption", t("overview.reconcile_note", LANG)))
    out.append(ctx.row("reconciliation", help_prefix="overview.download_"))
    out.append(ctx.sources())
    return out


def _flow_map(ctx: _Context, fm) -> list:
    """components/flow_map.py's show_flow_map: basemap, level note, the map with the largest flows beside it, the map
    in words, hints and legends."""
    out = ctx.widget("basemap")
    deck = build_flow_deck(fm, LANG, dark=False, basemap=ctx.state["basemap"])
    text, lines = flow_map_text(fm, LANG), top_flow_lines(fm, LANG)
    level = "region" if len(fm.coords) and (fm.coords["key"] == fm.coords["admin1"]).all() else "place"
    out.append(("caption", t(f"map.level_{level}", LANG)))
    out.append(("columns", [5, 2], {"gap": "medium"}, [
        [("deck", _deck(deck), {"key": MAP_KEY, "on_select": "rerun", "selection_mode": "single-object",
                                "height": MAP_HEIGHT, "alt": text})],
        # show_top_flows
        [("markdown", f"**{t('map.top_heading', LANG)}**"), ("markdown", "  \n".join(lines)),
         ("caption", t("map.top_note", LANG, shown=len(lines), total=fmt_number(fm.arcs_total, LANG)))],
    ]))
    out.append(ctx.map_text(text))
    out.append(("caption", t("map.click_hint_fixed", LANG)))
    if fm.capped:
        out.append(("caption", t("map.capped", LANG, shown=fmt_number(len(fm.flows), LANG), total=fmt_number(fm.arcs_total, LANG))))
    out.append(("caption", t("map.legend_lines", LANG)))
    if len(fm.legend):
        legend, colours = legend_view(fm.legend, LANG)
        out.append(("legend", legend, colours, {
            "colour": " ", "category": t("map.col_category", LANG), "unit": t("map.col_unit", LANG),
            "quantity": t("map.col_quantity", LANG), "records": t("map.col_records", LANG)}))
    out.append(("caption", width_legend(fm.qmax, LANG)))
    out.append(("caption", t("map.legend_direction", LANG)))
    return out


def _flows(ctx: _Context) -> list:
    out = ctx.header()
    out += ctx.widget("level")
    view = data.view(flows.view, ctx.f, LANG, level=ctx.state["level"])
    if view is None:
        out.append(ctx.empty())
    else:
        s = view.summary
        masks = "".join(" " + t("flows.masks_direction", LANG, direction=label("direction", d, LANG), masks=t("list.separator", LANG).join(
            f"{label('category', c, LANG)} **{fmt_number(v, LANG)}**" for c, v in by_cat.items()))
            for d, by_cat in s["masks_by_category"].items())
        out.append(("markdown", t("flows.summary", LANG, **{k: fmt_number(s[k], LANG) for k in ("donations", "recipients", "donors", "messages")})
                    + masks))
        out += _flow_map(ctx, view.map)
        if view.map.unmapped:
            out.append(("caption", t("flows.unmapped", LANG, n=view.map.unmapped)))
        out.append(ctx.row("flow-map", key="flows", help_prefix="flows.download_"))
        out.append(("subheader", t("flows.sankey_heading", LANG)))
        out += ctx.widget("measure")
        out += ctx.chart("flows-sankey")
        out.append(("subheader", t("flows.table_heading", LANG, n=fmt_number(view.rows, LANG))))
        out.append(_table(view.table, total=view.rows, height=320))
        out.append(ctx.row("flows", help_prefix="flows.download_"))
    out.append(ctx.sources())
    return out


def _corporate(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header()
    out += ctx.widget("currency")
    rate = corporate.EXCHANGE_RATE
    out.append(("caption", t("corporate.rate_note", LANG, rate=f"{rate.value:.2f}", source=t(rate.source_key, LANG))))
    out += ctx.chart("corporate-giving")
    out.append(("subheader", t("corporate.context_heading", LANG)))
    # components/cards.py's show_figure_cards: rows of PER_ROW cards
    made = data.of_package(cards.figure_cards, LANG)
    if not made:
        out.append(("info", t("empty.no_figures", LANG), ":material/search_off:"))
    else:
        out.append(("metrics", cards.PER_ROW, [made[i:i + cards.PER_ROW] for i in range(0, len(made), cards.PER_ROW)]))
    out.append(("subheader", t("corporate.domestic_heading", LANG)))
    out.append(("markdown", t("corporate.domestic_intro", LANG)))
    for group in corporate.DOMESTIC_GROUPS:
        out += ctx.chart(f"china-tech-philanthropy-{group}")
    out.append(ctx.sources())
    return out


def _survey(ctx: _Context) -> list:
    pkg = ctx.pkg
    findings = pkg.survey_findings
    out = ctx.header()
    n = survey.base(findings)
    if n is None:
        out.append(ctx.empty("empty.no_rows"))
    else:
        check = survey.base_check(findings)
        out.append(("metric", t("survey.base", LANG), f"{n:,}"))
        out.append(("caption", t("survey.base_note", LANG, n=fmt_number(n, "en"), fit=len(check["fit"]), findings=check["findings"],
                                 respondents=fmt_number(overview.stated(pkg, "kf-survey-respondents-abstract"), LANG),
                                 accounts=fmt_number(overview.stated(pkg, "kf-survey-accounts"), LANG))))
        out.append(("caption", t("survey.method", LANG)))
        out += ctx.chart("survey-findings")
    out.append(("info", t("survey.no_breakdowns", LANG), ":material/info:"))
    out.append(ctx.sources())
    return out


def _pairings_map(ctx: _Context, view) -> list:
    """components/pairings_map.py's show_pairings_map."""
    out = ctx.widget("basemap")
    deck = build_pairings_deck(view, LANG, False, basemap=ctx.state["basemap"])
    text = pairings_map_text(view, LANG)
    out.append(("deck", _deck(deck), {"height": 480, "key": pairings_map.MAP_KEY, "on_select": "rerun",
                                      "selection_mode": "single-object", "alt": text}))
    out.append(ctx.map_text(text))
    out.append(("caption", t("pairings.click_hint", LANG)))
    out.append(("caption", t("pairings.legend", LANG)))
    return out


def _pairings(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header()
    view = data.view(pairings.view, ctx.f)
    if view.empty:
        out.append(ctx.empty())
    else:
        out.append(("toggle", t("pairings.count_inferred", LANG), "pairings_count_inferred"))
        include_inferred = False  # the toggle as the page opens
        s = pairings.summary(view, pkg, include_inferred)
        labels = {"pairs": "pairings.total_all" if include_inferred else "pairings.total",
                  "province_state": "pairings.province_state", "city": "pairings.city", "exchanged": "pairings.exchanged"}
        out.append(("metrics", len(labels), [[(t(label_key, LANG), s[key], None) for key, label_key in labels.items()]]))
        if s["inferred"] and not include_inferred:
            out.append(("caption", t("pairings.inferred_caption", LANG, inferred=s["inferred"], contradicted=s["contradicted"])))
        if s["official_total"] is not None:
            out.append(("caption", t("pairings.completeness", LANG, listed=s["pairs_all"], official=s["official_total"],
                                     official_ps=s["official_province_state"], official_city=s["official_city"],
                                     date=s["official_date"])))
        out += _pairings_map(ctx, view)
        out.append(("markdown", t("pairings.evidence_legend", LANG)))
        out.append(_table(pairings.table(view, LANG), height=420))
        out.append(ctx.row("sister-relationships-map", key="pairings", help_prefix="pairings.download_"))
        out.append(ctx.row("sister-relationships", key="pairings", help_prefix="pairings.download_"))
        out.append(("header", t("pairing_years.heading", LANG)))
        out += ctx.chart("sister-relationships-by-year")
    out.append(ctx.sources())
    return out


def _data(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header()
    out.append(_link(t("data.zip", LANG), "/api/v1/cooperation-atlas-data.zip?download=1", "dl_zip", primary=True,
                     zip_file=True))
    out += ctx.widget("table", format_func=lambda n: f"{n} ({len(pkg.tables[n]):,} {t('data.rows', LANG)})")
    choice = ctx.state["table"]
    description = t(f"resource.{choice}", LANG) if has(f"resource.{choice}") else pkg.resource(choice).get("description", "")
    out.append(("markdown", f"**{md(choice)}** — {md(description)}"))
    out += ctx.widget("q")
    if choice not in exhibits.RECORD_TABLES and ctx.f != ctx.f.__class__():
        out.append(("info", t("data.filters_records_only", LANG, tables=", ".join(exhibits.RECORD_TABLES)),
                    ":material/filter_alt_off:"))
    table = exhibits.BY_NAME[choice].build(exhibits.Ask(ctx.d, ctx.state))
    out.append(("caption", t("data.showing", LANG, n=len(table), total=len(pkg.tables[choice]))))
    if table.empty:
        out.append(ctx.empty("empty.no_rows"))
    else:
        out.append(_table(table, localise=False, height=460, key=f"rows_{choice}", on_select="rerun",
                          selection_mode="single-row"))
        # components/frame.py's show_passage, no row chosen yet
        out.append(("container", {"border": True, "key": "passage"},
                    [("markdown", f"**{t('passage.heading', LANG)}**"), ("caption", t("passage.hint", LANG))]))
    out.append(ctx.row(choice, key=f"table_{choice}", help_prefix="data.download_"))
    out.append(("expander_table", t("data.schema", LANG), _table(catalogue.schema_table(pkg, choice))[1:]))
    out.append(("header", t("data.cite_heading", LANG)))
    out.append(("markdown", t("data.cite_text", LANG)))
    out.append(("code", downloads.citation("package", ctx.state, "")))
    out.append(ctx.sources())
    return out


PAGE_ELEMENTS = {"overview": _overview, "flows": _flows, "corporate": _corporate, "survey": _survey,
                 "pairings": _pairings, "data": _data}
if {p.key for p in PAGES} != set(PAGE_ELEMENTS):
    raise RuntimeError(f"components.site.PAGES and the floor's pages differ: {sorted({p.key for p in PAGES} ^ set(PAGE_ELEMENTS))}")


if __name__ == "__main__":
    print(build(Path(__file__).resolve().parent / ".cache" / "floor-snapshot.pkl"))
