"""Roles of files by position, and package names from metadata or file names."""

from __future__ import annotations

import pytest

from depvet.artifacts.layout import role_of, source_only_folder, tooling_folders
from depvet.artifacts.metadata import metadata_rank, name_from_filename, parse_metadata
from depvet.files import FileRole


@pytest.mark.parametrize(
    ("container", "path", "role"),
    [
        ("wheel", "litellm_init.pth", FileRole.PTH),
        ("wheel", "pkg-1.0.data/purelib/evil.pth", FileRole.PTH),
        ("wheel", "sitecustomize.py", FileRole.CUSTOMIZE),
        ("wheel", "pkg/sitecustomize.py", FileRole.PYTHON),
        ("wheel", "setup.py", FileRole.PYTHON),
        ("sdist", "pkg-1.0/setup.py", FileRole.SETUP),
        ("sdist", "pkg-1.0/sub/setup.py", FileRole.PYTHON),
        ("sdist", "pkg-1.0/src/sitecustomize.py", FileRole.CUSTOMIZE),
        ("sdist", "pkg-1.0/README.md", FileRole.OTHER),
        ("directory", "setup.py", FileRole.SETUP),
        ("installed", "usercustomize.py", FileRole.CUSTOMIZE),
        ("wheel", "outer.zip!/inner-1.0/setup.py", FileRole.PYTHON),
        ("sdist", "outer-1.0/inner.tar.gz!/inner-1.0/setup.py", FileRole.SETUP),
        # A source tree's tests, docs and developer tools are not installed.
        ("sdist", "pkg-1.0/tools/release.py", FileRole.AUXILIARY),
        ("sdist", "pkg-1.0/devscripts/make_lazy_extractors.py", FileRole.AUXILIARY),
        ("sdist", "pkg-1.0/dev/scripts/build_bindings.py", FileRole.AUXILIARY),
        ("wheel", "dev/__init__.py", FileRole.PYTHON),  # installed: a package named dev
        ("sdist", "pkg-1.0/pkg/tests/test_api.py", FileRole.AUXILIARY),
        # A benchmark suite, however deep (a vendored C library's), runs under its runner.
        ("sdist", "pkg-1.0/libfoo/lib/scripts/bench/bench.py", FileRole.AUXILIARY),
        ("wheel", "pkg/benchmarks/run.py", FileRole.AUXILIARY),
        ("wheel", "pkg/benchmark.py", FileRole.PYTHON),
        # A wheel a test suite installs is a fixture; a wheel shipped elsewhere is code.
        (
            "wheel",
            "pkg-1.0/tests/fixtures/dep-1.0-py3-none-any.whl!/dep/__init__.py",
            FileRole.AUXILIARY,
        ),
        ("wheel", "pkg-1.0/vendor/dep-1.0-py3-none-any.whl!/dep/__init__.py", FileRole.PYTHON),
        ("sdist", "pkg-1.0/tests/fixtures/bad.tar.gz!/bad-0.1/setup.py", FileRole.AUXILIARY),
        ("sdist", "pkg-1.0/pkg/tools.py", FileRole.PYTHON),
        # In a wheel a top-level tools/ is an installed package; a tests/ folder is not run.
        ("wheel", "tools/__init__.py", FileRole.PYTHON),
        ("wheel", "pkg/tests/test_api.py", FileRole.AUXILIARY),
    ],
)
def test_roles(container: str, path: str, role: FileRole) -> None:
    assert role_of(container, path) is role


def test_the_folder_that_keeps_a_file_from_being_scanned() -> None:
    assert source_only_folder("sdist", "tools-1.0/tools/__init__.py") == "tools"
    assert source_only_folder("sdist", "pkg-1.0/scripts/release.py") == "scripts"
    # A test suite inside it stays a test suite; other reasons, or none, give None.
    assert source_only_folder("sdist", "tools-1.0/tools/tests/test_x.py") is None
    assert source_only_folder("sdist", "pkg-1.0/pkg/tests/test_x.py") is None
    assert source_only_folder("sdist", "pkg-1.0/pkg/core.py") is None
    assert source_only_folder("sdist", "pkg-1.0/tools.py") is None
    assert source_only_folder("wheel", "tools/__init__.py") is None


