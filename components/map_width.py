"""The width of the reader's map, measured in the browser, so that the map's view is fitted to it (issue #31).

Streamlit tells the server nothing of the screen: a deck fitted to one fixed width showed Fujian's circle cut at
the left and the US east coast at the right on a 390 px phone, and much empty sea on a laptop. `map_width(key)`
mounts an invisible custom component (Streamlit's components v2) in the container the map is drawn in; it reports
that container's width, rounded down to `STEP` px (so a deck is built for a few widths only, and never for more
room than there is), and again when it changes (a turned phone, a resized window). Until it has reported (the
first run of a session, and AppTest) the caller uses `decks.FIT_WIDTH`, the narrowest map.
"""
from __future__ import annotations

import streamlit as st

from components import probes

STEP = 20
MIN_WIDTH, MAX_WIDTH = 200, 2400

# The script reports the width of the block holding the component (the map's column), not of the component's own
# element, which the page's style hides. (No comments inside: every string sent to the browser counts as page text.)
_JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  const STEP = %d, MIN = %d, MAX = %d;
  %s
  const box = parentElement.closest('[class*="st-key-%s"]');
  const block = (box || parentElement).parentElement.closest('[data-testid="stVerticalBlock"]') || parentElement.parentElement;
  let last = null;
  const report = () => {
    const raw = Math.floor(block.getBoundingClientRect().width / STEP) * STEP;
    if (raw <= 0) { if (last === null) mark("hidden"); return; }
    const w = Math.min(Math.max(raw, MIN), MAX);
    if (w !== last) { last = w; mark(w); setStateValue("width", w); }
  };
  const observer = new ResizeObserver(() => requestAnimationFrame(report));
  observer.observe(block);
  report();
  return () => observer.disconnect();
}
""" % (STEP, MIN_WIDTH, MAX_WIDTH, probes.MARK_JS, probes.BOX_PREFIX)

# Its box is hidden by components/frame.py's style rules (`st-key-atlas_width_...`); components/probes.py says why
# it marks what it reported.
_component = st.components.v2.component("atlas_map_width", js=_JS, isolate_styles=False)


def map_width(key: str) -> int | None:
    """The width (px, a multiple of `STEP`) of the container this is called in, once the browser has said it."""
    with probes.box(key):
        result = _component(key=f"atlas_width_{key}", default={"width": None}, height=0, on_width_change=lambda: None)
        width = getattr(result, "width", None) if result is not None else None
        width = int(min(max(width, MIN_WIDTH), MAX_WIDTH)) if isinstance(width, (int, float)) and width > 0 else None
        probes.seen(key, width)
    return width

