"""Pipfile.lock: default/develop sections, git, path and file entries, JSON errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from depvet.model import PinKind
from depvet.sources.lockfiles.interface import LockfileError
from tests.sources.lockfiles.helpers import PROJECT, by_name, digest, parse, write


def test_fixture_fields() -> None:
    parsed = parse("Pipfile.lock", PROJECT / "Pipfile.lock")
    refs = by_name(parsed)
    assert parsed.warnings == ()
    certifi = refs["certifi"]
    assert (certifi.version, certifi.pin, certifi.line, certifi.group) == (
        "2024.8.30", PinKind.EXACT, 19, None,
    )  # fmt: skip
    assert certifi.hashes == (digest("certifi-sdist"), digest("certifi-whl"))
    assert certifi.markers == "python_version >= '3.6'"
    assert refs["requests"].extras == ("socks",)
    assert (refs["pytest"].group, refs["colorama"].group) == ("dev", "dev")
    assert refs["mylib"].pin is PinKind.VCS
    assert refs["mylib"].url == (
        "git+https://github.com/example-org/mylib.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"
    )
    assert (refs["localpkg"].pin, refs["localpkg"].url) == (PinKind.PATH, "./libs/localpkg")
    assert refs["urlpkg"].pin is PinKind.URL


def test_same_name_in_both_sections_gets_each_line(tmp_path: Path) -> None:
    document = {
        "_meta": {"pipfile-spec": 6},
        "default": {"six": {"version": "==1.16.0"}},
        "develop": {"six": {"version": "==1.16.0"}, "tox": {"version": "*"}},
    }
    path = write(tmp_path, "Pipfile.lock", json.dumps(document, indent=4))
    refs = parse("Pipfile.lock", path).refs
    assert [(r.name, r.line, r.group) for r in refs] == [
        ("six", 6, None), ("six", 11, "dev"), ("tox", 14, "dev"),
    ]  # fmt: skip
    assert refs[2].pin is PinKind.UNPINNED


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Pipfile.lock", '{\n    "default": {\n        "six": {,}\n')
    with pytest.raises(LockfileError, match=r"^Pipfile.lock:3:17: invalid JSON"):
        parse("Pipfile.lock", path, "Pipfile.lock")


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    with pytest.raises(LockfileError, match="top level must be an object"):
        parse("Pipfile.lock", write(tmp_path, "Pipfile.lock", "[]"))


def test_section_must_be_an_object(tmp_path: Path) -> None:
    path = write(tmp_path, "Pipfile.lock", '{\n  "_meta": {},\n  "default": []\n}')
    with pytest.raises(LockfileError, match=r"Pipfile.lock:3: 'default' must be an object"):
        parse("Pipfile.lock", path, "Pipfile.lock")


def test_bad_entries_are_skipped(tmp_path: Path) -> None:
    document = {
        "default": {
            "a": "==1.0",
            "b": {"version": 3},
            "c": {"version": "==1.0", "hashes": "sha256:x"},
            "d": {"version": "latest"},
            "ok": {"version": "==2.0"},
        }
    }
    parsed = parse("Pipfile.lock", write(tmp_path, "Pipfile.lock", json.dumps(document)))
    assert [r.name for r in parsed.refs] == ["ok"]
    assert [w.message.split(":")[0] for w in parsed.warnings] == [
        "'a' skipped", "'b' skipped", "'c' skipped", "'d' skipped",
    ]  # fmt: skip
