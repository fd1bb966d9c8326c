"""Embeds a newsroom can use (issue #33): iframes that size themselves, the oEmbed answer, share-card images.

- The `/embed/<name>` page carries `/assets/embed-resize.js`, which posts its content's height to the page that
  frames it, `{"atlas-height": {"<name>": h}}` (as Datawrapper's `datawrapper-height`), once loaded and on every
  change of size (ResizeObserver, and a MutationObserver for content added or removed).
- `/assets/embed.js` is the listener a host page includes once, after its iframes: it sets the height of the
  iframe whose window sent the message (or, failing that, of every iframe whose `data-atlas-embed` is the name).
  Both are files served by the app, not inline scripts, so a host page's Content-Security-Policy can allow them
  by address.
- `oembed(...)`: the oEmbed 1.0 "rich" answer for a page or chart address of this server.
- `card_png(...)`: a 1200x630 PNG (a share card) from a chart's figure or a map's image.

Pure functions, no Streamlit; the routes are in `components/http.py`.
"""
from __future__ import annotations

import html
import io
import json
from typing import Any, Mapping
from urllib.parse import urlencode, urlsplit

LISTENER_PATH = "/assets/embed.js"
RESIZER_PATH = "/assets/embed-resize.js"
MESSAGE_KEY = "atlas-height"
CARD_WIDTH, CARD_HEIGHT = 1200, 630
DEFAULT_WIDTH = 900
PROVIDER = "Cooperation Atlas"

# In the embedded page: the height of what it shows, posted to its parent whenever it changes. The height is the
# bottom of the lowest element of <body> (plotly's page has no doctype, and in quirks mode <body> is as tall as the
# window: its own height would never shrink with its content).
RESIZER_JS = b"""// Cooperation Atlas: this embedded chart tells the page that frames it how tall it is (issue #33).
// Message: {"atlas-height": {"<chart name>": <pixels>}}, as Datawrapper's "datawrapper-height". Listener: /assets/embed.js
(function () {
  if (window.parent === window) return;
  var me = document.currentScript;
  var name = (me && me.getAttribute("data-atlas-embed")) || location.pathname.split("/").pop();
  var last = -1;
  function height() {
    var bottom = 0, kids = document.body ? document.body.children : [];
    for (var i = 0; i < kids.length; i++) {
      if (kids[i].tagName === "SCRIPT") continue;
      var r = kids[i].getBoundingClientRect(), style = getComputedStyle(kids[i]);
      bottom = Math.max(bottom, r.bottom + window.scrollY + (parseFloat(style.marginBottom) || 0));
    }
    return Math.ceil(bottom);
  }
  function post() {
    var h = height();
    if (h > 0 && h !== last) {
      last = h;
      var message = {};
      message["atlas-height"] = {};
      message["atlas-height"][name] = h;
      window.parent.postMessage(message, "*");
    }
  }
  var observer = window.ResizeObserver ? new ResizeObserver(post) : null;
  function watch() {
    if (!observer || !document.body) return;
    observer.observe(document.body);
    for (var i = 0; i < document.body.children.length; i++) observer.observe(document.body.children[i]);
  }
  new MutationObserver(function () { watch(); post(); })
    .observe(document.documentElement, {childList: true, subtree: true});
  window.addEventListener("load", function () { watch(); post(); });
  window.addEventListener("resize", post);
  watch();
  post();
})();
"""

# On the host page: the iframes of the atlas take the height their content posts.
LISTENER_JS = b"""// Cooperation Atlas embeds: resize each atlas <iframe> to its content (issue #33).
// Include once on the page, after the iframes: <script src="https://<atlas>/assets/embed.js" async></script>
// Each embed posts {"atlas-height": {"<chart name>": <pixels>}}; the iframe whose window sent it takes that height.
(function () {
  if (window.__atlasEmbeds) return;
  window.__atlasEmbeds = true;
  window.addEventListener("message", function (event) {
    var heights = event.data && event.data["atlas-height"];
    if (!heights || typeof heights !== "object") return;
    var frames = document.getElementsByTagName("iframe");
    for (var name in heights) {
      var h = Number(heights[name]);
      if (!isFinite(h) || h <= 0 || h > 20000) continue;
      var matched = false;
      for (var i = 0; i < frames.length; i++) {
        if (frames[i].contentWindow === event.source) { frames[i].style.height = h + "px"; matched = true; }
      }
      if (matched) continue;
      for (var j = 0; j < frames.length; j++) {
        if (frames[j].getAttribute("data-atlas-embed") === name) frames[j].style.height = h + "px";
      }
    }
  });
})();
"""


