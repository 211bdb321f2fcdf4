"""Scoring: capabilities alone stay clean, intent and combinations decide."""

from __future__ import annotations

from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag, Verdict
from depvet.verdict import judge


def rule(rid: str, kind: RuleKind, severity: Severity, *tags: Tag) -> Rule:
    return Rule(
        id=rid,
        kind=kind,
        severity=severity,
        description="d",
        technique="t",
        remediation="r",
        tags=frozenset(tags),
    )


CRED = rule("cred", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.CREDENTIALS)
NET = rule("net", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.NETWORK)
WEBHOOK = rule("webhook", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.EXFILTRATION)
BANNER = rule("banner", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.OBFUSCATION)
BLOB = rule("blob", RuleKind.CAPABILITY, Severity.LOW, Tag.OBFUSCATION)
CRITICAL = rule("critical", RuleKind.THREAT, Severity.CRITICAL)
RULES = {r.id: r for r in (CRED, NET, WEBHOOK, BANNER, BLOB, CRITICAL)}


def hit(r: Rule, scope: Scope = Scope.IMPORT) -> Finding:
    return r.finding(path="m.py", line=1, message="m", evidence="e", scope=scope)


def test_a_critical_threat_decides_alone() -> None:
    judged = judge([hit(CRITICAL)], RULES, readable=True)
    assert judged.verdict is Verdict.MALICIOUS and judged.decided_by == ("critical",)


def test_capabilities_alone_stay_clean() -> None:
    judged = judge([hit(CRED, Scope.RUNTIME), hit(NET, Scope.RUNTIME)], RULES, readable=True)
    assert judged.verdict is Verdict.CLEAN  # an SDK reads its key and calls its API


def test_credentials_next_to_an_exfiltration_channel() -> None:
    judged = judge([hit(CRED), hit(WEBHOOK)], RULES, readable=True)
    assert "combination:credentials-exfiltration" in judged.decided_by
    assert judged.verdict is Verdict.SUSPICIOUS
    # The same two in code that only runs when called: an SDK's token refresh.
    later = judge([hit(CRED, Scope.RUNTIME), hit(WEBHOOK, Scope.RUNTIME)], RULES, readable=True)
    assert later.verdict is Verdict.CLEAN


def test_one_rule_never_combines_with_itself() -> None:
    both = rule("both", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.CREDENTIALS, Tag.EXFILTRATION)
    judged = judge([hit(both)], {**RULES, "both": both}, readable=True)
    assert not [d for d in judged.decided_by if d.startswith("combination:")]


def test_credentials_sent_by_code_that_runs_unasked() -> None:
    judged = judge([hit(CRED), hit(NET)], RULES, readable=True)
    assert "combination:credentials-sent-unasked" in judged.decided_by


def test_two_signs_of_obfuscation() -> None:
    one = judge([hit(BANNER)], RULES, readable=True)
    two = judge([hit(BANNER), hit(BLOB)], RULES, readable=True)
    assert one.verdict is Verdict.CLEAN
    assert two.verdict is Verdict.SUSPICIOUS
    assert "combination:layered-obfuscation" in two.decided_by


def test_unreadable_package_is_an_error_not_clean() -> None:
    assert judge([], RULES, readable=False).verdict is Verdict.ERROR


def test_combinations_are_looked_for_file_by_file() -> None:
    apart = [
        CRED.finding(path="sdk/auth.py", line=1, message="m", evidence="e", scope=Scope.RUNTIME),
        WEBHOOK.finding(path="sdk/notify.py", line=1, message="m", evidence="e"),
    ]
    assert judge(apart, RULES, readable=True).verdict is Verdict.CLEAN
    readme = [
        CRED.finding(path="README.md", line=1, message="m", evidence="e"),
        WEBHOOK.finding(path="README.md", line=2, message="m", evidence="e"),
    ]
    assert judge(readme, RULES, readable=True).verdict is Verdict.CLEAN


def test_an_install_hook_next_to_an_exfiltration_channel() -> None:
    hook = rule("hook", RuleKind.CAPABILITY, Severity.LOW, Tag.INSTALL_HOOK)
    rules = {**RULES, "hook": hook}
    judged = judge([hit(hook, Scope.INSTALL), hit(WEBHOOK, Scope.INSTALL)], rules, readable=True)
    assert "combination:install-exfiltration" in judged.decided_by
    assert judged.verdict is Verdict.SUSPICIOUS
    # The drop box only in a function nobody calls while installing: not this combination.
    later = judge([hit(hook, Scope.INSTALL), hit(WEBHOOK, Scope.RUNTIME)], rules, readable=True)
    assert "combination:install-exfiltration" not in later.decided_by


