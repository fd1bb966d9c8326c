"""Every source gives its public web address or says why it has none; Chinese readers get a marked translation of its title."""
import re

import pytest

from atlas.i18n import has, t
from components.frame import source_line
from tests.test_pages import run

ADDRESS = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}/\S*$")  # as published: a few government pages are http only


def sources(bundled):
    return [r for _, r in bundled.sources.iterrows()]


def test_every_source_has_an_address_or_says_why_not(bundled):
    for r in sources(bundled):
        if r["url"]:
            assert ADDRESS.match(r["url"]) and not r["url_note"], r["source_id"]
        else:
            assert r["url_note"] and has(f"sources.no_url.{r['url_note']}") and has(f"sources.no_url.{r['url_note']}", "zh"), r["source_id"]
    urls = dict(zip(bundled.sources["source_id"], bundled.sources["url"]))
    # The addresses the project's notes give (../shared/data/README.md): the China Daily dialogue and the scrape's repository.
    assert urls["chinadaily2022"].endswith("/WS626b29c2a310fd2b29e5a08a.html")
    assert urls["wikipedia-sister-cities"] == "https://github.com/Hekman/twincities"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_source_line_shows_the_address_or_the_reason(bundled, lang):
    lines = {r["source_id"]: source_line(r, lang).replace("\\", "") for r in sources(bundled)}
    assert "https://github.com/Hekman/twincities" in lines["wikipedia-sister-cities"]
    assert t("sources.no_url.print_issue", lang) in lines["bjreview2023"]
    if lang == "zh":
        line = lines["ccg2020"]
        assert "本图谱自译" in line and "英文原题" in line  # the translation and the original, each marked
        # the Chinese title first (issue #31), the original after it
        assert 0 <= line.index("新冠疫情下的中美民间合作") < line.index("China-US non-governmental cooperation in response to COVID-19")
        assert "(2020)" not in line and "（2020年）" in line
    else:
        assert "本图谱自译" not in lines["ccg2020"]


def test_the_data_page_lists_every_source_with_address_or_reason():
    at = run({"lang": "zh"}, "pages/data_sources.py")
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "数字技术如何服务公益" in text and "所存副本未提供网址" in text
