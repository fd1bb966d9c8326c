"""atlas.exports: CSV that is safe to open in a spreadsheet, and the exports' file names.

Hostile cells (issue #4): text that begins with = + - @ TAB CR gets an apostrophe, whatever its
dtype, including a formula hidden after a bare carriage return; numbers stay numbers (negative
coordinates too); the frame given is not changed. Checked on the hostile package's records export.
"""
import functools
import csv
import re
import io

import pandas as pd
import pytest

from atlas.exports import csv_bytes, file_name, for_reader, neutralise
from atlas.filters import Filters
from atlas.flows import records_table
from tests.conftest import CMD, FORMULA, FORMULA_DONATION


def read_csv_bytes(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel reads Chinese"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_formula_cells_are_neutralised():
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "plain", "上海 São Paulo", "", "a=1", " =1", "line\nbreak"]
    df = pd.DataFrame({"text": cells, "number": [-5, 5, -1, 0, 1, 2, 3, 4, 5, 6, 7]})
    rows = read_csv_bytes(csv_bytes(df))
    assert rows[0] == ["text", "number"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t'=1", "plain", "上海 São Paulo", "", "a=1",
                                        "' =1", "line\nbreak"]  # a blank before a formula start is no way past it
    # Numbers are numbers: a spreadsheet must still be able to add them up.
    assert [r[1] for r in rows[1:]] == ["-5", "5", "-1", "0", "1", "2", "3", "4", "5", "6", "7"]


def test_carriage_return_cannot_start_a_new_formula_cell():
    cells = ["\r=1+1", "x\r=1+2", "ok"]
    rows = read_csv_bytes(csv_bytes(pd.DataFrame({"text": cells, "n": [1, 2, 3]})))
    assert len(rows) == 1 + len(cells), rows
    assert [r[0] for r in rows[1:]] == ["'\r=1+1", cells[1], "ok"]
    assert not any(cell.startswith("=") for r in rows for cell in r)


@pytest.mark.parametrize("dtype", [object, "string", "str", "category"])
def test_every_text_dtype_is_neutralised(dtype):
    df = pd.DataFrame({"t": pd.Series([CMD, "-2", "ok"], dtype=dtype)})
    assert [r[0] for r in read_csv_bytes(csv_bytes(df))[1:]] == ["'" + CMD, "'-2", "ok"]


def test_numbers_stay_numbers_in_every_numeric_dtype():
    df = pd.DataFrame({"i": pd.array([-5, None], dtype="Int64"), "f": pd.array([-1.5, None], dtype="Float64"),
                       "g": [-2.25, float("nan")], "mixed": pd.Series([-7, "-7"], dtype=object)})
    rows = read_csv_bytes(csv_bytes(df))
    assert rows[1] == ["-5", "-1.5", "-2.25", "-7"]
    assert rows[2] == ["", "", "", "'-7"], "a number stays a number, the text '-7' is neutralised"


def test_csv_export_does_not_change_the_frame():
    df = pd.DataFrame({"t": ["=1"]})
    csv_bytes(df)
    assert df["t"].tolist() == ["=1"]


def test_neutralise_leaves_non_text_alone():
    assert neutralise(-1) == -1 and neutralise(None) is None and neutralise("=x") == "'=x"


def test_flow_records_export_is_neutralised(hostile_data):
    data = csv_bytes(records_table(hostile_data, Filters()))
    rows = read_csv_bytes(data)
    header = rows[0]
    col = header.index("from_as_printed")
    assert ["'" + FORMULA] == [r[col] for r in rows[1:] if r[header.index("record_id")] == FORMULA_DONATION][:1]
    numeric = {"quantity"}
    for r in rows[1:]:
        for name, cell in zip(header, r):
            if name not in numeric:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_table_export_keeps_negative_coordinates_numeric(bundled):
    rows = read_csv_bytes(csv_bytes(bundled.places))
    header = rows[0]
    lon = [r[header.index("lon")] for r in rows[1:] if r[header.index("country")] == "US" and r[header.index("lon")]]
    assert lon and all(v.startswith("-") and float(v) < 0 for v in lon)
    assert len(rows) - 1 == len(bundled.places)