def _attr(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def resizing(page: bytes, name: str, lang: str) -> bytes:
    """The embed page with the resizer script before `</body>` and `<html lang>` in its language."""
    text = page.decode("utf-8")
    script = f'<script src="{RESIZER_PATH}" data-atlas-embed="{_attr(name)}"></script>'
    head, sep, tail = text.rpartition("</body>")
    text = head + script + sep + tail if sep else text + script
    if "<html>" in text:
        text = text.replace("<html>", f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">', 1)
    return text.encode("utf-8")


def snippet(src: str, name: str, title: str, height: int, origin: str = "") -> str:
    """The embed code: an iframe of the chart and the listener script that keeps it as tall as its content."""
    return (f'<iframe src="{_attr(src)}" title="{_attr(title)}" data-atlas-embed="{_attr(name)}" width="100%" '
            f'height="{int(height)}" scrolling="no" style="border:0;width:100%" loading="lazy"></iframe>'
            f'<script src="{_attr(origin + LISTENER_PATH)}" async></script>')


# --- oEmbed ----------------------------------------------------------------------------------------------------------

def target(url: str, pages, by_name: Mapping[str, Any], exhibits_list) -> tuple[Any, str] | None:
    """The exhibit a URL of this server shows, and the URL's query: a page's main chart or map, a chart's file,
    an embed. None for an address that shows none."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.startswith("/embed/"):
        ex = by_name.get(path[len("/embed/"):])
        return (ex, parts.query) if ex is not None and ex.kind != "table" else None
    if path.startswith("/charts/"):
        stem = path[len("/charts/"):].rpartition(".")[0]
        ex = by_name.get(stem)
        return (ex, parts.query) if ex is not None and ex.kind != "table" else None
    page = next((p for p in pages if p.path == path or p.path + "/" == path), None)
    if page is None:
        return None
    from .exhibits import main_exhibit  # the one rule of a page's main exhibit (its share card, citation, oEmbed)
    ex = main_exhibit(page.key, exhibits_list)
    return (ex, parts.query) if ex is not None else None


def same_server(url: str, host: str, base: str) -> bool:
    """Whether `url` is an address of this server: under $ATLAS_BASE_URL when it is set, else on the host asked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if base:
        b = urlsplit(base)
        return (parts.scheme, parts.netloc.lower()) == (b.scheme, b.netloc.lower()) and \
            (parts.path or "/").startswith(b.path or "/")
    return parts.netloc.lower() == host.lower()


def oembed(*, origin: str, name: str, query: list[tuple[str, str]], title: str, height: int, has_png: bool,
           maxwidth: int | None, maxheight: int | None, provider_url: str) -> dict:
    """The oEmbed 1.0 "rich" answer: the self-sizing iframe and its listener, its size within maxwidth/maxheight,
    and (when it fits them) the share card of the same filters as its thumbnail."""
    q = urlencode(query)
    src = f"{origin}/embed/{name}" + (f"?{q}" if q else "")
    width = min(DEFAULT_WIDTH, maxwidth) if maxwidth else DEFAULT_WIDTH
    height = min(height, maxheight) if maxheight else height
    answer = {"version": "1.0", "type": "rich", "provider_name": PROVIDER, "provider_url": provider_url,
              "title": title, "width": int(width), "height": int(height),
              "html": snippet(src, name, title, height, origin)}
    if has_png and (not maxwidth or maxwidth >= CARD_WIDTH) and (not maxheight or maxheight >= CARD_HEIGHT):
        card = urlencode(query + [("size", "card")])
        answer.update(thumbnail_url=f"{origin}/charts/{name}.png?{card}", thumbnail_width=CARD_WIDTH,
                      thumbnail_height=CARD_HEIGHT)
    return answer


def json_text(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").encode("utf-8")


# --- share cards -----------------------------------------------------------------------------------------------------

def card_figure(figure):
    """A chart's figure laid out for a 1200x630 card (the same title, legend, source and footer)."""
    import plotly.graph_objects as go
    fig = go.Figure(figure)
    fig.update_layout(width=CARD_WIDTH, height=CARD_HEIGHT)
    return fig


def card_from_image(png: bytes, background: str = "#ffffff") -> bytes:
    """An image (a map's PNG) fitted whole into 1200x630, centred on its own background colour."""
    from PIL import Image
    with Image.open(io.BytesIO(png)) as src:
        img = src.convert("RGB")
    scale = min(CARD_WIDTH / img.width, CARD_HEIGHT / img.height)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    img = img.resize(size, Image.LANCZOS)
    card = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), background)
    card.paste(img, ((CARD_WIDTH - size[0]) // 2, (CARD_HEIGHT - size[1]) // 2))
    out = io.BytesIO()
    card.save(out, "PNG", optimize=True)
    return out.getvalue()
