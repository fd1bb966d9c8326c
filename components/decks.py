"""The maps as pydeck Decks (`build_flow_deck`, `build_pairings_deck`): offline outlines, arcs from giver to receiver, places sized by totals.

The map is centred on the Pacific: eastern longitudes are shifted by -360 degrees so that arcs
between China and the US cross the ocean between them rather than Europe.
Tooltips use deck.gl's `text` template (set as innerText), so names from the data are shown as
text, never as HTML.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pydeck as pdk

from atlas.boundaries import load_boundaries
from atlas.flows import FlowMap, giver_name
from atlas.geometry import simplify_ring
from atlas.i18n import fmt_number, fmt_unit, label, source_ref, t
from atlas.vocab import PHYSICAL_UNITS

from .streamlit_fixes import CompactDeck
from .theme import CATEGORY_COLOURS, DIRECTION_COLOURS, EXCHANGE_COLOURS, FONT, MUTED, rgb

# deck.gl rejects a view longitude beyond +-180, while the data may go past it (shifted Chinese longitudes).
VIEW = pdk.ViewState(latitude=36, longitude=-168, zoom=1.35, min_zoom=0.5, max_zoom=9, pitch=0, bearing=0)
MAX_WIDTH_PX = 16
MIN_WIDTH_PX = 1.5
#: Quantities the width legend always shows: the scale is fixed for the whole dataset, so is its legend.
LEGEND_SAMPLES = (1_000, 10_000, 100_000, 1_000_000)
FLOW_ALPHA = 175      # lines are semi-transparent, so crossings and overlaps stay readable
BEND = 0.22           # how far a flow bows to the right of its direction, as a share of its length
MAP_HEIGHT = 520
#: The map's width the view is fitted to until the reader's own is known (components/map_width.py measures it in the
#: browser and the map is fitted again at that width): the narrowest map, a 390 px phone's less the page's padding.
FIT_WIDTH = 350
MAX_LABELS = 40
#: Below zoom 0 the whole world is narrower than 512 px: a phone's map of every flow needs about -0.1.
MIN_FIT_ZOOM = -1.0
#: Room kept free at each edge of the fitted view (px): the largest circle's radius (20 px) and 12 px of air on the
#: sides (with 4 px, Fujian's circle touched the left edge of the map PNG, issue 31), and above and below also a
#: label's height, so that no circle at the edge is cut and its name can fit.
FIT_MARGIN_X = 32
FIT_MARGIN_Y = 40
LABEL_SIZE = 12       # px, the places' names
LABEL_GAP = 3         # px between a circle's edge and its name
ARROW = "\u25b6"      # drawn at each flow's middle, rotated along it: which way the help went
#: Drag pans; double-click, pinch, +/- keys and Ctrl (or Cmd) + scroll zoom. The scroll wheel alone scrolls the page:
#: the page's script (components/frame.py) stops a wheel event without a modifier before deck.gl sees it.
#: In the app, double-click zoom is the page's (components/frame.py): deck.gl's own also sent Streamlit a click, so a
#: double click filtered the dashboard. Exported files, which filter nothing, keep deck.gl's (`deck_html`).
CONTROLLER = {"scrollZoom": True, "dragRotate": False, "touchRotate": False, "doubleClickZoom": False,
              "touchZoom": True, "keyboard": True, "dragPan": True}
LAND = {False: {"ocean": [0.84, 0.89, 0.93, 1], "land": [243, 240, 233, 255], "home": [252, 251, 248, 255],
                "line": [150, 150, 150, 200], "world_line": [190, 190, 185, 255], "label": [34, 34, 34, 255],
                "halo": [255, 255, 255, 230]},
        True: {"ocean": [0.043, 0.078, 0.125, 1], "land": [36, 42, 51, 255], "home": [48, 56, 67, 255],
               "line": [120, 128, 140, 220], "world_line": [70, 78, 90, 255], "label": [236, 236, 236, 255],
               "halo": [14, 17, 23, 230]}}
COUNTRY_FILL = {"CN": LAND[False]["home"], "US": LAND[False]["home"]}


TOOLTIP = {"text": "{tooltip}", "style": {"fontSize": "12px", "whiteSpace": "pre-line", "maxWidth": "320px"}}


def make_deck(layers: list, dark: bool = False, basemap: bool = False, view: pdk.ViewState | None = None) -> CompactDeck:
    """The one way maps are made: the offline land and outlines below `layers`, optionally over an online basemap.

    Without `basemap` the deck names no map style at all (pydeck's sentinel, which Streamlit reads as
    "none"): given `map_style=None`, Streamlit would fetch CARTO's style from the internet instead.
    """
    style = {"map_provider": "carto", "map_style": "dark" if dark else "light"} if basemap else {"map_provider": None}
    return CompactDeck(layers=base_layers(dark, filled=not basemap) + layers, initial_view_state=view or VIEW,
                       tooltip=TOOLTIP, views=[pdk.View(type="MapView", controller=CONTROLLER, repeat=bool(basemap))],
                       parameters={"clearColor": LAND[dark]["ocean"]}, **style)


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


#: A world ring east of this longitude (its mean) moves west by 360 degrees as a whole: so Europe, Africa,
#: Asia and Oceania lie west of the Pacific, the Americas east of it, and no ring is cut in two (the Atlantic
#: is the seam; only Greenland spans it, and it stays with the Americas).
WORLD_SEAM = -30.0


def _shift_world(coords):
    if isinstance(coords[0][0], (int, float)):
        if sum(x for x, *_ in coords) / len(coords) <= WORLD_SEAM:  # the Americas: an eastern vertex is past 180 (Aleutians, Chukotka)
            return [[round(x - 360 if x > 0 else x, 2), round(y, 2)] for x, y, *_ in coords]
        # A vertex west of the seam in a ring that moves is on the antimeridian (Russia's -180 = +180): it stays.
        return [[round(x - 360 if x > WORLD_SEAM else x, 2), round(y, 2)] for x, y, *_ in coords]
    return [_shift_world(c) for c in coords]


@lru_cache(maxsize=4)
def _base_geojson(package_dir: str) -> dict:
    b = load_boundaries(package_dir)
    out = {}
    for key, fc in b.items():
        fc = copy.deepcopy(fc)
        for feat in fc["features"]:
            geom = feat["geometry"]
            geom["coordinates"] = _shift_world(geom["coordinates"]) if key == "world" else _shift_geometry(geom["coordinates"])
            feat["properties"] = {k: v for k, v in feat["properties"].items() if k in ("iso", "admin1")}
        out[key] = fc
    return out


#: The sea under the land: a rectangle over the whole drawn world (Streamlit's deck ignores `clearColor`).
OCEAN_RING = [[-420, -85], [60, -85], [60, 85], [-420, 85], [-420, -85]]


def rgb_of(unit_rgba: list[float]) -> list[int]:
    return [round(v * 255) for v in unit_rgba[:3]] + [255]


#: The outlines that never change while a package is served: sent once at content-hashed addresses the browser
#: caches (`/assets/outlines-<name>-<hash>.json`, served by components/http.py), not inside every map's JSON.
OUTLINES = ("world", "countries", "cn-provinces", "us-states")
OUTLINE_PREFIX = "/assets/outlines-"


@lru_cache(maxsize=4)
def outline_files(package_dir: str) -> dict[str, bytes]:
    """Each outline's address and its bytes (compact JSON; '<', '>' and '&' escaped like every JSON we send)."""
    g = _base_geojson(package_dir)
    files = {}
    for name in OUTLINES:
        body = json.dumps(g[name], separators=(",", ":"), ensure_ascii=False)
        body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")
        files[f"{OUTLINE_PREFIX}{name}-{hashlib.sha256(body).hexdigest()[:16]}.json"] = body
    return files


