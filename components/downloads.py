"""Download buttons, one way everywhere: files made only when clicked, named after the chart and its filters."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from atlas.exports import file_name
from atlas.filters import only, slug
from atlas.i18n import t

from . import data, url_state

MIME = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html", "csv": "text/csv", "zip": "application/zip"}


def name_for(stem: str, filter_names: tuple[str, ...], ext: str) -> str:
    """The file name of an export: its stem, the filters it shows, the language if not English."""
    f = only(url_state.filters(), filter_names)
    return file_name(stem, slug(f, data.vocab()), ext, url_state.lang())


def show_row(key: str, stem: str | dict[str, str], filter_names: tuple[str, ...], makers: dict[str, Callable[[], bytes]],
             help_prefix: str = "chart.download_") -> None:
    """One button per format in `makers` ({"csv": make_csv, ...}), side by side; `key` names their widgets.

    `stem` starts every file's name, or per format ({"csv": "flows", "html": "flow-map"})."""
    lang = url_state.lang()
    for col, (fmt, maker) in zip(st.columns(len(makers)), makers.items()):
        with col:
            name = name_for(stem if isinstance(stem, str) else stem[fmt], filter_names, fmt)
            button(fmt.upper(), maker, name, f"dl_{key}_{fmt}", t(f"{help_prefix}{fmt}", lang))


def button(label: str, maker: Callable[[], bytes], name: str, key: str, help: str | None = None, primary: bool = False) -> None:
    ext = name.rsplit(".", 1)[-1]
    st.download_button(label, data=maker, file_name=name, mime=MIME.get(ext, "application/octet-stream"), key=key,
                       on_click="ignore", icon=":material/folder_zip:" if ext == "zip" else ":material/download:",
                       help=help, width="stretch" if not primary else "content", type="primary" if primary else "secondary")
