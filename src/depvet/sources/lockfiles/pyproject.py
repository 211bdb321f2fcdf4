"""``pyproject.toml``: the constraints a project declares (not pins).

PEP 621 ``[project]`` dependencies and extras, PEP 735 ``[dependency-groups]``,
Poetry's ``[tool.poetry]`` dependency tables, and the dev lists of uv and PDM.
A constraint is EXACT only when it admits one version (``==X``, or Poetry's
bare ``X``); anything else is RANGE or UNPINNED with the constraint as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.common import (
    Lines,
    load_toml,
    normalize_version,
    redact_url,
    ref_from_requirement,
    table,
    url_pin,
    vcs_url,
)
from depvet.sources.lockfiles.interface import LockfileWarning, ParsedLockfile

_POETRY_REVISIONS = ("rev", "tag", "branch")


class PyprojectParser:
    """Declared dependencies: ``[project] dependencies`` (group None), each
    ``optional-dependencies`` extra and ``[dependency-groups]`` group (group = its name;
    ``{include-group}`` is checked, not expanded, so each requirement appears once),
    ``[tool.poetry.dependencies]`` and Poetry groups, ``[tool.uv] dev-dependencies``
    and ``[tool.pdm.dev-dependencies]``."""

    name: str = "pyproject.toml"

    def matches(self, path: Path) -> bool:
        """``pyproject.toml``."""
        return path.name == "pyproject.toml"

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the declared dependencies; a requirement that does not parse is skipped."""
        document, text = load_toml(path, display)
        reader = _Reader(display, Lines(text))
        project = table(document, "project", display, reader.lines)
        if "dependencies" in project.get("dynamic", []):
            reader.warn("project", "dependencies are dynamic (set by the build backend); not read")
        reader.strings("project.dependencies", project.get("dependencies"), None)
        extras = project.get("optional-dependencies", {})
        for extra, items in _items(reader, "project.optional-dependencies", extras):
            reader.strings(f"project.optional-dependencies.{extra}", items, extra)
        groups = table(document, "dependency-groups", display, reader.lines)
        reader.dependency_groups(groups)
        tool = table(document, "tool", display, reader.lines)
        poetry = tool.get("poetry", {})
        if isinstance(poetry, dict):
            reader.poetry("tool.poetry.dependencies", poetry.get("dependencies"), None)
            reader.poetry("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), "dev")
            for group, body in _items(reader, "tool.poetry.group", poetry.get("group", {})):
                deps = body.get("dependencies") if isinstance(body, dict) else None
                reader.poetry(f"tool.poetry.group.{group}.dependencies", deps, group)
        uv = tool.get("uv", {})
        if isinstance(uv, dict):
            reader.strings("tool.uv.dev-dependencies", uv.get("dev-dependencies"), "dev")
        pdm = tool.get("pdm", {})
        if isinstance(pdm, dict):
            for group, items in _items(
                reader, "tool.pdm.dev-dependencies", pdm.get("dev-dependencies", {})
            ):
                reader.strings(f"tool.pdm.dev-dependencies.{group}", items, group)
        return ParsedLockfile(
            format=self.name,
            source=display,
            refs=tuple(reader.refs),
            warnings=tuple(reader.warnings),
        )


def _items(reader: _Reader, where: str, value: object) -> Iterator[tuple[str, Any]]:
    if value is None:
        return
    if not isinstance(value, dict):
        reader.warn(where, "must be a table; not read")
        return
    yield from value.items()


class _Reader:
    """Collects refs and warnings, finding each requirement's line as it goes."""

    def __init__(self, display: str, lines: Lines) -> None:
        self.display = display
        self.lines = lines
        self.refs: list[PackageRef] = []
        self.warnings: list[LockfileWarning] = []

    def start(self, where: str) -> int | None:
        """Offset of a dotted key's table or key, else of its nearest parent that is found."""
        while where:
            offset = self.lines.key_offset(where)
            if offset is not None:
                return offset
            where = where.rpartition(".")[0]
        return None

    def warn(self, where: str, message: str, line: int | None = None) -> None:
        if line is None and (offset := self.start(where)) is not None:
            line = self.lines.line_of(offset)
        self.warnings.append(
            LockfileWarning(
                source=self.display,
                line=line,
                message=f"{where}: {message}",
            )
        )

    def _line(self, cursor: int | None, literal: str) -> tuple[int | None, int | None]:
        """(line, next cursor) of a string literal at or after the cursor."""
        if cursor is None:
            return None, None
        for quoted in (f'"{literal}"', f"'{literal}'", f'"""{literal}', f"'''{literal}"):
            found = self.lines.find(quoted, cursor)
            if found >= 0:
                return self.lines.line_of(found), found + len(quoted)
        return None, cursor

    def strings(self, where: str, items: object, group: str | None) -> None:
        """A PEP 508 list: ``dependencies = ["requests>=2", ...]``."""
        if items is None:
            return
        if not isinstance(items, list):
            self.warn(where, "must be an array of strings; not read")
            return
        cursor = self.start(where)
        for item in items:
            if isinstance(item, dict) and "include-group" in item:
                continue  # checked by dependency_groups
            if not isinstance(item, str):
                self.warn(where, f"not a requirement string: {item!r}")
                continue
            line, cursor = self._line(cursor, item)
            try:
                requirement = Requirement(item)
            except InvalidRequirement as exc:
                self.warn(where, f"not a requirement, skipped: {exc}", line)
                continue
            self.refs.append(
                ref_from_requirement(requirement, source=self.display, line=line, group=group)
            )

    def dependency_groups(self, groups: dict[str, Any]) -> None:
        """PEP 735 groups; every ``include-group`` must name a group and not loop."""
        includes: dict[str, list[str]] = {}
        for group, items in groups.items():
            where = f"dependency-groups.{group}"
            self.strings(where, items, group)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("include-group"), str):
                    included = item["include-group"]
                    includes.setdefault(group, []).append(included)
                    if included not in groups:
                        self.warn(where, f"includes a group that does not exist: {included!r}")
        for group in includes:
            if cycle := _cycle(group, includes, []):
                self.warn(
                    f"dependency-groups.{group}", "include-group cycle: " + " -> ".join(cycle)
                )
                break

    def poetry(self, where: str, deps: object, group: str | None) -> None:
        """A Poetry dependency table: ``name = "^1.2"`` or ``name = {version, extras, ...}``."""
        if deps is None:
            return
        if not isinstance(deps, dict):
            self.warn(where, "must be a table; not read")
            return
        start = self.start(where)
        for name, constraint in deps.items():
            if name == "python":
                continue
            offset = self.lines.key_offset(name, start) if start is not None else None
            line = self.lines.line_of(offset) if offset is not None else None
            # A list is several constraints, each for its own markers or Python versions.
            for item in constraint if isinstance(constraint, list) else [constraint]:
                ref = _poetry_ref(name, item, self.display, line, group)
                if ref is None:
                    self.warn(where, f"{name}: not a Poetry constraint: {item!r}", line)
                else:
                    self.refs.append(ref)