def outline_urls(package_dir: str) -> dict[str, str]:
    return {name: url for name, url in zip(OUTLINES, outline_files(package_dir))}


@lru_cache(maxsize=8)
def _base_layers(package_dir: str, dark: bool, filled: bool) -> list[pdk.Layer]:
    urls = outline_urls(package_dir)
    c = LAND[dark]
    ocean = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [OCEAN_RING]}}
    return [
        pdk.Layer("GeoJsonLayer", ocean, id="ocean", stroked=False, filled=filled, get_fill_color=rgb_of(c["ocean"]),
                  pickable=False),
        pdk.Layer("GeoJsonLayer", urls["world"], id="world", stroked=True, filled=filled, get_fill_color=c["land"],
                  get_line_color=c["world_line"], line_width_min_pixels=0.5, pickable=False),
        pdk.Layer("GeoJsonLayer", urls["countries"], id="countries", stroked=True, filled=filled, get_fill_color=c["home"],
                  get_line_color=c["line"], line_width_min_pixels=1, pickable=False),
        pdk.Layer("GeoJsonLayer", urls["cn-provinces"], id="provinces", stroked=True, filled=False,
                  get_line_color=c["line"], line_width_min_pixels=0.5, pickable=False),
        pdk.Layer("GeoJsonLayer", urls["us-states"], id="states", stroked=True, filled=False,
                  get_line_color=c["line"], line_width_min_pixels=0.5, pickable=False),
    ]


def inline_outlines(deck: pdk.Deck) -> pdk.Deck:
    """A copy of `deck` with the outlines' data in it, for files that must open without our server (exports)."""
    from atlas.package import data_dir
    files = outline_files(str(data_dir()))
    deck = copy.copy(deck)
    layers = []
    for layer in deck.layers:
        if isinstance(layer.data, str) and layer.data in files:
            layer = copy.copy(layer)
            layer.data = json.loads(files[layer.data])
        layers.append(layer)
    deck.layers = layers
    return deck


