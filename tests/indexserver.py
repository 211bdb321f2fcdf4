"""A local upstream index for tests and benchmarks: PEP 691 JSON and PEP 503 HTML on loopback.

Projects are files built at test time (or downloaded ones, for benchmarks),
each with an upload time, so that "uploaded an hour ago" can be served.
A project can be set to misbehave: bad JSON, bad HTML, a file whose bytes
do not match its listed hash, a slow reply, or a server error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from packaging.utils import canonicalize_name

from depvet.index.simple import parse_filename


@dataclass
class Listed:
    """One file the index lists."""

    path: Path
    uploaded: dt.datetime
    sha256: str
    metadata: bytes | None = None
    yanked: str | None = None  # the reason, when the file is yanked


class LocalIndex:
    """A threaded HTTP simple index; use as a context manager."""

    def __init__(self) -> None:
        self.projects: dict[str, list[Listed]] = {}
        self.faults: dict[str, str] = {}  # project → bad-json, bad-html, wrong-hash, slow, error
        self.requests: list[str] = []
        self.json = True  # offer PEP 691 JSON (else HTML only, with no upload times)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def add(self, path: Path, *, age: dt.timedelta = dt.timedelta(days=365)) -> Listed:
        """List ``path`` under its project, uploaded ``age`` ago."""
        parsed = parse_filename(path.name)
        assert parsed is not None, path.name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        listed = Listed(path=path, uploaded=dt.datetime.now(dt.UTC) - age, sha256=digest)
        if path.name.endswith(".whl"):
            with zipfile.ZipFile(path) as wheel:
                name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
                listed.metadata = wheel.read(name)  # served as PEP 658 core metadata
        self.projects.setdefault(parsed[0], []).append(listed)
        return listed

    @property
    def url(self) -> str:
        """The simple index URL."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/simple/"

    def __enter__(self) -> LocalIndex:
        index = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                index.requests.append(self.path)
                parts = [unquote(p) for p in self.path.split("?")[0].split("/") if p]
                if parts[:1] == ["simple"] and len(parts) == 2:
                    self._project(str(canonicalize_name(parts[1])))
                elif parts[:1] == ["files"] and len(parts) == 2:
                    self._file(parts[1])
                else:
                    self._send(404, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _project(self, name: str) -> None:
                fault = index.faults.get(name)
                if fault == "slow":
                    time.sleep(5)
                if fault == "error":
                    self._send(503, b"upstream trouble", "text/plain")
                    return
                if name not in index.projects:
                    self._send(404, b"no such project", "text/plain")
                    return
                wants_json = index.json and "json" in self.headers.get("Accept", "")
                if fault == "bad-json":
                    self._send(200, b'{"files": [', "application/vnd.pypi.simple.v1+json")
                elif fault == "bad-html":
                    self._send(200, b"\x89PNG\r\n\x1a\n garbage", "text/html")
                elif wants_json:
                    self._send(
                        200,
                        _json_page(name, index.projects[name]),
                        "application/vnd.pypi.simple.v1+json",
                    )
                else:
                    self._send(200, _html_page(name, index.projects[name]), "text/html")

            def _file(self, filename: str) -> None:
                for name, listed in index.projects.items():
                    for item in listed:
                        if filename == f"{item.path.name}.metadata" and item.metadata:
                            self._send(200, item.metadata, "application/octet-stream")
                            return
                        if item.path.name == filename:
                            body = item.path.read_bytes()
                            if index.faults.get(name) == "wrong-hash":
                                body += b"tampered"
                            self._send(200, body, "application/octet-stream")
                            return
                self._send(404, b"no such file", "text/plain")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def _json_page(name: str, listed: list[Listed]) -> bytes:
    files = []
    for item in listed:
        entry: dict[str, object] = {
            "filename": item.path.name,
            "url": f"../../files/{item.path.name}",
            "hashes": {"sha256": item.sha256},
            "requires-python": ">=3.8",
            "upload-time": item.uploaded.isoformat().replace("+00:00", "Z"),
            "size": item.path.stat().st_size,
        }
        if item.yanked is not None:
            entry["yanked"] = item.yanked or True
        if item.metadata is not None:
            entry["core-metadata"] = {"sha256": hashlib.sha256(item.metadata).hexdigest()}
        files.append(entry)
    return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": files}).encode()


def _html_page(name: str, listed: list[Listed]) -> bytes:
    anchors = "".join(
        f'<a href="../../files/{html.escape(i.path.name)}#sha256={i.sha256}" '
        f'data-requires-python="&gt;=3.8">{html.escape(i.path.name)}</a><br>\n'
        for i in listed
    )
    return f"<!DOCTYPE html><html><body><h1>Links for {name}</h1>\n{anchors}</body></html>".encode()
