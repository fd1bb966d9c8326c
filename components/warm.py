"""What the server computes when it starts, before any reader asks: the package and every page's first view.

`in_background()` is called when the ASGI server imports `app.py`. In a thread, while the server finishes
starting, it loads the package into the one cache (`components.data`), then each page's numbers for an empty
URL (what a first visit asks for, the default page first) and the default page's charts as a light-themed
screen draws them. A reader who arrives meanwhile waits only for what is still being computed: the cache
computes each entry once, whoever asks first.

The first views are kept on disk (`atlas.stored_views`, beside the columnar copies) under a key of the package's
content, the code and the libraries: the next start of the same package and code puts them in the cache instead
of computing them: seconds of CPU at a million records, a tenth of a second read back
(`benchmarks/README.md`, "Figures the code relies on").
"""
from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path

from . import data

# The overview's charts (the default page): built for the default state, light theme.
CHARTS = ("items-each-way", "provinces-and-states", "timeline")
ROOT = Path(__file__).resolve().parents[1]


def warm() -> bool:
    """Compute the first views into the cache, or read them from the last start's. False, logged, if the package
    cannot be loaded: the pages then say why, as they always do. A package read from its CSVs writes its columnar
    copy in the background: after these views, not while they are computed."""
    from atlas import columnar
    with columnar.writes_held():
        return _first_views()


def stored_key() -> str:
    """The name of the loaded package's stored first views (see `atlas.stored_views.key`)."""
    from atlas import package, stored_views
    return stored_views.key(data.get().key, str(package.data_dir()),
                            code=stored_views.modules(ROOT / "atlas", ROOT / "components")
                            + sorted((ROOT / "atlas" / "locales").glob("*.json")))  # the charts' words


def stored_folder() -> Path:
    from atlas import columnar
    return columnar.cache_root() / "first-views"


def _first_views() -> bool:
    from atlas import flows, landing, overview, pairings, stored_views
    from atlas.filters import Filters, parse_query

    from .exhibit_view import screen_chart
    try:
        data.get()
        name = stored_key()
        stored = stored_views.read(stored_folder(), name)
        if stored is not None:
            data.restore(stored)
        with data.recorded() as asked:
            parsed = parse_query({}, data.vocab())
            f = parsed.filters
            data.whole(landing.facts)       # the default page first: facts, figures, charts, reconciliation
            data.view(overview.view, f)
            for chart in CHARTS:
                screen_chart(chart, parsed.state, False)
            data.whole(overview.reconciliation_view)
            data.view(flows.view, f, level="region")
            data.view(flows.sankey_view, f, measure="masks")
            data.view(pairings.view, f)
        if stored is None and (made := data.entries(asked)) is not None:
            stored_views.write(stored_folder(), name, made)
        return True
    except Exception as error:  # noqa: BLE001 - a broken package is reported by the page that asks for it
        logging.getLogger(__name__).warning("warm-up at start: %s", error)
        return False


def freeze() -> None:
    """Set what the process holds once it has started (Streamlit, the libraries, the package, the first views)
    apart from the cyclic garbage collector, after one full collection. A full collection then visits only what
    was made since: Streamlit's post-run `gc.collect(2)` (its default, which `.streamlit/config.toml` turns off)
    took several times the CPU of a rerun with the start frozen (`benchmarks/ws_load.py`, GC on; figures in
    `benchmarks/README.md`, "Figures the code relies on").
    What is frozen is still freed when nothing refers to it; only cycles within it would stay."""
    gc.collect()
    gc.freeze()


def _start() -> None:
    warm()
    freeze()


def in_background() -> threading.Thread:
    thread = threading.Thread(target=_start, name="atlas-warm", daemon=True)
    thread.start()
    return thread
