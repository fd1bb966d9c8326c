"""The frame in a real browser: pages load, filters follow page switches in the URL and sidebar, downloads work."""
import csv
import io
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from .conftest import settle


# A field's widget has the class st-key-filter_<field>_<generation> (components.url_state.widget_key).
PROVINCE = '[data-testid="stSidebar"] [class*="st-key-filter_province_"]'


def query(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def test_flows_opens_filtered_and_keeps_filter_across_page_switch(page, app_url):
    page.goto(f"{app_url}/flows?province=Fujian")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    expect(page.locator(PROVINCE)).to_contain_text("Fujian")
    # Fujian's Table 1 records: 8 donations to 8 recipients.
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(re.compile(r"(?<!\d)8\s+donation records"))
    page.locator('[data-testid="stSidebarNav"] a', has_text="Overview").click()
    settle(page)
    assert query(page).get("province") == ["Fujian"]
    expect(page.locator(PROVINCE)).to_contain_text("Fujian")


def test_hostile_url_warns_and_shows_unfiltered_page(page, app_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{app_url}/flows?province=%3Cscript%3Ealert(1)%3C/script%3E&state=Narnia")
    settle(page)
    expect(page.locator('[data-testid="stAlert"]').first).to_be_visible()
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Narnia" in text and "<script>alert(1)</script>" in text  # shown as text in the warning
    assert re.search(r"(?<!\d)76\s+donation records", text)  # unfiltered
    assert dialogs == []


def test_flows_csv_download_holds_exactly_fujians_records(page, app_url):
    page.goto(f"{app_url}/flows?province=Fujian")
    settle(page)
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(re.compile(r"(?<!\d)8\s+donation records"))
    with page.expect_download() as info:
        page.locator(".st-key-dl_flows_csv").get_by_role("link").first.click()
    download = info.value
    assert download.suggested_filename == "flows_province-Fujian.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_bytes().decode("utf-8-sig"))))
    refs = {r["source_ref"] for r in rows}
    assert all(ref.startswith("Table 1, row") for ref in refs)
    assert len(refs) == 8
    assert len({r["to_name_en"] for r in rows}) == 8
