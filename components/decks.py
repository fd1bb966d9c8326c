"""The maps as pydeck Decks (`build_flow_deck`, `build_pairings_deck`): offline outlines, arcs from giver to receiver, places sized by totals.

The map is centred on the Pacific: eastern longitudes are shifted by -360 degrees so that arcs
between China and the US cross the ocean between them rather than Europe.
Tooltips use deck.gl's `text` template (set as innerText), so names from the data are shown as
text, never as HTML.
"""
from __future__ import annotations

import copy
import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pydeck as pdk

from atlas.boundaries import load_boundaries
from atlas.flows import FlowMap
from atlas.geometry import simplify_ring
from atlas.i18n import fmt_number, fmt_unit, label, t
from atlas.vocab import PHYSICAL_UNITS

from .theme import CATEGORY_COLOURS, DIRECTION_COLOURS, EXCHANGE_COLOURS, rgb

# deck.gl rejects a view longitude beyond +-180, while the data may go past it (shifted Chinese longitudes).
VIEW = pdk.ViewState(latitude=36, longitude=-168, zoom=1.35, min_zoom=0.5, max_zoom=9, pitch=0, bearing=0)
MAX_WIDTH_PX = 16
MIN_WIDTH_PX = 1.5
COUNTRY_FILL = {"CN": [253, 224, 204, 255], "US": [214, 232, 245, 255]}


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: Streamlit sends `to_json()` to the browser on every rerun."""

    def to_json(self):
        import json
        text = json.dumps(json.loads(super().to_json()), separators=(",", ":"), ensure_ascii=False)
        # Escaped so that a name containing "</script>" cannot end the <script> block of an exported HTML map;
        # JSON parsers read \u003c as "<", so the data is unchanged.
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


TOOLTIP = {"text": "{tooltip}", "style": {"fontSize": "12px", "whiteSpace": "pre-line", "maxWidth": "420px"}}


def make_deck(layers: list, dark: bool = False, basemap: bool = False) -> CompactDeck:
    """The one way maps are made: the offline outlines below `layers`, optionally over an online basemap.

    Without `basemap` the deck names no map style at all (pydeck's sentinel, which Streamlit reads as
    "none"): given `map_style=None`, Streamlit would fetch CARTO's style from the internet instead.
    """
    style = {"map_provider": "carto", "map_style": "dark" if dark else "light"} if basemap else {"map_provider": None}
    return CompactDeck(layers=base_layers(dark, filled=not basemap) + layers, initial_view_state=VIEW, tooltip=TOOLTIP,
                       views=[pdk.View(type="MapView", controller=True, repeat=bool(basemap))],
                       parameters={"clearColor": [0.055, 0.067, 0.09, 1] if dark else [0.93, 0.95, 0.97, 1]}, **style)


def pacific(lon):
    """Shift eastern longitudes west by 360 degrees (Pacific-centred map)."""
    lon = np.asarray(lon, dtype=float)
    return np.where(lon > 0, lon - 360, lon)


def _shift_geometry(coords, tolerance: float = 0.04):
    """Pacific-centre, simplify and round a GeoJSON coordinate array (for drawing only)."""
    if isinstance(coords[0][0], (int, float)):  # a ring
        ring = simplify_ring(coords, tolerance)
        return [[round(x - 360 if x > 0 else x, 2), round(y, 2)] for x, y, *_ in ring]
    return [_shift_geometry(c, tolerance) for c in coords]


@lru_cache(maxsize=4)
def _base_geojson(package_dir: str) -> dict:
    b = load_boundaries(package_dir)
    out = {}
    for key, fc in b.items():
        fc = copy.deepcopy(fc)
        for feat in fc["features"]:
            feat["geometry"]["coordinates"] = _shift_geometry(feat["geometry"]["coordinates"])
            feat["properties"] = {k: v for k, v in feat["properties"].items() if k in ("iso", "admin1")}
        out[key] = fc
    return out


@lru_cache(maxsize=8)
def _base_layers(package_dir: str, dark: bool, filled: bool) -> list[pdk.Layer]:
    g = _base_geojson(package_dir)
    line = [120, 120, 120, 200] if not dark else [170, 170, 170, 200]
    countries = copy.deepcopy(g["countries"])
    for feat in countries["features"]:
        iso = feat["properties"].get("iso", "")
        feat["properties"]["fill"] = COUNTRY_FILL.get(iso, [230, 230, 230, 255]) if not dark else [45, 50, 60, 255]
    return [
        pdk.Layer("GeoJsonLayer", countries, id="countries", stroked=True, filled=filled, get_fill_color="properties.fill",
                  get_line_color=line, line_width_min_pixels=1, pickable=False),
        pdk.Layer("GeoJsonLayer", g["cn-provinces"], id="provinces", stroked=True, filled=False,
                  get_line_color=line, line_width_min_pixels=0.5, pickable=False),
        pdk.Layer("GeoJsonLayer", g["us-states"], id="states", stroked=True, filled=False,
                  get_line_color=line, line_width_min_pixels=0.5, pickable=False),
    ]


def base_layers(dark: bool = False, filled: bool = True) -> list[pdk.Layer]:
    """Country, province and state outlines from the package's boundaries (built once per package and theme)."""
    from atlas.package import data_dir
    return _base_layers(str(data_dir()), dark, filled)


