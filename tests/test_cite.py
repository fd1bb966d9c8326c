"""atlas.cite through real parsers (issue #33): BibTeX read by bibtexparser, RIS by rispy, CSL-JSON rendered by citeproc-py
with Debian's CSL styles (APA, GB/T 7714-2015), for the atlas and for a chart, in both languages; each names the atlas,
the underlying source (the CCG report, its Table 4), the version and the access date."""
import datetime as dt
from pathlib import Path

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from atlas import cite
from atlas.filters import parse_query
from components import citations, data

TODAY = dt.date(2026, 12, 6)
BASE = "http://localhost:8501"
STYLES = Path("/usr/share/citation-style-language/styles")   # Debian's citation-style-language-styles
CCG = "China-US non-governmental cooperation in response to COVID-19"
WORKS = [("atlas", {}), ("corporate-giving", {"currency": ["USD"]}), ("items-each-way", {"province": ["Fujian"]})]


def work(name: str, query: dict, lang: str) -> cite.Work:
    state = parse_query({**query, "lang": [lang]}, data.vocab()).state
    return citations.work(name, state, BASE, TODAY)


def version() -> str:
    return data.get().package.descriptor["version"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name,query", WORKS)
def test_bibtex_parses_and_names_the_atlas_the_source_the_version_and_the_access_date(name, query, lang):
    w = work(name, query, lang)
    library = bibtexparser.parse_string(cite.bibtex(w))
    assert not library.failed_blocks
    main, *sources = library.entries
    fields = {f.key: f.value for f in main.fields}
    assert main.entry_type == "misc" and main.key == w.ident and version() in main.key
    assert fields["author"] == "{Cooperation Atlas}"          # an organisation: BibTeX must not split it into names
    assert fields["version"] == version() and fields["urldate"] == "2026-12-06"
    assert fields["url"].startswith(BASE) and CCG in fields["note"] and version() in fields["note"]
    assert [s.key for s in sources][:1] == ["ccg2020"]       # the report, as an entry of its own
    ccg = {f.key: f.value for f in sources[0].fields}
    assert CCG in ccg["title"] and ccg["year"] == "2020"
    if name == "corporate-giving":
        assert ("表4" if lang == "zh" else "Table 4") in fields["note"] and "currency=USD" in fields["url"]
    if name == "items-each-way":
        assert "province=Fujian" in fields["url"] and ("福建" if lang == "zh" else "Fujian") in fields["note"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name,query", WORKS)
def test_ris_parses_as_a_data_record_with_the_source_the_version_and_the_access_date(name, query, lang):
    w = work(name, query, lang)
    text = cite.ris(w)
    assert text.startswith("TY  - DATA\n") and text.endswith("ER  - \n")
    records = rispy.loads(text)
    main, *sources = records
    assert main["type_of_reference"] == "DATA" and main["title"] == w.title
    assert main["authors"] == ["Cooperation Atlas,"] and main["publisher"] == "Cooperation Atlas"
    assert main["edition"] == version() and main["access_date"] == "2026/12/06"
    assert main["urls"] == [w.url] and CCG in main["notes"][0]
    assert sources[0]["type_of_reference"] == "RPRT" and CCG in sources[0]["title"] and sources[0]["year"] == "2020"


def bibliography(items: list[dict], style: str) -> list[str]:
    source = CiteProcJSON(items)
    bib = CitationStylesBibliography(CitationStylesStyle(str(STYLES / style), validate=False), source, formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bib.bibliography()]


@pytest.mark.skipif(not STYLES.is_dir(), reason="Debian's citation-style-language-styles is not installed (make system-deps)")
@pytest.mark.parametrize("lang,style", [("en", "apa.csl"), ("zh", "china-national-standard-gb-t-7714-2015-numeric.csl")])
@pytest.mark.parametrize("name,query", WORKS)
def test_csl_json_renders_through_citeproc_in_apa_and_gbt_7714(name, query, lang, style):
    w = work(name, query, lang)
    items = cite.csl(w)
    assert items[0]["type"] == "dataset" and items[0]["version"] == version()
    assert items[0]["accessed"] == {"date-parts": [[2026, 12, 6]]} and CCG in items[0]["note"]
    rendered = bibliography(items, style)
    assert len(rendered) == len(items)
    atlas, ccg = rendered[0], next(r for r in rendered if CCG in r)
    assert "cooperation atlas" in atlas.lower() and w.url in atlas and w.title in atlas
    if lang == "en":
        assert "Retrieved December 6, 2026" in atlas and "(n.d.)" in atlas and "(2020)" in ccg
    else:
        assert "[2026-12-06]" in atlas and "[DS/OL]" in atlas and "[R]" in ccg and "2020" in ccg


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_styled_text_names_the_atlas_version_access_date_and_source(lang):
    w = work("corporate-giving", {}, lang)
    apa, gbt = cite.apa(w), cite.gbt7714(w)
    assert apa.startswith("Cooperation Atlas") and (f"version {version()}" in apa or f"版本 {version()}" in apa)
    assert "Retrieved December 6, 2026, from http://localhost:8501/corporate" in apa and CCG in apa
    assert "[EB/OL]" in gbt and "[2026-12-06]" in gbt and f"{version()}" in gbt and CCG in gbt
    assert ("表4" if lang == "zh" else "Table 4") in gbt
    assert cite.text(w).startswith(("Cooperation Atlas（合作图谱）" if lang == "zh" else "Cooperation Atlas. (n.d.)"))
    assert cite.render(w, "txt").splitlines()[0] == cite.text(w)


def test_no_date_is_invented_and_a_stated_one_is_used():
    w = work("atlas", {}, "en")
    assert w.published == "" and "(n.d.)" in cite.apa(w) and "year" not in cite.bibtex(w).split("@")[1]
    assert "issued" not in cite.csl(w)[0] and "PY  - " not in cite.ris(w).split("ER  - ")[0]
    dated = cite.Work(**{**w.__dict__, "published": "2026-12-01"})
    assert "(2026)" in cite.apa(dated) and cite.csl(dated)[0]["issued"] == {"date-parts": [[2026, 12, 1]]}
    assert "(2026-12-01)[" in cite.gbt7714(dated)


def test_hostile_text_cannot_break_a_bibtex_or_ris_record():
    w = cite.Work(key="x", kind="chart", title="A} @misc{evil, title={x\nTY  - JOUR % & $ # _ \\input{/etc/passwd}",
                  version="1.0.0", url="http://h/x?q=}{\\", accessed=TODAY,
                  sources=(cite.Source("s1", "T}itle\nER  - ", "Pub{", "2020", kind="published report"),))
    library = bibtexparser.parse_string(cite.bibtex(w))
    assert not library.failed_blocks and [e.key for e in library.entries] == ["cooperation-atlas-x-1.0.0", "s1"]
    title = {f.key: f.value for f in library.entries[0].fields}["title"]
    assert "\\input" not in title and "\n" not in title
    records = rispy.loads(cite.ris(w))
    assert [r["type_of_reference"] for r in records] == ["DATA", "RPRT"]


@pytest.mark.parametrize("fmt", ["bib", "ris", "json", "txt"])
def test_every_exhibit_and_the_package_can_be_cited(fmt):
    from components import exhibits
    for name in ["atlas", "package", *exhibits.BY_NAME]:
        w = work(name, {}, "en")
        assert w.sources, name
        assert version() in cite.render(w, fmt), (name, fmt)
