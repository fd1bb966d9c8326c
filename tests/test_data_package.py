"""The data package in data/ checked against the printed sources in ../shared.

Nothing here imports atlas.build: the CCG report's tables are re-read from the seed text with
separate, deliberately simple parsing, so a parsing or mapping mistake in the build shows up as a
disagreement instead of being repeated by the test. Expected figures are written out in full
because they are what a reader of the report can check by hand.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import frictionless
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
CCG_TEXT = SHARED / "seeds" / "001_044789d203434675.txt"

SEED_SOURCES = {"ccg2020", "diplomat", "bjreview2023", "supchina2021", "teets"}

# "section: "quote"": the form of source_ref for rows taken from running text.
QUOTED_REF = re.compile(r'(?P<section>[^"]*): "(?P<quote>.*)"')


# --- loading -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def read_rows(resource: str) -> tuple[dict, ...]:
    # csv rather than pandas: every cell stays the exact string that was written, "" included.
    with open(DATA / f"{resource}.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@lru_cache(maxsize=None)
def descriptor() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def resource_names() -> list[str]:
    return [r["name"] for r in descriptor()["resources"]]


def schema_fields(resource: str) -> list[str]:
    spec = next(r for r in descriptor()["resources"] if r["name"] == resource)
    return [f["name"] for f in spec["schema"]["fields"]]


def index(resource: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in read_rows(resource)}


def collapse(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=None)
def source_text(source_id: str) -> str:
    local_copy = index("sources", "source_id")[source_id]["local_copy"]
    return collapse((SHARED / local_copy).read_text(encoding="utf-8"))


def table_row_number(source_ref: str, table: int) -> int | None:
    m = re.fullmatch(rf"Table {table}, row (\d+)", source_ref)
    return int(m.group(1)) if m else None


def table1_donations() -> dict[int, dict]:
    return {n: d for d in read_rows("donations") if (n := table_row_number(d["source_ref"], 1))}


def items_of(donation_id: str) -> list[dict]:
    return sorted((i for i in read_rows("donation_items") if i["donation_id"] == donation_id), key=lambda i: int(i["line"]))


# --- the printed tables, re-read from the seed text --------------------------------------

def printed_rows(start: str, stop: str, width: int, fill_down: int) -> list[tuple[str, ...]]:
    """Tab-separated rows between two headings; blank leading cells repeat the row above,
    which is how the report prints a province or donor that gives to several recipients."""
    text = CCG_TEXT.read_text(encoding="utf-8")
    body = text.split(start, 1)[1].split(stop, 1)[0]
    rows, above = [], [""] * width
    for line in body.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != width or not any(cells):
            continue
        cells = [cells[k] or above[k] if k < fill_down else cells[k] for k in range(width)]
        above = cells
        rows.append(tuple(cells))
    return rows


@lru_cache(maxsize=None)
def printed_table1() -> tuple[tuple[str, str, str, str], ...]:
    return tuple(printed_rows("Table 1: Chinese Province/city donations", "Picture 1:", 4, 2))


@lru_cache(maxsize=None)
def printed_table2() -> tuple[tuple[str, str, str, str], ...]:
    return tuple(printed_rows("Table 2: US State /City supports to China", "Table 3:", 4, 2))


@lru_cache(maxsize=None)
def printed_table4() -> tuple[tuple[str, str, str], ...]:
    rows = printed_rows("Table 4: Top ten US Companies donations", "From: Chinese Academy", 3, 0)
    return tuple(r for r in rows if r[0] != "Number")  # the header line


# Words after the number in a Table 1 items cell -> category. Order matters: "masks" last among masks.
PRINTED_ITEM_WORDS = [
    (r"(?:N95/KN95|KN95|FFP2) masks", "respirator_mask"),
    (r"surgical masks", "surgical_mask"),
    (r"masks", "mask_unspecified"),
    (r"items of protective clothing", "protective_clothing"),
    (r"pairs of gloves", "gloves"),
    (r"pairs of goggles", "goggles"),
    (r"shoe covers", "shoe_covers"),
    (r"forehead thermometers", "thermometer"),
]


def printed_items(cell: str) -> list[tuple[str, int]]:
    items = []
    # ", " separates items, but "1,000" also holds a comma: split only before a digit or "CNY".
    for part in re.split(r", (?=\d|CNY)", cell):
        if m := re.fullmatch(r"CNY ([\d,]+)", part):
            items.append(("cash", int(m.group(1).replace(",", ""))))
            continue
        number, words = re.fullmatch(r"([\d,]+) (.+)", part).groups()
        category = next((c for pattern, c in PRINTED_ITEM_WORDS if re.fullmatch(pattern, words)), None)
        assert category, f"the test does not know the printed item {part!r}"
        items.append((category, int(number.replace(",", ""))))
    return items


def printed_table1_totals() -> Counter:
    totals = Counter()
    for *_, cell in printed_table1():
        for category, quantity in printed_items(cell):
            totals[category] += quantity
    return totals


def data_table1_totals() -> Counter:
    ids = {d["donation_id"] for d in table1_donations().values()}
    totals = Counter()
    for item in read_rows("donation_items"):
        if item["donation_id"] in ids:
            totals[item["category"]] += int(item["quantity"])
    return totals


# Sums of Table 1 as printed (70 rows), worked out from the report; unit in the comment.
TABLE1_TOTALS = {
    "surgical_mask": 1_390_400,      # pieces
    "respirator_mask": 197_756,      # pieces (N95/KN95, KN95, FFP2)
    "mask_unspecified": 1_035_920,   # pieces ("masks"; 1,000,000 of them from the Heren Foundation)
    "protective_clothing": 29_552,   # items
    "gloves": 136_000,               # pairs
    "goggles": 30_220,               # pairs
    "shoe_covers": 10_000,           # pieces
    "thermometer": 4,                # pieces
    "cash": 6_000,                   # CNY
}


# --- the package as a whole --------------------------------------------------------------

def test_package_is_valid_with_primary_and_foreign_keys():
    report = frictionless.validate(DATA / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def test_validation_would_catch_a_broken_foreign_key(tmp_path):
    # Guards the test above: if the validator stopped checking foreign keys, "valid" would mean little.
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy, ignore=shutil.ignore_patterns("geo"))
    donations = copy / "donations.csv"
    text = donations.read_text(encoding="utf-8")
    assert ',"San Francisco, CA",us-san-francisco,' in text
    donations.write_text(text.replace(',"San Francisco, CA",us-san-francisco,', ',"San Francisco, CA",us-nowhere,', 1),
                         encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {error_type for (error_type,) in report.flatten(["type"])}


@pytest.mark.parametrize("resource", resource_names())
def test_csv_header_is_the_schema_field_order(resource):
    with open(DATA / f"{resource}.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == schema_fields(resource)


def test_package_licence_carries_share_alike():
    # Pairings may be derived from Wikipedia's lists (CC BY-SA 4.0): the package must share alike.
    assert "CC-BY-SA-4.0" in {licence["name"] for licence in descriptor()["licenses"]}


# --- row counts --------------------------------------------------------------------------

def test_table1_has_70_rows_numbered_1_to_70():
    assert sorted(table1_donations()) == list(range(1, 71))
    assert len(printed_table1()) == 70


@pytest.mark.parametrize("resource, table, rows", [
    ("support_messages", 2, 31),
    ("corporate_donations", 4, 16),
])
def test_table_resources_have_one_row_per_printed_row(resource, table, rows):
    numbers = [table_row_number(r["source_ref"], table) for r in read_rows(resource)]
    assert numbers == list(range(1, rows + 1))


def test_survey_has_nine_findings():
    assert len(read_rows("survey_findings")) == 9


def test_key_figures_are_many_and_come_from_all_five_seed_documents():
    figures = read_rows("key_figures")
    assert len(figures) >= 25
    assert SEED_SOURCES <= {f["source_id"] for f in figures}


# --- Table 1: donations from China to the US ---------------------------------------------

def test_table1_rows_keep_the_printed_cells():
    donations = table1_donations()
    for n, (province, donor, recipient, items) in enumerate(printed_table1(), start=1):
        d = donations[n]
        assert (d["donor_province_as_printed"], d["donor_as_printed"], d["recipient_as_printed"], d["items_as_printed"]) \
            == (province, donor, recipient, items), f"Table 1, row {n}"


def test_table1_item_lines_match_the_printed_items():
    for n, d in table1_donations().items():
        lines = items_of(d["donation_id"])
        assert [i["line"] for i in lines] == [str(k) for k in range(1, len(lines) + 1)]
        assert [(i["category"], int(i["quantity"])) for i in lines] == printed_items(d["items_as_printed"]), f"Table 1, row {n}"


def test_table1_totals_printed_equal_totals_in_data():
    assert printed_table1_totals() == data_table1_totals()


@pytest.mark.parametrize("category, total", TABLE1_TOTALS.items())
def test_table1_total_per_category(category, total):
    assert data_table1_totals()[category] == total
    assert printed_table1_totals()[category] == total


def narrative_figure(figure_id: str) -> float:
    return float(index("key_figures", "figure_id")[figure_id]["value"])


def test_narrative_totals_differ_from_table1_for_masks_clothing_and_shoe_covers():
    # The report's text (CPAFFC, "incomplete statistics") and its partial Table 1 disagree;
    # the package records both rather than forcing one to match the other.
    sums = data_table1_totals()
    table_masks = sums["surgical_mask"] + sums["respirator_mask"] + sums["mask_unspecified"]
    assert (narrative_figure("kf-cpaffc-cn-masks"), table_masks) == (2_110_000, 2_624_076)
    assert (narrative_figure("kf-cpaffc-cn-clothing"), sums["protective_clothing"]) == (35_937, 29_552)
    assert (narrative_figure("kf-cpaffc-cn-shoe-covers"), sums["shoe_covers"]) == (20_000, 10_000)


def test_narrative_totals_agree_with_table1_for_gloves_and_goggles():
    sums = data_table1_totals()
    assert narrative_figure("kf-cpaffc-cn-gloves") == sums["gloves"] == 136_000
    assert narrative_figure("kf-cpaffc-cn-goggles") == sums["goggles"] == 30_220


@pytest.mark.parametrize("row, donor_place, recipient_printed, recipient_place, items", [
    (1, "cn-shanghai", "San Francisco, CA", "us-san-francisco", {"respirator_mask": 21_200}),
    (5, "cn-chongqing", "Seattle, WA", "us-seattle", {"surgical_mask": 116_000, "protective_clothing": 500, "gloves": 135_600}),
    (15, "cn-org-heren-foundation", "Ohio State", "us-ohio",
     {"mask_unspecified": 1_000_000, "protective_clothing": 10_000, "goggles": 30_000, "shoe_covers": 10_000}),
    (46, "cn-hainan", "University of East-West Medicine", "us-org-east-west-medicine", {"mask_unspecified": 2_000, "cash": 6_000}),
    (52, "cn-shandong", "New Jersey State", "us-new-jersey", {"surgical_mask": 5_000, "thermometer": 4}),
    (54, "cn-shandong", "Central Connecticut State University", "us-org-ccsu",
     {"respirator_mask": 300, "surgical_mask": 400, "gloves": 400, "protective_clothing": 2}),
    (70, "cn-org-sichuan-forestry", "Utah State", "us-utah", {"respirator_mask": 10_000}),
])
def test_table1_spot_checks(row, donor_place, recipient_printed, recipient_place, items):
    d = table1_donations()[row]
    assert (d["donor_place_id"], d["recipient_as_printed"], d["recipient_place_id"]) == (donor_place, recipient_printed, recipient_place)
    assert d["direction"] == "cn_to_us" and d["source_id"] == "ccg2020"
    assert {i["category"]: int(i["quantity"]) for i in items_of(d["donation_id"])} == items


@pytest.mark.parametrize("row, column, printed, place_id, note_mentions, doubtful", [
    (3, "recipient", "Huston, TX", "us-houston", "Houston", False),
    (19, "donor", "Harbin Province", "cn-harbin", "city", False),
    (20, "donor", "Shanxi Province", "cn-shaanxi", "Picture 1", False),  # corrected: the caption and a Wyoming report say Shaanxi
    (31, "recipient", "Columbus, MD", "us-columbia-md", "Baltimore Sun", True),  # Liyang's sister city, a judgement
    (33, "recipient", "Irving, CA", "us-irving-unresolved", "Irvine", True),
    (43, "recipient", "North California", "us-northern-california", "Northern California", True),
    (69, "donor", "Xishuangbana City", "cn-xishuangbanna", "Xishuangbanna", False),
])
def test_table1_corrections_keep_what_was_printed(row, column, printed, place_id, note_mentions, doubtful):
    d = table1_donations()[row]
    assert d[f"{column}_as_printed"] == printed
    assert d[f"{column}_place_id"] == place_id
    assert note_mentions in d["correction_note"]
    assert d["doubtful"] == ("true" if doubtful else "false")


def test_harbin_is_a_city_not_a_province():
    harbin = index("places", "place_id")["cn-harbin"]
    assert (harbin["level"], harbin["admin1"]) == ("city", "CN-HL")


def test_fujian_gives_eight_rows_to_eight_recipients():
    fujian = [d for d in table1_donations().values() if d["donor_province_as_printed"] == "Fujian"]
    assert len(fujian) == 8
    assert len({d["recipient_place_id"] for d in fujian}) == 8


def test_text_donations_are_not_counted_as_table_rows():
    text_rows = [d for d in read_rows("donations") if not d["source_ref"].startswith("Table ")]
    assert {d["donation_id"] for d in text_rows} >= {"t-ohio-hubei", "t-zhang-yale"}
    ohio = {i["category"]: int(i["quantity"]) for i in items_of("t-ohio-hubei")}
    assert ohio == {"respirator_mask": 1_000, "surgical_mask": 3_000, "other": 8_100, "protective_clothing": 50}


# --- Table 2: messages of support from the US to China -----------------------------------

def messages() -> dict[int, dict]:
    return {table_row_number(m["source_ref"], 2): m for m in read_rows("support_messages")}


def test_table2_rows_keep_the_printed_cells():
    for n, (state, sender, recipient, kind) in enumerate(printed_table2(), start=1):
        m = messages()[n]
        assert (m["sender_state_as_printed"], m["sender_as_printed"], m["recipient_as_printed"], m["kind_as_printed"]) \
            == (state, sender, recipient, kind), f"Table 2, row {n}"


@pytest.mark.parametrize("row, sender_place, recipient_place, kind", [
    (1, "us-oklahoma", "cn-gansu", "letter"),
    (3, "us-davis-county", "cn-huanggang", "voice_support"),
    (8, "us-cincinnati", "cn-chongqing", "letter"),     # sender cell blank in print: Cincinnati from the row above
    (14, "us-dublin-ca", "cn-xinwu", "video"),
    (18, "us-pittsburgh", "cn-wuhan", "letter"),
    (31, "us-dubuque", "cn-handan", "letter"),
])
def test_table2_spot_checks(row, sender_place, recipient_place, kind):
    m = messages()[row]
    assert (m["sender_place_id"], m["recipient_place_id"], m["kind"]) == (sender_place, recipient_place, kind)


def test_call_and_email_rows_map_to_call_email():
    calls = {n: m for n, m in messages().items() if m["kind_as_printed"].lower() == "call & email"}
    assert sorted(calls) == [11, 15, 16]
    assert {m["kind"] for m in calls.values()} == {"call_email"}
    assert {m["recipient_place_id"] for m in calls.values()} == {"cn-shanghai"}


@pytest.mark.parametrize("row, printed, place_id, note_mentions, doubtful", [
    (10, "Grange City", "us-lagrange", "LaGrange", True),
    (16, "Huston City", "us-houston", "Houston", False),
    (20, "Maryland City", "us-maryland", "State of Maryland", True),
    (23, "Nebraska City", "us-nebraska-city", "State of Nebraska", True),
])
def test_table2_corrections_keep_what_was_printed(row, printed, place_id, note_mentions, doubtful):
    m = messages()[row]
    assert (m["sender_as_printed"], m["sender_place_id"]) == (printed, place_id)
    assert note_mentions in m["correction_note"]
    assert m["doubtful"] == ("true" if doubtful else "false")


# --- Table 4: US companies' donations (printed in CNY 10,000) ----------------------------

def companies() -> dict[str, dict]:
    return index("corporate_donations", "company_as_printed")


def test_table4_rows_keep_the_printed_cells():
    rows = sorted(read_rows("corporate_donations"), key=lambda r: table_row_number(r["source_ref"], 4))
    assert [(r["rank"], r["company_as_printed"], r["amount_as_printed"]) for r in rows] == list(printed_table4())


def test_table4_amounts_are_the_printed_ten_thousands():
    for row in read_rows("corporate_donations"):
        assert int(row["amount_cny"]) == int(row["amount_as_printed"].replace(",", "")) * 10_000


def test_table4_total_is_290_million_yuan():
    # The printed column: 5,200 + 4,578 + 2,627 + 2,165 + 2,000 + 1,810 + 1,380 + 1,140 + 1,100
    # + 7 x 1,000 = 29,000 (x CNY 10,000). Not 30,000: only seven companies share rank 10.
    assert sum(int(amount.replace(",", "")) for _, _, amount in printed_table4()) == 29_000
    assert sum(int(r["amount_cny"]) for r in read_rows("corporate_donations")) == 290_000_000


def test_citadel_ranks_first_with_52_million():
    first = [r for r in read_rows("corporate_donations") if r["rank"] == "1"]
    assert [(r["company"], int(r["amount_cny"])) for r in first] == [("Citadel", 52_000_000)]


def test_seven_companies_tie_at_rank_10():
    # "Top ten" in the heading, 16 rows in print: ranks 1-9 once each, then seven at rank 10.
    tenth = [r for r in read_rows("corporate_donations") if r["rank"] == "10"]
    assert sorted(r["company_as_printed"] for r in tenth) == \
        sorted(["Skechers", "Nike", "Nanaher", "Budweiser China", "Abbvie", "NBA", "P&G China"])
    assert {int(r["amount_cny"]) for r in tenth} == {10_000_000}
    assert [r["rank"] for r in read_rows("corporate_donations")][:9] == [str(k) for k in range(1, 10)]


@pytest.mark.parametrize("printed, company", [("Anyway", "Amway"), ("Nanaher", "Danaher")])
def test_misprinted_company_names_are_read_and_flagged(printed, company):
    row = companies()[printed]
    assert row["company"] == company
    assert row["doubtful"] == "true"
    assert printed in row["correction_note"] and company in row["correction_note"]


@pytest.mark.parametrize("printed, amount", [("Microsoft", 45_780_000), ("A. O. Smith", 26_270_000),
                                             ("Anyway", 11_000_000), ("P&G China", 10_000_000)])
def test_table4_spot_checks(printed, amount):
    assert int(companies()[printed]["amount_cny"]) == amount


# --- survey ------------------------------------------------------------------------------

SURVEY_PERCENTS = [98.43, 97.59, 96.74, 20.83, 83.85, 95.01, 84.44, 44.03, 66.03]


def test_survey_percentages_in_printed_order():
    rows = sorted(read_rows("survey_findings"), key=lambda r: int(r["finding_id"][1:]))
    assert [float(r["percent"]) for r in rows] == SURVEY_PERCENTS


def test_survey_base_is_1776_on_every_row():
    assert {r["respondents"] for r in read_rows("survey_findings")} == {"1776"}
    assert narrative_figure("kf-survey-responses") == 1_776
    assert "1,776 valid responses" in source_text("ccg2020")


@pytest.mark.parametrize("finding", read_rows("survey_findings"), ids=lambda r: r["finding_id"])
def test_survey_statement_is_verbatim_and_starts_with_its_percent(finding):
    assert collapse(finding["statement"]) in source_text(finding["source_id"])
    assert finding["statement"].startswith(f"{finding['percent']}%")


# --- provenance --------------------------------------------------------------------------

def resources_with_source_id() -> list[str]:
    return [name for name in resource_names() if name != "sources" and "source_id" in schema_fields(name)]


@pytest.mark.parametrize("resource", resources_with_source_id())
def test_every_row_cites_an_existing_source(resource):
    known = set(index("sources", "source_id"))
    cited = {row["source_id"] for row in read_rows(resource)}
    assert cited <= known, cited - known


@pytest.mark.parametrize("source", read_rows("sources"), ids=lambda s: s["source_id"])
def test_every_source_has_a_local_copy_or_is_a_web_page_with_its_address(source):
    """A document we hold has its copy under ../shared; a public web page (no copy: the words each row rests on
    are quoted in that row) has its address."""
    if source["local_copy"]:
        assert (SHARED / source["local_copy"]).is_file()
    else:
        assert re.match(r"https?://[^\s]+$", source["url"]) and not source["url_note"], source["source_id"]


def quoted_rows() -> list:
    """Rows whose quote can be checked against a copy we hold (a figure from a public web page has no copy: its
    quoted words are the record, like a pairing's evidence)."""
    held = {s["source_id"] for s in read_rows("sources") if s["local_copy"]}
    rows = [(f["figure_id"], f["source_id"], f["source_ref"]) for f in read_rows("key_figures") if f["source_id"] in held]
    rows += [(d["donation_id"], d["source_id"], d["source_ref"]) for d in read_rows("donations")
             if not d["source_ref"].startswith("Table ")]
    return [pytest.param(*row, id=row[0]) for row in rows]


def test_key_figures_cite_a_quote():
    for f in read_rows("key_figures"):
        assert QUOTED_REF.fullmatch(f["source_ref"]), f["figure_id"]


@pytest.mark.parametrize("row_id, source_id, source_ref", quoted_rows())
def test_quote_appears_verbatim_in_its_source(row_id, source_id, source_ref):
    m = QUOTED_REF.fullmatch(source_ref)
    assert m, f"{row_id}: source_ref is not 'section: \"quote\"': {source_ref!r}"
    assert collapse(m.group("quote")) in source_text(source_id), row_id


@pytest.mark.parametrize("resource, pattern", [
    ("donations", r'Table 1, row \d+|[^"]*: ".*"'),
    ("support_messages", r"Table 2, row \d+"),
    ("corporate_donations", r"Table 4, row \d+"),
    ("survey_findings", r"III Willingness to cooperate, key finding \d"),
])
def test_source_ref_forms(resource, pattern):
    bad = [r["source_ref"] for r in read_rows(resource) if not re.fullmatch(pattern, r["source_ref"])]
    assert not bad


@pytest.mark.parametrize("resource", ["donations", "support_messages", "corporate_donations"])
def test_doubtful_rows_say_why(resource):
    unexplained = [r for r in read_rows(resource) if r["doubtful"] == "true" and not r["correction_note"]]
    assert not unexplained


# --- places ------------------------------------------------------------------------------

# Generous boxes around each country (the US one includes Alaska's mainland and Hawaii).
COUNTRY_BOXES = {"CN": (18.0, 54.0, 73.0, 135.5), "US": (18.5, 72.0, -170.0, -66.0)}  # lat_min, lat_max, lon_min, lon_max

located = [p for p in read_rows("places") if p["lat"]]


@pytest.mark.parametrize("place", located, ids=lambda p: p["place_id"])
def test_coordinates_lie_in_the_country(place):
    lat_min, lat_max, lon_min, lon_max = COUNTRY_BOXES[place["country"]]
    assert lat_min <= float(place["lat"]) <= lat_max and lon_min <= float(place["lon"]) <= lon_max


@pytest.mark.parametrize("place", located, ids=lambda p: p["place_id"])
def test_coordinates_lie_in_the_province_or_state(place):
    from atlas.boundaries import point_in_admin1

    assert place["admin1"].startswith(place["country"] + "-")
    # 1 km: the 1:10m coast misses harbours, so GeoNames' point for Xiamen lies 0.6 km outside
    # Fujian's polygon (data/geo/SOURCES.md); a city put in the wrong province is much farther off.
    assert point_in_admin1(float(place["lat"]), float(place["lon"]), place["admin1"], tolerance_km=1)


@pytest.mark.parametrize("place", read_rows("places"), ids=lambda p: p["place_id"])
def test_places_without_location_are_empty_and_explained(place):
    unlocated = place["coord_precision"] == "none"
    assert unlocated == (place["lat"] == "") == (place["lon"] == "")
    if unlocated:
        assert place["note"]


def test_every_administrative_place_has_a_chinese_name():
    missing = [p["place_id"] for p in read_rows("places") if p["level"] not in ("organization", "individual") and not p["name_zh"]]
    assert not missing


# --- pairings ----------------------------------------------------------------------------

def pairing(cn: str, us: str) -> dict:
    return next(p for p in read_rows("pairings") if (p["cn_place_id"], p["us_place_id"]) == (cn, us))


def test_hubei_ohio_is_stated_in_the_text():
    hubei_ohio = pairing("cn-hubei", "us-ohio")
    assert "stated_in_text" in hubei_ohio["basis"].split("+")
    assert hubei_ohio["level"] == "province_state"


def test_wuxi_san_antonio_is_present():
    assert pairing("cn-wuxi", "us-san-antonio")["level"] == "city"


def test_pairings_join_a_chinese_and_an_american_place():
    places = index("places", "place_id")
    for p in read_rows("pairings"):
        assert (places[p["cn_place_id"]]["country"], places[p["us_place_id"]]["country"]) == ("CN", "US"), p["pairing_id"]


def test_every_pairing_cites_a_source():
    known = set(index("sources", "source_id"))
    assert all(p["source_id"] in known and p["evidence"] for p in read_rows("pairings"))


def test_stated_pairings_quote_their_source():
    for p in read_rows("pairings"):
        if "stated_in_text" in p["basis"].split("+"):
            quote = re.search(r'"(.*?)"', p["evidence"]).group(1)
            assert collapse(quote) in source_text("ccg2020"), p["pairing_id"]


def test_table_pairs_point_at_rows_that_join_the_two_places():
    donations, msgs = table1_donations(), messages()
    for p in read_rows("pairings"):
        if "table_pair" not in p["basis"].split("+"):
            continue
        refs = re.findall(r"Table (1|2), row (\d+)", p["evidence"])
        assert refs, p["pairing_id"]
        for table, row in refs:
            if table == "1":
                ends = (donations[int(row)]["donor_place_id"], donations[int(row)]["recipient_place_id"])
            else:  # Table 2 runs from the US sender to the Chinese recipient
                ends = (msgs[int(row)]["recipient_place_id"], msgs[int(row)]["sender_place_id"])
            assert ends == (p["cn_place_id"], p["us_place_id"]), f"{p['pairing_id']}: Table {table}, row {row}"


def test_wikipedia_pairings_cite_the_list():
    wiki = [p for p in read_rows("pairings") if "wikipedia_list" in p["basis"].split("+")]
    if not wiki:
        pytest.skip("this build has no Wikipedia-derived pairings")
    places = index("places", "place_id")
    for p in wiki:
        assert p["cn_place_id"] in places and p["us_place_id"] in places
        # A pair first found in the report keeps the report as source_id; the list is then cited in evidence.
        if p["basis"].startswith("wikipedia_list"):
            assert p["source_id"] == "wikipedia-sister-cities", p["pairing_id"]
        assert "Wikipedia list, row" in p["evidence"], p["pairing_id"]


# --- key figures -------------------------------------------------------------------------

@pytest.mark.parametrize("figure_id, value, unit, date, source_id", [
    ("kf-cass-companies", 103, "companies", "2020-02-17", "ccg2020"),
    ("kf-cass-amount", 538_000_000, "CNY", "2020-02-17", "ccg2020"),
    ("kf-cass-share", 25.74, "percent", "2020-02-17", "ccg2020"),
    ("kf-amcham", 74_000_000, "USD", "2020", "ccg2020"),
    ("kf-online-2016", 2_000_000_000, "CNY", "2016", "bjreview2023"),
    ("kf-online-2021", 10_000_000_000, "CNY", "2021", "bjreview2023"),
    ("kf-social-orgs", 900_900, "organisations", "2021-12-31", "diplomat"),
    ("kf-sister-province-state-2022", 50, "pairs_sister", "2022-04-29", "chinadaily2022"),
    ("kf-sister-city-2022", 234, "pairs_sister", "2022-04-29", "chinadaily2022"),
    ("kf-sister-total-2022", 284, "pairs_sister", "2022-04-29", "chinadaily2022"),
])
def test_key_figure(figure_id, value, unit, date, source_id):
    f = index("key_figures", "figure_id")[figure_id]
    assert (float(f["value"]), f["unit"], f["date"], f["source_id"]) == (value, unit, date, source_id)


def test_sister_pairs_2022_add_up():
    assert narrative_figure("kf-sister-province-state-2022") + narrative_figure("kf-sister-city-2022") \
        == narrative_figure("kf-sister-total-2022") == 284


def test_key_figures_of_each_source_document():
    # One figure from each of the four shorter documents, read from their text.
    by_source = defaultdict(set)
    for f in read_rows("key_figures"):
        by_source[f["source_id"]].add((f["figure_id"], float(f["value"]) if f["value"] else None))
    assert ("kf-foundations", 8_885) in by_source["diplomat"]
    assert ("kf-tencent-orgs-2023", 17_000) in by_source["bjreview2023"]
    assert ("kf-alibaba-pledge", 15_500_000_000) in by_source["supchina2021"]
    assert ("kf-ingo-offices", 591) in by_source["teets"]
