"""What PyPI says about a release: does it still exist, is it yanked, is it vulnerable.

Uses the JSON API (``/pypi/NAME/json`` for a project's releases and files,
``/pypi/NAME/VERSION/json`` for a release's ``vulnerabilities``) through
:mod:`depvet.net`. A version that PyPI no longer serves is reported as
removed — malicious releases are exactly the ones PyPI deletes.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depvet.model import AdvisoryMatch
from depvet.net import Http, NetworkError, NotFound

DEFAULT_INDEX = "https://pypi.org"
PROJECT_MAX_AGE = 15 * 60  # seconds a cached project reply is trusted without asking


class ReleaseState:
    """Values of :attr:`OnlineStatus.state`."""

    AVAILABLE = "available"
    YANKED = "yanked"
    REMOVED = "removed"  # the project exists, this version does not (any more)
    PROJECT_MISSING = "project-missing"
    UNKNOWN = "unknown"  # PyPI could not be asked


@dataclass(frozen=True, slots=True, kw_only=True)
class OnlineStatus:
    """What PyPI said about one (name, version)."""

    name: str
    version: str
    state: str
    yanked_reason: str | None = None
    vulnerabilities: tuple[AdvisoryMatch, ...] = ()
    error: str | None = None  # why something could not be checked


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def release_files(project: dict[str, Any], version: str) -> list[dict[str, Any]] | None:
    """The files of ``version`` in a project reply, or None when it has no such release."""
    releases = project.get("releases")
    if not isinstance(releases, dict):
        return None
    for raw, files in releases.items():
        if isinstance(raw, str) and _same_version(raw, version) and isinstance(files, list):
            return [f for f in files if isinstance(f, dict)]
    return None


def vulnerabilities(reply: dict[str, Any]) -> tuple[AdvisoryMatch, ...]:
    """The ``vulnerabilities`` of a release reply as advisory matches (withdrawn ones left out)."""
    found = []
    for item in reply.get("vulnerabilities") or ():
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        if item.get("withdrawn"):
            continue
        found.append(
            AdvisoryMatch(
                id=item["id"],
                aliases=tuple(a for a in item.get("aliases") or () if isinstance(a, str)),
                summary=str(item.get("summary") or item.get("details") or "")[:300],
                fixed=tuple(v for v in item.get("fixed_in") or () if isinstance(v, str)),
                malicious=item["id"].startswith("MAL-"),
                url=item.get("link") if isinstance(item.get("link"), str) else None,
            )
        )
    return tuple(found)


class PyPI:
    """PyPI's JSON API, batched and concurrent."""

    def __init__(self, http: Http, *, index: str = DEFAULT_INDEX, workers: int = 8) -> None:
        """``index`` is the server root that serves ``/pypi/...``."""
        self._http = http
        self._index = index.rstrip("/")
        self._workers = workers

    def project(self, name: str) -> dict[str, Any]:
        """The project reply; NotFound when PyPI has no such project."""
        url = f"{self._index}/pypi/{canonicalize_name(name)}/json"
        reply = self._http.get(url, max_age=PROJECT_MAX_AGE).json()
        if not isinstance(reply, dict):
            raise NetworkError(f"{url}: the reply is not a JSON object")
        return reply

    def release(self, name: str, version: str) -> dict[str, Any]:
        """The release reply (holds ``vulnerabilities``)."""
        url = f"{self._index}/pypi/{canonicalize_name(name)}/{version}/json"
        reply = self._http.get(url, max_age=PROJECT_MAX_AGE).json()
        if not isinstance(reply, dict):
            raise NetworkError(f"{url}: the reply is not a JSON object")
        return reply

    def status(self, name: str, version: str) -> OnlineStatus:
        """Everything PyPI says about one release; never raises for network trouble."""
        try:
            project = self.project(name)
        except NotFound:
            return OnlineStatus(name=name, version=version, state=ReleaseState.PROJECT_MISSING)
        except NetworkError as exc:
            return OnlineStatus(
                name=name, version=version, state=ReleaseState.UNKNOWN, error=exc.message
            )
        files = release_files(project, version)
        if files is None:
            return OnlineStatus(name=name, version=version, state=ReleaseState.REMOVED)
        yanked = bool(files) and all(f.get("yanked") for f in files)
        reason = next((f.get("yanked_reason") for f in files if f.get("yanked_reason")), None)
        state = ReleaseState.YANKED if yanked else ReleaseState.AVAILABLE
        try:
            vulns = vulnerabilities(self.release(name, version))
            error = None
        except NetworkError as exc:
            vulns, error = (), f"vulnerabilities not checked: {exc.message}"
        return OnlineStatus(
            name=name,
            version=version,
            state=state,
            yanked_reason=reason if isinstance(reason, str) else None,
            vulnerabilities=vulns,
            error=error,
        )

    def statuses(self, pins: Iterable[tuple[str, str]]) -> dict[tuple[str, str], OnlineStatus]:
        """:meth:`status` for many releases at once, each project asked once."""
        unique = list(dict.fromkeys(pins))
        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            done = pool.map(lambda pin: self.status(*pin), unique)
            return dict(zip(unique, done, strict=True))
