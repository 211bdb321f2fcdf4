"""What is already known to be bad: advisories, the state of a release on its
index, and the indicators of compromised releases from the embedded feed.

These rules carry no knowledge of their own — every name, version, hash,
file name and domain comes from the advisory store and the known-bad feed
(``depvet.advisories``), so the behaviour rules elsewhere stay free of
campaign-specific strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property

from depvet.advisories.feed import Indicator, IndicatorKind, indicators
from depvet.detectors.interface import PackageFacts
from depvet.detectors.literals import Literals
from depvet.files import FileRole, FileView
from depvet.model import Finding, PinKind, Rule, RuleKind, Scope, Severity, Tag

KNOWN_MALICIOUS = Rule(
    id="known-malicious-release",
    kind=RuleKind.THREAT,
    severity=Severity.CRITICAL,
    description="This name and version is a known malicious or compromised release.",
    technique="Supply-chain compromise (T1195.001)",
    remediation=(
        "Remove it now and treat every machine that installed it as compromised: look for the "
        "advisory's indicators (depvet sweep), rotate every credential the machine could read, "
        "and pin a clean version."
    ),
)
KNOWN_VULNERABILITY = Rule(
    id="known-vulnerability",
    kind=RuleKind.CAPABILITY,
    severity=Severity.LOW,
    description="A published advisory affects this name and version.",
    technique="Exploitation of a vulnerable dependency (T1190)",
    remediation="Upgrade to a fixed version (the advisory lists them) or assess the exposure.",
)
RELEASE_REMOVED = Rule(
    id="release-removed-from-index",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "The package index no longer serves this version (or project): removed releases "
        "include the malicious ones the index took down."
    ),
    technique="Supply-chain compromise (T1195.001)",
    remediation=(
        "Find out why it was removed (the project's changelog, advisories); move to a version "
        "the index serves and check machines that installed this one."
    ),
)
RELEASE_YANKED = Rule(
    id="release-yanked",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description="Every file of this version is yanked on the index.",
    technique="Supply-chain hygiene",
    remediation="Read the yank reason and move to a version that is not yanked.",
)
NOT_PINNED = Rule(
    id="dependency-not-pinned",
    kind=RuleKind.CAPABILITY,
    severity=Severity.INFO,
    description=(
        "The dependency is not pinned to one version (a range, a URL, a VCS reference or a "
        "path), so it cannot be checked against advisories."
    ),
    technique="Supply-chain hygiene",
    remediation="Lock it (pip-compile, uv lock, poetry lock) to vet exactly what installs.",
)
INDICATOR = Rule(
    id="known-bad-indicator",
    kind=RuleKind.THREAT,
    severity=Severity.CRITICAL,
    description=(
        "A file matches an indicator of a known compromise: its hash, its name, or a domain or "
        "path the malware uses."
    ),
    technique="Supply-chain compromise (T1195.001)",
    remediation=(
        "Treat the package and every machine that ran it as compromised; the finding names the "
        "advisory whose indicator matched."
    ),
    tags=frozenset({Tag.EXFILTRATION}),
)


_NAME_BYTE = re.compile(rb"[a-z0-9-]")


class KnownBadDetector:
    """Turns advisory matches and the index's view of a release into findings."""

    def __init__(self, known: Sequence[Indicator] | None = None) -> None:
        """``known`` replaces the embedded feed's indicators (tests inject their own)."""
        self._given = tuple(known) if known is not None else None

    @cached_property
    def _hashes(self) -> dict[str, Indicator]:
        known = self._given if self._given is not None else indicators()
        return {i.value.lower(): i for i in known if i.kind is IndicatorKind.SHA256}

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (KNOWN_MALICIOUS, KNOWN_VULNERABILITY, RELEASE_REMOVED, RELEASE_YANKED, NOT_PINNED)

    def scan_package(self, package: PackageFacts) -> Iterable[Finding]:
        """Findings for advisories, removal, yanking and a missing pin."""
        found: list[Finding] = []
        label = f"{package.name or '?'}=={package.version or '?'}"
        for advisory in package.advisories:
            rule = KNOWN_MALICIOUS if advisory.malicious else KNOWN_VULNERABILITY
            ids = ", ".join((advisory.id, *advisory.aliases))
            fixed = f"; fixed in {', '.join(advisory.fixed)}" if advisory.fixed else ""
            found.append(
                rule.finding(
                    path="",
                    line=None,
                    message=f"{advisory.id}: {advisory.summary or 'see the advisory'}{fixed}",
                    evidence=f"{label} ({ids})",
                    scope=Scope.PACKAGE,
                )
            )
        artifact_hit = self._hashes.get(package.sha256.lower()) if package.sha256 else None
        if artifact_hit is not None:
            found.append(
                KNOWN_MALICIOUS.finding(
                    path="",
                    line=None,
                    message=f"the artifact's sha256 is an indicator of {artifact_hit.advisory}",
                    evidence=f"sha256:{package.sha256}",
                    scope=Scope.PACKAGE,
                )
            )
        if package.index_state in ("removed", "project-missing"):
            what = "project" if package.index_state == "project-missing" else "version"
            found.append(
                RELEASE_REMOVED.finding(
                    path="",
                    line=None,
                    message=f"the index no longer serves this {what}",
                    evidence=label,
                    scope=Scope.PACKAGE,
                )
            )
        elif package.index_state == "yanked":
            found.append(
                RELEASE_YANKED.finding(
                    path="",
                    line=None,
                    message=f"yanked: {package.yanked_reason or 'no reason given'}",
                    evidence=label,
                    scope=Scope.PACKAGE,
                )
            )
        if package.pin is not None and package.pin is not PinKind.EXACT:
            found.append(
                NOT_PINNED.finding(
                    path="",
                    line=None,
                    message=f"{package.pin.value}: {package.specifier or 'no version'}",
                    evidence=f"{package.name or '?'} {package.specifier}".strip(),
                    scope=Scope.PACKAGE,
                )
            )
        return found


