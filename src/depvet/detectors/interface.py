"""The detector plug-in point.

A detector owns one or more :class:`~depvet.model.Rule` and turns one
:class:`~depvet.files.FileView` into findings. It must be a pure function of
the file's bytes and role — that is what lets the pipeline cache results by
(sha256, role, rule-set version) — and it must never execute, import or
write what it inspects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from depvet.errors import DetectorError
from depvet.files import FileView
from depvet.model import Finding, Rule

__all__ = ["Detector", "DetectorError"]


@runtime_checkable
class Detector(Protocol):
    """Looks at single files and reports findings for the rules it owns."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Metadata of every rule this detector can report."""
        ...

    def wants(self, file: FileView) -> bool:
        """Cheap test (role, name, size) of whether :meth:`scan` should see ``file``."""
        ...

    def scan(self, file: FileView) -> Iterable[Finding]:
        """Every finding in ``file``. Raise DetectorError for a file it cannot judge."""
        ...
