"""Where a file sits in its artifact decides its role: what runs, and when."""

from __future__ import annotations

import re

from depvet.files import FileRole

# Kinds whose root is the root of site-packages once installed.
SITE_LAYOUT = frozenset({"wheel", "egg", "installed", "loose"})
# Kinds whose members sit under one leading folder (name-version/).
PREFIXED_LAYOUT = frozenset({"sdist"})
CUSTOMIZE_NAMES = frozenset({"sitecustomize.py", "usercustomize.py"})
_WHEEL_DATA = re.compile(r"^[^/]+\.data/(?:purelib|platlib)/")
PYTHON_SUFFIXES = (".py", ".pyw")
# Top-level folders of a source tree that are not installed with the package.
SOURCE_ONLY_DIRS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "docs",
        "doc",
        "examples",
        "example",
        "benchmarks",
        "benchmark",
        "bench",
        "asv_bench",
        "tools",
        "scripts",
        "ci",
        ".github",
        "devtools",
        "devscripts",
        "dev",
        "build_tools",
        "maint_tools",
        "tutorials",
        "demo",
        "demos",
        "notebooks",
    }
)
# Test suites run under a test runner, benchmarks under a benchmark runner and docs under
# a doc builder, never on import.
TEST_DIRS = frozenset(
    {"tests", "test", "testing", "unittests", "doc", "docs", "examples", "benchmarks", "bench"}
)


def _is_test_or_doc_dir(part: str) -> bool:
    lower = part.lower()
    return lower in TEST_DIRS or lower.endswith((" tests", "_tests"))


def _in_test_archive(path: str) -> bool:
    """Whether ``path`` is inside an archive that sits in a test or docs folder.

    A test suite's fixtures (other projects' wheels and sdists a package manager's
    tests install) are data for the tests: nothing installs them with the package.
    """
    outer = path.split("!/")[:-1]
    return any(_is_test_or_doc_dir(part) for level in outer for part in level.split("/")[:-1])


def relative_path(container: str, path: str) -> str:
    """``path`` relative to the package root of its innermost container."""
    inner = path.rsplit("!/", 1)[-1]
    if container in PREFIXED_LAYOUT and "/" in inner:
        return inner.split("/", 1)[1]
    if container in SITE_LAYOUT:
        return _WHEEL_DATA.sub("", inner)
    return inner


def role_of(container: str, path: str) -> FileRole:
    """The role of the member at ``path`` inside an artifact of kind ``container``."""
    rel = relative_path(container, path)
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith(".pth"):
        return FileRole.PTH
    if lower.endswith(PYTHON_SUFFIXES) and _in_test_archive(path):
        return FileRole.AUXILIARY  # even a setup.py: nothing builds a test's fixture
    top_level = rel.count("/") == 0 or (
        container not in SITE_LAYOUT and rel.count("/") == 1 and rel.startswith("src/")
    )
    if top_level and lower in CUSTOMIZE_NAMES:
        return FileRole.CUSTOMIZE
    if rel == "setup.py" and container not in SITE_LAYOUT:
        return FileRole.SETUP
    if lower.endswith(PYTHON_SUFFIXES):
        parts = rel.split("/")
        if (
            container not in SITE_LAYOUT and len(parts) > 1 and parts[0] in SOURCE_ONLY_DIRS
        ) or any(_is_test_or_doc_dir(part) for part in parts[:-1]):
            return FileRole.AUXILIARY
        return FileRole.PYTHON
    return FileRole.OTHER


def source_only_folder(container: str, path: str) -> str | None:
    """The top-level folder (``tools``, ``scripts``…) that alone keeps a Python file
    of a source tree from being scanned, or None when something else does or nothing.

    A project may be named like such a folder: its package is then that folder.
    """
    parts = relative_path(container, path).split("/")
    if container in SITE_LAYOUT or len(parts) < 2 or parts[0] not in SOURCE_ONLY_DIRS:
        return None
    if any(_is_test_or_doc_dir(part) for part in parts[1:-1]):
        return None
    return parts[0]
