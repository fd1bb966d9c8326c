"""Plane geometry on GeoJSON-style coordinates, in plain Python (no Streamlit, pandas or shapely).

Used by the data build (simplifying, cleaning and checking the boundary files, placing centroids),
by `atlas.boundaries` (which province or state a point is in) and by the map (simplifying outlines
for drawing).

Positions are GeoJSON's ``[lon, lat]`` (``x, y``); a ring is a list of positions whose last equals
its first; a polygon is a list of rings, the exterior first and then its holes. Functions that take
a point as two numbers in *human* order say so (``lat, lon``).
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

Position = Sequence[float]
Ring = Sequence[Position]
Polygon = Sequence[Ring]

KM_PER_DEGREE = 111.32


# --------------------------------------------------------------------------- simplification

def simplify_line(points: Sequence[Position], tolerance: float, scale_lon: bool = False,
                  from_start: bool = False) -> list:
    """Douglas-Peucker on an open polyline: the first and last points are always kept.

    Keeps every point farther than ``tolerance`` from the chord of its stretch and returns the kept
    points themselves (not copies), in order.

    - ``scale_lon``: measure with longitude multiplied by the cosine of the mean latitude, so that
      ``tolerance`` means about the same ground distance east-west as north-south.
    - ``from_start``: compute a point's distance to the chord from its offset to the chord's start
      (a cross product), rather than from the line's equation. The two agree but for rounding in
      the last bits, which can flip a point lying at the tolerance; each caller keeps the form its
      committed output was made with (the data build ``True``, the map's outlines ``False``).
    """
    n = len(points)
    if n <= 2:
        return list(points)
    k = math.cos(math.radians(sum(p[1] for p in points) / n)) if scale_lon else 1.0
    xy = [(p[0] * k, p[1]) for p in points]
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = xy[a], xy[b]
        dx, dy = x2 - x1, y2 - y1
        if from_start:
            seg2 = dx * dx + dy * dy
            length, degenerate = math.sqrt(seg2), seg2 == 0
        else:
            length, degenerate = math.hypot(dx, dy) or 1e-12, not (dx or dy)
        best, index = -1.0, -1
        for i in range(a + 1, b):
            x, y = xy[i]
            if degenerate:  # a closed stretch: distance to its end point
                d = math.hypot(x - x1, y - y1)
            elif from_start:
                d = abs(dx * (y - y1) - dy * (x - x1)) / length
            else:
                d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
            if d > best:
                best, index = d, i
        if index > 0 and best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, kept in zip(points, keep) if kept]


def simplify_ring(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker on one closed ring (degrees, unscaled), for drawing.

    The first and last positions are kept, so the ring stays closed. A ring of five positions or
    fewer, or one that would come out with fewer than four, is returned as given (the same object).
    """
    if len(ring) <= 5:
        return ring
    out = simplify_line(ring, tolerance)
    return out if len(out) >= 4 else ring


def simplify_arc(points: Sequence[Position], tolerance: float) -> list:
    """A TopoJSON arc simplified once, so that every polygon sharing it keeps the same border.

    Longitude is scaled by cos(latitude) (see `simplify_line`). An arc that closes on itself (an
    island drawn as one arc) is split at its vertex farthest from the start, and both halves are
    simplified, so that it keeps more than its two (equal) end points.
    """
    if tolerance <= 0 or len(points) <= 3:
        return list(points)
    if points[0] == points[-1]:
        x0, y0 = points[0]
        far = max(range(len(points)), key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
        if far in (0, len(points) - 1):
            return list(points)
        return (simplify_line(points[: far + 1], tolerance, scale_lon=True, from_start=True)[:-1]
                + simplify_line(points[far:], tolerance, scale_lon=True, from_start=True))
    return simplify_line(points, tolerance, scale_lon=True, from_start=True)


# --------------------------------------------------------------------------- rings

def ring_area(ring: Ring) -> float:
    """Signed planar area (shoelace formula) of a closed ring; positive = counter-clockwise."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def drop_spikes(points: list) -> list:
    """Remove, in place, the vertices where an open ring doubles back on itself along a line
    (A-B-A, or A-B-C with C on segment A-B): rounding leaves these where arcs join, and they make
    the ring touch itself. Returns ``points``."""
    changed = True
    while changed and len(points) > 3:
        changed = False
        n = len(points)
        for i in range(n):
            a, b, c = points[i - 1], points[i], points[(i + 1) % n]
            ux, uy = b[0] - a[0], b[1] - a[1]
            vx, vy = c[0] - b[0], c[1] - b[1]
            if a == c or b == c or (abs(ux * vy - uy * vx) < 1e-12 and ux * vx + uy * vy < 0):
                del points[i]
                # drop a repeat the removal may have made
                if len(points) > 1 and points[i - 1] == points[i % len(points)]:
                    del points[i % len(points)]
                changed = True
                break
    return points


def clean_ring(ring: Ring, digits: int) -> list | None:
    """Round to ``digits`` decimals, drop repeated positions and spikes, close the ring.

    ``None`` if fewer than three distinct positions, or no area, are left.
    """
    out: list[tuple[float, float]] = []
    for x, y in ring:
        p = (round(x, digits), round(y, digits))
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    out = drop_spikes(out)
    if len(set(out)) < 3:
        return None
    out.append(out[0])
    if ring_area(out) == 0:
        return None
    return out


def _orient(p: Position, q: Position, r: Position) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _on_segment(p: Position, q: Position, r: Position) -> bool:
    """r, known collinear with p-q, lies within the segment's bounding box."""
    return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])


