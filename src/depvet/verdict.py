"""From findings to a verdict: clean, suspicious or malicious, with a score and reasons.

Two things add up to a package's score:

1. each rule that matched, once, weighted by its kind and severity and by
   when the code behind it runs (install and start-up code runs unasked;
   a function nobody calls at import weighs less);
2. combinations of capability tags that are benign apart and malicious
   together — credentials next to an exfiltration channel, host facts sent
   from install-time code, obfuscation feeding exec, persistence next to a
   download.

A capability alone never makes a package suspicious; intent does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag, Verdict

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
# Code that runs only when called weighs less than code that runs unasked.
SCOPE_FACTOR: dict[Scope, float] = {
    Scope.INSTALL: 1.0,
    Scope.STARTUP: 1.0,
    Scope.IMPORT: 1.0,
    Scope.PACKAGE: 1.0,
    Scope.FILE: 0.8,
    Scope.RUNTIME: 0.5,
}
UNASKED = frozenset({Scope.INSTALL, Scope.STARTUP, Scope.IMPORT})
SUSPICIOUS_AT = 40
MALICIOUS_AT = 80
# Two independent signs of obfuscation (an obfuscator's banner and a long
# encoded line, say) say the code is being hidden, whatever it is.
LAYERED_OBFUSCATION = ("combination:layered-obfuscation", 35)
INSTALL_TIME = "install-time-code"  # stands for "this file runs at install" in combinations


@dataclass(frozen=True, slots=True, kw_only=True)
class Combination:
    """Tags that together show intent, and what they add to the score."""

    name: str
    all_of: tuple[frozenset[Tag], ...]  # one tag from each group must be present
    points: int
    unasked: bool = False  # the tags must not come only from code that runs when called
    # Points instead when a rule of the last group is a threat, not a mere capability:
    # two signs of intent together.
    threat_points: int = 0


COMBINATIONS: tuple[Combination, ...] = (
    Combination(
        name="credentials-exfiltration",
        all_of=(frozenset({Tag.CREDENTIALS, Tag.ENV_DUMP}), frozenset({Tag.EXFILTRATION})),
        points=60,
        unasked=True,
    ),
    Combination(
        name="credentials-sent-unasked",
        all_of=(frozenset({Tag.CREDENTIALS, Tag.ENV_DUMP}), frozenset({Tag.NETWORK})),
        points=40,
        unasked=True,
    ),
    Combination(
        # A build step next to a drop box or an out-of-band endpoint: a dependency-confusion
        # probe or an install-time stealer reporting home.
        name="install-exfiltration",
        all_of=(frozenset({Tag.INSTALL_HOOK}), frozenset({Tag.EXFILTRATION})),
        points=40,
        unasked=True,
    ),
    Combination(
        # Install-time code that plants itself where the machine runs it again later.
        name="install-persistence",
        all_of=(frozenset({Tag.INSTALL_HOOK}), frozenset({Tag.PERSISTENCE})),
        points=40,
        unasked=True,
    ),
    Combination(
        # Code that runs on import reaches the network from a file that holds an
        # exfiltration channel: a webhook, an out-of-band host, a hidden destination.
        name="import-exfiltration",
        all_of=(frozenset({Tag.EXFILTRATION}), frozenset({Tag.NETWORK})),
        points=40,
        unasked=True,
    ),
    Combination(
        name="host-beacon",
        all_of=(frozenset({Tag.HOST_INFO}), frozenset({Tag.NETWORK, Tag.EXFILTRATION})),
        points=40,
        unasked=True,
    ),
    Combination(
        name="obfuscated-exec",
        all_of=(frozenset({Tag.EXEC}), frozenset({Tag.OBFUSCATION})),
        points=30,
        # The obfuscation is a threat by itself (a stealer kit's output, not an ordinary
        # packer or minifier): what it hides is run.
        threat_points=45,
    ),
    Combination(
        name="download-execute",
        all_of=(frozenset({Tag.DOWNLOAD}), frozenset({Tag.EXEC, Tag.PROCESS})),
        points=40,
        unasked=True,
    ),
    Combination(
        name="persistence-payload",
        all_of=(
            frozenset({Tag.PERSISTENCE}),
            frozenset({Tag.DOWNLOAD, Tag.NETWORK, Tag.EXEC, Tag.REVERSE_SHELL}),
        ),
        points=40,
    ),
    Combination(
        name="impersonation-payload",
        all_of=(
            frozenset({Tag.IMPERSONATION}),
            frozenset(
                {
                    Tag.NETWORK,
                    Tag.PROCESS,
                    Tag.EXEC,
                    Tag.DOWNLOAD,
                    Tag.EXFILTRATION,
                    Tag.CREDENTIALS,
                    Tag.HOST_INFO,
                    Tag.OBFUSCATION,
                }
            ),
        ),
        points=35,
        # A package posing as another (a typosquat, a dependency-confusion version) that
        # also downloads and runs a program, beacons or exfiltrates, even in a function.
        threat_points=60,
    ),
    Combination(
        # A look-alike that fetches a program and runs it: the API its victims call
        # (get(), post()) is the dropper's trigger, so it need not run on import.
        name="impersonation-dropper",
        all_of=(
            frozenset({Tag.IMPERSONATION}),
            frozenset({Tag.DOWNLOAD}),
            frozenset({Tag.PROCESS, Tag.EXEC}),
        ),
        points=40,
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    """A verdict and why."""

    verdict: Verdict
    score: int
    decided_by: tuple[str, ...]  # rule ids, then "combination:NAME" entries


def _satisfied(
    combo: Combination, present: Mapping[Tag, set[str]], shared: Mapping[Tag, set[str]]
) -> bool:
    """Every group has a tag present, brought by at least two different rules in all."""
    rules: set[str] = set()
    for group in combo.all_of:
        found = {r for tag in group for r in (*present.get(tag, ()), *shared.get(tag, ()))}
        if not found:
            return False
        rules |= found
    return len(rules) >= 2


def _threat_in(
    group: frozenset[Tag],
    present: Mapping[Tag, set[str]],
    shared: Mapping[Tag, set[str]],
    rules: Mapping[str, Rule],
) -> bool:
    """Whether a threat rule brought one of ``group``'s tags."""
    return any(
        (rule := rules.get(rule_id)) is not None and rule.kind is RuleKind.THREAT
        for tag in group
        for rule_id in (*present.get(tag, ()), *shared.get(tag, ()))
    )