def test_metadata_rank_prefers_the_package_own_metadata() -> None:
    assert metadata_rank("wheel", "demo-1.0.dist-info/METADATA") == 0
    assert metadata_rank("sdist", "demo-1.0/PKG-INFO") == 0
    assert metadata_rank("sdist", "demo-1.0/demo.egg-info/PKG-INFO") == 1
    assert metadata_rank("sdist", "demo-1.0/src/demo.egg-info/PKG-INFO") == 2
    assert metadata_rank("sdist", "demo-1.0/pyproject.toml") == 9
    assert metadata_rank("sdist", "demo-1.0/tests/data/PKG-INFO") is None
    assert metadata_rank("sdist", "demo-1.0/vendor.tar.gz!/x-1.0/PKG-INFO") is None


def test_parse_metadata() -> None:
    got = parse_metadata("PKG-INFO", b"Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: 1.2\n\nbody")
    assert (got.name, got.version) == ("Demo_Pkg", "1.2")
    broken = parse_metadata("PKG-INFO", b"\xff\xfe garbage without headers")
    assert broken.version is None
    toml = parse_metadata("pyproject.toml", b'[project]\nname = "demo"\nversion = "3.0"\n')
    assert (toml.name, toml.version) == ("demo", "3.0")
    assert parse_metadata("pyproject.toml", b"[project\n").name is None


@pytest.mark.parametrize(
    ("filename", "name", "version"),
    [
        ("demo_pkg-1.0-py3-none-any.whl", "demo-pkg", "1.0"),
        ("demo-pkg-2.0.tar.gz", "demo-pkg", "2.0"),
        ("demo-1.0.zip", "demo", "1.0"),
        ("demo-1.0-py2.7.egg", "demo", "1.0"),
        ("weird-name-99.0.0.tgz", "weird-name", "99.0.0"),
        ("noversion.tar.gz", "noversion", None),
    ],
)
def test_name_from_filename(filename: str, name: str, version: str | None) -> None:
    got = name_from_filename(filename)
    assert (got.name, got.version) == (name, version)


def test_tooling_folders_name_the_folders_that_would_make_a_package() -> None:
    assert tooling_folders("sdist", "p-1.0/vendor/llama.cpp/scripts/sync.py") == frozenset(
        {
            "p-1.0",
            "p-1.0/vendor",
            "p-1.0/vendor/llama.cpp",
            "p-1.0/vendor/llama.cpp/scripts",
        }
    )
    assert tooling_folders("sdist", "outer.tar.gz!/p-1.0/a/Third_Party/gen.py") == frozenset(
        {
            "outer.tar.gz!/p-1.0",
            "outer.tar.gz!/p-1.0/a",
            "outer.tar.gz!/p-1.0/a/Third_Party",
        }
    )
    assert tooling_folders("sdist", "p-1.0/pkg/core/model.py") is None  # no tooling folder
    assert tooling_folders("sdist", "p-1.0/vendor/x.py") is None  # top level: role_of's
    assert tooling_folders("sdist", "p-1.0/a/scripts/notes.txt") is None
    assert tooling_folders("wheel", "pkg/vendor/lib/scripts/sync.py") is None  # installed
    # A Sphinx configuration below the top, in a docs folder of any name.
    assert tooling_folders("sdist", "p-1.0/Web/conf.py") == frozenset({"p-1.0", "p-1.0/Web"})
    assert tooling_folders("sdist", "p-1.0/conf.py") is None  # a top-level module
    assert tooling_folders("sdist", "p-1.0/Web/config.py") is None
    assert tooling_folders("wheel", "pkg/web/conf.py") is None
