"""Which parser reads which file, finding a project's lockfiles, and LockfileSource."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from depvet.errors import SourceError
from depvet.sources.lockfiles.interface import LockfileError, ParsedLockfile
from depvet.sources.lockfiles.registry import BUILTIN, find_lockfiles, parser_for, parsers
from depvet.sources.lockfiles.source import LockfileSource
from tests.sources.lockfiles.helpers import PROJECT, write


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("poetry.lock", "poetry.lock"),
        ("uv.lock", "uv.lock"),
        ("Pipfile.lock", "Pipfile.lock"),
        ("pylock.toml", "pylock.toml"),
        ("pylock.prod.toml", "pylock.toml"),
        ("pdm.lock", "pdm.lock"),
        ("pyproject.toml", "pyproject.toml"),
        ("requirements.txt", "requirements"),
        ("requirements/test.in", "requirements"),
        ("Pipfile", None),
        ("package-lock.json", None),
        ("setup.py", None),
    ],
)
def test_parser_for(name: str, fmt: str | None) -> None:
    parser = parser_for(Path(name))
    assert (parser.name if parser else None) == fmt


def test_builtins_have_distinct_names() -> None:
    names = [p.name for p in BUILTIN]
    assert len(set(names)) == len(names)
    assert parsers()[: len(BUILTIN)] == BUILTIN


def _project(root: Path) -> None:
    for name in ("uv.lock", "pyproject.toml", "requirements.txt", "README.md"):
        write(root, name, "")
    write(root, "requirements/dev.txt", "")
    write(root, "requirements/base.in", "")
    write(root, "services/api/requirements.txt", "")  # two levels down: not searched
    write(root, "docs/requirements.txt", "")
    write(root, ".venv/requirements.txt", "")
    write(root, "venv/pyvenv.cfg", "home = /usr/bin\n")
    write(root, "venv/requirements.txt", "")
    write(root, "node_modules/requirements.txt", "")
    write(root, ".git/requirements.txt", "")


def test_find_lockfiles(tmp_path: Path) -> None:
    _project(tmp_path)
    found = [p.relative_to(tmp_path).as_posix() for p in find_lockfiles(tmp_path)]
    assert found == [
        "pyproject.toml",
        "requirements.txt",
        "uv.lock",
        "docs/requirements.txt",
        "requirements/base.in",
        "requirements/dev.txt",
    ]


def test_find_lockfiles_skips_links_out_of_the_project(tmp_path: Path) -> None:
    outside = write(tmp_path, "elsewhere/secret.txt", "x==1\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").symlink_to(outside)
    (project / "requirements-dev.txt").symlink_to(project / "requirements.txt")
    assert find_lockfiles(project) == []


def test_source_over_a_folder_keeps_going_past_a_broken_file(tmp_path: Path) -> None:
    write(tmp_path, "poetry.lock", "[[package]\n")
    write(tmp_path, "requirements.txt", "six==1.16.0\n")
    given = os.path.relpath(tmp_path)
    results = list(LockfileSource(given=given).lockfiles())
    assert [p.name for p, _ in results] == ["poetry.lock", "requirements.txt"]
    broken, good = results[0][1], results[1][1]
    assert isinstance(broken, LockfileError)
    assert broken.message.startswith(os.path.join(given, "poetry.lock") + ":1:")
    assert isinstance(good, ParsedLockfile)
    assert good.refs[0].source == os.path.join(given, "requirements.txt")


def test_source_over_the_fixture_project() -> None:
    results = dict(LockfileSource(given=str(PROJECT)).lockfiles())
    assert all(isinstance(r, ParsedLockfile) for r in results.values())
    assert len(results) == 12


def test_source_of_one_file_and_unknown_names(tmp_path: Path) -> None:
    path = write(tmp_path, "deps.txt", "six==1.16.0\n")
    ((_, unknown),) = LockfileSource(given=str(path)).lockfiles()
    assert isinstance(unknown, LockfileError)
    assert "not a lockfile depvet recognises" in unknown.message
    ((_, forced),) = LockfileSource(given=str(path), format="requirements").lockfiles()
    assert isinstance(forced, ParsedLockfile)
    assert forced.refs[0].name == "six"


def test_source_format_filters_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "uv.lock", "version = 1\n")
    write(tmp_path, "requirements.txt", "six==1.16.0\n")
    found = [p.name for p, _ in LockfileSource(given=str(tmp_path), format="uv.lock").lockfiles()]
    assert found == ["uv.lock"]


def test_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(LockfileSource(given=str(tmp_path / "nope")).lockfiles())
    with pytest.raises(SourceError, match="not a lockfile format"):
        list(LockfileSource(given=str(tmp_path), format="yarn.lock").lockfiles())
