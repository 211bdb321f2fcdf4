"""The shape of per-rule fixtures."""

from __future__ import annotations

from dataclasses import dataclass, field

from depvet.detectors.interface import PackageFacts
from depvet.files import FileView


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleFixtures:
    """Files a rule must report (``positive``) and look-alikes it must not (``benign``)."""

    positive: list[FileView] = field(default_factory=list)
    benign: list[FileView] = field(default_factory=list)
    # Package-level rules judge a package's name, version and file list instead.
    positive_packages: list[PackageFacts] = field(default_factory=list)
    benign_packages: list[PackageFacts] = field(default_factory=list)
