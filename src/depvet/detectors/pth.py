"""Start-up hooks in ``*.pth`` files.

Python's :mod:`site` module reads every ``*.pth`` file in site-packages at
interpreter start and ``exec``-s each line that begins with ``import `` or
``import\\t`` — no ``import`` of the package is needed. Legitimate packages
use this (setuptools' distutils shim, editable installs, namespace packages,
coverage), so an executable line alone is a capability; a line that spawns a
process, runs decoded code, reaches the network or writes files is the
litellm 1.82.8 launcher's shape and a threat.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from depvet.detectors.pysource import MAX_AST_BYTES, Capability, analyze
from depvet.files import FileRole, FileView
from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag

EXECUTABLE_LINE = Rule(
    id="pth-executable-line",
    kind=RuleKind.CAPABILITY,
    severity=Severity.LOW,
    description="A .pth file has a line starting with `import`, which Python runs at every start.",
    technique="Start-up hooks (T1546.018)",
    tags=frozenset({Tag.STARTUP_HOOK}),
    remediation=(
        "Check that the package is expected to hook interpreter start-up (setuptools, "
        "editable installs, namespace packages and coverage do); otherwise remove the file."
    ),
)
DANGEROUS_CODE = Rule(
    id="pth-dangerous-code",
    kind=RuleKind.THREAT,
    severity=Severity.CRITICAL,
    description=(
        "A .pth start-up line spawns a process, runs dynamic or decoded code, reaches the "
        "network, writes files or re-launches the interpreter."
    ),
    technique="Start-up hooks (T1546.018, T1059.006)",
    tags=frozenset({Tag.STARTUP_HOOK, Tag.EXEC, Tag.PROCESS}),
    remediation=(
        "Treat the environment as compromised: delete the .pth file and uninstall the package, "
        "then rotate every credential the machine could read (environment, SSH, cloud, "
        "kubeconfig) and check for persistence."
    ),
)

# site.py splits with universal newlines up to 3.12 and str.splitlines() from
# 3.13; splitting on the coarser set and re-splitting each piece covers both.
_NEWLINES = re.compile(r"\r\n|\r|\n")
_EXECUTABLE_PREFIXES = ("import ", "import\t")

_REASONS: dict[Capability, str] = {
    Capability.PROCESS: "spawns a process",
    Capability.EXEC: "runs dynamic code",
    Capability.DECODE: "decodes a blob",
    Capability.NETWORK: "reaches the network",
    Capability.FILE_WRITE: "writes files",
}

# Used when a line does not parse here. Such a line fails in this Python too,
# but it may parse in another version (newer syntax), so its text still counts.
_FALLBACK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("spawns a process", re.compile(r"subprocess|\bos\.(system|popen|exec\w*|spawn\w*)\b|\bpty\.")),
    ("runs dynamic code", re.compile(r"\b(exec|eval|compile)\s*\(|runpy")),
    (
        "decodes a blob",
        re.compile(
            r"b(64|32|16|85)decode|decodebytes|decodestring|a2b_|unhexlify|fromhex"
            r"|decompress|marshal|codecs\.decode"
        ),
    ),
    ("reaches the network", re.compile(r"urlopen|urllib|requests\.|http\.client|socket\.|httpx")),
    ("writes files", re.compile(r"write_text|write_bytes|\.write\s*\(|open\([^)]*['\"][wax+]")),
    ("uses sys.executable", re.compile(r"sys\s*\.\s*executable")),
)
# Code carried in a string literal (`python -c "exec(...)"`) is not parsed as
# code, so its text is checked.
_PAYLOAD_IN_STRING = re.compile(
    r"\b(exec|eval)\s*\(|b64decode|marshal\.loads|zlib\.decompress|__import__"
)


class PthDetector:
    """Reports executable lines in ``*.pth`` files and those that look like a payload launcher."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (EXECUTABLE_LINE, DANGEROUS_CODE)

    def wants(self, file: FileView) -> bool:
        """Every file the artifact layer marked as a .pth."""
        return file.role is FileRole.PTH

    def scan(self, file: FileView) -> Iterable[Finding]:
        """One capability finding for the first executable line, a threat per dangerous line."""
        executable = list(executable_lines(file.data.decode("utf-8", "replace")))
        if not executable:
            return []
        first_line, first_text = executable[0]
        findings = [
            EXECUTABLE_LINE.finding(
                path=file.path,
                line=first_line,
                message=(
                    f"{len(executable)} line(s) starting with `import` run at every interpreter "
                    "start"
                ),
                evidence=first_text,
                scope=Scope.STARTUP,
            )
        ]
        parse = len(file.data) <= MAX_AST_BYTES
        for number, text in executable:
            reasons: list[str] = []
            for chunk in _chunks(text):
                reasons += [r for r in dangerous_reasons(chunk, parse=parse) if r not in reasons]
            if reasons:
                findings.append(
                    DANGEROUS_CODE.finding(
                        path=file.path,
                        line=number,
                        message="start-up line " + ", ".join(reasons),
                        evidence=text,
                        scope=Scope.STARTUP,
                    )
                )
        return findings


