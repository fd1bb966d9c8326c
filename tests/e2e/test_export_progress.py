"""Exports say they are being prepared (issue #31): a download that takes over a second shows "Preparing the file…"
on its link and in a status region, and the file still arrives under the name the app gives it."""
from .conftest import settle

WATCH = """() => { window.atlasBusySeen = [];
  new MutationObserver((ms) => ms.forEach((m) => { const v = m.target.dataset && m.target.dataset.atlasBusy;
    if (v && v !== "pending") window.atlasBusySeen.push(v); }))
  .observe(document.body, {attributes: true, attributeFilter: ["data-atlas-busy"], subtree: true}); }"""


def test_a_slow_export_says_it_is_being_prepared_and_arrives(page, app_url, tmp_path):
    # a view no one has drawn yet: its PNG is drawn after the click (or is still being drawn ahead)
    page.goto(f"{app_url}/flows?province=Guangdong&state=California&lang=zh")
    settle(page)
    page.evaluate(WATCH)
    link = page.locator(".st-key-dl_flows_png").get_by_role("link").first
    with page.expect_download(timeout=120_000) as info:
        link.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert download.suggested_filename.endswith(".png") and "flow-map" in download.suggested_filename
    took = page.evaluate("() => window.atlasLastDownloadMs")
    seen = page.evaluate("() => window.atlasBusySeen")
    assert took <= 1000 or seen == ["正在生成文件……"], (took, seen)
    # and the status region is empty again, the link usable
    assert page.locator(".atlas-status").inner_text() == ""
