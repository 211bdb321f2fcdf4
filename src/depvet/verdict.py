"""From findings to a verdict: clean, suspicious or malicious, with a score and reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from depvet.model import Finding, RuleKind, Severity, Verdict

# Points a rule adds the first time it matches in a package. A threat of
# critical severity decides alone; capabilities only add context.
WEIGHTS: dict[RuleKind, dict[Severity, int]] = {
    RuleKind.THREAT: {
        Severity.CRITICAL: 100,
        Severity.HIGH: 50,
        Severity.MEDIUM: 25,
        Severity.LOW: 10,
        Severity.INFO: 0,
    },
    RuleKind.CAPABILITY: {
        Severity.CRITICAL: 30,
        Severity.HIGH: 15,
        Severity.MEDIUM: 8,
        Severity.LOW: 3,
        Severity.INFO: 0,
    },
}
SUSPICIOUS_AT = 40
MALICIOUS_AT = 80


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    """A verdict and why."""

    verdict: Verdict
    score: int
    decided_by: tuple[str, ...]


def judge(findings: Iterable[Finding], *, readable: bool) -> Judgement:
    """Score a package's findings; ``readable`` is False when nothing of it could be read."""
    best: dict[str, int] = {}
    for finding in findings:
        weight = WEIGHTS[finding.kind][finding.severity]
        if weight > best.get(finding.rule, -1):
            best[finding.rule] = weight
    score = min(100, sum(best.values()))
    decided = tuple(
        rule
        for rule, weight in sorted(best.items(), key=lambda item: (-item[1], item[0]))
        if weight
    )
    if score >= MALICIOUS_AT:
        verdict = Verdict.MALICIOUS
    elif score >= SUSPICIOUS_AT:
        verdict = Verdict.SUSPICIOUS
    elif not readable:
        verdict = Verdict.ERROR
    else:
        verdict = Verdict.CLEAN
    return Judgement(verdict=verdict, score=score, decided_by=decided if score else ())
