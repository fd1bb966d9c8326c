"""An old citation's address in a real browser (issue 33): the page shows the old version's numbers under a notice that
a newer version exists; one click shows the latest, whose numbers differ."""
import re

from .conftest import settle

MAY = "province=Fujian&from=2020-05&to=2020-05"
NOTICE = '[class*="st-key-atlas_version_notice"]'


def test_an_old_citations_address_shows_the_old_numbers_and_a_newer_version_notice(page, app_url):
    # the citation a reader of version 1.0.0 kept: its address names the version it saw
    cited = page.request.get(f"{app_url}/api/v1/cite/flow-map.txt?{MAY}&version=1.0.0")
    assert cited.ok and "[Map, version 1.0.0]" in cited.text()
    address = re.search(r"http://\S+version=1\.0\.0", cited.text()).group(0)
    page.goto(address)
    settle(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    notice = page.locator(NOTICE)
    assert notice.count() == 1
    assert "version 1.0.0 of the data" in notice.inner_text() and "A newer version, 2.0.0" in notice.inner_text()
    # the old numbers: 1.0.0 dated Table 1's gifts to 26 May 2020, so Fujian's 8 count in May 2020
    summary = main.get_by_text(re.compile(r"8 donation records from 4 givers")).first
    assert "1,000,000" in summary.inner_text() and "340,000" in summary.inner_text()
    # the latest: no gift counted in that month, the 7 listed by 26 May said to be possibly in it
    notice.get_by_role("button", name="Show the latest version (2.0.0)").click()
    settle(page)
    assert "version=" not in page.url and "province=Fujian" in page.url
    assert page.locator(NOTICE).count() == 0
    assert main.get_by_text(re.compile(r"may fall in it: 7 records")).count() == 1
    assert main.get_by_text("No records match these filters").count() == 1
