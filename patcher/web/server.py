"""A small local HTTP server for the playground (standard library only): the site's
directory, and the large files it maps under files/<version>/, with the MIME type
`application/wasm` that WebAssembly.compileStreaming requires. Those files go out gzipped
to a browser that accepts it (compressed once, kept beside the site, in <site>-gz/)."""

from __future__ import annotations

import gzip
import http.server
import mimetypes
import os
import shutil
import threading
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from patcher.web.site import Site

TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json", ".rs": "text/plain"}


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, site: Site, quiet: bool, **kwargs: Any) -> None:
        self.site, self.quiet = site, quiet
        super().__init__(*args, directory=str(site.root), **kwargs)

    def translate_path(self, path: str) -> str:
        relative = unquote(urlsplit(path).path).lstrip("/") or "index.html"
        found = self.site.url_of(relative)
        return str(found) if found is not None else str(self.site.root / "404")

    def guess_type(self, path: str | Any) -> str:
        suffix = Path(str(path)).suffix
        return TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"

    def send_head(self) -> Any:
        """A versioned file as gzip when the browser accepts it; anything else as usual."""
        url_path = unquote(urlsplit(self.path).path).lstrip("/")
        if not url_path.startswith("files/") or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        source = self.site.url_of(url_path)
        if source is None or not source.is_file():
            return super().send_head()
        packed = compressed(source, self.site.root.with_name(f"{self.site.root.name}-gz") / f"{url_path}.gz")
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(source))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(packed.stat().st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return packed.open("rb")

    def end_headers(self) -> None:
        # versioned URLs never change; the page and config.json are revalidated
        immutable = urlsplit(self.path).path.startswith("/files/")
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


_COMPRESSING = threading.Lock()


def compressed(source: Path, packed: Path) -> Path:
    """`packed`, the gzip of `source`, made when missing or older than `source`. URLs are
    versioned by the compiler's build id, but a file under one can still change when the
    tool changes what it serves (e.g. how rustc.wasm is stripped)."""
    with _COMPRESSING:
        if not packed.exists() or packed.stat().st_mtime_ns < source.stat().st_mtime_ns:
            packed.parent.mkdir(parents=True, exist_ok=True)
            partial = packed.with_name(f"{packed.name}.{os.getpid()}")
            with source.open("rb") as raw, gzip.open(partial, "wb", compresslevel=6) as out:
                shutil.copyfileobj(raw, out)
            partial.replace(packed)
    return packed


def start(site: Site, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> http.server.ThreadingHTTPServer:
    """Serve `site` on a background thread; port 0 picks a free one (server.server_address)."""
    server = http.server.ThreadingHTTPServer((host, port), partial(Handler, site=site, quiet=quiet))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def url_of(server: http.server.ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"


def serve(site: Site, host: str, port: int) -> None:
    """Serve in the foreground until interrupted."""
    server = start(site, host, port, quiet=False)
    print(f"playground: {url_of(server)} (Ctrl-C stops it)", flush=True)
    try:
        threading.Event().wait()
    finally:
        server.shutdown()
