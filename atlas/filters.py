"""The filter table: every filter and view option a reader can set, declared once.

Like Datasette's `Filters._filters`, one list (`FIELDS`) drives everything else: parsing the URL
(`parse_query`), writing it (`to_query`), the sidebar and page widgets (`components/sidebar.py`),
the "Filtered by" words (`describe`), export file names (`slug`), which records match (`match_expr`,
a polars expression over the records' frame: the one engine, atlas.engine) and the benchmarks. Adding a filter is one `Field` here plus its locale strings.

What a field does with its values belongs to its kind (`Kind`: Multi, One, Range, Text, Flag, as Datasette's
`Filter` subclasses own `where_clause` and `human_clause`): reading them from a link, writing them back, saying
them in words, its default widget and the records a value keeps. The filters' values as one hashable value are
`Filters`, declared below.

A field is a *filter* when it narrows the records (it names a `column`, or has its own `expr`), else a *view option* (language,
the flows map's level, the currency, the data page's table...). Both live in the URL, so a copied
link reopens exactly the view; only filters are part of the cache key of the computed views.

URL values are English names or codes; several values are repeated keys:
  province=Fujian  state=Ohio  direction=cn_to_us  category=surgical_mask  actor=company
  from=2020-01  to=2020-05  lang=zh  level=place  currency=USD  table=donations  q=Ohio  basemap=1
  version=1.0.0 (an earlier version of the data package)  as_table=survey (charts shown as their table)
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field, make_dataclass
from typing import Any, Callable, Iterable, Mapping

import pandas as pd
import polars as pl

from . import versions
from . import vocab as V
from .i18n import LANGS, label, t

MAX_VALUE_LENGTH = 80
MAX_VALUES = 40
MAX_TEXT = 100
SHOWN = 40  # characters of a dropped value shown back to the reader
# Streamlit ignores a whole query string of more than 1,000 parameters (or 512 Ki characters). The server's
# middleware (components/security.py) redirects such a link to its first parameters plus `dropped=<n>`, the
# number left out, so the page can say so; the key is never written back.
DROPPED_KEY = "dropped"
MAX_PARAMS = 1_000
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # ASCII digits only: \d would accept "２０２０"


@dataclass(frozen=True)
class Vocabulary:
    """What a URL may name, from the loaded package: regions (code -> English and Chinese name), months, tables."""
    provinces: dict[str, str]            # admin1 -> English name (the URL's spelling)
    states: dict[str, str]
    names_zh: dict[str, str] = field(default_factory=dict)
    months: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()

    @classmethod
    def from_regions(cls, regions: pd.DataFrame, used: Iterable[str] | None = None, months: tuple[str, ...] = (),
                     tables: tuple[str, ...] = ()) -> "Vocabulary":
        used = set(used) if used is not None else set(regions["admin1"])
        rows = regions[regions["admin1"].isin(used)].sort_values("name_en")
        pick = lambda c: dict(zip(rows.loc[rows["country"] == c, "admin1"], rows.loc[rows["country"] == c, "name_en"]))
        return cls(pick("CN"), pick("US"), dict(zip(rows["admin1"], rows["name_zh"])), tuple(months), tuple(tables))

    def region_name(self, code: str, lang: str) -> str:
        if lang == "zh" and self.names_zh.get(code):
            return self.names_zh[code]
        return self.provinces.get(code) or self.states.get(code) or code


# --- how each kind of field reads and writes its URL values -------------------------------------

@dataclass(frozen=True)
class Field:
    name: str                          # the field's one name: widget id, locale keys "filter.<name>", "Filters" attribute
    kind: str                          # "multi" | "one" | "range" | "text" | "flag"
    options: Callable[[Vocabulary], Mapping[str, str]] | None = None   # code -> URL spelling
    default: Any = None
    keys: tuple[str, ...] = ()         # URL keys; (name,) when empty
    attrs: tuple[str, ...] = ()        # attributes of Filters; (name,) when empty
    pages: tuple[str, ...] = ()        # pages whose numbers or view it changes
    widget: str = ""                   # "multiselect" | "radio" | "segmented" | "select" | "months" (presets + From/To) | "text" | "toggle"
    sidebar: bool = True               # rendered in the shared sidebar (else on its page)
    names: str = ""                    # locale prefix of the options' display names ("category" -> category.<code>)
    column: str | tuple[str, ...] = ""  # the records' column(s) it narrows: a filter (its kind makes the expression)
    expr: Callable[[Any], Any] | None = None   # or its own polars expression of a non-default value
    rebuild: bool = False              # changing it re-creates every widget (their labels depend on it)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r} (one of {', '.join(KINDS)})")
        if not self.widget:
            object.__setattr__(self, "widget", KINDS[self.kind].widget)

    @property
    def rules(self) -> "Kind":
        """What its kind does with its values (`Kind`): parsing, URL writing, words, the records it keeps."""
        return KINDS[self.kind]

    @property
    def url_keys(self) -> tuple[str, ...]:
        return self.keys or (self.name,)

    @property
    def attr_names(self) -> tuple[str, ...]:
        return self.attrs or (self.name,)

    @property
    def is_filter(self) -> bool:
        return self.expr is not None or bool(self.column)

    def keeps(self, value: Any) -> Any:
        """The records a set value keeps, as a polars expression over the records' frame."""
        return self.expr(value) if self.expr is not None else self.rules.expr(self, value)

    def choices(self, vocab: Vocabulary) -> Mapping[str, str]:
        return self.options(vocab) if self.options else {}

    def display(self, code: str, lang: str, vocab: Vocabulary) -> str:
        """An option's name on screen."""
        if self.names == "region":
            return vocab.region_name(code, lang)
        if self.names == "lang":
            return {"en": "English", "zh": "中文"}.get(code, code)
        if self.names == "version":
            return t("version.latest", lang, version=versions.latest().number) if not code else code
        if self.names:
            return label(self.names, code, lang)
        return code


