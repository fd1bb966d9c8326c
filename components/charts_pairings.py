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
    n = int(years["pairing_ids"].str.split("; ").explode().nunique()) if len(years) else 0
    subtitle = t("pairing_years.subtitle_one" if n == 1 else "pairing_years.subtitle", lang, pairs=fmt_number(n, lang),
                 filters=filters_text)
    frame(fig, t("pairing_years.title", lang), subtitle, source, dark, height=420)
    data = years.rename(columns={"pairs": "relationships", "disputed": "of_which_sources_disagree"})
    return Chart("sister-relationships-by-year", t("pairing_years.title", lang), subtitle, source,
                 data.reset_index(drop=True), fig, [t("pairing_years.note", lang)])


def gap_sentence(gap: dict, lang: str) -> str:
    """The gap between the package and the official counts, in words; every number from `atlas.pairings.gap`."""
    if gap["official_date"] is None:
        return t("pairing_reconcile.none", lang)
    n = lambda v: fmt_number(v, lang)
    return t("pairing_reconcile.gap", lang, ps=n(gap["province_state"]), off_ps=n(gap["official_province_state"]),
             city=n(gap["city"]), off_city=n(gap["official_city"]), date=gap["official_date"], total=n(gap["total"]),
             off_total=n(gap["official_total"]), dated=n(gap["dated"]), not_stated=n(gap["state_not_stated"]),
             latest=n(gap["latest_total"]), latest_date=gap["latest_date"])


def build_pairing_reconciliation_chart(cumulative: pd.DataFrame, official: pd.DataFrame, gap: dict, lang: str, source: str,
                                       dark: bool = False) -> Chart:
    """`cumulative`, `official`, `gap`: `atlas.pairings.cumulative`, `official_totals` and `gap` of the package. One panel
    per level (all, province-state, city): the relationships on record with a stated year, cumulative, as a step line;
    those on record now with or without a year as a dotted level; the official totals as stated, as dots."""
    from plotly.subplots import make_subplots
    from atlas.pairings import LEVELS
    # each panel's name is its x-axis title (a subplot title would sit under the legend row)
    # one panel under another: side by side, three panels left each about 100 px at 390 px and their ticks overlapped
    fig = make_subplots(rows=3, cols=1, shared_xaxes=False, vertical_spacing=0.16)
    now = {"all": gap["total"], "province_state": gap["province_state"], "city": gap["city"]}
    rows = []
    for i, level in enumerate(LEVELS, start=1):
        c = cumulative[cumulative["level"] == level]
        o = official[official["level"] == level]
        first = i == 1
        fig.add_trace(go.Scatter(x=c["year"], y=c["on_record_dated"], mode="lines", line_shape="hv",
                                 line=dict(color=OKABE_ITO["blue"], width=2), name=t("pairing_reconcile.line", lang),
                                 legendgroup="line", showlegend=first, hovertemplate="%{x}: %{y}<extra></extra>"), row=i, col=1)
        if len(c):
            fig.add_trace(go.Scatter(x=[c["year"].min(), c["year"].max()], y=[now[level]] * 2, mode="lines",
                                     line=dict(color=OKABE_ITO["blue"], width=1, dash="dot"),
                                     name=t("pairing_reconcile.all_on_record", lang), legendgroup="now", showlegend=first,
                                     hovertemplate=f"{fmt_number(now[level], lang)}<extra></extra>"), row=i, col=1)
        # the totals as dots, their values on hover, in the table and in the gap sentence (labels of totals a year
        # apart covered each other at a phone's width)
        fig.add_trace(go.Scatter(x=o["year"], y=o["value"], mode="markers", marker=dict(color=OKABE_ITO["orange"], size=9),
                                 name=t("pairing_reconcile.official", lang), legendgroup="official",
                                 showlegend=first and len(official) > 0,
                                 customdata=o[["date", "source_id"]].to_numpy(),
                                 hovertemplate="%{customdata[0]}: %{y} (%{customdata[1]})<extra></extra>"), row=i, col=1)
        rows += [{"level": level, "year": int(y), "series": "on_record_dated_cumulative", "value": int(v), "date": "",
                  "figure_id": "", "source_id": ""} for y, v in zip(c["year"], c["on_record_dated"])]
        rows.append({"level": level, "year": None, "series": "on_record_with_or_without_year", "value": now[level],
                     "date": "", "figure_id": "", "source_id": ""})
        rows += [{"level": level, "year": int(y), "series": "official_total", "value": int(v), "date": d, "figure_id": f,
                  "source_id": s} for y, v, d, f, s in zip(o["year"], o["value"], o["date"], o["figure_id"], o["source_id"])]
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    years = cumulative["year"].tolist() + official["year"].tolist()
    for i, level in enumerate(LEVELS, start=1):
        fig.update_xaxes(title_text=f"<b>{t(f'pairing_reconcile.panel_{level}', lang)}</b>",
                         range=[min(years) - 2, max(years) + 4] if years else None, nticks=8, tickformat="d", row=i, col=1)
    fig.update_yaxes(title_text=t("pairing_reconcile.axis_y", lang), rangemode="tozero", row=2, col=1)
    for i, level in enumerate(LEVELS, start=1):  # headroom for the totals' labels
        top = max(official.loc[official["level"] == level, "value"].tolist() + [now[level]] +
                  cumulative.loc[cumulative["level"] == level, "on_record_dated"].tolist())
        fig.update_yaxes(range=[0, top * 1.15], nticks=5, row=i, col=1)
    subtitle = t("pairing_reconcile.subtitle", lang, dated=fmt_number(gap["dated"], lang), total=fmt_number(gap["total"], lang))
    frame(fig, t("pairing_reconcile.title", lang), subtitle, source, dark, height=760)
    data = pd.DataFrame(rows, columns=["level", "year", "series", "value", "date", "figure_id", "source_id"])
    data["year"] = data["year"].astype("Int64")
    return Chart("sister-relationships-reconciled", t("pairing_reconcile.title", lang), subtitle, source, data, fig,
                 [gap_sentence(gap, lang), t("pairing_reconcile.note", lang)])
