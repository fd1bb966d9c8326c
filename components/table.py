"""Tables on screen: headers and vocabulary codes in the reader's language (exports keep field names)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from atlas.i18n import localise_table


def show_table(df: pd.DataFrame, lang: str, **kwargs) -> None:
    view, headers = localise_table(df, lang)
    config = {c: st.column_config.Column(h) for c, h in headers.items()}
    st.dataframe(view, hide_index=True, width="stretch", column_config=config, **kwargs)
