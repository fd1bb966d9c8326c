"""Citations, one model in five styles (issue #33): APA, GB/T 7714-2015, BibTeX, RIS and CSL-JSON.

A `Work` is what a reader cites: the atlas, its data package, or one chart, map or table as it was seen (its
title, the view's address with its filters, the language). Every style names the atlas as the author (an
organisation, never an invented person), the package version, the access date, and the underlying sources the
work draws (`Source`: a row of the package's `sources` table, with where in it, e.g. the CCG report's Table 4).

Nothing here is made up: a work whose package states no publication date is cited without one (APA "n.d.", as
APA cites a dashboard that is updated in place; GB/T 7714 leaves its optional date out), and a source's
publisher, date and address are those of `sources.csv` or absent. Pure Python: the caller (the HTTP routes, the
"Link, embed, cite" panel) builds the `Work` from the package.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from .i18n import t

ATLAS = "Cooperation Atlas"
ATLAS_ZH = "合作图谱"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
KINDS = ("atlas", "package", "chart", "map", "table")   # locale keys cite.kind_<kind>
FORMATS = {"bib": "application/x-bibtex; charset=utf-8", "ris": "application/x-research-info-systems; charset=utf-8",
           "json": "application/vnd.citationstyles.csl+json", "txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class Source:
    """A document a work draws, as `sources.csv` describes it, and where in it (a table, a section)."""
    id: str
    title: str
    publisher: str = ""
    published: str = ""        # YYYY, YYYY-MM or YYYY-MM-DD, or "" where the copy held does not say
    url: str = ""
    where: str = ""            # "Table 4", "表4": where in it the work draws
    kind: str = ""             # the source's note in sources.csv ("published report; ...", "news feature; ...")

    @property
    def year(self) -> str:
        return self.published[:4] if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", self.published or "") else ""

    @property
    def type(self) -> str:
        """"report", "news", "web" or "other", from the source's note in sources.csv and whether it has an address."""
        note = self.kind.lower()
        if "news" in note or "article" in note:
            return "news"
        if note.startswith(("published report", "report")):
            return "report"
        return "web" if self.url else "other"


@dataclass(frozen=True)
class Work:
    key: str                   # "atlas", "package" or an exhibit's name
    kind: str                  # "atlas" | "package" | "chart" | "map" | "table"
    title: str                 # in the reader's language
    version: str               # the data package's version
    url: str                   # the address of exactly this view (filters and language)
    accessed: dt.date
    lang: str = "en"
    licence: str = ""          # e.g. "CC-BY-SA-4.0"
    licence_url: str = ""
    published: str = ""        # the package's publication date if its descriptor states one, else ""
    filters: str = ""          # the view's filters in words ("" when none)
    sources: tuple[Source, ...] = ()
    more_sources: int = 0      # further sources the work draws that are not named here (listed in sources.csv)
    description: str = ""

    @property
    def atlas(self) -> str:
        return f"{ATLAS}（{ATLAS_ZH}）" if self.lang == "zh" else ATLAS   # a name, the same in both languages

    @property
    def year(self) -> str:
        return self.published[:4] if re.fullmatch(r"\d{4}.*", self.published or "") else ""

    @property
    def kind_label(self) -> str:
        return t(f"cite.kind_{self.kind if self.kind in KINDS else 'chart'}", self.lang)

    @property
    def ident(self) -> str:
        """A citation key: the atlas, the work and the version (`cooperation-atlas-flow-map-1.0.0`)."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.key).strip("-") or "atlas"
        version = re.sub(r"[^A-Za-z0-9.]+", "-", self.version)
        return "cooperation-atlas" + ("" if slug == "atlas" else f"-{slug}") + (f"-{version}" if version else "")


# --- words shared by the styles ------------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _end(text: str, lang: str = "en") -> str:
    """`text` ending with one full stop (none added after ?, ! or a full stop; in Chinese "。" after Chinese text)."""
    text = _one_line(text)
    if not text or text[-1] in ".?!。？！":
        return text
    return text + ("。" if lang == "zh" and re.match(r"[\u3000-\u9fff\uff00-\uffef]", text[-1]) else ".")


def source_reference(source: Source, lang: str) -> str:
    """A source as APA (en) or GB/T 7714 (zh) would list it, with where in it the work draws."""
    publisher = _one_line(source.publisher)
    if lang == "zh":
        mark = {"report": "R", "news": "N", "web": "EB/OL"}.get(source.type, "Z")
        text = f"{publisher + '. ' if publisher else ''}{source.title}[{mark}]"
        text += f". {source.year}" if source.year else ""
        text += f": {source.where}" if source.where else ""
        return _end(text + (f". {source.url}" if source.url else ""))
    if publisher:
        text = f"{_end(publisher)} ({source.year or 'n.d.'}). {_end(source.title)}"
    else:
        text = f"{_end(source.title)} ({source.year or 'n.d.'})."
    text += f" {_end(source.where)}" if source.where else ""
    return text + (f" {source.url}" if source.url else "")


def sources_sentence(work: Work) -> str:
    """"Data from: <source>; <source> (and N further sources listed in sources.csv)" in the work's language."""
    if not work.sources:
        return ""
    refs = [source_reference(s, work.lang).rstrip(".。") for s in work.sources]
    more = t("cite.more_sources", work.lang, n=work.more_sources) if work.more_sources else ""
    return _end(t("cite.data_from", work.lang, sources=t("cite.separator", work.lang).join(refs), more=more))