# The date rule, once: a record counts in a range only if every month it can have happened in lies
# inside it. A record dated to a year counts in 2020, not in March-April 2020; one dated only by the list that names
# it ("listed by 26 May 2020", first month unknown) counts in a range that ends after the list and has no start,
# and is otherwise left out; a record without a date counts in no range. `may_be_in_range` gives those that a
# range leaves out but that may have happened in it: the pages say so beside every figure (atlas.engine.aside).

def in_range(span, col, compare, everything):
    lo, hi = span
    keep = everything
    if lo:
        keep = keep & compare(col("date_start"), "__ge__", lo)
    if hi:
        keep = keep & compare(col("date_end"), "__le__", hi)
    return keep


def may_be_in_range(span, col, compare, missing, everything):
    """Records not `in_range` whose months, as far as they are known, overlap the range."""
    lo, hi = span
    possible = everything
    if lo:
        possible = possible & (missing(col("date_end")) | compare(col("date_end"), "__ge__", lo))
    if hi:
        possible = possible & (missing(col("date_start")) | compare(col("date_start"), "__le__", hi))
    return possible & ~in_range(span, col, compare, everything)


def _any_of(columns: str | tuple[str, ...], test: Callable[[Any], Any]) -> Any:
    """A record whose value in any of `columns` passes `test` (a missing value passes none)."""
    columns = (columns,) if isinstance(columns, str) else columns
    keep = pl.lit(False)
    for c in columns:
        keep = keep | test(pl.col(c).cast(pl.String)).fill_null(False)
    return keep


