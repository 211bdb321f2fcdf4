"""The SARIF 2.1.0 report, shaped for GitHub code scanning.

One run; the driver lists every rule with GitHub's ``security-severity`` and
tags; each finding becomes a result located at ``<artifact>/<path inside>``.
Scan errors become tool execution notifications, and every package's verdict
and score are kept in ``run.properties`` so nothing in the JSON report is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from urllib.parse import quote

from depvet.model import Finding, Rule, ScanError, ScanResult, Severity, Verdict
from depvet.report.interface import Report, utf8_safe
from depvet.report.json import JsonObject, summary_object

__all__ = [
    "FINGERPRINT",
    "SARIF_SCHEMA",
    "SarifReporter",
    "location_uri",
    "rule_name",
    "technique_tags",
]

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/depvet/"
FINGERPRINT = "depvetFinding/v1"

LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub ranks alerts by this score: above 9.0 critical, 7.0 high, 4.0 medium.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

# RFC 3986 pchar minus the unreserved characters quote() keeps anyway. ':' is
# left out: in the first segment of a relative reference it would read as a scheme.
_RELATIVE_SAFE = "/!$&'()*+,;=@"
_ABSOLUTE_SAFE = _RELATIVE_SAFE + ":"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_WORD = re.compile(r"[A-Za-z0-9]+")
_ATTACK_ID = re.compile(r"\bT\d{4}(?:\.\d{3})?\b")  # MITRE ATT&CK technique ids
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")


class SarifReporter:
    """Renders findings as a SARIF 2.1.0 log GitHub code scanning accepts."""

    name = "sarif"

    def render(self, report: Report) -> str:
        """The SARIF log, indented by two spaces and ending in a newline."""
        rules = _rule_table(report)
        index = {rule.id: i for i, rule in enumerate(rules)}
        run: JsonObject = {
            "tool": {
                "driver": {
                    "name": "depvet",
                    "semanticVersion": report.tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": [_descriptor(rule) for rule in rules],
                }
            },
            "invocations": [_invocation(report)],
            "results": [
                _result(result, finding, index[finding.rule])
                for result in report.results
                for finding in result.findings
            ],
            "properties": {
                "failOn": report.fail_on.value,
                "summary": summary_object(report),
                "packages": [_package(result) for result in report.results],
            },
        }
        log: JsonObject = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
        return utf8_safe(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"


def rule_name(rule_id: str) -> str:
    """The PascalCase name SARIF viewers show for a kebab-case rule id."""
    return "".join(word[0].upper() + word[1:] for word in _WORD.findall(rule_id)) or "Rule"


def location_uri(
    artifact: str, inner: str | None = None, *, windows: bool = os.name == "nt"
) -> str:
    """A URI reference for ``inner`` (a '/'-separated path inside ``artifact``).

    A relative artifact path stays relative, as GitHub resolves it against the
    repository root; an absolute one becomes a ``file://`` URI. Characters a
    URI cannot hold are percent-encoded as UTF-8, and a name decoded with
    'surrogateescape' gets its original bytes back.
    """
    path = artifact
    if windows or _WINDOWS_DRIVE.match(path):
        path = path.replace("\\", "/")
    if inner:
        path = path.rstrip("/") + "/" + inner.lstrip("/")
    if windows and path.startswith("//"):  # a UNC path: //server/share/...
        return "file:" + quote(_utf8(path), safe=_ABSOLUTE_SAFE)
    if path.startswith("/"):
        return "file://" + quote(_utf8(path), safe=_ABSOLUTE_SAFE)
    if _WINDOWS_DRIVE.match(path):
        return "file:///" + quote(_utf8(path), safe=_ABSOLUTE_SAFE)
    return quote(_utf8(path), safe=_RELATIVE_SAFE)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte produced
        return text.encode("utf-8", "surrogatepass")


def _rule_table(report: Report) -> tuple[Rule, ...]:
    """Every known rule, plus a stand-in for any rule a finding names but metadata lacks."""
    rules = {rule.id: rule for rule in report.rules.values()}
    for result in report.results:
        for finding in result.findings:
            if finding.rule not in rules:
                rules[finding.rule] = Rule(
                    id=finding.rule,
                    kind=finding.kind,
                    severity=finding.severity,
                    description=f"depvet rule {finding.rule}",
                    technique="",
                    remediation="This depvet version has no metadata for this rule; "
                    "read the finding's message and evidence.",
                )
    return tuple(sorted(rules.values(), key=lambda rule: rule.id))


def technique_tags(technique: str) -> list[str]:
    """Tags for a technique like ``Install hooks (T1059.004, T1105)``: its name, then ATT&CK ids."""
    name = _TRAILING_PARENS.sub("", technique).strip()
    tags = [name] if name else []
    tags += _ATTACK_ID.findall(technique)
    return list(dict.fromkeys(tags))


def _descriptor(rule: Rule) -> JsonObject:
    techniques = technique_tags(rule.technique)
    full = f"{rule.description} Technique: {rule.technique}." if techniques else rule.description
    return {
        "id": rule.id,
        "name": rule_name(rule.id),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": full},
        "help": {
            "text": f"Remediation: {rule.remediation}",
            "markdown": f"**Remediation:** {rule.remediation}",
        },
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", rule.kind.value, *techniques],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "version": rule.version,
        },
    }


def _package(result: ScanResult) -> JsonObject:
    return {
        "artifact": result.artifact,
        "kind": result.kind,
        "name": result.name,
        "version": result.version,
        "verdict": result.verdict.value,
        "score": result.score,
        "decided_by": list(result.decided_by),
    }


def _label(result: ScanResult) -> str:
    if result.name is None:
        return result.artifact
    return f"{result.name} {result.version}" if result.version else result.name


def _result(result: ScanResult, finding: Finding, rule_index: int) -> JsonObject:
    physical: JsonObject = {
        "artifactLocation": {"uri": location_uri(result.artifact, finding.path)}
    }
    if finding.line is not None and finding.line >= 1:
        region: JsonObject = {"startLine": finding.line}
        if finding.evidence:
            region["snippet"] = {"text": finding.evidence}
        physical["region"] = region
    message = finding.message or finding.rule
    fingerprint = "\0".join((finding.rule, result.artifact, finding.path, finding.evidence))
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {
            "text": f"{message} [{_label(result)}: {result.verdict.value}, score {result.score}]"
        },
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            FINGERPRINT: hashlib.sha256(fingerprint.encode("utf-8", "surrogatepass")).hexdigest()
        },
        "properties": {
            "artifact": result.artifact,
            "package": result.name,
            "version": result.version,
            "verdict": result.verdict.value,
            "score": result.score,
            "severity": finding.severity.name.lower(),
            "path": finding.path,
            "line": finding.line,
            "evidence": finding.evidence,
        },
    }


def _invocation(report: Report) -> JsonObject:
    notifications = [_notification(error, None) for error in report.errors]
    notifications += [
        _notification(error, result) for result in report.results for error in result.errors
    ]
    # Failure means nothing could be scanned at all; partial failures are
    # reported as notifications next to the results that did come through.
    nothing_scanned = (bool(report.results) or bool(report.errors)) and all(
        result.verdict is Verdict.ERROR for result in report.results
    )
    invocation: JsonObject = {"executionSuccessful": not nothing_scanned}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _notification(error: ScanError, result: ScanResult | None) -> JsonObject:
    where = [result.artifact] if result is not None else []
    if error.path:
        where.append(error.path)
    text = f"{error.message} [{error.reference}]"
    notification: JsonObject = {
        "level": "error",
        "message": {"text": ": ".join([*where, text])},
        "properties": {"reference": error.reference},
    }
    if result is not None:
        notification["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": location_uri(result.artifact, error.path)}
                }
            }
        ]
    return notification
