"""Install hooks in ``setup.py``.

pip runs a source tree's ``setup.py`` to build it, so whatever its module
level reaches — and whatever ``cmdclass`` command classes do — runs on the
installing machine with the user's rights, before the package is ever
imported. Legitimate setup.py files spawn compilers and ``git describe`` and
``exec`` their version file; malicious ones download and run a payload, or
decode and ``exec`` one. The rules separate the two by what the code reaches
and where its data comes from (see :mod:`depvet.detectors.pysource`).

A setup.py that does not parse here (Python 2, truncated, over the size
limit) still gets a conservative text check for the threat patterns, since
old malware still circulates as sdists.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from packaging.utils import canonicalize_name

from depvet.detectors.package import popular_set
from depvet.detectors.pysource import (
    MAX_AST_BYTES,
    CallSite,
    Capability,
    ModuleAnalysis,
    Origin,
    analyze,
)
from depvet.files import FileRole, FileView
from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag

CMDCLASS_OVERRIDE = Rule(
    id="setup-cmdclass-override",
    kind=RuleKind.CAPABILITY,
    severity=Severity.LOW,
    description="setup.py replaces setuptools commands (install, develop, …) via cmdclass.",
    technique="Install hooks (T1195.001)",
    tags=frozenset({Tag.INSTALL_HOOK}),
    remediation=(
        "Read the command classes: they run when pip builds or installs the sdist. Prefer "
        "the package's wheel, which runs no setup.py."
    ),
)
INSTALL_NETWORK = Rule(
    id="setup-install-network",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description="setup.py reaches the network while the package is built or installed.",
    technique="Install hooks: download and execute (T1195.001, T1105)",
    tags=frozenset({Tag.INSTALL_HOOK, Tag.NETWORK}),
    remediation=(
        "Do not install the sdist. Find out what the call fetches or sends; a package that "
        "needs downloads at install time should vendor them or document them."
    ),
)
INSTALL_PROCESS = Rule(
    id="setup-install-process",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description="setup.py starts another program while the package is built or installed.",
    technique="Install hooks (T1195.001, T1059)",
    tags=frozenset({Tag.INSTALL_HOOK, Tag.PROCESS}),
    remediation=(
        "Check the command: compilers, cmake and `git describe` are common; anything else "
        "deserves a look before installing the sdist."
    ),
)
INSTALL_SHELL_DOWNLOAD = Rule(
    id="setup-install-shell-download",
    kind=RuleKind.THREAT,
    severity=Severity.CRITICAL,
    description=(
        "setup.py runs a command line with a downloader, a piped shell, PowerShell, a URL, "
        "a reverse shell, a line the shell decodes first or a destructive system command at "
        "install time."
    ),
    technique="Install hooks: download and execute (T1059.004, T1105)",
    tags=frozenset({Tag.INSTALL_HOOK, Tag.DOWNLOAD, Tag.PROCESS}),
    version=3,
    remediation=(
        "Do not install the package. If it was installed, treat the machine as compromised: "
        "look for dropped files and persistence and rotate its credentials."
    ),
)
INSTALL_SIDE_COMMAND = Rule(
    id="setup-install-side-command",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "setup.py runs pip (as a command or in-process) to install other packages, a DNS "
        "lookup tool, or a detached Windows `start` of a program (os.startfile) at install "
        "time."
    ),
    technique="Install hooks: second stage and beacons (T1195.001, T1071.004)",
    tags=frozenset({Tag.INSTALL_HOOK, Tag.PROCESS}),
    remediation=(
        "Do not install the sdist. Building a package never needs to install another one "
        "behind pip's resolver, look up a host with dig/nslookup, or launch a program; find "
        "out what the command fetches or starts."
    ),
)
INSTALL_DECODE_EXEC = Rule(
    id="setup-install-decode-exec",
    kind=RuleKind.THREAT,
    severity=Severity.CRITICAL,
    description=(
        "setup.py runs exec/eval/compile on decoded, downloaded or computed code at install time."
    ),
    technique="Install hooks: obfuscated payload (T1027, T1059.006)",
    tags=frozenset({Tag.INSTALL_HOOK, Tag.DECODE, Tag.EXEC}),
    remediation=(
        "Do not install the package. Decode the payload offline (never run it) to learn what "
        "it does; if it was installed, treat the machine as compromised."
    ),
)

RULES = (
    CMDCLASS_OVERRIDE,
    INSTALL_NETWORK,
    INSTALL_PROCESS,
    INSTALL_SHELL_DOWNLOAD,
    INSTALL_SIDE_COMMAND,
    INSTALL_DECODE_EXEC,
)

SHELL_DOWNLOAD = re.compile(
    # PowerShell itself runs in honest code (clipboard, CPU counts); with an encoded
    # command, a cradle or a download it does not.
    r"\b(powershell|pwsh)(\.exe)?\b[^\n]{0,200}?(\s-e(nc(odedcommand)?)?\s|\biex\b|\bhttps?:)"
    # curl-config and python-wget are other programs.
    r"|(?<!-)\b(curl|wget|certutil|bitsadmin|mshta|Invoke-WebRequest"
    r"|Invoke-RestMethod|Invoke-Expression|DownloadString|DownloadFile|Start-BitsTransfer)\b(?!-)"
    r"|\|\s*(ba|da|z|k)?sh\b|\b(https?|ftp)://"
    # A shell given a command line (bash -c "git rev-parse HEAD") is only as bad as the
    # line; an interactive shell or bash's own sockets in one is a reverse shell.
    r"|\b(ba|da|z|k)?sh\s+-i\b|/dev/(tcp|udp)/(?!(localhost|127\.0\.0\.1)/)"
    # A command line decoded in the shell before it runs.
    r"|\bbase64\s+(-d|--decode|-D)\b"
    # Commands that wreck or take over the machine rather than build anything.
    r"|(^|[;&|]\s*)(sudo\s+)?(shutdown|poweroff|halt|reboot)\b|\brm\s+-(rf|fr)\s+[/~](\s|$)"
    r"|\bdel\s+/[fsq]\b|\bformat\s+[a-z]:|\bmkfs(\.\w+)?\s|\bdd\s+if=",
    re.IGNORECASE,
)

# A command that publishes the project (`twine upload --repository-url https://…`) names its
# index's address to send to it; the address downloads nothing. Up to the next command.
_PUBLISH = re.compile(
    r"\b(twine|flit|poetry|hatch|pdm|uv|setup\.py)\b[^\n;&|]{0,80}?\b(upload|publish)\b[^\n;&|]*",
    re.IGNORECASE,
)


def shell_download(command: str) -> re.Match[str] | None:
    """The first sign that a command line downloads or wrecks, outside publishing commands."""
    return SHELL_DOWNLOAD.search(_PUBLISH.sub(lambda m: " " * len(m.group(0)), command))


# A download client asked only for its version or its usage (`curl --version`: is curl
# installed?) downloads nothing, whatever a command line naming it would.
_VERSION_PROBE = re.compile(
    r"[\w./\\:-]*?\b(curl|wget)(\.exe)?(\s+(--version|-V|--help|-h))+\s*", re.IGNORECASE
)


def is_version_probe(command: str) -> bool:
    """Whether a command line only asks a download client its version or usage."""
    return _VERSION_PROBE.fullmatch(command.strip()) is not None


# Commands a build never needs: a second install behind pip's resolver (the
# package or its payload pulled in from setup.py), DNS beacons, detached launches.
SIDE_COMMAND = re.compile(
    r"(?:^|[;&|]\s*|(?:^|\s)-m\s+)(?:\S*[/\\])?"
    r"(?:(?:pip3?|easy_install)(?:\.exe)?\s+install\b|(?:dig|nslookup)(?:\.exe)?\s+[@\w-])"
    r"|^\s*start(\s+/\w+)*\s+\S|\bcmd(\.exe)?\s+/[ck]\s+start\s",
    re.IGNORECASE,
)

# pip options that change neither what is installed nor where it comes from.
_PIP_LOCAL_OPTIONS = frozenset(
    {
        "-e",
        "--editable",
        "-q",
        "--quiet",
        "-v",
        "--verbose",
        "-U",
        "--upgrade",
        "--no-deps",
        "--user",
        "--no-build-isolation",
        "--no-cache-dir",
        "--force-reinstall",
        "--ignore-installed",
    }
)
_COMMAND_END = re.compile(r"[;&|\n]")


def _pip_arguments(command: str, end: int) -> list[str]:
    """The words after the ``pip install`` ending at ``end``, up to the command's end."""
    stop = _COMMAND_END.search(command, end)
    return command[end : stop.start() if stop else len(command)].split()


