"""Streamlit's front-end files sent gzipped, each compressed once per process.

Streamlit serves its static bundles (megabytes on a first visit: README, "First load on the wire") uncompressed and
leaves compression to a proxy, because gzipping them on every request costs CPU each time. This
middleware compresses each file once, keeps the result (the files are content-hashed and never change
while the process runs) and answers any later request for it from memory. Only GET/HEAD of /static/
paths that resolve to a file inside Streamlit's static folder, for clients that accept gzip, are
handled; everything else passes through unchanged.
"""
from __future__ import annotations

import gzip
import mimetypes
import threading
from pathlib import Path

COMPRESSIBLE = {".js", ".css", ".html", ".json", ".svg", ".map", ".txt", ".mjs", ".ttf", ".wasm"}
MIN_BYTES = 1_024


class StaticGzip:
    def __init__(self, app, static_dir: str | Path | None = None):
        self.app = app
        if static_dir is None:
            from .streamlit_fixes import static_dir as streamlit_static
            static_dir = streamlit_static()
        self.root = Path(static_dir).resolve()
        self._cache: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def _file(self, path: str) -> Path | None:
        if not path.startswith("/static/") or "\\" in path or "\x00" in path:
            return None
        file = (self.root / path.lstrip("/")).resolve()
        if self.root not in file.parents or not file.is_file() or file.suffix not in COMPRESSIBLE:
            return None
        return file

    def compressed(self, file: Path) -> tuple[bytes, str]:
        key = str(file)
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            raw = file.read_bytes()
            body = gzip.compress(raw, compresslevel=9, mtime=0) if len(raw) >= MIN_BYTES else b""
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
                kind += "; charset=utf-8"
            hit = (body, kind)
            with self._lock:
                self._cache[key] = hit
        return hit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            accepts = b"gzip" in dict(scope.get("headers") or []).get(b"accept-encoding", b"")
            file = self._file(scope.get("path", "")) if accepts else None
            if file is not None:
                body, kind = self.compressed(file)
                if body:
                    headers = [(b"content-type", kind.encode()), (b"content-encoding", b"gzip"),
                               (b"content-length", str(len(body)).encode()), (b"vary", b"Accept-Encoding"),
                               (b"cache-control", b"public, immutable, max-age=31536000"),
                               (b"x-content-type-options", b"nosniff")]
                    await send({"type": "http.response.start", "status": 200, "headers": headers})
                    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                    return
        await self.app(scope, receive, send)