def _is_code(path: str) -> bool:
    """Findings of package rules have no path; the others count when in code."""
    return path == "" or path.rsplit("!/", 1)[-1].lower().endswith(CODE_SUFFIXES)


CODE_SUFFIXES = (".py", ".pyw", ".pth", ".pyx")


def judge(findings: Iterable[Finding], rules: Mapping[str, Rule], *, readable: bool) -> Judgement:
    """Score a package's findings; ``readable`` is False when nothing of it could be read.

    Combinations are looked for file by file: a stealer's parts sit together,
    while a large SDK names credentials in one module and a webhook in
    another. What is known of the package as a whole (its name, its version)
    joins every file.
    """
    best: dict[str, int] = {}
    # Per file, which rules brought each tag: a combination needs two rules, so
    # one rule carrying two tags never combines with itself.
    tags_any: dict[str, dict[Tag, set[str]]] = defaultdict(lambda: defaultdict(set))
    tags_unasked: dict[str, dict[Tag, set[str]]] = defaultdict(lambda: defaultdict(set))
    obfuscation_rules: set[str] = set()
    for finding in findings:
        weight = round(WEIGHTS[finding.kind][finding.severity] * SCOPE_FACTOR[finding.scope])
        if weight > best.get(finding.rule, -1):
            best[finding.rule] = weight
        rule = rules.get(finding.rule)
        if rule is None or not _is_code(finding.path):
            continue
        for tag in rule.tags:
            tags_any[finding.path][tag].add(rule.id)
            if finding.scope is not Scope.RUNTIME:
                tags_unasked[finding.path][tag].add(rule.id)
        if finding.scope is Scope.INSTALL:
            # Code pip runs while installing is an install hook, whatever the rule found in it.
            tags_any[finding.path][Tag.INSTALL_HOOK].add(INSTALL_TIME)
            tags_unasked[finding.path][Tag.INSTALL_HOOK].add(INSTALL_TIME)
        if Tag.OBFUSCATION in rule.tags:
            obfuscation_rules.add(rule.id)
    package_tags = tags_any.pop("", {})
    package_unasked = tags_unasked.pop("", {})
    files = set(tags_any) or {""}
    combined: dict[str, int] = {}
    for combo in COMBINATIONS:
        for path in files:
            present = tags_unasked.get(path, {}) if combo.unasked else tags_any.get(path, {})
            shared = package_unasked if combo.unasked else package_tags
            if not _satisfied(combo, present, shared):
                continue
            name = f"combination:{combo.name}"
            combined[name] = combo.points
            if not combo.threat_points:
                break
            if _threat_in(combo.all_of[-1], present, shared, rules):
                combined[name] = combo.threat_points
                break
    if len(obfuscation_rules) >= 2:
        combined[LAYERED_OBFUSCATION[0]] = LAYERED_OBFUSCATION[1]
    contributions = {**{k: v for k, v in best.items() if v}, **combined}
    score = min(100, sum(contributions.values()))
    decided = tuple(
        name for name, _ in sorted(contributions.items(), key=lambda item: (-item[1], item[0]))
    )
    if score >= MALICIOUS_AT:
        verdict = Verdict.MALICIOUS
    elif score >= SUSPICIOUS_AT:
        verdict = Verdict.SUSPICIOUS
    elif not readable:
        verdict = Verdict.ERROR
    else:
        verdict = Verdict.CLEAN
    return Judgement(verdict=verdict, score=score, decided_by=decided)