def segments_meet(p1: Position, p2: Position, p3: Position, p4: Position) -> bool:
    """True if segment p1-p2 crosses or touches segment p3-p4."""
    d1, d2 = _orient(p3, p4, p1), _orient(p3, p4, p2)
    d3, d4 = _orient(p1, p2, p3), _orient(p1, p2, p4)
    if ((d1 > 0) != (d2 > 0)) and d1 != 0 and d2 != 0 and ((d3 > 0) != (d4 > 0)) and d3 != 0 and d4 != 0:
        return True
    return ((d1 == 0 and _on_segment(p3, p4, p1)) or (d2 == 0 and _on_segment(p3, p4, p2))
            or (d3 == 0 and _on_segment(p1, p2, p3)) or (d4 == 0 and _on_segment(p1, p2, p4)))


def ring_self_intersections(ring: Ring, cell: float = 0.1) -> list[tuple[float, float]]:
    """Vertices starting segments that cross or touch a non-adjacent segment of the same ring."""
    segs = list(zip(ring, ring[1:]))
    n = len(segs)
    grid: dict[tuple[int, int], list[int]] = {}
    for i, (a, b) in enumerate(segs):
        for gx in range(math.floor(min(a[0], b[0]) / cell), math.floor(max(a[0], b[0]) / cell) + 1):
            for gy in range(math.floor(min(a[1], b[1]) / cell), math.floor(max(a[1], b[1]) / cell) + 1):
                grid.setdefault((gx, gy), []).append(i)
    found = set()
    for members in grid.values():
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                if abs(i - j) <= 1 or {i, j} == {0, n - 1}:
                    continue
                if segments_meet(*segs[i], *segs[j]):
                    found.add(tuple(segs[min(i, j)][0]))
    return sorted(found)


# --------------------------------------------------------------------------- points and polygons

def polygons(geometry: dict) -> Iterable[Polygon]:
    """The polygons of a GeoJSON Polygon, MultiPolygon or GeometryCollection of them."""
    gtype = geometry["type"]
    if gtype == "Polygon":
        yield geometry["coordinates"]
    elif gtype == "MultiPolygon":
        yield from geometry["coordinates"]
    elif gtype == "GeometryCollection":
        for g in geometry["geometries"]:
            yield from polygons(g)
    else:
        raise ValueError(f"not an areal geometry: {gtype}")


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


def point_in_polygon(x: float, y: float, rings: Polygon) -> bool:
    """``rings[0]`` is the exterior, the rest are holes."""
    if not rings or not point_in_ring(x, y, rings[0]):
        return False
    return not any(point_in_ring(x, y, hole) for hole in rings[1:])


