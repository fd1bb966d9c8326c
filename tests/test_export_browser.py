"""kaleido's Chromium (server-side PNG/SVG of charts) runs without choreographer's --disable-web-security (issue #30 item 16)."""
from __future__ import annotations

import os
from pathlib import Path

import plotly.graph_objects as go
import pytest

pytestmark = pytest.mark.app  # a kaleido export: the app tier (pytest.ini), not in `make check`


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def test_the_export_browser_keeps_web_security_on():
    from components.charts import static_image
    png = static_image(go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout=dict(template="plotly_white")), "png", width=300,
                       height=200, scale=1)
    assert png.startswith(b"\x89PNG")
    lines = []
    for pid in _descendants(os.getpid()):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"chrom" in a for a in args[:3]):
            lines.append(args)
    assert lines, "the export browser is a child of this process"
    for args in lines:
        assert b"--disable-web-security" not in args and b"--allow-file-access-from-files" not in args, args[:4]
