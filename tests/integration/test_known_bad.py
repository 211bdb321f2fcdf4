"""The embedded known-bad feed flags litellm 1.82.8 everywhere it can hide, with no network."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from depvet.cli import ExitCode, main
from tests.artifacts.test_filesystem import make_site
from tests.builders import make_wheel, metadata_text
from tests.sources.lockfiles.generate import FORMATS, write_lockfile

BAD = ("litellm", "1.82.8", "ab" * 32)
GOOD = [("requests", "2.32.3", "cd" * 32), ("idna", "3.10", "ef" * 32)]


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["scan", "--format", "json", "--jobs", "1", *args])
    return code, json.loads(capsys.readouterr().out)


def verdicts(document: dict[str, object]) -> dict[str, str]:
    results = document["results"]
    assert isinstance(results, list)
    return {r["name"]: r["verdict"] for r in results if r["name"]}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_lockfile_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lockfile = write_lockfile(tmp_path, fmt, [*GOOD, BAD])
    code, document = scan(capsys, str(lockfile))
    assert verdicts(document)["litellm"] == "malicious", document
    assert code == ExitCode.FOUND
    results = document["results"]
    assert isinstance(results, list)
    (bad,) = [r for r in results if r["name"] == "litellm"]
    assert bad["artifact"] == str(lockfile)
    assert bad["advisories"][0]["malicious"] is True
    assert bad["declared"]["line"] is not None
    assert {verdicts(document)[n] for n, _, _ in GOOD} == {"clean"}


def test_project_folder_finds_its_lockfiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "prod.txt").write_text("litellm==1.82.8\n")
    (tmp_path / "uv.lock").write_text("not = [valid\n")  # broken: reported, others go on
    code, document = scan(capsys, str(tmp_path))
    assert verdicts(document)["litellm"] == "malicious"
    results = document["results"]
    assert isinstance(results, list)
    broken = [r for r in results if r["artifact"].endswith("uv.lock")]
    assert broken and broken[0]["errors"][0]["reference"] == "lockfile-malformed"
    assert ":1:" in broken[0]["errors"][0]["message"]  # names the line
    assert code == ExitCode.FOUND


def test_installed_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    meta = site / "litellm-1.82.8.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(metadata_text("litellm", "1.82.8"))
    (meta / "RECORD").write_text("litellm-1.82.8.dist-info/METADATA,,\n")
    code, document = scan(capsys, str(site))
    assert verdicts(document) == {"demo": "clean", "litellm": "malicious"}
    assert code == ExitCode.FOUND


def test_wheel_of_that_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheel = make_wheel(tmp_path, "litellm", "1.82.8", {"litellm/__init__.py": "x = 1\n"})
    clean = make_wheel(tmp_path, "litellm", "1.82.6", {"litellm/__init__.py": "x = 1\n"})
    code, document = scan(capsys, str(wheel), str(clean))
    results = document["results"]
    assert isinstance(results, list)
    assert [(r["version"], r["verdict"]) for r in results] == [
        ("1.82.8", "malicious"),
        ("1.82.6", "clean"),
    ]
    assert code == ExitCode.FOUND


def test_fail_on_vulnerable_and_db_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    advisory = {
        "id": "PYSEC-2099-1",
        "modified": "2099-01-01T00:00:00Z",
        "summary": "fixture vulnerability",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo-lib"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    }
    osv = tmp_path / "PYSEC-2099-1.json"
    osv.write_text(json.dumps(advisory))
    assert main(["db", "import", str(osv)]) == ExitCode.OK
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("demo-lib==1.5\n")
    capsys.readouterr()
    code, document = scan(capsys, str(requirements))
    assert code == ExitCode.OK  # a vulnerability is not malware
    results = document["results"]
    assert isinstance(results, list)
    assert results[0]["advisories"][0]["fixed"] == ["2.0"]
    code, _ = scan(capsys, "--fail-on", "vulnerable", str(requirements))
    assert code == ExitCode.FOUND
    assert main(["db", "status", "--json"]) == ExitCode.OK
    status = json.loads(capsys.readouterr().out)
    assert status["advisories"] >= 2  # the fixture plus the embedded feed


def test_sbom_documents_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    lockfile = write_lockfile(tmp_path, "requirements", [*GOOD, BAD])
    out = tmp_path / "bom.json"
    assert main(["sbom", str(lockfile), "-o", str(out)]) == ExitCode.OK
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert {c["name"] for c in bom["components"]} == {"requests", "idna", "litellm"}
    assert [v["id"] for v in bom["vulnerabilities"]] == ["DEPVET-2026-0001"]
    spdx = tmp_path / "bom.spdx.json"
    assert main(["sbom", "--format", "spdx", str(lockfile), "-o", str(spdx)]) == ExitCode.OK
    schema = json.loads(
        (Path(__file__).parents[1] / "sbom" / "data" / "spdx-schema-2.3.json").read_text()
    )
    jsonschema.Draft201909Validator(schema).validate(json.loads(spdx.read_text()))
