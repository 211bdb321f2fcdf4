"""Per-rule fixtures for the package-level rules (name, version)."""

from __future__ import annotations

from depvet.detectors.interface import PackageFacts
from depvet.files import FileRole, FileView
from depvet.model import AdvisoryMatch, IntegrityKind, IntegrityProblem, PinKind
from tests.detectors.fixture_types import RuleFixtures


def package(name: str, version: str = "1.0") -> PackageFacts:
    """A package known only by its name and version."""
    return PackageFacts(name=name, version=version, kind="sdist", paths=("setup.py",))


def sdist(name: str, *paths: str) -> PackageFacts:
    """An sdist with exactly these member paths."""
    return PackageFacts(name=name, version="0.1", kind="sdist", paths=paths)


def installed(*problems: tuple[IntegrityKind, str]) -> PackageFacts:
    """An installed distribution with the given RECORD problems."""
    return PackageFacts(
        name="demo",
        version="1.0",
        kind="installed",
        paths=("demo/__init__.py",),
        integrity=tuple(IntegrityProblem(kind=k, path=p, detail="test") for k, p in problems),
    )


def pinned(
    *advisories: AdvisoryMatch,
    index_state: str | None = None,
    pin: PinKind | None = None,
    specifier: str = "",
) -> PackageFacts:
    """A package from an inventory, with what the store and the index said of it."""
    return PackageFacts(
        name="demo",
        version="1.0" if pin in (None, PinKind.EXACT) else None,
        kind="lockfile",
        paths=(),
        advisories=advisories,
        index_state=index_state,
        pin=pin,
        specifier=specifier,
    )


MAL = AdvisoryMatch(id="MAL-2099-1", summary="steals credentials", malicious=True)
CVE = AdvisoryMatch(id="PYSEC-2099-2", aliases=("CVE-2099-2",), fixed=("1.1",))

MODIFIED, MISSING, UNOWNED = IntegrityKind.MODIFIED, IntegrityKind.MISSING, IntegrityKind.UNOWNED

FIXTURES_PACKAGE: dict[str, RuleFixtures] = {
    "known-malicious-release": RuleFixtures(
        positive_packages=[pinned(MAL)], benign_packages=[pinned(CVE), pinned()]
    ),
    "known-vulnerability": RuleFixtures(
        positive_packages=[pinned(CVE)], benign_packages=[pinned(MAL), pinned()]
    ),
    "release-removed-from-index": RuleFixtures(
        positive_packages=[pinned(index_state="removed"), pinned(index_state="project-missing")],
        benign_packages=[pinned(index_state="available"), pinned(index_state="unknown")],
    ),
    "release-yanked": RuleFixtures(
        positive_packages=[pinned(index_state="yanked")],
        benign_packages=[pinned(index_state="available")],
    ),
    "dependency-not-pinned": RuleFixtures(
        positive_packages=[
            pinned(pin=PinKind.RANGE, specifier=">=1.0"),
            pinned(pin=PinKind.VCS, specifier="git+https://git.example.invalid/demo"),
        ],
        benign_packages=[pinned(pin=PinKind.EXACT), pinned()],
    ),
    "known-bad-indicator": RuleFixtures(
        positive=[
            # File names and domains come from the embedded feed (THREATS.md incidents).
            FileView(path="litellm_init.pth", role=FileRole.PTH, data=b"# harmless\n"),
            FileView(
                path="pkg/client.py",
                role=FileRole.PYTHON,
                data=b'URL = "https://models.litellm.cloud/"\n',
            ),
        ],
        benign=[
            FileView(path="litellm/__init__.py", role=FileRole.PYTHON, data=b"x = 1\n"),
            FileView(
                path="docs.py",
                role=FileRole.PYTHON,
                data=b'URL = "https://api.litellm.cloud.example.invalid/"\n',
            ),
        ],
    ),
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
    "typosquat-placeholder": RuleFixtures(
        positive_packages=[
            sdist("rqeuests", "rqeuests-0.1/PKG-INFO", "rqeuests-0.1/setup.py"),
            PackageFacts(
                name="crpytography",
                version="0.1",
                kind="wheel",
                paths=("crpytography-0.1.dist-info/METADATA", "crpytography-0.1.dist-info/RECORD"),
            ),
        ],
        benign_packages=[
            sdist("rqeuests", "rqeuests-0.1/setup.py", "rqeuests-0.1/rqeuests/__init__.py"),
            sdist("requests", "requests-0.1/PKG-INFO", "requests-0.1/setup.py"),
            PackageFacts(name="rqeuests", version="0.1", kind="lockfile", paths=()),
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
