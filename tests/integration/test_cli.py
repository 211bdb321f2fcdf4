"""The ``depvet`` command: exit codes, formats, output files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from depvet.cli import ExitCode, main
from tests.builders import LITELLM_PTH_LINE, make_wheel, write_tar

SARIF_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared/schemas/sarif-schema-2.1.0.json"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPVET_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = tmp_path / "artifacts"
    folder.mkdir()
    make_wheel(folder, "clean", "1.0", {"clean/__init__.py": "x = 1\n"})
    make_wheel(folder, "litellm", "1.82.8", {"litellm_init.pth": LITELLM_PTH_LINE})
    (folder / "broken-1.0.tar.gz").write_bytes(b"\x1f\x8b\x08 truncated")
    return folder


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["scan", "--format", "json", "--jobs", "1", *args])
    return code, json.loads(capsys.readouterr().out)


def test_json_contract_and_fail_on(artifacts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = scan_json(capsys, str(artifacts))
    assert code == ExitCode.FOUND
    results = document["results"]
    assert isinstance(results, list)
    by_name = {r["name"]: r for r in results}
    assert by_name["litellm"]["verdict"] == "malicious"
    assert by_name["litellm"]["artifact"] == f"{artifacts}/litellm-1.82.8-py3-none-any.whl"
    finding = by_name["litellm"]["findings"][0]
    assert set(finding) >= {"rule", "severity", "path", "line", "message", "evidence"}
    assert len(finding["evidence"]) <= 200
    assert by_name["clean"]["verdict"] == "clean"
    broken = by_name["broken"]
    assert broken["verdict"] == "error" and broken["errors"][0]["reference"]
    summary = document["summary"]
    assert isinstance(summary, dict) and summary["artifacts"] == 3


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = make_wheel(tmp_path, "clean", "1.0", {"clean/__init__.py": "x = 1\n"})
    assert main(["scan", "--format", "json", str(clean)]) == ExitCode.OK
    broken = tmp_path / "broken.whl"
    broken.write_bytes(b"junk")
    assert main(["scan", "--format", "json", str(broken)]) == ExitCode.USAGE  # nothing scanned
    assert main(["scan", "--format", "json", str(clean), str(broken)]) == ExitCode.INCOMPLETE
    missing = str(tmp_path / "missing")
    assert main(["scan", "--format", "json", str(clean), missing]) == ExitCode.INCOMPLETE
    assert main(["scan", "--format", "json", missing]) == ExitCode.USAGE
    assert main(["scan", "--fail-on", "bogus"]) == ExitCode.USAGE
    assert main(["scan", "--max-members", "0", str(clean)]) == ExitCode.USAGE
    capsys.readouterr()


def test_a_package_read_only_in_part_makes_the_scan_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Reading stops at the padding (over 200:1 past 16 MiB): setup.py after it is unread.
    sdist = write_tar(
        tmp_path / "bombed-1.0.tar.gz",
        {
            "bombed-1.0/padding.bin": bytes(20 * 1024 * 1024),
            "bombed-1.0/setup.py": b"from setuptools import setup\nsetup()\n",
        },
    )
    code = main(["scan", "--format", "json", str(sdist)])
    document = json.loads(capsys.readouterr().out)
    (result,) = document["results"]
    assert result["verdict"] == "clean" and result["stats"]["files"] == 1
    assert code == ExitCode.INCOMPLETE


def test_fail_on_suspicious(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheel = make_wheel(tmp_path, "odd", "1.0", {"sitecustomize.py": "x = 1\n"})
    code, document = scan_json(capsys, str(wheel))
    assert document["results"][0]["verdict"] == "suspicious"  # type: ignore[index]
    assert code == ExitCode.OK
    code, _ = scan_json(capsys, "--fail-on", "suspicious", str(wheel))
    assert code == ExitCode.FOUND


def test_sarif_output_file_validates(artifacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    code = main(["scan", "--format", "sarif", "--output", str(out), str(artifacts)])
    assert code == ExitCode.FOUND
    document = json.loads(out.read_text())
    if SARIF_SCHEMA.exists():
        schema = json.loads(SARIF_SCHEMA.read_text())
        jsonschema.Draft4Validator(schema).validate(document)
    rule_ids = {r["ruleId"] for r in document["runs"][0]["results"]}
    assert "pth-dangerous-code" in rule_ids
    assert not list(tmp_path.glob(".out.sarif.*"))  # no temporary file left behind


def test_unwritable_output_is_a_clear_error(
    artifacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no-such-dir" / "report.json"
    assert main(["scan", "--format", "json", "-o", str(out), str(artifacts)]) == ExitCode.USAGE
    assert "cannot write" in capsys.readouterr().err
    assert not out.exists()


def test_table_output(artifacts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(artifacts)])
    out = capsys.readouterr().out
    assert code == ExitCode.FOUND
    assert "malicious" in out and "litellm" in out and "pth-dangerous-code" in out


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == ExitCode.OK
    rules = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in rules}
    assert {"pth-dangerous-code", "sitecustomize-shipped"} <= ids
    assert all(r["kind"] in ("capability", "threat") for r in rules)
    assert main(["rules"]) == ExitCode.OK
    assert "pth-dangerous-code" in capsys.readouterr().out


def test_console_script_runs_without_arguments_on_this_environment() -> None:
    # The README's first command: `depvet scan` on the running environment.
    done = subprocess.run(
        [sys.executable, "-m", "depvet", "scan", "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    document = json.loads(done.stdout)
    verdicts = {r["verdict"] for r in document["results"]}
    assert verdicts <= {"clean"}, [r for r in document["results"] if r["verdict"] != "clean"]


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "pth-dangerous-code"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "pth-dangerous-code" in out and "threat" in out and "What to do" in out
    assert "rotate" in out  # the remediation text
    assert main(["explain", "pth-nonsense"]) == ExitCode.USAGE
    assert "pth-dangerous-code" in capsys.readouterr().err  # suggests the close ids
