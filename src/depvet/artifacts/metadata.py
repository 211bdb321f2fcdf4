"""Name and version of a package: from its core metadata, else from its file name."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from email.parser import BytesHeaderParser

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from depvet.artifacts.layout import relative_path

_META_NAMES = ("METADATA", "PKG-INFO")


@dataclass(frozen=True, slots=True, kw_only=True)
class NameVersion:
    """A package's name and version as far as they are known."""

    name: str | None
    version: str | None


def metadata_rank(container: str, path: str) -> int | None:
    """How authoritative the member at ``path`` is as package metadata (lower wins), or None."""
    if "!/" in path:
        return None  # metadata of a nested archive describes another package
    rel = relative_path(container, path)
    parts = rel.split("/")
    name = parts[-1]
    if name == "pyproject.toml" and len(parts) == 1:
        return 9
    if name not in _META_NAMES:
        return None
    if len(parts) == 1:
        return 0  # sdist PKG-INFO
    if len(parts) == 2 and parts[0].endswith(".dist-info"):
        return 0
    if len(parts) == 2 and (parts[0].endswith(".egg-info") or parts[0] == "EGG-INFO"):
        return 1
    if len(parts) == 3 and parts[1].endswith(".egg-info"):  # src/pkg.egg-info/PKG-INFO
        return 2
    return None


def parse_metadata(name: str, data: bytes) -> NameVersion:
    """Read Name and Version from core metadata (email headers) or a pyproject.toml."""
    if name.endswith("pyproject.toml"):
        try:
            project = tomllib.loads(data.decode("utf-8", "replace")).get("project", {})
        except tomllib.TOMLDecodeError:
            return NameVersion(name=None, version=None)
        if not isinstance(project, dict):
            return NameVersion(name=None, version=None)
        pname, pversion = project.get("name"), project.get("version")
        return NameVersion(
            name=pname if isinstance(pname, str) else None,
            version=pversion if isinstance(pversion, str) else None,
        )
    headers = BytesHeaderParser().parsebytes(data[:65536])
    return NameVersion(name=_clean(headers.get("Name")), version=_clean(headers.get("Version")))


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:200] or None


_ARCHIVE_SUFFIX = re.compile(r"\.(tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|tar|zip|egg|whl)$", re.I)


def name_from_filename(filename: str) -> NameVersion:
    """Guess name and version from an artifact's file name, as PyPI names them."""
    try:
        if filename.endswith(".whl"):
            wname, wversion, _, _ = parse_wheel_filename(filename)
            return NameVersion(name=str(wname), version=str(wversion))
        if filename.endswith((".tar.gz", ".zip")):
            sname, sversion = parse_sdist_filename(filename)
            return NameVersion(name=str(sname), version=str(sversion))
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        pass
    stem = _ARCHIVE_SUFFIX.sub("", filename)
    if filename.endswith(".egg"):
        stem = stem.split("-py", 1)[0]
    # name-1.2.3: split at the last '-' whose right side is a version.
    for index in range(len(stem) - 1, 0, -1):
        if stem[index] != "-":
            continue
        try:
            version = Version(stem[index + 1 :])
        except InvalidVersion:
            continue
        return NameVersion(name=canonicalize_name(stem[:index]), version=str(version))
    return NameVersion(name=canonicalize_name(stem) if stem else None, version=None)
