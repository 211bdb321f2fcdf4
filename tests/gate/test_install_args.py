"""What ``depvet install`` passes to the installer and what it refuses up front."""

from __future__ import annotations

from pathlib import Path

import pytest

from depvet.errors import UsageError
from depvet.gate.install import installer_command, vet_arguments


def test_plain_arguments_pass_through_and_i_sets_the_upstream() -> None:
    args, upstream = vet_arguments(
        ["-U", "--target", "/x", "requests>=2", "-i", "https://mirror.example.invalid/simple"]
    )
    assert args == ["-U", "--target", "/x", "requests>=2"]
    assert upstream == "https://mirror.example.invalid/simple"
    assert vet_arguments(["--index-url=https://a.invalid/simple", "six"]) == (
        ["six"],
        "https://a.invalid/simple",
    )
    assert vet_arguments(["-ihttps://b.invalid/simple", "six"])[1] == "https://b.invalid/simple"


@pytest.mark.parametrize(
    "args",
    [
        ["--extra-index-url", "https://evil.invalid/simple", "six"],
        ["--extra-index-url=https://evil.invalid/simple", "six"],
        ["-f", "/wheels", "six"],
        ["--no-index", "six"],
        ["-e", "."],
        ["-e."],
        ["./local-project"],
        ["https://evil.invalid/x-1.0-py3-none-any.whl"],
        ["x @ https://evil.invalid/x.whl"],
        ["dist/x-1.0.tar.gz"],
    ],
)
def test_bypasses_are_refused(args: list[str]) -> None:
    with pytest.raises(UsageError):
        vet_arguments(args)


def test_requirements_files_are_read_for_bypasses(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("six==1.17.0 --hash=sha256:abc\n# comment\n--require-hashes\n")
    assert vet_arguments(["-r", str(good)]) == (["-r", str(good)], None)
    inner = tmp_path / "inner.txt"
    inner.write_text("--extra-index-url https://evil.invalid/simple\n")
    outer = tmp_path / "outer.txt"
    outer.write_text("six\n-r inner.txt\n")
    with pytest.raises(UsageError, match=r"inner\.txt:1: --extra-index-url"):
        vet_arguments(["-r", str(outer)])
    direct = tmp_path / "direct.txt"
    direct.write_text("x @ https://evil.invalid/x.whl\n")
    with pytest.raises(UsageError, match=r"direct\.txt:1"):
        vet_arguments([f"--requirement={direct}"])


def test_the_installer_gets_one_index_and_no_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://evil.invalid/simple")
    monkeypatch.setenv("PIP_FIND_LINKS", "/wheels")
    command, env = installer_command(
        "pip", "/py", "http://127.0.0.1:1/simple/", ["six"], tmp_path / "r.json"
    )
    assert command[:6] == [
        "/py",
        "-m",
        "pip",
        "install",
        "--index-url",
        "http://127.0.0.1:1/simple/",
    ]
    assert "--no-cache-dir" in command and command[-1] == "six"
    assert "PIP_EXTRA_INDEX_URL" not in env and "PIP_FIND_LINKS" not in env
    assert env["PIP_CONFIG_FILE"]
