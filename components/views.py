"""Per-filter results, shared by every session and computed once per process for each filter set.

At a million records one flows view takes seconds to aggregate; the views readers ask for most (no
filters, one province) are then computed once, not on every rerun of every session. Only aggregates
and the first rows of tables are kept (st.cache_resource, a bounded number of filter sets), never a
filtered copy of the records: exports filter again when their button is clicked. The results are
shared objects: callers must not modify them.
"""
from __future__ import annotations

from dataclasses import astuple, dataclass

import pandas as pd
import streamlit as st

from atlas import overview as ov
from atlas import query
from atlas.filters import Filters
from atlas.flowmap import FlowMap, build_flow_map, flow_table, text_summary
from atlas.i18n import t
from atlas.package import data_dir

from . import state
from .table import MAX_ROWS

MAX_FILTER_SETS = 32


@dataclass(frozen=True)
class FlowsView:
    map: FlowMap
    summary: dict
    table: pd.DataFrame  # the first MAX_ROWS rows of the records' table
    rows: int            # all of its rows


@st.cache_resource(max_entries=MAX_FILTER_SETS, show_spinner=False)
def _flows(path: str, key: tuple, level: str, lang: str) -> FlowsView | None:
    d = state.data()
    records = query.filter_records(d.records, Filters(*key))
    if records.empty:
        return None
    return FlowsView(build_flow_map(records, d.package, level, lang), text_summary(records),
                     flow_table(records, MAX_ROWS), len(records))


def flows(level: str) -> FlowsView | None:
    """The flows page for the current filters at `level`, or None when no record matches."""
    lang = state.lang()
    with st.spinner(t("loading.aggregating", lang)):
        return _flows(str(data_dir()), astuple(state.filters()), level, lang)



@dataclass(frozen=True)
class OverviewView:
    summary: dict
    category_totals: pd.DataFrame
    region_giving: pd.DataFrame


@st.cache_resource(max_entries=MAX_FILTER_SETS, show_spinner=False)
def _overview(path: str, key: tuple) -> OverviewView | None:
    d = state.data()
    records = query.filter_records(d.records, Filters(*key))
    if records.empty:
        return None
    return OverviewView(query.summary(records), query.category_totals(records),
                        query.region_giving(records, d.package.regions))


def overview() -> OverviewView | None:
    """The overview's figures for the current filters, or None when no record matches."""
    with st.spinner(t("loading.aggregating", state.lang())):
        return _overview(str(data_dir()), astuple(state.filters()))


@st.cache_resource(max_entries=MAX_FILTER_SETS, show_spinner=False)
def _pairings(path: str, provinces: tuple[str, ...], states: tuple[str, ...]) -> pd.DataFrame:
    d = state.data()
    return query.pairings_view(d.package, d.records, Filters(provinces=provinces, states=states))


def pairings() -> pd.DataFrame:
    """Sister relationships in the chosen provinces and states, with the help recorded between each pair."""
    f = state.filters()
    return _pairings(str(data_dir()), f.provinces, f.states)


@st.cache_resource(show_spinner=False)
def _reconciliation(path: str) -> pd.DataFrame:
    return ov.reconciliation(state.data().package)


def reconciliation() -> pd.DataFrame:
    """Narrative totals against Table 1 sums: depends on the package only, so computed once per process."""
    return _reconciliation(str(data_dir()))