def _cited_by(source: Source, work: Work) -> str:
    """A source's note: where in it the work draws, and which citation of the atlas cites it."""
    cited = t("cite.cited_by", work.lang, atlas=work.atlas, ident=work.ident)
    return _one_line(f"{_end(source.where)} {cited}" if source.where else cited)


def _accessed_en(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


# --- the five styles -----------------------------------------------------------------------------------------------

def apa(work: Work) -> str:
    """APA 7 (an organisation as author; "n.d." and a retrieval date for a work updated in place), then its sources."""
    kind = t("cite.apa_kind", work.lang, kind=work.kind_label, version=work.version) if work.version else f"[{work.kind_label}]"
    head = f"{work.atlas}. ({work.year or 'n.d.'}). {_end(f'{work.title} {kind}')}"
    filters = f" {_end(work.filters)}" if work.filters else ""
    retrieved = f" Retrieved {_accessed_en(work.accessed)}, from {work.url}"
    data_from = sources_sentence(work)
    return head + filters + retrieved + (f" {data_from}" if data_from else "")


def gbt7714(work: Work) -> str:
    """GB/T 7714-2015 for an electronic resource: 责任者. 题名[DS/OL 或 EB/OL]. 版本. (日期)[引用日期]. 获取路径. and its sources."""
    mark = "DS/OL" if work.kind == "package" else "EB/OL"
    parts = [f"{work.atlas}. {work.title}[{mark}]"]
    if work.version:
        parts.append(t("cite.version", work.lang, version=work.version))
    dated = (f"({work.published})" if work.published else "") + f"[{work.accessed.isoformat()}]"
    parts.append(dated)
    parts.append(work.url)
    text = ". ".join(parts) + "."
    if work.filters:
        text += " " + _end(t("cite.filters", work.lang, filters=work.filters), work.lang)
    data_from = sources_sentence(work)
    return text + (f" {data_from}" if data_from else "")


def text(work: Work, style: str | None = None) -> str:
    """The reader's style by default: APA in English, GB/T 7714 in Chinese."""
    style = style or ("gbt7714" if work.lang == "zh" else "apa")
    return gbt7714(work) if style == "gbt7714" else apa(work)


def note(work: Work) -> str:
    """What a reference manager keeps beside the fields: version, access date, filters, licence and the sources."""
    lang = work.lang
    bits = [t("cite.package_version", lang, version=work.version) if work.version else "",
            t("cite.accessed", lang, date=work.accessed.isoformat()),
            t("cite.filters", lang, filters=work.filters) if work.filters else "",
            t("cite.licence", lang, licence=work.licence) if work.licence else ""]
    head = _end(t("cite.separator", lang).join(b for b in bits if b))
    return _one_line(head + " " + sources_sentence(work))


_BIB_SPECIAL = re.compile(r"([&%$#_])")


def _bib(value: str) -> str:
    """A BibTeX field's text: LaTeX's special characters escaped, braces and backslashes (which would unbalance the
    entry or start a command) replaced by their look-alikes."""
    value = _one_line(value).replace("\\", "/").replace("{", "(").replace("}", ")")
    value = value.replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")
    return _BIB_SPECIAL.sub(r"\\\1", value)


def _bib_url(value: str) -> str:
    """A URL in a BibTeX field: kept as typed but for characters that would end the field."""
    return re.sub(r"[{}\\\s]", lambda m: "%{:02X}".format(ord(m.group())), value)


def _bib_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def bibtex(work: Work) -> str:
    """One `@misc` entry for the work (the atlas as a corporate author, in double braces), then one per source."""
    fields = [("title", "{" + _bib(work.title) + "}"), ("author", "{" + _bib(ATLAS) + "}"),
              ("organization", _bib(ATLAS)), ("howpublished", _bib(f"{ATLAS}, {work.kind_label}")),
              ("version", _bib(work.version)), ("year", work.year), ("url", _bib_url(work.url)),
              ("urldate", work.accessed.isoformat()), ("language", "chinese" if work.lang == "zh" else "english"),
              ("note", _bib(note(work)))]
    out = [_bib_entry("misc", work.ident, fields)]
    for s in work.sources:
        kind = "techreport" if s.type == "report" else "misc"
        fields = [("title", "{" + _bib(s.title) + "}"),
                  ("author" if s.type != "report" else "institution", "{" + _bib(s.publisher) + "}" if s.publisher else ""),
                  ("year", s.year), ("url", _bib_url(s.url) if s.url else ""),
                  ("note", _bib(_cited_by(s, work)))]
        out.append(_bib_entry(kind, f"{re.sub(r'[^A-Za-z0-9-]+', '-', s.id)}", fields))
    return "\n".join(out)


def _ris_line(tag: str, value: str) -> str:
    value = _one_line(value)
    return f"{tag}  - {value}\n" if value else ""


def ris(work: Work) -> str:
    """RIS: a `TY  - DATA` record for the work, then one record per source; each ends with `ER  - `."""
    out = ["TY  - DATA\n", _ris_line("TI", work.title), _ris_line("AU", f"{ATLAS},"), _ris_line("PB", ATLAS),
           _ris_line("ET", work.version), _ris_line("PY", work.year), _ris_line("UR", work.url),
           _ris_line("Y2", work.accessed.strftime("%Y/%m/%d")), _ris_line("LA", "zh" if work.lang == "zh" else "en"),
           _ris_line("DB", ATLAS), _ris_line("N1", note(work)), _ris_line("ID", work.ident), "ER  - \n"]
    for s in work.sources:
        kind = {"report": "RPRT", "news": "NEWS", "web": "ELEC"}.get(s.type, "GEN")
        out += ["\n", f"TY  - {kind}\n", _ris_line("TI", s.title), _ris_line("AU", f"{s.publisher}," if s.publisher else ""),
                _ris_line("PY", s.year), _ris_line("UR", s.url), _ris_line("N1", _cited_by(s, work)),
                _ris_line("ID", s.id), "ER  - \n"]
    return "".join(out)


def _csl_date(day: dt.date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def _csl_issued(published: str) -> dict | None:
    parts = [int(p) for p in re.findall(r"\d+", published or "")[:3]]
    return {"date-parts": [parts]} if parts else None


def csl(work: Work) -> list[dict]:
    """CSL-JSON: the work as a `dataset` (the atlas a literal, institutional author), then each source."""
    item = {"id": work.ident, "type": "dataset", "title": work.title, "author": [{"literal": ATLAS}],
            "publisher": ATLAS, "version": work.version, "URL": work.url, "accessed": _csl_date(work.accessed),
            "language": "zh-CN" if work.lang == "zh" else "en", "note": note(work), "medium": work.kind_label}
    if issued := _csl_issued(work.published):
        item["issued"] = issued
    items = [{k: v for k, v in item.items() if v}]
    for s in work.sources:
        kind = {"report": "report", "news": "article-newspaper"}.get(s.type, "webpage")
        src = {"id": s.id, "type": kind, "title": s.title, "author": [{"literal": s.publisher}] if s.publisher else [],
               "publisher": s.publisher, "URL": s.url, "note": _cited_by(s, work)}
        if issued := _csl_issued(s.published):
            src["issued"] = issued
        items.append({k: v for k, v in src.items() if v})
    return items


def csl_json(work: Work) -> str:
    return json.dumps(csl(work), ensure_ascii=False, indent=2)


def render(work: Work, fmt: str) -> str:
    """The work in `fmt`: bib, ris, json (CSL-JSON) or txt (the reader's style, then the other)."""
    if fmt == "bib":
        return bibtex(work)
    if fmt == "ris":
        return ris(work)
    if fmt == "json":
        return csl_json(work)
    if fmt == "txt":
        first, second = ("gbt7714", "apa") if work.lang == "zh" else ("apa", "gbt7714")
        return f"{text(work, first)}\n\n{text(work, second)}\n"
    raise ValueError(f"no citation format {fmt!r}")
