"""The one way depvet reaches the network: timeouts, retries, size limits, a cache.

Every request goes through :class:`Http`, so a run without network fails
fast with a :class:`NetworkError` that names what could not be reached,
and nothing is downloaded without a size bound. Responses to GET requests
can be cached on disk (keyed by URL) and revalidated with ETag /
Last-Modified; a cached copy is served when the network is down.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from depvet import __version__
from depvet.errors import NetworkError, NotFound

USER_AGENT = f"depvet/{__version__} (+https://pypi.org/project/depvet/)"
MiB = 1024 * 1024

__all__ = ["Http", "NetworkError", "NotFound", "Response"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """A response body with what callers need of its headers."""

    url: str
    status: int
    body: bytes
    from_cache: bool = False
    stale: bool = False  # served from the cache because the network failed
    content_type: str = ""

    def json(self) -> Any:
        """The body parsed as JSON; NetworkError if it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise NetworkError(f"{self.url}: the reply is not valid JSON ({exc})") from exc


class Http:
    """A small, strict HTTP client around httpx."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        max_bytes: int = 64 * MiB,
        cache_dir: Path | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Nothing is opened until the first request."""
        self._timeout = timeout
        self._retries = retries
        self._max_bytes = max_bytes
        self._cache_dir = cache_dir
        self._transport = transport
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self._timeout),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=True,
                transport=self._transport,
            )
        return self._client

    def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- cache -------------------------------------------------------------------------------

    def _cache_paths(self, url: str, headers: Mapping[str, str]) -> tuple[Path, Path] | None:
        if self._cache_dir is None:
            return None
        key = hashlib.sha256((url + "\0" + headers.get("Accept", "")).encode()).hexdigest()
        base = self._cache_dir / "http" / key[:2]
        return base / f"{key}.body", base / f"{key}.json"

    def _cached(self, url: str, headers: Mapping[str, str]) -> tuple[bytes, dict[str, Any]] | None:
        paths = self._cache_paths(url, headers)
        if paths is None or not paths[0].exists():
            return None
        try:
            return paths[0].read_bytes(), json.loads(paths[1].read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def _store(
        self,
        url: str,
        headers: Mapping[str, str],
        response: httpx.Response,
        body: bytes,
        content_type: str,
    ) -> None:
        paths = self._cache_paths(url, headers)
        if paths is None:
            return
        meta = {
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
            "fetched": time.time(),
            "status": response.status_code,
            "content_type": content_type,
        }
        try:
            paths[0].parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(paths[0], body)
            _atomic_write(paths[1], json.dumps(meta).encode())
        except OSError:
            pass  # a cache that cannot be written only costs a later request

    # -- requests ----------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_age: float = 0.0,
        max_bytes: int | None = None,
    ) -> Response:
        """GET ``url``; serve a cached copy younger than ``max_age`` seconds without asking.

        Raises NotFound for 404/410 and NetworkError for anything else that
        is not a 2xx reply, when the network is unreachable, or when the body
        is larger than ``max_bytes``; a stale cached copy is returned instead
        of an unreachable-network error when there is one.
        """
        headers = dict(headers or {})
        cached = self._cached(url, headers)
        cached_type = str(cached[1].get("content_type") or "") if cached is not None else ""
        if cached is not None and time.time() - cached[1].get("fetched", 0) < max_age:
            return Response(
                url=url, status=200, body=cached[0], from_cache=True, content_type=cached_type
            )
        request_headers = dict(headers)
        if cached is not None:
            if cached[1].get("etag"):
                request_headers["If-None-Match"] = cached[1]["etag"]
            if cached[1].get("last_modified"):
                request_headers["If-Modified-Since"] = cached[1]["last_modified"]
        try:
            response, body = self._send(url, request_headers, max_bytes or self._max_bytes)
        except NotFound:
            raise
        except NetworkError:
            if cached is not None:
                return Response(
                    url=url,
                    status=200,
                    body=cached[0],
                    from_cache=True,
                    stale=True,
                    content_type=cached_type,
                )
            raise
        if response.status_code == 304 and cached is not None:
            self._store(url, headers, response, cached[0], cached_type)
            return Response(
                url=url, status=200, body=cached[0], from_cache=True, content_type=cached_type
            )
        content_type = response.headers.get("Content-Type", "")
        self._store(url, headers, response, body, content_type)
        return Response(url=url, status=response.status_code, body=body, content_type=content_type)

    def _send(
        self, url: str, headers: Mapping[str, str], max_bytes: int
    ) -> tuple[httpx.Response, bytes]:
        last: Exception | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2**attempt, 2.0))
            try:
                with self._http().stream("GET", url, headers=headers) as response:
                    if response.status_code in (404, 410):
                        raise NotFound(f"{url}: not found (HTTP {response.status_code})")
                    if response.status_code == 304:
                        return response, b""
                    if response.status_code >= 500 or response.status_code == 429:
                        last = NetworkError(f"{url}: HTTP {response.status_code}")
                        continue
                    if response.status_code >= 400:
                        raise NetworkError(f"{url}: HTTP {response.status_code}")
                    return response, _read_bounded(response, url, max_bytes)
            except httpx.TimeoutException as exc:
                last = NetworkError(f"{url}: timed out after {self._timeout:g} s")
                last.__cause__ = exc
            except httpx.TransportError as exc:
                last = NetworkError(f"{url}: cannot connect ({type(exc).__name__}: {exc})")
                last.__cause__ = exc
        assert last is not None
        if isinstance(last, NetworkError):
            raise last
        raise NetworkError(str(last))  # pragma: no cover

    def download(
        self, url: str, target: Path, *, max_bytes: int, sha256: str | None = None
    ) -> Path:
        """Stream ``url`` into ``target`` (atomically), checking size and, if given, sha256."""
        hasher = hashlib.sha256()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                try:
                    with self._http().stream("GET", url) as response:
                        if response.status_code in (404, 410):
                            raise NotFound(f"{url}: not found (HTTP {response.status_code})")
                        if response.status_code >= 400:
                            raise NetworkError(f"{url}: HTTP {response.status_code}")
                        size = 0
                        for chunk in response.iter_bytes():
                            size += len(chunk)
                            if size > max_bytes:
                                raise NetworkError(f"{url}: larger than {max_bytes} bytes")
                            hasher.update(chunk)
                            handle.write(chunk)
                except httpx.TimeoutException as exc:
                    raise NetworkError(f"{url}: timed out after {self._timeout:g} s") from exc
                except httpx.TransportError as exc:
                    raise NetworkError(f"{url}: cannot connect ({exc})") from exc
            if sha256 is not None and hasher.hexdigest() != sha256.lower():
                raise NetworkError(
                    f"{url}: sha256 {hasher.hexdigest()} is not the expected {sha256}"
                )
            Path(tmp).replace(target)
            return target
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _read_bounded(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise NetworkError(f"{url}: reply of {declared} bytes is over the {max_bytes} limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise NetworkError(f"{url}: reply is over the {max_bytes} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    Path(tmp).replace(path)
