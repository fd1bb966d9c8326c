"""One small translation layer: every interface string is a key in locales/<lang>.json.

`t(key, lang, **values)` formats the string; `place_name`, `fmt_number` and friends give names
and numbers in the reader's language. Data values (names, quotes) are never translated here:
their Chinese forms come from the data package (places.name_zh, regions.name_zh, company_zh).
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}
_DIR = Path(__file__).parent / "locales"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


_missing: set[tuple[str, str]] = set()


def missing() -> set[tuple[str, str]]:
    """(lang, key) pairs asked for but absent from a catalogue since start-up: the tests require none."""
    return set(_missing)


def t(key: str, lang: str = "en", **values) -> str:
    lang = lang if lang in LANGS else "en"
    text = catalogue(lang).get(key)
    if text is None:
        _missing.add((lang, key))
        # a missing key shows its English text rather than failing, or else the key itself, escaped: keys are made
        # from data codes (`category.<code>`), and a code must never become a link or markup where it is shown
        text = catalogue("en").get(key)
        if text is None:
            return md(key)
    return text.format(**values) if values else text


_TABLE_ROW = re.compile(r"^Table (\d+), row (\d+)$")


def source_ref(ref: str, lang: str) -> str:
    """Where a record sits in its source, in the reader's language ("Table 1, row 8" -> "表1第8行").
    Other references quote the source's own words and stay as they are."""
    m = _TABLE_ROW.match(str(ref))
    return t("ref.table_row", lang, table=m.group(1), row=m.group(2)) if m else str(ref)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^%\"'])")
# GFM turns bare URLs and e-mail addresses in *text* into links after parsing, so escapes alone do not stop them
# (remark-gfm's autolink literals): a WORD JOINER (U+2060, invisible, not a word character) breaks the patterns
# `scheme://`, `www.` and `x@y`, so the text reads the same and nothing becomes a link.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?i)(:)(//)|(\bwww)(\.)|(@)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _autolink_break(m: re.Match) -> str:
    if m.group(1):
        return ":" + _WJ + "//"
    if m.group(3):
        return m.group(3) + _WJ + "."
    return _WJ + "@"


def md(value) -> str:
    """Data or URL text made safe for Streamlit markdown, the one escaping function for captions, warnings,
    expanders, tables and tooltips: every markup character is backslash-escaped (so `<img src=x>`,
    `[link](javascript:…)`, `![img](…)`, `:red[..]` and `$x$` show as typed), bare URLs and e-mail addresses
    cannot become autolinks, newlines become spaces, and control or bidi-override characters show as
    visible escapes (`\\u202e`) instead of reordering what follows."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text.replace("\r\n", " ").replace("\n", " "))
    text = _AUTOLINK.sub(_autolink_break, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


_SAFE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?")


def md_link(url) -> str:
    """A source's URL as a deliberate link where it is a plain http(s) address (the target percent-encoded, so
    no `)` or `<` can end it early), else as escaped text that cannot become a link."""
    from urllib.parse import quote
    text = "" if url is None else str(url)
    if not _SAFE_URL.fullmatch(text):
        return md(text)
    return f"[{md(text)}](<{quote(text, safe=':/?#@!$&*+,;=%~.-_')}>)"


def label(prefix: str, code: str, lang: str) -> str:
    """The display name of a vocabulary code, e.g. label('category', 'surgical_mask', 'zh')."""
    return t(f"{prefix}.{code}", lang)


def name(row, lang: str, en: str = "name_en", zh: str = "name_zh") -> str:
    """A place or region name in the reader's language, falling back to English where no Chinese name is known."""
    if lang == "zh":
        value = row.get(zh) if hasattr(row, "get") else row[zh]
        if isinstance(value, str) and value:
            return value
    value = row.get(en) if hasattr(row, "get") else row[en]
    return value if isinstance(value, str) else ""


