"""The core data that travels between the pipeline's layers.

sources → targets → artifacts → files → detectors → findings → verdict → reports.
Every type here is a frozen, slotted dataclass: plain values, cheap to pickle
across worker processes and to store in the result cache.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

EVIDENCE_MAX = 200


class Severity(enum.IntEnum):
    """How much a single finding weighs on its own."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()


class RuleKind(enum.StrEnum):
    """A capability is something code can do; a threat is something malware does."""

    CAPABILITY = "capability"
    THREAT = "threat"


class Verdict(enum.StrEnum):
    """The outcome for one package, ordered by :meth:`rank`."""

    CLEAN = "clean"
    SUSPICIOUS = "suspicious"
    MALICIOUS = "malicious"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Order used by ``--fail-on``: an error ranks below suspicious."""
        return {"clean": 0, "error": 0, "suspicious": 1, "malicious": 2}[self.value]


class Scope(enum.StrEnum):
    """When the code behind a finding runs; code that runs unasked weighs more."""

    INSTALL = "install"  # when the package is built or installed (setup.py)
    STARTUP = "startup"  # at every interpreter start (.pth lines, sitecustomize)
    IMPORT = "import"  # when the module is imported (module level, reached from it)
    RUNTIME = "runtime"  # only if some caller calls it
    FILE = "file"  # about a file's bytes or presence rather than code that runs
    PACKAGE = "package"  # about the package's name, version or metadata


class Tag(enum.StrEnum):
    """What a rule's match says the code can do; the scorer combines these."""

    NETWORK = "network"
    DOWNLOAD = "download"
    PROCESS = "process"
    EXEC = "exec"
    DECODE = "decode"
    OBFUSCATION = "obfuscation"
    CREDENTIALS = "credentials"
    ENV_DUMP = "env-dump"
    HOST_INFO = "host-info"
    FILE_WRITE = "file-write"
    PERSISTENCE = "persistence"
    EXFILTRATION = "exfiltration"
    REVERSE_SHELL = "reverse-shell"
    STARTUP_HOOK = "startup-hook"
    INSTALL_HOOK = "install-hook"
    BINARY = "binary"
    STEGANOGRAPHY = "steganography"
    IMPERSONATION = "impersonation"


class FailOn(enum.StrEnum):
    """The least bad outcome that fails a run (``--fail-on``)."""

    VULNERABLE = "vulnerable"  # any advisory, or worse
    SUSPICIOUS = "suspicious"
    MALICIOUS = "malicious"

    def reached_by(self, result: ScanResult) -> bool:
        """True when ``result`` is at least this bad."""
        if self is FailOn.VULNERABLE and result.advisories:
            return True
        floor = Verdict.MALICIOUS if self is FailOn.MALICIOUS else Verdict.SUSPICIOUS
        return result.verdict is not Verdict.ERROR and result.verdict.rank >= floor.rank


class TargetKind(enum.StrEnum):
    """What a target path holds."""

    FILE = "file"  # an archive: wheel, sdist, egg, zip
    DIRECTORY = "directory"  # an unpacked source tree
    INSTALLED = "installed"  # a *.dist-info / *.egg-info directory in site-packages
    LOOSE = "loose"  # files in site-packages no distribution claims (.pth, sitecustomize)


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One thing to scan as one package, as a source found it."""

    kind: TargetKind
    path: Path
    display: str  # the artifact string reported back: the path as given or joined
    files: tuple[Path, ...] = ()  # LOOSE targets: the files themselves


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """Metadata of one detection rule."""

    id: str
    kind: RuleKind
    severity: Severity
    description: str
    technique: str
    remediation: str
    tags: frozenset[Tag] = frozenset()
    version: int = 1

    def finding(
        self,
        *,
        path: str,
        line: int | None,
        message: str,
        evidence: str,
        scope: Scope = Scope.FILE,
    ) -> Finding:
        """A finding of this rule."""
        return Finding(
            rule=self.id,
            severity=self.severity,
            kind=self.kind,
            path=path,
            line=line,
            message=message,
            evidence=evidence,
            scope=scope,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One rule matching at one place, with the evidence for it."""

    rule: str
    severity: Severity
    kind: RuleKind
    path: str  # inside the artifact, '/'-separated
    line: int | None
    message: str
    evidence: str
    scope: Scope = Scope.FILE

    def __post_init__(self) -> None:
        if len(self.evidence) > EVIDENCE_MAX:
            object.__setattr__(self, "evidence", self.evidence[: EVIDENCE_MAX - 1] + "…")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanError:
    """Something that could not be read or checked, with where and why."""

    reference: str
    message: str
    path: str | None = None  # inside the artifact, when one member is at fault


