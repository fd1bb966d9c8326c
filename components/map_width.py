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

STEP = 20
MIN_WIDTH, MAX_WIDTH = 200, 2400

# The script reports the width of the block holding the component (the map's column), not of the component's own
# element, which the page's style hides. (No comments inside: every string sent to the browser counts as page text.)
_JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  const STEP = %d;
  const block = parentElement.closest('[data-testid="stVerticalBlock"]') || parentElement.parentElement;
  let last = null;
  const report = () => {
    const w = Math.floor(block.getBoundingClientRect().width / STEP) * STEP;
    if (w > 0 && w !== last) { last = w; setStateValue("width", w); }
  };
  const observer = new ResizeObserver(() => requestAnimationFrame(report));
  observer.observe(block);
  report();
  return () => observer.disconnect();
}
""" % STEP

# Its element is hidden by components/frame.py's style rules (`st-key-atlas_width_...`).
_component = st.components.v2.component("atlas_map_width", js=_JS, isolate_styles=False)


def map_width(key: str) -> int | None:
    """The width (px, a multiple of `STEP`) of the container this is called in, once the browser has said it."""
    result = _component(key=f"atlas_width_{key}", default={"width": None}, height=0, on_width_change=lambda: None)
    width = getattr(result, "width", None) if result is not None else None
    if not isinstance(width, (int, float)) or width <= 0:
        return None
    return int(min(max(width, MIN_WIDTH), MAX_WIDTH))