def fmt_number(value, lang: str = "en", digits: int = 0) -> str:
    """Grouped numbers; in Chinese, large numbers in 万 and 亿 as Chinese readers write them."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if lang == "zh" and abs(v) >= 100_000:
        # exact in 万 (four decimals hold every unit), never rounded up to a rounder number (999,950 is 99.995万,
        # not 100万); in 亿 to four decimals
        for size, unit in ((1e8, "亿"), (1e4, "万")):
            if abs(v) >= size:
                scaled = v / size
                text = f"{scaled:,.4f}".rstrip("0").rstrip(".")
                return f"{text}{unit}"
    if digits:
        return f"{v:,.{digits}f}"
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")


def _significant(x: float, sig: int) -> str:
    """`x` rounded to `sig` significant figures, grouped, without trailing zeros after the point."""
    if x == 0:
        return "0"
    digits = sig - 1 - math.floor(math.log10(abs(x)))
    text = f"{round(x, digits):,.{max(digits, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


SHORT_EN = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
SHORT_ZH = ((1e8, "亿"), (1e4, "万"))
TICK_EN = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def fmt_short(value, lang: str = "en", sig: int = 3) -> str:
    """A large number the way the locale reads it, to `sig` significant figures: "538 million", "5.38亿".

    Below a million (English) or ten thousand (Chinese) the number is written in full, grouped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    for size, word in (SHORT_ZH if lang == "zh" else SHORT_EN):
        if abs(v) >= size:
            return f"{_significant(v / size, sig)}{word}" if lang == "zh" else f"{_significant(v / size, sig)} {word}"
    return fmt_number(v, lang)


def fmt_money(value, currency: str, lang: str = "en", sig: int = 3) -> str:
    """Money in prose: "CNY 538 million", "USD 7.54 million"; in Chinese "5.38亿元", "754万美元"."""
    if lang == "zh":
        return f"{fmt_short(value, lang, sig)}{t('unit.' + currency, 'zh')}"
    return f"{currency} {fmt_short(value, lang, sig)}"


def fmt_tick(value, lang: str = "en") -> str:
    """An axis tick: short and exact for the round numbers ticks are ("10M", "2.5k"; "1,000万", "1.5亿")."""
    v = float(value)
    if lang == "zh":
        for size, word in SHORT_ZH:
            if abs(v) >= size:
                return f"{_significant(v / size, 6)}{word}"
        return _significant(v, 6)
    for size, word in TICK_EN:
        if abs(v) >= size:
            return f"{_significant(v / size, 6)}{word}"
    return _significant(v, 6)


def fmt_percent(value, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{float(value):.{digits}f}%"


def fmt_unit(unit: str, lang: str) -> str:
    """A unit in words where the catalogue names it, else as written in the data."""
    key = f"unit.{unit}"
    return t(key, lang) if has(key) else unit


# Columns whose values are vocabulary codes, and the catalogue prefixes that name them (first found wins).
CODE_COLUMNS = {"direction": ("direction",), "category": ("category",), "unit": ("unit",), "role": ("role",),
                "level": ("level",), "exchange_during_covid": ("exchange",), "theme": ("theme", "kftheme"),
                "status": ("status",), "basis": ("basis",), "evidence_level": ("evidence_level",), "series": ("series",),
                "change": ("change",)}


def has(key: str, lang: str = "en") -> bool:
    return key in catalogue(lang if lang in LANGS else "en")


def localise_table(df, lang: str):
    """A table for the screen: vocabulary codes shown as words and headers in the reader's language.

    Returns (frame, {column: header}). Exports keep the stable field names and codes; only the
    screen view changes. Every column of a shown table needs a `col.<name>` entry (tests check).
    """
    out = df.copy()
    for column, prefixes in CODE_COLUMNS.items():
        if column in out.columns:
            out[column] = [_code_label(v, prefixes, lang) for v in out[column]]
    headers = {c: t(f"col.{c}", lang) for c in out.columns}
    return out, headers


def _code_label(value, prefixes: tuple[str, ...], lang: str):
    if not isinstance(value, str):
        return value
    for prefix in prefixes:
        if has(f"{prefix}.{value}"):
            return t(f"{prefix}.{value}", lang)
    return value