@pytest.mark.parametrize("slug, filters, ext, lang, expected", [
    ("corporate-giving", "", "png", "en", "corporate-giving.png"),
    ("flows", "province-Fujian_state-Ohio", "csv", "en", "flows_province-Fujian_state-Ohio.csv"),
    ("flow-map", "province-Hubei", "html", "zh", "flow-map_province-Hubei_zh.html"),
])
def test_file_names_carry_the_filters_and_the_language(slug, filters, ext, lang, expected):
    assert file_name(slug, filters, ext, lang) == expected


def test_chinese_exports_have_chinese_headers_and_words_english_ones_stay_as_fields():
    from atlas.exports import for_reader
    df = pd.DataFrame({"direction": ["cn_to_us"], "category": ["surgical_mask"], "quantity": [50000]})
    assert for_reader(df, "en") is df
    zh = for_reader(df, "zh")
    assert all(re.search(r"[\u4e00-\u9fff]", c) for c in zh.columns), list(zh.columns)
    assert re.search(r"[\u4e00-\u9fff]", zh.iloc[0, 0]) and zh.iloc[0, 2] == 50000


# Issue #17: a `;`- or tab-separated spreadsheet locale splits cells where a comma locale does not.
HOSTILE_CELLS = ["x;=1+1", "a,=2", "b\t+3", "c; -4", "d;@SUM(A1)", "=HYPERLINK(\"http://e\")", "ok; fine", "q\"uote;=5",
                 "tab\t", "trail;"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_round_trip_in_every_locale_has_no_formula_cell(delimiter):
    df = pd.DataFrame({"text": HOSTILE_CELLS, "n": range(len(HOSTILE_CELLS))})
    data = csv_bytes(df)[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c.lstrip(" ").startswith(("=", "+", "-", "@"))], rows


def test_cells_with_any_delimiter_are_quoted_and_read_back():
    df = pd.DataFrame({"text": ["x;y", "a\tb", "plain", "c,d"], "n": [1, 2, 3, 4]})
    data = csv_bytes(df)[3:].decode("utf-8")
    assert '"x;y"' in data and '"a\tb"' in data and '"c,d"' in data and ",plain," not in data
    assert "\r\nplain,3\r\n" in data, "cells without a delimiter stay unquoted"
    assert [r[0] for r in read_csv_bytes(csv_bytes(df))[1:]] == ["x;y", "a\tb", "plain", "c,d"]


def test_neutralise_after_delimiters():
    assert neutralise("x;=1+1") == "x;'=1+1" and neutralise("a, -1") == "a, '-1" and neutralise("a-b;c") == "a-b;c"


def test_a_cell_longer_than_the_csv_modules_field_limit_is_written():
    # issue #30 item 10: csv_bytes re-parsed its own output with csv.reader, whose field limit (131,072 characters)
    # made every CSV export of such a cell a 500
    long = "x" * 200_000 + ";=1"
    df = pd.DataFrame({"text": [long, "=2"], "n": [1, 2]})
    data = csv_bytes(df)[3:].decode("utf-8")
    assert data.startswith("text,n\r\n") and data.endswith("\r\n'=2,2\r\n")
    assert f'"{long[:-2]}\'=1",1\r\n' in data  # quoted (a `;`), and the formula after the `;` neutralised


@pytest.mark.parametrize("cell", [" =1+1", "\u00a0=1+1", "\u200b=1+1", "\ufeff=1+1", "\u3000=1+1", "\uff1d1+1",
                                  "\uff0bcmd", "\uff0d1", "\uff20SUM(A1)", "  \u00a0\u200b=HYPERLINK(1)",
                                  "x;\u00a0=1+1", "x,\u200b=1", "x;\uff1d1"])
def test_formula_look_alikes_are_neutralised(cell):
    # issue #30 item 16: a leading space, NBSP, zero-width space or a fullwidth ＝ before a formula passed unchanged
    out = neutralise(cell)
    assert out != cell and "'" in out, out
    assert out.replace("'", "", 1) == cell, "only an apostrophe is added"


# --- exports ready to publish (issue #31): integers, Chinese throughout, named after their view ------------------

STATES = [{}, {"province": "Fujian"}, {"state": "Ohio", "direction": "us_to_cn"}]


@functools.cache  # made once per test process for the two tests that read the Chinese ones
def every_csv(lang: str) -> tuple:
    """(exhibit, state, table as computed, CSV rows) of every exhibit's CSV, as /api/v1/<name>.csv serves it."""
    return tuple(_every_csv(lang))


def _every_csv(lang: str):
    from atlas.filters import parse_query
    from components import data, exhibits, http
    for params in STATES:
        state = parse_query({**params, "lang": lang}, data.vocab()).state
        for ex in exhibits.EXHIBITS:
            if "csv" not in ex.api_formats:
                continue
            try:
                raw = http._table_of(ex, state)
            except http.Problem:  # nothing to show for these filters: a 404, no file
                continue
            yield ex, params, raw, read_csv_bytes(csv_bytes(http._export_table(ex, state)))


@pytest.mark.app  # every CSV of every exhibit under every filter set: 9 s, an export test of the app tier
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_csv_writes_whole_numbers_as_integers(lang):
    seen = 0
    for ex, params, raw, rows in every_csv(lang):
        seen += 1
        floats = sorted({c for r in rows[1:] for c in r if re.fullmatch(r"-?\d+\.0+", c)})
        assert floats == [], (ex.name, params, floats[:5])
    assert seen > 30


CODE_PREFIXES = ("direction", "category", "unit", "status", "level", "basis", "evidence_level", "exchange", "theme",
                 "kftheme", "role", "sankey.measure", "reconcile.reason")


@pytest.mark.app  # every Chinese CSV of every exhibit under every filter set
def test_chinese_csvs_are_chinese_throughout():
    """Headers in Chinese, no True/False, no vocabulary code left as a code. The data page's package tables are
    the package's own resources (their field names and codes are the package's schema) and stay as they are."""
    from atlas.i18n import catalogue
    codes = {k.split(".")[-1] for k in catalogue("en") if k.startswith(tuple(p + "." for p in CODE_PREFIXES))}
    seen = 0
    for ex, params, raw, rows in every_csv("zh"):
        if ex.page == "data":
            continue
        seen += 1
        header = rows[0]
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header), (ex.name, header)
        cells = {(raw.columns[i], c) for r in rows[1:] for i, c in enumerate(r)}
        assert {c for _, c in cells} & {"True", "False", "true", "false"} == set(), ex.name
        left = sorted({(col, c) for col, c in cells if c in codes and not str(col).endswith("as_printed")})
        assert left == [], (ex.name, params, left[:5])
    assert seen > 10


