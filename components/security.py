"""Safe serving defaults, as one pure ASGI middleware passed to `st.App(..., middleware=[...])` (issue #17).

- Security headers on every HTTP response: a Content-Security-Policy that allows only what the app itself
  serves (scripts, styles, fonts, images from this origin, data:/blob: for charts, maps and their workers,
  the websocket back to this host only), so no page view sends a request to another machine; `frame-ancestors`
  that lets other sites frame only the `/embed/` view; `X-Content-Type-Options: nosniff`; a Referrer-Policy
  that sends other sites the origin only, never a reader's filters.
- CORS on the data and the images (issue #33): `Access-Control-Allow-Origin: *` on GET and HEAD of `/api/v1/*` and
  `/charts/*` (a newsroom's tool reads them from its own page; nothing there depends on a reader's cookies), and
  an OPTIONS preflight there answered with GET and HEAD only; never on pages, assets or the websocket.
- `/_stcore/metrics` only for clients on this machine (no proxy in between): server internals are not public.
- A link with more than Streamlit's 1,000 parameters (or 512 Ki characters) would lose *every* filter in
  silence (Streamlit drops the whole query string): it is redirected to its first parameters plus
  `dropped=<n>`, and the page warns that n were left out (atlas.filters.DROPPED_KEY).
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from atlas.filters import DROPPED_KEY, MAX_PARAMS

MAX_QUERY_CHARS = 512 * 1024
# The trimmed link goes back in a 303's Location header: kept short enough for any proxy's header buffer
# (nginx's default is 4-8 kB; `make serve` gives 32 kB), and far longer than any link the app writes.
MAX_REDIRECT_CHARS = 12 * 1024
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# Paths whose pages read the query string in the browser (the app's pages); the HTTP API parses its own.
_NOT_PAGES = ("/_stcore/", "/static/", "/api/", "/charts/", "/assets/", "/embed/", "/healthz", "/component/",
              "/media/", "/app/static/")

CSP = "; ".join((
    "default-src 'self'",
    # Streamlit's index.html and the self-contained /embed/ pages carry inline scripts; plotly.js compiles
    # its WebGL shaders and number formats with Function(): both come from this server, never from data.
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    # 'self' covers the session's websocket too: CSP Level 3 matches ws:/wss: of the page's own host (Chromium,
    # Firefox, Safari since 2022-23); `ws: wss:` here would let a page open a websocket to any host.
    "connect-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "media-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
))


CORS_PREFIXES = ("/api/v1/", "/charts/")
CORS_METHODS = b"GET, HEAD"
# The answers' own headers a script may read: the cache tag, the package version, the filters left out, the file name.
CORS_EXPOSED = b"ETag, Content-Disposition, Link, X-Atlas-Package-Version, X-Atlas-Ignored"


def cors(path: str) -> bool:
    return path.startswith(CORS_PREFIXES) or path == "/api/v1"


def cors_headers(path: str, method: str) -> list[tuple[bytes, bytes]]:
    """CORS for a GET or HEAD of the data and the images; nothing elsewhere, nothing for other methods."""
    if method not in ("GET", "HEAD") or not cors(path):
        return []
    return [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", CORS_EXPOSED)]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    embed = path.startswith("/embed/")
    # The embed view may be framed by any page, a local file included (`frame-ancestors *` would match only
    # network schemes, not file:), so it gets no frame-ancestors at all; every other page only by this site.
    csp = CSP if embed else CSP + "; frame-ancestors 'self'"
    out = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"strict-origin-when-cross-origin")]
    if not embed:
        out.append((b"x-frame-options", b"SAMEORIGIN"))
    return out


def trimmed_query(query: str) -> str | None:
    """The query string a page should be redirected to when Streamlit would drop it whole, else None."""
    fields = query.count("&") + 1 if query else 0
    if fields <= MAX_PARAMS and len(query) <= MAX_QUERY_CHARS:
        return None
    pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=None)
    kept, size = [], 0
    for k, v in pairs:
        if k == DROPPED_KEY:
            continue
        piece = len(urlencode([(k, v)])) + 1
        if len(kept) >= MAX_PARAMS - 1 or size + piece > MAX_REDIRECT_CHARS - 32:  # 32: room for dropped=<n>
            break
        kept.append((k, v))
        size += piece
    return urlencode(kept + [(DROPPED_KEY, str(len(pairs) - len(kept)))])


class SecurityMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path.rstrip("/").endswith("/_stcore/metrics"):
            client = (scope.get("client") or ("", 0))[0]
            forwarded = any(k in (b"x-forwarded-for", b"forwarded") for k, _ in scope.get("headers", []))
            if client not in LOOPBACK or forwarded:
                return await self._plain(send, 404, b"Not found", path)
        if scope.get("method") == "OPTIONS" and cors(path):  # a preflight: GET and HEAD only, no credentials
            return await self._plain(send, 204, b"", path, [
                (b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", CORS_METHODS),
                (b"access-control-allow-headers", b"If-None-Match, Range"), (b"access-control-max-age", b"86400"),
                (b"allow", CORS_METHODS + b", OPTIONS")])
        if scope.get("method") in ("GET", "HEAD") and not path.startswith(_NOT_PAGES):
            query = scope.get("query_string", b"").decode("latin-1")
            trimmed = trimmed_query(query)
            if trimmed is not None:
                root = scope.get("root_path", "")
                return await self._plain(send, 303, b"", path, [(b"location", f"{root}{path}?{trimmed}".encode())])
        extra = headers_for(path) + cors_headers(path, scope.get("method", ""))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": list(message.get("headers", [])) +
                           [(k, v) for k, v in extra if k not in names]}
            await send(message)
        return await self.app(scope, receive, send_with_headers)

    async def _plain(self, send, status: int, body: bytes, path: str, more: list | None = None):
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())] + headers_for(path) + (more or [])})
        await send({"type": "http.response.body", "body": body})
