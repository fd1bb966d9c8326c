"""Several people opening a fresh server at the same moment all get the whole dashboard.

Streamlit runs sessions that start before app.py has called st.navigation once in its legacy
pages/ mode (the page script alone, no shared sidebar). The benchmark's 20 simultaneous first
visits once showed 19 pages without the sidebar; components/streamlit_fixes.py's router_guard must
send every such session back through app.py, not only the first.
"""
import os
import re

from playwright.sync_api import expect

from .conftest import settle, start_server

# A field's widget has the class st-key-filter_<field>_<generation> (components.url_state.widget_key).
PROVINCE = '[class*="st-key-filter_province_"]'
STATE = '[class*="st-key-filter_state_"]'
PATHS = ["/flows?province=Fujian", "/corporate", "/survey", "/flows", "/pairings?state=Ohio", "/data"]


def test_simultaneous_first_visits_to_a_fresh_server_all_get_the_shared_frame(browser, browser_context_args):
    proc, url = start_server()
    contexts = [browser.new_context(**browser_context_args) for _ in PATHS]
    try:
        pages = [c.new_page() for c in contexts]
        # Open all of them before any has finished: "commit" returns once the HTML starts arriving.
        for page, path in zip(pages, PATHS):
            page.goto(url + path, wait_until="commit")
        for page in pages:
            settle(page)
        for page, path in zip(pages, PATHS):
            assert page.locator('[data-testid="stException"]').count() == 0, path
            sidebar = page.locator('[data-testid="stSidebar"]')
            # The shared filters and app.py's navigation (its page titles, not the pages/ file names).
            expect(sidebar.locator(PROVINCE), path).to_be_visible()
            expect(sidebar.locator('[data-testid="stSidebarNav"]'), path).to_contain_text("Sister-city flows")
            assert "/" + path.lstrip("/").split("?")[0] in page.url, (path, page.url)
        # The filters given in the links reached the pages through app.py's URL state.
        expect(pages[0].locator('[data-testid="stMain"]')).to_contain_text(re.compile(r"(?<!\d)8\s+donation records"))
        expect(pages[4].locator('[data-testid="stSidebar"]').locator(STATE)).to_contain_text("Ohio")
    finally:
        for c in contexts:
            c.close()
        os.killpg(proc.pid, 15)