def installs_only_here(command: str, end: int) -> bool:
    """Whether the ``pip install`` ending at ``end`` of ``command`` installs the project itself.

    ``pip install .`` (or ``./``, ``../`` paths, ``-e .``) puts the source tree being
    built into place: no package from anywhere else. Any other argument, a
    requirements file, an index or a name, installs something else.
    """
    words = _pip_arguments(command, end)
    paths = [w for w in words if not w.startswith("-")]
    return bool(paths) and all(
        (w.startswith("-") and w in _PIP_LOCAL_OPTIONS)
        or w in (".", "..")
        or w.startswith(("./", "../"))
        for w in words
    )


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_REQUIREMENT_REST = re.compile(r"(?:\[[\w,.\s-]*\])?(?:(?:[<>=!~]=?|===)[\w.*+!-]+,?)*")


def installs_known_projects(command: str, end: int) -> bool:
    """Whether the ``pip install`` ending at ``end`` of ``command`` installs only projects
    of the shipped popular list, by name, from the default index (``pip install pybind11``).

    A requirements file, another index, a URL, a path or a name the list does not have
    is False: what comes from there is unknown, or hardly anyone uses it.
    """
    known = popular_set()
    names = 0
    for word in _pip_arguments(command, end):
        if word.startswith("-"):
            if word not in _PIP_LOCAL_OPTIONS:
                return False
            continue
        word = word.strip("'\"")
        name = _REQUIREMENT_NAME.match(word)
        if name is None or not _REQUIREMENT_REST.fullmatch(word, name.end()):
            return False
        if canonicalize_name(name.group(0)) not in known:
            return False
        names += 1
    return names > 0


