"""Data text made inert for plotly's pseudo-HTML (titles, ticks, hover labels, annotations, SVG/HTML exports).

plotly.js renders `<a href>`, `<b>`, `<br>`, `<span style>`, `<sub>`... inside any text it draws, so a company
named `<a href="https://evil.example">ACME</a>` would be a live link on screen and in every export. `plot_text`
escapes `&`, `<` and `>` as the entities plotly decodes back to the characters typed (it knows `&amp;`, `&lt;`,
`&gt;`), so the reader sees the name exactly as written and nothing else.
"""
from __future__ import annotations


def plot_text(value) -> str:
    """Data text as plotly shows it literally: `<`, `>` and `&` as entities; None as ""."""
    if value is None:
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
