"""``depvet proxy``: a simple index (PEP 503 HTML, PEP 691 JSON) in front of an upstream index.

- ``GET /simple/NAME/``: the upstream page with the files the policy refuses
  before download hidden (deny-listed, known malicious, too new, yanked when
  so configured), every other file linked through the proxy; hashes,
  ``requires-python``, core-metadata, yanked markers and upload times pass
  through. A name that is not normalized is redirected. Pages are kept for
  ``page-ttl`` seconds and served from the last good copy while the upstream
  is down; a bad upstream reply is an error for that project only.
- ``GET /files/SHA256/FILENAME``: fetched from upstream once, hash checked,
  scanned once per rule set in a worker process, kept with its verdict in a
  content-addressed vault; served if the policy allows it, otherwise
  redirected to ``/-/refused/FILENAME/REASONS``, which answers 403, so pip
  and uv print the reasons in the URL of their error.
- ``GET /files/SHA256/FILENAME.metadata``: the upstream core metadata (PEP 658).
- ``GET /-/health``: liveness and counters.

No TLS of its own: run it behind the usual reverse proxy for HTTPS.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from packaging.utils import canonicalize_name
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from depvet import __version__
from depvet.advisories.store import AdvisoryStore
from depvet.errors import Error, IndexReplyError
from depvet.gate.vetter import MAX_DOWNLOAD, Vetter, scan_file
from depvet.index.client import json_api_url, upload_times_from_json_api
from depvet.index.simple import (
    ACCEPT,
    JSON_V1,
    IndexFile,
    ProjectPage,
    merge_upload_times,
    negotiate,
    parse_filename,
    parse_project_page,
    render_html,
    render_index,
    render_json,
)
from depvet.index.vault import StoredVerdict, Vault
from depvet.model import AdvisoryMatch
from depvet.net import USER_AGENT
from depvet.policy import Decision, Policy
from depvet.scan import ScanOptions

log = logging.getLogger("depvet.proxy")

__all__ = ["ProxyConfig", "ProxyEvent", "ProxyState", "create_app"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyConfig:
    """Everything the proxy needs to start."""

    policy: Policy
    upstream: str  # a simple index URL ending in "/"
    cache_dir: Path
    token: str | None = None
    jobs: int = 2
    db_url: str | None = None
    upstream_timeout: float = 20.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyEvent:
    """One decision the proxy made, for logs and for ``depvet install``'s report."""

    event: str  # hidden, refused, served, error
    project: str
    filename: str | None
    reasons: tuple[str, ...] = ()
    sha256: str | None = None
    verdict: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as a log record."""
        return {
            "event": self.event,
            "project": self.project,
            "filename": self.filename,
            "reasons": list(self.reasons),
            "sha256": self.sha256,
            "verdict": self.verdict,
        }


@dataclass(slots=True, kw_only=True)
class _Page:
    page: ProjectPage
    fetched: float  # time.monotonic() of the upstream reply
    shown: tuple[IndexFile, ...]
    hidden: dict[str, Decision]
    advisories: dict[str, tuple[AdvisoryMatch, ...]]
    rendered: dict[str, bytes] = field(default_factory=dict)


class ProxyState:
    """The proxy's caches, clients and worker pool; one per app."""

    def __init__(self, config: ProxyConfig) -> None:
        """Cheap: the clients and the pool start with the app."""
        self.config = config
        self.vault = Vault(config.cache_dir / "vault")
        self.store: AdvisoryStore | None = None
        options = ScanOptions(jobs=1, cache_dir=config.cache_dir)
        self.vetter = Vetter(config.policy, self.vault, store=None, options=options)
        self.pages: dict[str, _Page] = {}
        self.files: dict[str, tuple[str, IndexFile]] = {}  # key → (project, file)
        self.events: deque[ProxyEvent] = deque(maxlen=10_000)
        self.counters: dict[str, int] = {"pages": 0, "files": 0, "refused": 0, "errors": 0}
        self._locks: dict[str, asyncio.Lock] = {}
        self.client: httpx.AsyncClient | None = None
        self.pool: ProcessPoolExecutor | None = None
        self.listeners: list[Callable[[ProxyEvent], None]] = []

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the upstream client, the advisory store and the scanning workers."""
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.config.upstream_timeout),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
        )
        store = AdvisoryStore(self.config.db_url)
        try:
            await run_in_threadpool(store.ensure_feed)
            self.store = store
        except Error as exc:
            log.warning(json.dumps({"event": "advisories-unavailable", "reason": exc.message}))
            store.close()
        self.vetter.store = self.store
        context = multiprocessing.get_context("forkserver")
        self.pool = ProcessPoolExecutor(max_workers=max(self.config.jobs, 1), mp_context=context)

    async def stop(self) -> None:
        """Close what :meth:`start` opened."""
        if self.client is not None:
            await self.client.aclose()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        if self.store is not None:
            self.store.close()

    def record(self, event: ProxyEvent) -> None:
        """Log ``event`` as one JSON line and tell the listeners."""
        self.events.append(event)
        level = logging.WARNING if event.event in ("refused", "error") else logging.INFO
        log.log(level, json.dumps(event.to_json()))
        for listener in self.listeners:
            listener(event)

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    # -- pages ---------------------------------------------------------------------------------

    async def page(self, project: str) -> _Page:
        """The project's page, fresh within the TTL; the last good copy if the upstream fails."""
        cached = self.pages.get(project)
        ttl = self.config.policy.proxy.page_ttl
        if cached is not None and time.monotonic() - cached.fetched < ttl:
            return cached
        async with self._lock(f"page:{project}"):
            cached = self.pages.get(project)
            if cached is not None and time.monotonic() - cached.fetched < ttl:
                return cached
            try:
                page = await self._fetch_page(project)
            except (IndexReplyError, _UpstreamError) as exc:
                if isinstance(exc, _NotOnUpstream):
                    raise
                stale = cached or await self._saved_page(project)
                if stale is None:
                    raise
                log.warning(
                    json.dumps({"event": "stale-page", "project": project, "reason": str(exc)})
                )
                self.pages[project] = stale
                stale.fetched = time.monotonic() - ttl + min(ttl, 30.0)  # ask again in 30 s
                return stale
            entry = await self._judge_page(page)
            self.pages[project] = entry
            self._save_page(project, page)
            self.counters["pages"] += 1
            return entry

    async def _fetch_page(self, project: str) -> ProjectPage:
        url = f"{self.config.upstream}{project}/"
        reply = await self._get(url, project, headers={"Accept": ACCEPT}, limit=64 * 1024 * 1024)
        page = parse_project_page(
            reply.content,
            reply.headers.get("Content-Type", ""),
            url=str(reply.url),
            project=project,
        )
        api_url = json_api_url(self.config.upstream, project)
        if api_url is not None and any(f.upload_time is None for f in page.files):
            with contextlib.suppress(_UpstreamError, ValueError):
                api = await self._get(api_url, project, limit=256 << 20)
                page = merge_upload_times(page, upload_times_from_json_api(api.json()))
        return page

    async def _get(
        self, url: str, project: str, *, headers: dict[str, str] | None = None, limit: int
    ) -> httpx.Response:
        assert self.client is not None
        try:
            reply = await self.client.get(url, headers=headers)
        except httpx.TimeoutException as exc:
            raise _UpstreamError(f"{project}: the upstream index timed out ({url})") from exc
        except httpx.TransportError as exc:
            raise _UpstreamError(f"{project}: cannot reach the upstream index ({exc})") from exc
        if reply.status_code in (404, 410):
            raise _NotOnUpstream(f"{project}: not on the upstream index")
        if reply.status_code >= 400:
            raise _UpstreamError(f"{project}: the upstream index answered HTTP {reply.status_code}")
        if len(reply.content) > limit:
            raise _UpstreamError(f"{project}: the upstream reply is over {limit} bytes")
        return reply

    async def _judge_page(self, page: ProjectPage) -> _Page:
        versions = [v for f in page.files if (v := f.version) is not None]
        advisories = await run_in_threadpool(self.vetter.advisories, page.name, versions)
        shown: list[IndexFile] = []
        hidden: dict[str, Decision] = {}
        now = dt.datetime.now(dt.UTC)
        for file in page.files:
            decision = self.vetter.decide(
                page.name, file, advisories.get(file.version or "", ()), now=now
            )
            self.files[file_key(file)] = (page.name, file)
            if decision.hides:
                hidden[file.filename] = decision
            else:
                shown.append(file)
        for filename, decision in hidden.items():
            self.record(
                ProxyEvent(
                    event="hidden",
                    project=page.name,
                    filename=filename,
                    reasons=tuple(r.text for r in decision.reasons),
                )
            )
        return _Page(
            page=page,
            fetched=time.monotonic(),
            shown=tuple(shown),
            hidden=hidden,
            advisories=advisories,
        )

    def _save_page(self, project: str, page: ProjectPage) -> None:
        """Keep the last good upstream page on disk, for a restart while the upstream is down."""
        folder = self.config.cache_dir / "proxy-pages"
        links = {f.filename: f.url for f in page.files}
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{project}.{os.getpid()}.tmp"
            tmp.write_bytes(render_json(page, links))
            tmp.replace(folder / f"{project}.json")

    async def _saved_page(self, project: str) -> _Page | None:
        """The page kept by :meth:`_save_page`, judged again; None if there is none."""
        path = self.config.cache_dir / "proxy-pages" / f"{project}.json"
        try:
            page = parse_project_page(
                path.read_bytes(), JSON_V1, url=path.as_uri(), project=project
            )
        except (OSError, Error):
            return None
        return await self._judge_page(page)

    def render(self, entry: _Page, media: str) -> bytes:
        """The page as ``media``, cached with the page."""
        body = entry.rendered.get(media)
        if body is None:
            shown = ProjectPage(
                name=entry.page.name, files=entry.shown, versions=entry.page.versions
            )
            links = {
                f.filename: f"../../files/{file_key(f)}/{quote(f.filename)}" for f in entry.shown
            }
            body = render_json(shown, links) if media == JSON_V1 else render_html(shown, links)
            entry.rendered[media] = body
        return body

    # -- files ---------------------------------------------------------------------------------

    async def lookup(self, key: str, filename: str) -> tuple[str, IndexFile] | None:
        """The file behind ``key``, reading its project's page if this process has not yet."""
        found = self.files.get(key)
        if found is not None:
            return found
        parsed = parse_filename(filename)
        if parsed is None:
            return None
        with contextlib.suppress(IndexReplyError, _UpstreamError):
            await self.page(parsed[0])
        return self.files.get(key)

    async def vet(
        self, project: str, file: IndexFile
    ) -> tuple[Decision, str, StoredVerdict | None]:
        """Fetch, check, scan and decide; (decision, sha256, verdict)."""
        entry = self.pages.get(project)
        advisories = entry.advisories.get(file.version or "", ()) if entry else ()
        before = self.vetter.decide(project, file, advisories)
        if before.hides:
            return before, file.sha256 or "", None
        key = file_key(file)
        async with self._lock(f"file:{key}"):
            path, sha256 = await self._fetch_file(project, file)
            verdict = self.vault.verdict(sha256, self.vetter.ruleset)
            if verdict is None:
                assert self.pool is not None
                loop = asyncio.get_running_loop()
                verdict = await loop.run_in_executor(
                    self.pool,
                    scan_file,
                    str(path),
                    file.filename,
                    sha256,
                    str(self.config.cache_dir),
                )
                with contextlib.suppress(OSError):
                    self.vault.put_verdict(verdict)
        return self.vetter.decide(project, file, advisories, verdict), sha256, verdict

    async def _fetch_file(self, project: str, file: IndexFile) -> tuple[Path, str]:
        expected = file.sha256
        if expected:
            stored = self.vault.path(expected, file.filename)
            if stored is not None:
                return stored, expected
        assert self.client is not None
        staging = self.vault.staging() / f"{os.getpid()}-{file_key(file)}"
        digest = hashlib.sha256()
        size = 0
        try:
            async with self.client.stream("GET", file.url) as reply:
                if reply.status_code >= 400:
                    raise _UpstreamError(
                        f"{file.filename}: the upstream answered HTTP {reply.status_code}"
                    )
                with staging.open("wb") as handle:
                    async for chunk in reply.aiter_bytes(1 << 20):
                        size += len(chunk)
                        if size > MAX_DOWNLOAD:
                            raise _UpstreamError(
                                f"{file.filename}: larger than {MAX_DOWNLOAD} bytes"
                            )
                        digest.update(chunk)
                        handle.write(chunk)
        except httpx.TimeoutException as exc:
            staging.unlink(missing_ok=True)
            raise _UpstreamError(f"{file.filename}: the upstream timed out") from exc
        except httpx.TransportError as exc:
            staging.unlink(missing_ok=True)
            raise _UpstreamError(f"{file.filename}: cannot reach the upstream ({exc})") from exc
        except BaseException:
            staging.unlink(missing_ok=True)
            raise
        actual = digest.hexdigest()
        if expected and actual != expected:
            staging.unlink(missing_ok=True)
            raise _UpstreamError(
                f"{file.filename}: upstream sent a file with sha256 {actual}, "
                f"the index says {expected}"
            )
        return self.vault.put_file(actual, file.filename, staging), actual


