"""What the floor app shows: every element of every page, computed once by the app's own code.

`build()` runs the dashboard's computations (atlas.*) for the bundled package and writes, for each
page and each filter state the benchmark visits, the list of Streamlit calls the page makes, in
order, with their arguments already computed: figures, deck JSON, tables, texts. `floor_app.py`
replays that list and does nothing else, so the floor costs what Streamlit costs to show the same
elements. The lists below mirror pages/*.py and components/*.py (element for element); the
benchmark report counts the elements of both apps in the browser so a drift shows.

Filter states: no filter, and the one province the benchmark selects (`PROVINCE`).
"""
from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd

from atlas import export, query
from atlas import overview as ov
from atlas import queries_corporate as qc
from atlas.figures import (category_chart, corporate_chart, figures_chart, region_chart, survey_chart,
                            timeline_chart)
from atlas.filters import ACTOR_KINDS, CATEGORIES, DIRECTIONS, Filters, slug, to_query
from atlas.flowmap import build_flow_map, flow_table, legend_view, text_summary
from atlas.i18n import LANG_NAMES, LANGS, fmt_number, has, label, localise_table, md, t
from atlas.maps import flow_deck, legend_widths
from atlas.pairings import pairings_deck, pairings_summary, pairings_table

LANG = "en"
PROVINCE = "CN-FJ"  # the province the benchmark toggles in the sidebar (Fujian)
PAGES = [  # (page, url path, icon), as app.py declares them
    ("overview", "", ":material/dashboard:"), ("flows", "flows", ":material/conversion_path:"),
    ("corporate", "corporate", ":material/business:"), ("survey", "survey", ":material/ballot:"),
    ("pairings", "pairings", ":material/link:"), ("data", "data", ":material/table_view:")]
APPLIES = {"overview": "all", "flows": "all", "corporate": (), "survey": (), "pairings": ("province", "state"), "data": ()}
ALL_FILTERS = ("province", "state", "direction", "category", "actor", "dates")
MIME = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html", "csv": "text/csv"}
DOWNLOAD_ICON = ":material/download:"


def _deck(deck) -> tuple[str, dict]:
    """What st.pydeck_chart reads from a pydeck Deck: its JSON and its tooltip."""
    from streamlit.elements.deck_gl_json_chart import _get_pydeck_tooltip
    return deck.to_json(), _get_pydeck_tooltip(deck)


def _table(df, options: dict | None = None, localise: bool = True) -> tuple:
    """components/table.py's show_table: the first rows, localised, their headers, and the caption if cut."""
    from components.table import MAX_ROWS
    shown, headers = localise_table(df.head(MAX_ROWS), LANG) if localise else (df.head(MAX_ROWS), None)
    note = t("table.truncated", LANG, shown=fmt_number(MAX_ROWS, LANG), total=fmt_number(len(df), LANG)) \
        if len(df) > MAX_ROWS else None
    return ("table", shown, headers, options or {}, note)


def _basemap() -> tuple:
    """components/flow_map.py's basemap_toggle (off: the offline outlines)."""
    return ("toggle", t("map.basemap", LANG), "map_basemap", t("map.basemap_help", LANG))


def build(path: Path) -> Path:
    """Compute the floor's elements for the bundled package and pickle them to `path`."""
    from components import state  # the app's data loader (cached per process, runs in bare mode here)

    d = state.data()
    snapshot = {
        "pages": [(page, t(f"page.{page}", LANG), url, icon) for page, url, icon in PAGES],
        "sidebar": _sidebar(d),
        "variants": {(): _variant(d, Filters()), (PROVINCE,): _variant(d, Filters(provinces=(PROVINCE,)))},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(snapshot))
    return path


def _sidebar(d) -> dict:
    regions = d.package.regions.set_index("admin1")
    return {
        "language": t("sidebar.language", LANG), "langs": {c: LANG_NAMES[c] for c in LANGS},
        "filters": t("sidebar.filters", LANG), "all": t("filter.all", LANG),
        "province": t("filter.province", LANG), "provinces": {c: regions.at[c, "name_en"] for c in d.vocab.provinces},
        "state": t("filter.state", LANG), "states": {c: regions.at[c, "name_en"] for c in d.vocab.states},
        "direction": t("filter.direction", LANG), "directions": {c: label("direction", c, LANG) for c in DIRECTIONS},
        "category": t("filter.category", LANG), "categories": {c: label("category", c, LANG) for c in CATEGORIES},
        "actor": t("filter.actor", LANG), "actors": {c: label("actor", c, LANG) for c in ACTOR_KINDS},
        "dates": t("filter.dates", LANG), "months": list(d.months), "dates_help": t("filter.dates_help", LANG),
        "reset": t("sidebar.reset", LANG), "copy_link": t("sidebar.copy_link", LANG),
    }


