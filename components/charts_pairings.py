"""Charts of the sister-relationships page (kept apart from components/charts.py): `build_*` -> `Chart`,
rendered with `components.charts.show_chart` like every other chart."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from atlas.i18n import fmt_number, t

from .charts import Chart, frame
from .theme import OKABE_ITO


def build_pairing_years_chart(years: pd.DataFrame, lang: str, source: str, filters_text: str, dark: bool = False) -> Chart:
    """`years`: `atlas.pairings.years(view)`. One bar per year a public source gives for a relationship's founding;
    the part of a bar from a pair whose sources disagree (it counts in each year given) is drawn apart."""
    agreed = years["pairs"] - years["disputed"]
    fig = go.Figure([
        go.Bar(x=years["year"], y=agreed, name=t("pairing_years.agreed", lang), marker_color=OKABE_ITO["blue"],
               hovertemplate="%{x}: %{y}<extra></extra>"),
        go.Bar(x=years["year"], y=years["disputed"], name=t("pairing_years.disputed", lang), marker_color=OKABE_ITO["orange"],
               marker_pattern_shape="/", hovertemplate="%{x}: %{y}<extra></extra>"),
    ])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    # Readable at 390 px too (the layout test found the labels on top of each other): at most about 12 year labels
    # (plotly skips the others; every bar keeps its year in its tooltip) and a whole-number step giving at most 8 ticks.
    fig.update_xaxes(title_text=t("pairing_years.axis_x", lang), type="category", nticks=12, tickangle=-90)
    top = float(years["pairs"].max()) if len(years) else 1.0
    fig.update_yaxes(title_text=t("pairing_years.axis_y", lang), tick0=0, dtick=max(1, math.ceil(top / 8)), ticklabelstandoff=8,
                     tickformat="d")
    subtitle = t("pairing_years.subtitle", lang, pairs=fmt_number(years["pairing_ids"].str.split("; ").explode().nunique()
                                                                  if len(years) else 0, lang), filters=filters_text)
    frame(fig, t("pairing_years.title", lang), subtitle, source, dark, height=420)
    data = years.rename(columns={"pairs": "relationships", "disputed": "of_which_sources_disagree"})
    return Chart("sister-relationships-by-year", t("pairing_years.title", lang), subtitle, source,
                 data.reset_index(drop=True), fig, [t("pairing_years.note", lang)])
