"""The JSON report: a stable contract that other tools read.

The shape is documented field by field in ``docs/JSON.md``. Within
``schema_version`` 1 fields are only ever added, never renamed or removed,
and every key is always present (``null`` when a value is unknown).
"""

from __future__ import annotations

import json

from depvet.model import AdvisoryMatch, Finding, PackageRef, ScanError, ScanResult, Verdict
from depvet.report.interface import Report, utf8_safe

__all__ = ["SCHEMA_VERSION", "JsonReporter", "result_object", "summary_object"]

SCHEMA_VERSION = 1

JsonObject = dict[str, object]


class JsonReporter:
    """Renders the whole run as one JSON document."""

    name = "json"

    def render(self, report: Report) -> str:
        """The document, indented by two spaces and ending in a newline."""
        document: JsonObject = {
            "tool": {"name": "depvet", "version": report.tool_version},
            "schema_version": SCHEMA_VERSION,
            "results": [result_object(result) for result in report.results],
            "summary": summary_object(report),
            "errors": [_error(error) for error in report.errors],
        }
        return utf8_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


def result_object(result: ScanResult) -> JsonObject:
    """One package's result in the schema's shape."""
    return {
        "artifact": result.artifact,
        "kind": result.kind,
        "name": result.name,
        "version": result.version,
        "verdict": result.verdict.value,
        "score": result.score,
        "decided_by": list(result.decided_by),
        "findings": [_finding(finding) for finding in result.findings],
        "errors": [_error(error) for error in result.errors],
        "advisories": [_advisory(advisory) for advisory in result.advisories],
        "integrity": [
            {"kind": problem.kind.value, "path": problem.path, "detail": problem.detail}
            for problem in result.integrity
        ],
        "declared": _declared(result.declared) if result.declared else None,
        "sha256": result.sha256,
        "stats": {
            "files": result.files,
            "bytes": result.bytes,
            "cached_files": result.cached_files,
        },
    }


def summary_object(report: Report) -> JsonObject:
    """The run's counts in the schema's shape; ``by_verdict`` always has every verdict."""
    summary = report.summary
    return {
        "artifacts": summary.artifacts,
        "by_verdict": {v.value: summary.by_verdict.get(v.value, 0) for v in Verdict},
        "errors": summary.errors,
        "files": summary.files,
        "bytes": summary.bytes,
        "cached_files": summary.cached_files,
        # Sub-millisecond digits are noise and make otherwise equal reports differ.
        "seconds": round(summary.seconds, 3),
        "fail_on": report.fail_on.value,
    }


def _finding(finding: Finding) -> JsonObject:
    return {
        "rule": finding.rule,
        "severity": finding.severity.name.lower(),
        "kind": finding.kind.value,
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "evidence": finding.evidence,
        "scope": finding.scope.value,
    }


def _declared(ref: PackageRef) -> JsonObject:
    return {
        "line": ref.line,
        "pin": ref.pin.value,
        "specifier": ref.specifier,
        "hashes": list(ref.hashes),
        "markers": ref.markers,
        "extras": list(ref.extras),
        "url": ref.url,
        "group": ref.group,
    }


def _advisory(advisory: AdvisoryMatch) -> JsonObject:
    return {
        "id": advisory.id,
        "aliases": list(advisory.aliases),
        "summary": advisory.summary,
        "fixed": list(advisory.fixed),
        "malicious": advisory.malicious,
        "severity": advisory.severity,
        "url": advisory.url,
    }


def _error(error: ScanError) -> JsonObject:
    return {"reference": error.reference, "message": error.message, "path": error.path}
