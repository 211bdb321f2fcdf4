"""Every format: a file that cannot be read as a whole is one error naming file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from depvet.sources.lockfiles.interface import LockfileError
from tests.sources.lockfiles.generate import FORMATS, render, sample_packages
from tests.sources.lockfiles.helpers import parse, write

STRUCTURED = [f for f in FORMATS if f != "requirements"]


@pytest.mark.parametrize("fmt", STRUCTURED)
def test_truncated_file(tmp_path: Path, fmt: str) -> None:
    text = render(fmt, sample_packages(20))
    cut = text[: len(text) * 2 // 3]
    # End inside a string (pyproject.toml), or an inline table or object (the others).
    opening = '\n    "' if fmt == "pyproject.toml" else "{"
    cut = cut[: cut.rindex(opening) + len(opening) + 2]
    filename = FORMATS[fmt][0]
    with pytest.raises(LockfileError) as caught:
        parse(fmt, write(tmp_path, filename, cut), filename)
    error = caught.value
    assert error.reference == "lockfile-malformed"
    assert error.line is not None and error.column is not None
    assert error.line <= cut.count("\n") + 1
    assert error.message.startswith(f"{filename}:{error.line}:{error.column}: invalid ")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_not_utf8(tmp_path: Path, fmt: str) -> None:
    filename = FORMATS[fmt][0]
    path = tmp_path / filename
    path.write_bytes(render(fmt, sample_packages(3)).encode() + b"\n\x80\x81\n")
    with pytest.raises(LockfileError, match=rf"^{filename}:\d+:1: not utf-8 text"):
        parse(fmt, path, filename)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_unreadable(tmp_path: Path, fmt: str) -> None:
    with pytest.raises(LockfileError, match="cannot read"):
        parse(fmt, tmp_path / "missing", "missing")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_empty_file_states_nothing(tmp_path: Path, fmt: str) -> None:
    filename = FORMATS[fmt][0]
    path = write(tmp_path, filename, "{}" if fmt == "Pipfile.lock" else "")
    if fmt == "uv.lock" or fmt == "pylock.toml":
        with pytest.raises(LockfileError, match="must be"):  # the format version is required
            parse(fmt, path)
        return
    assert parse(fmt, path).refs == ()


def test_deeply_nested_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "poetry.lock", "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(LockfileError):
        parse("poetry.lock", path)
