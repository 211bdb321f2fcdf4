"""``uv.lock``: uv's universal lockfile (version 1, any revision)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from packaging.utils import canonicalize_name

from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.common import (
    EntryError,
    Lines,
    array_of_tables,
    entry_lines,
    get_name,
    get_str,
    get_table,
    get_tables,
    hash_strings,
    load_toml,
    normalize_version,
    redact_url,
    vcs_url,
)
from depvet.sources.lockfiles.interface import LockfileError, LockfileWarning, ParsedLockfile

SUPPORTED_VERSION = 1
_ROOT_SOURCES = ("editable", "virtual")
_MAIN = ""  # the label of packages the project needs at run time


@dataclass(slots=True, kw_only=True)
class _Package:
    name: str
    version: str | None
    source: dict[str, Any]
    entry: dict[str, Any]
    line: int | None
    groups: dict[str, None] = field(default_factory=dict)  # labels, in order of discovery
    markers: dict[str, None] = field(default_factory=dict)
    unconditional: bool = False  # an edge with no marker leads here


class UvLockParser:
    """Every ``[[package]]`` but virtual workspace roots (they are never installed):
    name, version, sdist and wheel hashes, source (registry, git, url, path, directory,
    editable), the markers on the edges into it, and the extras or dependency groups
    through which the workspace reaches it (None when a run-time dependency)."""

    name: str = "uv.lock"

    def matches(self, path: Path) -> bool:
        """``uv.lock``."""
        return path.name == "uv.lock"

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the lockfile; a package without a usable name, version or source is skipped."""
        document, text = load_toml(path, display)
        lines = Lines(text)
        warnings: list[LockfileWarning] = []
        version = document.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise LockfileError(
                display,
                "'version' must be an integer (the uv.lock format version)",
                line=lines.key("version") or 1,
            )
        if version != SUPPORTED_VERSION:
            warnings.append(
                LockfileWarning(
                    source=display,
                    line=lines.key("version"),
                    message=f"lock version {version}; read as version {SUPPORTED_VERSION}",
                )
            )
        entries = array_of_tables(document, "package", display, lines)
        packages: list[_Package] = []
        for entry, line in zip(entries, entry_lines(lines, "package", len(entries)), strict=True):
            try:
                packages.append(_package(entry, line))
            except EntryError as exc:
                warnings.append(
                    LockfileWarning(source=display, line=line, message=f"package skipped: {exc}")
                )
        _Graph(packages).label()
        refs = [_ref(p, display) for p in packages if "virtual" not in p.source]
        return ParsedLockfile(
            format=self.name, source=display, refs=tuple(refs), warnings=tuple(warnings)
        )


def _package(entry: Any, line: int | None) -> _Package:
    if not isinstance(entry, dict):
        raise EntryError("not a table")
    name = get_name(entry)
    version = get_str(entry, "version")
    source = get_table(entry, "source")
    if source is None:
        raise EntryError("no 'source'")
    if "registry" in source and version is None:
        raise EntryError("no 'version' for a package from a registry")
    get_tables(entry, "dependencies")  # checked here so a bad entry is skipped whole
    return _Package(name=name, version=version, source=source, entry=entry, line=line)


def _ref(package: _Package, display: str) -> PackageRef:
    entry = package.entry
    sdist = get_table(entry, "sdist") or {}
    files = [sdist, *get_tables(entry, "wheels")]
    pin, url = _origin(package.source)
    labels = list(package.groups)
    return PackageRef(
        name=package.name,
        version=normalize_version(package.version) if package.version else None,
        source=display,
        pin=pin,
        line=package.line,
        hashes=hash_strings(f["hash"] for f in files if isinstance(f.get("hash"), str)),
        markers=_union(package),
        url=url,
        group=None if not labels or _MAIN in labels else ",".join(labels),
    )


