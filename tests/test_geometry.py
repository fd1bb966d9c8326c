"""atlas.geometry: simplification, rings, points in polygons, representative points."""
from __future__ import annotations

import math

import pytest

from atlas import geometry as g

SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]  # counter-clockwise
HOLE = [[0.4, 0.4], [0.4, 0.6], [0.6, 0.6], [0.6, 0.4], [0.4, 0.4]]  # clockwise


def wavy_ring(wiggle: float = 0.001, steps: int = 10) -> list[list[float]]:
    """The unit square, counter-clockwise, each side drawn in ``steps`` pieces that wiggle by ``wiggle``."""
    corners = [(0, 0), (1, 0), (1, 1), (0, 1)]
    pts = []
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1]):
        nx, ny = y2 - y1, x1 - x2  # outward normal of a counter-clockwise side
        for i in range(steps):
            w = wiggle * (i % 2)
            pts.append([x1 + (x2 - x1) * i / steps + nx * w, y1 + (y2 - y1) * i / steps + ny * w])
    return pts + [pts[0]]


# --------------------------------------------------------------------------- simplify_ring (the map's outlines)

def test_simplify_ring_keeps_small_rings_as_given():
    ring = [[0, 0], [1, 0], [1, 0.0001], [0, 1], [0, 0]]
    assert g.simplify_ring(ring, 10) is ring


def test_simplify_ring_keeps_it_closed_and_drops_the_wiggle():
    ring = wavy_ring()
    assert g.simplify_ring(ring, 0.01) == SQUARE  # the corners, closed
    assert g.simplify_ring(ring, 0.0001) == ring  # below the wiggle: nothing dropped


def test_simplify_ring_never_returns_fewer_than_four_positions():
    ring = wavy_ring(steps=2)
    assert g.simplify_ring(ring, 100) is ring  # everything would go: the ring is kept as it was


def test_simplify_ring_ignores_a_third_coordinate():
    ring = [p + [7.0] for p in wavy_ring()]
    out = g.simplify_ring(ring, 0.01)
    assert all(len(p) == 3 for p in out) and len(out) < len(ring)


# --------------------------------------------------------------------------- simplify_line / simplify_arc (the build)

def test_simplify_line_keeps_both_ends_and_far_points():
    line = [(0, 0), (1, 0.5005), (2, 1), (3, 0.5005), (4, 0)]
    assert g.simplify_line(line, 0.01) == [(0, 0), (2, 1), (4, 0)]
    assert g.simplify_line(line, 0.0001) == line
    assert g.simplify_line(line[:2], 0.01) == line[:2]


def test_simplify_line_scale_lon_shrinks_east_west_offsets_at_high_latitude():
    # at 60 degrees north a degree of longitude is half a degree of latitude
    line = [(0, 60), (1, 60.0), (2, 60)]
    bump = [(0, 60), (1, 60.03), (2, 60)]
    assert g.simplify_line(bump, 0.02, scale_lon=False) == bump
    assert g.simplify_line(bump, 0.02, scale_lon=True) == bump  # north-south offsets are not scaled
    sideways = [(0, 59), (0.03, 60), (0, 61)]
    assert g.simplify_line(sideways, 0.02) == sideways
    assert g.simplify_line(sideways, 0.02, scale_lon=True) == [(0, 59), (0, 61)]
    assert g.simplify_line(line, 0.02) == [(0, 60), (2, 60)]


@pytest.mark.parametrize("from_start", [False, True])
def test_both_distance_forms_agree_away_from_the_tolerance(from_start):
    ring = wavy_ring(wiggle=0.05)
    assert g.simplify_line(ring, 0.01, from_start=from_start) == ring
    assert len(g.simplify_line(ring, 0.2, from_start=from_start)) < len(ring)


def test_simplify_arc_splits_a_closed_arc():
    island = [tuple(p) for p in wavy_ring(wiggle=0.0)]
    # split at (1, 1), the vertex farthest from the start, so it does not collapse to its two end points
    assert g.simplify_arc(island, 0.5) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    assert g.simplify_arc(island, 0) == island


# --------------------------------------------------------------------------- rings

def test_ring_area_sign_is_winding():
    assert g.ring_area(SQUARE) == 1.0
    assert g.ring_area(SQUARE[::-1]) == -1.0


def test_clean_ring_rounds_drops_repeats_and_spikes():
    ring = [(0.00001, 0), (1, 0), (1, 0), (1, 1), (1, 2), (1, 1), (0, 1), (0, 0)]
    assert g.clean_ring(ring, 3) == [(0.0, 0), (1, 0), (1, 1), (0, 1), (0.0, 0)]
    assert g.clean_ring([(0, 0), (1, 1), (2, 2), (0, 0)], 3) is None  # no area


def test_self_intersections():
    bow_tie = [(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)]
    assert g.ring_self_intersections(bow_tie)
    assert g.ring_self_intersections([tuple(p) for p in SQUARE]) == []


def test_geometry_problems():
    assert g.geometry_problems("ok", {"type": "Polygon", "coordinates": [SQUARE, HOLE]}) == []
    wrong = g.geometry_problems("bad", {"type": "Polygon", "coordinates": [SQUARE[::-1]]})
    assert wrong == ["bad: ring 0 wound the wrong way"]
    assert g.geometry_problems("open", {"type": "Polygon", "coordinates": [SQUARE[:-1]]}) == ["open: ring not closed or too short"]


def test_count_vertices():
    assert g.count_vertices({"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [SQUARE]]}) == 15


# --------------------------------------------------------------------------- points

def test_point_in_polygon_with_hole():
    holed = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    assert not g.point_in_geometry(0.5, 0.5, holed)
    assert g.point_in_geometry(0.2, 0.2, holed)
    assert not g.point_in_geometry(0.2, 1.2, holed)
    assert g.point_in_polygon(0.2, 0.2, [SQUARE]) and not g.point_in_polygon(0.2, 0.2, [])


def test_polygons_rejects_non_areal_geometry():
    with pytest.raises(ValueError):
        list(g.polygons({"type": "Point", "coordinates": [0, 0]}))
    collection = {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": [SQUARE]}]}
    assert list(g.polygons(collection)) == [[SQUARE]]


def test_distance_to_geometry_km():
    square = {"type": "Polygon", "coordinates": [SQUARE]}
    assert g.distance_to_geometry_km(0.5, 0.5, square) == 0
    assert math.isclose(g.distance_to_geometry_km(0.5, 2.0, square), 111.32, rel_tol=1e-3)


def test_geometry_bbox():
    assert g.geometry_bbox({"type": "MultiPolygon", "coordinates": [[SQUARE], [[[5, 5], [6, 5], [6, 7], [5, 5]]]]}) == (0, 0, 6, 7)


def test_representative_point_inside_a_u_shape():
    u = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]  # centroid in the notch
    lat, lon, method = g.representative_point({"type": "Polygon", "coordinates": [u]})
    assert g.point_in_polygon(lon, lat, [u])
    assert method.startswith("centroid outside")
    lat, lon, method = g.representative_point({"type": "MultiPolygon", "coordinates": [[SQUARE], [[[5, 5], [5.1, 5], [5.1, 5.1], [5, 5]]]]})
    assert (lat, lon, method) == (0.5, 0.5, "centroid of largest polygon")
