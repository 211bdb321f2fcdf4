"""Rules about a package as a whole: a name that imitates a popular one, a
version chosen to win a dependency-confusion race.

Neither is malicious alone — plenty of honest projects have names close to
famous ones — so both are capabilities the scorer combines with what the
package's code does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depvet.detectors.interface import PackageFacts
from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag

TYPOSQUAT = Rule(
    id="typosquat-popular-name",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description="The package name is one typo, separator or affix away from a popular project's.",
    technique="Typosquatting (T1195.001, T1036)",
    remediation=(
        "Check that this is the project you meant to install; if you wanted the popular one, "
        "uninstall this package and rotate what it could read if its code ran."
    ),
    tags=frozenset({Tag.IMPERSONATION}),
)
TYPOSQUAT_PLACEHOLDER = Rule(
    id="typosquat-placeholder",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "A package imitating a popular name ships no code at all: it holds the name for a "
        "later, malicious release, or catches mistyped installs."
    ),
    technique="Typosquatting (T1195.001, T1036)",
    remediation=(
        "You almost certainly meant the popular project: uninstall this one and install the "
        "right name. Block the name in your policy so a later release cannot arrive."
    ),
    tags=frozenset({Tag.IMPERSONATION}),
)
CONFUSION_VERSION = Rule(
    id="dependency-confusion-version",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description=(
        "The version is implausibly high, made of nines, round or a joke number (99.x, 999.x, "
        "1000.0, 1337.0, 1.3.3.7), as used to outrank an internal package of the same name."
    ),
    technique="Dependency confusion (T1195.001)",
    remediation=(
        "If you have an internal package of this name, pin your internal index and the version; "
        "treat a public upload with such a version as an attack probe."
    ),
    tags=frozenset({Tag.IMPERSONATION}),
)

# Only names this long are compared by edit distance: among short names
# every one-letter change is another real project.
MIN_TYPO_LENGTH = 5
# The most downloaded projects are the ones worth imitating.
TARGETS = 5000
_AFFIXES = ("python-", "py-", "-python", "-py", "python3-", "-dev", "-lib", "-sdk", "-api")
_JOKE_VERSIONS = frozenset({"1.3.3.7", "6.6.6", "13.3.7", "133.7"})
_JOKE_MAJORS = frozenset({1337, 666, 777, 420, 133})


@cache
def popular_names() -> tuple[str, ...]:
    """The shipped list of popular project names, most downloaded first."""
    text = (files("depvet.detectors") / "data" / "popular-names.txt").read_text("utf-8")
    return tuple(line for line in text.splitlines() if line and not line.startswith("#"))


@cache
def popular_set() -> frozenset[str]:
    """The shipped popular project names, for membership tests."""
    return frozenset(popular_names())


def _deletions(name: str) -> set[str]:
    return {name[:i] + name[i + 1 :] for i in range(len(name))}


@cache
def _index() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """Known names, one-deletion neighbours of the targets, and separator-free targets."""
    names = popular_names()
    known = popular_set()
    neighbours: dict[str, str] = {}
    squashed: dict[str, str] = {}
    for name in names[:TARGETS]:
        squashed.setdefault(re.sub(r"[-_.]", "", name), name)
        if len(name) < MIN_TYPO_LENGTH:
            continue
        neighbours.setdefault(name, name)
        for variant in _deletions(name):
            neighbours.setdefault(variant, name)
    return known, neighbours, squashed


def imitated_name(raw: str) -> str | None:
    """The popular project ``raw`` seems to imitate, or None."""
    name = canonicalize_name(raw)
    known, neighbours, squashed = _index()
    if name in known:
        return None
    flat = re.sub(r"[-_.]", "", name)
    if flat in squashed:
        return squashed[flat]  # requests vs re-quests, python_dateutil vs python-dateutil
    for affix in _AFFIXES:
        stripped = name.removeprefix(affix) if affix.endswith("-") else name.removesuffix(affix)
        if stripped != name and stripped in known and len(stripped) >= MIN_TYPO_LENGTH:
            return stripped
    digits = name.rstrip("0123456789")
    if digits != name and digits in known and len(digits) >= MIN_TYPO_LENGTH:
        return digits  # requests2
    if len(name) < MIN_TYPO_LENGTH:
        return None
    if name in neighbours:
        return neighbours[name]  # one letter inserted
    # A letter dropped, changed or swapped; of several close names, the most popular.
    close = {neighbours[v] for v in _deletions(name) if v in neighbours}
    return min(close, key=_rank().__getitem__) if close else None


@cache
def _rank() -> dict[str, int]:
    """Each popular name's position in the list (0: the most downloaded)."""
    return {name: position for position, name in enumerate(popular_names())}