def _variant(d, f: Filters) -> dict:
    query_string = to_query(f, d.vocab)
    records = query.filter_records(d.records, f)
    ctx = _Context(d, f)
    return {
        "query": query_string,
        "share_link": "/?" + "&".join(f"{k}={v}" for k, vs in query_string.items() for v in vs) if query_string else "/",
        "elements": {"overview": _overview(ctx, records), "flows": _flows(ctx, records), "corporate": _corporate(ctx),
                     "survey": _survey(ctx), "pairings": _pairings(ctx), "data": _data(ctx)},
    }


class _Context:
    """The filter-dependent texts every page needs (components/page.py)."""

    def __init__(self, d, f: Filters):
        self.d, self.f, self.pkg = d, f, d.package
        self.active = [k for k, on in (("province", f.provinces), ("state", f.states), ("direction", f.direction != "both"),
                                       ("category", f.categories), ("actor", f.actors),
                                       ("dates", f.date_from or f.date_to)) if on]

    def describe(self, keys=ALL_FILTERS) -> str:
        regions = self.pkg.regions.set_index("admin1")
        parts = []
        if "province" in keys and self.f.provinces:
            parts.append(t("filter.province", LANG) + ": " + ", ".join(regions.at[c, "name_en"] for c in self.f.provinces))
        if "state" in keys and self.f.states:
            parts.append(t("filter.state", LANG) + ": " + ", ".join(regions.at[c, "name_en"] for c in self.f.states))
        if "direction" in keys and self.f.direction != "both":
            parts.append(label("direction", self.f.direction, LANG))
        if "category" in keys and self.f.categories:
            parts.append(", ".join(label("category", c, LANG) for c in self.f.categories))
        if "actor" in keys and self.f.actors:
            parts.append(", ".join(label("actor", c, LANG) for c in self.f.actors))
        if "dates" in keys and (self.f.date_from or self.f.date_to):
            parts.append(f"{self.f.date_from or '…'} – {self.f.date_to or '…'}")
        return "; ".join(parts) if parts else t("filters.none", LANG)

    def header(self, page: str) -> list:
        applies = ALL_FILTERS if APPLIES[page] == "all" else APPLIES[page]
        out = [("title", t(f"page.{page}", LANG)), ("markdown", t(f"purpose.{page}", LANG))]
        used = [k for k in self.active if k in applies]
        ignored = [k for k in self.active if k not in applies]
        if used:
            out.append(("caption", t("filters.applied", LANG, filters=self.describe(used))))
        if ignored:
            out.append(("info", t("filters.not_applicable", LANG, filters=", ".join(t(f"filter.{k}", LANG) for k in ignored),
                                  page=t(f"page.{page}", LANG), reason=t(f"reason.{page}", LANG)), ":material/filter_alt_off:"))
        return out

    def sources(self, ids) -> tuple:
        rows = self.pkg.sources.set_index("source_id")
        lines = []
        for sid in ids:
            if sid in rows.index:
                r = rows.loc[sid]
                line = f"**{md(r['publisher'])}**, *{md(r['title'])}*" + (f" ({md(r['published'])})" if r["published"] else "")
                lines.append(line + (f" — {md(r['url'])}" if r["url"] else f" — {t('sources.no_url', LANG)}"))
        return ("sources", t("sources.heading", LANG), lines, t("sources.row_level", LANG))

    def empty(self, key: str = "empty.no_records") -> tuple:
        return ("info", t(key, LANG) + " " + t("empty.hint", LANG), ":material/search_off:")

    def chart(self, chart, key: str, filter_keys=()) -> tuple:
        """components/chart.py's show_chart: tabs (figure, table), notes, source line, four downloads."""
        only = Filters(**{name: getattr(self.f, name) for name, k in (
            ("provinces", "province"), ("states", "state"), ("direction", "direction"), ("categories", "category"),
            ("actors", "actor"), ("date_from", "dates"), ("date_to", "dates")) if k in filter_keys})
        fslug = slug(only, self.d.vocab)
        downloads = [(fmt.upper(), export.file_name(chart.slug, fslug, fmt, LANG), MIME[fmt], f"dl_{key}_{fmt}",
                      t(f"chart.download_{fmt}", LANG)) for fmt in ("png", "svg", "html", "csv")]
        return ("chart", key, [t("chart.tab_chart", LANG), t("chart.tab_table", LANG)], chart.figure, _table(chart.data)[1:],
                [md(note) for note in chart.notes] + [md(chart.source)], downloads)


