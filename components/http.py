"""The app's stable addresses, served beside its pages by `st.App` (one process, started by `make run`).

  GET /api/v1/                         what exists: every table and chart, their addresses and parameters
  GET /api/v1/<name>.csv | .json       every table of the package, and every chart's numbers
  GET /api/v1/datapackage.json         the package's descriptor (schemas, licences, sources)
  GET /api/v1/cooperation-atlas-data.zip   the whole package
  GET /charts/<chart>.png|.svg|.html|.json  a chart's image, interactive file or plotly figure; maps as .html
  GET /embed/<chart>                   a minimal page of one chart for an <iframe>, that posts its height to its parent
  GET /charts/<chart>.png?size=card     the chart (or map) of the link's filters as a 1200x630 share card
  GET /api/v1/oembed?url=<page or chart address>&format=json   the oEmbed answer (components/embeds.py)
  GET /api/v1/brief.pdf                a one-page PDF brief of the view (components/brief.py)
  GET /assets/embed.js                 the listener a host page includes so that the atlas's iframes size themselves
  GET /api/v1/cite/<name>.bib|.ris|.json|.txt   the citation of the atlas, the package or any exhibit (this view)
  GET /api/v1/dataset.jsonld           the package as a schema.org Dataset
  GET /healthz                         the package loaded, and its version (503 if it cannot be)
  GET /api/v1/versions.json            every version of the package (atlas.versions), each kept and servable
  GET /api/v1/v/<version>/...          any address of /api/v1/ for that version of the package (also `version=`)
  GET /api/v1/changes.csv | .json?from=<version>&to=<version>   what changed between two versions, with reasons
  GET /api/v1/CHANGELOG.md             the data's changelog (made by the build)

Every address takes exactly the page URL's parameters (`province=Fujian&lang=zh`...), parsed by the
same `atlas.filters.parse_query` (`version=` among them: the package of that version answers, components/data.using);
a chart also takes `theme=light|dark`, every file `download=1` (sent as
an attachment under the page's file name). A parameter the page would warn about is a 400 here with a
JSON error naming it; a filter that the exhibit does not show is listed in `X-Atlas-Ignored`. What is made
is kept per parameter set in the one cache (`components/data.rendered`) and answered with an ETag.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from atlas import catalogue, versions
from atlas.exports import csv_bytes, file_name, for_reader, table_schema
from atlas.filters import FIELDS, active, filters_of, only, parse_query, slug
from atlas.i18n import t
from atlas.package import PackageError, data_dir

from . import data, exhibits
from .site import PAGES
from .streamlit_fixes import BOOT_JS, index_html
from .charts import Chart, html_bytes, static_image
from .decks import OUTLINE_PREFIX, outline_files

_LOG = logging.getLogger(__name__)
MAX_QUERY = 4_096          # bytes of query string
MAX_PARAMS = 100
CONTROLS = {"theme": ("light", "dark"), "download": ("0", "1")}
ZIP_NAME = "cooperation-atlas-data.zip"
CITE_FORMATS = ("bib", "ris", "json", "txt")   # /api/v1/cite/<name>.<fmt> (atlas.cite.FORMATS)
MIME = {"csv": "text/csv; charset=utf-8", "json": "application/json", "png": "image/png", "svg": "image/svg+xml",
        "html": "text/html; charset=utf-8", "zip": "application/zip", "js": "text/javascript; charset=utf-8",
        "pdf": "application/pdf", "md": "text/markdown; charset=utf-8"}
SECURITY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}
if os.environ.get("ATLAS_WORKER"):  # set by components/serve.py: which of several processes answered
    SECURITY["X-Atlas-Worker"] = os.environ["ATLAS_WORKER"][:16]


class Problem(Exception):
    def __init__(self, status: int, error: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.body = status, {"error": error, "message": message, **extra}


def json_bytes(body: Any) -> bytes:
    """JSON with <, > and & as \\u escapes, so no value (a reflected parameter, a hostile name) reads as markup anywhere."""
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def _json(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json_bytes(body), status_code=status, media_type="application/json",
                    headers={**SECURITY, **(headers or {})})


def _problem(p: Problem) -> Response:
    return _json(p.body, p.status, {"Cache-Control": "no-store"})


def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Every route answers JSON on failure: a Problem as itself, a broken package as 503, anything else as 500
    without a traceback (it goes to the log)."""
    def endpoint(request: Request) -> Response:
        try:
            if len(request.url.query.encode()) > MAX_QUERY:
                raise Problem(414, "query_too_long", f"The query string is longer than {MAX_QUERY:,} bytes.")
            with data.using(_version_of(request)):
                return handler(request)
        except versions.UnknownVersion as error:
            return _problem(Problem(404, "unknown_version", str(error), versions=list(data.listed_numbers()),
                                    see="/api/v1/versions.json"))
        except Problem as p:
            return _problem(p)
        except PackageError as error:
            return _json({"error": "package", "message": str(error)[:2_000]}, 503, {"Cache-Control": "no-store"})
        except Exception:
            _LOG.exception("error answering %s", request.url.path)
            return _json({"error": "internal", "message": "The server could not answer this request."}, 500)
    endpoint.__name__ = handler.__name__
    return endpoint


# --- parameters -----------------------------------------------------------------------------------