# pip driven from inside the setup.py process instead of as a command.
_PIP_IN_PROCESS = frozenset({"pip.main", "pip._internal.main", "pip._internal.cli.main.main"})

# Text patterns for files that do not parse. Each threat needs two signals so
# a Python 2 setup.py that merely imports urllib2 is not called malicious.
_TEXT_NETWORK = re.compile(
    r"urlopen\s*\(|urlretrieve\s*\(|requests\.(get|post|put|request)\s*\(|urllib2\.\w+\s*\("
    r"|httplib\.\w+\s*\(|http\.client\.\w+\s*\(|socket\.socket\s*\("
)
_TEXT_PROCESS = re.compile(
    r"os\.system\s*\(|os\.popen\s*\(|subprocess\.\w+\s*\(|\bPopen\s*\(|commands\.getoutput\s*\("
    r"|os\.(exec|spawn)\w*\s*\("
)
_TEXT_EXEC = re.compile(r"\bexec\b\s*[(\"'\w]|\beval\s*\(|\bexecfile\s*\(")
_TEXT_DECODE = re.compile(
    r"b(64|32|16|85)decode|decodestring|decodebytes|\.decode\(\s*['\"](base64|hex|zlib|rot13)"
    r"|zlib\.decompress|marshal\.loads|unhexlify|fromhex"
)
_TEXT_WINDOW = 3  # lines either side that still count as "the same statement"
# Words one of which every match of a text pattern contains: a line without any
# of them is not searched (the patterns open with \b or several words, which the
# regular expression engine cannot skip ahead to).
TEXT_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {
    _TEXT_NETWORK: (
        "urlopen",
        "urlretrieve",
        "requests.",
        "urllib2.",
        "httplib.",
        "http.client.",
        "socket.socket",
    ),
    _TEXT_PROCESS: (
        "os.system",
        "os.popen",
        "subprocess.",
        "Popen",
        "commands.getoutput",
        "os.exec",
        "os.spawn",
    ),
    _TEXT_EXEC: ("exec", "eval"),
    _TEXT_DECODE: ("decode", "zlib.decompress", "marshal.loads", "unhexlify", "fromhex"),
}

_THREAT_ORIGINS = Origin.DECODE | Origin.NETWORK | Origin.PROCESS | Origin.DYNAMIC