def _cycle(group: str, includes: dict[str, list[str]], path: list[str]) -> list[str]:
    if group in path:
        return [*path[path.index(group) :], group]
    for included in includes.get(group, []):
        if found := _cycle(included, includes, [*path, group]):
            return found
    return []


def _poetry_ref(
    name: str, item: object, display: str, line: int | None, group: str | None
) -> PackageRef | None:
    if isinstance(item, str):
        item = {"version": item}
    if not isinstance(item, dict):
        return None
    extras = item.get("extras", [])
    markers = item.get("markers")
    if not isinstance(extras, list) or not isinstance(markers, str | None):
        return None
    fields: dict[str, Any] = {
        "name": name,
        "source": display,
        "line": line,
        "markers": markers or None,
        "extras": tuple(sorted(str(e) for e in extras)),
        "group": group,
    }
    if isinstance(repo := item.get("git"), str):
        revision = next((item[k] for k in _POETRY_REVISIONS if isinstance(item.get(k), str)), None)
        subdirectory = item.get("subdirectory")
        url = vcs_url(
            "git", repo, revision, subdirectory if isinstance(subdirectory, str) else None
        )
        return PackageRef(version=None, pin=PinKind.VCS, url=url, **fields)
    if isinstance(local := item.get("path"), str):
        return PackageRef(version=None, pin=PinKind.PATH, url=local, **fields)
    if isinstance(direct := item.get("url"), str):
        return PackageRef(version=None, pin=url_pin(direct), url=redact_url(direct), **fields)
    constraint = item.get("version", "*")
    if not isinstance(constraint, str):
        return None
    pin, version = _poetry_pin(constraint)
    return PackageRef(
        version=version,
        pin=pin,
        specifier="" if pin is PinKind.EXACT else constraint,
        **fields,
    )


def _poetry_pin(constraint: str) -> tuple[PinKind, str | None]:
    """Poetry's ``==X`` and bare ``X`` pin one version; ``^``, ``~``, ``*``, ranges do not."""
    text = constraint.strip()
    if text in ("", "*"):
        return PinKind.UNPINNED, None
    exact = text.removeprefix("==").removeprefix("=").strip()
    if "*" not in exact and not any(c in exact for c in "<>=!~^, |"):
        try:
            Version(exact)
        except InvalidVersion:
            return PinKind.RANGE, None
        return PinKind.EXACT, normalize_version(exact)
    return PinKind.RANGE, None
