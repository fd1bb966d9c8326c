"""Sister-city flows: where help went, as arcs on an offline map, with the records behind it."""
import streamlit as st

from atlas import exports, flows
from atlas.i18n import fmt_number, label, t
from components import data, downloads, frame, sidebar, site, url_state
from components.decks import build_flow_deck, deck_html
from components.flow_map import show_flow_map
from components.tables import show_table

lang = frame.header("flows")
level = sidebar.option("level")
f = url_state.filters()
view = data.view(flows.view, f, lang, level=level)
if view is None:
    frame.empty()
else:
    s = view.summary
    # delivered masks, each direction on its own (a direction is never summed with the other)
    masks = "".join(" " + t("flows.masks_direction", lang, direction=label("direction", d, lang), masks=t("list.separator", lang).join(
        f"{label('category', c, lang)} **{fmt_number(v, lang)}**" for c, v in by_cat.items()))
        for d, by_cat in s["masks_by_category"].items())
    st.markdown(t("flows.summary", lang, **{k: fmt_number(s[k], lang) for k in ("donations", "recipients", "donors", "messages")})
                + masks)
    show_flow_map(view.map, lang)
    if view.map.unmapped:
        st.caption(t("flows.unmapped", lang, n=view.map.unmapped))
    st.subheader(t("flows.table_heading", lang, n=fmt_number(view.rows, lang)))
    show_table(view.table, lang, total=view.rows, height=320)
    # Exports run when clicked, outside this script run: they get the filters as they are now.
    downloads.show_row("flows", {"csv": "flows", "html": "flow-map"}, site.BY_KEY["flows"].applies, {
        "csv": lambda: exports.csv_bytes(flows.records_table(data.get(), f)),
        "html": lambda: deck_html(build_flow_deck(view.map, lang, dark=False)),
    }, help_prefix="flows.download_")
frame.sources("flows")
