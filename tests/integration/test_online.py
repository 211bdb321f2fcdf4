"""Against the real PyPI; skipped unless `pytest --online` is given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from depvet.cli import ExitCode, main

pytestmark = [pytest.mark.online, pytest.mark.enable_socket]


def test_removed_and_yanked_releases_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("litellm==1.82.8\nrequests==2.32.0\nrequests==2.32.3\n")
    code = main(["scan", "--online", "--format", "json", str(requirements)])
    document = json.loads(capsys.readouterr().out)
    rules = {
        (r["name"], r["version"]): {f["rule"] for f in r["findings"]} for r in document["results"]
    }
    assert "release-removed-from-index" in rules[("litellm", "1.82.8")]
    assert "release-yanked" in rules[("requests", "2.32.0")]
    assert not rules[("requests", "2.32.3")] & {"release-removed-from-index", "release-yanked"}
    assert code == ExitCode.FOUND


def test_check_against_pypi(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--format", "json", "--jobs", "1", "six==1.17.0", "litellm==1.82.6"])
    items = {i["requested"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert code == ExitCode.OK
    six = items["six==1.17.0"]
    assert six["file"] == "six-1.17.0-py2.py3-none-any.whl" and six["action"] == "allow"
    assert six["upload_time"] is not None  # PEP 700 from PyPI's JSON page
    assert items["litellm==1.82.6"]["scan"]["verdict"] != "malicious"


def test_install_from_pypi_through_the_proxy(tmp_path: Path) -> None:
    import subprocess
    import sys

    record = tmp_path / "record.json"
    command = [sys.executable, "-m", "depvet", "install", "--record", str(record), "--"]
    done = subprocess.run(
        [*command, "--target", str(tmp_path / "t"), "six==1.17.0"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(record.read_text())["installed"]
    assert entry["name"] == "six" and entry["verdict"] == "clean"
    assert (tmp_path / "t" / "six.py").is_file()
