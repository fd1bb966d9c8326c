"""What a page's `<head>` says about it (issue #33): citation and Dublin Core tags for reference managers (Zotero's
connector reads them), Open Graph and Twitter card tags whose image is the page's main chart with the link's own
filters, oEmbed discovery, `rel="cite-as"`, and schema.org `Dataset` JSON-LD (also served whole at
`/api/v1/dataset.jsonld`).

Everything here is made from a parsed URL state (`atlas.filters.parse_query`: what a page would warn about is
already dropped), the locale catalogues and the package; every value is escaped as attribute text, and the JSON-LD
has `<`, `>` and `&` as `\\u` escapes, so no value (a search typed in `q=`, a source's title) can end the tag or the
script it sits in.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any, Mapping
from urllib.parse import urlencode

from atlas import cite
from atlas.filters import FIELDS, active, to_query
from atlas.i18n import t

from . import citations, data, exhibits, site

CARD = "size=card"   # the share image's size (1200x630), served at /charts/<name>.png?...&size=card


def attr(value: Any) -> str:
    """Text as an HTML attribute value: quotes, <, > and & as entities, control characters and newlines as spaces."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", "" if value is None else str(value))
    return html.escape(text, quote=True)


def script_json(body: Any) -> str:
    """JSON for a <script type="application/ld+json">: <, > and & as \\u escapes, so no `</script>` can end it."""
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_fields(page_key: str) -> tuple[str, ...]:
    """The URL fields a page reads: its filters, its exhibits' view options, the language (the data page: its table)."""
    names = {"lang", *site.BY_KEY[page_key].applies}
    for ex in exhibits.EXHIBITS:
        if ex.page == page_key:
            names.update(ex.names())
    if page_key == "data":
        names.add("table")
    return tuple(f.name for f in FIELDS if f.name in names)


def page_state(page_key: str, state: Mapping[str, Any]) -> dict:
    """`state` with every field the page does not read at its default: what the head depends on."""
    keep = set(page_fields(page_key))
    return {f.name: (state.get(f.name, f.default) if f.name in keep else f.default) for f in FIELDS}


def cache_key(page_key: str, state: Mapping[str, Any]) -> tuple:
    """The head's key: the page and its own fields as the URL writes them (normalised: one key per view)."""
    return (page_key, exhibits.cache_key(page_state(page_key, state), data.vocab()))


def main_exhibit(page_key: str, state: Mapping[str, Any] | None = None) -> exhibits.Exhibit:
    """The page's main exhibit (`exhibits.main_exhibit`, its share card); the data page, which has none, the atlas's
    first."""
    return exhibits.main_exhibit(page_key) or next(ex for ex in exhibits.EXHIBITS if ex.kind != "table")


def cited_exhibit(page_key: str, state: Mapping[str, Any]) -> exhibits.Exhibit:
    """What the page's citation files cite: the data page's open table, else the page's main exhibit."""
    if page_key == "data" and state.get("table") in exhibits.BY_NAME:
        return exhibits.BY_NAME[state["table"]]
    return main_exhibit(page_key, state)


def _with(path: str, extra: str) -> str:
    return path + ("&" if "?" in path else "?") + extra


def page_url(page_key: str, state: Mapping[str, Any], base: str) -> str:
    q = [(k, v) for k, vs in to_query(page_state(page_key, state), data.vocab()).items() for v in vs]
    return base + site.BY_KEY[page_key].path + ("?" + urlencode(q) if q else "")


def _meta(name: str, content: str, prop: bool = False) -> str:
    return f'<meta {"property" if prop else "name"}="{attr(name)}" content="{attr(content)}">'


