"""Hand-built scan results for the reporter tests, hostile strings included."""

from __future__ import annotations

from collections.abc import Sequence

from depvet.model import (
    FailOn,
    Finding,
    Rule,
    RuleKind,
    ScanError,
    ScanResult,
    ScanSummary,
    Severity,
    Verdict,
)
from depvet.report.interface import Report

# Markup, a newline, a carriage return, ANSI escapes and a bidi override: what
# a malicious package can put in its own name, version and file names.
HOSTILE_NAME = "[bold red]pwn[/]\nclean\r:smile:"
HOSTILE_VERSION = "1.0\x1b[31m"
HOSTILE_ARTIFACT = "dist/we ird\n[bold]x[/bold]\x1b[2J#?%-1.0.tar.gz"
HOSTILE_PATH = "pkg/fïlé ñame\t\u202eyp.txt"
HOSTILE_MESSAGE = "[link=https://example.invalid]click[/link] \x07\x00"
HOSTILE_EVIDENCE = "exec(b64decode('cHJpbnQ='))\x1b]0;title\x07 😀"

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            id="pth-exec",
            kind=RuleKind.THREAT,
            severity=Severity.CRITICAL,
            description="A .pth file runs code at every interpreter start.",
            technique="Start-up hooks (T1546, T1059.006)",
            remediation="Remove the package and rotate credentials it could read.",
        ),
        Rule(
            id="decode-exec",
            kind=RuleKind.THREAT,
            severity=Severity.HIGH,
            description="Decoded data is executed.",
            technique="T1027",
            remediation="Treat the package as malicious.",
        ),
        Rule(
            id="network-call",
            kind=RuleKind.CAPABILITY,
            severity=Severity.MEDIUM,
            description="Code reaches the network.",
            technique="",
            remediation="Check where it connects.",
            version=2,
        ),
        Rule(
            id="env-read",
            kind=RuleKind.CAPABILITY,
            severity=Severity.LOW,
            description="Code reads environment variables.",
            technique="credential-access",
            remediation="Check which variables.",
        ),
        Rule(
            id="uses-subprocess",
            kind=RuleKind.CAPABILITY,
            severity=Severity.INFO,
            description="Code starts processes.",
            technique="execution",
            remediation="Nothing on its own.",
        ),
    )
}


def finding(
    rule: str,
    *,
    path: str = "pkg/__init__.py",
    line: int | None = 1,
    message: str = "something happened",
    evidence: str = "evidence",
) -> Finding:
    """A finding whose severity and kind come from :data:`RULES` (medium threat if unknown)."""
    meta = RULES.get(rule)
    return Finding(
        rule=rule,
        severity=meta.severity if meta else Severity.MEDIUM,
        kind=meta.kind if meta else RuleKind.THREAT,
        path=path,
        line=line,
        message=message,
        evidence=evidence,
    )


MALICIOUS = ScanResult(
    artifact="dist/evil-1.0-py3-none-any.whl",
    kind="wheel",
    name="evil",
    version="1.0",
    verdict=Verdict.MALICIOUS,
    score=97,
    findings=(
        finding("pth-exec", path="evil.pth", line=1, evidence="import os; exec(x)"),
        finding("decode-exec", path="evil/__init__.py", line=3, evidence="exec(b64decode(s))"),
        finding("uses-subprocess", path="evil/__init__.py", line=None),
    ),
    decided_by=("pth-exec", "decode-exec"),
    files=4,
    bytes=2048,
    cached_files=1,
)
HOSTILE = ScanResult(
    artifact=HOSTILE_ARTIFACT,
    kind="sdist",
    name=HOSTILE_NAME,
    version=HOSTILE_VERSION,
    verdict=Verdict.SUSPICIOUS,
    score=55,
    findings=(
        finding(
            "network-call",
            path=HOSTILE_PATH,
            line=None,
            message=HOSTILE_MESSAGE,
            evidence=HOSTILE_EVIDENCE,
        ),
    ),
    decided_by=("network-call",),
    files=2,
    bytes=100,
)
INSTALLED_CLEAN = ScanResult(
    artifact="/srv/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info",
    kind="installed",
    name="requests",
    version="2.31.0",
    verdict=Verdict.CLEAN,
    score=3,
    files=17,
    bytes=500_000,
    cached_files=17,
)
ABSOLUTE_SUSPICIOUS = ScanResult(
    artifact="/tmp/downloads/odd pkg-0.2.tar.gz",
    kind="sdist",
    name="odd-pkg",
    version="0.2",
    verdict=Verdict.SUSPICIOUS,
    score=41,
    findings=(
        finding("env-read", path="odd_pkg/setup.py", line=0, evidence="os.environ['AWS']"),
        finding("unlisted-rule", path="odd_pkg/x.py", line=7),
    ),
    decided_by=("env-read", "unlisted-rule"),
)
NON_ASCII = ScanResult(
    artifact="dist/пакет-1.0-py3-none-any.whl",
    kind="wheel",
    name="пакет",
    version="1.0",
    verdict=Verdict.SUSPICIOUS,
    score=30,
    findings=(finding("network-call", path="пакет/сеть.py", line=12, evidence="é" * 300),),
    decided_by=("network-call",),
)
BROKEN = ScanResult(
    artifact="dist/broken-0.1-py3-none-any.whl",
    kind="wheel",
    name=None,
    version=None,
    verdict=Verdict.ERROR,
    score=0,
    errors=(
        ScanError(reference="artifact-unreadable", message="File is not a zip file"),
        ScanError(reference="detector-failed", message="timed out", path="broken/big.py"),
    ),
)

ALL_RESULTS = (MALICIOUS, HOSTILE, INSTALLED_CLEAN, ABSOLUTE_SUSPICIOUS, NON_ASCII, BROKEN)
RUN_ERRORS = (ScanError(reference="source-error", message="No such file", path="missing/dir"),)


def summarize(results: Sequence[ScanResult], seconds: float = 1.23456) -> ScanSummary:
    """The summary the pipeline would compute for ``results``."""
    by_verdict: dict[str, int] = {}
    for result in results:
        by_verdict[result.verdict.value] = by_verdict.get(result.verdict.value, 0) + 1
    return ScanSummary(
        artifacts=len(results),
        by_verdict=by_verdict,
        errors=sum(1 for r in results if r.errors),
        files=sum(r.files for r in results),
        bytes=sum(r.bytes for r in results),
        cached_files=sum(r.cached_files for r in results),
        seconds=seconds,
    )


def build_report(
    results: Sequence[ScanResult] = ALL_RESULTS,
    *,
    errors: Sequence[ScanError] = RUN_ERRORS,
    summary: ScanSummary | None = None,
) -> Report:
    """A report over ``results`` with the sample rule metadata."""
    return Report(
        results=tuple(results),
        summary=summary if summary is not None else summarize(results),
        rules=RULES,
        fail_on=FailOn.SUSPICIOUS,
        tool_version="0.1.0",
        errors=tuple(errors),
    )