class SetupHookDetector:
    """Reports what a setup.py does while pip builds or installs its package."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return RULES

    def wants(self, file: FileView) -> bool:
        """Only the setup.py at the root of a source tree."""
        return file.role is FileRole.SETUP

    def scan(self, file: FileView) -> Iterable[Finding]:
        """Findings from the syntax tree, or from text patterns when it does not parse."""
        analysis = analyze(file.data) if len(file.data) <= MAX_AST_BYTES else None
        if analysis is None:
            why = "is too large to parse" if len(file.data) > MAX_AST_BYTES else "did not parse"
            return list(_scan_text(file, why))
        return list(_scan_tree(file, analysis))


def _finding(rule: Rule, file: FileView, line: int | None, message: str, evidence: str) -> Finding:
    return rule.finding(
        path=file.path, line=line, message=message, evidence=evidence, scope=Scope.INSTALL
    )


def _scan_tree(file: FileView, analysis: ModuleAnalysis) -> Iterator[Finding]:
    yield from _cmdclass(file, analysis)
    seen: set[tuple[str, int]] = set()

    def once(rule: Rule, line: int) -> bool:
        if (rule.id, line) in seen:
            return False
        seen.add((rule.id, line))
        return True

    for site in analysis.calls:
        if site.qualname in _PIP_IN_PROCESS and analysis.runs_at_install(site):
            words = [w for arg in site.node.args for w in analysis.strings(arg, site.scope)]
            if "install" in words and once(INSTALL_SIDE_COMMAND, site.line):
                yield _finding(
                    INSTALL_SIDE_COMMAND,
                    file,
                    site.line,
                    f"{site.display}(['install', …]) installs another package at install time",
                    analysis.line(site.line),
                )
        if not site.capabilities or not analysis.runs_at_install(site):
            continue
        where = "(in a setuptools command)" if analysis.runs_in_hook(site) else "(module level)"
        if site.scope and not analysis.runs_in_hook(site):
            where = f"(in {site.scope}(), reached from module level)"
        evidence = analysis.line(site.line)
        name = site.display
        if Capability.NETWORK in site.capabilities and once(INSTALL_NETWORK, site.line):
            yield _finding(
                INSTALL_NETWORK, file, site.line, f"{name} runs at install time {where}", evidence
            )
        if Capability.PROCESS in site.capabilities and once(INSTALL_PROCESS, site.line):
            yield _finding(
                INSTALL_PROCESS, file, site.line, f"{name} runs at install time {where}", evidence
            )
            command = _command_line(analysis, site)
            side = SIDE_COMMAND.search(command)
            if side is not None and installs_only_here(command, side.end()):
                side = None  # pip install . builds this very project
            if side is not None and once(INSTALL_SIDE_COMMAND, site.line):
                yield _finding(
                    INSTALL_SIDE_COMMAND,
                    file,
                    site.line,
                    f"{name} runs {side.group(0).strip()!r}… at install time {where}",
                    evidence,
                )
            # os.startfile is `start` without a shell: it launches a program or opens a
            # document with whatever the machine associates with it.
            if site.qualname == "os.startfile" and once(INSTALL_SIDE_COMMAND, site.line):
                yield _finding(
                    INSTALL_SIDE_COMMAND,
                    file,
                    site.line,
                    f"{name} launches a program or document at install time {where}",
                    evidence,
                )
            match = None if is_version_probe(command) else _shell_download(analysis, site)
            if match is not None and once(INSTALL_SHELL_DOWNLOAD, site.line):
                yield _finding(
                    INSTALL_SHELL_DOWNLOAD,
                    file,
                    site.line,
                    f"{name} runs a command line containing {match!r} at install time {where}",
                    evidence,
                )
        if Capability.EXEC in site.capabilities:
            origin = analysis.exec_origin(site)
            threat = origin is not None and bool(origin & _THREAT_ORIGINS)
            if threat and origin is not None and once(INSTALL_DECODE_EXEC, site.line):
                yield _finding(
                    INSTALL_DECODE_EXEC,
                    file,
                    site.line,
                    f"{name} runs {_describe(origin)} at install time {where}",
                    evidence,
                )


def _describe(origin: Origin) -> str:
    if Origin.DECODE in origin:
        return "decoded code"
    if Origin.NETWORK in origin:
        return "downloaded code"
    if Origin.PROCESS in origin:
        return "another program's output as code"
    return "code computed at run time (not a literal or a local file)"


def _shell_download(analysis: ModuleAnalysis, site: CallSite) -> str | None:
    for arg in site.node.args:
        for text in analysis.strings(arg, site.scope):
            match = shell_download(text)
            if match is not None:
                return match.group(0)
    return None


def _command_line(analysis: ModuleAnalysis, site: CallSite) -> str:
    """The literal words of a process call's command, joined as a shell would see them."""
    words: list[str] = []
    for arg in site.node.args[:1]:
        for text in analysis.strings(arg, site.scope):
            words.append(text)
    return " ".join(words)