def _union(package: _Package) -> str | None:
    if package.unconditional or not package.markers:
        return None
    markers = list(package.markers)
    return markers[0] if len(markers) == 1 else " or ".join(f"({m})" for m in markers)


def _origin(source: dict[str, Any]) -> tuple[PinKind, str | None]:
    if "registry" in source:
        return PinKind.EXACT, None
    if isinstance(git := source.get("git"), str):
        # https://github.com/org/repo?rev=v1.0&subdirectory=x#<commit>
        parts = urlsplit(git)
        query = parse_qs(parts.query)
        revision = parts.fragment or next(
            (query[k][0] for k in ("rev", "tag", "branch") if k in query), None
        )
        subdirectory = query.get("subdirectory", [None])[0]
        base = urlunsplit(parts._replace(query="", fragment=""))
        return PinKind.VCS, vcs_url("git", base, revision, subdirectory)
    if isinstance(url := source.get("url"), str):
        return PinKind.URL, redact_url(url)
    for key in ("path", "directory", "editable", "virtual"):
        if isinstance(local := source.get(key), str):
            return PinKind.PATH, local
    raise EntryError(f"unknown 'source': {', '.join(source) or 'empty'}")


class _Graph:
    """Labels each package with how the workspace reaches it, and its incoming markers."""

    def __init__(self, packages: list[_Package]) -> None:
        self.packages = packages
        self.by_name: dict[str, list[_Package]] = {}
        for package in packages:
            self.by_name.setdefault(canonicalize_name(package.name), []).append(package)

    def _targets(self, edge: dict[str, Any]) -> list[_Package]:
        name = edge.get("name")
        if not isinstance(name, str):
            return []
        found = self.by_name.get(canonicalize_name(name), [])
        if len(found) > 1 and isinstance(version := edge.get("version"), str):
            found = [p for p in found if p.version == version]
        if len(found) > 1 and isinstance(source := edge.get("source"), dict):
            found = [p for p in found if p.source == source]
        return found

    def _edges(self, package: _Package, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(label, edge) of a dependency table: [package.optional-dependencies] and the like."""
        value = package.entry.get(key)
        if isinstance(value, dict):
            for label, edges in value.items():
                if isinstance(edges, list):
                    yield from ((label, e) for e in edges if isinstance(e, dict))

    def label(self) -> None:
        """Fill in every package's groups and markers."""
        queue: deque[tuple[_Package, str, dict[str, Any]]] = deque()
        for package in self.packages:
            for edge in package.entry.get("dependencies") or []:
                self._mark(edge)
            for key in ("optional-dependencies", "dev-dependencies"):
                for _, edge in self._edges(package, key):
                    self._mark(edge)
            if any(k in package.source for k in _ROOT_SOURCES):
                package.groups[_MAIN] = None
                for edge in package.entry.get("dependencies") or []:
                    queue.append((package, _MAIN, edge))
                for key in ("optional-dependencies", "dev-dependencies"):
                    for label, edge in self._edges(package, key):
                        queue.append((package, label, edge))
        seen: set[tuple[int, str, str]] = set()
        while queue:
            _, label, edge = queue.popleft()
            extras = edge.get("extra") or []
            for target in self._targets(edge):
                for extra in ("", *(e for e in extras if isinstance(e, str))):
                    visit = (id(target), label, extra)
                    if visit in seen:
                        continue
                    seen.add(visit)
                    target.groups.setdefault(label)
                    if extra:
                        for name, sub in self._edges(target, "optional-dependencies"):
                            if name == extra:
                                queue.append((target, label, sub))
                    else:
                        for sub in target.entry.get("dependencies") or []:
                            queue.append((target, label, sub))

    def _mark(self, edge: Any) -> None:
        if not isinstance(edge, dict):
            return
        marker = edge.get("marker")
        for target in self._targets(edge):
            if isinstance(marker, str) and marker:
                target.markers.setdefault(marker)
            else:
                target.unconditional = True
