"""The benchmark's synthetic packages are valid packages of the bundled schema (benchmarks/generate.py)."""
import pandas as pd
import pytest

from atlas.boundaries import BOUNDARY_FILES, geo_dir, load_boundaries
from atlas.package import load_package
from benchmarks import generate

N = 500


@pytest.fixture(scope="module")
def pkg(tmp_path_factory):
    return load_package(generate.generate(N, tmp_path_factory.mktemp("pkg"), seed=1))


def test_holds_the_bundled_rows_and_n_marked_synthetic_donations(pkg):
    bundled = load_package(generate.BUNDLED)
    synthetic = pkg.donations["source_ref"] == generate.SYNTHETIC_REF
    assert int(synthetic.sum()) == N
    assert len(pkg.donations) == len(bundled.donations) + N
    assert pkg.donations[synthetic]["donor_as_printed"].str.startswith("Synthetic donor ").all()
    # (the same text, held as a category where the larger table repeats a value: atlas.package.as_category)
    as_text = lambda df: df.astype({c: "str" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    pd.testing.assert_frame_equal(as_text(pkg.donations[~synthetic].reset_index(drop=True)), as_text(bundled.donations))
    for name in set(pkg.tables) - {"donations", "donation_items"}:  # every other resource is copied unchanged
        pd.testing.assert_frame_equal(pkg.tables[name], bundled.tables[name])


def test_holds_a_copy_of_the_bundled_boundaries(pkg):
    """The maps draw the outlines of the package they are given (ATLAS_DATA_DIR/geo), so the package carries them."""
    bundled, copied = geo_dir(generate.BUNDLED), geo_dir(pkg.path)
    files = sorted(f.relative_to(bundled) for f in bundled.rglob("*") if f.is_file())
    assert {f.name for f in files} >= set(BOUNDARY_FILES.values())
    assert sorted(f.relative_to(copied) for f in copied.rglob("*") if f.is_file()) == files
    for f in files:
        assert (copied / f).read_bytes() == (bundled / f).read_bytes(), f
    assert load_boundaries(pkg.path) == load_boundaries(generate.BUNDLED)


def test_directions_go_between_chinese_and_us_places(pkg):
    country = pkg.places.set_index("place_id")["country"]
    d = pkg.donations[pkg.donations["source_ref"] == generate.SYNTHETIC_REF]
    donor, recipient = country.reindex(d["donor_place_id"]).to_numpy(), country.reindex(d["recipient_place_id"]).to_numpy()
    cn_to_us = (d["direction"] == "cn_to_us").to_numpy()
    assert ((donor == "CN") & (recipient == "US") == cn_to_us).all()
    assert ((donor == "US") & (recipient == "CN") == ~cn_to_us).all()
    assert 0 < (~cn_to_us).sum() < cn_to_us.sum()


def test_item_lines_are_valid_and_reference_their_donation(pkg):
    items = pkg.donation_items
    synthetic_ids = set(pkg.donations.loc[pkg.donations["source_ref"] == generate.SYNTHETIC_REF, "donation_id"])
    lines = items[items["donation_id"].isin(synthetic_ids)]
    assert set(lines["donation_id"]) == synthetic_ids  # every synthetic donation has at least one line
    assert set(items["donation_id"]) <= set(pkg.donations["donation_id"])
    assert not items.duplicated(["donation_id", "line"]).any()
    assert (lines.groupby("donation_id")["line"].min() == 1).all()
    cash = lines["category"] == "cash"
    assert lines.loc[cash, "unit"].isin(["CNY", "USD"]).all()
    assert not lines.loc[~cash, "unit"].isin(["CNY", "USD"]).any()


def test_ensure_caches_by_size(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "CACHE", tmp_path)
    first = generate.ensure(50)
    stamp = (first / "donations.csv").stat().st_mtime_ns
    assert generate.ensure(50) == first and (first / "donations.csv").stat().st_mtime_ns == stamp
    assert len(load_package(first).donations) == len(load_package(generate.BUNDLED).donations) + 50
    assert set(load_boundaries(first)) == set(BOUNDARY_FILES)  # the cached package has its boundaries too
