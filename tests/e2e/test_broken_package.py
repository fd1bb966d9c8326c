"""A broken data package in a real browser: a first visit to any page gets the error page, not a traceback.

AppTest always enters through app.py; a browser's first visit to /flows on a fresh server runs
pages/flows.py alone (Streamlit's legacy pages/ mode) until the page sends it back through app.py.
That must happen before the page touches the data, or the reader sees Streamlit's redacted
exception instead of the message naming the resource, row and field.
"""
import os
import shutil

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, settle, start_server


@pytest.mark.parametrize("path", ["/flows", "/corporate?province=Fujian"])
def test_first_visit_to_a_page_of_a_broken_package_shows_the_error_page(browser, browser_context_args, tmp_path, path):
    broken = tmp_path / "data"
    shutil.copytree(ROOT / "data", broken)
    csv = broken / "corporate_donations.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split(",")  # data row 2; its fifth cell, amount_cny, comes before any quoted comma
    cells[4] = "12a"
    lines[2] = ",".join(cells)
    csv.write_text("".join(lines), encoding="utf-8")
    proc, url = start_server({"ATLAS_DATA_DIR": str(broken)})
    context = browser.new_context(**browser_context_args)
    try:
        page = context.new_page()
        page.goto(url + path)
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        expect(main).to_contain_text("resource 'corporate_donations', row 2, field 'amount_cny'")
        expect(main).to_contain_text("数据包无法使用")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "redacted" not in main.inner_text()
    finally:
        context.close()
        os.killpg(proc.pid, 15)
