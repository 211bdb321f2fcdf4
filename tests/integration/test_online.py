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