def test_install_time_code_that_persists() -> None:
    persist = rule("persist", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.PERSISTENCE)
    rules = {**RULES, "persist": persist}
    # Install-scope code counts as an install hook by itself.
    judged = judge([hit(persist, Scope.INSTALL)], rules, readable=True)
    assert "combination:install-persistence" in judged.decided_by
    assert judged.verdict is Verdict.SUSPICIOUS
    imported = judge([hit(persist)], rules, readable=True)
    assert "combination:install-persistence" not in imported.decided_by


def test_a_package_posing_as_another_that_carries_a_threat() -> None:
    typosquat = rule("typosquat", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.IMPERSONATION)
    process = rule("process", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.PROCESS)
    dropper = rule("dropper", RuleKind.THREAT, Severity.HIGH, Tag.DOWNLOAD, Tag.PROCESS)
    rules = {**RULES, **{r.id: r for r in (typosquat, process, dropper)}}

    def named(r: Rule) -> Finding:  # what is known of the package as a whole has no path
        return r.finding(path="", line=None, message="m", evidence="e")

    # A capability next to the look-alike name: suspicious at most.
    plain = judge([named(typosquat), hit(process, Scope.RUNTIME)], rules, readable=True)
    assert "combination:impersonation-payload" in plain.decided_by
    assert plain.verdict is not Verdict.MALICIOUS
    # A threat, even in a function nobody calls on import: both signs of intent.
    threat = judge([named(typosquat), hit(dropper, Scope.RUNTIME)], rules, readable=True)
    assert threat.verdict is Verdict.MALICIOUS
    # The same threat without the look-alike name is not enough alone.
    alone = judge([hit(dropper, Scope.RUNTIME)], rules, readable=True)
    assert alone.verdict is not Verdict.MALICIOUS


def test_a_look_alike_that_downloads_and_runs_a_program() -> None:
    typosquat = rule("typosquat", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.IMPERSONATION)
    fetch_run = rule("fetch-run", RuleKind.CAPABILITY, Severity.HIGH, Tag.DOWNLOAD, Tag.PROCESS)
    process = rule("process", RuleKind.CAPABILITY, Severity.HIGH, Tag.PROCESS)
    rules = {**RULES, **{r.id: r for r in (typosquat, fetch_run, process)}}
    named = typosquat.finding(path="", line=None, message="m", evidence="e")
    # The download and the run in a function its victims call, not on import.
    dropper = judge([named, hit(fetch_run, Scope.RUNTIME)], rules, readable=True)
    assert "combination:impersonation-dropper" in dropper.decided_by
    assert dropper.verdict is Verdict.MALICIOUS
    # A look-alike that only runs a command: no download, not this combination.
    runs = judge([named, hit(process, Scope.RUNTIME)], rules, readable=True)
    assert "combination:impersonation-dropper" not in runs.decided_by
    assert runs.verdict is not Verdict.MALICIOUS
    # An installer that downloads and runs a program under its own name.
    own = judge([hit(fetch_run, Scope.RUNTIME)], rules, readable=True)
    assert own.verdict is Verdict.CLEAN


def test_network_on_import_next_to_an_exfiltration_channel() -> None:
    judged = judge([hit(WEBHOOK, Scope.FILE), hit(NET)], RULES, readable=True)
    assert "combination:import-exfiltration" in judged.decided_by
    assert judged.verdict is Verdict.SUSPICIOUS
    # The same file reaching the network only when called: a chat SDK's client.
    called = judge([hit(WEBHOOK, Scope.FILE), hit(NET, Scope.RUNTIME)], RULES, readable=True)
    assert "combination:import-exfiltration" not in called.decided_by
    assert called.verdict is Verdict.CLEAN


def test_exec_of_code_hidden_by_a_malware_kit() -> None:
    run = rule("run", RuleKind.CAPABILITY, Severity.MEDIUM, Tag.EXEC)
    kit = rule("kit", RuleKind.THREAT, Severity.HIGH, Tag.OBFUSCATION)
    rules = {**RULES, "run": run, "kit": kit}
    # An ordinary packer's banner next to an exec on import: suspicious, not more.
    packed = judge([hit(BANNER, Scope.FILE), hit(run)], rules, readable=True)
    assert "combination:obfuscated-exec" in packed.decided_by
    assert packed.verdict is Verdict.SUSPICIOUS
    # A stealer kit's output run on import: its exec is the payload's.
    kit_run = judge([hit(kit, Scope.FILE), hit(run)], rules, readable=True)
    assert kit_run.verdict is Verdict.MALICIOUS
    # The kit's text alone, with nothing run: not this combination.
    alone = judge([hit(kit, Scope.FILE)], rules, readable=True)
    assert "combination:obfuscated-exec" not in alone.decided_by