def test_for_reader_writes_yes_and_no_in_chinese_and_keeps_english_as_fields():
    df = pd.DataFrame({"doubtful": [True, False], "measure": ["masks", "records"], "text_total": [1.0, 2.5]})
    zh = for_reader(df, "zh")
    assert list(zh.columns)[:2] == ["存疑", "度量"] and re.search(r"[\u4e00-\u9fff]", zh.columns[2])
    assert zh.iloc[:, 0].tolist() == ["是", "否"]
    assert read_csv_bytes(csv_bytes(zh))[1:] == [["是", zh.iloc[0, 1], "1"], ["否", zh.iloc[1, 1], "2.5"]]
    assert for_reader(df, "en") is df
    assert read_csv_bytes(csv_bytes(df))[1] == ["True", "masks", "1"]


def test_whole_floats_are_integers_and_other_numbers_unchanged():
    df = pd.DataFrame({"f": [50000.0, -3.0, 0.25, float("nan")], "g": pd.array([1e10, None, -1.5, 7.0], dtype="Float64"),
                       "i": [1, 2, 3, 4]})
    rows = read_csv_bytes(csv_bytes(df))
    assert [r[0] for r in rows[1:]] == ["50000", "-3", "0.25", ""]
    assert [r[1] for r in rows[1:]] == ["10000000000", "", "-1.5", "7"]
    assert [r[2] for r in rows[1:]] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("name, option, values", [("flow-map", "level", ("region", "place")),
                                                  ("flows-sankey", "measure", ("masks", "items")),
                                                  ("corporate-giving", "currency", ("CNY", "USD"))])
def test_exports_of_another_view_get_another_file_name(name, option, values):
    from atlas.filters import parse_query
    from components import data, exhibits, http
    ex = exhibits.BY_NAME[name]
    names = set()
    for value in values:
        state = parse_query({"province": "Fujian", option: value}, data.vocab()).state
        names.add(http._file_name(ex, state, "png"))
    assert len(names) == 2, names
    place = parse_query({"province": "Fujian", "level": "place", "lang": "zh"}, data.vocab()).state
    assert http._file_name(exhibits.BY_NAME["flow-map"], place, "html") == "flow-map_province-Fujian_level-place_zh.html"