# Errors of a whole artifact (no path) that end its reading before its last member.
STOPPED_READING = frozenset({"unsafe-archive", "artifact-unreadable"})


def incomplete_reason(errors: Iterable[ScanError]) -> str | None:
    """Why a scan did not read or analyse all of a package, from its errors; None if it did.

    Reading that stopped on a safety limit or an unreadable archive (an error of the
    whole artifact) and a file whose detectors ran out of time leave code unvetted; a
    member skipped as a bomb or a file cut at the size limit do not.
    """
    for error in errors:
        if error.reference in STOPPED_READING and error.path is None:
            return error.message
        if error.reference == "file-timeout":
            return f"{error.path}: {error.message}"
    return None


class PinKind(enum.StrEnum):
    """How precisely a dependency is pinned."""

    EXACT = "exact"  # name==version (what can be checked against advisories)
    RANGE = "range"  # a specifier that admits several versions
    UNPINNED = "unpinned"  # a bare name
    URL = "url"  # a direct URL to an artifact
    VCS = "vcs"  # git+https://..., a branch or a commit
    PATH = "path"  # a local file or folder


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageRef:
    """One dependency as an inventory source (lockfile, requirements, environment) states it."""

    name: str
    version: str | None  # the exact version when pinned
    source: str  # the file it came from, as given
    pin: PinKind = PinKind.EXACT
    specifier: str = ""  # the constraint as written when not an exact pin
    line: int | None = None
    hashes: tuple[str, ...] = ()  # "sha256:<hex>", as the source lists them
    markers: str | None = None
    extras: tuple[str, ...] = ()
    url: str | None = None  # direct URL, VCS reference or local path
    group: str | None = None  # dev, test, an extra or dependency group, when stated


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryMatch:
    """A known advisory that applies to a package's version."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    fixed: tuple[str, ...] = ()  # versions that fix it
    malicious: bool = False  # a MAL- record or a known-compromised release
    severity: str | None = None  # CVSS vector or label, when the advisory gives one
    url: str | None = None


class IntegrityKind(enum.StrEnum):
    """What is wrong with an installed file."""

    MODIFIED = "modified"  # content differs from its RECORD hash
    MISSING = "missing"  # listed in RECORD, not on disk
    UNOWNED = "unowned"  # in site-packages, claimed by no distribution


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityProblem:
    """One file of an installed distribution that is not as it was installed."""

    kind: IntegrityKind
    path: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    """Everything depvet learnt about one package."""

    artifact: str
    kind: str  # wheel, sdist, egg, zip, directory, installed, loose
    name: str | None
    version: str | None
    verdict: Verdict
    score: int
    findings: tuple[Finding, ...] = ()
    decided_by: tuple[str, ...] = ()  # rule ids whose findings set the verdict
    errors: tuple[ScanError, ...] = ()
    advisories: tuple[AdvisoryMatch, ...] = ()
    integrity: tuple[IntegrityProblem, ...] = ()
    declared: PackageRef | None = None  # the inventory entry, for a package from a lockfile
    sha256: str | None = None  # of the artifact file, when the package is one file
    files: int = 0  # files read
    bytes: int = 0  # uncompressed bytes read
    cached_files: int = 0  # files whose findings came from the cache

    @property
    def incomplete(self) -> str | None:
        """Why the package was not fully scanned (see :func:`incomplete_reason`); None if it was."""
        return incomplete_reason(self.errors)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanSummary:
    """Counts over a whole run."""

    artifacts: int
    by_verdict: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    files: int = 0
    bytes: int = 0
    cached_files: int = 0
    seconds: float = 0.0
