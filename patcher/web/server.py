"""A small local HTTP server for the playground (standard library only): the site's
directory, and the large files it maps under files/<version>/, with the MIME type
`application/wasm` that WebAssembly.compileStreaming requires."""

from __future__ import annotations

import http.server
import mimetypes
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

    def end_headers(self) -> None:
        # versioned URLs never change; the page and config.json are revalidated
        immutable = urlsplit(self.path).path.startswith("/files/")
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


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
