"""pdm.lock: groups, extras entries merged, sources, legacy [metadata.files]."""

from __future__ import annotations

from pathlib import Path

import pytest

from depvet.model import PinKind
from depvet.sources.lockfiles.interface import LockfileError
from tests.sources.lockfiles.helpers import PROJECT, by_name, digest, parse, write


def test_fixture_fields() -> None:
    parsed = parse("pdm.lock", PROJECT / "pdm.lock")
    assert parsed.warnings == ()
    assert [r.name for r in parsed.refs].count("requests") == 1
    refs = by_name(parsed)
    certifi = refs["certifi"]
    assert (certifi.version, certifi.pin, certifi.line, certifi.group) == (
        "2024.8.30", PinKind.EXACT, 13, None,
    )  # fmt: skip
    assert certifi.hashes == (digest("certifi-whl"), digest("certifi-sdist"))
    assert refs["requests"].extras == ("socks",)
    assert (refs["colorama"].group, refs["colorama"].markers) == ("dev", 'sys_platform == "win32"')
    assert refs["mylib"].url == (
        "git+https://github.com/example-org/mylib.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"
    )
    assert (refs["localpkg"].pin, refs["localpkg"].url) == (PinKind.PATH, "./libs/localpkg")
    assert (refs["urlpkg"].pin, refs["urlpkg"].hashes) == (PinKind.URL, (digest("urlpkg-whl"),))


def test_lock_version_3_hashes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pdm.lock",
        '[[package]]\nname = "six"\nversion = "1.16.0"\nsummary = "x"\n\n'
        '[metadata]\nlock_version = "3.1"\ncontent_hash = "sha256:00"\n\n[metadata.files]\n'
        '"six 1.16.0" = [\n    {url = "https://x.example.invalid/six-1.16.0.tar.gz", '
        'hash = "sha256:cd34"},\n]\n',
    )
    (ref,) = parse("pdm.lock", path).refs
    assert ref.hashes == ("sha256:cd34",)


def test_package_with_wrong_type_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pdm.lock",
        '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "a"\nversion = 3\n'
        '\n[[package]]\nname = "b"\nversion = "2"\ngroups = "default"\n',
    )
    parsed = parse("pdm.lock", path, "pdm.lock")
    assert parsed.refs == ()
    assert [str(w) for w in parsed.warnings] == [
        "pdm.lock:4: package skipped: 'version' must be a string, not an integer",
        "pdm.lock:8: package skipped: 'groups' must be an array of strings",
    ]


def test_metadata_not_a_table_is_malformed(tmp_path: Path) -> None:
    with pytest.raises(LockfileError, match=r"pdm.lock:1: 'metadata' must be a table"):
        parse("pdm.lock", write(tmp_path, "pdm.lock", 'metadata = "x"\n'), "pdm.lock")