class Reader:
    """A query's values as a kind reads them: cleaned, capped, looked up; each thing dropped becomes a warning."""

    def __init__(self, params: Mapping[str, list[str] | str], vocab: Vocabulary):
        self.params, self.vocab = params, vocab
        self.warnings: list[tuple[str, str, str]] = []

    def warn(self, key: str, value: str, reason: str) -> None:
        self.warnings.append((key, value, reason))

    def values(self, key: str) -> list[str]:
        raw = self.params.get(key, [])
        raw = [raw] if isinstance(raw, str) else list(raw)
        if len(raw) > MAX_VALUES:
            self.warn(key, f"{len(raw)} values", "too_many")
            raw = raw[:MAX_VALUES]
        out = []
        for v in raw:
            if len(v) > MAX_VALUE_LENGTH:
                self.warn(key, shown(v), "too_long")
            elif v.strip():
                out.append(v.strip())
        return out

    def lookup(self, f: "Field", value: str) -> str | None:
        allowed = f.choices(self.vocab)
        if value in allowed:
            return value
        if f.names == "region":  # regions: English name or code, any case
            folded = value.casefold()
            return next((c for c, n in allowed.items() if folded in (n.casefold(), c.casefold())), None)
        return next((c for c, n in allowed.items() if n == value), None)

    def codes(self, f: "Field") -> list[str]:
        key, found = f.url_keys[0], []
        for v in self.values(key):
            code = self.lookup(f, v)
            if code is None:
                self.warn(key, shown(v), "unknown_version" if f.names == "version" else "unknown")
            elif code not in found:
                found.append(code)
        return found


class Kind:
    """What one kind of field does with its values, as Datasette's `Filter` subclasses own their `where_clause` and
    `human_clause`: how it reads them from a link (`parse`), writes them back (`write`), says them in words
    (`words`), whether a value narrows anything (`is_set`), which records it keeps (`expr`, over the field's
    `column`), its widget when the field names none, and how its value sits in `Filters` (one attribute, or two
    for a range). A field is a name, a kind and its options; adding a kind is one subclass in KINDS."""
    name = ""
    widget = ""

    def attributes(self, f: "Field", value: Any) -> tuple:
        """The value as the Filters attributes of the field (`Field.attr_names`), in order."""
        return (value,)

    def value(self, f: "Field", attributes: tuple) -> Any:
        return attributes[0]

    def is_set(self, f: "Field", value: Any) -> bool:
        return value != f.default and value not in ((), None, "", False)

    def parse(self, f: "Field", read: Reader) -> Any:
        raise NotImplementedError

    def write(self, f: "Field", value: Any, vocab: Vocabulary) -> dict[str, list[str]]:
        """The URL parameters of a value that differs from the default."""
        return {f.url_keys[0]: [str(f.choices(vocab).get(value, value)) if f.options else str(value)]}

    def words(self, f: "Field", value: Any, lang: str, vocab: Vocabulary) -> str:
        return f.display(value, lang, vocab)

    def expr(self, f: "Field", value: Any) -> Any:
        raise ValueError(f"a {self.name} field ({f.name}) keeps records only by its own `expr`")


class Multi(Kind):
    """Several codes (repeated keys); a record is kept if its column holds any of them."""
    name, widget = "multi", "multiselect"

    def parse(self, f, read):
        return tuple(read.codes(f))

    def write(self, f, value, vocab):
        return {f.url_keys[0]: [f.choices(vocab).get(c, c) for c in value]}

    def words(self, f, value, lang, vocab):
        names = t("list.comma", lang).join(f.display(c, lang, vocab) for c in value)
        return t("filter." + f.name, lang) + t("label.colon", lang) + names if f.names == "region" else names

    def expr(self, f, value):
        codes = list(value)
        return _any_of(f.column, lambda col: col.is_in(codes))


class One(Kind):
    """One code; a second is dropped with a warning."""
    name, widget = "one", "radio"

    def parse(self, f, read):
        found = read.codes(f)
        if len(found) > 1:
            read.warn(f.url_keys[0], ", ".join(found), "one_only")
        return found[0] if found else None  # none: the field keeps its default

    def expr(self, f, value):
        return _any_of(f.column, lambda col: col == value)