def _cmdclass(file: FileView, analysis: ModuleAnalysis) -> Iterator[Finding]:
    uses = [
        use
        for use in analysis.cmdclass
        if not (isinstance(use.value, ast.Dict) and not use.value.keys)
    ]
    if uses:
        commands = sorted({c for use in uses for c in use.commands})
        what = ", ".join(commands) if commands else ast.unparse(uses[0].value)[:80]
        yield _finding(
            CMDCLASS_OVERRIDE,
            file,
            uses[0].line,
            f"cmdclass overrides {what}",
            analysis.line(uses[0].line),
        )
    elif analysis.command_classes:
        first = min(
            (analysis.classes[name] for name in analysis.command_classes),
            key=lambda c: c.node.lineno,
        )
        yield _finding(
            CMDCLASS_OVERRIDE,
            file,
            first.node.lineno,
            f"class {first.qualname} subclasses a setuptools command",
            analysis.line(first.node.lineno),
        )


class _LineSearches:
    """Each pattern searched at most once per line, however many windows hold the line.

    A one-line setup.py of megabytes is common in malware: every search of it costs.
    """

    def __init__(self, lines: list[str]) -> None:
        """Search in ``lines``."""
        self.lines = lines
        # Per pattern, per line: the match, None for no match, False before the search.
        self._found: dict[re.Pattern[str], list[re.Match[str] | bool | None]] = {}

    def at(self, pattern: re.Pattern[str], index: int) -> re.Match[str] | None:
        """The first match of ``pattern`` in line ``index``."""
        found = self._found.get(pattern)
        if found is None:
            found = self._found[pattern] = [False] * len(self.lines)
        match = found[index]
        if match is False:
            line = self.lines[index]
            needs = TEXT_NEEDS.get(pattern)
            match = found[index] = (
                pattern.search(line) if needs is None or any(w in line for w in needs) else None
            )
        return match if isinstance(match, re.Match) else None

    def near(self, pattern: re.Pattern[str], index: int) -> re.Match[str] | None:
        """The first match in the lines within :data:`_TEXT_WINDOW` of line ``index``."""
        for other in range(max(0, index - _TEXT_WINDOW), index + _TEXT_WINDOW + 1):
            if other >= len(self.lines):
                break
            match = self.at(pattern, other)
            if match is not None:
                return match
        return None


def _scan_text(file: FileView, why: str) -> Iterator[Finding]:
    lines = file.text().splitlines()
    note = f"setup.py {why} as Python 3; matched by text pattern"
    search = _LineSearches(lines)
    has_exec = any(
        search.at(_TEXT_EXEC, index) or search.at(_TEXT_PROCESS, index)
        for index in range(len(lines))
    )
    reported: set[str] = set()
    for index, line in enumerate(lines):
        number = index + 1
        evidence = line.strip()
        top_level = not line[:1].isspace()
        if (
            INSTALL_NETWORK.id not in reported
            and (has_exec or top_level)
            and search.at(_TEXT_NETWORK, index)
        ):
            # Without a syntax tree, a fetch on an unindented line is still
            # plainly install-time; an indented one counts next to exec/system.
            reported.add(INSTALL_NETWORK.id)
            beside = " beside exec/system" if has_exec else ""
            yield _finding(
                INSTALL_NETWORK, file, number, f"network call{beside} ({note})", evidence
            )
        if search.at(_TEXT_PROCESS, index):
            if INSTALL_PROCESS.id not in reported:
                reported.add(INSTALL_PROCESS.id)
                yield _finding(INSTALL_PROCESS, file, number, f"process call ({note})", evidence)
            # The command line itself first, then its neighbours (a variable).
            match = search.at(SHELL_DOWNLOAD, index) or search.near(SHELL_DOWNLOAD, index)
            if match is not None and INSTALL_SHELL_DOWNLOAD.id not in reported:
                reported.add(INSTALL_SHELL_DOWNLOAD.id)
                yield _finding(
                    INSTALL_SHELL_DOWNLOAD,
                    file,
                    number,
                    f"process call with {match.group(0)!r} ({note})",
                    evidence,
                )
        if (
            INSTALL_DECODE_EXEC.id not in reported
            and search.at(_TEXT_EXEC, index)
            and search.near(_TEXT_DECODE, index)
        ):
            reported.add(INSTALL_DECODE_EXEC.id)
            yield _finding(
                INSTALL_DECODE_EXEC, file, number, f"exec/eval next to a decoder ({note})", evidence
            )