class TyposquatDetector:
    """Flags names imitating the most downloaded projects."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (TYPOSQUAT, TYPOSQUAT_PLACEHOLDER)

    def scan_package(self, package: PackageFacts) -> Iterable[Finding]:
        """A finding when the name is close to, but not, a popular project's."""
        if not package.name:
            return []
        target = imitated_name(package.name)
        if target is None:
            return []
        found = [
            TYPOSQUAT.finding(
                path="",
                line=None,
                message=f"name {package.name!r} imitates the popular project {target!r}",
                evidence=f"{package.name} ~ {target}",
                scope=Scope.PACKAGE,
            )
        ]
        if package.kind in _ARTIFACT_KINDS and package.paths and not _ships_code(package):
            found.append(
                TYPOSQUAT_PLACEHOLDER.finding(
                    path="",
                    line=None,
                    message=f"{package.name!r} imitates {target!r} and ships no module at all",
                    evidence=f"{len(package.paths)} files, none of them code",
                    scope=Scope.PACKAGE,
                )
            )
        return found


_ARTIFACT_KINDS = frozenset({"sdist", "wheel", "egg", "zip"})
_CODE_SUFFIXES = (".py", ".pyw", ".pth", ".so", ".pyd", ".pyc", ".pyx")


def _ships_code(package: PackageFacts) -> bool:
    """Whether the artifact holds any module besides its build script."""
    for path in package.paths:
        inner = path.rsplit("!/", 1)[-1]
        rel = inner.split("/", 1)[1] if package.kind == "sdist" and "/" in inner else inner
        if rel.lower().endswith(_CODE_SUFFIXES) and rel not in ("setup.py", "conftest.py"):
            return True
    return False


def is_confusion_version(raw: str) -> bool:
    """True for versions used to outrank internal packages."""
    if raw in _JOKE_VERSIONS:
        return True
    try:
        version = Version(raw)
    except InvalidVersion:
        return False
    major = version.major
    if major >= 9999:
        return not _is_calendar(major)  # 20261015, 202610: a release date, not a bid
    # Calendar versions (2024.1) are honest, and so is a long-lived project's own count
    # (pywin32 312). What is picked to outrank is made of nines, round, or a joke.
    return 99 <= major < 1900 and (
        set(str(major)) == {"9"} or major % 100 == 0 or major in _JOKE_MAJORS
    )


def _is_calendar(major: int) -> bool:
    """Whether a version's first number is a date: YYYYMM or YYYYMMDD."""
    digits = str(major)
    if len(digits) not in (6, 8) or not 1990 <= int(digits[:4]) <= 2100:
        return False
    if not 1 <= int(digits[4:6]) <= 12:
        return False
    return len(digits) == 6 or 1 <= int(digits[6:]) <= 31


class DependencyConfusionDetector:
    """Flags versions chosen to win a resolver's 'highest version' pick."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (CONFUSION_VERSION,)

    def scan_package(self, package: PackageFacts) -> Iterable[Finding]:
        """A finding for an implausible version."""
        if not package.version or not is_confusion_version(package.version):
            return []
        return [
            CONFUSION_VERSION.finding(
                path="",
                line=None,
                message=f"version {package.version} looks chosen to outrank an internal package",
                evidence=f"{package.name or '?'}=={package.version}",
                scope=Scope.PACKAGE,
            )
        ]
