"""The one cache: the package loaded once per process, and each page's numbers once per filter set.

`get()` loads and checks the data package (`ATLAS_DATA_DIR` or the bundled `data/`) once per process
and shares it with every session. `view(fn, filters, **options)` runs a page's number function
(`atlas.<page>.view` and friends, which are handed their inputs) once per process for each filter
set and options, and shares the result: callers must not modify it. Only aggregates and the first
rows of tables are kept (a bounded number of entries), never a filtered copy of the records.
"""
from __future__ import annotations

from dataclasses import astuple
from typing import Any, Callable

import streamlit as st

from atlas.filters import Filters, Vocabulary
from atlas.i18n import t
from atlas.package import data_dir
from atlas.records import Data, load

MAX_VIEWS = 64


@st.cache_resource(show_spinner="Loading and checking the data package… · 正在加载并检查数据包…")
def _load(path: str) -> Data:
    return load(path)


def get() -> Data:
    """The loaded package; raises PackageError (app.py shows it) if it is broken."""
    return _load(str(data_dir()))


def vocab() -> Vocabulary:
    return get().vocab


@st.cache_resource(max_entries=MAX_VIEWS, show_spinner=False)
def _view(name: str, path: str, key: tuple, options: tuple, _fn: Callable, _filters: Filters) -> Any:
    return _fn(_load(path), _filters, **dict(options))


def view(fn: Callable[..., Any], filters: Filters, lang: str = "en", **options) -> Any:
    """`fn(data, filters, **options)`, computed once per process for each distinct set of arguments."""
    with st.spinner(t("loading.aggregating", lang)):
        return _view(f"{fn.__module__}.{fn.__qualname__}", str(data_dir()), astuple(filters),
                     tuple(sorted(options.items())), fn, filters)


@st.cache_resource(max_entries=8, show_spinner=False)
def _of_package(name: str, path: str, _fn: Callable) -> Any:
    return _fn(_load(path).package)


def of_package(fn: Callable[..., Any]) -> Any:
    """`fn(package)` for numbers that depend on the package only (computed once per process)."""
    return _of_package(f"{fn.__module__}.{fn.__qualname__}", str(data_dir()), fn)