class Range(Kind):
    """Two months (keys `from` and `to`, either open); a record counts only if its whole dated span lies inside
    (`in_range`, the date rule)."""
    name, widget = "range", "months"

    def attributes(self, f, value):
        return tuple(value or (None, None))

    def value(self, f, attributes):
        return tuple(attributes)

    def is_set(self, f, value):
        return any(value or ())

    def parse(self, f, read):
        ends = []
        for key in f.url_keys:
            month = None
            for v in read.values(key):
                if _MONTH.fullmatch(v):
                    month = v
                    break
                read.warn(key, shown(v), "bad_month")
            ends.append(month)
        lo, hi = ends
        if lo and hi and lo > hi:
            read.warn(f.url_keys[0], f"{lo} > {hi}", "bad_range")
            lo = hi = None
        return (lo, hi)

    def write(self, f, value, vocab):
        return {key: [v] for key, v in zip(f.url_keys, value or (None, None)) if v}

    def words(self, f, value, lang, vocab):
        return f"{value[0] or '…'} – {value[1] or '…'}"

    def expr(self, f, value):
        # `column` names the span's first and last possible month (the records' date_start, date_end)
        col = dict(zip(("date_start", "date_end"), f.column)).__getitem__
        return in_range(value, lambda name: pl.col(col(name)), lambda e, op, v: getattr(e, op)(v).fill_null(False),
                        pl.lit(True))


class Text(Kind):
    """Free text, cut to MAX_TEXT characters."""
    name, widget = "text", "text"

    def parse(self, f, read):
        vs = read.values(f.url_keys[0])
        return vs[0][:MAX_TEXT] if vs else ""


class Flag(Kind):
    """On or off: `1` in the link, absent when off."""
    name, widget = "flag", "toggle"

    def parse(self, f, read):
        key = f.url_keys[0]
        vs = read.values(key)
        if vs and vs[0] not in ("0", "1"):
            read.warn(key, shown(vs[0]), "unknown")
        return bool(vs) and vs[0] == "1"

    def write(self, f, value, vocab):
        return {f.url_keys[0]: ["1"]} if value else {}


KINDS: dict[str, Kind] = {k.name: k for k in (Multi(), One(), Range(), Text(), Flag())}


_codes = lambda values: (lambda vocab: {v: v for v in values})


def _versions(vocab: Vocabulary) -> dict[str, str]:
    """The package's versions (atlas.versions), and "" for the current one (spelt "latest" in a link)."""
    return {"": "latest", **{n: n for n in versions.numbers()}}
RECORD_PAGES = ("overview", "flows")
# The data page keeps the rows of its record tables (donations, their items, messages) that the filters keep.
FILTERED_PAGES = RECORD_PAGES + ("data",)

# The periods readers ask about, offered beside the date field's month pickers (labels: "dates.preset.<code>").
# (None, None) is the whole record; a preset whose months the package lacks is not offered.
DATE_PRESETS: dict[str, tuple[str | None, str | None]] = {
    "all": (None, None),
    "china_outbreak": ("2020-01", "2020-03"),
    "us_outbreak": ("2020-03", "2020-05"),
}

