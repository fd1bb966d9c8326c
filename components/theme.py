"""The one theme: a colour-blind-safe palette, the plotly template, and whether the reader's theme is dark."""
from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999", "black": "#000000"}
DIRECTION_COLOURS = {"cn_to_us": OKABE_ITO["vermillion"], "us_to_cn": OKABE_ITO["blue"]}
#: Every category its own colour (issue #14): fourteen from Okabe & Ito and Paul Tol's muted and bright
#: schemes, chosen so that any two differ by at least 10 CIELAB units for normal vision and as simulated
#: for deuteranopia, protanopia and tritanopia (Machado et al. 2009), and none is black (it vanishes on the
#: dark theme) nor below 3:1 contrast on it. tests/test_palette.py checks all of this.
CATEGORY_COLOURS = {
    "surgical_mask": "#88CCEE", "respirator_mask": "#6699CC", "mask_unspecified": "#AA4499",
    "protective_clothing": OKABE_ITO["orange"], "gloves": OKABE_ITO["green"], "goggles": OKABE_ITO["yellow"],
    "shoe_covers": "#997700", "thermometer": "#EE6677", "cash": "#117733", "other": "#BBBBBB",
    "letter": "#CC79A7", "voice_support": "#AA3377", "video": "#EECC66", "call_email": "#999933",
}
THEME_COLOURS = {"support": OKABE_ITO["blue"], "awareness": OKABE_ITO["orange"],
                 "participation": OKABE_ITO["green"], "media": OKABE_ITO["purple"]}
ROLE_COLOURS = {"gave": OKABE_ITO["vermillion"], "received": OKABE_ITO["blue"],
                "sent_messages": OKABE_ITO["green"], "received_messages": OKABE_ITO["orange"]}
EXCHANGE_COLOURS = {"both": OKABE_ITO["green"], "cn_to_us": DIRECTION_COLOURS["cn_to_us"],
                    "us_to_cn": DIRECTION_COLOURS["us_to_cn"], "none": OKABE_ITO["grey"]}
#: Series without a fixed meaning (the timeline's themes, plotly's colorway), in order: Okabe & Ito without
#: black (invisible on the dark theme), then Tol's colours, all distinct.
SERIES = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "grey")] + [
    "#117733", "#AA4499", "#997700", "#EE6677"]
FONT = "Noto Sans CJK SC, Noto Sans, Source Han Sans SC, Helvetica, Arial, sans-serif"
MUTED = "#777777"


def template(dark: bool = False) -> go.layout.Template:
    fg, grid, bg = ("#E8E8E8", "#444444", "#0E1117") if dark else ("#222222", "#E5E5E5", "#FFFFFF")
    return go.layout.Template(layout=go.Layout(
        font=dict(family=FONT, size=13, color=fg), paper_bgcolor=bg, plot_bgcolor=bg,
        colorway=SERIES,
        xaxis=dict(gridcolor=grid, zerolinecolor=grid, linecolor=grid, automargin=True),
        yaxis=dict(gridcolor=grid, zerolinecolor=grid, linecolor=grid, automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left", title_text=""),
        hoverlabel=dict(font_family=FONT),
    ))


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    """A '#RRGGBB' colour as deck.gl's [r, g, b, a]."""
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def dark() -> bool:
    """Whether the reader's browser shows Streamlit's dark theme: as its page is drawn now
    (components/theme_probe.py, which reruns the page when it changes), else as Streamlit last heard."""
    import streamlit as st
    try:
        said = st.session_state.get("_atlas_dark")
        if isinstance(said, bool):
            return said
        return st.context.theme.type == "dark"
    except Exception:
        return False
