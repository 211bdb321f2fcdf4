"""The lockfile formats depvet reads: the built-ins, then any registered by entry point,
and how a project folder's lockfiles are found."""

from __future__ import annotations

import os
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from depvet.artifacts.filesystem import SKIPPED_DIRS
from depvet.errors import SourceError
from depvet.sources.lockfiles.interface import LockfileParser
from depvet.sources.lockfiles.pdm import PdmLockParser
from depvet.sources.lockfiles.pipfile import PipfileLockParser
from depvet.sources.lockfiles.poetry import PoetryLockParser
from depvet.sources.lockfiles.pylock import PylockParser
from depvet.sources.lockfiles.pyproject import PyprojectParser
from depvet.sources.lockfiles.requirements import RequirementsParser
from depvet.sources.lockfiles.uv import UvLockParser

ENTRY_POINT_GROUP = "depvet.lockfiles"

# Exact file names first; the requirements parser, which matches by pattern, last.
BUILTIN: tuple[LockfileParser, ...] = (
    PylockParser(),
    UvLockParser(),
    PoetryLockParser(),
    PdmLockParser(),
    PipfileLockParser(),
    PyprojectParser(),
    RequirementsParser(),
)


@cache
def parsers() -> tuple[LockfileParser, ...]:
    """Every parser, built-ins first; a plug-in is a parser class or instance."""
    found: list[LockfileParser] = list(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        plugin = ep.load()
        found.append(plugin() if isinstance(plugin, type) else plugin)
    return tuple(found)


def parser_for(path: Path) -> LockfileParser | None:
    """The first parser whose file names match ``path``, None when none does."""
    return next((p for p in parsers() if p.matches(path)), None)


def parser_named(name: str) -> LockfileParser | None:
    """The parser of a format by its name (``uv.lock``, ``requirements``…)."""
    return next((p for p in parsers() if p.name == name), None)


def _skipped(entry: os.DirEntry[str]) -> bool:
    return (
        entry.name in SKIPPED_DIRS
        or entry.name.startswith(".")  # .venv, .git, .tox, .nox: tool state
        or entry.name == "node_modules"
        or entry.is_symlink()
        or (Path(entry.path) / "pyvenv.cfg").exists()
    )


def _matching_files(folder: Path, root: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    found = []
    for entry in entries:
        path = Path(entry.path)
        if not entry.is_file() or parser_for(path) is None:
            continue
        # A link may point at a lockfile elsewhere in the project, never out of it.
        if entry.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(root):
            continue
        found.append(path)
    return found


def find_lockfiles(folder: Path) -> list[Path]:
    """Every supported file in a project folder and its direct sub-folders.

    Files at the top come first, then each sub-folder's, all by name. Tool
    state (``.venv``, ``.git``, ``node_modules``, any hidden folder) and
    virtual environments (a ``pyvenv.cfg``) are not entered. SourceError when
    the folder cannot be listed.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise SourceError(f"{folder}: cannot list: {exc.strerror or exc}") from exc
    root = Path(os.path.realpath(folder))
    found = _matching_files(folder, root)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and not _skipped(entry):
            found.extend(_matching_files(Path(entry.path), root))
    return found