FIELDS: tuple[Field, ...] = (
    Field("lang", "one", _codes(LANGS), "en", pages=("*",), widget="radio", names="lang", rebuild=True),
    Field("province", "multi", lambda v: v.provinces, (), attrs=("provinces",), pages=FILTERED_PAGES + ("pairings",),
          widget="multiselect", names="region", column="cn_admin1"),
    Field("state", "multi", lambda v: v.states, (), attrs=("states",), pages=FILTERED_PAGES + ("pairings",),
          widget="multiselect", names="region", column="us_admin1"),
    Field("direction", "one", _codes(("both",) + V.DIRECTIONS), "both", pages=FILTERED_PAGES, widget="radio",
          names="direction", column="direction"),
    Field("category", "multi", _codes(V.CATEGORIES), (), attrs=("categories",), pages=FILTERED_PAGES, widget="multiselect",
          names="category", column="category"),
    Field("actor", "multi", _codes(V.ACTOR_KINDS), (), attrs=("actors",), pages=FILTERED_PAGES, widget="multiselect",
          names="actor", column=("from_kind", "to_kind")),  # either end: who gave or who received
    Field("dates", "range", lambda v: {m: m for m in v.months}, (None, None), keys=("from", "to"),
          attrs=("date_from", "date_to"), pages=FILTERED_PAGES, widget="months", column=("date_start", "date_end")),
    Field("level", "one", _codes(("region", "place")), "region", pages=("flows",), widget="segmented", sidebar=False,
          names="flows.level"),
    Field("basemap", "flag", default=False, pages=("flows", "pairings"), widget="toggle", sidebar=False),
    Field("currency", "one", _codes(("CNY", "USD")), "CNY", pages=("corporate",), widget="segmented", sidebar=False),
    # What the flows page's Sankey measures (atlas.flows.SANKEY_MEASURES).
    Field("measure", "one", _codes(("masks", "items", "records")), "masks", pages=("flows",), widget="segmented",
          sidebar=False, names="sankey.measure"),
    # Bars are compared by length, so linear by default; a log axis only when the reader asks for it.
    Field("scale", "one", _codes(("linear", "log")), "linear", pages=("overview",), widget="segmented", sidebar=False,
          names="scale"),
    Field("table", "one", lambda v: {n: n for n in v.tables}, "", pages=("data",), widget="select", sidebar=False),
    Field("q", "text", default="", pages=("data",), widget="text", sidebar=False),
    # The sister-relationships page narrowed to the pairs that name a place (a city, county, province or state), in
    # English or Chinese: "who are we paired with" for Wuxi as for Fujian or Ohio.
    Field("place", "text", default="", pages=("pairings",), widget="text", sidebar=False),
    # The version of the data package shown (atlas.versions): empty for the current one, whatever its number; a
    # number keeps the link on that version when a newer one comes (every citation names the version it saw). Not a
    # filter: it chooses the package the filters apply to (components/data.using), on every page and address.
    Field("version", "one", _versions, "", pages=("*",), widget="select", sidebar=False, names="version"),
    # The version the data page's "what changed" table compares the shown one with ("": the one before the shown
    # version if that is the latest, else the latest).
    Field("compare", "one", _versions, "", pages=("data",), widget="select", sidebar=False, names="version"),
    # The charts a reader switched to their table tab (each chart's tabs are this field's widget).
    Field("as_table", "multi", _codes(V.CHARTS), (), pages=("overview", "flows", "corporate", "survey", "pairings"), widget="tabs",
          sidebar=False),
)
BY_NAME = {f.name: f for f in FIELDS}
FILTER_FIELDS = tuple(f for f in FIELDS if f.is_filter)
URL_KEYS = tuple(k for f in FIELDS for k in f.url_keys)


@dataclass(frozen=True)
class Filters:
    """The data filters as one hashable value: what a view's numbers depend on, and so the key of every computed view
    (regions as ISO 3166-2 codes, months as YYYY-MM, None for an open end). Declared here, one attribute per filter of
    FIELDS (two for the date range: `Field.attr_names`), so that a reader of the code and a type checker see it;
    tests/test_filter_table.py fails when it and the table differ."""
    provinces: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    direction: str = "both"
    categories: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None


def filter_attributes(table: tuple[Field, ...]) -> list[tuple[str, Any]]:
    """(attribute, default) of each filter of a table, in order: what its Filters class holds."""
    return [(a, d) for f in table if f.is_filter for a, d in zip(f.attr_names, f.rules.attributes(f, f.default))]


