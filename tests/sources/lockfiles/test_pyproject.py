"""pyproject.toml: declared constraints (PEP 621, PEP 735, Poetry), not pins."""

from __future__ import annotations

from pathlib import Path

from depvet.model import PinKind
from tests.sources.lockfiles.helpers import PROJECT, parse, write


def test_pep621_and_dependency_groups() -> None:
    parsed = parse("pyproject.toml", PROJECT / "pyproject.toml")
    assert parsed.warnings == ()
    got = {(r.name, r.group): (r.pin, r.version, r.specifier, r.line) for r in parsed.refs}
    assert got[("requests", None)] == (PinKind.RANGE, None, ">=2.32", 11)
    assert got[("certifi", None)] == (PinKind.EXACT, "2024.8.30", "", 13)
    assert got[("click", None)] == (PinKind.UNPINNED, None, "", 15)
    assert got[("attrs", None)] == (PinKind.RANGE, None, "==23.*", 17)  # a wildcard
    assert got[("mylib", None)][0] is PinKind.VCS
    assert got[("urlpkg", "fast")][0] is PinKind.URL
    assert got[("pytest-xdist", "test")] == (PinKind.EXACT, "3.6.1", "", 29)
    assert got[("ruff", "lint")][:2] == (PinKind.EXACT, "0.6.9")
    assert got[("ipython", "dev")][0] is PinKind.UNPINNED
    assert got[("pre-commit", "dev")][0] is PinKind.RANGE  # [tool.uv] dev-dependencies
    # include-group is checked, not expanded: pytest is listed once, under "test".
    assert [r.group for r in parsed.refs if r.name == "pytest"] == ["test"]


def test_poetry_constraints() -> None:
    parsed = parse("pyproject.toml", PROJECT / "poetry-project" / "pyproject.toml")
    refs = {(r.name, r.specifier or r.version): r for r in parsed.refs}
    assert "python" not in {r.name for r in parsed.refs}
    assert refs[("requests", "^2.32")].pin is PinKind.RANGE
    assert refs[("requests", "^2.32")].extras == ("socks",)
    assert refs[("certifi", "2024.8.30")].pin is PinKind.EXACT  # Poetry's bare version
    assert refs[("urllib3", "2.2.3")].pin is PinKind.EXACT
    assert refs[("idna", "~3.10")].pin is PinKind.RANGE
    assert refs[("click", "*")].pin is PinKind.UNPINNED
    assert refs[("black", "24.8.0")].group == "dev"
    assert refs[("mkdocs", ">=1.6,<2")].group == "docs"
    assert refs[("typing-extensions", ">=4.12")].markers == "python_version < '3.13'"
    assert {k[1] for k in refs if k[0] == "numpy"} == {"^1.26", "^2.1"}
    git = next(r for r in parsed.refs if r.name == "mylib")
    assert (git.pin, git.url) == (
        PinKind.VCS,
        "git+https://github.com/example-org/mylib.git@v1.4.0",
    )
    local = next(r for r in parsed.refs if r.name == "localpkg")
    assert (local.pin, local.url) == (PinKind.PATH, "../libs/localpkg")


def test_problems_are_warnings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\ndynamic = ["dependencies"]\n'
        'optional-dependencies = { cli = ["click>=8", "not a requirement!"] }\n\n'
        "[dependency-groups]\n"
        'a = [{include-group = "b"}]\nb = [{include-group = "a"}]\n'
        'c = [{include-group = "missing"}, "ok==1"]\n\n'
        "[tool.poetry.dependencies]\nbad = 3\n",
    )
    parsed = parse("pyproject.toml", path, "pyproject.toml")
    assert [(r.name, r.group) for r in parsed.refs] == [("click", "cli"), ("ok", "c")]
    messages = [str(w) for w in parsed.warnings]
    assert messages[0].startswith("pyproject.toml:1: project: dependencies are dynamic")
    assert messages[1].startswith(
        "pyproject.toml:4: project.optional-dependencies.cli: not a requirement"
    )
    assert "does not exist: 'missing'" in messages[2]
    assert "include-group cycle: a -> b -> a" in messages[3]
    assert (
        messages[4]
        == "pyproject.toml:12: tool.poetry.dependencies: bad: not a Poetry constraint: 3"
    )


def test_no_dependencies_at_all(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert parse("pyproject.toml", path).refs == ()
