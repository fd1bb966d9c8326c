"""The one cache: the package loaded once per process, each page's numbers once per filter set, each export once.

`get()` loads and checks the data package (`ATLAS_DATA_DIR` or the bundled `data/`) once per process
and shares it with every session and with the HTTP routes. `view(fn, filters, **options)` runs a page's
number function (`atlas.<page>.view` and friends, which are handed their inputs) once per process for
each filter set and options, and shares the result: callers must not modify it. Only aggregates and the
first rows of tables are kept (a bounded number of entries), never a filtered copy of the records. What a page
shows of a view (its cards' words, a table in the reader's language) is made by `then` steps of `view`, kept under
the view's key; `whole(fn)` is the same for numbers of the whole record, `of_package(fn, *args)` for what depends
on the package only, `of_table(fn, df, *args)` for a table as the screen shows it (keyed by its cells). Every key is
made of values, never of an object's id.
`rendered(key, make)` keeps the bytes of exports (PNG, SVG, HTML, CSV) served at stable addresses, within a
budget in bytes (`ATLAS_CACHE_BYTES`, default 256 MB; the least recently used go first): a file larger than a
quarter of it (a whole table at a million rows) is made for the callers asking at that moment, never kept.

Built on `atlas.memo.Memo` rather than `st.cache_resource`: the HTTP routes run outside any script run,
where Streamlit's cache works but warns on every call; the memo is the same for both.

Versions (`atlas.versions`): `using(version)` makes an earlier release of the package the one every call above
reads, for the page run or the request that names it (`version=` in the URL, `/api/v1/v/<version>/...`). Every
key of the cache holds the folder the package is read from, so each version's views and files are kept apart.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from dataclasses import astuple
from typing import Any, Callable, Iterable, Iterator

from atlas.filters import Filters, Vocabulary
from atlas.i18n import t
from atlas.memo import Memo, fingerprint
from atlas import versions
from atlas.package import data_dir
from atlas.records import Data, load

MAX_VIEWS = 128  # views and what pages show of them (`then`)
MAX_RENDERED = 256
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
_LOG = logging.getLogger(__name__)


def cache_bytes() -> int:
    """The exports' budget in bytes: $ATLAS_CACHE_BYTES (a whole number, at least 1 MB), else 256 MB."""
    raw = os.environ.get("ATLAS_CACHE_BYTES", "").strip().replace("_", "")
    if raw:
        if raw.isdigit() and int(raw) >= 1 << 20:
            return int(raw)
        _LOG.warning("ATLAS_CACHE_BYTES is not a whole number of bytes of at least 1 MB; using %d", DEFAULT_CACHE_BYTES)
    return DEFAULT_CACHE_BYTES


