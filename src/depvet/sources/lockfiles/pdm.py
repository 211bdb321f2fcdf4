"""``pdm.lock``: PDM's lockfile (lock_version 4.x; 3.x ``[metadata.files]`` hashes too)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.common import (
    EntryError,
    Lines,
    array_of_tables,
    entry_lines,
    get_name,
    get_str,
    get_strs,
    get_tables,
    hash_strings,
    join_groups,
    load_toml,
    normalize_version,
    redact_url,
    table,
    url_pin,
    vcs_url,
)
from depvet.sources.lockfiles.interface import LockfileWarning, ParsedLockfile

DEFAULT_GROUPS = frozenset({"default"})


class PdmLockParser:
    """Every ``[[package]]``: name, version, groups ("default" is None), marker, file
    hashes, and origin (git ``revision``, url, path/editable). PDM writes a package
    installed with extras as a second entry; its extras are merged into the first."""

    name: str = "pdm.lock"

    def matches(self, path: Path) -> bool:
        """``pdm.lock``."""
        return path.name == "pdm.lock"

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the lockfile; a package without a usable name or version is skipped."""
        document, text = load_toml(path, display)
        lines = Lines(text)
        metadata = table(document, "metadata", display, lines)
        legacy_files = metadata.get("files", {})  # lock_version 3.x: {"name version": [...]}
        if not isinstance(legacy_files, dict):
            legacy_files = {}
        entries = array_of_tables(document, "package", display, lines)
        refs: list[PackageRef] = []
        index: dict[tuple[str, str | None, str | None], int] = {}
        warnings: list[LockfileWarning] = []
        for entry, line in zip(entries, entry_lines(lines, "package", len(entries)), strict=True):
            try:
                ref = _ref(entry, display, line, legacy_files)
            except EntryError as exc:
                warnings.append(
                    LockfileWarning(source=display, line=line, message=f"package skipped: {exc}")
                )
                continue
            key = (canonicalize_name(ref.name), ref.version, ref.url)
            if key in index and ref.extras:
                first = refs[index[key]]
                extras = tuple(sorted({*first.extras, *ref.extras}))
                refs[index[key]] = dataclasses.replace(first, extras=extras)
                continue
            index.setdefault(key, len(refs))
            refs.append(ref)
        return ParsedLockfile(
            format=self.name, source=display, refs=tuple(refs), warnings=tuple(warnings)
        )


def _ref(entry: Any, display: str, line: int | None, legacy_files: dict[str, Any]) -> PackageRef:
    if not isinstance(entry, dict):
        raise EntryError("not a table")
    name = get_name(entry)
    version = get_str(entry, "version")
    pin, url = _origin(entry)
    if version is None and pin is PinKind.EXACT:
        raise EntryError("no 'version'")
    files = get_tables(entry, "files")
    legacy = legacy_files.get(f"{name} {version}")
    if not files and isinstance(legacy, list):
        files = [f for f in legacy if isinstance(f, dict)]
    return PackageRef(
        name=name,
        version=normalize_version(version) if version is not None else None,
        source=display,
        pin=pin,
        line=line,
        hashes=hash_strings(f["hash"] for f in files if isinstance(f.get("hash"), str)),
        markers=get_str(entry, "marker") or None,
        extras=tuple(sorted(get_strs(entry, "extras"))),
        url=url,
        group=join_groups(get_strs(entry, "groups"), DEFAULT_GROUPS),
    )


def _origin(entry: dict[str, Any]) -> tuple[PinKind, str | None]:
    for scheme in ("git", "hg", "svn", "bzr"):
        if (repo := get_str(entry, scheme)) is not None:
            revision = get_str(entry, "revision") or get_str(entry, "ref")
            return PinKind.VCS, vcs_url(scheme, repo, revision, get_str(entry, "subdirectory"))
    if (url := get_str(entry, "url")) is not None:
        return url_pin(url), redact_url(url)
    if (local := get_str(entry, "path")) is not None:
        return PinKind.PATH, local
    return PinKind.EXACT, None
