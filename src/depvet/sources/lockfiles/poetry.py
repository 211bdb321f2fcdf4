"""``poetry.lock``: Poetry's lockfile (lock-version 1.1, 2.0 and 2.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.common import (
    EntryError,
    Lines,
    array_of_tables,
    entry_lines,
    get_name,
    get_str,
    get_strs,
    get_table,
    get_tables,
    hash_strings,
    join_groups,
    load_toml,
    normalize_version,
    redact_url,
    table,
    vcs_url,
)
from depvet.sources.lockfiles.interface import LockfileWarning, ParsedLockfile

MAIN_GROUPS = frozenset({"main"})


class PoetryLockParser:
    """Every ``[[package]]``: name, version, file hashes, source (git, directory, file, url),
    groups (2.1) or category (1.x), and markers (2.1, per group or for all)."""

    name: str = "poetry.lock"

    def matches(self, path: Path) -> bool:
        """``poetry.lock``."""
        return path.name == "poetry.lock"

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the lockfile; a package without a usable name or version is skipped."""
        document, text = load_toml(path, display)
        lines = Lines(text)
        metadata = table(document, "metadata", display, lines)
        packages = array_of_tables(document, "package", display, lines)
        # lock-version 1.x keeps file hashes in [metadata.files], keyed by name.
        legacy_files = metadata.get("files", {})
        if not isinstance(legacy_files, dict):
            legacy_files = {}
        refs: list[PackageRef] = []
        warnings: list[LockfileWarning] = []
        for entry, line in zip(packages, entry_lines(lines, "package", len(packages)), strict=True):
            try:
                refs.append(_ref(entry, display, line, legacy_files))
            except EntryError as exc:
                warnings.append(
                    LockfileWarning(source=display, line=line, message=f"package skipped: {exc}")
                )
        return ParsedLockfile(
            format=self.name, source=display, refs=tuple(refs), warnings=tuple(warnings)
        )


def _ref(entry: Any, display: str, line: int | None, legacy_files: dict[str, Any]) -> PackageRef:
    if not isinstance(entry, dict):
        raise EntryError("not a table")
    name = get_name(entry)
    version = get_str(entry, "version", required=True)
    assert version is not None  # required=True
    files = get_tables(entry, "files")
    if not files and isinstance(legacy_files.get(name), list):
        files = [f for f in legacy_files[name] if isinstance(f, dict)]
    hashes = hash_strings(f["hash"] for f in files if isinstance(f.get("hash"), str))
    groups = get_strs(entry, "groups")
    category = get_str(entry, "category")
    if category is not None:
        groups = (*groups, category)
    pin, url = _origin(get_table(entry, "source"))
    return PackageRef(
        name=name,
        version=normalize_version(version),
        source=display,
        pin=pin,
        line=line,
        hashes=hashes,
        markers=_markers(entry.get("markers")),
        url=url,
        group=join_groups(groups, MAIN_GROUPS),
    )


def _origin(source: dict[str, Any] | None) -> tuple[PinKind, str | None]:
    if source is None:
        return PinKind.EXACT, None
    kind = get_str(source, "type") or ""
    url = get_str(source, "url") or ""
    if kind == "git":
        revision = get_str(source, "resolved_reference") or get_str(source, "reference")
        return PinKind.VCS, vcs_url("git", url, revision, get_str(source, "subdirectory"))
    if kind in ("directory", "file"):
        return PinKind.PATH, url
    if kind == "url":
        return PinKind.URL, redact_url(url)
    # "legacy" (a private index) or "pypi": an exact release from an index.
    return PinKind.EXACT, None


def _markers(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        unique = [str(m) for m in dict.fromkeys(value.values())]
        if not unique or "" in unique:
            return None  # installed unconditionally in at least one group
        if len(unique) == 1:
            return unique[0]
        return " or ".join(f"({m})" for m in unique)
    raise EntryError("'markers' must be a string or a table of strings")
