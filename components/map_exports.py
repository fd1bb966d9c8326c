"""The maps as files: a self-contained HTML page and a PNG image, each with the map's title, legend, filters,
source, licence and the app's link (pure functions: the page's download row and the HTTP routes both call them).

    flow_map_html(fm, lang, filters_text, link) -> bytes       flow_map_png(...) -> bytes
    pairings_map_html(view, lang, filters_text, link) -> bytes pairings_map_png(...) -> bytes

The PNG is the HTML page drawn offline by the system Chromium (`CHROMIUM`, headless, software WebGL) with
its `--screenshot` option: no network, no extra Python package. One render at a time (a lock): each
starts its own short-lived browser, which takes seconds (`benchmarks/README.md`, "Figures the code relies on").
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pandas as pd

from atlas.flows import FlowMap
from atlas.i18n import fmt_number, fmt_unit, label, t

from .decks import build_flow_deck, build_pairings_deck, category_colour, deck_html, legend_widths
from .theme import DIRECTION_COLOURS, EXCHANGE_COLOURS, FONT

EXPORT_WIDTH = 1400
EXPORT_MAP_HEIGHT = 720
CHROMIUM = os.environ.get("ATLAS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
_render_lock = threading.Lock()

_CSS = f"""
html, body {{ margin: 0; padding: 0; overflow: auto; background: #ffffff; color: #222222; font-family: {FONT}; }}
.atlas-head, .atlas-foot {{ padding: 14px 20px; }}
.atlas-head h1 {{ font-size: 22px; margin: 0 0 4px 0; }}
.atlas-head p, .atlas-foot p {{ margin: 2px 0; font-size: 13px; }}
#deck-container {{ position: relative; width: 100%; height: {EXPORT_MAP_HEIGHT}px; }}
.atlas-legend {{ display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 10px 20px 0 20px; font-size: 13px; }}
.atlas-legend span.sw {{ display: inline-block; width: 26px; height: 8px; border-radius: 4px; margin-right: 6px;
  vertical-align: middle; }}
.atlas-foot p.muted {{ color: #666666; font-size: 12px; }}
"""


def _esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _swatch(colour: str, text: str, height: int = 8) -> str:
    return f'<span class="item"><span class="sw" style="background:{colour};height:{height}px"></span>{_esc(text)}</span>'


def page(deck_bytes: bytes, title: str, lang: str, head: list[str], legend: list[str], foot: list[str]) -> bytes:
    """The deck's offline HTML with a real <title>, a heading block above the map and the legend and source below."""
    text = deck_bytes.decode("utf-8")
    text = text.replace("<title>pydeck</title>", f"<title>{_esc(title)}</title>", 1)
    text = text.replace('<html>', f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">', 1)
    text = text.replace("</style>", _CSS + "</style>", 1)
    top = f'<header class="atlas-head"><h1>{_esc(title)}</h1>' + "".join(f"<p>{_esc(p)}</p>" for p in head) + "</header>"
    bottom = ('<section class="atlas-legend">' + "".join(legend) + "</section>"
              + '<footer class="atlas-foot">' + "".join(f'<p class="muted">{_esc(p)}</p>' for p in foot) + "</footer>")
    container = '<div id="deck-container">\n    </div>'
    assert container in text, "pydeck's page template changed"
    text = text.replace(container, top + '<div id="deck-container"></div>' + bottom, 1)
    return text.encode("utf-8")


def package_licence() -> str:
    """The data package's licence as the chart images' footers name it (its title, else its name)."""
    from . import data
    licences = data.get().package.descriptor.get("licenses") or []
    return next((lic.get("title") or lic.get("name", "") for lic in licences), "")


def _foot(source: str, lang: str, link: str) -> list[str]:
    """Source, licence (the boundaries' and the data's, named as in every chart image's footer) and link."""
    return [source, t("mapexport.licence", lang, licence=package_licence())] + ([t("mapexport.link", lang, url=link)] if link else [])


def flow_map_html(fm: FlowMap, lang: str, filters_text: str, link: str = "", source: str | None = None) -> bytes:
    """The flow map as an HTML file that draws offline: title, filters, colour and width legend, source, licence, link."""
    deck = build_flow_deck(fm, lang, dark=False, fit_width=EXPORT_WIDTH, fit_height=EXPORT_MAP_HEIGHT)
    # An amount no row states is unknown (NA, atlas/engine.py): its line is named without a number, never as 0.
    legend = [_swatch(category_colour(c), f"{label('category', c, lang)}{t('paren', lang, text=label('direction', d, lang))}"
                      f"{t('label.colon', lang)}{fmt_number(q, lang)} {fmt_unit(u, lang)}"
                      if u != "messages" and pd.notna(q) and q > 0
                      else f"{label('category', c, lang)}{t('paren', lang, text=label('direction', d, lang))}")
              for d, c, u, q in zip(fm.legend["direction"], fm.legend["category"], fm.legend["unit"], fm.legend["quantity"])]
    legend += [_swatch("#555555", f"{q}", height=max(1, round(w))) for q, w in legend_widths(fm.qmax, lang)]
    legend += [_swatch(DIRECTION_COLOURS["cn_to_us"], t("mapexport.dot_cn", lang), 12),
               _swatch(DIRECTION_COLOURS["us_to_cn"], t("mapexport.dot_us", lang), 12)]
    head = [t("mapexport.filters", lang, filters=filters_text or t("mapexport.no_filters", lang)),
            t("map.legend_lines", lang)]
    title = t("mapexport.title_flows", lang)
    return page(deck_html(deck), title, lang, head, legend, _foot(source or t("source.ccg_tables", lang), lang, link))


def pairings_map_html(view: pd.DataFrame, lang: str, filters_text: str, link: str = "", source: str | None = None) -> bytes:
    deck = build_pairings_deck(view, lang, dark=False, fit_width=EXPORT_WIDTH, fit_height=EXPORT_MAP_HEIGHT)
    legend = [_swatch(colour, label("exchange", e, lang)) for e, colour in EXCHANGE_COLOURS.items()]
    head = [t("mapexport.filters", lang, filters=filters_text or t("mapexport.no_filters", lang)), t("pairings.legend", lang)]
    title = t("mapexport.title_pairings", lang)
    return page(deck_html(deck), title, lang, head, legend, _foot(source or t("source.pairings", lang), lang, link))


def render_png(html_bytes: bytes, width: int = EXPORT_WIDTH, height: int | None = None, budget_ms: int = 8000) -> bytes:
    """A PNG of an HTML page, drawn offline by headless Chromium (serialised: one browser at a time)."""
    height = height or EXPORT_MAP_HEIGHT + 330
    with _render_lock, tempfile.TemporaryDirectory(prefix="atlas-map-") as tmp:
        src, out = Path(tmp, "map.html"), Path(tmp, "map.png")
        src.write_bytes(html_bytes)
        cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
               "--use-angle=swiftshader", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
               f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}", f"--screenshot={out}",
               src.as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=90)
        data = out.read_bytes()
    if not data.startswith(b"\x89PNG"):
        raise RuntimeError("chromium wrote no PNG")
    return data


def flow_map_png(fm: FlowMap, lang: str, filters_text: str, link: str = "") -> bytes:
    return render_png(flow_map_html(fm, lang, filters_text, link))


def pairings_map_png(view: pd.DataFrame, lang: str, filters_text: str, link: str = "") -> bytes:
    return render_png(pairings_map_html(view, lang, filters_text, link))
