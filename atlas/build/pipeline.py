"""The build's steps, in order, each reading its inputs and writing its outputs.

1. ``boundaries`` (`atlas.build.geo`): npm tarballs -> ``<out>/geo/`` (GeoJSON, centroids, SOURCES.md)
2. ``wikipedia`` (`atlas.build.resolve_wikipedia`): ``<shared>/data/`` list -> the resolved pairs CSV
3. ``tables`` (`atlas.build.package_tables`): ``<shared>/seeds/``, curation, steps 1-2 -> ``<out>/*.csv``
   and ``<out>/datapackage.json``
4. ``releases`` (`atlas.build.releases`): curation's releases.csv and changes.csv, git history, the package of
   step 3 -> ``<out>/releases/`` (each earlier version as it was published, the list of versions, why rows
   changed) and ``<out>/CHANGELOG.md``
5. ``readme`` (`atlas.build.readme`): curation's README template, the tables of step 3 and the pairs of
   step 2 -> ``<out>/README.md`` (every count in it computed from the tables)

``python -m atlas.build`` runs all five; ``--only STEP ...`` runs some (in this order, whatever the
order given). The npm tarballs are read from ``--src`` (default: a cache folder outside the
repository, ``$ATLAS_NPM_CACHE`` or ``~/.cache/cooperation-atlas/npm``); missing ones are fetched
there once with ``npm pack``, so only the first build needs the npm registry.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

from . import geo, package_tables, readme, releases, resolve_wikipedia
from .gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "data"
STEPS = ("boundaries", "wikipedia", "tables", "releases", "readme")


def npm_cache() -> Path:
    if os.environ.get("ATLAS_NPM_CACHE"):
        return Path(os.environ["ATLAS_NPM_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cooperation-atlas" / "npm"


def run(shared: Path = SHARED, out: Path = OUT, pairs: Path = resolve_wikipedia.PAIRS, src: Path | None = None,
        steps: Iterable[str] = STEPS, gazetteer: Gazetteer | None = None,
        log: Callable[[str], None] = print) -> dict[str, dict[str, int]]:
    """Run ``steps`` in build order; return what each wrote (counts), by step.

    ``gazetteer`` lets a caller share one (loading GeoNames takes seconds); else one is made when a
    step first needs it. Raises `geo.SourceUnavailable` when the boundaries step cannot get a tarball.
    """
    wanted = set(steps)
    unknown = wanted - set(STEPS)
    if unknown:
        raise ValueError(f"unknown steps {sorted(unknown)}; the steps are {', '.join(STEPS)}")
    if wanted & {"wikipedia", "tables"} and not Path(shared).is_dir():
        raise FileNotFoundError(f"shared folder {shared} not found (the seeds and data the build reads)")
    gaz = gazetteer
    done: dict[str, dict[str, int]] = {}
    for step in (s for s in STEPS if s in wanted):
        start = time.perf_counter()
        if step == "boundaries":
            done[step] = geo.build(Path(src) if src else npm_cache(), Path(out) / "geo")
        elif step == "readme":
            done[step] = readme.build(Path(out), Path(pairs))
        elif step == "releases":
            done[step] = releases.build(Path(out))
        else:
            gaz = gaz or Gazetteer()
            if step == "wikipedia":
                done[step] = resolve_wikipedia.build(Path(shared), Path(pairs), gaz)
            else:
                done[step] = package_tables.build(Path(shared), Path(out), Path(pairs), gaz)
        log(f"{step}: {done[step]} ({time.perf_counter() - start:.1f} s)")
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m atlas.build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared folder with seeds/ and data/ (default: ../shared)")
    ap.add_argument("--out", type=Path, default=OUT, help="the package folder to write (default: data/)")
    ap.add_argument("--pairs", type=Path, default=resolve_wikipedia.PAIRS,
                    help="the resolved Wikipedia pairs, written by step 2 and read by steps 3 and 4 "
                         "(default: atlas/build/curation/wikipedia_pairs.csv)")
    ap.add_argument("--src", type=Path, default=None, help="folder of the npm tarballs, filled by `npm pack` where one "
                                                           "is missing (default: $ATLAS_NPM_CACHE or ~/.cache/cooperation-atlas/npm)")
    ap.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS), metavar="STEP",
                    help=f"run only these steps ({', '.join(STEPS)})")
    args = ap.parse_args(argv)
    try:
        run(args.shared, args.out, args.pairs, args.src, args.only)
    except (geo.SourceUnavailable, geo.BoundaryProblems, readme.TemplateOutOfDate, releases.ReleasesOutOfDate,
            FileNotFoundError) as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    return 0
