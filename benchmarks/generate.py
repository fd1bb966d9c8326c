"""Synthetic data packages for the benchmarks: the bundled package plus N synthetic donations.

`ensure(n)` returns `benchmarks/.cache/pkg-<n>/`, a valid package of the bundled schema:
`datapackage.json`, every small resource and the `geo/` folder (the offline boundaries the maps
draw, which the app reads from the package it is given) are copied unchanged; `donations.csv` and
`donation_items.csv` hold the bundled rows followed by N synthetic donations (1 to 4 item lines
each) between the real places of `places.csv`. A cn_to_us donation goes from a Chinese place to a
US place and a us_to_cn donation the other way; categories, units, statuses and dates follow the
schema's enums and patterns; ids are unique and every foreign key resolves. Synthetic rows are
marked: donor "Synthetic donor <i>", recipient "Synthetic recipient <i>", source_ref "synthetic".

The package is rebuilt only when N, the seed, this generator or the bundled data change
(`manifest.json` records what it was built from). Everything is vectorised: 1,000,000 donations
take a few seconds (numpy draws, pyarrow builds the text and writes the CSV).

    python -m benchmarks.generate 10000 100000 1000000
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data"
CACHE = Path(__file__).resolve().parent / ".cache"
GENERATOR_VERSION = 2  # 2: the package holds a copy of geo/
GEO = "geo"  # the package's boundaries folder (atlas.boundaries.geo_dir)
SYNTHETIC_REF = "synthetic"
SOURCE_ID = "ccg2020"

# Share of cn_to_us donations, item lines per donation, pledged and doubtful shares, undisclosed quantities:
# close to the bundled data (72 of 76 donations go China to US; most have one item line).
CN_TO_US_SHARE = 0.9
LINES_P = {1: 0.70, 2: 0.20, 3: 0.06, 4: 0.04}
PLEDGED_SHARE = 0.03
DOUBTFUL_SHARE = 0.05
UNDISCLOSED_SHARE = 0.02
# Category frequencies of the bundled item lines, with the unit each category is counted in.
CATEGORY_P = {"surgical_mask": 42, "respirator_mask": 20, "protective_clothing": 18, "mask_unspecified": 16,
              "cash": 4, "goggles": 3, "gloves": 2, "shoe_covers": 1, "thermometer": 1, "other": 1}
UNIT = {"surgical_mask": "pieces", "respirator_mask": "pieces", "mask_unspecified": "pieces", "shoe_covers": "pieces",
        "thermometer": "pieces", "protective_clothing": "items", "gloves": "pairs", "goggles": "pairs", "other": "packs"}
CASH_UNITS = ("CNY", "USD")
# Dates: a day of 2020 (most rows), a month, or a year, as the schema's pattern allows.
DATE_PRECISION_P = {"day": 0.90, "month": 0.08, "year": 0.02}


def fingerprint() -> str:
    """Hash of the bundled package and of this generator: a cached package built from others is stale."""
    h = hashlib.sha256(f"v{GENERATOR_VERSION}".encode())
    geo = sorted(f for f in (BUNDLED / GEO).rglob("*") if f.is_file())
    for file in sorted(BUNDLED.glob("*.csv")) + geo + [BUNDLED / "datapackage.json", Path(__file__)]:
        h.update(str(file.relative_to(ROOT)).encode())
        h.update(file.read_bytes())
    return h.hexdigest()[:16]


def package_dir(n: int) -> Path:
    return CACHE / f"pkg-{n}"


def ensure(n: int, seed: int = 0) -> Path:
    """The cached package with n synthetic donations, generated if missing or stale."""
    out = package_dir(n)
    manifest = {"synthetic_donations": n, "seed": seed, "fingerprint": fingerprint()}
    try:
        if json.loads((out / "manifest.json").read_text()) == manifest:
            return out
    except (OSError, ValueError):
        pass
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    generate(n, tmp, seed)
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def generate(n: int, out: Path, seed: int = 0) -> Path:
    """Write the bundled package plus n synthetic donations into `out` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] not in ("donations", "donation_items"):
            shutil.copyfile(BUNDLED / resource["path"], out / resource["path"])
    shutil.copyfile(BUNDLED / "datapackage.json", out / "datapackage.json")
    shutil.copytree(BUNDLED / GEO, out / GEO, dirs_exist_ok=True)  # the maps' outlines come from the package itself
    donations, items = synthetic(n, _read("places"), _read("regions"), np.random.default_rng(seed))
    for name, rows in (("donations", donations), ("donation_items", items)):
        # The bundled rows byte for byte, then the synthetic ones, unquoted like them (none needs quotes).
        shutil.copyfile(BUNDLED / f"{name}.csv", out / f"{name}.csv")
        with (out / f"{name}.csv").open("ab") as fh:
            pacsv.write_csv(rows, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return out


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(BUNDLED / f"{name}.csv", dtype=str, keep_default_na=False)


def _pick(rng: np.random.Generator, p: dict, size: int) -> np.ndarray:
    """Indices into list(p), drawn with the weights p."""
    weights = np.array(list(p.values()), dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _take(values, indices: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(values), pa.string()), pa.array(indices))


def _text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _dates(rng: np.random.Generator, n: int) -> pa.Array:
    days = _text(np.datetime64("2020-01-01") + rng.integers(0, 366, n).astype("timedelta64[D]"))
    precision = np.array(list(DATE_PRECISION_P))[_pick(rng, DATE_PRECISION_P, n)]
    return pc.if_else(pa.array(precision == "day"), days,
                      pc.if_else(pa.array(precision == "month"), pc.utf8_slice_codeunits(days, 0, 7), "2020"))


def synthetic(n: int, places: pd.DataFrame, regions: pd.DataFrame, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    """n synthetic donations and their item lines: text columns in schema order, as the CSV holds them."""
    number = _text(np.arange(1, n + 1))
    ids = _join("syn-", pc.utf8_lpad(number, len(str(n)), padding="0"))
    cn_to_us = rng.random(n) < CN_TO_US_SHARE
    cn, us = places[places["country"] == "CN"], places[places["country"] == "US"]
    cn_at, us_at = rng.integers(0, len(cn), n), rng.integers(0, len(us), n)
    cn_ids, us_ids = _take(cn["place_id"], cn_at), _take(us["place_id"], us_at)
    province = _take(cn["admin1"].map(regions.set_index("admin1")["name_en"]).fillna(""), cn_at)
    direction = pa.array(cn_to_us)
    line_counts = np.array(list(LINES_P))[_pick(rng, LINES_P, n)]
    donations = pa.table({
        "donation_id": ids,
        "direction": pc.if_else(direction, "cn_to_us", "us_to_cn"),
        "donor_province_as_printed": pc.if_else(direction, province, ""),
        "donor_as_printed": _join("Synthetic donor ", number),
        "donor_place_id": pc.if_else(direction, cn_ids, us_ids),
        "recipient_as_printed": _join("Synthetic recipient ", number),
        "recipient_place_id": pc.if_else(direction, us_ids, cn_ids),
        "beneficiary_as_printed": pa.repeat("", n),  # the recipient is the beneficiary
        "beneficiary_place_id": pa.repeat("", n),
        "beneficiary_ref": pa.repeat("", n),
        "as_of": _dates(rng, n),
        "status": pc.if_else(pa.array(rng.random(n) < PLEDGED_SHARE), "pledged", "donated"),
        "date_kind": pa.repeat("event", n),  # a synthetic donation's date is its own
        "event_date": pa.repeat("", n),
        "event_source_id": pa.repeat("", n),
        "event_ref": pa.repeat("", n),
        "items_as_printed": _join("Synthetic donation of ", _text(line_counts), " item line(s)"),
        "correction_note": pa.repeat("", n),
        "doubtful": pc.if_else(pa.array(rng.random(n) < DOUBTFUL_SHARE), "true", "false"),
        "source_id": pa.repeat(SOURCE_ID, n),
        "source_ref": pa.repeat(SYNTHETIC_REF, n),
    })

    total = int(line_counts.sum())
    owner = np.repeat(np.arange(n), line_counts)
    starts = np.repeat(np.cumsum(line_counts) - line_counts, line_counts)
    categories = list(CATEGORY_P)
    category_at = _pick(rng, CATEGORY_P, total)
    cash = np.array(categories)[category_at] == "cash"
    units = [UNIT.get(c, CASH_UNITS[0]) for c in categories]
    unit = pc.if_else(pa.array(cash), _take(CASH_UNITS, rng.integers(0, len(CASH_UNITS), total)), _take(units, category_at))
    quantity = _text(np.round(rng.lognormal(mean=np.where(cash, 11.0, 8.0), sigma=1.5)).astype(np.int64))
    quantity = pc.if_else(pa.array(rng.random(total) < UNDISCLOSED_SHARE), "", quantity)
    words = _take([c.replace("_", " ") for c in categories], category_at)
    items = pa.table({
        "donation_id": pc.take(ids, pa.array(owner)),
        "line": _text(np.arange(total) - starts + 1),
        "category": _take(categories, category_at),
        "quantity": quantity,
        "unit": unit,
        "as_printed": pc.if_else(pc.equal(quantity, ""), _join("undisclosed ", words),
                                 _join(quantity, " ", words, " ", unit)),
    })
    return donations, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of synthetic donations")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for n in args.sizes:
        start = time.perf_counter()
        path = ensure(n, args.seed)
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
