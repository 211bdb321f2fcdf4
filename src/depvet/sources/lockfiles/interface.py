"""The lockfile plug-in point: read one file, state the packages it pins.

A parser never runs anything and never touches the network. A file it cannot
read as a whole raises :class:`LockfileError` naming the file and the line;
one bad entry in an otherwise readable file is skipped and recorded as a
:class:`LockfileWarning` in the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from depvet.errors import SourceError
from depvet.model import PackageRef

__all__ = ["LockfileError", "LockfileParser", "LockfileWarning", "ParsedLockfile"]


def _where(source: str, line: int | None, column: int | None) -> str:
    if line is None:
        return source
    return f"{source}:{line}:{column}" if column is not None else f"{source}:{line}"


class LockfileError(SourceError):
    """A lockfile or requirements file that cannot be read as a whole.

    The message reads ``path:line:col: what`` (line and column when known).
    """

    reference = "lockfile-malformed"
    hint = (
        "Fix the file at that line, or regenerate it with the tool that wrote it; "
        "the other lockfiles are still read."
    )

    def __init__(
        self,
        source: str,
        what: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"{_where(source, line, column)}: {what}", hint=hint)
        self.source = source
        self.what = what
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True, kw_only=True)
class LockfileWarning:
    """One entry that was skipped or read only in part, and why."""

    source: str  # the file, as given (an included file for requirements)
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{_where(self.source, self.line, None)}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedLockfile:
    """What one lockfile states: its packages, in file order, and what was skipped."""

    format: str  # the parser's name
    source: str  # the file, as given
    refs: tuple[PackageRef, ...]
    warnings: tuple[LockfileWarning, ...] = ()


class LockfileParser(Protocol):
    """Reads one lockfile format. Instances are stateless and cheap."""

    name: str  # the format: "poetry.lock", "requirements", …

    def matches(self, path: Path) -> bool:
        """True when the file's name says it is in this format (no disk access)."""
        ...

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read ``path``; ``display`` (the path as the user gave it) names it in refs and errors.

        Raises LockfileError when the file as a whole cannot be read.
        """
        ...
