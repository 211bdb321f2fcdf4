"""The JSON report: the documented shape, field by field, and hostile strings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from depvet.model import EVIDENCE_MAX, ScanResult, ScanSummary, Verdict
from depvet.report.json import SCHEMA_VERSION, JsonReporter

from .samples import (
    ALL_RESULTS,
    BROKEN,
    HOSTILE,
    HOSTILE_ARTIFACT,
    HOSTILE_EVIDENCE,
    HOSTILE_MESSAGE,
    HOSTILE_NAME,
    HOSTILE_PATH,
    HOSTILE_VERSION,
    INSTALLED_CLEAN,
    MALICIOUS,
    NON_ASCII,
    build_report,
    finding,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "JSON.md"


def render(results: tuple[ScanResult, ...] = ALL_RESULTS, **kwargs: Any) -> str:
    return JsonReporter().render(build_report(results, **kwargs))


def load(results: tuple[ScanResult, ...] = ALL_RESULTS, **kwargs: Any) -> Any:
    return json.loads(render(results, **kwargs))


def test_top_level_shape() -> None:
    document = load()
    assert list(document) == ["tool", "schema_version", "results", "summary", "errors"]
    assert document["tool"] == {"name": "depvet", "version": "0.1.0"}
    assert document["schema_version"] == SCHEMA_VERSION == 1
    assert len(document["results"]) == len(ALL_RESULTS)
    assert document["errors"] == [
        {"reference": "source-error", "message": "No such file", "path": "missing/dir"}
    ]


def test_result_fields() -> None:
    result = load()["results"][0]
    assert list(result) == [
        "artifact",
        "kind",
        "name",
        "version",
        "verdict",
        "score",
        "decided_by",
        "findings",
        "errors",
        "advisories",
        "integrity",
        "declared",
        "sha256",
        "stats",
    ]
    assert result["artifact"] == "dist/evil-1.0-py3-none-any.whl"
    assert result["kind"] == "wheel"
    assert (result["name"], result["version"]) == ("evil", "1.0")
    assert result["verdict"] == "malicious"
    assert result["score"] == 97
    assert result["decided_by"] == ["pth-exec", "decode-exec"]
    assert result["errors"] == []
    assert result["stats"] == {"files": 4, "bytes": 2048, "cached_files": 1}


def test_finding_fields() -> None:
    findings = load()["results"][0]["findings"]
    assert findings[0] == {
        "rule": "pth-exec",
        "severity": "critical",
        "kind": "threat",
        "path": "evil.pth",
        "line": 1,
        "message": "something happened",
        "evidence": "import os; exec(x)",
        "scope": "file",
    }
    assert list(findings[0]) == [
        "rule",
        "severity",
        "kind",
        "path",
        "line",
        "message",
        "evidence",
        "scope",
    ]
    assert [f["severity"] for f in findings] == ["critical", "high", "info"]
    assert findings[2]["kind"] == "capability"
    assert findings[2]["line"] is None


def test_result_without_findings_or_package_name() -> None:
    clean, broken = load((INSTALLED_CLEAN, BROKEN))["results"]
    assert clean["findings"] == [] and clean["decided_by"] == [] and clean["verdict"] == "clean"
    assert broken["name"] is None and broken["version"] is None
    assert broken["verdict"] == "error"
    assert broken["errors"] == [
        {"reference": "artifact-unreadable", "message": "File is not a zip file", "path": None},
        {"reference": "detector-failed", "message": "timed out", "path": "broken/big.py"},
    ]


def test_summary_fields() -> None:
    summary = load()["summary"]
    assert list(summary) == [
        "artifacts",
        "by_verdict",
        "errors",
        "files",
        "bytes",
        "cached_files",
        "seconds",
        "fail_on",
    ]
    assert summary["artifacts"] == 6
    assert summary["by_verdict"] == {"clean": 1, "suspicious": 3, "malicious": 1, "error": 1}
    assert summary["errors"] == 1
    assert summary["files"] == 4 + 2 + 17
    assert summary["bytes"] == 2048 + 100 + 500_000
    assert summary["cached_files"] == 18
    assert summary["seconds"] == 1.235
    assert summary["fail_on"] == "suspicious"


def test_by_verdict_always_has_every_verdict_in_order() -> None:
    summary = ScanSummary(artifacts=1, by_verdict={"malicious": 1})
    by_verdict = load((MALICIOUS,), summary=summary)["summary"]["by_verdict"]
    assert list(by_verdict) == ["clean", "suspicious", "malicious", "error"]
    assert by_verdict == {"clean": 0, "suspicious": 0, "malicious": 1, "error": 0}


def test_empty_run() -> None:
    document = load((), errors=())
    assert document["results"] == [] and document["errors"] == []
    assert document["summary"]["artifacts"] == 0


def test_text_layout_is_stable() -> None:
    text = render()
    assert text == render()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "tool": {\n    "name": "depvet"')
    # ensure_ascii=False: non-ASCII names are written as themselves.
    assert "пакет" in text


def test_hostile_strings_survive_escaping() -> None:
    text = render()
    # JSON escapes every C0 control character; the only raw one left is the layout newline.
    assert not re.search(r"[\x00-\x09\x0b-\x1f]", text)
    hostile = json.loads(text)["results"][1]
    assert hostile["artifact"] == HOSTILE_ARTIFACT
    assert hostile["name"] == HOSTILE_NAME
    assert hostile["version"] == HOSTILE_VERSION
    assert hostile["findings"][0]["path"] == HOSTILE_PATH
    assert hostile["findings"][0]["message"] == HOSTILE_MESSAGE
    assert hostile["findings"][0]["evidence"] == HOSTILE_EVIDENCE


def test_undecodable_file_names_still_encode_as_utf8() -> None:
    name = "pkg/\udcff\udcfe.py"  # as os.fsdecode returns undecodable bytes
    result = ScanResult(
        artifact="dist/x.whl",
        kind="wheel",
        name="x",
        version="1",
        verdict=Verdict.SUSPICIOUS,
        score=20,
        findings=(finding("network-call", path=name),),
    )
    text = render((result,))
    text.encode("utf-8")
    assert json.loads(text)["results"][0]["findings"][0]["path"] == "pkg/\ufffd\ufffd.py"


def test_evidence_is_at_most_the_documented_length() -> None:
    evidence = load((NON_ASCII,))["results"][0]["findings"][0]["evidence"]
    assert len(evidence) == EVIDENCE_MAX == 200
    assert evidence.endswith("…")


@given(text=st.text(st.characters(exclude_categories=["Cs"])))
def test_any_text_round_trips(text: str) -> None:
    result = ScanResult(
        artifact=text,
        kind="wheel",
        name=text,
        version=text,
        verdict=Verdict.SUSPICIOUS,
        score=1,
        findings=(finding("x", path=text, message=text, evidence=text[:EVIDENCE_MAX]),),
    )
    loaded = load((result,), errors=())["results"][0]
    assert loaded["artifact"] == loaded["name"] == loaded["version"] == text
    assert loaded["findings"][0]["path"] == loaded["findings"][0]["message"] == text


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


def test_docs_describe_every_field() -> None:
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    emitted = _keys(load())
    assert emitted <= documented, f"undocumented fields: {sorted(emitted - documented)}"


def test_hostile_result_keeps_its_place_and_verdict() -> None:
    results = load()["results"]
    assert [r["verdict"] for r in results] == [r.verdict.value for r in ALL_RESULTS]
    assert results[1]["name"] == HOSTILE.name
