"""Offline boundaries: load the GeoJSON in ``data/geo`` and test points against it.

Plain Python (no Streamlit, no shapely) so the app, the data build and the
tests can all use it.  The files are produced by ``python -m atlas.build.geo``;
see ``data/geo/SOURCES.md`` for where they come from.

Coordinates follow GeoJSON order ``[lon, lat]``; the public functions take
``lat, lon`` in that (human) order.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"

#: name -> file name inside the data directory
BOUNDARY_FILES = {
    "countries": "countries.geojson",
    "us-states": "us-states.geojson",
    "cn-provinces": "cn-provinces.geojson",
}

Ring = Sequence[Sequence[float]]


def _data_dir(data_dir: str | Path | None) -> Path:
    return DEFAULT_DATA_DIR if data_dir is None else Path(data_dir)


def load_boundaries(data_dir: str | Path | None = None) -> dict[str, dict]:
    """Return ``{"countries": FeatureCollection, "us-states": ..., "cn-provinces": ...}``.

    Each value is the parsed GeoJSON dict (a fresh copy on every call, so callers
    may mutate it).  Missing files raise ``FileNotFoundError``.
    """
    base = _data_dir(data_dir)
    out: dict[str, dict] = {}
    for name, fname in BOUNDARY_FILES.items():
        with open(base / fname, encoding="utf-8") as fh:
            out[name] = json.load(fh)
    return out


# --------------------------------------------------------------------------
# geometry helpers


def point_in_ring(x: float, y: float, ring: Ring) -> bool:
    """Ray casting (even-odd) test of point ``(x, y)`` against one closed ring."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y):
            x_cross = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < x_cross:
                inside = not inside
        j = i
    return inside


def point_in_polygon(x: float, y: float, rings: Sequence[Ring]) -> bool:
    """``rings[0]`` is the exterior, the rest are holes."""
    if not rings or not point_in_ring(x, y, rings[0]):
        return False
    return not any(point_in_ring(x, y, hole) for hole in rings[1:])


def _polygons(geometry: dict) -> Iterable[Sequence[Ring]]:
    gtype = geometry["type"]
    if gtype == "Polygon":
        yield geometry["coordinates"]
    elif gtype == "MultiPolygon":
        yield from geometry["coordinates"]
    elif gtype == "GeometryCollection":
        for g in geometry["geometries"]:
            yield from _polygons(g)
    else:
        raise ValueError(f"not an areal geometry: {gtype}")


def point_in_geometry(lat: float, lon: float, geometry: dict) -> bool:
    """True if ``(lat, lon)`` lies inside a GeoJSON Polygon/MultiPolygon."""
    return any(point_in_polygon(lon, lat, poly) for poly in _polygons(geometry))


KM_PER_DEGREE = 111.32


def _segment_distance_km(lat: float, lon: float, a: Sequence[float], b: Sequence[float]) -> float:
    """Distance from a point to segment a-b, on a local plane (lon scaled by cos(lat))."""
    k = math.cos(math.radians(lat))
    ax, ay = (a[0] - lon) * k, a[1] - lat
    bx, by = (b[0] - lon) * k, b[1] - lat
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    t = 0.0 if seg2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg2))
    return math.hypot(ax + t * dx, ay + t * dy) * KM_PER_DEGREE


def distance_to_geometry_km(lat: float, lon: float, geometry: dict) -> float:
    """0 if ``(lat, lon)`` is inside the geometry, else the (approximate) km to its nearest edge."""
    if point_in_geometry(lat, lon, geometry):
        return 0.0
    best = math.inf
    for poly in _polygons(geometry):
        for ring in poly:
            for a, b in zip(ring, ring[1:]):
                best = min(best, _segment_distance_km(lat, lon, a, b))
    return best


def geometry_bbox(geometry: dict) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` of a Polygon/MultiPolygon."""
    xs: list[float] = []
    ys: list[float] = []
    for poly in _polygons(geometry):
        for pt in poly[0]:
            xs.append(pt[0])
            ys.append(pt[1])
    return min(xs), min(ys), max(xs), max(ys)


# --------------------------------------------------------------------------
# admin-1 index


@lru_cache(maxsize=8)
def _admin1_index(data_dir: str) -> dict[str, tuple[tuple[float, float, float, float], dict]]:
    index: dict[str, tuple[tuple[float, float, float, float], dict]] = {}
    boundaries = load_boundaries(data_dir)
    for name in ("us-states", "cn-provinces"):
        for feature in boundaries[name]["features"]:
            code = feature["properties"]["admin1"]
            geom = feature["geometry"]
            index[code] = (geometry_bbox(geom), geom)
    return index


def admin1_codes(data_dir: str | Path | None = None) -> list[str]:
    """All admin-1 codes with a boundary (``US-OH``, ``CN-FJ`` ...), sorted."""
    return sorted(_admin1_index(str(_data_dir(data_dir))))


def point_in_admin1(
    lat: float,
    lon: float,
    admin1: str,
    data_dir: str | Path | None = None,
    tolerance_km: float = 0.0,
) -> bool:
    """True if ``(lat, lon)`` lies inside the boundary of ``admin1`` (e.g. ``"US-OH"``).

    ``tolerance_km`` > 0 also accepts points that close to the boundary: the
    outlines are simplified (lines move by up to ~0.5 km) and small-scale
    coastlines miss harbours and lagoons, so a coastal city centre such as
    Xiamen's can fall just outside.  Raises ``KeyError`` for a code with no
    boundary (typo, Hong Kong, Taiwan ...), so that a wrong code is not mistaken
    for a wrong coordinate.
    """
    index = _admin1_index(str(_data_dir(data_dir)))
    try:
        (x0, y0, x1, y1), geom = index[admin1.upper()]
    except KeyError:
        raise KeyError(f"no boundary for admin1 code {admin1!r}") from None
    pad = tolerance_km / KM_PER_DEGREE
    pad_x = pad / max(math.cos(math.radians(lat)), 0.01)
    if not (x0 - pad_x <= lon <= x1 + pad_x and y0 - pad <= lat <= y1 + pad):
        return False
    if tolerance_km > 0:
        return distance_to_geometry_km(lat, lon, geom) <= tolerance_km
    return point_in_geometry(lat, lon, geom)


def admin1_at(lat: float, lon: float, data_dir: str | Path | None = None) -> str | None:
    """The admin-1 code whose boundary contains ``(lat, lon)``, or ``None``."""
    for code, ((x0, y0, x1, y1), geom) in _admin1_index(str(_data_dir(data_dir))).items():
        if x0 <= lon <= x1 and y0 <= lat <= y1 and point_in_geometry(lat, lon, geom):
            return code
    return None
