"""The flows page's chart: a Sankey of Chinese provinces and US states (`build_flow_sankey`), a normal `Chart`
(table tab and PNG/SVG/HTML/CSV downloads through `components.charts.show_chart`)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from atlas.flows import NOT_STATED
from atlas.i18n import fmt_number, label, t

from .charts import Chart, frame
from .theme import DIRECTION_COLOURS, MUTED, rgb

SLUG = "provinces-to-states"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b, _ = rgb(hex_colour)
    return f"rgba({r},{g},{b},{alpha})"


def build_flow_sankey(links: pd.DataFrame, names: pd.DataFrame, measure: str, lang: str, source: str, filters_text: str,
                      dark: bool = False) -> Chart:
    """`links` as `atlas.flows.sankey_links` returns them (cn_admin1, us_admin1, direction, value); `names` the
    package's regions (admin1, name_en, name_zh). Provinces on the left, states on the right; a link's colour
    says which way the help went, its width how much of `measure`."""
    by_code = names.set_index("admin1")

    def name(code: str, side: str) -> str:
        if code == NOT_STATED or code not in by_code.index:
            return t(f"sankey.not_stated_{side}", lang)
        r = by_code.loc[code]
        return r["name_zh"] if lang == "zh" and isinstance(r["name_zh"], str) and r["name_zh"] else r["name_en"]

    cn = (links.groupby("cn_admin1")["value"].sum().sort_values(ascending=False).index.tolist() if len(links) else [])
    us = (links.groupby("us_admin1")["value"].sum().sort_values(ascending=False).index.tolist() if len(links) else [])
    nodes = [("cn", c) for c in cn] + [("us", c) for c in us]
    index = {n: i for i, n in enumerate(nodes)}
    node_colour = [MUTED if code == NOT_STATED else DIRECTION_COLOURS["cn_to_us" if side == "cn" else "us_to_cn"]
                   for side, code in nodes]
    # Links run left to right (province -> state) whichever way the help went; their colour says the direction.
    # Each node says its values (issue #31: the Sankey showed no numbers, on screen or in its PNG): one per direction
    # of the help through it, never the two summed (the counting rule of atlas/engine.py).
    sums = {}
    for side in ("cn", "us"):
        col = f"{side}_admin1"
        for (code, direction), v in links.groupby([col, links["direction"].astype(str)])["value"].sum().items():
            sums.setdefault((side, code), {})[direction] = float(v)

    def node_label(side: str, code: str) -> str:
        values = sums.get((side, code), {})
        if len(values) == 1:
            return f"{name(code, side)} {fmt_number(next(iter(values.values())), lang)}"
        parts = t("list.separator", lang).join(f"{label('direction', d, lang)} {fmt_number(v, lang)}" for d, v in values.items())
        return f"{name(code, side)}{t('paren', lang, text=parts)}" if values else name(code, side)

    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=[node_label(side, code) for side, code in nodes], color=node_colour, pad=12, thickness=14,
                  line=dict(width=0), hovertemplate="%{label}<extra></extra>"),
        link=dict(source=[index[("cn", c)] for c in links["cn_admin1"]], target=[index[("us", c)] for c in links["us_admin1"]],
                  value=links["value"].astype(float).tolist(),
                  color=[_rgba(DIRECTION_COLOURS[d], 0.45) for d in links["direction"]],
                  customdata=[label("direction", d, lang) for d in links["direction"]],
                  hovertemplate="%{source.label} – %{target.label}: %{value:,.0f} (%{customdata})<extra></extra>"),
    ))
    measure_text = t(f"sankey.measure.{measure}", lang)
    subtitle = t("sankey.subtitle", lang, measure=measure_text, filters=filters_text).rstrip("；;, ")  # no filters: no dangling separator
    frame(fig, t("sankey.title", lang), subtitle, source, dark, height=max(380, 170 + 26 * max(len(cn), len(us), 1)))
    fig.update_layout(margin=dict(l=10, r=10, t=95, b=95))
    data = pd.DataFrame({
        "cn_admin1": links["cn_admin1"], "province": [name(c, "cn") for c in links["cn_admin1"]],
        "us_admin1": links["us_admin1"], "state": [name(c, "us") for c in links["us_admin1"]],
        "direction": links["direction"], "measure": measure, "value": links["value"].astype(float)})
    # one total per direction: the two are never summed together
    by_direction = links.groupby(links["direction"].astype(str))["value"].sum()
    totals = t("list.separator", lang).join(f"{label('direction', d, lang)} {fmt_number(float(v), lang)}"
                                            for d, v in by_direction.items())
    notes = [t("flows.sankey_total", lang, total=totals or fmt_number(0, lang), measure=measure_text)]
    return Chart(SLUG, t("sankey.title", lang), subtitle, source, data.reset_index(drop=True), fig, notes)
