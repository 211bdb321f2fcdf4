"""Lockfiles given on the command line: a file, or every lockfile of a project folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from depvet.errors import SourceError
from depvet.sources.lockfiles.interface import LockfileError, LockfileParser, ParsedLockfile
from depvet.sources.lockfiles.registry import find_lockfiles, parser_for, parser_named


@dataclass(frozen=True, slots=True, kw_only=True)
class LockfileSource:
    """The packages stated by the lockfiles at one command-line path.

    ``given`` is a lockfile (its format read from its name, or forced with
    ``format``, a parser name) or a project folder (every lockfile in it and
    its direct sub-folders). Constructing one touches nothing.
    """

    given: str
    format: str | None = None

    def lockfiles(self) -> Iterator[tuple[Path, ParsedLockfile | LockfileError]]:
        """Each lockfile with what it states, or the error that stopped reading it.

        One broken file never stops the others. SourceError when the path
        itself is missing or cannot be listed, or ``format`` names no parser.
        """
        path = Path(self.given)
        if not os.path.lexists(path):
            raise SourceError(f"{self.given}: no such file or directory")
        forced = None
        if self.format is not None:
            forced = parser_named(self.format)
            if forced is None:
                raise SourceError(f"{self.format}: not a lockfile format depvet reads")
        if path.is_dir():
            for found in find_lockfiles(path):
                parser = parser_for(found)
                if forced is not None and parser is not forced:
                    continue  # a folder with a format: only the files of that format
                display = os.path.join(self.given, found.relative_to(path).as_posix())
                yield found, _parse(found, display, parser)
            return
        yield path, _parse(path, self.given, forced or parser_for(path))


def _parse(
    path: Path, display: str, parser: LockfileParser | None
) -> ParsedLockfile | LockfileError:
    if parser is None:
        return LockfileError(
            display,
            "not a lockfile depvet recognises by name",
            hint="Name the format with --format (requirements, uv.lock, poetry.lock…).",
        )
    try:
        return parser.parse(path, display)
    except LockfileError as exc:
        return exc
