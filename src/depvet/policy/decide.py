"""Apply a policy to one distribution file: allow it, or refuse it and say why.

The same decision serves ``depvet check``, ``depvet install`` and the proxy.
Before a file is fetched only what the index says is known (name, version,
upload time, yanked state, advisories); after it is scanned the verdict
joins in. A deny entry always wins; an allow entry lifts every other
refusal; an expired entry no longer applies and the decision says so.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from depvet.model import AdvisoryMatch, Verdict
from depvet.policy.config import Exception_, Policy

__all__ = ["Action", "Decision", "FileFacts", "Reason", "advisory_severity", "decide", "humanize"]


class Action(enum.StrEnum):
    """What happens to the file."""

    ALLOW = "allow"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One ground for refusing: a short code (for URLs and JSON) and a sentence for humans."""

    code: str  # too-new, denied, known-malicious, advisory, verdict-*, yanked, age-unknown
    text: str
    detail: str = ""  # a short, URL-safe qualifier: the rules behind a verdict, advisory ids


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFacts:
    """What is known of a file when the policy is applied."""

    project: str
    version: str | None
    filename: str
    upload_time: dt.datetime | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    advisories: tuple[AdvisoryMatch, ...] = ()
    verdict: Verdict | None = None  # None: not scanned (yet)
    decided_by: tuple[str, ...] = ()
    incomplete: str | None = None  # why the scan did not read or analyse all of it; None: it did


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The outcome, every reason behind a refusal, and notes (exceptions used or expired)."""

    action: Action
    reasons: tuple[Reason, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when the file may be served or installed."""
        return self.action is Action.ALLOW

    @property
    def hides(self) -> bool:
        """Refused for what is known before the file is fetched: the proxy does not list it.

        An advisory alone refuses at download (403) instead, so that pip fails with the
        reason rather than quietly picking an older, possibly worse, release.
        """
        return not self.allowed and any(r.code != "advisory" for r in self.reasons)

    def summary(self) -> str:
        """Every reason in one line."""
        return "; ".join(reason.text for reason in self.reasons) or "allowed"

    def slug(self) -> str:
        """The reasons as a path segment clients print: ``too-new+verdict-malicious=rule,rule``."""
        parts = (f"{r.code}={r.detail}" if r.detail else r.code for r in self.reasons)
        return "+".join(dict.fromkeys(parts)) or "refused"


def decide(policy: Policy, facts: FileFacts, *, now: dt.datetime | None = None) -> Decision:
    """Apply ``policy`` to ``facts``."""
    now = now or dt.datetime.now(dt.UTC)
    today = now.date()
    notes: list[str] = []
    deny = _applying(policy.deny, facts, today, notes)
    if deny is not None:
        return Decision(
            action=Action.REFUSE,
            reasons=(Reason(code="denied", text=f"denied by policy: {deny.reason}"),),
            notes=tuple(notes),
        )
    reasons = list(_refusals(policy, facts, now))
    allow = _applying(policy.allow, facts, today, notes)
    if reasons and allow is not None:
        lifted = ", ".join(reason.code for reason in reasons)
        notes.append(f"allowed by policy despite {lifted}: {allow.reason} (until {allow.expires})")
        reasons = []
    action = Action.REFUSE if reasons else Action.ALLOW
    return Decision(action=action, reasons=tuple(reasons), notes=tuple(notes))


def _applying(
    entries: Iterable[Exception_], facts: FileFacts, today: dt.date, notes: list[str]
) -> Exception_ | None:
    for entry in entries:
        if not entry.covers(facts.project, facts.version):
            continue
        if entry.expired(today):
            notes.append(f"{entry.describe()} expired on {entry.expires} and no longer applies")
            continue
        return entry
    return None


def _refusals(policy: Policy, facts: FileFacts, now: dt.datetime) -> Iterable[Reason]:
    malicious = [a for a in facts.advisories if a.malicious]
    if malicious:
        ids = ", ".join(a.id for a in malicious)
        yield Reason(
            code="known-malicious",
            text=f"known malicious release ({ids})",
            detail=",".join(a.id for a in malicious[:3]),
        )
    cooldown = policy.cooldown_for(facts.project)
    if cooldown > dt.timedelta(0):
        if facts.upload_time is None:
            if policy.unknown_age == "refuse":
                yield Reason(
                    code="age-unknown",
                    text="no upload time from the index; the policy refuses files of unknown age",
                )
        else:
            age = now - facts.upload_time
            if age < cooldown:
                yield Reason(
                    code="too-new",
                    text=f"uploaded {humanize(age)} ago, the policy's minimum age is "
                    f"{humanize(cooldown)}",
                )
    if facts.yanked and policy.hide_yanked:
        why = f": {facts.yanked_reason}" if facts.yanked_reason else ""
        yield Reason(code="yanked", text=f"yanked from the index{why}")
    rated = [(a, advisory_severity(a)) for a in facts.advisories if not a.malicious]
    blocking = [(a, label) for a, label in rated if label in policy.block_severities]
    if blocking:
        ids = ", ".join(f"{a.id} ({label})" for a, label in blocking)
        yield Reason(
            code="advisory",
            text=f"vulnerable: {ids}",
            detail=",".join(a.id for a, _label in blocking[:3]),
        )
    if facts.incomplete is not None:
        # A verdict on part of a file says nothing of the rest: code placed behind a
        # decompression bomb, or one that exhausts the detectors' time, is not vetted.
        yield Reason(code="incomplete", text=f"not fully scanned: {facts.incomplete}")
    if facts.verdict is not None and facts.verdict in policy.block_verdicts:
        rules = ", ".join(facts.decided_by) or "no rule named"
        yield Reason(
            code=f"verdict-{facts.verdict.value}",
            text=f"scanned {facts.verdict.value}: {rules}",
            detail=",".join(facts.decided_by[:3]),
        )


def advisory_severity(advisory: AdvisoryMatch) -> str:
    """``critical``, ``high``, ``medium``, ``low`` or ``unknown``, from a CVSS vector or a label."""
    text = (advisory.severity or "").strip()
    if not text:
        return "unknown"
    label = text.lower()
    if label in ("critical", "high", "medium", "low"):
        return label
    if label == "moderate":
        return "medium"
    try:
        if text.startswith("CVSS:4"):
            return _label(CVSS4(text).severity)
        if text.startswith("CVSS:3"):
            return _label(CVSS3(text).severities()[0])
        return _label(CVSS2(text).severities()[0])
    except (CVSSError, ValueError, KeyError, IndexError):
        return "unknown"


def _label(text: str) -> str:
    label = text.lower()
    return label if label in ("critical", "high", "medium", "low") else "unknown"


def humanize(delta: dt.timedelta) -> str:
    """``3 d``, ``5 h``, ``12 min``, ``40 s``: the largest whole unit."""
    seconds = max(delta.total_seconds(), 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return (
                f"{value:.0f} {unit}"
                if value >= 10 or value == int(value)
                else f"{value:.1f} {unit}"
            )
    return f"{seconds:.0f} s"