def _version_of(request: Request) -> str:
    """The version of the package a request reads: the one its address names (/api/v1/v/<version>/...; UnknownVersion
    if there is none such), else its `version=` if that is one of the package's (any other value is left to the
    query's parsing, which answers 400 naming it), else the current one ("")."""
    in_path = request.path_params.get("version")
    asked = request.query_params.getlist("version")
    if in_path is not None:
        if asked and asked != [in_path]:
            raise Problem(400, "bad_parameters", "The address names one version of the data and its query another.",
                          problems=[{"param": "version", "value": ", ".join(asked)[:40], "reason": "one_only"}])
        return in_path
    return asked[0] if len(asked) == 1 and asked[0] in data.listed_numbers() else ""


def parse(request: Request, exhibit: exhibits.Exhibit | None = None, controls_allowed: dict | None = None) -> tuple[dict, dict]:
    """The request's URL state (every field) and its controls (theme, download; `controls_allowed` for an address
    with more, e.g. a chart's `size=card`); Problem(400) if the page would warn."""
    items = request.query_params.multi_items()
    if len(items) > MAX_PARAMS:
        raise Problem(400, "too_many_parameters", f"The request has {len(items):,} parameters; at most {MAX_PARAMS} are read.")
    params: dict[str, list[str]] = {}
    for k, v in items:
        params.setdefault(k, []).append(v)
    controls, problems = {}, []
    for name, allowed in (controls_allowed or CONTROLS).items():
        values = params.pop(name, [])
        if len(values) > 1 or (values and values[0] not in allowed):
            problems.append({"param": name, "value": ", ".join(values)[:40], "reason": "unknown",
                             "message": f"{name} must be one of: {', '.join(allowed)}."})
        controls[name] = values[0] if values and values[0] in allowed else allowed[0]
    result = parse_query(params, data.vocab())
    if "version" in request.path_params:  # /api/v1/v/<version>/...: the state names it, as `version=` would
        result.state["version"] = "" if request.path_params["version"] in ("", "latest") else data.version().number
    for param, value, reason in result.warnings:
        problems.append({"param": param, "value": value, "reason": reason,
                         "message": t(f"warning.{reason}", "en", param=param, value=value)})
    if problems:
        raise Problem(400, "bad_parameters", "Some parameters are not valid here; nothing was answered.",
                      problems=problems)
    return result.state, controls


def ignored(exhibit: exhibits.Exhibit, state: dict) -> list[str]:
    """Set fields the exhibit does not read (a chart of the whole package given province=...)."""
    reads = set(exhibit.names()) | {"as_table", "table"}
    return [n for n in active(state, FIELDS, only_filters=False) if n not in reads]


def _exhibit(name: str, allowed: Callable[[exhibits.Exhibit], tuple[str, ...]], fmt: str) -> exhibits.Exhibit:
    ex = exhibits.BY_NAME.get(name)
    if ex is None or fmt not in allowed(ex):
        raise Problem(404, "not_found", "No such table, chart or format; see /api/v1/ for what exists.", see="/api/v1/")
    return ex


def _split(file: str) -> tuple[str, str]:
    stem, _, ext = file.rpartition(".")
    return (stem, ext.lower()) if stem else (file, "")


# --- answering --------------------------------------------------------------------------------------

def _package_meta() -> dict:
    """The package answering (the version the request names): name, title, version, licences, its descriptor's
    address, and for an earlier version the latest one."""
    d = data.get().package.descriptor
    meta = {"name": d.get("name", ""), "title": d.get("title", ""), "version": d.get("version", ""),
            "licenses": d.get("licenses", []), "descriptor": data.api_prefix() + "/datapackage.json"}
    if not data.version().current:
        meta["latest_version"] = data.listed()[-1].number   # a newer version exists
    return meta


def _headers(kind_of_file: str, name: str, download: bool) -> dict:
    meta = _package_meta()
    licence = next((lic.get("path", "") for lic in meta["licenses"]), "")
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = "attachment" if download else "inline"
    return {**SECURITY, "Content-Type": MIME[kind_of_file],
            "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "X-Atlas-Package-Version": str(meta["version"]),
            "Link": f'<{meta["descriptor"]}>; rel="describedby"' + (f', <{licence}>; rel="license"' if licence else ""),
            "Cache-Control": "public, max-age=300"}


def _answer(request: Request, body: bytes, headers: dict) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {**headers, "ETag": etag}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={k: v for k, v in headers.items()
                                                  if k in ("ETag", "Cache-Control", "X-Content-Type-Options")})
    return Response(body, headers=headers)


def _file_name(ex: exhibits.Exhibit, state: dict, ext: str) -> str:
    """The file's name: the exhibit, its filters, the view options it reads that are not at their defaults (the
    flow map at place level is another map than at province level: `flow-map_level-place.png`), the language."""
    f = only(filters_of(state), ex.filters)
    options = {n: state[n] for n in ex.options if n in state and n != "q"}  # the data page's search is no view
    named = "_".join(p for p in (slug(f, data.vocab()), slug(options, data.vocab())) if p)
    return file_name(ex.name, named, ext, state.get("lang", "en"))


def _cache_key(route: str, ex: exhibits.Exhibit, fmt: str, state: dict, controls: dict) -> tuple:
    return (route, ex.name, fmt, exhibits.cache_key(state, data.vocab()), controls["theme"])


def _build(ex: exhibits.Exhibit, state: dict, dark: bool = False):
    made = ex.build(exhibits.Ask(data.get(), state, dark))
    if made is None:
        raise Problem(404, "empty", t(ex.empty, state.get("lang", "en")))
    return made


def _table_of(ex: exhibits.Exhibit, state: dict):
    made = _build(ex, state)
    return made.data if isinstance(made, Chart) else made


FOOTER_HEIGHT = 18