class IndicatorDetector:
    """Matches files against the indicators of the known-bad feed."""

    def __init__(self, known: Sequence[Indicator] | None = None) -> None:
        """``known`` replaces the embedded feed's indicators (tests inject their own)."""
        self._given = tuple(known) if known is not None else None

    @cached_property
    def _known(self) -> tuple[Indicator, ...]:
        return self._given if self._given is not None else indicators()

    @cached_property
    def _hashes(self) -> dict[str, Indicator]:
        return {i.value.lower(): i for i in self._known if i.kind is IndicatorKind.SHA256}

    @cached_property
    def _names(self) -> dict[str, Indicator]:
        return {i.value: i for i in self._known if i.kind is IndicatorKind.FILENAME}

    @cached_property
    def _strings(self) -> dict[bytes, Indicator]:
        """Lower-case domain and path texts to look for, with their indicator."""
        texts: dict[bytes, Indicator] = {}
        for indicator in self._known:
            if indicator.kind is IndicatorKind.DOMAIN:
                texts[indicator.value.removeprefix("*.").lower().encode()] = indicator
            elif indicator.kind is IndicatorKind.PATH:
                texts[indicator.value.removeprefix("~/").lower().encode()] = indicator
        return texts

    @cached_property
    def _literals(self) -> Literals:
        """The texts of :attr:`_strings`, found in one pass whatever their case."""
        return Literals((text for text in self._strings if text), nocase=True)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rule this detector reports."""
        return (INDICATOR,)

    def wants(self, file: FileView) -> bool:
        """Every file: a hash or a name can match anything."""
        return True

    def scan(self, file: FileView) -> Iterable[Finding]:
        """A finding per indicator the file matches."""
        found: list[Finding] = []
        hit = self._hashes.get(file.digest()) if not file.truncated else None
        if hit is not None:
            found.append(self._finding(file, hit, None, f"sha256 {hit.value}"))
        named = self._names.get(file.name)
        if named is not None:
            found.append(self._finding(file, named, None, file.name))
        if file.role is FileRole.AUXILIARY:
            # A test or doc naming a campaign's domain or path is a mention, not the
            # campaign (a scanner's own tests hold them); its file or name still counts.
            return found
        if file.role is not FileRole.OTHER or len(file.data) <= 4 * 1024 * 1024:
            # One pass finds which texts occur at all; only those are then located
            # (one regex alternation over every file of every package was slow).
            present = self._literals.found(file.data)
            located = [(t, i) for t, i in self._strings.items() if t in present or not t]
            lower = file.data.lower() if located else file.data
            for text, indicator in located:
                at = lower.find(text)
                # A domain must not be the tail of a longer name (notlitellm.cloud).
                while at > 0 and _NAME_BYTE.match(lower, at - 1):
                    at = lower.find(text, at + 1)
                if at < 0:
                    continue
                line = file.data.count(b"\n", 0, at) + 1
                seen = file.data[at : at + len(text)].decode("utf-8", "replace")
                found.append(self._finding(file, indicator, line, seen))
        return found

    @staticmethod
    def _finding(file: FileView, indicator: Indicator, line: int | None, seen: str) -> Finding:
        return INDICATOR.finding(
            path=file.path,
            line=line,
            message=f"{indicator.kind.value} indicator of {indicator.advisory}: {indicator.value}",
            evidence=seen,
            scope={
                FileRole.SETUP: Scope.INSTALL,
                FileRole.PTH: Scope.STARTUP,
                FileRole.CUSTOMIZE: Scope.STARTUP,
            }.get(file.role, Scope.FILE),
        )
