"""The shared filter state as a value: parsed from and written to the URL query string.

Query keys (values are English names or codes; several values are repeated keys):
  province=Fujian  state=Ohio  direction=cn_to_us|us_to_cn|both  category=surgical_mask
  actor=company  from=2020-01  to=2020-05
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import pandas as pd

DIRECTIONS = ("both", "cn_to_us", "us_to_cn")
CATEGORIES = ("surgical_mask", "respirator_mask", "mask_unspecified", "protective_clothing", "gloves", "goggles",
              "shoe_covers", "thermometer", "cash", "other", "letter", "voice_support", "video", "call_email")
ACTOR_KINDS = ("government", "company", "foundation_ngo", "university", "individuals")
FILTER_KEYS = ("province", "state", "direction", "category", "actor", "from", "to")
MAX_VALUE_LENGTH = 80
MAX_VALUES = 40
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # ASCII digits only: \d would accept "２０２０"


@dataclass(frozen=True)
class Filters:
    provinces: tuple[str, ...] = ()   # ISO 3166-2 codes, e.g. CN-FJ
    states: tuple[str, ...] = ()      # e.g. US-OH
    direction: str = "both"
    categories: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    date_from: str | None = None      # YYYY-MM, inclusive
    date_to: str | None = None

    @property
    def is_default(self) -> bool:
        return self == Filters()

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)


@dataclass(frozen=True)
class Vocabulary:
    """What the URL may name: English region names (and their codes) for provinces and states."""
    provinces: dict[str, str]   # admin1 -> English name
    states: dict[str, str]

    @classmethod
    def from_regions(cls, regions: pd.DataFrame, used: Iterable[str] | None = None) -> "Vocabulary":
        used = set(used) if used is not None else set(regions["admin1"])
        rows = regions[regions["admin1"].isin(used)].sort_values("name_en")
        pick = lambda c: dict(zip(rows.loc[rows["country"] == c, "admin1"], rows.loc[rows["country"] == c, "name_en"]))
        return cls(pick("CN"), pick("US"))

    def lookup(self, table: dict[str, str], value: str) -> str | None:
        v = value.strip().casefold()
        for code, name in table.items():
            if v in (name.casefold(), code.casefold()):
                return code
        return None


@dataclass
class ParseResult:
    filters: Filters
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (key, value shown safely, reason code)


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def parse_query(params: Mapping[str, list[str] | str], vocab: Vocabulary) -> ParseResult:
    """Turn query parameters into Filters; unknown or malformed values are dropped with a warning, never raised."""
    warnings: list[tuple[str, str, str]] = []

    def values(key: str) -> list[str]:
        raw = params.get(key, [])
        raw = [raw] if isinstance(raw, str) else list(raw)
        if len(raw) > MAX_VALUES:
            warnings.append((key, f"{len(raw)} values", "too_many"))
            raw = raw[:MAX_VALUES]
        out = []
        for v in raw:
            if len(v) > MAX_VALUE_LENGTH:
                warnings.append((key, _shown(v), "too_long"))
            elif v.strip():
                out.append(v.strip())
        return out

    def codes(key: str, table: dict[str, str]) -> tuple[str, ...]:
        found = []
        for v in values(key):
            code = vocab.lookup(table, v)
            if code is None:
                warnings.append((key, _shown(v), "unknown"))
            elif code not in found:
                found.append(code)
        return tuple(found)

    def choices(key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        found = []
        for v in values(key):
            if v in allowed:
                if v not in found:
                    found.append(v)
            else:
                warnings.append((key, _shown(v), "unknown"))
        return tuple(found)

    direction = "both"
    dirs = choices("direction", DIRECTIONS)
    if len(dirs) > 1:
        warnings.append(("direction", ", ".join(dirs), "one_only"))
    if dirs:
        direction = dirs[0]

    def month(key: str) -> str | None:
        vs = values(key)
        for v in vs:
            if _MONTH.fullmatch(v):
                return v
            warnings.append((key, _shown(v), "bad_month"))
        return None

    date_from, date_to = month("from"), month("to")
    if date_from and date_to and date_from > date_to:
        warnings.append(("from", f"{date_from} > {date_to}", "bad_range"))
        date_from = date_to = None
    unknown_keys = [key for key in params if key not in FILTER_KEYS and key not in ("lang", "level", "currency")]
    for key in unknown_keys[:MAX_VALUES]:  # shortened and capped like values: a link cannot flood the page
        warnings.append((_shown(key), "", "unknown_key"))
    return ParseResult(Filters(
        provinces=codes("province", vocab.provinces), states=codes("state", vocab.states), direction=direction,
        categories=choices("category", CATEGORIES), actors=choices("actor", ACTOR_KINDS),
        date_from=date_from, date_to=date_to), warnings)


def to_query(f: Filters, vocab: Vocabulary) -> dict[str, list[str]]:
    """The query parameters that reopen this view (only what differs from the defaults)."""
    q: dict[str, list[str]] = {}
    if f.provinces:
        q["province"] = [vocab.provinces[c] for c in f.provinces]
    if f.states:
        q["state"] = [vocab.states[c] for c in f.states]
    if f.direction != "both":
        q["direction"] = [f.direction]
    if f.categories:
        q["category"] = list(f.categories)
    if f.actors:
        q["actor"] = list(f.actors)
    if f.date_from:
        q["from"] = [f.date_from]
    if f.date_to:
        q["to"] = [f.date_to]
    return q


def slug(f: Filters, vocab: Vocabulary) -> str:
    """A file-name fragment naming the active filters, e.g. 'province-Fujian_state-Ohio'."""
    parts = []
    for key, vals in to_query(f, vocab).items():
        parts.append(f"{key}-" + "+".join(re.sub(r"[^A-Za-z0-9]+", "", v) for v in vals))
    return "_".join(parts)[:120]