def with_footer(figure, text: str):
    """A copy of `figure` one line taller, with `text` (link back and licence) under its source line."""
    import plotly.graph_objects as go
    from .theme import MUTED
    fig = go.Figure(figure)
    bottom = int(fig.layout.margin.b if fig.layout.margin.b is not None else 80)
    fig.update_layout(margin=dict(b=bottom + FOOTER_HEIGHT), height=int(fig.layout.height or 600) + FOOTER_HEIGHT)
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=0, yshift=-(bottom + FOOTER_HEIGHT - 4),
                       xanchor="left", yanchor="bottom", showarrow=False, align="left", font=dict(size=10, color=MUTED))
    return fig


def _footer(request: Request, ex: exhibits.Exhibit, state: dict) -> str:
    from .charts import escape_html
    lang = state.get("lang", "en")
    meta = _package_meta()
    licence = next((lic.get("title") or lic.get("name", "") for lic in meta["licenses"]), "")
    return escape_html(t("export.footer", lang, version=meta["version"], url=_page_url(request, ex, state), licence=licence))


def _export_table(ex: exhibits.Exhibit, state: dict):
    """The CSV's table: the package's own tables as they are; the others in the reader's language."""
    table = _table_of(ex, state)
    return table if ex.page == "data" else for_reader(table, state.get("lang", "en"))


_BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?")


def link_base() -> str:
    """Where links in made files point: $ATLAS_BASE_URL (e.g. https://atlas.example.org) if set and a plain http(s)
    address, else "" (links relative to the server that answered). Never the request's Host: files are cached
    for every reader, and one reader's Host header must not become another's link (or a new render per Host)."""
    base = os.environ.get("ATLAS_BASE_URL", "").strip().rstrip("/")
    if base and not _BASE_URL.fullmatch(base):
        _LOG.warning("ATLAS_BASE_URL is not a plain http(s) address; links in files stay relative")
        return ""
    return base


def _page_url(request: Request, ex: exhibits.Exhibit, state: dict) -> str:
    """The page a made file links back to: the exhibit's page in this view, naming the version of the data the file
    shows (a file kept for years still leads to what it shows)."""
    from urllib.parse import urlencode
    from .site import BY_KEY
    state = exhibits.pinned(state)
    q = urlencode(exhibits.query_of(ex, state, data.vocab()) + ([("table", ex.name)] if ex.page == "data" else []))
    return link_base() + BY_KEY[ex.page].path + (f"?{q}" if q else "")


def _csv_with_metadata(request: Request, ex: exhibits.Exhibit, state: dict) -> bytes:
    """"CSV + metadata": the CSV and a datapackage.json of that one resource (title, source, filters, licence,
    the page and the address it came from, when), so the file says what it is wherever it goes."""
    import datetime as dt
    import io
    import zipfile
    lang = state.get("lang", "en")
    made = _build(ex, state)
    table = _export_table(ex, state)
    csv_name = _file_name(ex, state, "csv")
    meta = _package_meta()
    described = exhibits.Ask(data.get(), state).describe(ex.filters)
    title = made.title if isinstance(made, Chart) else (t(ex.title_key, lang) if ex.title_key else ex.name)
    source = made.source if isinstance(made, Chart) else t("api.row_sources", lang)
    descriptor = {
        "name": ex.name.replace("_", "-"), "title": title, "description": made.subtitle if isinstance(made, Chart) else "",
        "licenses": meta["licenses"], "sources": [{"title": source}], "version": meta["version"],
        "x-cooperation-atlas": {"filters": described,
                                "query": dict(exhibits.query_of(ex, state, data.vocab())),
                                "page": _page_url(request, ex, state),
                                "address": link_base() + exhibits.address(ex, "csv", state, data.vocab()),
                                "generated": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                                "package": meta["name"], "package_version": meta["version"]},
        "resources": [{"name": ex.name.replace("_", "-"), "path": csv_name, "format": "csv", "mediatype": "text/csv",
                       "encoding": "utf-8-sig", "schema": {"fields": table_schema(table)}}],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(csv_name, csv_bytes(table))
        z.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
    return buf.getvalue()


def _json_rows(ex: exhibits.Exhibit, state: dict, controls: dict) -> bytes:
    made = _build(ex, state)
    table = made.data if isinstance(made, Chart) else made
    rows = json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))
    body = {"name": ex.name, "kind": ex.kind, "page": ex.page,
            "title": made.title if isinstance(made, Chart) else (t(ex.title_key, state.get("lang", "en")) if ex.title_key else ex.name),
            "source": made.source if isinstance(made, Chart) else t("api.row_sources", state.get("lang", "en")),
            "package": _package_meta(), "query": dict(exhibits.query_of(ex, state, data.vocab())),
            "filters": exhibits.Ask(data.get(), state).describe(ex.filters),
            "ignored": ignored(ex, state), "row_count": len(rows), "fields": [str(c) for c in table.columns], "rows": rows}
    return json_bytes(body)


@guarded
def api_file(request: Request) -> Response:
    name, fmt = _split(request.path_params["file"])
    pkg = data.get().package
    if name == "datapackage" and fmt == "json":
        body = json.dumps(pkg.descriptor, ensure_ascii=False, indent=2).encode("utf-8")
        return _answer(request, body, _headers("json", "datapackage.json", False))
    if f"{name}.{fmt}" == ZIP_NAME:
        parse(request)  # download=1 only
        body = data.rendered(("zip",), lambda: catalogue.package_zip(pkg.path))
        return _answer(request, body, _headers("zip", ZIP_NAME, True))
    ex = _exhibit(name, lambda e: e.api_formats, fmt)
    state, controls = parse(request, ex)
    key = _cache_key("api", ex, fmt, state, controls)
    if fmt == "csv":
        body = data.rendered(key, lambda: csv_bytes(_export_table(ex, state)))
    elif fmt == "zip":
        body = data.rendered(key + (link_base(),), lambda: _csv_with_metadata(request, ex, state))
    else:
        body = data.rendered(key, lambda: _json_rows(ex, state, controls))
    headers = _headers(fmt, _file_name(ex, state, fmt), controls["download"] == "1")
    if skipped := ignored(ex, state):
        headers["X-Atlas-Ignored"] = ", ".join(skipped)
    return _answer(request, body, headers)


