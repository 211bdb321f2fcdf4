"""The detector plug-in point.

A file detector owns one or more :class:`~depvet.model.Rule` and turns one
:class:`~depvet.files.FileView` into findings. It must be a pure function of
the file's bytes and role — that is what lets the pipeline cache results by
(sha256, role, rule-set version) — and it must never execute, import or
write what it inspects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from depvet.errors import DetectorError
from depvet.files import FileView
from depvet.model import AdvisoryMatch, Finding, IntegrityProblem, Rule

__all__ = ["Detector", "DetectorError", "PackageDetector", "PackageFacts"]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageFacts:
    """What is known of a package as a whole once its files have been read."""

    name: str | None
    version: str | None
    kind: str  # wheel, sdist, installed, ...
    paths: tuple[str, ...]  # every member path read
    integrity: tuple[IntegrityProblem, ...] = ()  # installed files not as RECORD says
    advisories: tuple[AdvisoryMatch, ...] = ()  # known advisories for this name and version


@runtime_checkable
class PackageDetector(Protocol):
    """Looks at a package's name, version and file list rather than at one file."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Metadata of every rule this detector can report."""
        ...

    def scan_package(self, package: PackageFacts) -> Iterable[Finding]:
        """Every finding about ``package``."""
        ...
