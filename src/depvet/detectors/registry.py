"""The detectors depvet runs: the built-ins, then any registered by entry point."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib.metadata import entry_points
from importlib.resources import files

from depvet import __version__
from depvet.advisories.feed import load_feed
from depvet.detectors.behavior import BehaviorDetector
from depvet.detectors.customize import SiteCustomizeDetector
from depvet.detectors.deobfuscate import ObfuscationDetector
from depvet.detectors.installed import IntegrityDetector
from depvet.detectors.interface import Detector, PackageDetector
from depvet.detectors.known import IndicatorDetector, KnownBadDetector
from depvet.detectors.package import DependencyConfusionDetector, TyposquatDetector
from depvet.detectors.patterns import PatternDetector
from depvet.detectors.pth import PthDetector
from depvet.detectors.setup_hooks import SetupHookDetector
from depvet.model import Rule

ENTRY_POINT_GROUP = "depvet.detectors"

BUILTIN: tuple[type[Detector], ...] = (
    PthDetector,
    SiteCustomizeDetector,
    SetupHookDetector,
    PatternDetector,
    IndicatorDetector,
    ObfuscationDetector,
    BehaviorDetector,
)

PACKAGE_BUILTIN: tuple[type[PackageDetector], ...] = (
    TyposquatDetector,
    DependencyConfusionDetector,
    IntegrityDetector,
    KnownBadDetector,
)


@cache
def package_detectors() -> tuple[PackageDetector, ...]:
    """Instances of every package-level detector."""
    return tuple(cls() for cls in PACKAGE_BUILTIN)


@cache
def detectors() -> tuple[Detector, ...]:
    """Instances of every detector, built-ins first."""
    found: list[Detector] = [cls() for cls in BUILTIN]
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        plugin = ep.load()
        found.append(plugin() if isinstance(plugin, type) else plugin)
    return tuple(found)


def rules(
    found: Iterable[Detector | PackageDetector] | None = None,
) -> tuple[Rule, ...]:
    """Every rule of every file and package detector, sorted by id."""
    every: Iterable[Detector | PackageDetector] = (
        found if found is not None else (*detectors(), *package_detectors())
    )
    return tuple(
        sorted(
            (rule for d in every for rule in d.rules),
            key=lambda r: r.id,
        )
    )


def feed_digest() -> str:
    """The digest of the embedded known-bad feed."""
    return load_feed().digest


def detectors_digest() -> str:
    """A digest of every file shipped in ``depvet.detectors`` (code, YARA rules, data)."""
    digest = hashlib.sha256()
    root = files("depvet.detectors")
    stack = [root]
    entries = []
    while stack:
        folder = stack.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                if entry.name != "__pycache__":
                    stack.append(entry)
            elif entry.name.endswith((".py", ".yar", ".txt", ".json")):
                entries.append(entry)
    for entry in sorted(entries, key=lambda e: str(e)):
        digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


@cache
def ruleset_version() -> str:
    """A short digest of depvet's version and every rule's id and version.

    Cached per-file results are keyed by it, so changing any rule (bump its
    version) or upgrading depvet invalidates them.
    """
    # The feed's indicators and the detectors' own code and data (YARA text, name lists)
    # decide findings too: a change to any of them must reach cached files even when no
    # rule's version was bumped.
    data = feed_digest() + detectors_digest()
    text = __version__ + data + "".join(f"|{r.id}@{r.version}" for r in rules())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def rule_by_id() -> dict[str, Rule]:
    """Rules indexed by id."""
    return {r.id: r for r in rules()}
