"""One small translation layer: every interface string is a key in locales/<lang>.json.

`t(key, lang, **values)` formats the string; `place_name`, `fmt_number` and friends give names
and numbers in the reader's language. Data values (names, quotes) are never translated here:
their Chinese forms come from the data package (places.name_zh, regions.name_zh, company_zh).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}
_DIR = Path(__file__).parent / "locales"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str = "en", **values) -> str:
    text = catalogue(lang if lang in LANGS else "en").get(key)
    if text is None:
        text = catalogue("en").get(key, key)  # a missing key shows its English text; tests fail on it
    return text.format(**values) if values else text


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
        for size, unit in ((1e8, "亿"), (1e4, "万")):
            if abs(v) >= size:
                scaled = v / size
                text = f"{scaled:,.2f}".rstrip("0").rstrip(".")
                return f"{text}{unit}"
    if digits:
        return f"{v:,.{digits}f}"
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")


def fmt_unit(unit: str, lang: str) -> str:
    key = f"unit.{unit}"
    text = t(key, lang)
    return unit if text == key else text
