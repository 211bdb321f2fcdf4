"""Rules about installed distributions: files changed since install, and
start-up files that no distribution owns.

An attacker with write access to site-packages edits an installed package
or drops a ``.pth`` next to it; pip's RECORD is the receipt to check both
against. Neither is proof of malice alone (people patch installed code;
virtualenv writes an unowned ``_virtualenv.pth``), so only a changed
start-up file is a threat by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from depvet.artifacts.layout import CUSTOMIZE_NAMES
from depvet.detectors.interface import PackageFacts
from depvet.model import Finding, IntegrityKind, Rule, RuleKind, Scope, Severity, Tag

STARTUP_FILE_MODIFIED = Rule(
    id="installed-startup-file-modified",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "An installed .pth or sitecustomize file differs from the hash its distribution's "
        "RECORD gives."
    ),
    technique="Start-up hooks: tampered install (T1546.018, T1554)",
    remediation=(
        "Compare the file with the released artifact, reinstall the distribution from a "
        "trusted index, and find out who could write to this environment."
    ),
    tags=frozenset({Tag.STARTUP_HOOK}),
)
FILE_MODIFIED = Rule(
    id="installed-file-modified",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description="An installed Python file differs from the hash its distribution's RECORD gives.",
    technique="Compromise of installed software (T1554)",
    remediation=(
        "If nobody patched it on purpose, reinstall the distribution and review the change "
        "(`depvet diff` against the released artifact)."
    ),
)
FILE_MISSING = Rule(
    id="installed-file-missing",
    kind=RuleKind.CAPABILITY,
    severity=Severity.INFO,
    description="A file the distribution's RECORD lists is no longer on disk.",
    technique="Indicator removal (T1070.004)",
    remediation="Reinstall the distribution if the file is needed; a cleanup may hide traces.",
)
UNOWNED_STARTUP = Rule(
    id="unowned-startup-file",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description=(
        "A .pth or sitecustomize file sits in site-packages but no installed distribution lists it."
    ),
    technique="Start-up hooks: orphan file (T1546.018)",
    remediation=(
        "Find what wrote it (virtualenv's _virtualenv.pth is expected); an unexplained one is "
        "a leftover of a compromise: remove it and check the host."
    ),
    tags=frozenset({Tag.STARTUP_HOOK}),
)


def _is_startup(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(".pth") or name in CUSTOMIZE_NAMES


class IntegrityDetector:
    """Turns RECORD verification results into findings."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (STARTUP_FILE_MODIFIED, FILE_MODIFIED, FILE_MISSING, UNOWNED_STARTUP)

    def scan_package(self, package: PackageFacts) -> Iterable[Finding]:
        """One finding per integrity problem that matters."""
        findings = []
        for problem in package.integrity:
            startup = _is_startup(problem.path)
            if problem.kind is IntegrityKind.MODIFIED:
                rule = STARTUP_FILE_MODIFIED if startup else FILE_MODIFIED
                if not startup and not problem.path.endswith((".py", ".pyw")):
                    continue  # data files are rewritten by some tools; code is what runs
                scope = Scope.STARTUP if startup else Scope.IMPORT
            elif problem.kind is IntegrityKind.MISSING:
                rule, scope = FILE_MISSING, Scope.FILE
            elif startup:
                rule, scope = UNOWNED_STARTUP, Scope.STARTUP
            else:
                continue
            findings.append(
                rule.finding(
                    path=problem.path,
                    line=None,
                    message=f"{problem.kind.value}: {problem.detail}",
                    evidence=problem.path,
                    scope=scope,
                )
            )
        return findings
