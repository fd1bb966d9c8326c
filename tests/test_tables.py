"""components.tables: quantities with thousands separators, short tables not padded (issue #15)."""
import json

from components import tables
from tests.test_pages import run


def test_quantities_are_found_and_codes_are_not(records):
    cols = tables.quantity_columns(records.head(5))
    assert "quantity" in cols
    assert not {"lat", "lon", "donation_id", "source_id"} & set(cols)


def test_short_tables_are_only_as_tall_as_their_rows():
    assert tables.fitted_height(3, 420) == 4 * 35 + 3
    assert tables.fitted_height(500, 420) == 420
    assert tables.fitted_height(3, None) == "auto"


def test_the_pages_tables_show_thousands_separators():
    at = run({}, "pages/flows.py")
    configs = [json.loads(df.proto.columns) for df in at.dataframe]
    localized = {name for config in configs for name, c in config.items()
                 if c.get("type_config", {}).get("format") == "localized"}
    assert "quantity" in localized, configs  # Table 1's quantities read 50,000, not 50000


def test_every_column_is_wide_enough_for_its_chinese_header(atlas_data):
    """Issue #31: "来自（英文）" was cut off: the grid sized columns by their (short) cells."""
    from atlas import flows
    from atlas.filters import Filters
    from components import tables
    view = flows.view(atlas_data, Filters())
    shown, headers, _ = tables._screen_table(view.table, "zh", True)
    widths = tables._widths(shown, headers)
    assert "来自（英文）" in headers.values()
    for c, h in headers.items():
        assert widths[c] >= 14 * sum(1 for ch in h if ord(ch) > 0x2E80) + 30, (h, widths[c])


def test_the_reconciliation_columns_fit_their_cells():
    """The overview's reconciliation cut "Face masks (counted apart from masks)" to "Face masks (countec" (seen in the
    whole-page screenshots, issue 31): its columns are sized like every other table's."""
    at = run({}, "pages/overview.py")
    configs = [json.loads(df.proto.columns) for df in at.dataframe]
    rec = next(c for c in configs if "Category" in c or "category" in c)
    category = rec.get("Category") or rec.get("category")
    assert category.get("width", 0) >= 300, rec
