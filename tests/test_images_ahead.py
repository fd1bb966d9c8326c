"""The map images are drawn ahead (issue #31): a map PNG took seconds to draw in the server's Chromium. Once its
page has shown the map (components/downloads.py asks components/http.make_ahead), the download is answered from
what was drawn ahead, without drawing it again (how long either takes: benchmarks/, never a timed test)."""
import pytest

from components import http

pytestmark = pytest.mark.app  # draws a map in the server's Chromium (kaleido)


def test_a_map_png_asked_ahead_is_drawn_once_and_then_served_without_drawing(monkeypatch):
    url = "http://testserver:80/charts/flow-map.png?province=Fujian&state=Ohio"
    built = []
    build = http._build
    monkeypatch.setattr(http, "_build", lambda *a, **k: built.append(a) or build(*a, **k))
    http.make_ahead(url)
    http.make_ahead(url)  # asked again (a rerun): drawn once
    assert http.made_ahead(url, timeout=180), "the image was never drawn"
    assert len(built) == 1

    def again(*_a, **_k):
        raise AssertionError("the image was drawn again")
    monkeypatch.setattr(http, "_build", again)
    response = http.chart_file(http.request_for(url))
    assert response.status_code == 200 and response.body.startswith(b"\x89PNG")
