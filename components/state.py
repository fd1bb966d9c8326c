"""The one owner of the shared filter state and the URL.

On a session's first run the widgets' state is seeded from the query string; on every run the
query string is written back from the widgets, so page switches keep it and a copied link reopens
the same view. Data is loaded once per process and shared by every session (never copied into
session state).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from atlas import query
from atlas.filters import Filters, Vocabulary, parse_query, to_query
from atlas.i18n import LANGS
from atlas.package import Package, PackageError, load_package, data_dir

KEYS = {"province": "f_province", "state": "f_state", "direction": "f_direction", "category": "f_category",
        "actor": "f_actor", "dates": "f_dates", "lang": "lang"}
_INIT = "_atlas_init"
_WARNINGS = "_atlas_url_warnings"


@dataclass(frozen=True)
class Data:
    package: Package
    records: pd.DataFrame
    vocab: Vocabulary
    months: tuple[str, ...]


@st.cache_resource(show_spinner="Loading and checking the data package…")
def _load(path: str) -> Data:
    pkg = load_package(path)
    records = query.flow_records(pkg)
    vocab = Vocabulary.from_regions(pkg.regions, query.used_regions(pkg))
    dates = pd.concat([records["date_start"].dropna(), records["date_end"].dropna(),
                       pkg.key_figures["date"].str[:7].where(pkg.key_figures["date"].str.len() > 4,
                                                             pkg.key_figures["date"] + "-01")])
    lo, hi = dates.min(), dates.max()
    months = tuple(str(p) for p in pd.period_range(lo, hi, freq="M"))
    return Data(pkg, records, vocab, months)


def data() -> Data:
    """The loaded package; raises PackageError (shown by app.py) if it is broken."""
    return _load(str(data_dir()))


def _query_dict() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp.keys()}


def init_from_url() -> None:
    """Seed the widgets from the URL once per session; remember what had to be dropped."""
    if st.session_state.get(_INIT):
        return
    params = _query_dict()
    d = data()
    result = parse_query(params, d.vocab)
    f = result.filters
    st.session_state[KEYS["province"]] = list(f.provinces)
    st.session_state[KEYS["state"]] = list(f.states)
    st.session_state[KEYS["direction"]] = f.direction
    st.session_state[KEYS["category"]] = list(f.categories)
    st.session_state[KEYS["actor"]] = list(f.actors)
    lo, hi = d.months[0], d.months[-1]
    st.session_state[KEYS["dates"]] = (max(f.date_from or lo, lo), min(f.date_to or hi, hi))
    lang = (params.get("lang") or ["en"])[0]
    if lang not in LANGS:
        result.warnings.append(("lang", lang[:40], "unknown"))
        lang = "en"
    st.session_state[KEYS["lang"]] = lang
    st.session_state[_WARNINGS] = result.warnings
    st.session_state[_INIT] = True


def lang() -> str:
    return st.session_state.get(KEYS["lang"], "en")


def filters() -> Filters:
    ss = st.session_state
    d = data()
    dates = ss.get(KEYS["dates"])
    lo, hi = dates if isinstance(dates, (list, tuple)) and len(dates) == 2 else (d.months[0], d.months[-1])
    return Filters(
        provinces=tuple(ss.get(KEYS["province"], ())), states=tuple(ss.get(KEYS["state"], ())),
        direction=ss.get(KEYS["direction"], "both"), categories=tuple(ss.get(KEYS["category"], ())),
        actors=tuple(ss.get(KEYS["actor"], ())),
        date_from=None if lo == d.months[0] else lo, date_to=None if hi == d.months[-1] else hi)


def url_warnings() -> list[tuple[str, str, str]]:
    return st.session_state.get(_WARNINGS, [])


def clear_warnings() -> None:
    st.session_state[_WARNINGS] = []


def query_for(f: Filters, language: str) -> dict[str, list[str]]:
    q = to_query(f, data().vocab)
    if language != "en":
        q["lang"] = [language]
    return q


def write_url() -> None:
    """Write the current state back into the address bar (repeated keys for several values)."""
    q = query_for(filters(), lang())
    if _query_dict() != q:
        st.query_params.from_dict(q)


def reset() -> None:
    d = data()
    st.session_state[KEYS["province"]] = []
    st.session_state[KEYS["state"]] = []
    st.session_state[KEYS["direction"]] = "both"
    st.session_state[KEYS["category"]] = []
    st.session_state[KEYS["actor"]] = []
    st.session_state[KEYS["dates"]] = (d.months[0], d.months[-1])
    clear_warnings()


def focus(provinces: list[str] | None = None, states: list[str] | None = None) -> None:
    """Narrow the shared filters to a place clicked on a map (called from widget callbacks)."""
    if provinces is not None:
        st.session_state[KEYS["province"]] = provinces
    if states is not None:
        st.session_state[KEYS["state"]] = states
    clear_warnings()


def dark() -> bool:
    try:
        return st.context.theme.type == "dark"
    except Exception:
        return False


__all__ = ["PackageError", "data", "filters", "lang", "init_from_url", "write_url", "reset", "focus", "dark"]