class _UpstreamError(Exception):
    """The upstream failed for one project or file."""


class _NotOnUpstream(_UpstreamError):
    """The upstream has no such project (404/410)."""


def file_key(file: IndexFile) -> str:
    """The path segment naming a file: its sha256, else a digest of its URL."""
    return file.sha256 or "url-" + hashlib.sha256(file.url.encode()).hexdigest()


# -- the app ---------------------------------------------------------------------------------


def create_app(config: ProxyConfig, *, state: ProxyState | None = None) -> Starlette:
    """The Starlette app serving ``config``."""
    state = state or ProxyState(config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await state.start()
        try:
            yield
        finally:
            await state.stop()

    def authorized(request: Request) -> bool:
        if config.token is None:
            return True
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return hmac.compare_digest(value.strip(), config.token)
        if scheme.lower() == "basic":
            try:
                _user, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return hmac.compare_digest(password, config.token)
        return False

    def denied() -> Response:
        return PlainTextResponse(
            "depvet proxy: a bearer token (or the token as the password) is required\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="depvet", Bearer'},
        )

    async def health(_request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "upstream": config.upstream,
                "advisories": state.store is not None,
                "pages_cached": len(state.pages),
                **state.counters,
            }
        )

    async def root(request: Request) -> Response:
        if not authorized(request):
            return denied()
        media = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        return Response(render_index(sorted(state.pages), media), media_type=media)

    async def project(request: Request) -> Response:
        if not authorized(request):
            return denied()
        name = request.path_params["project"]
        canonical = str(canonicalize_name(name))
        if name != canonical or not request.url.path.endswith("/"):
            # Relative, so that it holds behind a reverse proxy that mounts us under a prefix.
            up = "../" if request.url.path.endswith("/") else "./"
            return RedirectResponse(f"{up}{quote(canonical)}/", status_code=301)
        try:
            entry = await state.page(canonical)
        except _NotOnUpstream:
            return PlainTextResponse(
                f"depvet proxy: {canonical}: not on the upstream index\n", status_code=404
            )
        except (IndexReplyError, _UpstreamError) as exc:
            state.counters["errors"] += 1
            reason = exc.message if isinstance(exc, Error) else str(exc)
            state.record(
                ProxyEvent(event="error", project=canonical, filename=None, reasons=(reason,))
            )
            return PlainTextResponse(f"depvet proxy: {reason}\n", status_code=502)
        media = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        return Response(
            state.render(entry, media),
            media_type=media,
            headers={"Vary": "Accept", "Cache-Control": "max-age=60"},
        )

    async def distribution(request: Request) -> Response:
        if not authorized(request):
            return denied()
        key, filename = request.path_params["key"], request.path_params["filename"]
        metadata = filename.endswith(".metadata")
        wanted = filename.removesuffix(".metadata") if metadata else filename
        found = await state.lookup(key, wanted)
        if found is None or found[1].filename != wanted:
            return PlainTextResponse(
                f"depvet proxy: no file {filename} under {key}\n", status_code=404
            )
        project_name, file = found
        if metadata:
            return await core_metadata(project_name, file)
        try:
            decision, sha256, verdict = await state.vet(project_name, file)
        except _UpstreamError as exc:
            state.counters["errors"] += 1
            state.record(
                ProxyEvent(
                    event="error", project=project_name, filename=file.filename, reasons=(str(exc),)
                )
            )
            return PlainTextResponse(f"depvet proxy: {exc}\n", status_code=502)
        event = ProxyEvent(
            event="served" if decision.allowed else "refused",
            project=project_name,
            filename=file.filename,
            reasons=tuple(r.text for r in decision.reasons),
            sha256=sha256 or None,
            verdict=verdict.verdict.value if verdict else None,
        )
        state.record(event)
        if not decision.allowed:
            state.counters["refused"] += 1
            slug = quote(decision.slug(), safe="=,+")
            where = f"../../-/refused/{quote(file.filename)}/{slug}"
            return RedirectResponse(where, status_code=303)
        state.counters["files"] += 1
        path = state.vault.path(sha256, file.filename)
        if path is None:  # removed from the vault between the scan and now
            return PlainTextResponse(
                f"depvet proxy: {file.filename} is no longer stored\n", status_code=503
            )
        return FileResponse(path, filename=file.filename, media_type="application/octet-stream")

    async def core_metadata(project_name: str, file: IndexFile) -> Response:
        if not file.core_metadata:
            return PlainTextResponse(
                f"depvet proxy: {file.filename} has no core metadata\n", status_code=404
            )
        try:
            reply = await state._get(file.url + ".metadata", project_name, limit=16 << 20)
        except _UpstreamError as exc:
            return PlainTextResponse(f"depvet proxy: {exc}\n", status_code=502)
        expected = dict(file.core_metadata_hashes).get("sha256")
        if expected and hashlib.sha256(reply.content).hexdigest() != expected:
            return PlainTextResponse(
                f"depvet proxy: {file.filename}.metadata does not match the index's sha256\n",
                status_code=502,
            )
        return Response(reply.content, media_type="application/octet-stream")

    async def refused(request: Request) -> Response:
        filename, reasons = request.path_params["filename"], request.path_params["reasons"]
        text = f"depvet proxy refused {filename}: {reasons}\n"
        for event in reversed(state.events):
            if event.filename == filename and event.event in ("refused", "hidden"):
                text = f"depvet proxy refused {filename}: " + "; ".join(event.reasons) + "\n"
                break
        return PlainTextResponse(text, status_code=403)

    routes = [
        Route("/-/health", health),
        Route("/simple/", root),
        Route("/simple/{project}/", project),
        Route("/simple/{project}", project),
        Route("/files/{key}/{filename}", distribution),
        Route("/-/refused/{filename}/{reasons}", refused),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.proxy = state
    return app
