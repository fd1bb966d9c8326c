"""Whether the reader's page is dark, as the browser draws it now (issue #31: charts already on screen stayed
white after a switch to the dark theme until the page changed).

Streamlit does not rerun when the reader changes the theme in its settings, and `st.context.theme` may be stale
during a change. `probe()` mounts an invisible custom component (Streamlit's components v2) that reads the app's
background colour, and reports a change of it (light to dark or back): the value changing reruns the script, so
every chart and map is built again for the new theme (each theme's figures are cached apart). `theme.dark()`
reads the value this stores; before the browser has reported (a session's first run, AppTest) it falls back to
`st.context.theme`.
"""
from __future__ import annotations

import streamlit as st

from components import probes

STATE_KEY = "_atlas_dark"

# (No comments inside: every string sent to the browser counts as page text.)
_JS = """
export default function(component) {
  const { setStateValue, parentElement, data } = component;
  %s
  let last = data && typeof data.assumed === "boolean" ? data.assumed : null;
  if (last !== null) mark(last);
  const check = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return;
    const m = /rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)/.exec(getComputedStyle(app).backgroundColor || "");
    if (!m) return;
    const dark = (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) < 128;
    if (dark !== last) { last = dark; mark(dark); setStateValue("dark", dark); }
  };
  check();
  const timer = setInterval(check, 400);
  return () => clearInterval(timer);
}
""" % probes.MARK_JS

_component = st.components.v2.component("atlas_theme_probe", js=_JS, isolate_styles=False)


def probe() -> None:
    """Mount the probe (once per run, before the page) and keep what it says for `theme.dark()`.

    The probe is told the theme this run assumes (what it last reported, else `st.context.theme`) and reports only
    a theme that differs from it: a page that opens in the theme Streamlit already said is not run a second time
    (every first load was: the page dimmed once more after it had drawn)."""
    from components import theme
    assumed = theme.dark()
    with probes.box("theme"):
        result = _component(key="atlas_width_theme_probe", default={"dark": None}, data={"assumed": assumed},
                            height=0, on_dark_change=lambda: None)
        value = getattr(result, "dark", None) if result is not None else None
        if isinstance(value, bool):
            st.session_state[STATE_KEY] = value
        probes.seen("theme", value if isinstance(value, bool) else assumed)