def arc_width(quantity, unit, qmax: float) -> np.ndarray:
    """Width grows with the square root of quantity (area-like); cash and messages draw at the minimum width."""
    q = pd.to_numeric(pd.Series(quantity), errors="coerce").fillna(0).to_numpy(dtype=float)
    physical = pd.Series(unit).isin(PHYSICAL_UNITS).to_numpy()
    w = MIN_WIDTH_PX + (MAX_WIDTH_PX - MIN_WIDTH_PX) * np.sqrt(np.clip(q, 0, None) / qmax)
    return np.where(physical, w, MIN_WIDTH_PX + 1)


def legend_widths(qmax: float, lang: str) -> list[tuple[str, float]]:
    """Sample quantities and their widths in pixels, for the legend."""
    samples = [v for v in (1_000, 10_000, 100_000, 1_000_000) if v <= qmax] or [qmax]
    return [(fmt_number(v, lang), float(arc_width([v], ["pieces"], qmax)[0])) for v in samples]


def _name(en, zh, lang):
    return f"{zh} ({en})" if lang == "zh" and isinstance(zh, str) and zh else (f"{en} ({zh})" if isinstance(zh, str) and zh else en)


def build_flow_deck(fm: FlowMap, lang: str, dark: bool = False, basemap: bool = False) -> pdk.Deck:
    """Arcs from giver to receiver over the outlines, places sized by what they gave and received."""
    qmax = fm.qmax
    arcs = fm.flows.copy()
    arcs["from_lon"], arcs["to_lon"] = pacific(arcs["from_lon"]), pacific(arcs["to_lon"])
    points = place_points(fm.totals, fm.coords, fm.records_by_key, lang)
    arcs["width"] = arc_width(arcs["quantity"], arcs["unit"], qmax)
    arcs["source_colour"] = [rgb(CATEGORY_COLOURS.get(c, "#777777"), 235) for c in arcs["category"]]
    arcs["target_colour"] = [rgb(CATEGORY_COLOURS.get(c, "#777777"), 70) for c in arcs["category"]]
    cats = sorted(arcs["category"].unique()) if len(arcs) else []
    tilt = {c: (i - (len(cats) - 1) / 2) * 2.5 for i, c in enumerate(cats)}
    arcs["tilt"] = [tilt[c] for c in arcs["category"]]
    arcs["tooltip"] = [
        f"{_name(a, az, lang)} → {_name(b, bz, lang)}\n{label('category', c, lang)}: "
        f"{fmt_number(q, lang) if pd.notna(q) and u != 'messages' else ''} {fmt_unit(u, lang) if u != 'messages' else ''}".rstrip()
        + f"\n{t('map.records', lang, n=r)}" + (f" · {t('map.undisclosed', lang, n=un)}" if un else "")
        for a, az, b, bz, c, q, u, r, un in zip(arcs["from_name_en"], arcs["from_name_zh"], arcs["to_name_en"], arcs["to_name_zh"],
                                                 arcs["category"], arcs["quantity"], arcs["unit"], arcs["records"], arcs["undisclosed"])]
    arcs["quantity"] = arcs["quantity"].astype(float)
    arc_cols = ["from_lon", "from_lat", "to_lon", "to_lat", "width", "source_colour", "target_colour", "tilt", "tooltip",
                "from_key", "to_key", "from_admin1", "to_admin1", "category"]
    pts = points.copy()
    pts["lon"] = pacific(pts["lon"].to_numpy(dtype=float))
    layers = [
        pdk.Layer("ArcLayer", arcs[arc_cols].to_dict("records"), id="flows", get_source_position=["from_lon", "from_lat"],
                  get_target_position=["to_lon", "to_lat"], get_source_color="source_colour", get_target_color="target_colour",
                  get_width="width", get_tilt="tilt", get_height=0.3, width_units="pixels", great_circle=False, pickable=True, auto_highlight=True),
        pdk.Layer("ScatterplotLayer", pts[["key", "lon", "lat", "radius", "colour", "tooltip", "admin1", "country"]].to_dict("records"),
                  id="places", get_position=["lon", "lat"], get_radius="radius", radius_units="pixels", get_fill_color="colour",
                  get_line_color=[255, 255, 255, 255], line_width_min_pixels=1, stroked=True, pickable=True, auto_highlight=True),
    ]
    return make_deck(layers, dark, basemap)


