"""Run the proxy on uvicorn: in the foreground (``proxy``) or on a thread (``install``)."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

from depvet.errors import Error
from depvet.service.proxy import ProxyConfig, ProxyState, create_app

__all__ = ["BackgroundProxy", "JsonLogFormatter", "configure_logging", "serve"]


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line; a message that is a JSON object is merged in."""
        fields: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        message = record.getMessage()
        try:
            parsed = json.loads(message)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            fields.update(parsed)
        else:
            fields["message"] = message
        return json.dumps(fields)


def configure_logging(level: int = logging.INFO) -> None:
    """Send depvet's and uvicorn's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    for name in ("depvet", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def _server(config: ProxyConfig, state: ProxyState | None, *, access_log: bool) -> uvicorn.Server:
    app = create_app(config, state=state)
    settings = uvicorn.Config(
        app,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http="httptools",
        access_log=access_log,
        log_config=None,
        lifespan="on",
        timeout_keep_alive=30,
        backlog=2048,
    )
    return uvicorn.Server(settings)


def serve(config: ProxyConfig, host: str, port: int, *, access_log: bool = False) -> None:
    """Serve until interrupted."""
    configure_logging()
    try:
        sock = socket.create_server((host, port), backlog=2048)
    except OSError as exc:
        raise Error(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    server = _server(config, None, access_log=access_log)
    logging.getLogger("depvet.proxy").info(
        json.dumps(
            {
                "event": "listening",
                "url": f"http://{host}:{sock.getsockname()[1]}/simple/",
                "upstream": config.upstream,
            }
        )
    )
    server.run(sockets=[sock])


class BackgroundProxy:
    """A proxy on a loopback port chosen by the system, run on its own thread."""

    def __init__(self, config: ProxyConfig) -> None:
        """Nothing starts until :meth:`start`."""
        self.state = ProxyState(config)
        quiet = logging.getLogger("depvet.proxy")
        if not quiet.handlers:  # the caller reports decisions itself, from the events
            quiet.addHandler(logging.NullHandler())
            quiet.propagate = False
        self._server = _server(config, self.state, access_log=False)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The simple index URL pip and uv are given."""
        assert self._sock is not None
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}/simple/"

    def start(self, timeout: float = 60.0) -> str:
        """Start serving; the index URL. Error if the proxy does not come up."""
        self._sock = socket.create_server(("127.0.0.1", 0))
        sock = self._sock
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[sock])),
            name="depvet-proxy",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise Error("the depvet proxy for this install did not start")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._sock is not None:
            self._sock.close()
