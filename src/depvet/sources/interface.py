"""The source plug-in point: something that yields targets to scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from depvet.errors import SourceError
from depvet.model import Target

__all__ = ["Source", "SourceError"]


class Source(Protocol):
    """Finds the packages to scan. Constructing one touches nothing."""

    def targets(self) -> Iterator[Target]:
        """Yield each package found; raise SourceError if the source cannot be read at all."""
        ...
