"""``Pipfile.lock``: Pipenv's lockfile (JSON, pipfile-spec 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.common import (
    EntryError,
    Lines,
    get_str,
    get_strs,
    hash_strings,
    load_json,
    pin_of,
    redact_url,
    url_pin,
    vcs_url,
)
from depvet.sources.lockfiles.interface import LockfileError, LockfileWarning, ParsedLockfile

# Pipenv's own names for its sections; any other top-level table is a named category.
GROUPS = {"default": None, "develop": "dev"}
VCS_KEYS = ("git", "hg", "svn", "bzr")


class PipfileLockParser:
    """Every entry of ``default`` (group None), ``develop`` (group "dev") and any other
    category: version (``==X``), hashes, markers, extras, and git/path/file origins."""

    name: str = "Pipfile.lock"

    def matches(self, path: Path) -> bool:
        """``Pipfile.lock``."""
        return path.name == "Pipfile.lock"

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the lockfile; an entry that is not a table or has a bad field is skipped."""
        document, text = load_json(path, display)
        if not isinstance(document, dict):
            raise LockfileError(display, "the top level must be an object", line=1, column=1)
        lines = Lines(text)
        refs: list[PackageRef] = []
        warnings: list[LockfileWarning] = []
        for section, entries in document.items():
            if section.startswith("_"):
                continue
            if not isinstance(entries, dict):
                raise LockfileError(
                    display, f"'{section}' must be an object", line=lines.key(section)
                )
            group = GROUPS.get(section, section)
            # json keeps the file's order: find each name after the previous one.
            cursor = max(lines.find(f'"{section}"', 0), 0)
            for name, entry in entries.items():
                found = lines.find(f'"{name}"', cursor)
                line = lines.line_of(found) if found >= 0 else None
                cursor = found if found >= 0 else cursor
                try:
                    refs.append(_ref(name, entry, display, line, group))
                except EntryError as exc:
                    warnings.append(
                        LockfileWarning(
                            source=display, line=line, message=f"'{name}' skipped: {exc}"
                        )
                    )
        return ParsedLockfile(
            format=self.name, source=display, refs=tuple(refs), warnings=tuple(warnings)
        )


def _ref(name: str, entry: Any, display: str, line: int | None, group: str | None) -> PackageRef:
    if not isinstance(entry, dict):
        raise EntryError("not an object")
    if not name.strip():
        raise EntryError("empty name")
    pin, version, specifier, url = _origin(entry)
    return PackageRef(
        name=name,
        version=version,
        source=display,
        pin=pin,
        specifier=specifier,
        line=line,
        hashes=hash_strings(get_strs(entry, "hashes")),
        markers=get_str(entry, "markers") or None,
        extras=tuple(sorted(get_strs(entry, "extras"))),
        url=url,
        group=group,
    )


def _origin(entry: dict[str, Any]) -> tuple[PinKind, str | None, str, str | None]:
    """(pin, version, specifier as written, url) of one entry."""
    for scheme in VCS_KEYS:
        if (url := get_str(entry, scheme)) is not None:
            revision = get_str(entry, "ref")
            return (
                PinKind.VCS,
                None,
                "",
                vcs_url(scheme, url, revision, get_str(entry, "subdirectory")),
            )
    for key in ("path", "file"):
        if (url := get_str(entry, key)) is not None:
            return url_pin(url), None, "", redact_url(url)
    raw = get_str(entry, "version") or ""
    if raw in ("", "*"):
        return PinKind.UNPINNED, None, raw, None
    try:
        pin, version = pin_of(SpecifierSet(raw))
    except InvalidSpecifier as exc:
        raise EntryError(f"'version' is not a version specifier: {raw!r}") from exc
    return pin, version, "" if pin is PinKind.EXACT else raw, None
