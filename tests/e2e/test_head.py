"""A page's <head> in the browser (issue #33): after Streamlit has drawn the page, its head still carries the citation
tags Zotero's connector reads, an og:image that is the page's main chart with the link's own filters, and the
Dataset JSON-LD; the chart's "Link, embed, cite" links to a BibTeX file of this chart and these filters."""
import json
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import bibtexparser

from .conftest import settle

HEAD = """() => {
  const meta = {};
  for (const m of document.head.querySelectorAll('meta[name], meta[property]'))
    (meta[m.getAttribute('name') || m.getAttribute('property')] ||= []).push(m.getAttribute('content'));
  const links = [...document.head.querySelectorAll('link[rel]')].map(l => ({rel: l.rel, type: l.type, href: l.getAttribute('href')}));
  const ld = [...document.head.querySelectorAll('script[type="application/ld+json"]')].map(s => s.textContent);
  return {meta, links, ld};
}"""


def package_loaded(app_url: str) -> None:
    """Until the package is loaded the page is served without its tags (not held back): wait for /healthz's 200."""
    for _ in range(600):
        try:
            if urllib.request.urlopen(app_url + "/healthz", timeout=5).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)  # polling a condition (the health check), not waiting a fixed time for the page
    raise AssertionError("the package never loaded")


def test_a_pages_head_has_its_citation_tags_its_filtered_share_image_and_dataset_json_ld(page, app_url):
    package_loaded(app_url)
    page.goto(f"{app_url}/flows?province=Fujian&lang=zh")
    settle(page)
    head = page.evaluate(HEAD)
    meta = head["meta"]
    for name in ("citation_title", "citation_author", "citation_public_url", "citation_publisher", "DC.title",
                 "DC.creator", "DC.identifier", "DC.rights", "og:title", "og:url", "og:image", "twitter:image"):
        assert meta.get(name) and meta[name][0], name
    assert meta["citation_author"] == ["Cooperation Atlas"] and "福建" in meta["citation_title"][0]
    assert meta["twitter:card"] == ["summary_large_image"]
    image = urlsplit(meta["og:image"][0])
    assert image.path == "/charts/flow-map.png"
    assert parse_qs(image.query) == {"province": ["Fujian"], "lang": ["zh"], "size": ["card"]}
    # what Zotero keeps names the version of the data seen (issue 33); the shared link follows the latest
    assert parse_qs(urlsplit(meta["citation_public_url"][0]).query) == {"province": ["Fujian"], "lang": ["zh"],
                                                                        "version": ["2.0.0"]}
    assert parse_qs(urlsplit(meta["og:url"][0]).query) == {"province": ["Fujian"], "lang": ["zh"]}
    assert any(link["type"] == "application/json+oembed" for link in head["links"])
    assert any(link["rel"] == "cite-as" for link in head["links"])
    [ld] = head["ld"]
    dataset = json.loads(ld)
    assert dataset["@type"] == "Dataset" and dataset["name"] and dataset["license"] and dataset["distribution"]


def test_the_charts_panel_links_to_a_bibtex_file_of_this_chart_and_its_filters(page, app_url):
    page.goto(f"{app_url}/?province=Fujian")
    settle(page)
    page.locator('[class*="st-key-share_items"] summary').first.click()
    link = page.locator('[class*="st-key-cite_items_bib"]').get_by_role("link").first
    link.wait_for(timeout=60_000)
    href = link.get_attribute("href")
    parts = urlsplit(href)
    assert parts.path == "/api/v1/cite/items-each-way.bib" and parse_qs(parts.query)["province"] == ["Fujian"]
    body = urllib.request.urlopen(app_url + parts.path + "?" + parts.query, timeout=60).read().decode("utf-8")
    library = bibtexparser.parse_string(body)
    assert not library.failed_blocks
    fields = {f.key: f.value for f in library.entries[0].fields}
    assert "province=Fujian" in fields["url"] and "China-US non-governmental cooperation" in fields["note"]
    # the panel's text is the citation in the reader's style, naming the report and its tables
    panel = page.locator('[class*="st-key-share_items"]').first.inner_text()
    assert "Cooperation Atlas. (n.d.)" in panel and "Tables 1 and 2" in panel
