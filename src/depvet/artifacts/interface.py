"""The artifact plug-in point: turn a target into a stream of in-memory members.

An artifact never extracts anything to disk and never follows a path out of
itself. Problems with single members (a link, a hostile name, an oversized
file) are recorded in :attr:`Artifact.errors` and the stream goes on; a
problem that makes the rest unreadable (truncation, a limit on the whole
archive) raises :class:`~depvet.errors.ArtifactError` from the iterator after
every readable member has been yielded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from depvet.errors import ArtifactError, UnsafeArchive
from depvet.model import IntegrityProblem, ScanError

__all__ = ["Artifact", "ArtifactError", "Member", "UnsafeArchive"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One regular file of an artifact."""

    path: str  # '/'-separated, relative, sanitised; nested archives join with '!/'
    data: bytes
    size: int  # real size; larger than len(data) when truncated
    container: str  # kind of the innermost archive holding it (decides the file's role)
    truncated: bool = False


class Artifact(Protocol):
    """An opened artifact."""

    kind: str  # wheel, sdist, egg, zip, tar, directory, installed, loose
    errors: list[ScanError]  # member-level problems found while iterating
    integrity: list[IntegrityProblem]  # installed files not as RECORD says (installed only)

    def members(self) -> Iterator[Member]:
        """Yield every readable member once, in storage order."""
        ...
