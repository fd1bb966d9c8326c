"""components/brief.py (issue #33): the one-page brief of /flows?province=Fujian in English and in Chinese, and the
share cards (`/charts/<name>.png?size=card`). Both draw with the system Chromium (the app tier, pytest.ini); the PDFs
are read with poppler's pdfinfo, pdftotext and pdfimages (Debian's poppler-utils, installed by `make test`).

The brief's numbers are the pages' own: the test asks the same functions the overview cards and the flows page call
(atlas.overview.headline_shown, atlas.flows.summary_words, the map's top_flow_lines) and finds their words in the PDF."""
import io
import re
import subprocess

import pytest

from atlas import flows, overview
from atlas.filters import Filters, parse_query
from components import brief, data, exhibits
from components.flow_map import top_flow_lines
from tests.test_embeds import HOST, get

pytestmark = pytest.mark.app
LOCAL = "http://127.0.0.1:8501"  # a host the server answers readers under: the brief's link names it


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8", "replace")


def plain(text: str) -> str:
    """Text as pdftotext gives it back: markdown marks and escapes gone, white space as one space."""
    return re.sub(r"\s+", " ", brief.md_html(text).replace("<strong>", "").replace("</strong>", "")
                  .replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")).strip()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def briefs():
    out = {}
    for lang in ("en", "zh"):
        answer = get(f"{LOCAL}/api/v1/brief.pdf?province=Fujian&page=flows&lang={lang}")
        assert answer.status_code == 200, answer.body[:300]
        assert answer.headers["content-type"] == "application/pdf"
        out[lang] = answer.body
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_fujian_brief_is_one_page_with_its_map_figures_sources_and_link(briefs, lang):
    pdf = briefs[lang]
    info = poppler("pdfinfo", pdf)
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"Page size:\s+594\.96 x 841\.92 pts \(A4\)", info), info
    images = poppler("pdfimages", pdf, "-list").splitlines()[2:]
    assert any(int(line.split()[3]) >= 1000 for line in images), images  # the map, at its export size
    text = squeeze(poppler("pdftotext", pdf, "-layout"))
    d = data.get()
    state = parse_query({"province": ["Fujian"], "lang": [lang]}, d.vocab).state
    ask = exhibits.Ask(d, state)
    view = data.view(overview.view, ask.filters(exhibits.RECORD_FILTERS), lang)
    shown = overview.headline_shown(view.summary, d.package, lang, True)
    for label, number, caption in shown["cards"]:
        assert squeeze(label) in text and squeeze(number) in text, (label, number)
    flows_view = data.view(flows.view, ask.filters(exhibits.FLOWS_FILTERS), lang)
    assert squeeze(plain(flows.summary_words(flows_view.summary, lang))) in text
    for line in top_flow_lines(flows_view.map, lang):
        assert squeeze(plain(line)) in text, line
    assert ("Fujian" if lang == "en" else "福建") in text
    assert squeeze(d.package.source_title("ccg2020")) in text or "全球化智库" in text or "CenterforChinaandGlobalization" in text
    link = f"{LOCAL}/flows?province=Fujian" + ("&lang=zh" if lang == "zh" else "") + "&version=2.0.0"  # the version shown
    assert squeeze(link) in text, "the link back to the view"
    assert d.package.descriptor["version"] in text
    assert ("CreativeCommons" in text) and ("NaturalEarth" in text)


def test_the_brief_fetches_nothing():
    """Printed from a file with a Content-Security-Policy that allows only images inside the page: no network."""
    d = data.get()
    state = parse_query({"province": ["Fujian"]}, d.vocab).state
    page = brief.html_of(brief.content(state, "flows", "http://testserver", b"\x89PNG fake"), "a4").decode()
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:;' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.I), "nothing to fetch"
    assert "<script" not in page and "<link" not in page


def test_a_letter_brief_is_one_letter_page():
    answer = get(f"{HOST}/api/v1/brief.pdf?province=Fujian&page=flows&paper=letter")
    info = poppler("pdfinfo", answer.body)
    assert re.search(r"^Pages:\s+1$", info, re.M) and "612 x 792 pts (letter)" in info, info


def test_data_text_in_the_brief_is_escaped():
    page = brief.html_of({**brief.content(parse_query({}, data.vocab()).state, "overview", "http://x", None),
                          "top": ["**1.** <img src=x onerror=alert(1)> \\*"], "summary": "<script>alert(1)</script>"}, "a4")
    assert b"<img src=x" not in page and b"<script>alert" not in page
    assert b"&lt;img src=x onerror=alert(1)&gt; *" in page


def card(url: str):
    from PIL import Image
    answer = get(url)
    assert answer.status_code == 200 and answer.body.startswith(b"\x89PNG"), answer.body[:200]
    return Image.open(io.BytesIO(answer.body)).convert("RGB")


def test_a_chart_card_is_1200_by_630_and_follows_the_links_filters():
    every, fujian = card(f"{HOST}/charts/provinces-and-states.png?size=card"), \
        card(f"{HOST}/charts/provinces-and-states.png?size=card&province=Fujian")
    assert every.size == fujian.size == (1200, 630)
    assert every.tobytes() != fujian.tobytes()


def test_a_map_card_is_1200_by_630_and_follows_the_links_filters():
    fujian, ohio = card(f"{HOST}/charts/flow-map.png?size=card&province=Fujian"), \
        card(f"{HOST}/charts/flow-map.png?size=card&state=Ohio")
    assert fujian.size == ohio.size == (1200, 630)
    assert fujian.tobytes() != ohio.tobytes()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_briefs_sources_are_those_its_citation_names(lang):
    # the brief listed the page's own sources (the CCG report only) while its citation, from the rows of Fujian's
    # flows, also named the Honolulu Star-Advertiser (Fuzhou's masks for Honolulu, delivered 23 June 2020)
    from components import citations
    state = parse_query({"province": "Fujian", "lang": lang}, data.vocab()).state
    c = brief.content(state, "flows", LOCAL, None)
    named, more = citations.sources_of("flow-map", lang, state)
    assert len(c["sources"]) == len(named) + (1 if more else 0)
    assert c["sources"][0].startswith("Center for China and Globalization (CCG)")
    assert any(s.startswith("Honolulu Star-Advertiser, Honolulu receives donated masks from Fuzhou (2020-06-23)")
               for s in c["sources"])
    assert "Star-Advertiser" in c["cite"]