def _overview(ctx: _Context, records) -> list:
    pkg, described = ctx.pkg, ctx.describe()
    out = ctx.header("overview")
    if records.empty:
        out.append(ctx.empty())
    else:
        s = query.summary(records)
        out.append(("metrics", [(t(f"headline.{k}", LANG), fmt_number(s[k], LANG), None)
                                for k in ("masks_cn_to_us", "masks_us_to_cn", "donations", "messages")]))
        out.append(("caption", t("headline.source", LANG, pairs=fmt_number(len(pkg.pairings), LANG))))
        out.append(("header", t("overview.items_heading", LANG)))
        totals = query.category_totals(records)
        if totals[totals["unit"].isin(["pieces", "items", "pairs"])].empty:
            out.append(ctx.empty("empty.no_items"))
        else:
            out.append(ctx.chart(category_chart(totals, LANG, t("source.ccg_tables", LANG), described), "items", ALL_FILTERS))
        out.append(("header", t("overview.regions_heading", LANG)))
        out.append(ctx.chart(region_chart(query.region_giving(records, pkg.regions), LANG, t("source.ccg_tables", LANG),
                                          described), "regions", ALL_FILTERS))
    out.append(("header", t("overview.timeline_heading", LANG)))
    timeline = ov.timeline_figures(pkg.key_figures, ctx.f)
    if timeline.empty:
        out.append(ctx.empty("empty.no_figures"))
    else:
        out.append(ctx.chart(timeline_chart(timeline, LANG, t("source.all", LANG), ctx.describe(("dates",))),
                             "timeline", ("dates",)))
    out.append(("header", t("overview.reconcile_heading", LANG)))
    out.append(("markdown", t("overview.reconcile_intro", LANG)))
    rec = ov.reconciliation(pkg)
    rec_view = rec.assign(category=[label("category", c, LANG) if c in ov.CATEGORY_KEYS else c for c in rec["category"]])
    out.append(("dataframe", rec_view.rename(columns={c: t(f"reconcile.{c}", LANG) for c in rec.columns}), {}))
    out.append(("caption", t("overview.reconcile_note", LANG)))
    out.append(ctx.sources(["ccg2020", "diplomat", "bjreview2023", "supchina2021", "teets"]))
    return out


def _flows(ctx: _Context, records) -> list:
    out = ctx.header("flows")
    out.append(("segmented", t("flows.level", LANG), {v: t(f"flows.level_{v}", LANG) for v in ("region", "place")},
                "region", "flows_level"))
    if records.empty:
        out.append(ctx.empty())
    else:
        fm = build_flow_map(records, ctx.pkg, "region", LANG)
        s = text_summary(records)
        masks = s["masks_by_category"]
        out.append(("markdown", t("flows.summary", LANG, **{k: fmt_number(s[k], LANG) for k in ("donations", "recipients", "donors", "messages")})
                    + (" " + t("flows.masks", LANG, masks=t("list.separator", LANG).join(f"{label('category', c, LANG)} **{fmt_number(v, LANG)}**"
                                                                     for c, v in masks.items())) if masks else "")))
        # components/flow_map.py's show_flow_map
        out.append(_basemap())
        out.append(("deck", _deck(flow_deck(fm.flows, fm.points, LANG, qmax=fm.qmax)),
                    {"key": "flow_map", "on_select": "rerun", "selection_mode": "single-object", "height": 520}))
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
        table = flow_table(records)
        out.append(("subheader", t("flows.table_heading", LANG, n=fmt_number(len(table), LANG))))
        out.append(_table(table, {"height": 320}))
        fslug = slug(ctx.f, ctx.d.vocab)
        out.append(("downloads", 2, [
            ("CSV", export.file_name("flows", fslug, "csv", LANG), "text/csv", "dl_flows_csv", t("flows.download_csv", LANG)),
            ("HTML", export.file_name("flow-map", fslug, "html", LANG), "text/html", "dl_flows_html",
             t("flows.download_html", LANG))]))
    out.append(ctx.sources(["ccg2020"]))
    return out


