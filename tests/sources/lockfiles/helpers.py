"""Shared by the lockfile tests: where the fixtures are and how to read them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from depvet.model import PackageRef
from depvet.sources.lockfiles.interface import ParsedLockfile
from depvet.sources.lockfiles.registry import parser_named

PROJECT = Path(__file__).parent / "data" / "project"


def digest(key: str) -> str:
    """The fake sha256 the fixtures use for ``key`` (e.g. "certifi-whl")."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def parse(fmt: str, path: Path, display: str | None = None) -> ParsedLockfile:
    """Parse ``path`` with the parser of ``fmt``."""
    parser = parser_named(fmt)
    assert parser is not None
    return parser.parse(path, display if display is not None else str(path))


def by_name(parsed: ParsedLockfile) -> dict[str, PackageRef]:
    """The refs keyed by name (fixtures hold each name once)."""
    return {ref.name: ref for ref in parsed.refs}


def write(folder: Path, name: str, text: str) -> Path:
    """Write a small test file and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
