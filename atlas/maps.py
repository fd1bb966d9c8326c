"""The flow map as a pydeck Deck: offline outlines, arcs from giver to receiver, places sized by totals.

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

from .figures import CATEGORY_COLOURS, DIRECTION_COLOURS
from .geo import load_boundaries
from .i18n import fmt_number, fmt_unit, label, t

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


def _rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def pacific(lon):
    """Shift eastern longitudes west by 360 degrees (Pacific-centred map)."""
    lon = np.asarray(lon, dtype=float)
    return np.where(lon > 0, lon - 360, lon)


def _simplify(ring: list, tolerance: float) -> list:
    """Douglas-Peucker on one ring (degrees); keeps the ring closed and at least four points."""
    if len(ring) <= 5:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = ring[a][:2], ring[b][:2]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1e-12
        best, index = -1.0, -1
        for i in range(a + 1, b):
            x, y = ring[i][:2]
            d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if (dx or dy) else math.hypot(x - x1, y - y1)
            if d > best:
                best, index = d, i
        if index > 0 and best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    out = [p for p, k in zip(ring, keep) if k]
    return out if len(out) >= 4 else ring


def _shift_geometry(coords, tolerance: float = 0.04):
    """Pacific-centre, simplify and round a GeoJSON coordinate array (for drawing only)."""
    if isinstance(coords[0][0], (int, float)):  # a ring
        ring = _simplify(coords, tolerance)
        return [[round(x - 360 if x > 0 else x, 2), round(y, 2)] for x, y, *_ in ring]
    return [_shift_geometry(c, tolerance) for c in coords]


@lru_cache(maxsize=1)
def _base_geojson() -> dict:
    b = load_boundaries()
    out = {}
    for key, fc in b.items():
        fc = copy.deepcopy(fc)
        for feat in fc["features"]:
            feat["geometry"]["coordinates"] = _shift_geometry(feat["geometry"]["coordinates"])
            feat["properties"] = {k: v for k, v in feat["properties"].items() if k in ("iso", "admin1")}
        out[key] = fc
    return out


@lru_cache(maxsize=4)
def base_layers(dark: bool = False, filled: bool = True) -> list[pdk.Layer]:
    """Country, province and state outlines from the bundled boundaries (built once per theme)."""
    g = _base_geojson()
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


def width_scale(flows: pd.DataFrame) -> float:
    """Largest physical quantity on the map (pieces, items, pairs): it gets MAX_WIDTH_PX."""
    q = flows.loc[flows["unit"].isin(["pieces", "items", "pairs"]), "quantity"]
    return float(q.max()) if len(q) and pd.notna(q.max()) and q.max() > 0 else 1.0


def arc_width(quantity, unit, qmax: float) -> np.ndarray:
    """Width grows with the square root of quantity (area-like); cash and messages draw at the minimum width."""
    q = pd.to_numeric(pd.Series(quantity), errors="coerce").fillna(0).to_numpy(dtype=float)
    physical = pd.Series(unit).isin(["pieces", "items", "pairs"]).to_numpy()
    w = MIN_WIDTH_PX + (MAX_WIDTH_PX - MIN_WIDTH_PX) * np.sqrt(np.clip(q, 0, None) / qmax)
    return np.where(physical, w, MIN_WIDTH_PX + 1)


def legend_widths(qmax: float, lang: str) -> list[tuple[str, float]]:
    """Sample quantities and their widths in pixels, for the legend."""
    samples = [v for v in (1_000, 10_000, 100_000, 1_000_000) if v <= qmax] or [qmax]
    return [(fmt_number(v, lang), float(arc_width([v], ["pieces"], qmax)[0])) for v in samples]


def ends(flows: pd.DataFrame, coords: pd.DataFrame) -> pd.DataFrame:
    """Attach coordinates and bilingual names to both ends of each aggregated flow."""
    c = coords.set_index("key")
    out = flows.copy()
    for end in ("from", "to"):
        m = c.reindex(out[f"{end}_key"])
        out[f"{end}_lat"] = m["lat"].to_numpy(dtype=float)
        out[f"{end}_lon"] = pacific(m["lon"].to_numpy(dtype=float))
        out[f"{end}_name_en"] = m["name_en"].to_numpy()
        out[f"{end}_name_zh"] = m["name_zh"].to_numpy()
        out[f"{end}_admin1"] = m["admin1"].to_numpy()
    return out.dropna(subset=["from_lat", "to_lat"])


def _name(en, zh, lang):
    return f"{zh} ({en})" if lang == "zh" and isinstance(zh, str) and zh else (f"{en} ({zh})" if isinstance(zh, str) and zh else en)


def flow_deck(flows: pd.DataFrame, points: pd.DataFrame, lang: str, dark: bool = False, qmax: float | None = None,
              basemap: bool = False) -> pdk.Deck:
    """`flows`: aggregated arcs with coordinates (see `ends`); `points`: one row per place with totals text."""
    qmax = qmax or width_scale(flows)
    arcs = flows.copy()
    arcs["width"] = arc_width(arcs["quantity"], arcs["unit"], qmax)
    arcs["source_colour"] = [_rgb(CATEGORY_COLOURS.get(c, "#777777"), 235) for c in arcs["category"]]
    arcs["target_colour"] = [_rgb(CATEGORY_COLOURS.get(c, "#777777"), 70) for c in arcs["category"]]
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
    phys = totals[totals["unit"].isin(["pieces", "items", "pairs"])]
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
                     "colour": _rgb(DIRECTION_COLOURS["cn_to_us"] if p["country"] == "CN" else DIRECTION_COLOURS["us_to_cn"], 220),
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
