"""What the server computes when it starts, before any reader asks: the package and every page's first view.

`in_background()` is called when the ASGI server imports `app.py`. In a thread, while the server finishes
starting, it loads the package into the one cache (`components.data`), then each page's numbers for an empty
URL (what a first visit asks for, the default page first) and the default page's charts as a light-themed
screen draws them. A reader who arrives meanwhile waits only for what is still being computed: the cache
computes each entry once, whoever asks first. At a million records the overview's first run went from 14 s
after the package loaded to what its script alone costs.
"""
from __future__ import annotations

import logging
import threading

from . import data

# The overview's charts (the default page): built for the default state, light theme.
CHARTS = ("items-each-way", "provinces-and-states", "timeline")


def warm() -> bool:
    """Compute the first views into the cache. False, logged, if the package cannot be loaded: the pages then say
    why, as they always do. A package read from its CSVs writes its columnar copy in the background: after these
    views, not while they are computed."""
    from atlas import columnar
    with columnar.writes_held():
        return _first_views()


def _first_views() -> bool:
    from atlas import flows, landing, overview, pairings
    from atlas.filters import Filters, parse_query

    from .exhibit_view import screen_chart
    try:
        parsed = parse_query({}, data.vocab())
        f = parsed.filters
        data.view(landing.facts, Filters())       # the default page first: its facts, figures, charts, reconciliation
        data.view(overview.view, f)
        for name in CHARTS:
            screen_chart(name, parsed.state, False)
        data.view(overview.reconciliation_view, Filters())
        data.view(flows.view, f, level="region")
        data.view(flows.sankey_view, f, measure="masks")
        data.view(pairings.view, f)
        return True
    except Exception as error:  # noqa: BLE001 - a broken package is reported by the page that asks for it
        logging.getLogger(__name__).warning("warm-up at start: %s", error)
        return False


def in_background() -> threading.Thread:
    thread = threading.Thread(target=warm, name="atlas-warm", daemon=True)
    thread.start()
    return thread
