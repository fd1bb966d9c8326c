"""The offline boundaries of a data package: its ``geo/*.geojson`` files, and which province or state a point is in.

Plain Python (no Streamlit, no shapely), so the app, the data build and the tests can all use it.
The files are made by the build's boundaries step (`atlas.build.geo`); ``geo/SOURCES.md`` in the
package says where they come from.

Every function takes the package directory (``data/``, or whatever ``ATLAS_DATA_DIR`` names);
``None`` means `atlas.package.data_dir()`. Coordinates in the files are GeoJSON's ``[lon, lat]``;
the functions here take ``lat, lon`` in that (human) order.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from .geometry import KM_PER_DEGREE, distance_to_geometry_km, geometry_bbox, point_in_geometry

#: name -> file name inside the package's geo/ folder
BOUNDARY_FILES = {
    "countries": "countries.geojson",
    "us-states": "us-states.geojson",
    "cn-provinces": "cn-provinces.geojson",
    "world": "world.geojson",
}
ADMIN1_LAYERS = ("us-states", "cn-provinces")


def geo_dir(package_dir: str | Path | None = None) -> Path:
    """The ``geo/`` folder of a package directory (``None``: the package the app uses)."""
    if package_dir is None:
        from .package import data_dir  # lazily: atlas.package needs pandas, this module does not

        package_dir = data_dir()
    return Path(package_dir) / "geo"


def load_boundaries(package_dir: str | Path | None = None) -> dict[str, dict]:
    """Return ``{"countries": FeatureCollection, "us-states": ..., "cn-provinces": ...}``.

    Each value is the parsed GeoJSON dict (a fresh copy on every call, so callers may mutate it).
    Missing files raise ``FileNotFoundError``.
    """
    return _read(geo_dir(package_dir))


def check_files(package_dir: str | Path | None = None) -> None:
    """Every boundary file of the package there, inside it, regular and not too large (no byte read);
    PackageError naming the first that is not (`/healthz` asks, so a broken geo/ is not reported healthy)."""
    from .package import package_file
    folder = geo_dir(package_dir)
    for fname in BOUNDARY_FILES.values():
        package_file(folder.parent, f"{folder.name}/{fname}", limit=MAX_GEO_BYTES)


#: the largest boundary file read (the bundled world.geojson is about 1 MB)
MAX_GEO_BYTES = 64_000_000


def _read(folder: Path) -> dict[str, dict]:
    """The boundary files of `folder` (a package's geo/), under the rules of the package's resources
    (atlas.package.package_file: inside the package after resolving symlinks, regular files only, so a FIFO
    never blocks, at most MAX_GEO_BYTES); a PackageError names the file (a missing one is also a FileNotFoundError)."""
    from .package import PackageError, package_file  # lazily: atlas.package needs pandas, this module does not
    out: dict[str, dict] = {}
    for name, fname in BOUNDARY_FILES.items():
        rel = f"{folder.name}/{fname}"
        file = package_file(folder.parent, rel, limit=MAX_GEO_BYTES)
        try:
            out[name] = json.loads(file.read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise PackageError(f"file {rel!r} is not UTF-8 GeoJSON") from None
    return out


@lru_cache(maxsize=8)
def _admin1_index(folder: str) -> dict[str, tuple[tuple[float, float, float, float], dict]]:
    index: dict[str, tuple[tuple[float, float, float, float], dict]] = {}
    boundaries = _read(Path(folder))
    for name in ADMIN1_LAYERS:
        for feature in boundaries[name]["features"]:
            geom = feature["geometry"]
            index[feature["properties"]["admin1"]] = (geometry_bbox(geom), geom)
    return index


def _index(package_dir: str | Path | None):
    return _admin1_index(str(geo_dir(package_dir)))


def admin1_codes(package_dir: str | Path | None = None) -> list[str]:
    """All admin-1 codes with a boundary (``US-OH``, ``CN-FJ`` ...), sorted."""
    return sorted(_index(package_dir))


def point_in_admin1(lat: float, lon: float, admin1: str, package_dir: str | Path | None = None,
                    tolerance_km: float = 0.0) -> bool:
    """True if ``(lat, lon)`` lies inside the boundary of ``admin1`` (e.g. ``"US-OH"``).

    ``tolerance_km`` > 0 also accepts points that close to the boundary: the outlines are
    simplified (lines move by up to ~0.5 km) and small-scale coastlines miss harbours and lagoons,
    so a coastal city centre such as Xiamen's can fall just outside. Raises ``KeyError`` for a code
    with no boundary (typo, Hong Kong, Taiwan ...), so that a wrong code is not mistaken for a
    wrong coordinate.
    """
    try:
        (x0, y0, x1, y1), geom = _index(package_dir)[admin1.upper()]
    except KeyError:
        raise KeyError(f"no boundary for admin1 code {admin1!r}") from None
    pad = tolerance_km / KM_PER_DEGREE
    pad_x = pad / max(math.cos(math.radians(lat)), 0.01)
    if not (x0 - pad_x <= lon <= x1 + pad_x and y0 - pad <= lat <= y1 + pad):
        return False
    if tolerance_km > 0:
        return distance_to_geometry_km(lat, lon, geom) <= tolerance_km
    return point_in_geometry(lat, lon, geom)


def admin1_at(lat: float, lon: float, package_dir: str | Path | None = None) -> str | None:
    """The admin-1 code whose boundary contains ``(lat, lon)``, or ``None``."""
    for code, ((x0, y0, x1, y1), geom) in _index(package_dir).items():
        if x0 <= lon <= x1 and y0 <= lat <= y1 and point_in_geometry(lat, lon, geom):
            return code
    return None
