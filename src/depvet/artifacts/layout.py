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
# Folders of a source tree that hold another project's sources (llama.cpp under vendor/,
# a C library's third_party/): Python files there are that project's tooling.
VENDORED_DIRS = frozenset(
    {"vendor", "vendored", "third_party", "thirdparty", "3rdparty", "external", "extern"}
)
# The configuration Sphinx reads when it builds a project's docs, wherever the docs are.
SPHINX_CONFIG = "conf.py"
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


def tooling_folders(container: str, path: str) -> frozenset[str] | None:
    """For a Python file of an sdist that sits below a tools-like or vendored folder, the
    folders of its path that would make it part of a package; None for any other file.

    ``vendor/llama.cpp/scripts/sync.py``, ``website/scripts/build.py`` and
    ``external/lib/third_party/mbedtls/gen.py`` are scripts of the project's tooling or
    of a project it vendors, and ``website/conf.py`` is what the doc builder reads (docs
    kept in a folder of any name): nothing installs them unless some folder on their path,
    from the tree's top down to their own, is a package (holds an ``__init__.py``).
    The caller knows the packages only once every member has been read. A top-level
    tools folder is :func:`role_of`'s to judge; files in a wheel or an installed tree
    are all installed.
    """
    if container not in PREFIXED_LAYOUT or not path.endswith(PYTHON_SUFFIXES):
        return None
    head, separator, inner = path.rpartition("!/")
    parts = inner.split("/")
    # parts[0] is the name-version/ folder every member of an sdist sits under.
    sphinx_config = len(parts) >= 3 and parts[-1] == SPHINX_CONFIG
    if not sphinx_config and (
        len(parts) < 4
        or not any(
            part.lower() in SOURCE_ONLY_DIRS or part.lower() in VENDORED_DIRS
            for part in parts[1:-1]
        )
    ):
        return None
    return frozenset(head + separator + "/".join(parts[:end]) for end in range(1, len(parts)))