@lru_cache(maxsize=None)
def filters_class(table: tuple[Field, ...]):
    """The Filters class of a filter table: `Filters` for the app's FIELDS; for a table with more filters (a test's,
    a fork's), a subclass of it with their attributes."""
    ours = {n for n, _ in filter_attributes(FIELDS)}
    extra = [(a, d) for a, d in filter_attributes(table) if a not in ours]
    if not extra:
        return Filters
    cls = make_dataclass("Filters_" + "_".join(a for a, _ in extra), [(a, Any, field(default=d)) for a, d in extra],
                         bases=(Filters,), frozen=True)
    cls.__module__ = __name__
    return cls


# --- state: one value per field -----------------------------------------------------------------

def defaults(table: tuple[Field, ...] = FIELDS, vocab: Vocabulary | None = None) -> dict[str, Any]:
    out = {f.name: f.default for f in table}
    if vocab is not None and "table" in out and not out["table"] and vocab.tables:
        out["table"] = vocab.tables[0]
    return out


def filters_of(state: Mapping[str, Any], table: tuple[Field, ...] = FIELDS, cls=None) -> Any:
    """The Filters value of a state (view options left out)."""
    cls = cls or filters_class(table)
    values = {}
    for f in table:
        if f.is_filter:
            values.update(zip(f.attr_names, f.rules.attributes(f, state.get(f.name, f.default))))
    return cls(**values)


def state_of(filters: Any, table: tuple[Field, ...] = FIELDS) -> dict[str, Any]:
    """The filter fields' values of a Filters value (inverse of `filters_of`)."""
    out = {}
    for f in table:
        if f.is_filter:
            out[f.name] = f.rules.value(f, tuple(getattr(filters, a) for a in f.attr_names))
    return out


def is_set(f: Field, value: Any) -> bool:
    return f.rules.is_set(f, value)


def active(state: Mapping[str, Any], table: tuple[Field, ...] = FIELDS, only_filters: bool = True) -> list[str]:
    """Names of the fields that differ from their default."""
    return [f.name for f in table if (f.is_filter or not only_filters) and is_set(f, state.get(f.name, f.default))]


def match_expr(filters: Any, table: tuple[Field, ...] = FIELDS) -> Any:
    """The rows of the records' polars frame that every set filter keeps, as one expression."""
    state = state_of(filters, table)
    keep = pl.lit(True)
    for f in table:
        if f.is_filter and is_set(f, state[f.name]):
            keep &= f.keeps(state[f.name])
    return keep


def kept(frame: Any, filters: Any, table: tuple[Field, ...] = FIELDS) -> Any:
    """The rows of a polars frame of records that `filters` keep: the frame itself when no filter is set (a filter
    that keeps everything still copied the million rows' columns: 160 MB and 0.1 s on the first view)."""
    state = state_of(filters, table)
    if not any(f.is_filter and is_set(f, state[f.name]) for f in table):
        return frame
    return frame.filter(match_expr(filters, table))


def only(filters: Any, names: Iterable[str], table: tuple[Field, ...] = FIELDS) -> Any:
    """`filters` with every field not in `names` back at its default (what a chart that ignores them shows)."""
    names = set(names)
    by_name = {f.name: f for f in table}
    state = {k: (v if k in names else by_name[k].default) for k, v in state_of(filters, table).items()}
    return filters_of(state, table, type(filters))


# --- the URL ------------------------------------------------------------------------------------

@dataclass
class ParseResult:
    state: dict[str, Any]                                                   # every field's value
    warnings: list[tuple[str, str, str]] = field(default_factory=list)     # (key, value shown safely, reason code)
    table: tuple[Field, ...] = FIELDS

    @property
    def filters(self):
        return filters_of(self.state, self.table)


def shown(value: str) -> str:
    """A value as a warning may show it: at most SHOWN characters, cut with an ellipsis, and control, zero-width
    and bidi-override characters as visible escapes (`\\u202e`), so none can hide or reorder the text."""
    cut = value if len(value) <= SHOWN else value[:SHOWN] + "…"
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", cut)