@guarded
def chart_file(request: Request) -> Response:
    name, fmt = _split(request.path_params["file"])
    ex = _exhibit(name, lambda e: e.chart_formats, fmt)
    state, controls = parse(request, ex, {**CONTROLS, "size": ("full", "card")})
    dark = controls["theme"] == "dark"
    key = _cache_key("charts", ex, fmt, state, controls)
    if controls["size"] == "card":
        if fmt != "png":
            raise Problem(400, "bad_parameters", "size=card is for PNG images only.",
                          problems=[{"param": "size", "value": "card", "reason": "unknown"}])
        return _card(request, ex, state, controls, key)

    def make() -> bytes:
        made = _build(ex, state, dark)
        if ex.kind == "map":
            link = _page_url(request, ex, state)
            return made.png(link) if fmt == "png" else made.html(link)
        if fmt == "json":
            return made.figure.to_json().encode("utf-8")
        figure = with_footer(made.figure, _footer(request, ex, state))
        if fmt in ("png", "svg"):
            return static_image(figure, fmt)
        return html_bytes(figure, made.title)

    body = data.rendered(key + (link_base(),), make)
    headers = _headers(fmt, _file_name(ex, state, fmt), controls["download"] == "1")
    if skipped := ignored(ex, state):
        headers["X-Atlas-Ignored"] = ", ".join(skipped)
    return _answer(request, body, headers)


def _card(request: Request, ex: exhibits.Exhibit, state: dict, controls: dict, key: tuple) -> Response:
    """The share card (issue #33): the chart of these filters laid out at 1200x630 by kaleido; a map's PNG (the very
    file of the download link, often drawn ahead) fitted into 1200x630 by Pillow."""
    from . import embeds

    def make() -> bytes:
        if ex.kind == "map":
            full = chart_file(request_for(str(request.url.replace(query=_query_without(request, "size")))))
            if full.status_code != 200:
                raise Problem(full.status_code, "empty", json.loads(full.body).get("message", ""))
            return embeds.card_from_image(full.body)
        made = _build(ex, state, controls["theme"] == "dark")
        figure = embeds.card_figure(with_footer(made.figure, _footer(request, ex, state)))
        return static_image(figure, "png", width=embeds.CARD_WIDTH, height=embeds.CARD_HEIGHT, scale=1)

    body = data.rendered(("card",) + key + (link_base(),), make)
    headers = _headers("png", _file_name(ex, state, "png").replace(".png", "_card.png"), controls["download"] == "1")
    return _answer(request, body, headers)


def _query_without(request: Request, name: str) -> str:
    from urllib.parse import urlencode
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != name])


def _plotly_asset() -> tuple[str, Path]:
    import plotly
    return f"/assets/plotly-{plotly.__version__}.min.js", Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@guarded
def embed(request: Request) -> Response:
    """One chart on its own page, for an <iframe>: plotly.js from this server (cached for a year), the chart at full width."""
    ex = _exhibit(request.path_params["name"], lambda e: ("embed",) if e.kind != "table" else (), "embed")
    state, controls = parse(request, ex)
    key = _cache_key("embed", ex, "embed", state, controls) + (link_base(),)

    def make() -> bytes:
        made = _build(ex, state, controls["theme"] == "dark")
        if ex.kind == "map":
            return made.html(_page_url(request, ex, state))
        fig = made.figure
        html = fig.to_html(include_plotlyjs=_plotly_asset()[0], full_html=True, default_width="100%",
                           config={"displaylogo": False, "responsive": True})
        style = "<style>html,body{margin:0;padding:0;background:transparent}</style>"
        from .charts import escape_html
        html = html.replace("<head>", f'<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
                            f'initial-scale=1"><title>{escape_html(made.title)}</title>{style}', 1)
        return html.encode("utf-8")

    def with_head() -> bytes:  # the embed's head: the tags of a page, for this exhibit (components/head.py)
        from . import head
        page = make().decode("utf-8")
        tags = head.tags(ex.page, state, link_base(), exhibit=ex, url=_page_url(request, ex, state))
        return head.insert(page, tags).encode("utf-8")

    from .embeds import resizing
    body = data.rendered(key + ("resizing",), lambda: resizing(with_head(), ex.name, state.get("lang", "en")))
    headers = {**_headers("html", _file_name(ex, state, "html"), False), "Content-Disposition": "inline"}
    return _answer(request, body, headers)


_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def _cite_base(request: Request) -> str:
    """Where a citation's address points: $ATLAS_BASE_URL, else the host the reader asked (a citation needs an
    absolute address; it is made per request and never cached, so no reader's Host reaches another reader)."""
    if base := link_base():
        return base
    host = request.headers.get("host", "")
    scheme = request.url.scheme if request.url.scheme in ("http", "https") else "http"
    return f"{scheme}://{host}" if _HOST.fullmatch(host) else ""


