""""Link, embed, cite" with the keyboard and a finger (issue #31): reached before the chart's long table, its panel
open while the focus is inside it, its copy buttons visible and working on a touch screen."""
from .conftest import settle

SHARE = '[class*="st-key-share_"] summary'
IN_GRID = """() => !!(document.activeElement && document.activeElement.closest('[data-testid="stDataFrame"]'))"""
ON_SHARE = """() => !!(document.activeElement && document.activeElement.closest('[class*="st-key-share_"] summary'))"""


def test_the_keyboard_reaches_link_embed_cite_before_the_table_and_its_panel_stays_open(page, app_url):
    page.goto(f"{app_url}/survey?as_table=survey")  # the chart shown as its table (the long one)
    settle(page)
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    # from the start of the page's content (its skip link's target)
    page.locator('[data-testid="stMainBlockContainer"]').evaluate("e => { e.setAttribute('tabindex', '-1'); e.focus(); }")
    for presses in range(1, 40):
        page.keyboard.press("Tab")
        assert not page.evaluate(IN_GRID), f"Tab press {presses} entered the table before the share panel"
        if page.evaluate(ON_SHARE):
            break
    else:
        raise AssertionError("Tab never reached 'Link, embed, cite'")
    page.keyboard.press("Enter")
    panel = page.locator('[class*="st-key-share_"] details').first
    page.wait_for_function("() => !!document.querySelector('[class*=\"st-key-share_\"] details[open]')")
    # Tab on through the panel: it stays open while the focus is in it
    for _ in range(4):
        page.keyboard.press("Tab")
        assert panel.evaluate("d => d.open"), "the panel closed while the focus was inside it"
        assert page.evaluate("() => !!document.activeElement.closest('[class*=\"st-key-share_\"]')")


def test_the_copy_button_is_visible_and_copies_on_a_touch_screen(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/survey")
        settle(page)
        page.locator(SHARE).first.tap()
        code = page.locator('[class*="st-key-share_"] [data-testid="stCode"]').first
        code.wait_for()
        button = code.get_by_role("button", name="Copy to clipboard")
        # visible before any tap on the box: shown, opaque, and not over the address's text
        assert button.evaluate("b => { let o = 1; for (let e = b; e; e = e.parentElement) o *= +getComputedStyle(e).opacity; return o; }") == 1
        box, text = button.bounding_box(), code.locator("code").bounding_box()
        assert box["width"] >= 20 and box["height"] >= 20
        assert box["x"] >= text["x"] + text["width"] - 1 or box["y"] >= text["y"] + text["height"] - 1, (box, text)
        button.tap()
        page.wait_for_function("async () => (await navigator.clipboard.readText()).includes('/survey')")
    finally:
        context.close()