def parse_query(params: Mapping[str, list[str] | str], vocab: Vocabulary,
                table: tuple[Field, ...] = FIELDS) -> ParseResult:
    """Query parameters to a state; unknown or malformed values are dropped with a warning, never raised. Each
    field's kind reads its own keys (`Kind.parse`)."""
    read = Reader(params, vocab)
    warnings = read.warnings
    state = defaults(table, vocab)
    for f in table:
        value = f.rules.parse(f, read)
        if value is not None:
            state[f.name] = value
    known = {k for f in table for k in f.url_keys} | {DROPPED_KEY}
    dropped = params.get(DROPPED_KEY)
    if dropped:
        n = (dropped if isinstance(dropped, str) else (list(dropped) or [""])[0])[:12]
        warnings.append((DROPPED_KEY, n if n.isdigit() else "?", "over_limit"))
    unknown_keys = [key for key in params if key not in known]
    for key in unknown_keys[:MAX_VALUES]:  # shortened and capped like values: a link cannot flood the page
        warnings.append((shown(key), "", "unknown_key"))
    return ParseResult(state, warnings, table)


def to_query(state: Mapping[str, Any] | Any, vocab: Vocabulary, table: tuple[Field, ...] = FIELDS) -> dict[str, list[str]]:
    """The query parameters that reopen this view (only what differs from the defaults).

    `state` is a mapping of field values or a Filters value (then only the filters are written)."""
    if not isinstance(state, Mapping):
        state = state_of(state, table)
    base = defaults(table, vocab)
    q: dict[str, list[str]] = {}
    for f in sorted(table, key=lambda f: not f.is_filter):  # filters first, then view options
        if f.name not in state:
            continue
        value = state[f.name]
        if value == base[f.name] or not f.rules.is_set(f, value):
            continue
        q.update(f.rules.write(f, value, vocab))
    return q


def slug(filters: Any, vocab: Vocabulary, table: tuple[Field, ...] = FIELDS) -> str:
    """A file-name fragment naming the active filters, e.g. 'province-Fujian_state-Ohio'."""
    parts = [f"{key}-" + "+".join(re.sub(r"[^A-Za-z0-9]+", "", v) for v in vals)
             for key, vals in to_query(filters, vocab, table).items()]
    return "_".join(parts)[:120]


def describe(filters: Any, lang: str, vocab: Vocabulary, names: Iterable[str] | None = None,
             table: tuple[Field, ...] = FIELDS) -> str:
    """The set filters in words (plain text, not markup), for subtitles and captions; 'no filters' if none."""
    state = state_of(filters, table)
    wanted = set(names) if names is not None else None
    parts = []
    for f in table:
        if not f.is_filter or (wanted is not None and f.name not in wanted) or not is_set(f, state[f.name]):
            continue
        parts.append(f.rules.words(f, state[f.name], lang, vocab))
    return t("list.separator", lang).join(parts) if parts else t("filters.none", lang)


def describe_shown(state: Mapping[str, Any], lang: str, vocab: Vocabulary, names: Iterable[str] | None = None,
                   table: tuple[Field, ...] = FIELDS) -> str:
    """`describe` for something that shows only the filters `names`: it also says which set filters it ignores
    ("not filtered by US state") rather than "All records (no filters)" while a filter is active elsewhere."""
    text = describe(filters_of(state, table), lang, vocab, names, table)
    if names is None:
        return text
    names = tuple(names)
    set_filters = active(state, table)
    ignored = [n for n in set_filters if n not in names]
    if not ignored:
        return text
    not_by = t("filters.not_filtered_by", lang, filters=t("list.comma", lang).join(t(f"filter.{n}", lang) for n in ignored))
    return text + t("list.separator", lang) + not_by if any(n in names for n in set_filters) else not_by