@guarded
def cite_file(request: Request) -> Response:
    """The citation of the atlas, the package or an exhibit in the view the query gives, in BibTeX, RIS, CSL-JSON
    or text (APA and GB/T 7714), naming the atlas, the version, the access date and the underlying sources."""
    from atlas import cite
    from . import citations
    name, fmt = _split(request.path_params["file"])
    if fmt not in cite.FORMATS or not citations.known(name):
        raise Problem(404, "not_found", "No such citation; cite atlas, package or any table or chart named at /api/v1/ "
                      "as .bib, .ris, .json (CSL-JSON) or .txt.", see="/api/v1/")
    ex = exhibits.BY_NAME.get(name)
    state, controls = parse(request, ex)
    body = cite.render(citations.work(name, state, _cite_base(request)), fmt).encode("utf-8")
    stem = _file_name(ex, state, fmt).rsplit(".", 1)[0] if ex else f"cooperation-atlas{'-package' if name == 'package' else ''}"
    headers = {**_headers("json", f"{stem}.{fmt}", controls["download"] == "1"), "Content-Type": cite.FORMATS[fmt],
               "Cache-Control": "private, no-cache"}   # the access date changes daily, the address with the Host
    if ex is not None and (skipped := ignored(ex, state)):
        headers["X-Atlas-Ignored"] = ", ".join(skipped)
    return _answer(request, body, headers)


@guarded
def dataset_jsonld(request: Request) -> Response:
    """The package as a schema.org Dataset (for dataset search engines), with absolute addresses under $ATLAS_BASE_URL."""
    from . import head
    parse(request)
    body = data.rendered(("dataset.jsonld", link_base()), lambda: json_bytes(head.dataset(link_base())))
    headers = {**_headers("json", "dataset.jsonld", False), "Content-Type": "application/ld+json"}
    return _answer(request, body, headers)


@guarded
def asset(request: Request) -> Response:
    if request.url.path == "/assets/boot.js":
        return Response(BOOT_JS, headers={**SECURITY, "Content-Type": MIME["js"], "Cache-Control": "no-cache"})
    from . import embeds
    if request.url.path in (embeds.LISTENER_PATH, embeds.RESIZER_PATH):  # at a stable address: revalidated, not immutable
        body = embeds.LISTENER_JS if request.url.path == embeds.LISTENER_PATH else embeds.RESIZER_JS
        return _answer(request, body, {**SECURITY, "Content-Type": MIME["js"], "Cache-Control": "public, max-age=3600"})
    if request.url.path.startswith(OUTLINE_PREFIX):
        files = outline_files(str(data_dir()))
        if request.url.path not in files:
            raise Problem(404, "not_found", "No such outline (the package may have changed: reload the page).")
        headers = {**SECURITY, "Content-Type": MIME["json"], "Cache-Control": "public, max-age=31536000, immutable",
                   "Vary": "Accept-Encoding"}
        body = files[request.url.path]
        if "gzip" in request.headers.get("accept-encoding", ""):  # sent once per browser, so compressed once per process
            body = data.rendered(("gzip", request.url.path), lambda: gzip.compress(files[request.url.path], 9, mtime=0))
            headers["Content-Encoding"] = "gzip"
        return _answer(request, body, headers)
    path, file = _plotly_asset()
    if request.url.path != path:
        raise Problem(404, "not_found", "No such asset.")
    body = data.rendered(("asset", path), file.read_bytes)
    return Response(body, headers={**SECURITY, "Content-Type": MIME["js"], "Cache-Control": "public, max-age=31536000, immutable"})


