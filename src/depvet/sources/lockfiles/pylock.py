"""``pylock.toml`` and ``pylock.NAME.toml``: the standard lockfile of PEP 751."""

from __future__ import annotations

import re
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
    get_table,
    get_tables,
    hash_strings,
    load_toml,
    normalize_version,
    redact_url,
    vcs_url,
)
from depvet.sources.lockfiles.interface import LockfileError, LockfileWarning, ParsedLockfile

_FILE_NAME = re.compile(r"pylock\.[^.]+\.toml")
# `'dev' in dependency_groups`, `"socks" in extras`: what a PEP 751 marker selects on.
_SELECTORS = re.compile(r"""['"]([^'"]+)['"]\s+in\s+(?:dependency_groups|extras)\b""")
SUPPORTED_MAJOR = "1"


class PylockParser:
    """Every ``[[packages]]``: name, version, marker, hashes of the sdist, wheels and
    archive, and origin (index, vcs ``commit-id``, directory, archive URL or path).
    The group is read from the marker's ``'NAME' in dependency_groups`` (or extras)."""

    name: str = "pylock.toml"

    def matches(self, path: Path) -> bool:
        """``pylock.toml`` or ``pylock.NAME.toml`` (NAME without dots)."""
        return path.name == "pylock.toml" or _FILE_NAME.fullmatch(path.name) is not None

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the lockfile; LockfileError for a lock-version other than 1.x."""
        document, text = load_toml(path, display)
        lines = Lines(text)
        version = document.get("lock-version")
        if not isinstance(version, str):
            raise LockfileError(
                display,
                "'lock-version' must be a string such as \"1.0\"",
                line=lines.key("lock-version") or 1,
            )
        major, _, minor = version.partition(".")
        if major != SUPPORTED_MAJOR:
            raise LockfileError(
                display,
                f"lock-version {version} is not supported (only 1.x)",
                line=lines.key("lock-version"),
            )
        warnings: list[LockfileWarning] = []
        if minor not in ("", "0"):
            warnings.append(
                LockfileWarning(
                    source=display,
                    line=lines.key("lock-version"),
                    message=f"lock-version {version}; fields added after 1.0 are ignored",
                )
            )
        entries = array_of_tables(document, "packages", display, lines)
        refs: list[PackageRef] = []
        for entry, line in zip(entries, entry_lines(lines, "packages", len(entries)), strict=True):
            try:
                refs.append(_ref(entry, display, line))
            except EntryError as exc:
                warnings.append(
                    LockfileWarning(source=display, line=line, message=f"package skipped: {exc}")
                )
        return ParsedLockfile(
            format=self.name, source=display, refs=tuple(refs), warnings=tuple(warnings)
        )


def _ref(entry: Any, display: str, line: int | None) -> PackageRef:
    if not isinstance(entry, dict):
        raise EntryError("not a table")
    name = get_name(entry)
    version = get_str(entry, "version")
    marker = get_str(entry, "marker") or None
    pin, url = _origin(entry)
    if pin is PinKind.EXACT and version is None:
        raise EntryError("no 'version' for a package from an index")
    files = [
        f for f in (get_table(entry, "sdist"), get_table(entry, "archive")) if f is not None
    ] + get_tables(entry, "wheels")
    hashes: list[str] = []
    for item in files:
        digests = get_table(item, "hashes") or {}
        hashes.extend(f"{algo}:{digest}" for algo, digest in digests.items())
    selected = list(dict.fromkeys(_SELECTORS.findall(marker or "")))
    return PackageRef(
        name=name,
        version=normalize_version(version) if version is not None else None,
        source=display,
        pin=pin,
        line=line,
        hashes=hash_strings(hashes),
        markers=marker,
        url=url,
        group=",".join(selected) or None,
    )


def _origin(entry: dict[str, Any]) -> tuple[PinKind, str | None]:
    if (vcs := get_table(entry, "vcs")) is not None:
        kind = get_str(vcs, "type") or "git"
        where = get_str(vcs, "url") or get_str(vcs, "path")
        if where is None:
            raise EntryError("'vcs' has neither 'url' nor 'path'")
        revision = get_str(vcs, "commit-id") or get_str(vcs, "requested-revision")
        return PinKind.VCS, vcs_url(kind, where, revision, get_str(vcs, "subdirectory"))
    if (directory := get_table(entry, "directory")) is not None:
        return PinKind.PATH, get_str(directory, "path", required=True)
    if (archive := get_table(entry, "archive")) is not None:
        if (url := get_str(archive, "url")) is not None:
            return PinKind.URL, redact_url(url)
        return PinKind.PATH, get_str(archive, "path", required=True)
    return PinKind.EXACT, None
