"""The simple repository API: read a project page (PEP 503 HTML, PEP 691 JSON) and write one.

Reading is strict where a client would be misled (a JSON reply that is not
a PEP 691 document, a hash that is not hex, a page that is not HTML) and
lenient where pip is (unknown attributes, anchors that are not
distributions). Writing keeps what clients rely on: hashes,
``requires-python``, core-metadata and yanked markers, upload times
(PEP 700), and serves whichever format the client asked for.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from depvet.errors import IndexReplyError

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
HTML_LEGACY = "text/html"
ACCEPT = f"{JSON_V1}, {HTML_V1};q=0.2, {HTML_LEGACY};q=0.01"
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_HASH_NAMES = ("sha256", "sha384", "sha512", "sha224", "sha1", "md5", "blake2b")


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexFile:
    """One distribution file as a simple-index page lists it."""

    filename: str
    url: str  # absolute, without the hash fragment
    hashes: tuple[tuple[str, str], ...] = ()  # (algorithm, lowercase hex)
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    core_metadata: bool = False
    core_metadata_hashes: tuple[tuple[str, str], ...] = ()
    upload_time: dt.datetime | None = None
    size: int | None = None

    @property
    def sha256(self) -> str | None:
        """The sha256 the index gives, if any."""
        return dict(self.hashes).get("sha256")

    @property
    def version(self) -> str | None:
        """The version in the file name (wheel or sdist), or None when it cannot be read."""
        parsed = parse_filename(self.filename)
        return parsed[1] if parsed else None

    @property
    def is_wheel(self) -> bool:
        """True for a ``.whl``."""
        return self.filename.lower().endswith(".whl")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectPage:
    """A project's page: its canonical name and files (and PEP 700 versions when given)."""

    name: str
    files: tuple[IndexFile, ...]
    versions: tuple[str, ...] = ()


def parse_filename(filename: str) -> tuple[str, str] | None:
    """``(canonical name, version)`` of a wheel or sdist file name, None if it is neither."""
    try:
        if filename.lower().endswith(".whl"):
            name, version, _build, _tags = parse_wheel_filename(filename)
            return str(name), str(version)
        name, version = parse_sdist_filename(filename)
        return str(name), str(version)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return _legacy_sdist(filename)


def _legacy_sdist(filename: str) -> tuple[str, str] | None:
    """Old sdists (``.zip``, ``.tar.bz2``) that ``packaging`` does not parse."""
    match = re.match(
        r"^(?P<name>.+?)-(?P<version>\d[^-]*)\.(?:zip|tar\.bz2|tar\.xz|tgz|tar)$",
        filename,
        re.IGNORECASE,
    )
    if match is None:
        return None
    return str(canonicalize_name(match.group("name"))), match.group("version")


# -- reading ---------------------------------------------------------------------------------


def parse_project_page(body: bytes, content_type: str, *, url: str, project: str) -> ProjectPage:
    """Read an upstream reply; IndexReplyError naming the project when it is not a valid page."""
    media = content_type.split(";")[0].strip().lower()
    if media in (JSON_V1, "application/vnd.pypi.simple.latest+json", "application/json"):
        return _parse_json(body, url=url, project=project)
    if media in (HTML_V1, HTML_LEGACY, "application/vnd.pypi.simple.latest+html", ""):
        return _parse_html(body, url=url, project=project)
    raise IndexReplyError(f"{project}: the index replied with {media!r}, not a simple-index page")


