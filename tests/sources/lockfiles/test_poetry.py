"""poetry.lock: Poetry 2.1 with groups, markers and every source type; 1.1 legacy hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from depvet.model import PinKind
from depvet.sources.lockfiles.interface import LockfileError
from tests.sources.lockfiles.helpers import PROJECT, by_name, digest, parse, write


def test_fixture_packages_in_order() -> None:
    parsed = parse("poetry.lock", PROJECT / "poetry.lock", "poetry.lock")
    assert [r.name for r in parsed.refs] == [
        "certifi", "colorama", "mylib", "localpkg", "pytest",
        "requests", "typing-extensions", "internal-tool", "urlpkg",
    ]  # fmt: skip
    assert parsed.warnings == ()
    assert {r.source for r in parsed.refs} == {"poetry.lock"}


def test_fixture_fields() -> None:
    refs = by_name(parse("poetry.lock", PROJECT / "poetry.lock"))
    certifi = refs["certifi"]
    assert (certifi.version, certifi.pin, certifi.line, certifi.group) == (
        "2024.8.30", PinKind.EXACT, 3, None,
    )  # fmt: skip
    assert certifi.hashes == (digest("certifi-whl"), digest("certifi-sdist"))
    assert refs["pytest"].group == "dev"
    assert refs["typing-extensions"].markers == 'python_version < "3.13"'
    # In main and dev with a marker per group: installed when either holds.
    assert refs["colorama"].group is None
    assert refs["colorama"].markers == (
        '(platform_system == "Windows") or (sys_platform == "win32")'
    )


def test_fixture_sources() -> None:
    refs = by_name(parse("poetry.lock", PROJECT / "poetry.lock"))
    mylib = refs["mylib"]
    assert (mylib.pin, mylib.version) == (PinKind.VCS, "1.4.0")
    assert mylib.url == (
        "git+https://github.com/example-org/mylib.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"
    )
    assert (refs["localpkg"].pin, refs["localpkg"].url) == (PinKind.PATH, "libs/localpkg")
    assert refs["urlpkg"].pin is PinKind.URL
    # A private index is still an exact release.
    assert (refs["internal-tool"].pin, refs["internal-tool"].url) == (PinKind.EXACT, None)


def test_lock_version_1_hashes_and_category(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "poetry.lock",
        '[[package]]\nname = "six"\nversion = "1.16.0"\ncategory = "dev"\n'
        'optional = false\npython-versions = "*"\n\n'
        '[metadata]\nlock-version = "1.1"\npython-versions = "^3.8"\ncontent-hash = "x"\n\n'
        "[metadata.files]\n"
        'six = [\n    {file = "six-1.16.0-py2.py3-none-any.whl", hash = "sha256:AB12"},\n]\n',
    )
    (ref,) = parse("poetry.lock", path).refs
    assert (ref.group, ref.hashes) == ("dev", ("sha256:ab12",))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('name = "six"\n', "no 'version'"),
        ('name = "six"\nversion = 3\n', "'version' must be a string, not an integer"),
        ('version = "1.0"\n', "no 'name'"),
        ('name = "six"\nversion = "1.0"\nfiles = "six.whl"\n', "'files' must be an array"),
    ],
)
def test_bad_package_is_skipped_with_its_line(tmp_path: Path, body: str, why: str) -> None:
    text = '[[package]]\nname = "ok"\nversion = "1.0"\n\n[[package]]\n' + body
    parsed = parse("poetry.lock", write(tmp_path, "poetry.lock", text), "poetry.lock")
    assert [r.name for r in parsed.refs] == ["ok"]
    (warning,) = parsed.warnings
    assert warning.line == 5
    assert why in str(warning)
    assert str(warning).startswith("poetry.lock:5: package skipped")


def test_truncated_file_names_line_and_column(tmp_path: Path) -> None:
    text = (PROJECT / "poetry.lock").read_text()[:400]
    with pytest.raises(LockfileError) as caught:
        parse("poetry.lock", write(tmp_path, "poetry.lock", text), "poetry.lock")
    assert caught.value.reference == "lockfile-malformed"
    assert caught.value.line is not None
    assert caught.value.message.startswith(f"poetry.lock:{caught.value.line}:")


def test_package_not_an_array_is_malformed(tmp_path: Path) -> None:
    path = write(tmp_path, "poetry.lock", '# generated\npackage = "six"\n')
    with pytest.raises(LockfileError, match=r"poetry.lock:2: 'package' must be an array"):
        parse("poetry.lock", path, "poetry.lock")
