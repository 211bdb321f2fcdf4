"""The policy's decision on one file."""

from __future__ import annotations

import datetime as dt

import pytest

from depvet.model import AdvisoryMatch, Verdict
from depvet.policy import Action, FileFacts, Policy, decide
from depvet.policy.config import Exception_
from depvet.policy.decide import advisory_severity, humanize

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def facts(**overrides: object) -> FileFacts:
    values: dict[str, object] = {
        "project": "demo",
        "version": "1.0",
        "filename": "demo-1.0-py3-none-any.whl",
        "upload_time": NOW - dt.timedelta(days=30),
    }
    values.update(overrides)
    return FileFacts(**values)  # type: ignore[arg-type]


def entry(
    kind: str, expires: dt.date = dt.date(2027, 1, 1), versions: str | None = None
) -> Exception_:
    from packaging.specifiers import SpecifierSet

    return Exception_(
        package="demo",
        versions=SpecifierSet(versions) if versions else None,
        reason=f"{kind} reason",
        expires=expires,
        kind=kind,
    )


def test_an_old_clean_file_is_allowed() -> None:
    decision = decide(Policy(), facts(verdict=Verdict.CLEAN), now=NOW)
    assert decision.action is Action.ALLOW and decision.reasons == ()


def test_a_file_younger_than_the_cooldown_is_refused() -> None:
    decision = decide(Policy(), facts(upload_time=NOW - dt.timedelta(hours=2)), now=NOW)
    assert not decision.allowed
    [reason] = decision.reasons
    assert reason.code == "too-new"
    assert reason.text == "uploaded 2 h ago, the policy's minimum age is 7 d"


def test_a_per_package_override_lifts_the_cooldown() -> None:
    policy = Policy(cooldown_overrides={"demo": dt.timedelta(0)})
    assert decide(policy, facts(upload_time=NOW), now=NOW).allowed


def test_unknown_age_follows_the_policy() -> None:
    assert decide(Policy(), facts(upload_time=None), now=NOW).allowed
    refused = decide(Policy(unknown_age="refuse"), facts(upload_time=None), now=NOW)
    assert [r.code for r in refused.reasons] == ["age-unknown"]


def test_verdicts_block_as_configured() -> None:
    malicious = facts(
        verdict=Verdict.MALICIOUS, decided_by=("pth-dangerous-code", "import-process")
    )
    decision = decide(Policy(), malicious, now=NOW)
    assert [r.code for r in decision.reasons] == ["verdict-malicious"]
    assert decision.slug() == "verdict-malicious=pth-dangerous-code,import-process"
    assert decide(Policy(), facts(verdict=Verdict.SUSPICIOUS), now=NOW).allowed
    strict = Policy(block_verdicts=frozenset({Verdict.SUSPICIOUS, Verdict.MALICIOUS}))
    assert not decide(strict, facts(verdict=Verdict.SUSPICIOUS), now=NOW).allowed


def test_known_malicious_and_advisory_severities() -> None:
    mal = AdvisoryMatch(id="MAL-2026-1", malicious=True)
    assert [r.code for r in decide(Policy(), facts(advisories=(mal,)), now=NOW).reasons] == [
        "known-malicious"
    ]
    critical = AdvisoryMatch(id="GHSA-x", severity="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    low = AdvisoryMatch(id="GHSA-y", severity="CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N")
    assert [r.code for r in decide(Policy(), facts(advisories=(critical,)), now=NOW).reasons] == [
        "advisory"
    ]
    assert decide(Policy(), facts(advisories=(low,)), now=NOW).allowed
    unknown = AdvisoryMatch(id="PYSEC-1")
    assert decide(Policy(), facts(advisories=(unknown,)), now=NOW).allowed
    assert not decide(
        Policy(block_severities=frozenset({"unknown"})), facts(advisories=(unknown,)), now=NOW
    ).allowed


@pytest.mark.parametrize(
    ("severity", "label"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "critical"),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", "low"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "critical"),
        ("MODERATE", "medium"),
        ("HIGH", "high"),
        ("CVSS:3.1/garbage", "unknown"),
        (None, "unknown"),
    ],
)
def test_advisory_severity(severity: str | None, label: str) -> None:
    assert advisory_severity(AdvisoryMatch(id="X", severity=severity)) == label


def test_yanked_files_are_refused_only_when_configured() -> None:
    yanked = facts(yanked=True, yanked_reason="broken build")
    assert decide(Policy(), yanked, now=NOW).allowed
    decision = decide(Policy(hide_yanked=True), yanked, now=NOW)
    assert decision.reasons[0].text == "yanked from the index: broken build"


def test_deny_wins_over_allow_and_everything_else() -> None:
    policy = Policy(allow=(entry("allow"),), deny=(entry("deny", versions="==1.0"),))
    decision = decide(policy, facts(verdict=Verdict.CLEAN), now=NOW)
    assert [r.code for r in decision.reasons] == ["denied"]
    assert decision.reasons[0].text == "denied by policy: deny reason"
    assert decide(policy, facts(version="2.0", verdict=Verdict.CLEAN), now=NOW).allowed


def test_allow_lifts_refusals_and_says_so() -> None:
    policy = Policy(allow=(entry("allow"),))
    decision = decide(policy, facts(verdict=Verdict.MALICIOUS, upload_time=NOW), now=NOW)
    assert decision.allowed
    assert "allowed by policy despite too-new, verdict-malicious: allow reason" in decision.notes[0]


def test_expired_exceptions_stop_applying_and_say_so() -> None:
    expired = entry("allow", expires=dt.date(2026, 11, 26))
    decision = decide(Policy(allow=(expired,)), facts(verdict=Verdict.MALICIOUS), now=NOW)
    assert not decision.allowed
    assert decision.notes == (
        "allow entry demo (allow reason) expired on 2026-11-26 and no longer applies",
    )
    # The expiry day itself still counts.
    assert decide(
        Policy(allow=(entry("allow", expires=NOW.date()),)),
        facts(verdict=Verdict.MALICIOUS),
        now=NOW,
    ).allowed
    old_deny = entry("deny", expires=dt.date(2026, 1, 1))
    assert decide(Policy(deny=(old_deny,)), facts(), now=NOW).allowed


def test_humanize() -> None:
    assert humanize(dt.timedelta(days=7)) == "7 d"
    assert humanize(dt.timedelta(hours=1, minutes=30)) == "1.5 h"
    assert humanize(dt.timedelta(seconds=42)) == "42 s"


def test_what_is_hidden_before_download_and_what_is_refused_at_download() -> None:
    young = decide(Policy(), facts(upload_time=NOW - dt.timedelta(hours=1)), now=NOW)
    critical = AdvisoryMatch(id="GHSA-x", severity="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    vulnerable = decide(Policy(), facts(advisories=(critical,)), now=NOW)
    assert young.hides
    assert not vulnerable.allowed and not vulnerable.hides  # 403 with the reason instead
    assert not decide(Policy(), facts(), now=NOW).hides


def test_a_file_not_fully_scanned_is_refused_whatever_its_verdict() -> None:
    partial = facts(verdict=Verdict.CLEAN, incomplete="demo.tar.gz: compression ratio over 200:1")
    decision = decide(Policy(), partial, now=NOW)
    assert [r.code for r in decision.reasons] == ["incomplete"]
    assert decision.reasons[0].text == (
        "not fully scanned: demo.tar.gz: compression ratio over 200:1"
    )
    # A reviewed file can still be allowed, and the report says what was lifted.
    allowed = decide(Policy(allow=(entry("allow"),)), partial, now=NOW)
    assert allowed.allowed and "despite incomplete" in allowed.notes[0]
