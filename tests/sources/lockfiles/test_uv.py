"""uv.lock: sources, hashes, groups through the dependency graph, edge markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from depvet.model import PinKind
from depvet.sources.lockfiles.interface import LockfileError
from tests.sources.lockfiles.helpers import PROJECT, by_name, digest, parse, write


def test_fixture_packages() -> None:
    parsed = parse("uv.lock", PROJECT / "uv.lock")
    names = [r.name for r in parsed.refs]
    assert "dev-tools" not in names  # a virtual member is never installed
    assert names[:3] == ["certifi", "colorama", "demo-app"]
    assert parsed.warnings == ()


def test_fixture_fields() -> None:
    refs = by_name(parse("uv.lock", PROJECT / "uv.lock"))
    certifi = refs["certifi"]
    assert (certifi.version, certifi.pin, certifi.line) == ("2024.8.30", PinKind.EXACT, 16)
    assert certifi.hashes == (digest("certifi-sdist"), digest("certifi-whl"))
    assert refs["urlpkg"].hashes == (digest("urlpkg-whl"),)
    assert (refs["demo-app"].pin, refs["demo-app"].url) == (PinKind.PATH, ".")
    assert (refs["localpkg"].pin, refs["localpkg"].url) == (PinKind.PATH, "libs/localpkg")
    assert refs["mylib"].url == (
        "git+https://github.com/example-org/mylib.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"
    )
    assert refs["urlpkg"].pin is PinKind.URL


def test_groups_follow_the_graph() -> None:
    refs = by_name(parse("uv.lock", PROJECT / "uv.lock"))
    # requests[socks] is a run-time dependency, so pysocks is one too.
    assert refs["pysocks"].group is None
    assert refs["certifi"].group is None
    assert refs["pytest"].group == "dev"
    assert refs["colorama"].group == "dev"  # only through pytest
    assert refs["urlpkg"].group == "fast"  # an extra of the project


def test_markers_come_from_incoming_edges() -> None:
    refs = by_name(parse("uv.lock", PROJECT / "uv.lock"))
    assert refs["typing-extensions"].markers == "python_full_version < '3.13'"
    assert refs["colorama"].markers == "sys_platform == 'win32'"
    assert refs["requests"].markers is None  # one edge without a marker


def test_git_source_with_subdirectory(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "uv.lock",
        'version = 1\n\n[[package]]\nname = "tool"\nversion = "0.2.0"\n'
        'source = { git = "https://github.com/o/mono?subdirectory=pkgs%2Ftool&tag=v0.2#abc123" }\n',
    )
    (ref,) = parse("uv.lock", path).refs
    assert ref.url == "git+https://github.com/o/mono@abc123#subdirectory=pkgs/tool"


def test_registry_package_without_version_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "uv.lock",
        'version = 1\n\n[[package]]\nname = "a"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        '\n[[package]]\nname = "b"\nversion = "1"\n',
    )
    parsed = parse("uv.lock", path)
    assert parsed.refs == ()
    assert [(w.line, w.message) for w in parsed.warnings] == [
        (3, "package skipped: no 'version' for a package from a registry"),
        (7, "package skipped: no 'source'"),
    ]


def test_newer_lock_version_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "uv.lock", "version = 2\n")
    assert "lock version 2" in str(parse("uv.lock", path).warnings[0])


@pytest.mark.parametrize("head", ["", 'version = "1"\n'])
def test_missing_or_wrong_version_is_malformed(tmp_path: Path, head: str) -> None:
    path = write(tmp_path, "uv.lock", head + 'requires-python = ">=3.11"\n')
    with pytest.raises(LockfileError, match=r"uv.lock:1: 'version' must be an integer"):
        parse("uv.lock", path, "uv.lock")
