"""A stand-in for the DfE's Explore Education Statistics API on 127.0.0.1, in the API's documented shape:
publications (paged, searchable), a publication's data sets, and a data set's CSV with an ETag (answering
If-None-Match with 304). It can be told to fail: 500s, a timeout, malformed JSON, a CSV that is not the
service's tidy shape. Every request is recorded, so a test can see retries and conditional requests."""

import contextlib
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from dagster_project.lib.comparators import data_sets, load_config
from dagster_project.lib.settings import REPO_ROOT

PUBLICATION_IDS = {
    "Characteristics of children in need": "d8b2e0a4-0000-4000-8000-000000000001",
    "Children looked after in England including adoptions": "d8b2e0a4-0000-4000-8000-000000000002",
}


@dataclass
class EesStandIn:
    mode: str = "ok"  # ok, error_500, timeout, malformed_json, bad_csv
    delay: float = 3.0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def csv_requests(self) -> list[tuple[str, dict[str, str]]]:
        return [(path, headers) for path, headers in self.requests if path.endswith("/csv")]


def _handler(stand_in: EesStandIn) -> type[BaseHTTPRequestHandler]:
    config = load_config()
    by_id = {f"ds-{d.file}": d for d in data_sets(config)}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            stand_in.requests.append((url.path, dict(self.headers)))
            if stand_in.mode == "error_500":
                return self.reply(500, b'{"title": "Internal Server Error", "status": 500}')
            if stand_in.mode == "timeout":
                time.sleep(stand_in.delay)
            parts = url.path.strip("/").removeprefix("statistics/").split("/")  # the live base URL's path
            if parts[:2] == ["v1", "publications"] and len(parts) == 2:
                search = parse_qs(url.query).get("search", [""])[0].casefold()
                results = [
                    {"id": pid, "title": title, "slug": title.lower().replace(" ", "-"), "summary": title,
                     "lastPublished": "2025-11-06T09:30:00Z"}
                    for title, pid in PUBLICATION_IDS.items() if search in title.casefold()
                ]  # fmt: skip
                return self.json({"paging": {"page": 1, "pageSize": 40, "totalResults": len(results),
                                             "totalPages": 1}, "results": results})  # fmt: skip
            if parts[:2] == ["v1", "publications"] and parts[3:] == ["data-sets"]:
                title = next(t for t, pid in PUBLICATION_IDS.items() if pid == parts[2])
                results = [
                    {"id": ds_id, "title": d.title, "summary": d.title, "status": "Published",
                     "latestVersion": {"version": "1.0", "published": "2025-11-06T09:30:00Z"}}
                    for ds_id, d in by_id.items() if d.publication == title
                ]  # fmt: skip
                return self.json({"paging": {"page": 1, "pageSize": 40, "totalResults": len(results),
                                             "totalPages": 1}, "results": results})  # fmt: skip
            if parts[:2] == ["v1", "data-sets"] and parts[3:] == ["csv"] and parts[2] in by_id:
                body = (REPO_ROOT / config["snapshot"] / f"{by_id[parts[2]].file}.csv").read_bytes()
                if stand_in.mode == "bad_csv":
                    body = b"this,is,not\n1,2,3\n"
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self.reply(304, b"", {"ETag": etag})
                return self.reply(200, body, {"ETag": etag, "Content-Type": "text/csv"})
            return self.reply(404, b'{"title": "Not Found", "status": 404}')

        def json(self, payload: dict) -> None:
            if stand_in.mode == "malformed_json":
                return self.reply(200, b'{"paging": {"page": 1, "results": [', {"Content-Type": "application/json"})
            return self.reply(200, json.dumps(payload).encode(), {"Content-Type": "application/json"})

        def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {"Content-Type": "application/json"}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that timed out
                    self.wfile.write(body)

    return Handler


def start(stand_in: EesStandIn) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/statistics"
    return server


def snapshot_dir() -> Path:
    return REPO_ROOT / load_config()["snapshot"]
