"""Pick the file pip would install for a requirement, from a project page.

The same order pip uses: files whose ``requires-python`` admits the
interpreter; yanked files only for an exact pin (PEP 592); pre-releases only
when asked for or when nothing else matches; the highest version; of its
files, the wheel whose tag ranks first for this interpreter, else the sdist.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, sys_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from depvet.index.simple import IndexFile, ProjectPage

__all__ = ["Choice", "choose", "interpreter_version"]


def interpreter_version() -> str:
    """``3.11.7``: what ``requires-python`` is checked against."""
    return ".".join(str(part) for part in sys.version_info[:3])


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """The version pip would take and the file it would download (None: nothing fits)."""

    version: str | None
    file: IndexFile | None
    why_none: str = ""


def choose(
    page: ProjectPage,
    requirement: Requirement,
    *,
    tags: Sequence[Tag] | None = None,
    python_version: str | None = None,
    keep: Callable[[IndexFile], bool] | None = None,
) -> Choice:
    """The best file for ``requirement`` on ``page``; ``keep`` filters files first (policy)."""
    ranks = {tag: rank for rank, tag in enumerate(tags if tags is not None else sys_tags())}
    python = Version(python_version or interpreter_version())
    exact = _is_exact(requirement.specifier)
    by_version: dict[Version, list[IndexFile]] = {}
    yanked = 0
    for file in page.files:
        version = _version(file)
        if version is None or not _python_ok(file, python):
            continue
        if file.yanked and not exact:
            yanked += 1
            continue
        if keep is not None and not keep(file):
            continue
        by_version.setdefault(version, []).append(file)
    if not by_version:
        why = "every file that fits is yanked" if yanked else "no file for this interpreter"
        return Choice(version=None, file=None, why_none=why)
    matching = list(requirement.specifier.filter(by_version))
    if not matching:
        shown = ", ".join(str(v) for v in sorted(by_version)[-5:])
        return Choice(version=None, file=None, why_none=f"no version matches (newest: {shown})")
    for version in sorted(matching, reverse=True):
        best = _best_file(by_version[version], ranks)
        if best is not None:
            return Choice(version=str(version), file=best)
    return Choice(version=None, file=None, why_none="no wheel for this platform and no sdist")


def _is_exact(specifier: SpecifierSet) -> bool:
    return any(s.operator in ("==", "===") and "*" not in s.version for s in specifier)


def _version(file: IndexFile) -> Version | None:
    text = file.version
    if text is None:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _python_ok(file: IndexFile, python: Version) -> bool:
    if not file.requires_python:
        return True
    try:
        return SpecifierSet(file.requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores a requires-python it cannot read


def _best_file(files: Iterable[IndexFile], ranks: dict[Tag, int]) -> IndexFile | None:
    best: tuple[int, IndexFile] | None = None
    sdist: IndexFile | None = None
    for file in files:
        if not file.is_wheel:
            sdist = sdist or file
            continue
        try:
            _name, _version, _build, file_tags = parse_wheel_filename(file.filename)
        except InvalidWheelFilename:
            continue
        rank = min((ranks[tag] for tag in file_tags if tag in ranks), default=None)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, file)
    return best[1] if best is not None else sdist
