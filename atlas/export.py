"""Exports: CSV safe to open in a spreadsheet, PNG/SVG rendered on the server, self-contained HTML.

kaleido keeps one headless Chromium per process (fast after the first call) but is not thread-safe:
concurrent callers were seen to receive each other's images. All static renders go through one lock.
"""
from __future__ import annotations

import io
import threading

import pandas as pd
import plotly.graph_objects as go

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_kaleido_lock = threading.Lock()
_kaleido_started = False


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame, header_lines: list[str] | None = None) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Chinese), text cells neutralised; numbers are left as numbers."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    buf = io.StringIO()
    # CRLF makes pandas quote any cell holding a bare CR, which a reader would otherwise split into a new
    # row whose first cell (e.g. "=1+1") escaped neutralisation.
    out.to_csv(buf, index=False, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _ensure_kaleido() -> None:
    global _kaleido_started
    if not _kaleido_started:
        import kaleido
        try:
            kaleido.start_sync_server(silence_warnings=True)
        except Exception:  # already running in this process
            pass
        _kaleido_started = True


def static_image(fig: go.Figure, fmt: str, width: int = 1100, height: int | None = None, scale: float = 2) -> bytes:
    """PNG or SVG of a figure, rendered by kaleido in the system Chromium; serialised across threads."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported format {fmt}")
    height = height or int(fig.layout.height or 600)
    with _kaleido_lock:
        _ensure_kaleido()
        return fig.to_image(format=fmt, width=width, height=height, scale=scale if fmt == "png" else 1)


def html_bytes(fig: go.Figure, title: str) -> bytes:
    """A self-contained interactive HTML file (plotly.js inlined, so it opens offline)."""
    html = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False})
    html = html.replace("<head>", f"<head><meta charset=\"utf-8\"><title>{_escape(title)}</title>", 1)
    return html.encode("utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def file_name(slug: str, filter_slug: str, ext: str, lang: str = "en") -> str:
    parts = [slug] + ([filter_slug] if filter_slug else []) + (["zh"] if lang == "zh" else [])
    return "_".join(parts) + "." + ext