def _corporate(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header("corporate")
    out.append(("segmented", t("corporate.currency", LANG), {"CNY": "CNY", "USD": "USD"}, "CNY", "corporate_currency"))
    rate = qc.EXCHANGE_RATE
    out.append(("caption", t("corporate.rate_note", LANG, rate=rate.value, source=t(rate.source_key, LANG))))
    described = ctx.describe(())
    out.append(ctx.chart(corporate_chart(pkg.corporate_donations, "CNY", rate.value, LANG, t("source.ccg_table4", LANG),
                                         described), "corporate"))
    out.append(("subheader", t("corporate.context_heading", LANG)))
    cards = qc.context_figures(pkg.key_figures)
    out.append(("metrics", [(md(row["actor"]), f"{fmt_number(row['value'], LANG)} {t('unit.' + row['unit'], LANG)}",
                             md(f"{row['description']} ({row['date']}). {pkg.source_title(row['source_id'])}"))
                            for _, row in cards.iterrows()]))
    out.append(("subheader", t("corporate.domestic_heading", LANG)))
    out.append(("markdown", t("corporate.domestic_intro", LANG)))
    for group in qc.DOMESTIC_GROUPS:
        rows = qc.domestic_figures(pkg.key_figures, group)
        if rows.empty:
            continue
        unit = rows["unit"].iloc[0]
        source = t("source.generic", LANG, sources="; ".join(pkg.source_title(s) for s in rows["source_id"].unique()))
        out.append(ctx.chart(figures_chart(rows, f"china-tech-philanthropy-{group}", t(f"corporate.domestic.{group}", LANG),
                                           t("unit.currency_" + unit.lower(), LANG), LANG, source), f"domestic_{group}"))
    out.append(ctx.sources(["ccg2020", "bjreview2023", "supchina2021"]))
    return out


def _survey(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header("survey")
    n = int(pkg.survey_findings["respondents"].iloc[0])
    out.append(("metric", t("survey.base", LANG), f"{n:,}"))
    out.append(("caption", t("survey.method", LANG)))
    out.append(ctx.chart(survey_chart(pkg.survey_findings, LANG, t("source.ccg_survey", LANG, n=f"{n:,}")), "survey"))
    out.append(("info", t("survey.no_breakdowns", LANG), ":material/info:"))
    out.append(ctx.sources(["ccg2020"]))
    return out


def _pairings(ctx: _Context) -> list:
    out = ctx.header("pairings")
    view = query.pairings_view(ctx.pkg, ctx.d.records, ctx.f)
    if view.empty:
        out.append(ctx.empty())
    else:
        s = pairings_summary(view, ctx.pkg)
        out.append(("metrics", [(t("pairings.total", LANG), s["pairs"], None),
                                (t("pairings.province_state", LANG), s["province_state"], None),
                                (t("pairings.city", LANG), s["city"], None),
                                (t("pairings.exchanged", LANG), s["exchanged"], None)]))
        out.append(("caption", t("pairings.completeness", LANG, listed=s["pairs_all"], official=s["official_total"],
                                 official_ps=s["official_province_state"], official_city=s["official_city"],
                                 date=s["official_date"])))
        out.append(_basemap())
        out.append(("deck", _deck(pairings_deck(view, LANG)), {"key": "pairings_map", "height": 480}))
        out.append(("caption", t("pairings.legend", LANG)))
        out.append(_table(pairings_table(view, LANG), {"height": 420}))
        out.append(("downloads", 0, [("CSV", export.file_name("sister-relationships", slug(ctx.f, ctx.d.vocab), "csv", LANG),
                                      "text/csv", "dl_pairings_csv", None)]))
    out.append(ctx.sources(["ccg2020", "wikipedia-sister-cities", "chinadaily2022"]))
    return out


def _data(ctx: _Context) -> list:
    pkg = ctx.pkg
    out = ctx.header("data")
    out.append(("download", t("data.zip", LANG), "cooperation-atlas-data.zip", "application/zip", "dl_zip",
                ":material/folder_zip:", "primary"))
    names = [r["name"] for r in pkg.descriptor["resources"]]
    choice = names[0]
    out.append(("selectbox", t("data.table", LANG), {n: f"{n} ({len(pkg.tables[n]):,} {t('data.rows', LANG)})" for n in names},
                "data_table"))
    resource = pkg.resource(choice)
    description = t(f"resource.{choice}", LANG) if has(f"resource.{choice}") else resource.get("description", "")
    out.append(("markdown", f"**{md(choice)}** — {md(description)}"))
    out.append(("text_input", t("data.search", LANG), "data_search", t("data.search_placeholder", LANG)))
    table = pkg.tables[choice]
    out.append(("caption", t("data.showing", LANG, n=len(table), total=len(table))))
    out.append(_table(table, {"height": 460}, localise=False))
    out.append(("download", "CSV", f"{choice}.csv", "text/csv", f"dl_table_{choice}", DOWNLOAD_ICON, "secondary"))
    out.append(("expander_table", t("data.schema", LANG), _table(pd.DataFrame([
        {"field": f["name"], "type": f.get("type", "string"), "description": f.get("description", "")}
        for f in resource["schema"]["fields"]]))[1:]))
    out.append(("header", t("data.cite_heading", LANG)))
    out.append(("markdown", t("data.cite_text", LANG)))
    out.append(("code", t("data.citation", LANG, version=pkg.descriptor.get("version", ""))))
    out.append(ctx.sources(list(pkg.sources["source_id"])))
    return out


if __name__ == "__main__":
    print(build(Path(__file__).resolve().parent / ".cache" / "floor-snapshot.pkl"))