def page_html(request: Request) -> Response:
    """Streamlit's page, with its server's address given (no failing probes), `<html lang>` in the link's language and
    the view's citation, Dublin Core, Open Graph and Twitter tags, oEmbed discovery and Dataset JSON-LD in its head
    (`components/head.py`). The head depends on the page and its own fields only, parsed and written back as a link
    writes them (what the page would warn about is dropped), so the cache holds one entry per view, not per query."""
    lang = "zh" if request.query_params.get("lang") == "zh" else "en"

    def plain() -> str:
        html = index_html()
        html = html.replace('<html lang="en">', f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">', 1)
        return html.replace("<head>", '<head>\n    <script src="/assets/boot.js"></script>', 1)

    try:
        from . import head
        if not data.loaded():  # the shell is not held back while the package loads at start (no tags for that while)
            return Response(plain().encode("utf-8"), headers={**SECURITY, "Content-Type": MIME["html"], "Cache-Control": "no-cache"})
        page_key = next(p.key for p in PAGES if p.path == request.url.path)
        params: dict[str, list[str]] = {}
        for k, v in request.query_params.multi_items()[:MAX_PARAMS]:
            params.setdefault(k, []).append(v[:MAX_QUERY])
        with data.using(_version_of(request)):   # an earlier version's page: its head names that version
            state = head.page_state(page_key, parse_query(params, data.vocab()).state)
            lang = state.get("lang", "en")
            base = link_base()
            body = data.rendered(("page_html",) + head.cache_key(page_key, state) + (base,), lambda: head.insert(
                plain(), head.tags(page_key, state, base), head.title(page_key, state)).encode("utf-8"))
    except Exception:  # a broken package still gets its page (which names the problem), only without the tags
        _LOG.warning("page head without tags for %s", request.url.path, exc_info=True)
        body = plain().encode("utf-8")
    return Response(body, headers={**SECURITY, "Content-Type": MIME["html"], "Cache-Control": "no-cache"})


@guarded
def index(request: Request) -> Response:
    state, _ = parse(request)
    lang_note = "Every address takes the page URL's parameters, e.g. ?province=Fujian&lang=zh."
    fields = {f.name: {"keys": list(f.url_keys), "kind": f.kind, "default": f.default} for f in FIELDS}
    entries = []
    for ex in exhibits.EXHIBITS:
        defaults = {**{f.name: f.default for f in FIELDS}, "version": state["version"]}  # this version's addresses
        entry = {"name": ex.name, "kind": ex.kind, "page": ex.page, "filters": list(ex.filters), "options": list(ex.options)}
        entry["data"] = {fmt: exhibits.address(ex, fmt, defaults, data.vocab(), api=True) for fmt in ex.api_formats}
        entry["files"] = {fmt: exhibits.address(ex, fmt, defaults, data.vocab(), api=False) for fmt in ex.chart_formats}
        if ex.kind != "table":
            entry["embed"] = exhibits.address(ex, "embed", defaults, data.vocab())
        if ex.page == "data":
            entry["schema"] = f"/api/v1/datapackage.json#{ex.name}"
        entry["cite"] = {fmt: f"/api/v1/cite/{ex.name}.{fmt}" for fmt in CITE_FORMATS}
        entries.append(entry)
    prefix = data.api_prefix()
    return _json({"package": _package_meta(), "about": lang_note, "parameters": fields, "exhibits": entries,
                  "zip": f"{prefix}/{ZIP_NAME}", "health": "/healthz", "brief": "/api/v1/brief.pdf",
                  "versions": "/api/v1/versions.json", "changes": "/api/v1/changes.csv?from=&to=",
                  "changelog": "/api/v1/CHANGELOG.md",
                  "oembed": "/api/v1/oembed?url=", "embed_listener": "/assets/embed.js",
                  "dataset": "/api/v1/dataset.jsonld",
                  "cite": {name: {fmt: f"/api/v1/cite/{name}.{fmt}" for fmt in CITE_FORMATS} for name in ("atlas", "package")}})


def _release_addresses(v: versions.Version) -> dict:
    prefix = "/api/v1" if v.current else f"/api/v1/v/{v.number}"
    return {"api": prefix + "/", "datapackage": prefix + "/datapackage.json", "zip": f"{prefix}/{ZIP_NAME}",
            "pages": f"/?{urlencode([('version', v.number)])}"}


@guarded
def versions_json(request: Request) -> Response:
    """Every version of the package, oldest first, each kept and servable at its own addresses, and what changed from
    the one before it."""
    _no_parameters(request, ())
    listed = data.listed()
    out = []
    for before, v in zip((None,) + listed[:-1], listed):
        entry = {"version": v.number, "released": v.released, "commit": v.commit, "current": v.current,
                 "summary": v.summary, "summary_zh": v.summary_zh, **_release_addresses(v)}
        if before is not None:
            entry["changes"] = f"/api/v1/changes.csv?{urlencode([('from', before.number), ('to', v.number)])}"
        out.append(entry)
    body = json_bytes({"latest": listed[-1].number, "versions": out, "changelog": "/api/v1/CHANGELOG.md",
                       "about": "Semantic versioning: a major version changes what a field means or how rows are "
                                "counted, a minor one adds tables, fields or rows, a patch corrects single values. "
                                "Any address of /api/v1/ takes version=<version>, or is served under /api/v1/v/<version>/."})
    return _answer(request, body, {**SECURITY, "Content-Type": MIME["json"], "Cache-Control": "public, max-age=300"})


def _no_parameters(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The request's parameters, each at most once and among `allowed` (download=1 always), else a 400 naming them."""
    problems, out = [], {}
    for key in dict.fromkeys(request.query_params.keys()):
        values = request.query_params.getlist(key)
        if key not in (*allowed, "download") or len(values) > 1 or (key == "download" and values != ["1"]):
            problems.append({"param": key[:40], "value": ", ".join(values)[:40], "reason": "unknown"})
        else:
            out[key] = values[0]
    if problems:
        raise Problem(400, "bad_parameters", f"This address takes {', '.join(allowed + ('download',))} only, once each.",
                      problems=problems[:10])
    return out


@guarded
def changes_file(request: Request) -> Response:
    """What changed between two versions (`from`, `to`: version numbers, either order, compared from the older to the
    newer; defaults: the version before `to`, and the latest): every row added, removed or changed (one line per
    changed field) in each table, with the reason in English and Chinese and its sources."""
    params = _no_parameters(request, ("from", "to"))
    fmt = request.url.path.rsplit(".", 1)[1]
    listed = data.listed()
    numbers = [v.number for v in listed]
    bad = [{"param": k, "value": params[k][:40], "reason": "unknown_version",
            "message": f"{k} must be one of the versions: {', '.join(numbers)}."} for k in ("from", "to")
           if k in params and params[k] not in numbers]
    if bad:
        raise Problem(400, "bad_parameters", "Some parameters are not valid here; nothing was answered.", problems=bad)
    newer = versions.find(params.get("to", ""))
    older = versions.find(params["from"]) if "from" in params else (versions.previous(newer) or newer)
    older, newer = versions.ordered(older, newer, listed)
    changes = data.changes(older.number, newer.number)
    table = versions.export(changes, older, newer)
    key = ("changes", older.number, newer.number, fmt)
    if fmt == "csv":
        body = data.rendered(key, lambda: csv_bytes(table))
    else:
        body = data.rendered(key, lambda: json_bytes({
            "from": older.number, "to": newer.number, "changelog": "/api/v1/CHANGELOG.md",
            "summary": json.loads(versions.summary(changes).to_json(orient="records")),
            "row_count": len(table), "rows": json.loads(table.to_json(orient="records", force_ascii=False))}))
    name = f"cooperation-atlas-changes_{older.number}_to_{newer.number}.{fmt}"
    headers = {**_headers(fmt, name, params.get("download") == "1"), "X-Atlas-Package-Version": newer.number}
    return _answer(request, body, headers)


@guarded
def changelog_md(request: Request) -> Response:
    """The data's CHANGELOG.md, as the build made it (every version, what rows changed, why, with sources)."""
    from atlas.package import package_file
    params = _no_parameters(request, ())
    try:
        file = package_file(data_dir(), "CHANGELOG.md", limit=10_000_000)
    except PackageError:
        raise Problem(404, "not_found", "This package has no CHANGELOG.md.") from None
    body = data.rendered(("changelog",), file.read_bytes)
    return _answer(request, body, _headers("md", "CHANGELOG.md", params.get("download") == "1"))


@guarded
def oembed(request: Request) -> Response:
    """oEmbed 1.0 (https://oembed.com): `url` a page or chart address of this server, `format=json` (xml: 501),
    `maxwidth`/`maxheight`. A page answers with its main chart or map, a chart address with that chart; the
    URL's filters and language are carried into the iframe and the thumbnail (the share card)."""
    from . import embeds
    from .site import PAGES as pages
    q = request.query_params
    unknown = sorted(set(q.keys()) - {"url", "format", "maxwidth", "maxheight"})
    if unknown:
        raise Problem(400, "bad_parameters", "oEmbed takes url, format, maxwidth and maxheight only.",
                      problems=[{"param": k[:40], "reason": "unknown"} for k in unknown[:10]])
    fmt = q.get("format", "json")
    if fmt == "xml":
        raise Problem(501, "not_implemented", "Only format=json is answered.")
    if fmt != "json":
        raise Problem(400, "bad_parameters", "format must be json.", problems=[{"param": "format", "reason": "unknown"}])
    sizes = {}
    for name in ("maxwidth", "maxheight"):
        value = q.get(name)
        if value is not None and (not value.isdigit() or not 0 < int(value) <= 100_000):
            raise Problem(400, "bad_parameters", f"{name} must be a positive whole number of pixels.",
                          problems=[{"param": name, "reason": "invalid"}])
        sizes[name] = int(value) if value else None
    url = q.get("url", "")
    host = request.headers.get("host", "")
    found = embeds.target(url, pages, exhibits.BY_NAME, exhibits.EXHIBITS) \
        if embeds.same_server(url, host, link_base()) else None
    if found is None:
        raise Problem(404, "not_found", "No chart or map of this server at that address.")
    ex, query = found
    state, _ = parse(request_for(f"http://{host or 'localhost'}/embed/{ex.name}?{query}"), ex,
                     {**CONTROLS, "size": ("full", "card")})
    made = _build(ex, state)
    lang = state.get("lang", "en")
    if isinstance(made, Chart):
        title, height = made.title, int(made.figure.layout.height or 600)
    else:
        from .map_exports import EXPORT_MAP_HEIGHT
        title = t("mapexport.title_flows" if made.kind == "flow" else "mapexport.title_pairings", lang)
        height = EXPORT_MAP_HEIGHT + 330
    parts = urlsplit(url)
    origin = link_base() or f"{parts.scheme}://{parts.netloc}"
    body = embeds.oembed(origin=origin, name=ex.name, query=exhibits.query_of(ex, state, data.vocab()), title=title,
                         height=height, has_png="png" in ex.chart_formats, provider_url=origin + "/", **sizes)
    return Response(json_bytes(body), media_type="application/json",
                    headers={**SECURITY, "Cache-Control": "public, max-age=300"})


def brief_base(request: Request) -> str:
    """Where the brief's link points: $ATLAS_BASE_URL; else the host the request named, if it is one the server
    answers readers under (server.allowedHosts: a PDF is read away from the browser, so a relative link would lead
    nowhere); else a relative link. Never any other Host header: the brief is cached per base."""
    if base := link_base():
        return base
    from fnmatch import fnmatch
    import streamlit as st
    name = (request.url.hostname or "").lower()
    allowed = [str(h).lower() for h in (st.get_option("server.allowedHosts") or ())]
    if name and any(name == h or (h.startswith("*.") and fnmatch(name, h)) for h in allowed):
        return f"{request.url.scheme}://{request.url.netloc}"
    return ""


@guarded
def brief_pdf(request: Request) -> Response:
    """The one-page brief of a view as PDF (components/brief.py): the page URL's filters and language, `paper=a4|letter`."""
    from . import brief
    state, controls = parse(request, None, {**CONTROLS, "paper": brief.PAPERS, "page": brief.PAGES})
    base = brief_base(request)
    key = ("brief", exhibits.cache_key(state, data.vocab()), controls["paper"], controls["page"], base)

    def map_png() -> bytes | None:
        ex = exhibits.BY_NAME["flow-map"]
        url = f"{base}{exhibits.address(ex, 'png', state, data.vocab())}"
        answer = chart_file(request_for(url if url.startswith("http") else "http://localhost" + url))
        return answer.body if answer.status_code == 200 else None

    body = data.rendered(key, lambda: brief.pdf(state, controls["paper"], controls["page"], base, map_png))
    name = brief.file_name(state, data.vocab(), controls["paper"])
    headers = {**_headers("pdf", name, controls["download"] == "1"), "Cache-Control": "public, max-age=300"}
    return _answer(request, body, headers)


@guarded
def healthz(request: Request) -> Response:
    d = data.get()
    from atlas.boundaries import check_files
    check_files(data_dir())  # the maps' geo/ files: a 503 naming the file, not "ok" and a broken map page
    return _json({"status": "ok", "package": _package_meta(), "records": int(len(d.records))},
                 headers={"Cache-Control": "no-store"})


@guarded
def not_found(request: Request) -> Response:
    """Any other address under a prefix of the HTTP API: a JSON 404, never the app's page (which would answer 200)."""
    raise Problem(404, "not_found", "No such table, chart or format; see /api/v1/ for what exists.", see="/api/v1/")


ROUTES = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/api/v1", index, methods=["GET", "HEAD"]),
    Route("/api/v1/", index, methods=["GET", "HEAD"]),
    Route("/api/v1/oembed", oembed, methods=["GET", "HEAD"]),
    Route("/api/v1/versions.json", versions_json, methods=["GET", "HEAD"]),
    Route("/api/v1/changes.csv", changes_file, methods=["GET", "HEAD"]),
    Route("/api/v1/changes.json", changes_file, methods=["GET", "HEAD"]),
    Route("/api/v1/CHANGELOG.md", changelog_md, methods=["GET", "HEAD"]),
    # each version of the package at its own addresses (the same handlers, `version` taken from the path: guarded)
    *(Route(f"/api/v1/v/{{version}}{path}", handler, methods=["GET", "HEAD"])
      for path, handler in (("", index), ("/", index), ("/brief.pdf", brief_pdf), ("/dataset.jsonld", dataset_jsonld),
                            ("/cite/{file}", cite_file), ("/{file}", api_file))),
    Route("/api/v1/brief.pdf", brief_pdf, methods=["GET", "HEAD"]),
    Route("/api/v1/dataset.jsonld", dataset_jsonld, methods=["GET", "HEAD"]),
    Route("/api/v1/cite/{file}", cite_file, methods=["GET", "HEAD"]),
    Route("/api/v1/{file}", api_file, methods=["GET", "HEAD"]),
    Route("/charts/{file}", chart_file, methods=["GET", "HEAD"]),
    Route("/embed/{name}", embed, methods=["GET", "HEAD"]),
    Route("/assets/{file}", asset, methods=["GET", "HEAD"]),
    *(Route(p, not_found) for p in ("/api/v1/{rest:path}", "/charts", "/charts/{rest:path}", "/embed", "/embed/{rest:path}",
                                    "/assets", "/assets/{rest:path}")),
    *(Route(p.path, page_html, methods=["GET", "HEAD"]) for p in PAGES),
]


# --- map images made ahead (issue #31) ------------------------------------------------------------------------------
# A map PNG is drawn by a headless Chromium (components/map_exports.py): seconds, more when the machine is busy.
# The page that shows a map asks for its PNG here as soon as the map is shown: one worker draws it in the background,
# through the same handler and cache key as the download link, so a reader who then clicks the link gets it at once
# (or waits only for what is left; the cache computes each entry once, whoever asks first). One drawing at a time,
# the latest asked first; older asks not yet started are dropped (the reader has moved on).
_ahead_lock = threading.Lock()
_ahead_wanted: list[str] = []
_ahead_event = threading.Event()
_ahead_thread: threading.Thread | None = None
_ahead_done: dict[str, threading.Event] = {}
AHEAD_QUEUE = 2


def request_for(url: str) -> Request:
    """A GET request for an absolute `url` of this app, as Starlette would hand it to a route's handler."""
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    host = parts.netloc.encode("latin-1")
    scope = {"type": "http", "method": "GET", "path": parts.path, "raw_path": parts.path.encode(),
             "query_string": parts.query.encode(), "headers": [(b"host", host)], "scheme": parts.scheme or "http",
             "server": (parts.hostname or "localhost", parts.port or 80), "root_path": "",
             "path_params": {"file": parts.path.rsplit("/", 1)[1]}}
    return Request(scope)


def make_ahead(url: str) -> None:
    """Have the image at `url` (an absolute /charts/... address) drawn in the background, if it is not yet."""
    global _ahead_thread
    with _ahead_lock:
        if url in _ahead_wanted or url in _ahead_done:
            return
        _ahead_done[url] = threading.Event()
        _ahead_wanted.insert(0, url)
        for dropped in _ahead_wanted[AHEAD_QUEUE:]:
            _ahead_done.pop(dropped, None)
        del _ahead_wanted[AHEAD_QUEUE:]
        if _ahead_thread is None or not _ahead_thread.is_alive():
            _ahead_thread = threading.Thread(target=_ahead_worker, name="atlas-images-ahead", daemon=True)
            _ahead_thread.start()
    _ahead_event.set()


def _ahead_worker() -> None:
    while True:
        with _ahead_lock:
            url = _ahead_wanted.pop(0) if _ahead_wanted else None
            if url is None:
                _ahead_event.clear()
        if url is None:
            if not _ahead_event.wait(timeout=300):
                return
            continue
        try:
            chart_file(request_for(url))
        except Exception as error:  # noqa: BLE001 - the download link will say what went wrong, if it still does
            _LOG.warning("image made ahead failed (%s): %s", url, error)
        finally:
            with _ahead_lock:
                done = _ahead_done.get(url)
                if len(_ahead_done) > 256:  # asked before: the cache now answers; forget the oldest
                    for old in list(_ahead_done)[:128]:
                        if _ahead_done[old].is_set():
                            _ahead_done.pop(old)
            if done is not None:
                done.set()


def made_ahead(url: str, timeout: float | None = None) -> bool:
    """Whether the image at `url` asked with `make_ahead` has been drawn (waiting up to `timeout` seconds)."""
    done = _ahead_done.get(url)
    return done.wait(timeout) if done is not None else False