def _parse_json(body: bytes, *, url: str, project: str) -> ProjectPage:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise IndexReplyError(
            f"{project}: the index's JSON page is not valid JSON ({exc})"
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise IndexReplyError(f"{project}: the index's JSON page has no 'files' list (PEP 691)")
    api = (
        document.get("meta", {}).get("api-version", "1.0")
        if isinstance(document.get("meta"), dict)
        else "1.0"
    )
    if not isinstance(api, str) or not api.startswith("1."):
        raise IndexReplyError(f"{project}: unsupported simple API version {api!r}")
    files = []
    for position, entry in enumerate(document["files"]):
        if not isinstance(entry, dict):
            raise IndexReplyError(f"{project}: files[{position}] is not an object")
        files.append(_json_file(entry, url=url, project=project, where=f"files[{position}]"))
    versions = document.get("versions", [])
    return ProjectPage(
        name=str(canonicalize_name(str(document.get("name") or project))),
        files=tuple(files),
        versions=tuple(str(v) for v in versions) if isinstance(versions, list) else (),
    )


def _json_file(entry: Mapping[str, Any], *, url: str, project: str, where: str) -> IndexFile:
    filename, href = entry.get("filename"), entry.get("url")
    if not isinstance(filename, str) or not isinstance(href, str) or not filename:
        raise IndexReplyError(f"{project}: {where} needs a 'filename' and a 'url'")
    hashes = entry.get("hashes", {})
    if not isinstance(hashes, dict):
        raise IndexReplyError(f"{project}: {where}.hashes is not an object")
    metadata = entry.get("core-metadata", entry.get("dist-info-metadata", False))
    yanked = entry.get("yanked", False)
    size = entry.get("size")
    return IndexFile(
        filename=filename,
        url=urldefrag(urljoin(url, href)).url,
        hashes=_hashes(hashes.items(), project=project, where=f"{where}.hashes"),
        requires_python=_optional_text(entry.get("requires-python")),
        yanked=bool(yanked),
        yanked_reason=yanked if isinstance(yanked, str) and yanked else None,
        core_metadata=bool(metadata),
        core_metadata_hashes=(
            _hashes(metadata.items(), project=project, where=f"{where}.core-metadata")
            if isinstance(metadata, dict)
            else ()
        ),
        upload_time=_timestamp(entry.get("upload-time")),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def _hashes(
    items: Iterable[tuple[Any, Any]], *, project: str, where: str
) -> tuple[tuple[str, str], ...]:
    found = []
    for algorithm, value in items:
        if not isinstance(value, str) or not _HEX.match(value):
            raise IndexReplyError(f"{project}: {where}.{algorithm} is not a hex digest")
        found.append((str(algorithm).lower(), value.lower()))
    return tuple(found)


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self.base: str | None = None
        self.markup = False
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("html", "body", "head", "a", "meta"):
            self.markup = True
        if tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")
        elif tag == "a":
            self._open = dict(attrs)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def _parse_html(body: bytes, *, url: str, project: str) -> ProjectPage:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IndexReplyError(f"{project}: the index's HTML page is not UTF-8 ({exc})") from exc
    parser = _Anchors()
    parser.feed(text)
    parser.close()
    if not parser.markup and text.strip():
        raise IndexReplyError(f"{project}: the index's reply is not an HTML simple-index page")
    base = urljoin(url, parser.base) if parser.base else url
    files = []
    for attrs, label in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        absolute, fragment = urldefrag(urljoin(base, href))
        filename = label or absolute.rsplit("/", 1)[-1]
        if parse_filename(filename) is None:
            continue  # pip skips what is not a distribution too
        hashes: tuple[tuple[str, str], ...] = ()
        if "=" in fragment:
            algorithm, _, digest = fragment.partition("=")
            if algorithm.lower() in _HASH_NAMES:
                hashes = _hashes([(algorithm, digest)], project=project, where=f"{filename} href")
        metadata = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        metadata_hashes: tuple[tuple[str, str], ...] = ()
        if metadata and "=" in metadata:
            algorithm, _, digest = metadata.partition("=")
            metadata_hashes = _hashes(
                [(algorithm, digest)], project=project, where=f"{filename} metadata"
            )
        yanked = "data-yanked" in attrs
        files.append(
            IndexFile(
                filename=filename,
                url=absolute,
                hashes=hashes,
                requires_python=_optional_text(attrs.get("data-requires-python")),
                yanked=yanked,
                yanked_reason=_optional_text(attrs.get("data-yanked")) if yanked else None,
                core_metadata=metadata is not None and metadata.lower() != "false",
                core_metadata_hashes=metadata_hashes,
            )
        )
    return ProjectPage(name=str(canonicalize_name(project)), files=tuple(files))


def merge_upload_times(page: ProjectPage, times: Mapping[str, dt.datetime]) -> ProjectPage:
    """Fill in upload times (from PyPI's JSON API) that an HTML page could not give."""
    if not times:
        return page
    files = tuple(
        replace(f, upload_time=f.upload_time or times.get(f.filename)) for f in page.files
    )
    return replace(page, files=files)


# -- writing ---------------------------------------------------------------------------------


def negotiate(accept: str | None, query_format: str | None = None) -> str:
    """The media type to answer with, from ``?format=`` or the Accept header (PEP 691)."""
    offered = {
        JSON_V1: JSON_V1,
        "application/vnd.pypi.simple.latest+json": JSON_V1,
        HTML_V1: HTML_V1,
        "application/vnd.pypi.simple.latest+html": HTML_V1,
        HTML_LEGACY: HTML_LEGACY,
        "text/*": HTML_LEGACY,
        "*/*": HTML_LEGACY,
    }
    if query_format:
        return offered.get(query_format.strip().lower(), HTML_LEGACY)
    if not accept:
        return HTML_LEGACY
    best, best_q = HTML_LEGACY, -1.0
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media in offered and quality > best_q and quality > 0:
            best, best_q = offered[media], quality - position * 1e-6
    return best


def render_json(page: ProjectPage, links: Mapping[str, str]) -> bytes:
    """PEP 691 JSON (API 1.1), each file's URL taken from ``links`` (filename → URL)."""
    files = []
    for f in page.files:
        entry: dict[str, Any] = {
            "filename": f.filename,
            "url": links[f.filename],
            "hashes": dict(f.hashes),
        }
        if f.requires_python:
            entry["requires-python"] = f.requires_python
        if f.core_metadata:
            metadata: bool | dict[str, str] = dict(f.core_metadata_hashes) or True
            entry["core-metadata"] = metadata
            entry["dist-info-metadata"] = metadata
        if f.yanked:
            entry["yanked"] = f.yanked_reason or True
        if f.upload_time is not None:
            entry["upload-time"] = (
                f.upload_time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            )
        if f.size is not None:
            entry["size"] = f.size
        files.append(entry)
    document = {
        "meta": {"api-version": "1.1"},
        "name": page.name,
        "files": files,
        "versions": list(page.versions) or _versions(page.files),
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _versions(files: Iterable[IndexFile]) -> list[str]:
    return list(dict.fromkeys(v for f in files if (v := f.version) is not None))


def render_html(page: ProjectPage, links: Mapping[str, str]) -> bytes:
    """PEP 503 HTML with the PEP 592/658/714 attributes."""
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        '<head><meta name="pypi:repository-version" content="1.1">'
        f"<title>Links for {html.escape(page.name)}</title></head>",
        "<body>",
        f"<h1>Links for {html.escape(page.name)}</h1>",
    ]
    for f in page.files:
        href = links[f.filename]
        if f.sha256:
            href += f"#sha256={f.sha256}"
        elif f.hashes:
            href += f"#{f.hashes[0][0]}={f.hashes[0][1]}"
        attrs = [f'href="{html.escape(href)}"']
        if f.requires_python:
            attrs.append(f'data-requires-python="{html.escape(f.requires_python)}"')
        if f.core_metadata:
            value = "true"
            if f.core_metadata_hashes:
                value = "=".join(_preferred(f.core_metadata_hashes))
            attrs.append(f'data-core-metadata="{html.escape(value)}"')
            attrs.append(f'data-dist-info-metadata="{html.escape(value)}"')
        if f.yanked:
            attrs.append(f'data-yanked="{html.escape(f.yanked_reason or "")}"')
        lines.append(f"<a {' '.join(attrs)}>{html.escape(f.filename)}</a><br>")
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines).encode()


def _preferred(hashes: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    return next((pair for pair in hashes if pair[0] == "sha256"), hashes[0])


def render_index(names: Iterable[str], media: str) -> bytes:
    """The root page (``/simple/``) listing ``names``."""
    if media == JSON_V1:
        document = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
        return json.dumps(document, separators=(",", ":")).encode()
    anchors = "".join(f'<a href="{html.escape(n)}/">{html.escape(n)}</a><br>\n' for n in names)
    return f"<!DOCTYPE html>\n<html><body>\n{anchors}</body></html>\n".encode()