def base_layers(dark: bool = False, filled: bool = True) -> list[pdk.Layer]:
    """World land, country, province and state outlines from the package's boundaries (built once per package and theme)."""
    from atlas.package import data_dir
    return _base_layers(str(data_dir()), dark, filled)


# --- geometry of the drawing ----------------------------------------------------------------------

def _merc(lat):
    lat = np.clip(np.asarray(lat, dtype=float), -85, 85)
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def _unmerc(y):
    return np.degrees(2 * np.arctan(np.exp(np.radians(np.asarray(y, dtype=float)))) - np.pi / 2)


def curve(x0: float, y0: float, x1: float, y1: float, bend: float = BEND, n: int = 24) -> tuple[list, float, float, float]:
    """A flat curve from (x0, y0) to (x1, y1) (lon, lat; Pacific-shifted), bowed to the right of its direction.

    Both directions of one pair bow to opposite sides, so they are never drawn on top of each other.
    Returns the path, and the point and angle (degrees, counter-clockwise from east, on screen) of its middle.
    Computed in Mercator coordinates, where screen angles are true."""
    m0, m1 = float(_merc(y0)), float(_merc(y1))
    dx, dy = x1 - x0, m1 - m0
    cx, cy = (x0 + x1) / 2 + bend * dy, (m0 + m1) / 2 - bend * dx  # the right-hand normal of (dx, dy) is (dy, -dx)
    t = np.linspace(0, 1, n)[:, None]
    p0, pc, p1 = np.array([x0, m0]), np.array([cx, cy]), np.array([x1, m1])
    pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * pc + t ** 2 * p1
    path = [[round(float(x), 3), round(float(_unmerc(y)), 3)] for x, y in pts]
    mid = 0.25 * p0 + 0.5 * pc + 0.25 * p1
    tangent = p1 - p0  # at t = 1/2 a quadratic Bezier runs parallel to its chord
    angle = math.degrees(math.atan2(tangent[1], tangent[0]))
    return path, round(float(mid[0]), 3), round(float(_unmerc(mid[1])), 3), round(angle, 1)


def world_latitude(centre_y: float, zoom: float, height: int) -> float:
    """The view latitude for a centre at Mercator `centre_y` (degrees), moved as little as needed for a map `height`
    px tall at `zoom` to stay inside the world, as deck.gl's controller moves it (math.gl's normalizeViewportProps:
    the 512 px world square never shows its edge above or below).

    A view deck.gl has to move is moved on the reader's screen and reported back to Streamlit's component, which
    keeps the moved latitude when the next view it is sent has the same latitude as the one before: a map first
    drawn at the narrowest width kept the latitude of that view after it was fitted to the reader's width (in a
    browser test, 7 of 12 fresh loads of /flows), so the circles were not where the fitted view puts them."""
    half = height / 2 / 2 ** zoom  # half the map's height, in px of the 512 px world
    bound = max(256 - half, 0) * 360 / 512  # how far (Mercator degrees) the centre may be from the equator
    y = float(np.clip(centre_y, -bound, bound))
    lat = float(_unmerc(y))
    return math.trunc(lat * 1e4) / 1e4  # rounded towards the equator: never past the bound