def tags(page_key: str, state: Mapping[str, Any], base: str, exhibit: exhibits.Exhibit | None = None,
         url: str | None = None) -> str:
    """Every tag of the head for page `page_key` in `state` (`exhibit`: an embed of that one exhibit)."""
    lang = state.get("lang", "en")
    vocab = data.vocab()
    descriptor = data.get().package.descriptor
    version = str(descriptor.get("version", ""))
    licence = next(iter(descriptor.get("licenses", [])), {})
    page = site.BY_KEY[page_key]
    url = url or page_url(page_key, state, base)
    # what a reference manager keeps names the version of the data seen (the page's own link follows the latest)
    cited_url = page_url(page_key, exhibits.pinned(state), base) if exhibit is None else url
    shown = exhibit or main_exhibit(page_key, state)
    cited = exhibit or cited_exhibit(page_key, state)
    work = citations.work(cited.name, state, base)
    atlas_name = cite.ATLAS if lang == "en" else f"{cite.ATLAS_ZH} {cite.ATLAS}"
    filters = [n for n in active(state, FIELDS) if n in page.applies]
    heading = t(f"page.{page_key}", lang) if exhibit is None else work.title
    if filters:
        heading += ("：" if lang == "zh" else ": ") + exhibits.Ask(data.get(), state).describe(
            shown.filters if exhibit else page.applies)
    title = f"{heading} · {atlas_name}"
    description = t("meta.description", lang, purpose=t(f"purpose.{page_key}", lang), version=version,
                    licence=licence.get("name", ""))
    image = base + _with(exhibits.address(shown, "png", state, vocab), CARD)
    oembed = base + "/api/v1/oembed?" + urlencode({"url": url, "format": "json"})
    cite_q = urlencode(exhibits.query_of(cited, state, vocab))
    cite_path = f"/api/v1/cite/{cited.name}"
    out = [
        _meta("description", description),
        _meta("citation_title", heading), _meta("citation_author", cite.ATLAS), _meta("citation_publisher", cite.ATLAS),
        _meta("citation_public_url", cited_url), _meta("citation_language", "zh" if lang == "zh" else "en"),
    ]
    if work.published:   # only a date the package states: none is invented
        out += [_meta("citation_publication_date", work.published.replace("-", "/")), _meta("DC.date", work.published)]
    out += [
        _meta("DC.title", heading), _meta("DC.creator", cite.ATLAS), _meta("DC.publisher", cite.ATLAS),
        _meta("DC.identifier", cited_url), _meta("DC.language", "zh" if lang == "zh" else "en"), _meta("DC.type", "Dataset"),
        _meta("DC.rights", f"{licence.get('title') or licence.get('name', '')} ({licence.get('path', '')})"),
        _meta("DC.description", f"{description} {cite.sources_sentence(work)}".strip()),
        *(_meta("DC.source", cite.source_reference(s, lang)) for s in work.sources),
        f'<link rel="cite-as" href="{attr(cited_url)}">',
        f'<link rel="license" href="{attr(licence.get("path", ""))}">' if licence.get("path") else "",
        *(f'<link rel="alternate" type="{attr(mime.split(";")[0])}" title="{attr(t(label, lang))}" '
          f'href="{attr(base + cite_path + "." + ext + ("?" + cite_q if cite_q else ""))}">'
          for ext, mime, label in (("bib", cite.FORMATS["bib"], "cite.bib"), ("ris", cite.FORMATS["ris"], "cite.ris"),
                                   ("json", cite.FORMATS["json"], "cite.csl"))),
        f'<link rel="alternate" type="application/json+oembed" href="{attr(oembed)}" title="{attr(title)}">',
        _meta("og:type", "website", True), _meta("og:site_name", atlas_name, True), _meta("og:title", title, True),
        _meta("og:description", description, True), _meta("og:url", url, True), _meta("og:image", image, True),
        _meta("og:image:width", "1200", True), _meta("og:image:height", "630", True),
        _meta("og:image:alt", work.title, True), _meta("og:locale", "zh_CN" if lang == "zh" else "en_US", True),
        _meta("twitter:card", "summary_large_image"), _meta("twitter:title", title),
        _meta("twitter:description", description), _meta("twitter:image", image),
        _meta("twitter:image:alt", work.title),
        f'<script type="application/ld+json">{script_json(dataset(base, full=False))}</script>',
    ]
    return "\n    ".join(x for x in out if x)


# --- schema.org Dataset --------------------------------------------------------------------------------------------

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def temporal_coverage() -> str:
    """The first and last date the package's rows carry (flow records' months, dated figures, relationships' years),
    as an ISO 8601 interval."""
    def make() -> str:
        d = data.get()
        pkg = d.package
        values: list[str] = []
        for table, column in (("key_figures", "date"), ("donations", "as_of"), ("donations", "event_date"),
                              ("pairing_years", "year")):
            frame = pkg.tables.get(table)
            if frame is not None and column in frame.columns:
                values += [str(v) for v in frame[column].astype("string").dropna()]
        for column in ("date_start", "date_end"):
            if column in d.records.columns:
                values += [str(v) for v in d.records[column].astype("string").dropna()]
        dates = sorted(v for v in values if _DATE.fullmatch(v))
        return f"{dates[0]}/{dates[-1]}" if dates else ""
    return data.rendered(("temporal-coverage",), make)


