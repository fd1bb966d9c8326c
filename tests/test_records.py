"""atlas.records: the package loaded once as flow records (one row per item line or message) and its vocabulary."""
import numpy as np
import pandas as pd
import pytest

from atlas.records import SCREEN_ROWS, Data, load, period, used_regions
from tests.conftest import DATA


def test_load_gives_the_package_its_records_and_what_a_url_may_name(atlas_data):
    assert isinstance(atlas_data, Data)
    pkg = atlas_data.package
    assert pkg.path == DATA
    assert atlas_data.months == atlas_data.vocab.months
    assert atlas_data.vocab.tables == tuple(r["name"] for r in pkg.descriptor["resources"])
    assert set(atlas_data.vocab.provinces) | set(atlas_data.vocab.states) <= used_regions(pkg)


def test_load_reads_the_package_named_by_atlas_data_dir(monkeypatch, hostile_dir):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(hostile_dir))
    assert load().package.path == hostile_dir


def test_one_row_per_item_line_or_message(bundled, records):
    assert len(bundled.donations) == 76 and len(bundled.support_messages) == 31  # Tables 1-3 and the text; Table 2
    items = bundled.donations.merge(bundled.donation_items, on="donation_id", how="left")
    assert (records["record_kind"] == "donation").sum() == len(items)
    assert (records["record_kind"] == "message").sum() == len(bundled.support_messages)
    assert len(records) == len(items) + len(bundled.support_messages)
    # The integer record number counts records as their ids do (76 donations + 31 messages).
    assert records["record_no"].nunique() == records["record_id"].nunique() == 76 + 31
    assert set(records.loc[records["record_kind"] == "message", "direction"]) == {"us_to_cn"}


def test_each_record_has_its_chinese_and_us_end(records):
    cn_to_us = records["direction"] == "cn_to_us"
    assert (records.loc[cn_to_us, "cn_admin1"].astype(str) == records.loc[cn_to_us, "from_admin1"].astype(str)).all()
    assert (records.loc[cn_to_us, "us_admin1"].astype(str) == records.loc[cn_to_us, "to_admin1"].astype(str)).all()
    assert (records.loc[~cn_to_us, "cn_admin1"].astype(str) == records.loc[~cn_to_us, "to_admin1"].astype(str)).all()
    assert (records.loc[~cn_to_us, "us_admin1"].astype(str) == records.loc[~cn_to_us, "from_admin1"].astype(str)).all()
    mapped = records["cn_admin1"].astype(str) != ""
    assert records.loc[mapped, "cn_admin1"].astype(str).str.startswith("CN-").all()


def test_period_of_partial_dates():
    start, end = period(pd.Series(["2020", "2020-02", "2020-05-26", "", None]))
    assert start.tolist()[:3] == ["2020-01", "2020-02", "2020-05"]
    assert end.tolist()[:3] == ["2020-12", "2020-02", "2020-05"]
    assert start.iloc[3:].isna().all() and end.iloc[3:].isna().all()


def test_the_date_slider_runs_every_month_from_the_first_date_to_the_last(bundled, records):
    """From the earliest month a record or key figure starts to the latest a record ends or a key figure starts."""
    months = load(DATA).months
    starts = [d[:7] if len(d) > 4 else d + "-01" for d in list(records["as_of"]) + list(bundled.key_figures["date"]) if d]
    ends = [d[:7] if len(d) > 4 else d + "-12" for d in records["as_of"] if d]
    first, last = min(starts), max(ends + starts)
    assert (first, last) == ("2007-01", "2025-11")  # the Sichuan "before" figure is 2007's giving; the last, the 2025 total of 288
    assert months[0] == first and months[-1] == last
    assert len(months) == len(set(months)) == len(pd.period_range(first, last, freq="M")) == 227
    assert list(months) == sorted(months)


@pytest.mark.parametrize("code", ["CN-FJ", "CN-HB", "US-OH"])
def test_used_regions_are_the_regions_of_places(bundled, code):
    used = used_regions(bundled)
    assert code in used and "" not in used
    assert used == set(bundled.places["admin1"]) - {""}


def test_screens_get_at_most_a_thousand_rows():
    from components.tables import MAX_ROWS
    assert SCREEN_ROWS == MAX_ROWS == 1_000


GROUPING_KEYS = ("record_kind", "direction", "from_id", "to_id", "category", "unit", "source_id", "from_kind", "to_kind",
                 "from_admin1", "to_admin1", "cn_admin1", "us_admin1")


@pytest.mark.parametrize("size", ["bundled", 3000])
def test_grouping_keys_are_the_categories_of_their_text(size, atlas_data):
    """Built from each table's codes (flow_records' `category`), every grouping key is what `astype("category")`
    of its text gives: the values present, sorted, each row its own value, and the record number numbers records
    in order of first appearance."""
    from atlas.package import read_package, open_package
    from atlas.records import flow_records
    from benchmarks import generate
    records = atlas_data.records if size == "bundled" else flow_records(read_package(open_package(generate.ensure(size))))
    for col in GROUPING_KEYS:
        values = records[col]
        assert isinstance(values.dtype, pd.CategoricalDtype), col
        text = values.astype(object).where(values.notna(), None)
        assert list(values.cat.categories) == sorted(set(text.dropna())), col
        assert values.cat.categories.dtype == "str", col
    assert (records["record_no"].to_numpy() == pd.factorize(records["record_id"])[0]).all()
    assert (records.loc[records["record_kind"] == "message", "direction"] == "us_to_cn").all()


def test_a_message_that_shares_a_donation_id_shares_its_record_number():
    """Ids are unique within a table, not across two: a message named like a donation is numbered as
    `pd.factorize` of the ids numbers it (the same record number), as it always was."""
    from atlas.records import _record_numbers
    donations = pd.Series(["d1", "d2", "d3"], dtype="str")
    don_pos = pd.Series([0, 0, 1, 2]).to_numpy()
    for messages in (pd.Series(["m1", "m2"], dtype="str"), pd.Series(["m1", "d2", "m1"], dtype="str")):
        ids = pd.concat([donations.take(don_pos).reset_index(drop=True), messages], ignore_index=True)
        assert _record_numbers(donations, don_pos, messages, ids).tolist() == pd.factorize(ids)[0].tolist()


def test_first_rows_are_the_rows_drop_duplicates_keeps():
    """`first_rows` finds the first row of each combination of categorical columns from their codes (missing values
    included, as one value): the rows pandas' drop_duplicates keeps, in the same order."""
    from atlas.records import first_rows
    rng = np.random.default_rng(11)
    n = 5_000
    df = pd.DataFrame({c: pd.Categorical(rng.choice(values, n), categories=[v for v in values if v is not None])
                       for c, values in (("direction", ["cn_to_us", "us_to_cn", None]),
                                         ("from_id", [f"p{i}" for i in range(40)] + [None]),
                                         ("to_id", [f"q{i}" for i in range(30)]))})
    want = df.drop_duplicates()
    assert 100 < len(want) < n
    assert (first_rows(df) == want.index.to_numpy()).all()
