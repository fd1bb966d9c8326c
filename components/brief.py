"""The one-page brief (issue #33): a PDF of the current view for a council, a newsroom or a think tank.

`pdf(state, paper, page, base, map_png)` lays out, on one A4 or Letter page, in the view's language: the headline
figures with their captions (`atlas.overview.headline_shown`, the overview cards' own function), the flow map of
the filters (the map's PNG, the very file of the map's download link), the largest flows (`top_flow_lines`, the
list beside the map), what the flows page counts (`atlas.flows.summary_words`), pledges apart, the date range's
aside, the reconciliation's line of masks (`atlas.overview.reconciliation_view`), the filters in words, the
sources, licences, package version, the link and a citation. Nothing is counted here: every number is one the
pages show, from the same functions.

The HTML is printed to PDF by the system Chromium the map images use (`--print-to-pdf`), from a file, with a
Content-Security-Policy that lets it load nothing but the images inside it: the brief renders with no network.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

from atlas import engine, flows, overview
from atlas.filters import FIELDS, Filters, slug, to_query
from atlas.i18n import fmt_number, t

PAPERS = ("a4", "letter")
PAGES = ("flows", "overview", "corporate", "survey", "pairings", "data")
PAPER_SIZE = {"a4": "A4", "letter": "letter"}
ZOOMS = (1.0, 0.9, 0.8, 0.7, 0.6)
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def md_html(text: str) -> str:
    """Markdown as the pages write it (atlas.i18n.md's backslash escapes, **bold**) as HTML, every character escaped."""
    out, bold, i = [], False, 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(esc(text[i + 1]))
            i += 2
        elif text.startswith("**", i):
            out.append("</strong>" if bold else "<strong>")
            bold, i = not bold, i + 2
        else:
            out.append(esc(text[i]))
            i += 1
    return "".join(out) + ("</strong>" if bold else "")


def file_name(state: Mapping[str, Any], vocab, paper: str) -> str:
    from atlas.filters import filters_of
    named = slug(filters_of(state), vocab)
    lang = state.get("lang", "en")
    return "cooperation-atlas-brief" + (f"_{named}" if named else "") + ("_letter" if paper == "letter" else "") + \
        ("_zh" if lang == "zh" else "") + ".pdf"


def page_link(base: str, page_key: str, state: Mapping[str, Any], vocab) -> str:
    """The address that reopens the view: the page, the filters it applies, its view options, the language, and the
    version of the data the brief shows (a printed brief keeps leading to what it shows)."""
    from urllib.parse import urlencode
    from . import exhibits
    from .site import BY_KEY
    page = BY_KEY[page_key]
    state = exhibits.pinned(state)
    names = set(page.applies) | {"lang", "version"} | ({"level"} if page_key == "flows" else set())
    relevant = {f.name: (state.get(f.name, f.default) if f.name in names else f.default) for f in FIELDS}
    q = urlencode([(k, v) for k, vs in to_query(relevant, vocab).items() for v in vs])
    return base + page.path + (f"?{q}" if q else "")


def content(state: Mapping[str, Any], page_key: str, base: str, map_png: bytes | None, today: dt.date | None = None) -> dict:
    """What the brief says, every piece as text (HTML is made from it in `html_of`)."""
    from . import data, exhibits
    from .cards import source_title
    from .flow_map import top_flow_lines
    from .map_exports import package_licence
    from .site import BY_KEY

    lang = state.get("lang", "en")
    loaded = data.get()
    pkg, vocab = loaded.package, loaded.vocab
    ask = exhibits.Ask(loaded, state)
    today = today or dt.date.today()
    page = BY_KEY[page_key]
    out: dict[str, Any] = {"lang": lang, "title": t("brief.title", lang), "page": t(f"page.{page_key}", lang),
                           # the filters the brief's figures and map read (it says so of a set filter they do not)
                           "filters": t("mapexport.filters", lang, filters=ask.describe(
                               tuple(dict.fromkeys(exhibits.RECORD_FILTERS + exhibits.FLOWS_FILTERS)))),
                           "cards": [], "headline_source": "", "summary": "", "notes": [], "top": [], "top_note": "",
                           "map": map_png, "reconcile": ""}
    record_filters = ask.filters(exhibits.RECORD_FILTERS)
    view = data.view(overview.view, record_filters, lang)
    if view is not None:
        shown = overview.headline_shown(view.summary, pkg, lang, record_filters != Filters())
        out["cards"], out["headline_source"] = shown["cards"], shown["source"]
    else:
        out["notes"].append(t("empty.no_records", lang))
    flows_view = data.view(flows.view, ask.filters(exhibits.FLOWS_FILTERS), lang, level=state.get("level", "region"))
    if flows_view is not None:
        out["summary"] = flows.summary_words(flows_view.summary, lang)
        out["top"] = top_flow_lines(flows_view.map, lang)
        out["top_note"] = t("map.top_note", lang, shown=len(out["top"]), total=fmt_number(flows_view.map.arcs_total, lang))
        if len(flows_view.promised):
            out["notes"].append(engine.promised_words(flows_view.promised, lang))
    aside = engine.aside_words(engine.aside(loaded, ask.filters(exhibits.FLOWS_FILTERS)), lang)
    if aside:
        out["notes"].append(aside)
    rec = data.whole(overview.reconciliation_view)
    masks = rec[(rec["category"] == "masks") & (rec["direction"] == "cn_to_us")]
    if len(masks):
        r = masks.iloc[0]
        out["reconcile"] = t("brief.reconcile", lang, stated=fmt_number(r["text_total"], lang),
                             rows=fmt_number(r["rows_sum"], lang), difference=fmt_number(r["difference"], lang)) + \
            " " + t(f"reconcile.reason.{r['reason']}", lang)
    # the sources the view's rows cite, as its citation names them (components/citations.sources_of: one rule for
    # "what this view draws"; the page's own list named only the report where the rows also cite a newspaper)
    from . import citations
    cited = exhibits.main_exhibit(page_key) or exhibits.BY_NAME["flow-map"]
    named, more = citations.sources_of(cited.name, lang, state)
    rows = pkg.sources.set_index("source_id")
    ids = [s.id for s in named if s.id in rows.index]
    out["sources"] = [source_title(pkg, sid, lang) + (f" — {rows.at[sid, 'url']}" if rows.at[sid, "url"] else "")
                      for sid in ids] or [s.title for s in named]
    if more:
        out["sources"].append(t("cite.more_sources", lang, n=more).lstrip("; ；"))
    version = pkg.descriptor.get("version", "")
    out["licence"] = t("mapexport.licence", lang, licence=package_licence())
    out["version"] = t("brief.version", lang, version=version, date=today.isoformat())
    out["link"] = page_link(base, page_key, state, vocab)
    # the citation every "Link, embed, cite" gives (atlas.cite: APA in English, GB/T 7714 in Chinese), of the page's
    # main exhibit in this view: the version, the access date and the sources its rows cite; no invented year
    from atlas import cite
    out["cite"] = cite.text(citations.work(cited.name, state, base, today))
    return out


def html_of(c: dict, paper: str, zoom: float = 1.0) -> bytes:
    """The brief as one HTML page sized for `paper` (data text escaped; nothing to fetch)."""
    lang = c["lang"]
    colon = t("label.colon", lang)
    latin, cjk = '"Noto Sans", "DejaVu Sans", "Liberation Sans", Arial', '"Noto Sans CJK SC", "Noto Sans SC"'
    font = f"{cjk}, {latin}, sans-serif" if lang == "zh" else f"{latin}, {cjk}, sans-serif"
    cards = "".join(f'<div class="card"><div class="label">{esc(label)}</div><div class="num">{esc(number)}</div>'
                    f'<div class="cap">{esc(caption)}</div></div>' for label, number, caption in c["cards"])
    top = "".join(f"<li>{md_html(line)}</li>" for line in c["top"])
    image = (f'<img class="map" alt="{esc(t("brief.map_alt", lang))}" src="data:image/png;base64,'
             f'{base64.b64encode(c["map"]).decode("ascii")}">' if c["map"] else f'<p class="note">{esc(t("brief.no_map", lang))}</p>')
    notes = "".join(f'<p class="note">{md_html(n)}</p>' for n in c["notes"])
    sources = "".join(f"<li>{esc(s)}</li>" for s in c["sources"])
    doc = f"""<!DOCTYPE html>
<html lang="{"zh-Hans" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{esc(c["title"])}{esc(colon)}{esc(c["page"])}</title>
<style>
@page {{ size: {PAPER_SIZE[paper]}; margin: 10mm 11mm; }}
* {{ box-sizing: border-box; }}
html {{ zoom: {zoom}; }}
html, body {{ margin: 0; padding: 0; color: #222; font-family: {font}; font-size: 7.6pt; line-height: 1.3; }}
h1 {{ font-size: 14pt; margin: 0 0 1mm 0; }}
h2 {{ font-size: 9pt; margin: 2.2mm 0 0.8mm 0; }}
p {{ margin: 0.6mm 0; }}
.sub {{ color: #444; font-size: 8pt; }}
.cards {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin-top: 1.5mm; }}
.card {{ border: 0.3mm solid #ccc; border-radius: 1.5mm; padding: 1.4mm 1.8mm; }}
.card .label {{ font-size: 7pt; color: #444; }}
.card .num {{ font-size: 13pt; font-weight: 700; margin: 0.4mm 0; }}
.card .cap {{ font-size: 6.2pt; color: #444; line-height: 1.25; }}
.middle {{ display: grid; grid-template-columns: 58% 1fr; gap: 4mm; margin-top: 1.5mm; align-items: start; }}
.map {{ display: block; width: 100%; }}
ul.top {{ list-style: none; padding-left: 0; }}
li {{ margin: 0 0 0.5mm 0; break-inside: avoid; }}
ul {{ margin: 0.5mm 0 0 0; padding-left: 4mm; }}
.note, .muted {{ color: #555; font-size: 6.8pt; }}
.foot {{ border-top: 0.3mm solid #ccc; margin-top: 2mm; padding-top: 1mm; font-size: 6.6pt; color: #444; }}
.link {{ word-break: break-all; }}
</style></head><body>
<h1>{esc(c["title"])}{esc(colon)}{esc(c["page"])}</h1>
<p class="sub">{esc(c["filters"])}</p>
<div class="cards">{cards}</div>
<p class="muted">{esc(c["headline_source"])}</p>
<div class="middle"><div>{image}</div><div>
<p>{md_html(c["summary"])}</p>
{notes}
<h2>{esc(t("map.top_heading", lang))}</h2>
<ul class="top">{top}</ul>
<p class="muted">{esc(c["top_note"])}</p>
</div></div>
<h2>{esc(t("brief.reconcile_heading", lang))}</h2>
<p>{esc(c["reconcile"])}</p>
<div class="foot">
<p><strong>{esc(t("sources.heading", lang))}</strong></p><ul>{sources}</ul>
<p>{esc(t("sources.row_level", lang))}</p>
<p>{esc(c["licence"])} {esc(c["version"])}</p>
<p class="link">{esc(t("mapexport.link", lang, url=c["link"]))}</p>
<p>{esc(t("brief.cite_heading", lang))} {esc(c["cite"])}</p>

</div>
</body></html>
"""
    return doc.encode("utf-8")


def print_pdf(page: bytes, timeout: float = 90) -> bytes:
    """The HTML printed to PDF by headless Chromium, from a file, one browser at a time (the map images' lock)."""
    from .map_exports import CHROMIUM, _render_lock
    with _render_lock, tempfile.TemporaryDirectory(prefix="atlas-brief-") as tmp:
        src, out = Path(tmp, "brief.html"), Path(tmp, "brief.pdf")
        src.write_bytes(page)
        cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
               f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", src.as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
        body = out.read_bytes()
    if not body.startswith(b"%PDF"):
        raise RuntimeError("chromium wrote no PDF")
    return body


def pdf(state: Mapping[str, Any], paper: str, page_key: str, base: str,
        map_png: Callable[[], bytes | None]) -> bytes:
    """The brief on one page: printed again a little smaller while it would take more (a long list of filters, long
    names), down to ZOOMS' last step."""
    c = content(state, page_key, base, map_png())
    for zoom in ZOOMS:
        body = print_pdf(html_of(c, paper, zoom))
        if page_count(body) <= 1:
            return body
    return body


def page_count(body: bytes) -> int:
    """Pages of a PDF Chromium wrote (its page objects are plain: `/Type /Page`, not in object streams)."""
    import re
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", body))
