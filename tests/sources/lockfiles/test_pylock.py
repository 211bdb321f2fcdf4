"""pylock.toml (PEP 751): index, vcs, directory and archive packages."""

from __future__ import annotations

from pathlib import Path

import pytest

from depvet.model import PinKind
from depvet.sources.lockfiles.interface import LockfileError
from depvet.sources.lockfiles.pylock import PylockParser
from tests.sources.lockfiles.helpers import PROJECT, by_name, digest, parse, write


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("pylock.toml", True),
        ("pylock.dev.toml", True),
        ("pylock.a.b.toml", False),
        ("pylock.toml.bak", False),
        ("mylock.toml", False),
    ],
)
def test_file_names(name: str, matches: bool) -> None:
    assert PylockParser().matches(Path(name)) is matches


def test_fixture_fields() -> None:
    parsed = parse("pylock.toml", PROJECT / "pylock.toml")
    refs = by_name(parsed)
    assert parsed.warnings == ()
    certifi = refs["certifi"]
    assert (certifi.version, certifi.pin, certifi.line) == ("2024.8.30", PinKind.EXACT, 9)
    assert certifi.hashes == (digest("certifi-sdist"), digest("certifi-whl"))
    assert refs["mylib"].url == (
        "git+https://github.com/example-org/mylib.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"
    )
    assert (refs["localpkg"].pin, refs["localpkg"].version) == (PinKind.PATH, None)
    assert refs["urlpkg"].pin is PinKind.URL
    assert refs["urlpkg"].hashes == (digest("urlpkg-whl"),)


def test_groups_from_markers() -> None:
    refs = by_name(parse("pylock.toml", PROJECT / "pylock.toml"))
    assert refs["pytest"].group == "dev"
    assert refs["colorama"].group == "dev"
    assert refs["colorama"].markers == "sys_platform == 'win32' and 'dev' in dependency_groups"
    assert refs["urlpkg"].group == "fast"
    assert refs["certifi"].group is None


def test_index_package_without_version_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pylock.toml",
        'lock-version = "1.0"\ncreated-by = "t"\n\n[[packages]]\nname = "a"\n'
        'wheels = [{ url = "https://x.example.invalid/a.whl", hashes = { sha256 = "ab" } }]\n',
    )
    parsed = parse("pylock.toml", path)
    assert parsed.refs == ()
    assert parsed.warnings[0].line == 4


@pytest.mark.parametrize(
    ("head", "match"),
    [
        ('lock-version = "2.0"\n', r"pylock.toml:1: lock-version 2.0 is not supported"),
        ("lock-version = 1.0\n", r"pylock.toml:1: 'lock-version' must be a string"),
        ('created-by = "x"\n', r"pylock.toml:1: 'lock-version' must be a string"),
        ('lock-version = "1.0"\npackages = 3\n', r"pylock.toml:2: 'packages' must be an array"),
    ],
)
def test_malformed(tmp_path: Path, head: str, match: str) -> None:
    with pytest.raises(LockfileError, match=match):
        parse("pylock.toml", write(tmp_path, "pylock.toml", head), "pylock.toml")


def test_newer_minor_version_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "pylock.toml", 'lock-version = "1.1"\n')
    assert "lock-version 1.1" in parse("pylock.toml", path).warnings[0].message
