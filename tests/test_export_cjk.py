"""Static exports draw Chinese with real glyphs (issue #6), checked on kaleido's own PNGs.

Three figures differ only in their title: two different Chinese strings of the same length and a
string of characters no font has. With a CJK font the three title regions differ; without one, all
of them are rows of identical .notdef boxes (tofu) and the title regions come out the same.
"""
import io

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops

from components.charts import static_image
from components.theme import FONT, template

pytestmark = pytest.mark.app  # the app tier (pytest.ini): not in `make check`

pytest.importorskip("kaleido")

TITLES = {"fujian_hubei": "福建 湖北", "guangdong_zhejiang": "广东 浙江", "no_glyphs": "\U0010FFFD\U0010FFFC \U0010FFFB\U0010FFFA"}
WIDTH, HEIGHT, SCALE = 400, 240, 1


def render(title: str) -> Image.Image:
    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 1]))
    fig.update_layout(template=template(False), title=dict(text=title, x=0.02, xanchor="left", y=0.95, yanchor="top",
                                                           font=dict(family=FONT, size=32)),
                      margin=dict(l=10, r=10, t=80, b=10))
    png = static_image(fig, "png", width=WIDTH, height=HEIGHT, scale=SCALE)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png)).convert("L")


def title_region(image: Image.Image) -> Image.Image:
    return image.crop((0, 0, image.width, 75 * SCALE))


def difference(a: Image.Image, b: Image.Image) -> float:
    """Pixels that differ clearly between two same-size greyscale images, as a share of the pixels inked in either."""
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 96 else 0).histogram()[255]
    ink = ImageChops.darker(a, b).point(lambda v: 255 if v < 128 else 0).histogram()[255]
    return diff / max(ink, 1)


@pytest.fixture(scope="module")
def titles():
    return {k: title_region(render(v)) for k, v in TITLES.items()}


def test_cjk_titles_have_ink(titles):
    for key, image in titles.items():
        ink = image.point(lambda v: 255 if v < 128 else 0).histogram()[255]
        assert ink > 200, f"{key}: no title drawn"


def test_different_cjk_titles_render_differently(titles):
    assert difference(titles["fujian_hubei"], titles["guangdong_zhejiang"]) > 0.2


def test_cjk_titles_are_not_tofu(titles):
    for key in ("fujian_hubei", "guangdong_zhejiang"):
        assert difference(titles[key], titles["no_glyphs"]) > 0.2, f"{key} renders like characters no font has"
