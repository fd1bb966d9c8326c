"""Invisible browser probes (Streamlit's components v2) and what the server made of their last report.

A probe (the map's width, components/map_width.py; the page's theme, components/theme_probe.py) measures something in
the browser and reports it as component state: the report reruns the script, which then builds for the measured
value. Between the report and that rerun's end the page shows what was built for the old value, and nothing in
Streamlit's page says so. So each probe sits in a box (`box(name)`, hidden by components/frame.py's style) where
its script marks the value it last reported (`data-atlas-reported`, see `MARK_JS`), and the server marks the value
its run used (`seen(value)`: a container whose key holds it, so no markup is made from a value): the page is up
to date when, in every box, the two are equal.
The browser tests wait on exactly that (tests/e2e/conftest.py `settle`), never on a fixed pause.
"""
from __future__ import annotations

import json
from contextlib import contextmanager

import streamlit as st

BOX_PREFIX = "atlas_width_box_"   # under `atlas_width_`, which components/frame.py's style hides
SEEN_PREFIX = "atlas_width_seen_"

# The probe's script calls mark(value) with what it reports, before it reports it; "hidden" when it has nothing to
# measure (an element with no width) and so reports nothing.
MARK_JS = """const mark = (v) => parentElement.setAttribute("data-atlas-reported", v === "hidden" ? v : JSON.stringify(v));"""

# For the browser tests: every probe box on the page holds a report equal to what the server used.
CURRENT_JS = f"""[...document.querySelectorAll('[class*="st-key-{BOX_PREFIX}"]')].every((b) => {{
  const r = b.querySelector('[data-atlas-reported]'), s = b.querySelector('[class*="st-key-{SEEN_PREFIX}"]');
  const m = s && /st-key-{SEEN_PREFIX}(\S*?)__/.exec(s.className);
  return !!r && !!m && (r.getAttribute('data-atlas-reported') === 'hidden' || r.getAttribute('data-atlas-reported') === m[1]); }})"""


@contextmanager
def box(name: str):
    """The hidden container a probe and its `seen` mark are drawn in."""
    with st.container(key=f"{BOX_PREFIX}{name}"):
        yield name


def seen(name: str, value: int | bool | None) -> None:
    """Mark the value this run used (JSON, as the probe's script marks what it reported): a number, true, false
    or null, in an empty container's key."""
    if not (value is None or isinstance(value, (bool, int))):
        raise TypeError(f"a probe's value is a number, a boolean or None, not {value!r}")
    with st.container(key=f"{SEEN_PREFIX}{json.dumps(value)}__{name}"):
        st.html("<span></span>")  # Streamlit draws no empty container