def point_in_geometry(lat: float, lon: float, geometry: dict) -> bool:
    """True if ``(lat, lon)`` lies inside a GeoJSON Polygon/MultiPolygon."""
    return any(point_in_polygon(lon, lat, poly) for poly in polygons(geometry))


def _segment_distance_km(lat: float, lon: float, a: Position, b: Position) -> float:
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
    for poly in polygons(geometry):
        for ring in poly:
            for a, b in zip(ring, ring[1:]):
                best = min(best, _segment_distance_km(lat, lon, a, b))
    return best


def geometry_bbox(geometry: dict) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` of a Polygon/MultiPolygon's exteriors."""
    xs: list[float] = []
    ys: list[float] = []
    for poly in polygons(geometry):
        for pt in poly[0]:
            xs.append(pt[0])
            ys.append(pt[1])
    return min(xs), min(ys), max(xs), max(ys)


def polygon_centroid(rings: Polygon) -> tuple[float, float, float]:
    """Area-weighted centroid ``(x, y)`` and area of a polygon with holes (planar)."""
    a_sum = cx = cy = 0.0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            cross = x1 * y2 - x2 * y1
            a_sum += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
    a_sum /= 2.0
    return cx / (6 * a_sum), cy / (6 * a_sum), abs(a_sum)


def scanline_point(rings: Polygon, y: float) -> tuple[float, float] | None:
    """Midpoint of the widest inside stretch of the horizontal line at ``y``."""
    xs = []
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > y) != (y2 > y):
                xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    xs.sort()
    spans = [(xs[i], xs[i + 1]) for i in range(0, len(xs) - 1, 2)]
    if not spans:
        return None
    a, b = max(spans, key=lambda s: s[1] - s[0])
    return (a + b) / 2, y


def representative_point(geometry: dict, digits: int = 4) -> tuple[float, float, str]:
    """``(lat, lon, method)``: a point inside the largest polygon of ``geometry``, rounded to ``digits``.

    The polygon's centroid where that lies inside it; else the midpoint of the widest inside span of
    a horizontal line through the centroid, or of the nearest such line that has one.
    """
    largest = max(polygons(geometry), key=lambda p: abs(ring_area(p[0])) - sum(abs(ring_area(h)) for h in p[1:]))
    cx, cy, _ = polygon_centroid(largest)
    lon, lat = round(cx, digits), round(cy, digits)
    if point_in_polygon(lon, lat, largest):
        return lat, lon, "centroid of largest polygon"
    ys = [pt[1] for pt in largest[0]]
    y_min, y_max = min(ys), max(ys)
    # the centroid's own latitude first, then lines fanning out from it
    candidates = [cy] + [cy + s * (y_max - y_min) * f / 20 for f in range(1, 20) for s in (1, -1)]
    for y in candidates:
        if not y_min < y < y_max:
            continue
        hit = scanline_point(largest, y)
        if hit is None:
            continue
        lon, lat = round(hit[0], digits), round(hit[1], digits)
        if point_in_polygon(lon, lat, largest):
            how = "at the centroid's latitude" if y == cy else "near the centroid's latitude"
            return lat, lon, f"centroid outside; midpoint of widest inside span {how}"
    raise RuntimeError("no interior point found")


def geometry_problems(fid: str, geometry: dict) -> list[str]:
    """Basic validity: closed rings of >= 4 positions, RFC 7946 winding, no ring touching itself."""
    problems = []
    for poly in polygons(geometry):
        for k, ring in enumerate(poly):
            if len(ring) < 4 or ring[0] != ring[-1]:
                problems.append(f"{fid}: ring not closed or too short")
                continue
            if (ring_area(ring) > 0) != (k == 0):
                problems.append(f"{fid}: ring {k} wound the wrong way")
            for pt in ring_self_intersections(ring):
                problems.append(f"{fid}: self-intersection near {pt}")
    return problems


def count_vertices(geometry: dict) -> int:
    """Positions in all rings of a geometry (closing positions included)."""
    return sum(len(r) for p in polygons(geometry) for r in p)