def dataset(base: str, full: bool = True) -> dict:
    """The package as a schema.org `Dataset`: names and description in both languages, licence, creator, version,
    one `DataDownload` per table and the ZIP, temporal and spatial coverage, the sources it is based on
    (`full`: every source of sources.csv; else those a citation names, with the count of the others)."""
    pkg = data.get().package
    d = pkg.descriptor
    api = data.api_prefix()   # an earlier version's files at /api/v1/v/<version>/
    licence = next(iter(d.get("licenses", [])), {})
    org = {"@type": "Organization", "name": cite.ATLAS, "alternateName": cite.ATLAS_ZH, "url": base + "/"}
    sources = pkg.tables["sources"].astype(object).to_dict("records")
    if full:
        based_on = [citations._source(r, "en") for r in sources]  # noqa: SLF001 - one reading of a sources row
    else:
        based_on = list(citations.sources_of("package", "en")[0])
    body: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Dataset",
        "@id": base + api + "/dataset.jsonld",
        "name": d.get("title", cite.ATLAS),
        "alternateName": [t("cite.atlas_title", "zh"), cite.ATLAS, cite.ATLAS_ZH],
        "description": [{"@language": "en", "@value": d.get("description", "")},
                        {"@language": "zh-Hans", "@value": t("meta.dataset_description", "zh")}],
        # one landing page for the one dataset, whichever page carries it (an earlier version's: with its version)
        "url": base + site.BY_KEY["data"].path + ("" if api == "/api/v1" else "?" + urlencode({"version": d.get("version", "")})),
        "version": str(d.get("version", "")),
        "license": licence.get("path", ""),
        "isAccessibleForFree": True,
        "inLanguage": ["en", "zh-Hans"],
        "creator": org, "publisher": org,
        "temporalCoverage": temporal_coverage(),
        "spatialCoverage": [{"@type": "Country", "name": "China"}, {"@type": "Country", "name": "United States"}],
        "isBasedOn": [_creative_work(s) for s in based_on],
        "citation": [cite.source_reference(s, "en") for s in based_on],
        "distribution": [
            *({"@type": "DataDownload", "name": r["name"], "description": r.get("description", ""),
               "encodingFormat": "text/csv", "contentUrl": f"{base}{api}/{r['name']}.csv"} for r in d.get("resources", [])),
            {"@type": "DataDownload", "name": "cooperation-atlas-data.zip", "encodingFormat": "application/zip",
             "contentUrl": f"{base}{api}/cooperation-atlas-data.zip"},
            {"@type": "DataDownload", "name": "datapackage.json", "encodingFormat": "application/json",
             "contentUrl": f"{base}{api}/datapackage.json"},
        ],
    }
    if d.get("created"):   # a date only where the descriptor states one (Data Package's `created`): none is invented
        body["datePublished"] = str(d["created"])[:10]
    if not full:   # the page's head: every download without its description (the whole at /api/v1/dataset.jsonld)
        body["distribution"] = [{k: v for k, v in x.items() if k != "description"} for x in body["distribution"]]
    return body


def _creative_work(s: cite.Source) -> dict:
    work: dict[str, Any] = {"@type": "Report" if s.type == "report" else "NewsArticle" if s.type == "news" else "CreativeWork",
                            "name": s.title}
    if s.publisher:
        work["publisher"] = {"@type": "Organization", "name": s.publisher}
    if s.year:
        work["datePublished"] = s.published
    if s.url:
        work["url"] = s.url
    return work


def insert(page: str, head_tags: str, title: str | None = None) -> str:
    """`page` (an HTML document) with `head_tags` at the end of its head, and its <title> replaced by `title`."""
    if title is not None:
        page = re.sub(r"<title>.*?</title>", lambda m: f"<title>{html.escape(title, quote=False)}</title>", page,
                      count=1, flags=re.S)
    return page.replace("</head>", f"    {head_tags}\n  </head>", 1)


def title(page_key: str, state: Mapping[str, Any]) -> str:
    lang = state.get("lang", "en")
    return f"{t(f'page.{page_key}', lang)} · {cite.ATLAS if lang == 'en' else cite.ATLAS_ZH + ' ' + cite.ATLAS}"
