"""requirements files: pip's syntax, includes, constraints, direct references."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.model import PinKind
from depvet.sources.lockfiles.interface import LockfileError
from depvet.sources.lockfiles.requirements import RequirementsParser, logical_lines
from tests.sources.lockfiles.helpers import PROJECT, by_name, digest, parse, write


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("dev-requirements.txt", True),
        ("requirements.in", True),
        ("constraints.txt", True),
        ("requirements/base.in", True),
        ("requirements/prod.txt", True),
        ("MANIFEST.in", False),
        ("README.txt", False),
        ("docs/notes.txt", False),
        ("requirements.txt.orig", False),
    ],
)
def test_file_names(path: str, matches: bool) -> None:
    assert RequirementsParser().matches(Path(path)) is matches


def test_pip_compile_output_with_hashes() -> None:
    parsed = parse("requirements", PROJECT / "requirements.txt", "requirements.txt")
    assert parsed.warnings == ()
    pinned = [r for r in parsed.refs if r.group is None]
    assert [(r.name, r.version) for r in pinned] == [
        ("certifi", "2024.8.30"), ("charset-normalizer", "3.4.0"), ("idna", "3.10"),
        ("pysocks", "1.7.1"), ("requests", "2.32.3"), ("typing-extensions", "4.12.2"),
        ("urllib3", "2.2.3"),
    ]  # fmt: skip
    assert all(r.pin is PinKind.EXACT and len(r.hashes) == 2 for r in pinned)
    refs = by_name(parsed)
    assert refs["certifi"].hashes == (digest("certifi-sdist"), digest("certifi-whl"))
    assert refs["certifi"].line == 13  # where the continued line starts
    assert refs["requests"].extras == ("socks",)
    assert refs["typing-extensions"].markers == 'python_version < "3.13"'


def test_constraints_are_followed_and_marked() -> None:
    parsed = parse("requirements", PROJECT / "requirements.txt", "requirements.txt")
    constraints = [r for r in parsed.refs if r.group == "constraint"]
    assert [(r.name, r.specifier, r.source, r.line) for r in constraints] == [
        ("urllib3", "<3", "constraints.txt", 2),
        ("setuptools", ">=70.0.0", "constraints.txt", 3),
    ]
    # Read on its own, a constraints file is still constraints.
    alone = parse("requirements", PROJECT / "constraints.txt")
    assert {r.group for r in alone.refs} == {"constraint"}


def test_includes_are_relative_to_the_including_file() -> None:
    parsed = parse("requirements", PROJECT / "requirements" / "dev.txt", "requirements/dev.txt")
    assert parsed.warnings == ()
    sources = list(dict.fromkeys(r.source for r in parsed.refs))
    assert sources == [
        "constraints.txt",
        "requirements.txt",
        "requirements/extras.txt",
        "requirements/dev.txt",
    ]
    refs = by_name(parsed)
    assert (refs["pytest"].version, refs["pytest"].line) == ("8.3.3", 4)
    assert (refs["pytest-cov"].pin, refs["pytest-cov"].specifier) == (PinKind.RANGE, ">=5.0")
    assert refs["colorama"].markers == 'sys_platform == "win32"'
    assert (refs["legacy-tool"].pin, refs["legacy-tool"].version) == (PinKind.EXACT, "1.0-custom")
    assert (refs["sphinx"].pin, refs["sphinx"].specifier) == (PinKind.RANGE, "==7.*")
    assert refs["lxml"].hashes == (digest("lxml-sdist"),)  # after --no-binary on its own line


def test_direct_references() -> None:
    parsed = parse("requirements", PROJECT / "requirements" / "extras.txt", "extras.txt")
    assert parsed.warnings == ()
    refs = by_name(parsed)
    assert (refs["mylib"].pin, refs["mylib"].url) == (
        PinKind.VCS,
        "git+https://github.com/example-org/mylib.git@v1.4.0#egg=mylib",
    )
    # -e ../libs/localpkg: the name is read from the tree's pyproject.toml.
    assert (refs["localpkg"].pin, refs["localpkg"].url) == (PinKind.PATH, "../libs/localpkg")
    # ${VAR} stays as written: its value is a credential.
    assert refs["private-tool"].url is not None
    assert "${GITHUB_TOKEN}@github.com" in refs["private-tool"].url
    assert (refs["urlpkg"].pin, refs["urlpkg"].version) == (PinKind.URL, None)
    other = refs["other_pkg"]
    assert (other.pin, other.version, other.hashes) == (
        PinKind.URL, "2.1.0", (digest("other-pkg-whl"),),
    )  # fmt: skip
    vendored = refs["vendored_pkg"]
    assert (vendored.pin, vendored.version) == (PinKind.PATH, "1.2.0")


def test_include_cycle_is_detected(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "alpha==1.0\n-r b.txt\n")
    write(tmp_path, "b.txt", "beta==2.0\n--requirement a.txt\n")
    parsed = parse("requirements", tmp_path / "a.txt", "a.txt")
    assert [r.name for r in parsed.refs] == ["alpha", "beta"]
    (warning,) = parsed.warnings
    assert (warning.source, warning.line) == ("b.txt", 2)
    assert "include cycle a.txt -> b.txt -> a.txt" in warning.message


def test_diamond_includes_read_once(tmp_path: Path) -> None:
    write(tmp_path, "top.txt", "-r left.txt\n-r right.txt\n")
    write(tmp_path, "left.txt", "-r common.txt\n")
    write(tmp_path, "right.txt", "-r common.txt\n")
    write(tmp_path, "common.txt", "six==1.16.0\n")
    parsed = parse("requirements", tmp_path / "top.txt")
    assert [r.name for r in parsed.refs] == ["six"]
    assert parsed.warnings == ()


def test_missing_include_is_an_error_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "# deps\nsix==1.16.0\n-r nowhere.txt\n")
    with pytest.raises(LockfileError) as caught:
        parse("requirements", tmp_path / "requirements.txt", "requirements.txt")
    assert caught.value.message.startswith("requirements.txt:3: -r nowhere.txt: cannot read")


def test_lines_that_are_not_requirements_are_warnings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "requirements.txt",
        "six==1.16.0\nthis is not a requirement\n--frobnicate\n"
        "git+https://github.com/o/noname.git@v1\n-r https://example.invalid/r.txt\nok\n",
    )
    parsed = parse("requirements", path, "requirements.txt")
    assert [r.name for r in parsed.refs] == ["six", "ok"]
    assert [w.line for w in parsed.warnings] == [2, 3, 4, 5]
    assert "not a requirement" in parsed.warnings[0].message
    assert "unknown option '--frobnicate'" in parsed.warnings[1].message
    assert "no package name" in parsed.warnings[2].message
    assert "remote files are not fetched" in parsed.warnings[3].message


def test_options_do_not_choke(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "requirements.txt",
        "--index-url https://pypi.org/simple\n--extra-index-url=https://x.example.invalid/s\n"
        "-i https://pypi.org/simple\n--find-links ./wheels\n-f ./more\n--trusted-host x\n"
        "--no-binary :all:\n--only-binary=:none:\n--pre\n--require-hashes\n--no-index\n"
        "--prefer-binary\n-rother.txt\n\n   # indented comment\nsix==1.16.0  # trailing\n",
    )
    write(tmp_path, "other.txt", "idna==3.10\n")
    parsed = parse("requirements", path)
    assert parsed.warnings == ()
    assert [r.name for r in parsed.refs] == ["idna", "six"]


def test_passwords_in_urls_are_redacted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "requirements.txt",
        "pkg @ https://user:s3cret@files.example.invalid/pkg-1.0-py3-none-any.whl\n"
        "-e git+https://ghp_token@github.com/o/r.git@v1#egg=r\n"
        "-e git+ssh://git@github.com/o/s.git@v1#egg=s\n",
    )
    urls = [r.url or "" for r in parse("requirements", path).refs]
    assert urls[0] == "https://user:****@files.example.invalid/pkg-1.0-py3-none-any.whl"
    assert urls[1] == "git+https://****@github.com/o/r.git@v1#egg=r"
    assert urls[2] == "git+ssh://git@github.com/o/s.git@v1#egg=s"
    assert all("s3cret" not in u and "ghp_token" not in u for u in urls)


def test_not_text_is_malformed_with_position(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"six==1.16.0\nidna==\xff3.10\n")
    with pytest.raises(LockfileError, match=r"^requirements.txt:2:7: not utf-8 text"):
        parse("requirements", path, "requirements.txt")


def test_logical_lines_join_continuations() -> None:
    text = "a==1 \\\n  --hash=sha256:aa \\\n  --hash=sha256:bb\n# c \\\nb==2\n"
    assert logical_lines(text) == [
        (1, "a==1   --hash=sha256:aa   --hash=sha256:bb"),
        (5, "b==2"),
    ]


_NAMES = st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda s: f"p-{s}")
_VERSIONS = st.lists(st.integers(0, 999), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
_HASHES = st.lists(st.text("0123456789abcdef", min_size=64, max_size=64), max_size=3)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(_NAMES, _VERSIONS, _HASHES, st.booleans()),
        unique_by=lambda t: t[0],
        max_size=30,
    )
)
def test_generated_pins_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    pins: list[tuple[str, str, list[str], bool]],
) -> None:
    lines = []
    for name, version, hashes, continued in pins:
        options = [f"--hash=sha256:{h}" for h in hashes]
        joiner = " \\\n    " if continued else " "
        lines.append(joiner.join([f"{name}=={version}", *options]))
    path = write(tmp_path_factory.mktemp("req"), "requirements.txt", "\n".join(lines) + "\n")
    parsed = parse("requirements", path)
    assert parsed.warnings == ()
    assert [(r.name, r.version, r.hashes) for r in parsed.refs] == [
        (name, version, tuple(dict.fromkeys(f"sha256:{h}" for h in hashes)))
        for name, version, hashes, _ in pins
    ]
