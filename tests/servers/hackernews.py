"""An HN Search (Algolia) ``search_by_date`` server on 127.0.0.1 for tests:
answers every search with the hits it holds, honouring the
``numericFilters=created_at_i>=N`` cursor, and records the queries asked."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SEARCH_PATH = "/api/v1/search_by_date"
_SINCE_RE = re.compile(r"created_at_i>=(\d+)")


class AlgoliaServer:
    def __init__(self, hits: list[dict[str, Any]]) -> None:
        self.hits = hits
        self.queries: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != SEARCH_PATH:
                    self._send(404, {"message": "not found"})
                    return
                query = dict(parse_qsl(parts.query))
                server.queries.append(query)
                found = _SINCE_RE.search(query.get("numericFilters", ""))
                since = int(found.group(1)) if found else 0
                hits = [h for h in server.hits if h["created_at_i"] >= since]
                self._send(200, {"hits": hits, "page": 0, "nbPages": 1, "nbHits": len(hits)})

            def _send(self, status: int, data: Any) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """The API base, as the hackernews source's ``url`` setting takes it."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/api/v1"

    def start(self) -> AlgoliaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
