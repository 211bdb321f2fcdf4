"""``depvet check`` against a local upstream index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from depvet.cli import ExitCode, main
from tests.indexserver import LocalIndex
from tests.packages import Served, populate

pytestmark = pytest.mark.enable_socket


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[LocalIndex, Served]]:
    with LocalIndex() as index:
        yield index, populate(index, tmp_path / "dist")


def run(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, dict[str, object]], str]:
    code = main(["check", "--format", "json", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    items = {item["requested"]: item for item in json.loads(out)["items"]}
    return code, items, err


def codes(item: dict[str, object]) -> list[str]:
    reasons = item["reasons"]
    assert isinstance(reasons, list)
    return [reason["code"] for reason in reasons]


def test_clean_release_is_allowed(
    upstream: tuple[LocalIndex, Served], capsys: pytest.CaptureFixture[str]
) -> None:
    index, served = upstream
    code, items, _ = run(capsys, "--index-url", index.url, served.clean)
    assert code == ExitCode.OK
    item = items["tidyutil"]
    assert item["action"] == "allow" and item["file"] == "tidyutil-1.0.0-py3-none-any.whl"
    assert item["sha256"] == index.projects["tidyutil"][0].sha256
    scan = item["scan"]
    assert isinstance(scan, dict) and scan["verdict"] == "clean"


def test_replica_and_too_new_are_refused_with_reasons(
    upstream: tuple[LocalIndex, Served], capsys: pytest.CaptureFixture[str]
) -> None:
    index, served = upstream
    code, items, _ = run(
        capsys, "--index-url", index.url, served.replica, served.fresh, f"{served.clean}==1.0.0"
    )
    assert code == ExitCode.FOUND
    replica = items["pthloader"]
    assert replica["action"] == "refuse"
    assert codes(replica) == ["verdict-malicious"]
    fresh = items["freshlib"]
    assert fresh["version"] == "1.1.0" and fresh["action"] == "refuse"
    assert codes(fresh) == ["too-new"]
    assert fresh["newest_allowed"] == "1.0.0"
    assert items["tidyutil==1.0.0"]["action"] == "allow"


def test_requirements_file_and_errors_per_item(
    upstream: tuple[LocalIndex, Served], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, served = upstream
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(
        f"{served.clean}==1.0.0\nno-such-project==1.0\nfreshlib<1.1\nlocal @ file:///tmp/x.whl\n"
    )
    code, items, err = run(capsys, "--index-url", index.url, "-r", str(reqs))
    assert code == ExitCode.INCOMPLETE
    assert items["tidyutil==1.0.0"]["action"] == "allow"
    assert items["freshlib<1.1"]["action"] == "allow"
    missing = items["no-such-project==1.0"]
    assert missing["action"] == "error" and "not found" in str(missing["error"])
    assert "not from the index; not checked" in err


def test_a_policy_file_is_applied(
    upstream: tuple[LocalIndex, Served], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, served = upstream
    policy = tmp_path / "depvet.toml"
    policy.write_text(f'index-url = "{index.url}"\n[cooldown-overrides]\nfreshlib = "0"\n')
    code, items, _ = run(capsys, "--policy", str(policy), served.fresh)
    assert code == ExitCode.OK and items["freshlib"]["version"] == "1.1.0"


def test_table_output(
    upstream: tuple[LocalIndex, Served], capsys: pytest.CaptureFixture[str]
) -> None:
    index, served = upstream
    code = main(["check", "--jobs", "1", "--index-url", index.url, served.fresh])
    out = capsys.readouterr().out
    assert code == ExitCode.FOUND
    assert "refused" in out and "uploaded 1.0 h ago" in out
    assert "newest release the policy allows: 1.0.0" in out


def test_yanked_files_are_taken_only_for_an_exact_pin_and_noted(
    upstream: tuple[LocalIndex, Served], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, served = upstream
    for listed in index.projects["tidyutil"]:
        listed.yanked = "broken build"
    code, items, _ = run(capsys, "--index-url", index.url, f"{served.clean}==1.0.0", served.clean)
    pinned = items["tidyutil==1.0.0"]
    assert pinned["action"] == "allow"
    assert "yanked from the index: broken build" in str(pinned["notes"])
    unpinned = items["tidyutil"]
    assert unpinned["action"] == "error"
    assert "every file that fits is yanked" in str(unpinned["error"])
    assert code == ExitCode.INCOMPLETE
    policy_code = main(
        [
            "check",
            "--format",
            "json",
            "--jobs",
            "1",
            "--index-url",
            index.url,
            "--policy",
            str(_policy(tmp_path, index, "hide-yanked = true")),
            f"{served.clean}==1.0.0",
        ]
    )
    refused = json.loads(capsys.readouterr().out)["items"][0]
    assert policy_code == ExitCode.FOUND and codes(refused) == ["yanked"]


def _policy(folder: Path, index: LocalIndex, text: str) -> Path:
    path = folder / "depvet.toml"
    path.write_text(f'index-url = "{index.url}"\n{text}\n')
    return path


def test_code_behind_a_decompression_bomb_is_refused_as_not_fully_scanned(
    upstream: tuple[LocalIndex, Served], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import io
    import tarfile

    index, _ = upstream
    sdist = tmp_path / "bombed-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        # 20 MiB of zeros first: past depvet's ratio limit, so reading stops before setup.py.
        for name, data in (
            ("bombed-1.0/padding.bin", bytes(20 * 1024 * 1024)),
            ("bombed-1.0/setup.py", b"from setuptools import setup\nsetup(name='bombed')\n"),
            ("bombed-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: bombed\nVersion: 1.0\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    index.add(sdist)
    code, items, _ = run(capsys, "--index-url", index.url, "bombed")
    assert code == ExitCode.FOUND
    item = items["bombed"]
    assert item["action"] == "refuse" and codes(item) == ["incomplete"]
    scan = item["scan"]
    assert isinstance(scan, dict) and scan["verdict"] == "clean"  # judged on what was read
