"""Exports ready to publish (issue #31), checked on the bytes the app's addresses serve: the licence in every
image's footer (charts' SVG, which the PNG is drawn from with the same figure; the maps' page, which their PNG is
a screenshot of), and the Sankey's values in its figure and its image."""
import json
import re

import pytest
from starlette.requests import Request

from components import exhibits
from components.http import chart_file

LICENCE = "Creative Commons Attribution Share-Alike 4.0"


class Client:
    """Calls the app's /charts/ handler in-process, as Starlette would for a GET of `url`."""

    def get(self, url: str):
        path, _, query = url.partition("?")
        scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "headers": [(b"host", b"testserver")], "scheme": "http", "server": ("testserver", 80), "root_path": "",
                 "path_params": {"file": path.rsplit("/", 1)[1]}}
        response = chart_file(Request(scope))
        assert response.status_code == 200, (url, response.status_code, response.body[:300])
        response.text = response.body.decode("utf-8", "replace")
        response.content = response.body
        return response


@pytest.fixture(scope="module")
def client():
    return Client()


@pytest.mark.parametrize("name", [e.name for e in exhibits.EXHIBITS if e.kind == "map"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_map_image_names_the_data_licence(client, name, lang):
    body = client.get(f"/charts/{name}.html?lang={lang}").text
    assert LICENCE in body
    assert "see the data package" not in body and "见数据包的许可说明" not in body


@pytest.mark.app  # SVG drawn by kaleido (Chromium)
@pytest.mark.parametrize("name", ["flows-sankey", "survey-findings", "corporate-giving"])
def test_chart_images_name_the_licence(client, name):
    svg = client.get(f"/charts/{name}.svg").text
    assert LICENCE in svg


@pytest.mark.app  # SVG drawn by kaleido (Chromium)
def test_the_sankey_shows_its_values_on_screen_and_in_its_image(client):
    figure = json.loads(client.get("/charts/flows-sankey.json?province=Fujian").content)
    labels = figure["data"][0]["node"]["label"]
    assert any(re.search(r"^Fujian .*\d", x) for x in labels), labels
    assert "Ohio 1,000,000" in labels, labels
    svg = client.get("/charts/flows-sankey.svg?province=Fujian").text
    assert "Ohio 1,000,000" in svg