_packages = Memo(4)
_views = Memo(MAX_VIEWS)
_of_packages = Memo(16)
_of_tables = Memo(64)  # tables as the screen shows them: kept apart, so they cannot push exports out
_rendered = Memo(MAX_RENDERED, max_bytes=cache_bytes(), max_value_bytes=cache_bytes() // 4)
_MEMOS = {"views": _views, "rendered": _rendered}
_recording = threading.local()


def _asked(memo: str, key: tuple) -> tuple:
    """The key, noted when this thread records what it asks for (`recorded`)."""
    noted = getattr(_recording, "keys", None)
    if noted is not None:
        noted.append((memo, key))
    return key


@contextlib.contextmanager
def recorded() -> Iterator[list[tuple[str, tuple]]]:
    """The (memo, key) of every `view` and `rendered` asked for in this thread within the block, in order."""
    noted: list[tuple[str, tuple]] = []
    outer, _recording.keys = getattr(_recording, "keys", None), noted
    try:
        yield noted
    finally:
        _recording.keys = outer
        if outer is not None:
            outer.extend(noted)


def entries(keys: list[tuple[str, tuple]]) -> list[tuple[str, tuple, Any]] | None:
    """(memo, key, value) of the recorded keys, or None if one of them is no longer kept."""
    out, missing = [], object()
    for memo, key in dict.fromkeys(keys):
        value = _MEMOS[memo].peek(key, missing)
        if value is missing:
            return None
        out.append((memo, key, value))
    return out


def restore(stored: list[tuple[str, tuple, Any]]) -> int:
    """Put values read back from disk (`entries` of an earlier process) in the cache; how many were kept. Anything
    not of that shape is left out."""
    kept = 0
    for item in stored if isinstance(stored, list) else ():
        if isinstance(item, tuple) and len(item) == 3 and item[0] in _MEMOS and isinstance(item[1], tuple):
            kept += _MEMOS[item[0]].put(item[1], item[2])
    return kept


def _in_script_run() -> bool:
    from components.streamlit_fixes import in_script_run  # Streamlit's internals are asked in one module
    return in_script_run()


def _load(path: str) -> Data:
    if path not in _packages and _in_script_run():
        import streamlit as st
        with st.spinner("Loading and checking the data package… · 正在加载并检查数据包…"):
            return _packages.get(path, lambda: load(path, background=True))
    return _packages.get(path, lambda: load(path, background=True))  # a new columnar copy is written by a thread


_shown: contextvars.ContextVar[str] = contextvars.ContextVar("atlas_version_path", default="")


def _path() -> str:
    """The folder of the package this page run or request reads: its version's, else the current package's."""
    return _shown.get() or str(data_dir())


@contextlib.contextmanager
def using(version: str) -> Iterator[versions.Version]:
    """Within the block, the package of `version` ("" or "latest": the current one) is what every function here
    reads. `atlas.versions.UnknownVersion` if the package has no such version: the text is only compared with the
    listed versions, never made into a path."""
    found = versions.find(version or "", data_dir())
    token = _shown.set(str(found.path))
    try:
        yield found
    finally:
        _shown.reset(token)


def listed() -> tuple[versions.Version, ...]:
    """Every version of the package, oldest first (the last is the current one)."""
    return versions.versions(data_dir())


def listed_numbers() -> tuple[str, ...]:
    return tuple(v.number for v in listed())


def version() -> versions.Version:
    """The version shown (`using`), the current one outside any block."""
    path = _path()
    listed = versions.versions(data_dir())
    return next((v for v in listed if str(v.path) == path), listed[-1])


def api_prefix() -> str:
    """Where the shown version's package is served: /api/v1 for the current one, /api/v1/v/<version> for another."""
    shown = version()
    return "/api/v1" if shown.current else f"/api/v1/v/{shown.number}"


def get() -> Data:
    """The loaded package; raises PackageError (app.py and the routes show it) if it is broken."""
    return _load(_path())


def loaded() -> bool:
    """Whether the package is loaded (or failed to: get() then raises at once) without waiting for it."""
    return _path() in _packages


_changes = Memo(8)


def changes(older: str, newer: str):
    """What changed from version `older` to version `newer` (either order: from the older to the newer), every row with
    its reason (`atlas.versions.diff` and `explain`), once per process for each pair; UnknownVersion for a version the
    package does not have."""
    root = data_dir()
    a, b = versions.ordered(versions.find(older, root), versions.find(newer, root), versions.versions(root))

    def make():
        diff = versions.diff(_load(str(a.path)).package, _load(str(b.path)).package)
        return versions.explain(diff, versions.reasons(root), versions.between(a, b, root))
    return _changes.get((str(a.path), str(b.path)), make)


def vocab() -> Vocabulary:
    return get().vocab


def _name(fn: Callable[..., Any]) -> str:
    """A function's name in a key. A lambda or a function made inside another has a name that does not tell two of
    them apart (each can hold other values), so neither can be a key."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    if "<" in name:
        raise ValueError(f"{name}: a cached function must be a module-level function, its name is its key")
    return name


def _kept(key: tuple, make: Callable[[], Any], lang: str) -> Any:
    key = _asked("views", key)
    if key not in _views and _in_script_run():
        import streamlit as st
        with st.spinner(t("loading.aggregating", lang)):
            return _views.get(key, make)
    return _views.get(key, make)


def _then(key: tuple, value: Any, path: str, filters: Filters, lang: str, then: Iterable[tuple]) -> Any:
    for step, *args in then:
        key = key + ((_name(step), lang, tuple(args)),)
        value = _kept(key, lambda step=step, value=value, args=tuple(args):
                      step(value, _load(path), filters, lang, *args), lang)
    return value


def view(fn: Callable[..., Any], filters: Filters, lang: str = "en", then: Iterable[tuple] = (), **options) -> Any:
    """`fn(data, filters, **options)`, computed once per process for each distinct set of arguments.

    `then`: steps `(step, *args)` made from it in turn, `step(value, data, filters, lang, *args)` (what a page shows
    of a view: its cards' words, a table in the reader's language), each kept under the key of the value it was made
    from plus the step's name, the language and its arguments: keyed by value, never by an object's id, and no page
    builds a key."""
    path = _path()
    key = (_name(fn), path, astuple(filters), tuple(sorted(options.items())))
    value = _kept(key, lambda: fn(_load(path), filters, **options), lang)
    return _then(key, value, path, filters, lang, then)


def whole(fn: Callable[..., Any], lang: str = "en", then: Iterable[tuple] = ()) -> Any:
    """`fn(data)`: numbers of the whole record (the landing's facts, the reconciliation), once per process; `then`
    as in `view` (its steps are handed the default filters)."""
    path = _path()
    key = ("whole", _name(fn), path)
    value = _kept(key, lambda: fn(_load(path)), lang)
    return _then(key, value, path, Filters(), lang, then)


def of_package(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(package, *args)` for what depends on the package only (computed once per process for each `args`)."""
    path = _path()
    return _of_packages.get((_name(fn), path, args), lambda: fn(_load(path).package, *args))


def of_table(fn: Callable[..., Any], df, *args: Any) -> Any:
    """`fn(df, *args)` (a table as the screen shows it), once per process for each table's content and `args`: keyed
    by the cells (`atlas.memo.fingerprint`), not by which object holds them."""
    return _of_tables.get((_name(fn), _path(), fingerprint(df), args), lambda: fn(df, *args))


def rendered(key: tuple, make: Callable[[], Any]) -> Any:
    """An export's bytes (or any rendered value), once per process for each key (bounded in entries and bytes)."""
    return _rendered.get(_asked("rendered", (_path(),) + key), make)
