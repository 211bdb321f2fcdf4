"""Per-rule fixtures for the package-level rules (name, version)."""

from __future__ import annotations

from depvet.detectors.interface import PackageFacts
from depvet.model import IntegrityKind, IntegrityProblem
from tests.detectors.fixture_types import RuleFixtures


def package(name: str, version: str = "1.0") -> PackageFacts:
    """A package known only by its name and version."""
    return PackageFacts(name=name, version=version, kind="sdist", paths=("setup.py",))


def installed(*problems: tuple[IntegrityKind, str]) -> PackageFacts:
    """An installed distribution with the given RECORD problems."""
    return PackageFacts(
        name="demo",
        version="1.0",
        kind="installed",
        paths=("demo/__init__.py",),
        integrity=tuple(IntegrityProblem(kind=k, path=p, detail="test") for k, p in problems),
    )


MODIFIED, MISSING, UNOWNED = IntegrityKind.MODIFIED, IntegrityKind.MISSING, IntegrityKind.UNOWNED

FIXTURES_PACKAGE: dict[str, RuleFixtures] = {
    "installed-startup-file-modified": RuleFixtures(
        positive_packages=[installed((MODIFIED, "demo_init.pth"))],
        benign_packages=[installed((MODIFIED, "demo/__init__.py")), installed()],
    ),
    "installed-file-modified": RuleFixtures(
        positive_packages=[installed((MODIFIED, "demo/__init__.py"))],
        benign_packages=[
            installed((MODIFIED, "demo/data.json")),  # data files get rewritten
            installed((MISSING, "demo/__init__.py")),
        ],
    ),
    "installed-file-missing": RuleFixtures(
        positive_packages=[installed((MISSING, "demo/util.py"))],
        benign_packages=[installed((MODIFIED, "demo/util.py"))],
    ),
    "unowned-startup-file": RuleFixtures(
        positive_packages=[installed((UNOWNED, "zz_orphan.pth"))],
        benign_packages=[installed((UNOWNED, "leftover.txt"))],
    ),
    "typosquat-popular-name": RuleFixtures(
        positive_packages=[
            package("reqeusts"),  # two letters swapped
            package("reqests"),  # a letter dropped
            package("requestss"),  # a letter added
            package("python-requests"),  # an affix
            package("re-quests"),  # a separator
            package("requests2"),  # a digit
        ],
        benign_packages=[
            package("requests"),  # the project itself
            package("requests-oauthlib"),  # a popular project of its own
            package("six"),  # short names are not compared
            package("my-internal-tool"),
        ],
    ),
    "dependency-confusion-version": RuleFixtures(
        positive_packages=[
            package("internal-lib", "99.0.0"),
            package("corp-auth", "999.1"),
            package("corp-auth", "1.3.3.7"),
        ],
        benign_packages=[
            package("certifi", "2024.8.30"),  # calendar versions are honest
            package("corp-auth", "2.31.0"),
            package("weird", "not-a-version"),
        ],
    ),
}
