"""Filter state as a reader makes it, with the mouse: it survives a language switch, page changes,
the back button and a copied link; the date pickers filter from the keyboard.

Nothing here sets state through the URL except the last step of the copied-link test, which opens
the link the sidebar shows, the way a reader pastes it into a fresh browser.
"""
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from .conftest import settle

SIDEBAR = '[data-testid="stSidebar"]'


def query(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def widget(page, name: str):
    """A field's widget, whatever its generation (st-key-filter_<name>_<n>)."""
    return page.locator(f'[class*="st-key-filter_{name}_"]').first


def pick(page, name: str, option: str) -> None:
    """Open a multiselect with the mouse and click one of its options."""
    widget(page, name).locator('[role="combobox"]').click()
    page.keyboard.type(option[:3])  # the list is virtual: narrow it so the option is drawn, then click it
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)


def go_to(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
    settle(page)


def choose(page, name: str, label: str) -> None:
    """Click a radio, segmented control or toggle option by its visible label."""
    widget(page, name).get_by_text(label, exact=True).click()
    settle(page)


def card(page, label: str) -> int:
    """The number on the overview's card called `label`."""
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def test_province_survives_language_switch_and_page_changes(page, app_url):
    page.goto(app_url)
    settle(page)
    pick(page, "province", "Fujian")
    assert query(page)["province"] == ["Fujian"]
    choose(page, "lang", "中文")
    expect(widget(page, "province")).to_contain_text("福建")
    go_to(page, "友城援助流向")
    assert query(page).get("province") == ["Fujian"], page.url
    go_to(page, "企业捐赠")
    assert query(page).get("province") == ["Fujian"], page.url
    expect(widget(page, "province")).to_contain_text("福建")
    choose(page, "lang", "English")
    assert query(page).get("province") == ["Fujian"] and "lang" not in query(page), page.url
    expect(widget(page, "province")).to_contain_text("Fujian")
    go_to(page, "Sister-city flows")
    # Fujian's Table 1 records: 8 donations to 8 recipients.
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(re.compile(r"(?<!\d)8\s+donation records"))
    assert query(page).get("province") == ["Fujian"]


def test_back_button_keeps_the_filters(page, app_url):
    page.goto(app_url)
    settle(page)
    pick(page, "state", "Ohio")
    go_to(page, "Sister-city flows")
    go_to(page, "Survey")
    page.go_back()
    settle(page)
    assert query(page).get("state") == ["Ohio"], page.url
    expect(widget(page, "state")).to_contain_text("Ohio")


def test_the_date_pickers_filter_with_the_keyboard(page, app_url):
    page.goto(app_url)
    settle(page)
    before = card(page, "Donation records"), card(page, "Messages of support")
    assert before == (76, 31)
    dates = widget(page, "dates")
    start = dates.get_by_role("combobox", name="From")
    start.focus()
    page.keyboard.type("Mar 2020")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"from=2020-03"))
    settle(page)
    assert "to" not in query(page), page.url
    # Table 2's messages carry no date, so any narrower range leaves them out; donations may drop too.
    assert card(page, "Messages of support") == 0
    assert card(page, "Donation records") <= before[0]
    # Tab goes on to To, which lists only the months from March 2020 on.
    page.keyboard.press("Tab")
    expect(dates.get_by_role("combobox", name="To")).to_be_focused()
    page.keyboard.type("Apr 2020")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"to=2020-04"))
    settle(page)
    assert query(page)["from"] == ["2020-03"] and query(page)["to"] == ["2020-04"], page.url


def test_every_view_option_survives_a_copied_link(page, app_url, browser):
    page.goto(app_url)
    settle(page)
    pick(page, "province", "Fujian")
    choose(page, "direction", "China to US")
    go_to(page, "Sister-city flows")
    choose(page, "level", "Places and organisations")
    go_to(page, "Corporate giving")
    choose(page, "currency", "USD")
    go_to(page, "Survey")
    page.get_by_role("tab", name="Table").click()
    settle(page)
    go_to(page, "Data & sources")
    widget(page, "table").locator('[role="combobox"]').click()
    page.get_by_role("option", name=re.compile(r"^donations \(")).click()
    settle(page)
    box = widget(page, "q").locator("input")
    box.click()
    box.fill("Ohio")
    box.press("Enter")
    settle(page)
    choose(page, "lang", "中文")
    link = page.locator(f'{SIDEBAR} [data-testid="stCode"]').inner_text().strip()
    q = parse_qs(urlparse(link).query)
    assert q == {"province": ["Fujian"], "direction": ["cn_to_us"], "lang": ["zh"], "level": ["place"],
                 "currency": ["USD"], "table": ["donations"], "q": ["Ohio"], "as_table": ["survey"]}, link
    fresh = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        other = fresh.new_page()
        other.goto(link)
        settle(other)
        expect(widget(other, "province")).to_contain_text("福建")
        expect(widget(other, "table").locator('[role="combobox"]')).to_have_value(re.compile(r"^donations \("))
        assert widget(other, "q").locator("input").input_value() == "Ohio"
        go_to(other, "企业捐赠")
        expect(widget(other, "currency").locator('button[aria-pressed="true"], [aria-checked="true"]')).to_have_text("USD")
        go_to(other, "问卷调查")
        expect(other.get_by_role("tab", selected=True)).to_have_text("表格")
        expect(other.locator('[data-testid="stDataFrame"]')).to_have_count(1)
        go_to(other, "友城援助流向")
        expect(widget(other, "level").locator('button[aria-pressed="true"], [aria-checked="true"]')).to_contain_text("地点与机构")
        assert parse_qs(urlparse(other.url).query) == q
    finally:
        fresh.close()


def test_reset_clears_filters_but_keeps_language(page, app_url):
    page.goto(app_url)
    settle(page)
    pick(page, "province", "Hubei")
    choose(page, "lang", "中文")
    page.locator(SIDEBAR).get_by_role("button", name=re.compile("重置")).click()
    settle(page)
    assert query(page) == {"lang": ["zh"]}, page.url
    pick(page, "state", "俄亥俄州")
    assert query(page).get("state") == ["Ohio"], page.url
