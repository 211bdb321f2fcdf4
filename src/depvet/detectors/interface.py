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
from depvet.model import AdvisoryMatch, Finding, IntegrityProblem, PinKind, Rule

__all__ = [
    "Decoded",
    "Detector",
    "DetectorError",
    "Expander",
    "PackageDetector",
    "PackageFacts",
]


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
class Decoded:
    """Content hidden inside a file (a decoded blob), to be scanned like the file itself."""

    line: int  # where the outermost blob sits in the file
    chain: tuple[str, ...]  # the decoders that revealed it, outermost first
    view: FileView  # same path and role as the file: it runs where the file runs


@runtime_checkable
class Expander(Protocol):
    """A detector that also reveals hidden content for every detector to scan."""

    def expand(self, file: FileView) -> Iterable[Decoded]:
        """The hidden contents of ``file`` (already recursive: each is scanned once)."""
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
    index_state: str | None = None  # what the index says: available, yanked, removed, ...
    yanked_reason: str | None = None
    pin: PinKind | None = None  # how an inventory pins it; None for an artifact or install
    specifier: str = ""  # the constraint as written when not an exact pin
    sha256: str | None = None  # of the artifact file itself, when it is one file


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
