"""Read project pages from a simple index through :class:`depvet.net.Http`.

PEP 691 JSON is asked for first; an index that only speaks HTML is read as
PEP 503. Upload times (PEP 700) come with PyPI's JSON pages; when an index
gives none and it is PyPI, they are taken from the project JSON API.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from depvet.errors import NetworkError
from depvet.index.simple import ACCEPT, ProjectPage, merge_upload_times, parse_project_page
from depvet.net import Http

PYPI_HOSTS = ("pypi.org", "test.pypi.org")


def project_url(index_url: str, name: str) -> str:
    """``https://pypi.org/simple/`` + ``Foo_Bar`` → ``https://pypi.org/simple/foo-bar/``."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    return f"{base}{canonicalize_name(name)}/"


class IndexClient:
    """A simple index, read synchronously (``depvet check``)."""

    def __init__(self, http: Http, index_url: str, *, max_age: float = 60.0) -> None:
        """``max_age``: seconds a cached page is used without asking the index again."""
        self._http = http
        self.index_url = index_url if index_url.endswith("/") else index_url + "/"
        self._max_age = max_age

    def project(self, name: str) -> ProjectPage:
        """The project's page; NotFound, NetworkError or IndexReplyError naming the project."""
        url = project_url(self.index_url, name)
        reply = self._http.get(url, headers={"Accept": ACCEPT}, max_age=self._max_age)
        page = parse_project_page(
            reply.body, reply.content_type, url=reply.url, project=str(canonicalize_name(name))
        )
        api_url = json_api_url(self.index_url, name)
        if api_url is not None and any(f.upload_time is None for f in page.files):
            page = merge_upload_times(page, self._pypi_upload_times(api_url))
        return page

    def _pypi_upload_times(self, url: str) -> dict[str, dt.datetime]:
        try:
            document = self._http.get(url, max_age=self._max_age).json()
        except NetworkError:
            return {}
        return upload_times_from_json_api(document)


def json_api_url(index_url: str, name: str) -> str | None:
    """PyPI's project JSON API for ``name`` when ``index_url`` is PyPI's, else None."""
    host = urlsplit(index_url).hostname
    if host not in PYPI_HOSTS:
        return None
    return f"https://{host}/pypi/{canonicalize_name(name)}/json"


def upload_times_from_json_api(document: object) -> dict[str, dt.datetime]:
    """``{filename: upload time}`` from a PyPI project JSON document."""
    times: dict[str, dt.datetime] = {}
    releases = document.get("releases") if isinstance(document, dict) else None
    if not isinstance(releases, dict):
        return times
    for files in releases.values():
        for entry in files if isinstance(files, list) else ():
            if not isinstance(entry, dict):
                continue
            stamp = entry.get("upload_time_iso_8601") or entry.get("upload_time")
            filename = entry.get("filename")
            if not isinstance(stamp, str) or not isinstance(filename, str):
                continue
            try:
                when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            except ValueError:
                continue
            times[filename] = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return times