def fit_view(lon, lat, width: int = FIT_WIDTH, height: int = MAP_HEIGHT, margin_x: float = FIT_MARGIN_X,
             margin_y: float = FIT_MARGIN_Y, max_zoom: float = 5.0) -> pdk.ViewState:
    """A view centred on the points and zoomed so that all of them, with `margin_x` / `margin_y` pixels free around
    them (room for the circles and their names), fit a map `width` x `height` pixels wide: the reader's own map
    (components/map_width.py), or the export's picture."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    if not ok.any():
        return VIEW
    lon, y = lon[ok], _merc(lat[ok])
    x0, x1, y0, y1 = lon.min(), lon.max(), y.min(), y.max()
    centre_lon = float((x0 + x1) / 2)
    if centre_lon < -180:  # deck.gl wants a view longitude in -180..180: centre on -180 and widen the box to match
        centre_lon = -180.0
        x0, x1 = min(x0, 2 * centre_lon - x1), max(x1, 2 * centre_lon - x0)
    span_x, span_y = max(x1 - x0, 0.5), max(y1 - y0, 0.5)
    usable_x, usable_y = max(width - 2 * margin_x, 40), max(height - 2 * margin_y, 40)
    zoom = min(math.log2(usable_x * 360 / (512 * span_x)), math.log2(usable_y * 360 / (512 * span_y)))
    zoom = math.floor(float(np.clip(zoom, MIN_FIT_ZOOM, max_zoom)) * 100) / 100  # rounded down: never past the fit
    # deck.gl shows no less than the world's height (below, it zooms in and centres on the equator): nor does the fit
    world = math.ceil(math.log2(height / 512) * 100) / 100
    zoom = max(zoom, world + 0.01 if world <= math.log2(height / 512) else world)
    return pdk.ViewState(latitude=world_latitude((y0 + y1) / 2, zoom, height), longitude=round(centre_lon, 4),
                         zoom=zoom, min_zoom=MIN_FIT_ZOOM, max_zoom=9, pitch=0, bearing=0)


def arc_width(quantity, unit, qmax: float) -> np.ndarray:
    """Width grows with the square root of quantity (area-like); cash and messages draw at the minimum width."""
    q = pd.to_numeric(pd.Series(quantity), errors="coerce").fillna(0).to_numpy(dtype=float)
    physical = pd.Series(unit).isin(PHYSICAL_UNITS).to_numpy()
    w = MIN_WIDTH_PX + (MAX_WIDTH_PX - MIN_WIDTH_PX) * np.sqrt(np.clip(q, 0, None) / qmax)
    return np.where(physical, np.minimum(w, MAX_WIDTH_PX), MIN_WIDTH_PX + 1)


def legend_widths(qmax: float, lang: str) -> list[tuple[str, float]]:
    """Sample quantities and their widths in pixels, for the legend (the same samples whatever the filter)."""
    samples = [v for v in LEGEND_SAMPLES if v <= qmax] or [qmax]
    return [(fmt_number(v, lang), float(arc_width([v], ["pieces"], qmax)[0])) for v in samples]


def _name(en, zh, lang):
    return f"{zh}（{en}）" if lang == "zh" and isinstance(zh, str) and zh else (f"{en} ({zh})" if isinstance(zh, str) and zh else en)


def _short(en, zh, lang):
    return zh if lang == "zh" and isinstance(zh, str) and zh else en


def records_text(n: int, lang: str) -> str:
    """"1 record", "2 records": the plural chosen by number."""
    return t("map.records_one" if int(n) == 1 else "map.records", lang, n=fmt_number(int(n), lang))


def category_colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, MUTED)


def _label_layer(points: pd.DataFrame, dark: bool, layer_id: str = "labels") -> pdk.Layer:
    """Names of the places drawn, each where `declutter` placed it (its `offset` from the circle's centre, px).
    (deck.gl's CollisionFilterExtension, which would keep labels apart at every zoom, drew no label at all in
    Streamlit's deck.gl and is missing from pydeck's own bundle, so the exported pages could not use it.)"""
    c = LAND[dark]
    p = points[["lon", "lat", "label", "radius", "offset"]].copy()
    return pdk.Layer("TextLayer", p.to_dict("records"), id=layer_id,
                     get_position=["lon", "lat"], get_text="label", get_size=LABEL_SIZE, size_units="'pixels'",
                     get_color=c["label"], get_pixel_offset="offset", character_set="'auto'", font_family=f"'{FONT}'",
                     font_settings={"sdf": True}, outline_width=3, outline_color=c["halo"], pickable=False)


def _screen(lon, lat, view: pdk.ViewState, width: int, height: int):
    """Pixel positions of points in a web-Mercator view of `width` x `height`."""
    scale = 512 * 2 ** view.zoom / 360
    lon = np.asarray(lon, dtype=float)
    centre = view.longitude if view.longitude <= 0 or lon.min() > -180 else view.longitude - 360
    x = width / 2 + (lon - centre) * scale
    y = height / 2 - (_merc(lat) - _merc(view.latitude)) * scale
    return x, y


def label_width(text: str, size: float = LABEL_SIZE) -> float:
    """A generous estimate of a label's drawn width (px): a CJK character is one em, a Latin one at most 0.68 em
    (capitals and w/m in the sans fonts used), plus the halo on both sides."""
    return sum(size if ord(ch) > 0x2E80 else size * (0.72 if ch.isupper() or ch in "mwMW" else 0.6) for ch in str(text)) + 6


def _hits_circle(box, cx, cy, r) -> bool:
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    return (nx - cx) ** 2 + (ny - cy) ** 2 < (r + 1) ** 2


def declutter(points: pd.DataFrame, view: pdk.ViewState, width: int, height: int) -> pd.DataFrame:
    """The labels that fit at `view` in a map `width` x `height` (the reader's, or the exported picture's), each
    with its `offset` (px from its circle's centre): tried above its circle, then below, right and left; a place
    keeps the first position where its name's box covers no circle drawn (`points` are all of them), no name
    already placed, and stays inside the map. What does not fit is dropped, larger circles placed first."""
    if points.empty:
        return points.assign(offset=[])
    x, y = _screen(points["lon"], points["lat"], view, width, height)
    circles = list(zip(x, y, points["radius"]))
    order = np.argsort(-points["radius"].to_numpy(dtype=float), kind="stable")
    h = LABEL_SIZE + 4
    boxes, keep, offsets = [], [], []
    for i in order:
        if len(keep) >= MAX_LABELS:
            break
        px, py, r = circles[i]
        w = label_width(points["label"].iloc[i])
        for dx, dy in ((0, -(r + LABEL_GAP + h / 2)), (0, r + LABEL_GAP + h / 2),
                       (r + LABEL_GAP + w / 2, 0), (-(r + LABEL_GAP + w / 2), 0)):
            box = (px + dx - w / 2, py + dy - h / 2, px + dx + w / 2, py + dy + h / 2)
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                continue
            if any(_hits_circle(box, cx, cy, cr) for cx, cy, cr in circles):
                continue
            if any(not (box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3]) for b in boxes):
                continue
            boxes.append(box)
            keep.append(i)
            offsets.append([round(dx, 1), round(dy, 1)])
            break
    out = points.iloc[keep].copy()
    out["offset"] = offsets
    return out


PROMISED_WIDTH = 2          # px: a pledge's line, whatever it promised (its quantity is in its tooltip)
PROMISED_DASHES = 24        # dashes along each pledge's curve


def dashes(path: list, n: int = PROMISED_DASHES) -> list[list]:
    """`path` cut into `n` dashes with gaps between them (pieces of equal length along it, every other one kept).
    Drawn as pieces, not with deck.gl's PathStyleExtension, which neither Streamlit's nor pydeck's offline page
    can read from a deck's JSON (the map went blank)."""
    xy = np.asarray([p[:2] for p in path], dtype=float)
    if len(xy) < 2:
        return [path]
    seg = np.hypot(*np.diff(xy, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    if along[-1] == 0:
        return [path]
    marks = np.linspace(0, along[-1], 2 * n)
    points = np.column_stack([np.interp(marks, along, xy[:, 0]), np.interp(marks, along, xy[:, 1])])
    return [[[round(float(x), 5), round(float(y), 5)] for x, y in points[i:i + 2]] for i in range(0, 2 * n - 1, 2)]


def promised_paths(promised: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What was pledged or committed, giver -> receiver, as dashed curves with their tooltips (atlas.flows.FlowMap
    .promised): a promise is drawn apart from what was given, so that no reader takes it for help that came. Each
    row's `path` is a list of dashes (one path each)."""
    cols = ["path", "from_lon", "from_lat", "to_lon", "to_lat", "colour", "tooltip", "from_key", "to_key",
            "from_admin1", "to_admin1", "category"]
    if promised is None or promised.empty:
        return pd.DataFrame(columns=cols)
    p = promised.dropna(subset=["from_lon", "from_lat", "to_lon", "to_lat"]).copy()
    p["from_lon"], p["to_lon"] = pacific(p["from_lon"]), pacific(p["to_lon"])
    p["path"] = [dashes(curve(*xy)[0]) for xy in zip(p["from_lon"], p["from_lat"], p["to_lon"], p["to_lat"])]
    p["colour"] = [rgb(category_colour(c), 230) for c in p["category"]]
    p["tooltip"] = [
        t("map.promised_tooltip", lang, giver=giver_name(_name(a, az, lang), ge, gz, lang), receiver=_name(b, bz, lang),
          what=label("category", c, lang),
          amount=(f"{fmt_number(q, lang)} {fmt_unit(u, lang)}" if pd.notna(q) else t("map.amount_not_stated", lang)))
        + f"\n{records_text(r, lang)}"
        for a, az, ge, gz, b, bz, c, q, u, r in zip(
            p["from_name_en"], p["from_name_zh"], p.get("givers_en", pd.Series("", index=p.index)),
            p.get("givers_zh", pd.Series("", index=p.index)), p["to_name_en"], p["to_name_zh"], p["category"],
            p["quantity"], p["unit"], p["records"])]
    return p[cols].reset_index(drop=True)


def build_flow_deck(fm: FlowMap, lang: str, dark: bool = False, basemap: bool = False, fit_width: int = FIT_WIDTH,
                    fit_height: int = MAP_HEIGHT) -> pdk.Deck:
    """Flat curves from giver to receiver over the land, an arrowhead in the middle of each, places sized by what
    they gave and received drawn above them (and so the first to be clicked), and the places' names."""
    qmax = fm.qmax
    arcs = fm.flows.copy()
    arcs["from_lon"], arcs["to_lon"] = pacific(arcs["from_lon"]), pacific(arcs["to_lon"])
    points = place_points(fm.totals, fm.coords, fm.records_by_key, lang, smax=fm.place_max or None)
    arcs["width"] = arc_width(arcs["quantity"], arcs["unit"], qmax)
    arcs["colour"] = [rgb(category_colour(c), FLOW_ALPHA) for c in arcs["category"]]
    arcs["arrow_colour"] = [rgb(category_colour(c), 255) for c in arcs["category"]]
    geometry = [curve(*xy) for xy in zip(arcs["from_lon"], arcs["from_lat"], arcs["to_lon"], arcs["to_lat"])]
    arcs["path"] = [g[0] for g in geometry]
    arcs["mid_lon"] = [g[1] for g in geometry]
    arcs["mid_lat"] = [g[2] for g in geometry]
    arcs["angle"] = [g[3] for g in geometry]
    arcs["arrow"] = ARROW
    arcs["arrow_size"] = 9 + arcs["width"] * 0.8
    arcs["tooltip"] = [
        f"{giver_name(_name(a, az, lang), ge, gz, lang)} → {_name(b, bz, lang)}\n{label('category', c, lang)}"
        + (f"{t('label.colon', lang)}{fmt_number(q, lang)} {fmt_unit(u, lang)}" if pd.notna(q) and u != "messages"
           else f"{t('label.colon', lang)}{t('map.amount_not_stated', lang)}" if u != "messages" else "")
        + f"\n{records_text(r, lang)}" + (f" · {t('map.undisclosed', lang, n=un)}" if un else "")
        for a, az, ge, gz, b, bz, c, q, u, r, un in zip(arcs["from_name_en"], arcs["from_name_zh"],
                                                         arcs.get("givers_en", pd.Series("", index=arcs.index)),
                                                         arcs.get("givers_zh", pd.Series("", index=arcs.index)),
                                                         arcs["to_name_en"], arcs["to_name_zh"],
                                                 arcs["category"], arcs["quantity"], arcs["unit"], arcs["records"], arcs["undisclosed"])]
    arcs["quantity"] = arcs["quantity"].astype(float)
    arcs = arcs.sort_values("width", kind="stable")  # drawn in order: the widest last, on top
    arc_cols = ["path", "from_lon", "from_lat", "to_lon", "to_lat", "width", "colour", "tooltip",
                "from_key", "to_key", "from_admin1", "to_admin1", "category"]
    pts = points.copy()
    pts["lon"] = pacific(pts["lon"].to_numpy(dtype=float))
    pts = pts.sort_values("radius", ascending=False, kind="stable")  # small circles over large ones
    layers = region_tint(pts) + [
        pdk.Layer("PathLayer", arcs[arc_cols].to_dict("records"), id="flows", get_path="path", get_color="colour",
                  get_width="width", width_units="'pixels'", cap_rounded=True, joint_rounded=True, pickable=True,
                  auto_highlight=True, highlight_color=[255, 255, 255, 90]),
        pdk.Layer("TextLayer", arcs[["mid_lon", "mid_lat", "angle", "arrow", "arrow_size", "arrow_colour"]].to_dict("records"),
                  id="arrows", get_position=["mid_lon", "mid_lat"], get_text="arrow", get_angle="angle",
                  get_size="arrow_size", size_units="'pixels'", get_color="arrow_colour", character_set=f"'{ARROW}'",
                  font_family="'DejaVu Sans, Noto Sans Symbols2, sans-serif'", pickable=False),
        pdk.Layer("ScatterplotLayer", pts[["key", "lon", "lat", "radius", "colour", "tooltip", "admin1", "country"]].to_dict("records"),
                  id="places", get_position=["lon", "lat"], get_radius="radius", radius_units="'pixels'", get_fill_color="colour",
                  get_line_color=[255, 255, 255, 255], line_width_min_pixels=1.5, stroked=True, pickable=True, auto_highlight=True),
    ]
    promised = promised_paths(fm.promised, lang)
    if len(promised):  # dashed and thin, under the places: shown beside what was given, never as given
        layers.insert(len(layers) - 1, pdk.Layer(
            "PathLayer", promised.explode("path").to_dict("records"), id="promised", get_path="path",
            get_color="colour", get_width=PROMISED_WIDTH, width_units="'pixels'", pickable=True, auto_highlight=True,
            highlight_color=[255, 255, 255, 90]))
    ends = pd.concat([arcs[["from_lon", "from_lat"]].set_axis(["lon", "lat"], axis=1),
                      arcs[["to_lon", "to_lat"]].set_axis(["lon", "lat"], axis=1), pts[["lon", "lat"]],
                      *(promised[[f"{e}_lon", f"{e}_lat"]].set_axis(["lon", "lat"], axis=1) for e in ("from", "to")
                        if len(promised))])
    view = fit_view(ends["lon"], ends["lat"], fit_width, fit_height)
    if len(pts):
        layers.append(_label_layer(declutter(pts, view, fit_width, fit_height), dark))
    return make_deck(layers, dark, basemap, view)


def _coarse(coords, tolerance: float = 0.1):
    if isinstance(coords[0][0], (int, float)):
        return [[round(x, 1), round(y, 1)] for x, y, *_ in simplify_ring(coords, tolerance)]
    return [_coarse(c, tolerance) for c in coords]


@lru_cache(maxsize=4)
def _tint_shapes(package_dir: str) -> dict[str, dict]:
    """Each province's and state's area, coarser than its outline (a faint fill needs less detail; half the bytes)."""
    g = _base_geojson(package_dir)
    return {f["properties"]["admin1"]: {"type": f["geometry"]["type"], "coordinates": _coarse(f["geometry"]["coordinates"])}
            for key in ("cn-provinces", "us-states") for f in g[key]["features"] if f["properties"].get("admin1")}


def region_tint(points: pd.DataFrame) -> list[pdk.Layer]:
    """At the level of provinces and states, each one that gave or received is shaded in its circle's colour, so
    this map reads as areas and the map of places and organisations (circles at the places only) does not look
    the same. Nothing at the place level."""
    if not len(points) or not (points["key"] == points["admin1"]).all():
        return []
    from atlas.package import data_dir
    shapes = _tint_shapes(str(data_dir()))
    colour = {a: list(c[:3]) + [70] for a, c in zip(points["admin1"], points["colour"])}
    features = [{"type": "Feature", "properties": {"fill": colour[a]}, "geometry": shapes[a]} for a in colour if a in shapes]
    return [pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="regions", stroked=False,
                      filled=True, get_fill_color="properties.fill", pickable=False)]


def place_points(totals: pd.DataFrame, coords: pd.DataFrame, records_by_key: dict[str, list[str]], lang: str,
                 max_records: int = 8, smax: float | None = None) -> pd.DataFrame:
    """One point per place/region: radius by sqrt of physical items given + received (`smax`, the fixed scale's
    largest, gets the largest circle; by default the largest here); tooltip lists totals and records."""
    c = coords.set_index("key")
    rows = []
    phys = totals[totals["unit"].isin(PHYSICAL_UNITS)]
    size = phys.groupby("key")["quantity"].sum()
    if not smax:
        smax = float(size.max()) if len(size) and size.max() > 0 else 1.0
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
                lines.append(t("map." + role, lang) + t("label.colon", lang) + t("list.separator", lang).join(parts))
        recs = records_by_key.get(key, [])
        if recs:
            more = len(recs) - max_records
            refs = [source_ref(r, lang) for r in recs[:max_records]]
            lines.append(t("map.records_list", lang) + t("label.colon", lang) + t("list.separator", lang).join(refs) + (f" (+{more})" if more > 0 else ""))
        q = float(size.get(key, 0.0) or 0.0)
        rows.append({"key": key, "lat": float(p["lat"]), "lon": float(p["lon"]), "admin1": p["admin1"],
                     "country": p["country"], "radius": 4 + 16 * math.sqrt(min(q / smax, 1.0)),
                     "colour": rgb(DIRECTION_COLOURS["cn_to_us"] if p["country"] == "CN" else DIRECTION_COLOURS["us_to_cn"], 235),
                     "tooltip": "\n".join(lines), "label": _short(p["name_en"], p["name_zh"], lang)})
    return pd.DataFrame(rows, columns=["key", "lat", "lon", "admin1", "country", "radius", "colour", "tooltip", "label"])


_CDN_TAGS = re.compile(r"""<script src="https?://[^"]+"></script>|<link rel="stylesheet" href=["']?https?://[^\s"'>]+["']? ?/?>""")


def deck_html(deck: pdk.Deck) -> bytes:
    """A self-contained HTML file of the map (deck.gl embedded), which opens without a network."""
    deck = inline_outlines(deck)
    deck.views = [pdk.View(type="MapView", controller={**CONTROLLER, "doubleClickZoom": True}, repeat=False)]
    if deck.map_style == "__MAP_STYLE__":
        deck.map_style = None  # the standalone page would otherwise try to fetch a style of that name
    clear = (getattr(deck, "parameters", None) or {}).get("clearColor")
    ocean = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in clear[:3])) if clear else None
    # pydeck's own deck.gl bundle ignores clearColor: the ocean is the page's background there.
    html = deck.to_html(as_string=True, offline=True, notebook_display=False, css_background_color=ocean)
    # pydeck's page template still links mapbox-gl, maplibre, bootstrap and font-awesome from CDNs, which the
    # offline map does not use: drop them so the file asks nothing of the network.
    html = _CDN_TAGS.sub("", html)
    return html.encode("utf-8")


def pairing_colours(view: pd.DataFrame) -> list[list[int]]:
    """A line's colour from its `exchange` column (which way help went between the pair)."""
    return [rgb(EXCHANGE_COLOURS[e], 210 if e != "none" else 120) for e in view["exchange"]]


def pairing_places(v: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One circle per place of a pair (China and US side), sized by its number of sister relationships."""
    rows = []
    for side, country in (("cn", "CN"), ("us", "US")):
        g = v.groupby(f"{side}_place_id", sort=True)
        for pid, d in g:
            first = d.iloc[0]
            n = len(d)
            others = t("list.comma", lang).join(_short(a, b, lang) for a, b in zip(d[f"{'us' if side == 'cn' else 'cn'}_name_en"],
                                                                   d[f"{'us' if side == 'cn' else 'cn'}_name_zh"]))
            rows.append({"key": pid, "lon": float(pacific([first[f"{side}_lon"]])[0]), "lat": float(first[f"{side}_lat"]),
                         "admin1": first[f"{side}_admin1"], "country": country, "pairs": n,
                         "radius": 3 + 2.2 * math.sqrt(n),
                         "colour": rgb(DIRECTION_COLOURS["cn_to_us" if side == "cn" else "us_to_cn"], 235),
                         "label": _short(first[f"{side}_name_en"], first[f"{side}_name_zh"], lang),
                         "tooltip": _name(first[f"{side}_name_en"], first[f"{side}_name_zh"], lang) + "\n"
                         + t("pairings.map_pairs_one" if n == 1 else "pairings.map_pairs", lang, n=n, others=others[:200])})
    return pd.DataFrame(rows, columns=["key", "lon", "lat", "admin1", "country", "pairs", "radius", "colour", "label", "tooltip"])


def build_pairings_deck(view: pd.DataFrame, lang: str, dark: bool = False, basemap: bool = False,
                        fit_width: int = FIT_WIDTH, fit_height: int = 480) -> pdk.Deck:
    """One flat curve per sister relationship, coloured by the help recorded between the pair (see
    `pairing_colours`), and a clickable circle per place."""
    v = view.dropna(subset=["cn_lat", "us_lat"]).copy()
    v["from_lon"] = pacific(v["cn_lon"].astype(float))
    v["to_lon"] = pacific(v["us_lon"].astype(float))
    v["from_lat"] = v["cn_lat"].astype(float)
    v["to_lat"] = v["us_lat"].astype(float)
    # Evidence (issue 13): a pair only inferred from help, or contradicted, is drawn thin and faint.
    recorded = v["on_record"] if "on_record" in v else pd.Series(True, index=v.index)
    if "colour" not in v.columns:
        v["colour"] = [c if r else c[:3] + [70] for c, r in zip(pairing_colours(v), recorded)]
    v["width"] = [(3 if e != "none" else 1.5) if r else 1 for e, r in zip(v["exchange"], recorded)]
    v["path"] = [curve(*xy, bend=0.12)[0] for xy in zip(v["from_lon"], v["from_lat"], v["to_lon"], v["to_lat"])]
    name = lambda en, zh: f"{zh}（{en}）" if lang == "zh" and zh else f"{en}"
    # The tooltip says its evidence level, what it was inferred from and any help through an agency.
    level = v["evidence_level"] if "evidence_level" in v else pd.Series("", index=v.index)
    through = v["help_through"] if "help_through" in v else pd.Series("", index=v.index)
    if lang == "zh":  # the agencies' names in Chinese (components/tables.names_in)
        from .tables import names_in
        from . import data
        places = data.get().package.places
        zh_of = {en: zh for en, zh in zip(places["name_en"].astype(str), places["name_zh"].astype(str)) if zh and zh != "nan"}
        through = pd.Series([names_in(x, lang, zh_of) for x in through], index=v.index)
    stated = v["state_stated"] if "state_stated" in v else pd.Series(True, index=v.index)
    v["tooltip"] = [f"{name(a, az)} — {name(b, bz)}" + ("" if ok else t('paren', lang, text=t('pairings.state_not_stated', lang)))
                    + f"\n{label('level', lv, lang)} · {label('exchange', e, lang)}"
                    + (f" · {label('evidence_level', el, lang)}" if el else "")
                    + (f"\n{t('pairings.help_through', lang, names=th)}" if th else "") + f"\n{ev[:160]}"
                    for a, az, b, bz, lv, e, ev, el, th, ok in zip(v["cn_name_en"], v["cn_name_zh"], v["us_name_en"],
                                                                   v["us_name_zh"], v["level"], v["exchange"], v["evidence"],
                                                                   level, through, stated)]
    v = v.sort_values("width", kind="stable")
    cols = ["path", "from_lon", "from_lat", "to_lon", "to_lat", "colour", "width", "tooltip", "cn_admin1", "us_admin1"]
    places = pairing_places(v, lang).sort_values("radius", ascending=False, kind="stable")
    layers = [pdk.Layer("PathLayer", v[cols].to_dict("records"), id="pairs", get_path="path", get_color="colour",
                        get_width="width", width_units="'pixels'", cap_rounded=True, pickable=True, auto_highlight=True),
              pdk.Layer("ScatterplotLayer", places[["key", "lon", "lat", "radius", "colour", "tooltip", "admin1", "country"]]
                        .to_dict("records"), id="pair_places", get_position=["lon", "lat"], get_radius="radius",
                        radius_units="'pixels'", get_fill_color="colour", get_line_color=[255, 255, 255, 255],
                        line_width_min_pixels=1, stroked=True, pickable=True, auto_highlight=True)]
    ends = pd.concat([v[["from_lon", "from_lat"]].set_axis(["lon", "lat"], axis=1),
                      v[["to_lon", "to_lat"]].set_axis(["lon", "lat"], axis=1)])
    box = fit_view(ends["lon"], ends["lat"], fit_width, fit_height)
    if len(places):
        layers.append(_label_layer(declutter(places, box, fit_width, fit_height), dark, "pair_labels"))
    return make_deck(layers, dark, basemap, box)