def executable_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) for each line :mod:`site` would exec."""
    text = text.removeprefix("\ufeff")
    for number, line in enumerate(_NEWLINES.split(text), 1):
        if line.startswith(_EXECUTABLE_PREFIXES) or any(
            piece.startswith(_EXECUTABLE_PREFIXES) for piece in line.splitlines()[1:]
        ):
            yield number, line


def _chunks(line: str) -> list[str]:
    """The code site.py may exec for one line: all of it (up to 3.12), its pieces (3.13+)."""
    chunks = [line] if line.startswith(_EXECUTABLE_PREFIXES) else []
    chunks += [p for p in line.splitlines()[1:] if p.startswith(_EXECUTABLE_PREFIXES)]
    return chunks


def dangerous_reasons(line: str, *, parse: bool = True, depth: int = 0) -> list[str]:
    """Why an executable .pth line is dangerous; empty when it is not.

    The line is parsed as Python when ``parse`` and it is valid; otherwise
    (or in addition, for string literals) its text is matched against patterns.
    """
    if depth > MAX_LITERAL_DEPTH:
        return ["nests exec of literals too deep to follow"]
    analysis = analyze(line) if parse else None
    if analysis is None:
        found = [reason for reason, pattern in _FALLBACK_PATTERNS if pattern.search(line)]
        if found:
            found[-1] += " (the line did not parse here; matched by text)"
        return found
    reasons: list[str] = []
    literal_code = _exec_literals(analysis.tree)
    for site in analysis.calls:
        if site.node in literal_code:
            # exec of a constant hides nothing: judge the code it runs instead.
            for reason in dangerous_reasons(literal_code[site.node], parse=parse, depth=depth + 1):
                if reason not in reasons:
                    reasons.append(f"{reason} (inside exec of a literal)")
            continue
        for capability in sorted(site.capabilities):
            reason = f"{_REASONS[capability]} ({site.display})"
            if reason not in reasons:
                reasons.append(reason)
    if analysis.references("sys.executable"):
        reasons.append("uses sys.executable")
    if any(True for _ in analysis.dynamic_lookups()):
        reasons.append("resolves a module or attribute from a computed name")
    followed = set(literal_code.values())
    for node in _string_constants(analysis.tree):
        if node not in followed and _PAYLOAD_IN_STRING.search(node):
            reasons.append("carries code in a string literal")
            break
    return reasons


MAX_LITERAL_DEPTH = 3


def _exec_literals(tree: ast.AST) -> dict[ast.AST, str]:
    """Calls of exec/eval/compile whose only argument is a plain string literal, with it."""
    found: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("exec", "eval")
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found[node] = node.args[0].value
    return found


def _string_constants(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