def place_points(totals: pd.DataFrame, coords: pd.DataFrame, records_by_key: dict[str, list[str]], lang: str,
                 max_records: int = 8) -> pd.DataFrame:
    """One point per place/region: radius by sqrt of physical items given + received; tooltip lists totals and records."""
    c = coords.set_index("key")
    rows = []
    phys = totals[totals["unit"].isin(PHYSICAL_UNITS)]
    size = phys.groupby("key")["quantity"].sum()
    smax = float(size.max()) if len(size) else 1.0
    for key, g in totals.groupby("key"):
        if key not in c.index or pd.isna(c.at[key, "lat"]):
            continue
        p = c.loc[key]
        lines = [_name(p["name_en"], p["name_zh"], lang)]
        for role in ("gave", "received"):
            r = g[g["role"] == role]
            if len(r):
                parts = [f"{label('category', cat, lang)} {fmt_number(q, lang) if u != 'messages' else int(n)}"
                         for cat, q, u, n in zip(r["category"], r["quantity"], r["unit"], r["records"])]
                lines.append(f"{t('map.' + role, lang)}: " + "; ".join(parts))
        recs = records_by_key.get(key, [])
        if recs:
            more = len(recs) - max_records
            lines.append(t("map.records_list", lang) + ": " + ", ".join(recs[:max_records]) + (f" (+{more})" if more > 0 else ""))
        q = float(size.get(key, 0.0) or 0.0)
        rows.append({"key": key, "lat": float(p["lat"]), "lon": float(p["lon"]), "admin1": p["admin1"],
                     "country": p["country"], "radius": 4 + 16 * math.sqrt(q / smax) if smax else 4,
                     "colour": rgb(DIRECTION_COLOURS["cn_to_us"] if p["country"] == "CN" else DIRECTION_COLOURS["us_to_cn"], 220),
                     "tooltip": "\n".join(lines)})
    return pd.DataFrame(rows, columns=["key", "lat", "lon", "admin1", "country", "radius", "colour", "tooltip"])


_CDN_TAGS = re.compile(r"""<script src="https?://[^"]+"></script>|<link rel="stylesheet" href=["']?https?://[^\s"'>]+["']? ?/?>""")


def deck_html(deck: pdk.Deck) -> bytes:
    """A self-contained HTML file of the map (deck.gl embedded), which opens without a network."""
    deck = copy.copy(deck)
    if deck.map_style == "__MAP_STYLE__":
        deck.map_style = None  # the standalone page would otherwise try to fetch a style of that name
    html = deck.to_html(as_string=True, offline=True, notebook_display=False)
    # pydeck's page template still links mapbox-gl, maplibre, bootstrap and font-awesome from CDNs, which the
    # offline map does not use: drop them so the file asks nothing of the network.
    html = _CDN_TAGS.sub("", html)
    return html.encode("utf-8")


def build_pairings_deck(view: pd.DataFrame, lang: str, dark: bool = False, basemap: bool = False) -> pdk.Deck:
    """One arc per sister relationship, coloured by the help recorded between the pair."""
    v = view.dropna(subset=["cn_lat", "us_lat"]).copy()
    v["from_lon"] = pacific(v["cn_lon"].astype(float))
    v["to_lon"] = pacific(v["us_lon"].astype(float))
    v["from_lat"] = v["cn_lat"].astype(float)
    v["to_lat"] = v["us_lat"].astype(float)
    # Evidence (issue 13): a pair only inferred from help, or contradicted, is drawn thin and faint; the
    # tooltip says its evidence level, what it was inferred from and any help through an agency.
    recorded = v["on_record"] if "on_record" in v else pd.Series(True, index=v.index)
    v["colour"] = [rgb(EXCHANGE_COLOURS[e], (200 if e != "none" else 110) if r else 70) for e, r in zip(v["exchange"], recorded)]
    v["width"] = [(3 if e != "none" else 1) if r else 1 for e, r in zip(v["exchange"], recorded)]
    name = lambda en, zh: f"{zh} ({en})" if lang == "zh" and zh else f"{en}"
    level = v["evidence_level"] if "evidence_level" in v else pd.Series("", index=v.index)
    through = v["help_through"] if "help_through" in v else pd.Series("", index=v.index)
    v["tooltip"] = [f"{name(a, az)} — {name(b, bz)}\n{label('level', lv, lang)} · {label('exchange', e, lang)}"
                    + (f" · {label('evidence_level', el, lang)}" if el else "")
                    + (f"\n{t('pairings.help_through', lang, names=th)}" if th else "") + f"\n{ev[:160]}"
                    for a, az, b, bz, lv, e, ev, el, th in zip(v["cn_name_en"], v["cn_name_zh"], v["us_name_en"], v["us_name_zh"],
                                                               v["level"], v["exchange"], v["evidence"], level, through)]
    cols = ["from_lon", "from_lat", "to_lon", "to_lat", "colour", "width", "tooltip"]
    layer = pdk.Layer("ArcLayer", v[cols].to_dict("records"), id="pairs", get_source_position=["from_lon", "from_lat"],
                      get_target_position=["to_lon", "to_lat"], get_source_color="colour", get_target_color="colour",
                      get_width="width", width_units="pixels", pickable=True, auto_highlight=True)
    return make_deck([layer], dark, basemap)
