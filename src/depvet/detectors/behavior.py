"""Behaviour of Python source: what a module does, and whether it does it unasked.

Every Python file of a package goes through the analysis of
:mod:`depvet.detectors.pysource`; the rules here ask it about data flows
(decoded or downloaded bytes reaching ``exec``, the whole environment or a
credential file reaching a network call, host facts sent out, downloaded files
written and then run) and about shapes (reverse shells, persistence files,
dunder monkeypatching of another library's classes, imports by computed name).

Where the code runs decides the finding's :class:`~depvet.model.Scope`:
module level (and what it reaches) of a package module runs on import, of a
``sitecustomize.py`` at every interpreter start, of a ``setup.py`` at install;
code only in functions nobody calls at load is RUNTIME. Capabilities mark
ingredients for the scorer to combine; threats are shapes popular packages
practically never have.

A setup.py is also scanned by :mod:`depvet.detectors.setup_hooks`; the rules
that one already reports at install time (network, process, exec) are skipped
here for it, so a single behaviour never scores twice.

Most modules of big packages do none of this: a bytes pre-filter skips the
parse entirely when the file names no sink (exec, processes, network,
credential stores, persistence paths, dunder patching, dynamic imports), or
when its only sinks are network libraries called from functions nothing runs on
load, with nothing a rule could report them with (see :func:`worth_parsing`).
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import hyperscan

from depvet.detectors.deobfuscate import reverses_literal
from depvet.detectors.literals import WORD_BYTES, Literals
from depvet.detectors.network_reach import network_runs_on_load
from depvet.detectors.prefilter import Prefilter, compile_expressions
from depvet.detectors.pysource import (
    BUILTIN_MODULES,
    BY_HAND_SCOPE,
    CREDENTIAL_PATHS,
    DECODER_NAMES,
    DECODING_CODECS,
    HOST_CALLS,
    IP_LOOKUP,
    MAIN_SCOPE,
    MAX_AST_BYTES,
    PATCHED_DUNDERS,
    CallSite,
    Capability,
    FileWrite,
    ModuleAnalysis,
    Origin,
    analyze,
    command_facts,
    credential_kind,
    walk_values,
)
from depvet.detectors.setup_hooks import (
    installs_known_projects,
    installs_only_here,
    is_version_probe,
    shell_download,
)
from depvet.files import FileRole, FileView
from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag

_COMPROMISED = (
    "Do not install or import the package. If it ran, treat the machine as compromised: "
    "look for dropped files and persistence, and rotate every credential it could read."
)


def _rule(
    id: str,
    kind: RuleKind,
    severity: Severity,
    description: str,
    technique: str,
    tags: Iterable[Tag],
    remediation: str = _COMPROMISED,
) -> Rule:
    return Rule(
        id=id,
        kind=kind,
        severity=severity,
        description=description,
        technique=technique,
        remediation=remediation,
        tags=frozenset(tags),
    )


DECODE_EXEC = _rule(
    "decode-exec",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Code that runs on import or start-up passes decoded or deobfuscated data to exec/eval.",
    "Obfuscation: encoded payload run on import (T1027, T1059.006)",
    [Tag.DECODE, Tag.EXEC, Tag.OBFUSCATION],
)
DECODED_COMMAND = _rule(
    "decoded-command",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Code that runs on load starts a process whose command line was decoded or deobfuscated.",
    "Obfuscation: encoded command run on load (T1027, T1059)",
    [Tag.DECODE, Tag.PROCESS, Tag.OBFUSCATION],
)
DECODE_EXEC_RUNTIME = _rule(
    "decode-exec-runtime",
    RuleKind.THREAT,
    Severity.HIGH,
    "A function passes decoded or deobfuscated data (base64, zlib, marshal, chr chains, "
    "[::-1]) to exec/eval.",
    "Obfuscation: encoded payload (T1027, T1059.006)",
    [Tag.DECODE, Tag.EXEC, Tag.OBFUSCATION],
)
IMPORT_EXEC_DYNAMIC = _rule(
    "import-exec-dynamic",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "Module-level code runs exec/eval/compile on data that is neither a literal nor a local file.",
    "Import-time payloads (T1059.006)",
    [Tag.EXEC],
    "Read what the executed string is built from; code generation at import is rare outside "
    "a few metaprogramming libraries.",
)
DOWNLOAD_EXEC = _rule(
    "download-exec",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Downloaded data is executed: passed to exec/eval, or written to a file that is then run "
    "or made executable on import.",
    "Download and execute (T1105, T1059)",
    [Tag.DOWNLOAD, Tag.NETWORK, Tag.EXEC, Tag.PROCESS],
)
DOWNLOAD_RUN_RUNTIME = _rule(
    "download-run-runtime",
    RuleKind.CAPABILITY,
    Severity.HIGH,
    "A function writes downloaded data to a file and runs it or makes it executable.",
    "Download and execute (T1105)",
    [Tag.DOWNLOAD, Tag.NETWORK, Tag.PROCESS],
    "Installers of helper binaries do this on request; check what is fetched, from where, and "
    "whether it is verified (hash or signature) before it runs.",
)
DOWNLOAD_RUN_EXECUTABLE = _rule(
    "download-run-executable",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Downloaded data is written to a file named as a Windows program or script (.exe, .scr, "
    ".bat, .cmd, .vbs, .ps1, .hta, .msi) that the same code then runs.",
    "Download and execute (T1105, T1204.002)",
    [Tag.DOWNLOAD, Tag.NETWORK, Tag.PROCESS],
)
DROPPER_WRITE_RUN = _rule(
    "dropper-write-run",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Decoded bytes are written to a file that the same code then runs (sys.executable, "
    "subprocess, os.system) or makes executable.",
    "Import-time payloads: decode, drop, run (T1027, T1059.006)",
    [Tag.DECODE, Tag.FILE_WRITE, Tag.PROCESS, Tag.EXEC],
)
LITERAL_PROGRAM_RUN = _rule(
    "literal-program-run",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "A Python program held in a string literal is run: by exec, by `python -c`, or written "
    "to a file that the same code then runs (or to a .pth file, sitecustomize or a package's "
    "__init__.py). Read as the script it is, that program does what malware does: runs "
    "downloaded or decoded code, a download command line, a reverse shell, or sends "
    "credentials.",
    "Multi-stage loaders: a second stage carried as text and run (T1059.006, T1105)",
    [Tag.EXEC, Tag.PROCESS],
)
IMPORT_PROCESS = _rule(
    "import-process",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "Code that runs on import or start-up starts another program.",
    "Import-time payloads (T1059)",
    [Tag.PROCESS],
    "Check the command: importing a library should not start programs.",
)
IMPORT_SHELL_DOWNLOAD = _rule(
    "import-shell-download",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Code that runs on import or start-up runs a command line with a downloader (curl, wget, "
    "PowerShell, certutil), a piped shell, a URL, a reverse shell or a line the shell "
    "decodes first.",
    "Download and execute (T1059.004, T1105)",
    [Tag.DOWNLOAD, Tag.PROCESS],
)
IMPORT_NETWORK = _rule(
    "import-network",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "Code that runs on import or start-up talks to the network.",
    "Import-time payloads (T1071)",
    [Tag.NETWORK],
    "Find out what the call fetches or sends; importing a library should not reach the network.",
)
ENV_DUMP = _rule(
    "env-dump",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "The whole process environment (dict(os.environ), os.environ.items()) is written to a file.",
    "Credential theft: environment dump (T1552.001)",
    [Tag.ENV_DUMP],
    "Check where the file goes: environments hold tokens and keys.",
)
ENV_EXFILTRATION = _rule(
    "env-exfiltration",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "The whole process environment flows into a network call.",
    "Exfiltration of the environment (T1552.001, T1041)",
    [Tag.ENV_DUMP, Tag.EXFILTRATION, Tag.NETWORK],
)
HOST_BEACON = _rule(
    "host-beacon",
    RuleKind.THREAT,
    Severity.HIGH,
    "Code that runs on install, import or start-up sends host or user facts (host name, user "
    "name, working directory, public address) over the network; or any code sends them to an "
    "address it decoded rather than wrote out.",
    "Dependency confusion: host beacon (T1082, T1041)",
    [Tag.HOST_INFO, Tag.NETWORK],
)
DOMAIN_FRONTING = _rule(
    "exfil-domain-fronting",
    RuleKind.THREAT,
    Severity.HIGH,
    "A request is sent to one host with a Host header naming another: the traffic looks like "
    "it goes to the first (often a trusted site) while a front delivers it to the second.",
    "Proxy: domain fronting (T1090.004); exfiltration over web service (T1567)",
    [Tag.EXFILTRATION, Tag.NETWORK],
    "Do not install the package. No library needs to disguise where its requests go; find "
    "out what it sends to the host in the header.",
)
HOST_INFO_NETWORK = _rule(
    "host-info-network",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "A function sends host or user facts (host name, user name, working directory) over the "
    "network.",
    "System information discovery (T1082)",
    [Tag.HOST_INFO, Tag.NETWORK],
    "Telemetry and error reporters do this; check where it goes and that it is documented.",
)
CREDENTIAL_READ = _rule(
    "credential-file-read",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "Code opens a credential store (~/.ssh keys, .aws/credentials, kubeconfig, browser "
    "Login Data/Cookies, Discord leveldb, wallets, /proc/*/environ, /etc/shadow).",
    "Credential theft: credentials in files (T1552.001, T1555)",
    [Tag.CREDENTIALS],
    "Cloud SDKs read their own credential file; anything else reading one deserves a look.",
)
CREDENTIAL_EXFILTRATION = _rule(
    "credential-exfiltration",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "The content of a credential store flows into a network call.",
    "Credential theft and exfiltration (T1552.001, T1041)",
    [Tag.CREDENTIALS, Tag.EXFILTRATION, Tag.NETWORK],
)
CREDENTIAL_HARVEST = _rule(
    "credential-harvest",
    RuleKind.THREAT,
    Severity.HIGH,
    "One module names credential stores of three or more kinds (SSH, cloud, browser, "
    "Discord, wallets, kubeconfig, shadow…): a stealer's shopping list.",
    "Credential theft (T1552.001, T1555, T1005)",
    [Tag.CREDENTIALS],
)
DUNDER_MONKEYPATCH = _rule(
    "dunder-monkeypatch",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "Module-level code replaces __init__ (or another dunder) of a class imported from another "
    "package.",
    "Import-time payloads: hooking another library (T1574)",
    [Tag.OBFUSCATION],
    "Read the replacement: it sees every object the other library builds (tokens, keys).",
)
DUNDER_MONKEYPATCH_NETWORK = _rule(
    "dunder-monkeypatch-network",
    RuleKind.THREAT,
    Severity.HIGH,
    "Module-level code replaces a dunder of another package's class with a function that "
    "reaches the network.",
    "Import-time payloads: hooking another library to steal its data (T1574, T1041)",
    [Tag.EXFILTRATION, Tag.NETWORK],
)
OBFUSCATED_BUILTIN = _rule(
    "obfuscated-builtin-lookup",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Code that runs on load picks a builtin (exec, eval, __import__...) by a name assembled "
    "from an expression.",
    "Obfuscation: hidden imports and attribute access (T1027, T1059.006)",
    [Tag.OBFUSCATION, Tag.EXEC],
)
OBFUSCATED_IMPORT = _rule(
    "obfuscated-import",
    RuleKind.THREAT,
    Severity.HIGH,
    "A module or attribute is looked up by a name built from chr()/join/reversal/decoding "
    "(__import__, import_module, getattr).",
    "Obfuscation: hidden imports and attribute access (T1027)",
    [Tag.OBFUSCATION, Tag.EXEC],
)
REVERSE_SHELL = _rule(
    "reverse-shell",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "A socket's file descriptor is wired to a shell's standard streams (os.dup2 + shell, "
    "pty.spawn, or a process with the socket as stdin/stdout), or a shell runs command lines "
    "read from a socket.",
    "Reverse shells (T1059.004, T1571)",
    [Tag.REVERSE_SHELL, Tag.NETWORK, Tag.PROCESS],
)
IMPORT_UPLOAD = _rule(
    "import-file-upload",
    RuleKind.THREAT,
    Severity.HIGH,
    "A module uploads files (a multipart `files=` request) as it is imported.",
    "Exfiltration over web service (T1567)",
    [Tag.EXFILTRATION, Tag.NETWORK],
)
HIDDEN_DESTINATION = _rule(
    "network-hidden-destination",
    RuleKind.THREAT,
    Severity.HIGH,
    "A request goes to an address that was decoded or deobfuscated (base64, hex, chr "
    "chains) rather than written in the code.",
    "Obfuscated files or information (T1027); exfiltration over web service (T1567)",
    [Tag.EXFILTRATION, Tag.NETWORK],
)
IMPORT_FETCH_PROGRAM = _rule(
    "import-fetch-program",
    RuleKind.THREAT,
    Severity.HIGH,
    "A module downloads a Windows program or script (a URL ending in .exe, .scr, .bat, .vbs, "
    ".ps1, .msi) as it is imported.",
    "Ingress tool transfer (T1105)",
    [Tag.DOWNLOAD, Tag.NETWORK],
)
IMPORT_SIDE_INSTALL = _rule(
    "import-side-install",
    RuleKind.THREAT,
    Severity.MEDIUM,  # chromadb installs pysqlite3-binary on import when sqlite is too old
    "A module runs pip to install other packages when it is imported: code arrives around "
    "the resolver, the lockfile and its hashes.",
    "Supply chain compromise: second stage (T1195.001, T1105)",
    # No download tag: with the process spawn it would count as download-and-execute twice.
    [Tag.PROCESS],
    "Do not import the package. Dependencies belong in its metadata, where resolvers, "
    "lockfiles and scanners see them; find out what it installs and from where.",
)
STEGO_EXEC = _rule(
    "stego-exec",
    RuleKind.THREAT,
    Severity.CRITICAL,
    "Sound frames or image pixels are decoded and executed.",
    "Steganography (T1027.003, T1059.006)",
    [Tag.STEGANOGRAPHY, Tag.EXEC],
)
PERSISTENCE_WRITE = _rule(
    "persistence-write",
    RuleKind.THREAT,
    Severity.HIGH,
    "Code that runs on install, import or start-up writes a systemd unit, crontab, Run key, "
    "LaunchAgent, Startup-folder entry or shell rc file, or enables one; or creates an "
    "account (net user /add, useradd).",
    "Persistence (T1543.002, T1053.003, T1547.001, T1546.004, T1136.001)",
    [Tag.PERSISTENCE],
)
PERSISTENCE_RUNTIME = _rule(
    "persistence-write-runtime",
    RuleKind.CAPABILITY,
    Severity.MEDIUM,
    "A function writes or enables a systemd unit, crontab, Run key, LaunchAgent, Startup-folder "
    "entry or shell rc file, or creates an account.",
    "Persistence (T1543.002, T1053.003, T1547.001, T1546.004, T1136.001)",
    [Tag.PERSISTENCE],
    "Tools that manage services or shell set-up do this on request; a library should not.",
)

RULES = (
    DECODE_EXEC,
    DECODE_EXEC_RUNTIME,
    IMPORT_EXEC_DYNAMIC,
    DOWNLOAD_EXEC,
    DOWNLOAD_RUN_RUNTIME,
    DOWNLOAD_RUN_EXECUTABLE,
    DROPPER_WRITE_RUN,
    LITERAL_PROGRAM_RUN,
    IMPORT_PROCESS,
    DECODED_COMMAND,
    IMPORT_SHELL_DOWNLOAD,
    IMPORT_NETWORK,
    ENV_DUMP,
    ENV_EXFILTRATION,
    HOST_BEACON,
    HOST_INFO_NETWORK,
    DOMAIN_FRONTING,
    CREDENTIAL_READ,
    CREDENTIAL_EXFILTRATION,
    CREDENTIAL_HARVEST,
    DUNDER_MONKEYPATCH,
    DUNDER_MONKEYPATCH_NETWORK,
    OBFUSCATED_IMPORT,
    OBFUSCATED_BUILTIN,
    REVERSE_SHELL,
    IMPORT_UPLOAD,
    HIDDEN_DESTINATION,
    IMPORT_FETCH_PROGRAM,
    IMPORT_SIDE_INSTALL,
    STEGO_EXEC,
    PERSISTENCE_WRITE,
    PERSISTENCE_RUNTIME,
)

# What setup_hooks already reports for a setup.py at install time.
_SETUP_COVERED = frozenset(
    {
        DECODE_EXEC.id,
        IMPORT_EXEC_DYNAMIC.id,
        IMPORT_PROCESS.id,
        IMPORT_SHELL_DOWNLOAD.id,
        IMPORT_NETWORK.id,
    }
)

# -- pre-filter ---------------------------------------------------------------------------------

# A file naming none of these has nothing the rules could report: skip its parse.
# Plain substring tests (memchr-fast); regular expressions only confirm the
# few tokens whose innocent uses are common (re.compile, model.eval).
_TOKENS = (
    # exec by other names
    b"runpy",
    b"os.exec",
    # processes
    b"os.system",
    b"import system",
    b"popen",
    b"Popen",
    b"subprocess",
    b"create_subprocess",  # asyncio.create_subprocess_shell/_exec
    b"os.spawn",
    b"posix_spawn",
    b"startfile",
    b"import pty",
    b"pty.spawn",
    b", pty",
    # network
    b"socket",
    b"urlopen",
    b"urlretrieve",
    b"urllib",
    b"requests",
    b"httpx",
    b"http.client",
    b"httplib",
    b"HTTPConnection",
    b"aiohttp",
    b"ftplib",
    b"smtplib",
    b"telnetlib",
    b"paramiko",
    b"websocket",
    b"xmlrpc",
    b"pycurl",
    # credential stores
    b".ssh",
    b".aws/",
    b".aws\\",
    b"'.aws'",
    b'".aws"',
    b".kube",
    b".azure",
    b".docker",
    b"gcloud",
    b"Login Data",
    b"Local State",
    b"leveldb",
    b"allet",
    b"Exodus",
    b"Electrum",
    b"Ethereum",
    b"Armory",
    b"MetaMask",
    b"tdata",
    b"launcher_accounts",
    b"microsoft_accounts",
    b"lunarclient",
    b"/proc/",
    b"/etc/shadow",
    b"Cookies",
    b"Telegram",
    b"169.254",
    b".netrc",
    b".pgpass",
    b"sh_history",
    # persistence
    b"crontab",
    b"systemd",
    b"CurrentVersion",
    b"LaunchAgents",
    b"bashrc",
    b"zshrc",
    b"rc.local",
    b"/.profile",
    b"bash_profile",
    b"zprofile",
    b"Startup",
    b"schtasks",
)
_LOOKUPS = (b"__import__", b"import_module", b"builtins", b"globals()", b"getattr(")
_HIDING = (
    b"b64decode",
    b"chr",
    b"[::-1]",
    b"decompress",
    b"fromhex",
    b"unhexlify",
    b"rot13",
    b"rot_13",
    b"marshal",
    b"bytes([",
    b"'exec'",
    b'"exec"',
    b"'eval'",
    b'"eval"',
)
# Called, or passed around as a value (``run = exec``, ``run = exec; run(src)``,
# ``f(exec, src)``, ``{"run": exec}``): an alias is called later under another name.
_CALLED = tuple(
    (word, re.compile(re.escape(word) + rb"(?:\s*[(,)\]};]|[ \t]*(?:#[^\n]*)?$)", re.MULTILINE))
    for word in (b"exec", b"eval", b"compile")
)
# A dunder of another class replaced (Session.__init__ = hook), or named for setattr().
_DUNDERS = b"|".join(re.escape(d.encode()) for d in sorted(PATCHED_DUNDERS))
_DUNDER_PATCH = re.compile(rb"\.(?:" + _DUNDERS + rb")\s*=(?!=)")
_DUNDER_NAMED = re.compile(rb"['\"](?:" + _DUNDERS + rb")['\"]")
# The builtin by its name, not a longer one (__setattr__, check_setattr_method).
_SETATTR = re.compile(rb"(?<![A-Za-z0-9_])setattr(?![A-Za-z0-9_])")
_IDENTIFIER = WORD_BYTES | frozenset(b".")


def _is_builtins(node: ast.expr) -> bool:
    """``__builtins__``, ``builtins`` or ``__builtin__`` (the module of exec and eval)."""
    if isinstance(node, ast.Name):
        return node.id in ("__builtins__", "builtins", "__builtin__")
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and (
            node.func.id == "__import__"
            and bool(node.args)
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in ("builtins", "__builtin__")
        )
    )


_BUILTINS_LOOKUPS = (b"getattr(__builtins__", b"getattr(builtins")
# Every word the pre-filter tests, found in one pass over the file.
_PREFILTER = Literals(
    (
        b"environ",
        b"write",
        *_TOKENS,
        *_BUILTINS_LOOKUPS,
        *_LOOKUPS,
        *_HIDING,
        *(word for word, _ in _CALLED),
        b".__",
        b"setattr",
    )
)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


_TOKEN_SET = frozenset(_TOKENS)
# Module names (network libraries, subprocess) that are sinks only where the code imports
# them or names them in a string for __import__/import_module: the tree ties a call to a
# module through its import. Elsewhere they are prose ("retries failed requests", "a
# websocket client", "runs a subprocess") in thousands of SDK files.
_IMPORTED_NAMES = frozenset(
    {
        b"requests",
        b"httpx",
        b"urllib",
        b"socket",
        b"websocket",
        b"aiohttp",
        b"httplib",
        b"ftplib",
        b"smtplib",
        b"telnetlib",
        b"paramiko",
        b"xmlrpc",
        b"pycurl",
        b"subprocess",
    }
)


# A quoted module name is imported only through one of these (__import__("requests"),
# importlib.import_module, sys.modules["requests"]).
_STRING_IMPORTERS = (b"__import__", b"import_module", b"modules")
# An import statement's keyword where a statement starts: first on its line, or after a
# `;` or a one-line compound statement's `:` (`try: import requests`). Prose ("data from
# the requests", a description saying "import") and comments do not start statements.
_IMPORT_STATEMENT = re.compile(rb"(?:^|[;:])[ \t\f]*(?:import|from)\b", re.MULTILINE)
# After a module's name, these make it part of a longer one: _requests_async, and a
# CamelCase name (httpxSpecialProvider). Digits and lower case may still be another
# network module (urllib3, websockets).
_LONGER_NAME = frozenset(b"_ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _named_in_code(data: bytes, word: bytes) -> bool:
    """Whether ``word`` occurs where it can name a module: imported, or quoted for an importer.

    Any occurrence after an import statement's keyword on its line (see
    :data:`_IMPORT_STATEMENT`), on a line continued from the one before, inside an import's
    parentheses, or right after a quote in a file that imports by name counts: when in
    doubt, the file is parsed. Part of a longer name (``_requests_async``,
    ``base_requests``, ``httpxSpecialProvider``) it names something else; "important" is no
    import keyword, and "from" in a sentence starts no import.
    """
    importers: bool | None = None
    start = data.find(word)
    while start >= 0:
        end = start + len(word)
        if (start and data[start - 1] in WORD_BYTES) or (
            end < len(data) and data[end] in _LONGER_NAME
        ):
            start = data.find(word, start + 1)
            continue
        if start and data[start - 1] in b"'\"":
            if importers is None:
                importers = any(name in data for name in _STRING_IMPORTERS)
            if importers:
                return True
        line = data.rfind(b"\n", 0, start) + 1
        if _IMPORT_STATEMENT.search(data, line, start) is not None:
            return True
        if line >= 2 and data.rfind(b"\\", max(0, line - 3), line) >= 0:
            return True
        if _in_import_list(data, start):
            return True
        start = data.find(word, start + 1)
    return False


_IMPORT_LIST = re.compile(rb"\bimport\s*\(")


def _in_import_list(data: bytes, start: int) -> bool:
    """Whether ``start`` is inside the parentheses of ``from pkg import (a, b, ...)``."""
    opened = data.rfind(b"import", max(0, start - 10_000), start)
    if opened < 0:
        return False
    found = _IMPORT_LIST.match(data, opened)
    return found is not None and data.find(b")", found.end(), start) < 0


_HIDING_SET = frozenset(_HIDING)
# After "chr": called, mapped or bound (chr(105), map(chr, codes), c = chr).
_CHR_AFTER = re.compile(rb"chr(?:\s*[(,)\]]|[ \t]*(?:#[^\n]*)?$)", re.MULTILINE)


def _chr_used(data: bytes) -> bool:
    """Whether the builtin ``chr`` is named, not a word containing it ("synchronous")."""
    start = data.find(b"chr")
    while start >= 0:
        if (not start or data[start - 1] not in WORD_BYTES) and _CHR_AFTER.match(data, start):
            return True
        start = data.find(b"chr", start + 1)
    return False


# os.environ where it may stand for the whole environment: not "environment", not one
# variable (environ["X"], environ.get(...)), not a module path ("from app.environ import")
# or a reference in a string ("os.environ/KEY").
_ENVIRON_AFTER = re.compile(
    rb"environb?(?![A-Za-z0-9_/])(?!\s*\[|\s*\.\s*(?:get|pop|setdefault)\s*\(|\s+import\b)"
)
_MEMBERSHIP = re.compile(rb"\bin\s+(?:os\.)?\Z")  # "KEY" in os.environ


def _whole_environ(data: bytes) -> bool:
    """Whether ``os.environ`` occurs somewhere other than as one variable's lookup."""
    start = data.find(b"environ")
    while start >= 0:
        if (
            (not start or data[start - 1] not in WORD_BYTES)
            and _ENVIRON_AFTER.match(data, start) is not None
            and _MEMBERSHIP.search(data, max(0, start - 12), start) is None
        ):
            return True
        start = data.find(b"environ", start + 1)
    return False


# Tokens that count only in the shape a rule needs of them: a credential folder under the
# home directory as a path part, after a quote, a slash or ~ (not "vault.azure.net" or
# "paramiko.ssh_exception"), a Windows Run key or Startup folder as a path
# ("StartupEvent", "SetCurrentVersionRequest", "/SetCurrentVersion" are names), Telegram's
# desktop client's folder (the library for its bots names "Telegram" everywhere), a shell
# history file ("push_history" is not one).
_TOKEN_SHAPES: dict[bytes, re.Pattern[bytes]] = {
    **{
        folder: re.compile(rb"['\"/\\~]" + re.escape(folder))
        for folder in (b".ssh", b".kube", b".azure", b".docker")
    },
    b"CurrentVersion": re.compile(
        rb"(?:^|[^A-Za-z0-9_])CurrentVersion(?:[/\\'\"{%]|$)", re.IGNORECASE | re.MULTILINE
    ),
    b"Startup": re.compile(rb"[/\\'\"}]Startup(?:[/\\'\"{%]|\Z)", re.IGNORECASE),
    b"Telegram": re.compile(rb"Telegram(?: |\\x20|\\040|\\u0020)Desktop", re.IGNORECASE),
    b"sh_history": re.compile(rb"\.(?:ba|z)sh_history", re.IGNORECASE),
    # Wallet and Telegram folders as CREDENTIAL_PATHS names them: as path parts.
    b"Exodus": re.compile(rb"Exodus[/\\'\"]", re.IGNORECASE),
    b"Electrum": re.compile(rb"[/\\'\"]Electrum[/\\'\"]", re.IGNORECASE),
    b"Ethereum": re.compile(rb"Ethereum[/\\'\", ]{1,8}keystore", re.IGNORECASE),
    b"Armory": re.compile(rb"[/\\'\"]Armory[/\\'\"]", re.IGNORECASE),
    b"tdata": re.compile(rb"[/\\'\"]tdata\b", re.IGNORECASE),
}


def _in_comment(data: bytes, start: int) -> bool:
    """Whether ``start`` follows a ``#`` on its line with no quote before it (a comment).

    A quote before the ``#`` may open a string holding it (``s = "#"; exec(x)``): then
    the word counts.
    """
    line = data.rfind(b"\n", 0, start) + 1
    hash_at = data.find(b"#", line, start)
    return hash_at >= 0 and not any(quote in data[line:hash_at] for quote in (b"'", b'"'))


def _joined_paths(pieces: list[str]) -> list[str]:
    """The string pieces of one path argument put together, as os.path.join would.

    A store named across pieces (join(home, ".aws", "credentials"), APPDATA /
    "Ethereum" / "keystore") matches no pattern piece by piece. The pieces come in
    the order of a breadth-first walk of the argument: in source order for a call's
    arguments, in reverse for a chain of ``/``; both orders are tried.
    """
    if len(pieces) < 2:
        return []
    parts = [piece.strip("/\\") for piece in pieces]
    return ["/".join(parts)[:1000], "/".join(reversed(parts))[:1000]]


def _names_in(expr: ast.expr, imports: Mapping[str, str]) -> set[str]:
    """The variables and attributes an expression reads (``path``, ``self.target``).

    Modules and what is called (``os.path.join``, ``tempfile.gettempdir()``) are
    not the file: every path in a program is made with them.
    """
    found: set[str] = set()
    called: set[int] = set()
    for node in walk_values(expr):
        kind = type(node)
        if kind is ast.Call:
            called.add(id(node.func))  # type: ignore[attr-defined]
        elif id(node) in called:  # and what it is reached through (self.helper)
            called.update(id(child) for child in ast.iter_child_nodes(node))
            continue
        elif kind is ast.Name and node.id not in imports:  # type: ignore[attr-defined]
            found.add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.Attribute and not _from_module(node, imports):  # type: ignore[arg-type]
            found.add(node.attr)  # type: ignore[attr-defined]
    return found


def _from_module(node: ast.Attribute, imports: Mapping[str, str]) -> bool:
    root: ast.expr = node
    while isinstance(root, ast.Attribute):
        root = root.value
    return isinstance(root, ast.Name) and root.id in imports


def worth_parsing(data: bytes) -> bool:
    """False when ``data`` cannot match any behaviour rule: it names no sink at all, or
    its only sinks are network libraries that nothing can reach on load with anything a
    rule looks for (see :func:`_network_matters`)."""
    found = _PREFILTER.found(data)
    if not found:
        return False
    if b"environ" in found and b"write" in found and _whole_environ(data):
        return True
    tokens = found & _TOKEN_SET
    tokens -= {w for w in tokens & _TOKEN_SHAPES.keys() if not _TOKEN_SHAPES[w].search(data)}
    network = tokens & _NETWORK_TOKENS.keys()
    tokens -= network
    if not tokens <= _IMPORTED_NAMES or any(_named_in_code(data, t) for t in tokens):
        return True
    if not found.isdisjoint(_BUILTINS_LOOKUPS):
        return True
    # Imports and builtins looked up by name matter when the name is hidden.
    hiding = found & _HIDING_SET
    if b"chr" in hiding and not _chr_used(data):
        hiding -= {b"chr"}  # "synchronous", "chrome": not the builtin
    if b"[::-1]" in hiding and not reverses_literal(data):
        hiding -= {b"[::-1]"}  # an array or a list reversed
    if hiding and not found.isdisjoint(_LOOKUPS):
        return True
    for word, called in _CALLED:
        if word in found:
            for match in called.finditer(data):
                start = match.start()
                if (start == 0 or data[start - 1] not in _IDENTIFIER) and not _in_comment(
                    data, start
                ):
                    return True
    if b"setattr" in found and _DUNDER_NAMED.search(data) and _SETATTR.search(data):
        return True
    if b".__" in found and _DUNDER_PATCH.search(data) is not None:
        return True
    named = [t for t in network if t not in _IMPORTED_NAMES or _named_in_code(data, t)]
    return bool(named) and _network_matters(data, named)


# The network libraries among the pre-filter's words, with the modules each stands for
# (urllib for urllib2 and urllib3 too; http.client for "import http.client").
_NETWORK_TOKENS: dict[bytes, tuple[bytes, ...]] = {
    b"socket": (b"socket",),
    b"urlopen": (),
    b"urlretrieve": (),
    b"urllib": (b"urllib", b"urllib2", b"urllib3"),
    b"requests": (b"requests",),
    b"httpx": (b"httpx",),
    b"http.client": (b"http",),
    b"httplib": (b"httplib",),
    b"HTTPConnection": (),
    b"aiohttp": (b"aiohttp",),
    b"ftplib": (b"ftplib",),
    b"smtplib": (b"smtplib",),
    b"telnetlib": (b"telnetlib",),
    b"paramiko": (b"paramiko",),
    b"websocket": (b"websocket", b"websockets"),
    b"xmlrpc": (b"xmlrpc", b"xmlrpclib"),
    b"pycurl": (b"pycurl",),
}


def _network_matters(data: bytes, tokens: Iterable[bytes]) -> bool:
    """Whether a rule could report a module whose only sinks are the network libraries
    ``tokens`` (pre-filter words it names in code).

    Away from load, a network call is reported only with something it sends or is sent
    to: the environment, host facts, a credential file, a decoded or hidden address, a
    Host header naming another site; or with a file it writes (persistence, planted
    code) or runs (chmod, runpy). Without a word or shape any of those needs, only a call
    that runs on load can be reported, which :func:`network_runs_on_load` reads off
    the bytes.
    """
    if _network_ingredients().may_match(data):
        return True
    for module, name in _SHORT_HOST_CALLS:
        if module in data and re.search(rb"\b" + name + rb"\b", data):
            return True  # platform.node(), from platform import node
    roots = {root for token in tokens for root in _NETWORK_TOKENS[token]}
    return network_runs_on_load(data, roots)


# Host-facts functions named too briefly to look for alone ("node"): with their module.
_SHORT_HOST_CALLS = tuple(
    (module.encode(), name.encode())
    for module, _, name in sorted(q.rpartition(".") for q in HOST_CALLS)
    if len(name) < 5
)


# In a regular expression: an escape, a character class, or an anchor at the start or end.
_REGEX_PART = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[$^]")
_WIDENED_ANCHORS = {"^": "(?:^|['\"])", "$": "(?:$|['\"])"}


def _in_source(pattern: str) -> str:
    """A pattern written for a string's content, widened to find the string in source:
    where it anchors at the content's start or end (``^``, ``$``), a quote may stand."""
    return _REGEX_PART.sub(lambda m: _WIDENED_ANCHORS.get(m[0], m[0]), pattern)


@functools.cache
def _network_ingredients() -> Prefilter:
    """One Hyperscan pass for every word and shape :func:`_network_matters` looks for."""
    words = [
        b"environ",  # the whole environment, or host facts in it
        b"getenv",
        *(n.rpartition(".")[2].encode() for n in HOST_CALLS if len(n.rpartition(".")[2]) >= 5),
        *(name.encode() for name in DECODER_NAMES),  # a decoded address
        *(name.encode() for name in BUILTIN_MODULES),  # builtins.exec, __import__ by name
        b"__import__",
        b"import_module",
        b"execfile",
        *(name.rpartition(".")[2].encode() for name in _RUNNERS),  # a written file run
        b"dup2",  # a socket wired to a shell
    ]
    flags = hyperscan.HS_FLAG_MULTILINE
    caseless = flags | hyperscan.HS_FLAG_CASELESS
    widened = caseless | hyperscan.HS_FLAG_PREFILTER
    codecs = b"|".join(re.escape(c.encode()) for c in sorted(DECODING_CODECS))
    # Where files are written or read, and who is asked the machine's address.
    paths = (PERSISTENCE_PATH, _PLANTED_PROGRAM, IP_LOOKUP, *dict(CREDENTIAL_PATHS).values())
    expressions = [
        *((rb"\b" + re.escape(word) + rb"\b", flags) for word in words),
        (rb"sys\.modules", flags),  # sys.modules["requests"]
        (rb"\[::-1\]", flags),
        (rb"bytes(?:array)?\(\s*[\[(]", flags),  # bytes([104, 116, ...])
        (rb"[\w)\]][ \t]*\^|\^=", flags),  # XOR
        (rb"decode\(\s*['\"](?:" + codecs + rb")['\"]", caseless),
        (rb"['\"]host['\"]", caseless),  # a Host header
        *((_in_source(p.pattern).encode(), widened) for p in paths),
    ]
    return compile_expressions(expressions)


# -- patterns on strings ---------------------------------------------------------------------

PERSISTENCE_PATH = re.compile(
    r"systemd[/\\]+(user|system)\b|/etc/systemd/|\.service$|[/\\]autostart[/\\]"
    r"|LaunchAgents|LaunchDaemons|/etc/cron|/var/spool/cron|\bcrontab\b|/etc/rc\.local"
    r"|/etc/init\.d/|(^|[/\\~])\.(bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv)$"
    r"|config\.fish$|Start Menu[/\\]+Programs[/\\]+Startup|[/\\]Startup[/\\]"
    r"|CurrentVersion[/\\]+Run|\.ssh[/\\]+authorized_keys",
    re.IGNORECASE,
)
PERSISTENCE_COMMAND = re.compile(
    r"systemctl\s+(--user\s+)?(enable|daemon-reload)|\bcrontab\b|\breg(\.exe)?\s+add\b.*\\Run\b"
    r"|schtasks(\.exe)?\s+/create|launchctl\s+(load|bootstrap)|CurrentVersion\\+Run"
    # An account of the attacker's: net user NAME PASSWORD /add, added to the administrators.
    r"|\bnet(\.exe)?\s+(user|localgroup)\s.*/add\b|\b(useradd|adduser)\s",
    re.IGNORECASE,
)
# A network client on a shell command line, and what the shell fills in before running it.
_NETWORK_CLIENT = re.compile(
    r"(?:^|[\s;&|(\"'])(curl|wget|nslookup|dig|ping|ncat|nc|Invoke-WebRequest|"
    r"Invoke-RestMethod|iwr|irm)(?:\.exe)?\s",
    re.IGNORECASE,
)
_SUBSTITUTION = re.compile(r"\$\(([^()]*)\)|`([^`]*)`")
_HOST_VARIABLE = re.compile(
    r"\$\{?(?:USER|USERNAME|LOGNAME|HOSTNAME)\b|%(?:USERNAME|COMPUTERNAME|USERDOMAIN)%"
)
# A client talking to this machine: the Docker daemon's socket, a loopback address.
_LOCAL_TARGET = re.compile(r"--unix-socket|://(?:localhost|127(?:\.\d+){3}|\[::1\])(?![\w.-])")
# Substitutions that make a local path (-o "$(pwd)/file"), not a fact to send.
_PATH_COMMAND = re.compile(r"\s*(?:pwd|ls|dir|cd)\b")


def _shell_beacon(command: str) -> str | None:
    """The network client of a command line that the shell hands host or user facts
    (``curl -H "Who: $(whoami)" URL``, ``nslookup %USERNAME%.example``); None otherwise,
    and None for a client that talks to this machine only."""
    client = _NETWORK_CLIENT.search(command)
    if client is None or _LOCAL_TARGET.search(command):
        return None
    if _HOST_VARIABLE.search(command, client.start()):
        return client.group(1)
    for match in _SUBSTITUTION.finditer(command, client.start()):
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if not _PATH_COMMAND.match(inner) and command_facts(inner) & (Origin.HOST | Origin.ENV):
            return client.group(1)
    return None


_SHELLS = re.compile(
    r"(^|/)(ba|da|z|k|c|tc|fi)?sh$|(^|[/\\])(cmd|powershell|pwsh)(\.exe)?$|/bin/(ba|z)?sh\b"
    r"|\bsh\s+-i\b",
    re.IGNORECASE,
)
_IMPORTERS = frozenset({"__import__", "importlib.__import__", "importlib.import_module"})
_LOGIN_CLIENTS = frozenset({"paramiko", "asyncssh", "fabric", "smtplib", "imaplib", "poplib"})
_LOCAL_SUFFIXES = (".local", ".localdomain", ".lan", ".home", ".internal", "localhost")
_DNS_CALLS = frozenset({"socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo"})
_LOCAL_OR_IP = re.compile(r"^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]+\]?|localhost)$")
# Where Python picks code up by itself: a module in site-packages, or a .pth file.
PLANTED_CODE_PATH = re.compile(r"site-packages|(^|[/\\])__init__\.py$|\.pth$", re.IGNORECASE)
# pip as a command: at the start of a command line, after a separator, or as python -m pip.
PIP_INSTALL = re.compile(
    r"(?:^|[;&|]\s*|(?:^|\s)-m\s+)(?:\S*[/\\])?pip3?(?:\.exe)?\s+install\b", re.IGNORECASE
)
_PROGRAM_URL = re.compile(
    r"^https?://[^?#\s]+\.(exe|scr|bat|cmd|vbs|ps1|hta|msi|pif)([?#]|$)", re.IGNORECASE
)
_SHELL_RUNNERS = frozenset({"os.system", "os.popen", "subprocess.getoutput", "commands.getoutput"})
_SOCKET_RECEIVES = frozenset({"recv", "recvfrom", "recv_into"})
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?([a-z0-9.-]+)", re.IGNORECASE)
_RUNNERS = frozenset({"os.chmod", "os.startfile", "runpy.run_path", "zipimport.zipimporter"})
_EXECUTE_BITS = 0o111
_STAT_EXECUTE = frozenset(
    {"S_IXUSR", "S_IXGRP", "S_IXOTH", "S_IEXEC", "S_IRWXU", "S_IRWXG", "S_IRWXO"}
)


def _may_arm(chmod: ast.Call) -> bool:
    """Whether an ``os.chmod`` call may make a file executable.

    Only a mode written out can say it does not: numbers without an execute bit
    and ``stat`` flags other than the execute ones (an rmtree error handler that
    clears the read-only bit with ``stat.S_IWRITE`` arms nothing).
    """
    mode = chmod.args[1] if len(chmod.args) > 1 else None
    mode = mode or next((k.value for k in chmod.keywords if k.arg == "mode"), None)
    return mode is None or _may_execute(mode)


def _may_execute(mode: ast.expr) -> bool:
    if isinstance(mode, ast.BinOp) and isinstance(mode.op, ast.BitOr | ast.BitAnd):
        return _may_execute(mode.left) or _may_execute(mode.right)
    if isinstance(mode, ast.Constant):
        return not isinstance(mode.value, int) or bool(mode.value & _EXECUTE_BITS)
    if isinstance(mode, ast.Attribute) and isinstance(mode.value, ast.Name):
        name = mode.attr if mode.value.id == "stat" else ""
    else:
        name = mode.id if isinstance(mode, ast.Name) else ""
    return not name.startswith("S_I") or name in _STAT_EXECUTE


# A file name a downloader gives a Windows program: a literal name, not a computed one, so
# a tool that fetches a platform's driver under a name it builds is not taken for a dropper.
_WINDOWS_PROGRAMS = "exe|scr|bat|cmd|vbs|vbe|ps1|hta|msi|pif|com"
WINDOWS_PROGRAM_NAME = re.compile(rf"(^|[/\\])[\w.-]*\w\.({_WINDOWS_PROGRAMS})$", re.IGNORECASE)
# A file that runs, or that a program loads as code: a program, a script, a library.
_CODE_FILE_NAME = re.compile(
    rf"\.({_WINDOWS_PROGRAMS}|lnk|jar|js|py|pyw|pyc|pyz|pth|sh|bash"
    r"|dll|so|dylib|desktop|plist|service)$",
    re.IGNORECASE,
)
_DECODED = Origin.DECODE | Origin.OBFUSCATED


# Where a written program runs with no one starting it: at interpreter start or on import.
_PLANTED_PROGRAM = re.compile(
    PLANTED_CODE_PATH.pattern + r"|(^|[/\\])(site|user)customize\.py$", re.IGNORECASE
)
# Written programs are scanned as scripts this many levels deep, up to this size.
_MAX_PROGRAM_DEPTH = 2
_MAX_PROGRAM_CHARS = 64 * 1024
_PROGRAM_NAME = "literal_program.py"
_PROGRAM_THREATS = {
    "download-exec": "runs downloaded code",
    "download-run-executable": "downloads a program and runs it",
    "decode-exec": "runs decoded code",
    "decoded-command": "runs a decoded command line",
    "dropper-write-run": "writes decoded data to a file and runs it",
    "literal-program-run": "runs another such program",
    "import-shell-download": "runs a download command line",
    "reverse-shell": "opens a reverse shell",
    "credential-exfiltration": "sends credentials",
    "env-exfiltration": "sends the environment",
}


def _literal_text(expr: ast.expr, analysis: ModuleAnalysis, scope: str) -> str | None:
    """The text a write is given when it is a literal, or a name bound to one only."""
    if isinstance(expr, ast.Name):
        values = [v for v, _ in analysis.assigned(scope, expr.id)]
        if len(values) != 1:
            return None
        expr = values[0]
    if not isinstance(expr, ast.Constant):
        return None
    if isinstance(expr.value, str):
        return expr.value
    if isinstance(expr.value, bytes):
        return expr.value.decode("utf-8", "replace")
    return None


# A Python interpreter on a command line: python, python3.12, pythonw.exe, a path to one.
_PYTHON_PROGRAM = re.compile(r"(?:^|[/\\])py(?:thon)?[0-9.]*w?(?:\.exe)?$", re.IGNORECASE)


def _inline_program(command: ast.expr, analysis: ModuleAnalysis, scope: str) -> str | None:
    """The program of ``python -c PROGRAM`` in a process call's first argument, if literal.

    In a list of arguments, the literal after a literal ``-c``; in a command line, the
    word after ``-c`` when a Python interpreter comes before it.
    """
    if isinstance(command, ast.List | ast.Tuple):
        items = command.elts
        for index, item in enumerate(items[:-1]):
            if isinstance(item, ast.Constant) and item.value == "-c":
                return _literal_text(items[index + 1], analysis, scope)
        return None
    line = _literal_text(command, analysis, scope)
    if line is None or "-c" not in line:
        return None
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    for index, word in enumerate(words[:-1]):
        if word == "-c" and any(_PYTHON_PROGRAM.search(w) for w in words[:index]):
            return words[index + 1]
    return None


@dataclass(slots=True, kw_only=True)
class _Scan:
    file: FileView
    analysis: ModuleAnalysis
    findings: list[Finding] = field(default_factory=list)
    _seen: set[tuple[str, int]] = field(default_factory=set)
    # Local functions that send what they are given, each with its first sending call.
    senders: dict[str, CallSite] = field(default_factory=dict)
    # How many literal programs this scan is inside (see literal_programs).
    depth: int = 0
    # Each literal program's threat, read once however many calls run it.
    programs: dict[str, str | None] = field(default_factory=dict)

    # -- where code runs -----------------------------------------------------------------

    @property
    def role(self) -> FileRole:
        return self.file.role

    def loads(self, scope: str) -> bool:
        """Whether code in ``scope`` runs unasked (install, start-up or import)."""
        if scope in (MAIN_SCOPE, BY_HAND_SCOPE):
            return False
        if self.role is FileRole.SETUP:
            return scope in self.analysis.load_scopes or scope in self.analysis.hook_scopes
        if self.script_only:
            return False
        return scope in self.analysis.load_scopes

    @property
    def script_only(self) -> bool:
        """Whether the file runs only as a script, never on import: ``__main__.py``
        (``python -m pkg``) and files no import statement can name
        (``transform-httplib.py``, ``fluid.properties.py``)."""
        if self.role is not FileRole.PYTHON:
            return False
        name = self.file.name
        return name == "__main__.py" or not name.rpartition(".")[0].isidentifier()

    def scope_of(self, scope: str) -> Scope:
        if not self.loads(scope):
            return Scope.RUNTIME
        if self.role is FileRole.SETUP:
            return Scope.INSTALL
        if self.role is FileRole.CUSTOMIZE:
            return Scope.STARTUP
        return Scope.IMPORT

    def where(self, scope: str) -> str:
        when = {
            Scope.INSTALL: "at install time",
            Scope.STARTUP: "at interpreter start",
            Scope.IMPORT: "on import",
            Scope.RUNTIME: "when called",
        }[self.scope_of(scope)]
        if scope == MAIN_SCOPE or (not scope and self.script_only):
            return "when the file is run as a script"
        if scope == BY_HAND_SCOPE:
            return "only when the script is run by hand with a command pip never gives"
        return f"{when} (module level)" if not scope else f"{when} (in {scope}())"

    # -- reporting -----------------------------------------------------------------------

    def report(self, rule: Rule, line: int, message: str, scope: str) -> None:
        if self.role is FileRole.SETUP and rule.id in _SETUP_COVERED:
            return
        if (rule.id, line) in self._seen:
            return
        self._seen.add((rule.id, line))
        self.findings.append(
            rule.finding(
                path=self.file.path,
                line=line,
                message=message,
                evidence=self.analysis.line(line),
                scope=self.scope_of(scope),
            )
        )

    def pick(self, scope: str, loaded: Rule, runtime: Rule) -> Rule:
        return loaded if self.loads(scope) else runtime

    # -- the rules -----------------------------------------------------------------------

    def run(self) -> list[Finding]:
        analysis = self.analysis
        for site in analysis.calls:
            caps = site.capabilities
            if Capability.EXEC in caps:
                self.exec_call(site)
            if Capability.PROCESS in caps:
                self.process_call(site)
            if Capability.NETWORK in caps:
                self.network_call(site)
            if site.qualname in _IMPORTERS or site.qualname == "getattr":
                self.lookup(site)
        self.helper_sends()
        writes = list(analysis.file_writes())
        self.writes(writes)
        self.literal_programs(writes)
        self.credentials()
        self.reverse_shell()
        self.monkeypatches()
        return self.findings

    def exec_call(self, site: CallSite) -> None:
        origin = self.analysis.exec_origin(site)
        if origin is None:
            return
        where = self.where(site.scope)
        if Origin.STEGO in origin:
            self.report(
                STEGO_EXEC,
                site.line,
                f"{site.display} runs code hidden in media {where}",
                site.scope,
            )
        if Origin.NETWORK in origin:
            self.report(
                DOWNLOAD_EXEC, site.line, f"{site.display} runs downloaded code {where}", site.scope
            )
        if origin & _DECODED:
            what = "decoded" if Origin.DECODE in origin else "deobfuscated (chr/reversed/XOR)"
            self.report(
                self.pick(site.scope, DECODE_EXEC, DECODE_EXEC_RUNTIME),
                site.line,
                f"{site.display} runs {what} code {where}",
                site.scope,
            )
        elif self.loads(site.scope) and origin & (Origin.DYNAMIC | Origin.PROCESS):
            self.report(
                IMPORT_EXEC_DYNAMIC,
                site.line,
                f"{site.display} runs code computed at run time {where}",
                site.scope,
            )

    def process_call(self, site: CallSite) -> None:
        analysis = self.analysis
        texts = [t for arg in site.node.args for t in analysis.strings(arg, site.scope)]
        command = " ".join(texts)
        persistence = PERSISTENCE_COMMAND.search(command)
        if persistence is not None:
            self.report(
                self.pick(site.scope, PERSISTENCE_WRITE, PERSISTENCE_RUNTIME),
                site.line,
                f"{site.display} runs {persistence.group(0)!r} {self.where(site.scope)}",
                site.scope,
            )
        client = _shell_beacon(command)
        if client is not None:
            self.report(
                self.pick(site.scope, HOST_BEACON, HOST_INFO_NETWORK),
                site.line,
                f"{site.display} runs {client} with host or user facts in its command line "
                f"{self.where(site.scope)}",
                site.scope,
            )
        if self._runs_received_command(site):
            self.report(
                REVERSE_SHELL,
                site.line,
                f"{site.display} runs a shell command received from a socket "
                f"{self.where(site.scope)}",
                site.scope,
            )
        if not self.loads(site.scope):
            return
        self.report(
            IMPORT_PROCESS, site.line, f"{site.display} runs {self.where(site.scope)}", site.scope
        )
        if self._interpreter_on_temp_file(site):
            self.report(
                DROPPER_WRITE_RUN,
                site.line,
                f"{site.display} starts the Python interpreter on a temporary file "
                f"{self.where(site.scope)}",
                site.scope,
            )
        if analysis.arguments_origin(site) & _DECODED:
            # Honest code never base64-decodes a shell command before running it.
            self.report(
                DECODED_COMMAND,
                site.line,
                f"{site.display} runs a command line that was decoded {self.where(site.scope)}",
                site.scope,
            )
        installs = PIP_INSTALL.search(command)
        if (
            installs is not None
            and not installs_only_here(command, installs.end())
            # setup.py's install-time pip is setup-install-side-command's; a project hardly
            # anyone uses, or one from elsewhere, is a second stage on top of it.
            and not (
                self.role is FileRole.SETUP and installs_known_projects(command, installs.end())
            )
        ):
            self.report(
                IMPORT_SIDE_INSTALL,
                site.line,
                f"{site.display} runs {installs.group(0).strip()!r}… {self.where(site.scope)}",
                site.scope,
            )
        match = None
        if not is_version_probe(command):
            match = next((m for m in map(shell_download, texts) if m), None)
        if match is not None:
            self.report(
                IMPORT_SHELL_DOWNLOAD,
                site.line,
                f"{site.display} runs a command line containing {match.group(0)!r} "
                f"{self.where(site.scope)}",
                site.scope,
            )

    def _runs_received_command(self, site: CallSite) -> bool:
        """A shell command line that comes straight from ``socket.recv``: remote control."""
        shell = site.qualname in _SHELL_RUNNERS or any(
            k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in site.node.keywords
        )
        if not shell or not site.node.args:
            return False
        return any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SOCKET_RECEIVES
            for node in self.analysis.value_nodes(site.node.args[0], site.scope)
        )

    def _interpreter_on_temp_file(self, site: CallSite) -> bool:
        """sys.executable and a tempfile-made object's name in one command line."""
        interpreter = temp = False
        for arg in ast.walk(
            ast.Module(body=[ast.Expr(a) for a in site.node.args], type_ignores=[])
        ):
            if isinstance(arg, (ast.Name, ast.Attribute)):
                if self.analysis.qualname(arg, site.scope) == "sys.executable":
                    interpreter = True
                elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                    made = self.analysis.maker(arg.value.id, site.scope)
                    temp = temp or (made or "").startswith("tempfile.")
        return interpreter and temp

    def network_call(self, site: CallSite) -> None:
        if not _talks(site):
            return  # urllib3.util.make_headers, http.client.InvalidURL: no traffic
        where = self.where(site.scope)
        if self.loads(site.scope):
            self.report(IMPORT_NETWORK, site.line, f"{site.display} runs {where}", site.scope)
        origin = self.analysis.arguments_origin(site)
        if Origin.PARAM in origin and site.scope in self.analysis.functions:
            self.senders.setdefault(site.scope, site)
        if Origin.ENV in origin:
            self.report(
                ENV_EXFILTRATION,
                site.line,
                f"the whole environment reaches {site.display} {where}",
                site.scope,
            )
        if Origin.SECRET in origin:
            self.report(
                CREDENTIAL_EXFILTRATION,
                site.line,
                f"a credential file's content reaches {site.display} {where}",
                site.scope,
            )
        target = site.node.args[0] if site.node.args else _keyword(site.node, "url")
        func = site.node.func
        # The address is in the URL given, or in the connection the method is called on
        # (HTTPSConnection(decoded_host).request(...)).
        hidden = any(
            (address := self.analysis.address_origin(expr, site.scope)) & _DECODED
            # An address decoded from what a function is given (an ID it unpacks) is
            # its caller's to judge; code that runs unasked is judged whatever it decodes.
            and (self.loads(site.scope) or not _decodes_its_arguments(address))
            for expr in (target, func.value if isinstance(func, ast.Attribute) else None)
            if expr is not None
        )
        if hidden:
            self.report(
                HIDDEN_DESTINATION,
                site.line,
                f"{site.display} sends to an address decoded at run time {where}",
                site.scope,
            )
        if self.loads(site.scope):
            if _keyword(site.node, "files") is not None:
                self.report(
                    IMPORT_UPLOAD, site.line, f"{site.display} uploads files {where}", site.scope
                )
            program = next(
                (
                    t
                    for t in (self.analysis.strings(target, site.scope) if target else [])
                    if _PROGRAM_URL.search(t)
                ),
                None,
            )
            if program is not None:
                self.report(
                    IMPORT_FETCH_PROGRAM,
                    site.line,
                    f"{site.display} fetches {program[:80]!r} {where}",
                    site.scope,
                )
        fronted = self._fronted_host(site)
        if fronted is not None:
            self.report(
                DOMAIN_FRONTING,
                site.line,
                f"{site.display} sends to {fronted[0]} with Host: {fronted[1]} {where}",
                site.scope,
            )
        if Origin.HOST in origin and self._beacon(site):
            # Telemetry names its endpoint; host facts sent where the code hides the
            # address are a beacon whenever they run.
            self.report(
                HOST_BEACON if hidden else self.pick(site.scope, HOST_BEACON, HOST_INFO_NETWORK),
                site.line,
                f"host or user facts reach {site.display}"
                f"{' at a hidden address' if hidden else ''} {where}",
                site.scope,
            )

    def helper_sends(self) -> None:
        """What callers hand to a local function that sends its parameters over the network.

        ``def report(data): urlopen(URL, data=data)`` is a sender; ``report(getuser())``
        sends the user name as surely as calling urlopen there would. Only the arguments
        bound to parameters the sending call is made of count, and each call is judged
        where it is made (a sender called from module level runs on import). Only host
        facts are judged here. Credentials handed to a sender are what a login helper is
        for (``get_token(user, password)`` posting to the service the password is for), and
        an environment handed along is most often a child process's, passed through a
        helper that also polls the server the child runs.
        """
        if not self.senders:
            return
        analysis = self.analysis
        reaching: dict[str, set[str]] = {}  # by sender: the parameters its sending call uses
        for site in analysis.calls:
            func = site.node.func
            if not isinstance(func, ast.Name):
                continue
            helper = analysis.resolve_def(site.scope, func.id)
            if helper is None or helper == site.scope or helper not in self.senders:
                continue
            sender = self.senders[helper]
            if helper not in reaching:
                reaching[helper] = analysis.params_reaching(helper, _sent(sender))
            params = reaching[helper]
            origin = Origin.NONE
            for param, arg in analysis.bound_arguments(site.node, helper):
                if param is None or param in params:
                    origin |= analysis.origin(arg, site.scope)
            shown = f"{func.id}() ({sender.display} on line {sender.line})"
            where = self.where(site.scope)
            if Origin.HOST in origin and self._beacon(sender):
                self.report(
                    self.pick(site.scope, HOST_BEACON, HOST_INFO_NETWORK),
                    site.line,
                    f"host or user facts reach {shown} {where}",
                    site.scope,
                )

    def _fronted_host(self, site: CallSite) -> tuple[str, str] | None:
        """(URL host, Host header) when a literal Host header names another host than the URL."""
        header: str | None = None
        for keyword in site.node.keywords:
            if keyword.arg == "headers" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and isinstance(key.value, str)
                        and key.value.lower() == "host"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        header = value.value.strip().lower().split(":")[0]
        if not header or not site.node.args:
            return None
        for text in self.analysis.strings(site.node.args[0], site.scope):
            match = _URL_HOST.match(text.strip())
            if match is None:
                continue
            host = match.group(1).lower()
            if _LOCAL_OR_IP.match(host):
                continue  # reaching a known address by IP or locally, naming the site: not a front
            if (
                host != header
                and not host.endswith("." + header)
                and not header.endswith("." + host)
            ):
                return host, header
        return None

    def _beacon(self, site: CallSite) -> bool:
        if site.receiver is not None and site.receiver.split(".", 1)[0] in _LOGIN_CLIENTS:
            return False  # an SSH or mail login sends its user name by design
        if site.qualname not in _DNS_CALLS:
            return True
        # gethostbyname(gethostname()) finds the local address; only a name
        # built around host facts (a DNS label) carries them out.
        host = site.node.args[0] if site.node.args else None
        if host is None:
            return False
        origin = self.analysis.origin(host, site.scope)
        if not (Origin.HOST in origin and Origin.LITERAL in origin):
            return False
        # hostname + ".local" asks the local network (mDNS), not a collector's server.
        literals = [t for t in self.analysis.strings(host, site.scope) if t]
        return not all(t.lower().rstrip(".").endswith(_LOCAL_SUFFIXES) for t in literals)

    def lookup(self, site: CallSite) -> None:
        node = site.node
        if site.qualname == "getattr":
            name = node.args[1] if len(node.args) >= 2 else None
        else:
            name = node.args[0] if node.args else None
        if name is None or isinstance(name, ast.Constant):
            return
        origin = self.analysis.origin(name, site.scope)
        if (
            site.qualname == "getattr"
            and _is_builtins(node.args[0])
            and not isinstance(name, ast.Name)
            and self.loads(site.scope)
            # A name handed in by the caller (an exception type read back from JSON)
            # is data, not a name assembled so that no reader can see it.
            and not (Origin.PARAM in origin and not origin & _DECODED)
        ):
            # getattr(__builtins__, <expression>) at load: a builtin (exec, eval,
            # __import__) picked by a name assembled so no reader can see it.
            self.report(
                OBFUSCATED_BUILTIN,
                site.line,
                f"{site.display} picks a builtin by a name computed from an expression "
                f"{self.where(site.scope)}",
                site.scope,
            )
            return
        # A name decoded from what the caller passed (a pickled job's function name)
        # is the caller's to judge, as for a dropper.
        if origin & _DECODED and (self.loads(site.scope) or not _decodes_its_arguments(origin)):
            self.report(
                OBFUSCATED_IMPORT,
                site.line,
                f"{site.display} looks up a name built by decoding or chr()/reversal "
                f"{self.where(site.scope)}",
                site.scope,
            )

    def _runs_file(self, scope: str, path: ast.expr | None) -> CallSite | None:
        """A call in ``scope`` (or, at load, anywhere at load) that runs or arms a file.

        A call in another function counts unless the written file is known to be
        data: its name is known and is no program, script or code another program
        loads (``index.js``, ``payload.exe``), and the call does not name it (a
        variable or a file name of the path in its arguments). A build that
        downloads ``libfoo-1.2.tgz`` in one function and runs the compiler in
        another does not run what it downloaded.
        """
        analysis = self.analysis
        loaded = self.loads(scope)
        written = None if path is None else self._path_marks(path, scope)
        if written is not None and (
            not written[1] or any(_CODE_FILE_NAME.search(name) for name in written[1])
        ):
            written = None  # no name known, or a program: whatever runs next may be it
        for site in analysis.calls:
            if site.scope != scope and not (loaded and self.loads(site.scope)):
                continue
            runs = Capability.PROCESS in site.capabilities or (
                site.qualname in _RUNNERS and (site.qualname != "os.chmod" or _may_arm(site.node))
            )
            if not runs and Capability.EXEC in site.capabilities:
                runs = site.qualname not in ("exec", "eval", "compile")
            if not runs:
                continue
            if site.scope == scope or written is None or self._names_file(site, written):
                return site
        return None

    def _path_marks(self, path: ast.expr, scope: str) -> tuple[frozenset[str], frozenset[str]]:
        """The variable names and file names a written path is made of."""
        names = frozenset(_names_in(path, self.analysis.imports))
        files = frozenset(
            base
            for text in self.analysis.strings(path, scope)[:32]
            if len(base := re.split(r"[/\\]", text.strip())[-1]) >= 3
        )
        return names, files

    def _names_file(self, site: CallSite, written: tuple[frozenset[str], frozenset[str]]) -> bool:
        """Whether a call's arguments name the written file (a shared variable or file name)."""
        names, files = written
        arguments = [*site.node.args, *(k.value for k in site.node.keywords)]
        for argument in arguments:
            if names & _names_in(argument, self.analysis.imports):
                return True
            for text in self.analysis.strings(argument, site.scope)[:32]:
                if any(name in text for name in files):
                    return True
        return False

    def writes(self, writes: Iterable[FileWrite]) -> None:
        for write in writes:
            site = write.site
            where = self.where(site.scope)
            texts = (
                self.analysis.strings(write.path, site.scope)[:32] if write.path is not None else []
            )
            persistence = next((t for t in texts if PERSISTENCE_PATH.search(t.strip())), None)
            if persistence is not None:
                self.report(
                    self.pick(site.scope, PERSISTENCE_WRITE, PERSISTENCE_RUNTIME),
                    site.line,
                    f"{site.display} writes {persistence[:60]!r} {where}",
                    site.scope,
                )
            if Origin.ENV in write.data:
                self.report(
                    ENV_DUMP, site.line, f"the whole environment is written {where}", site.scope
                )
            if not write.data & (Origin.NETWORK | _DECODED):
                continue
            planted = next((t for t in texts if PLANTED_CODE_PATH.search(t.strip())), None)
            if Origin.NETWORK in write.data and planted is not None:
                self.report(
                    self.pick(site.scope, DOWNLOAD_EXEC, DOWNLOAD_RUN_RUNTIME),
                    site.line,
                    f"downloaded data written as Python code ({planted.strip()[:60]!r}) {where}",
                    site.scope,
                )
                continue
            runner = self._runs_file(site.scope, write.path)
            if runner is None:
                continue
            ran = f"written {where}, then {runner.display} (line {runner.line})"
            if Origin.NETWORK in write.data:
                self.report(
                    self.pick(site.scope, DOWNLOAD_EXEC, DOWNLOAD_RUN_RUNTIME),
                    site.line,
                    f"downloaded data {ran}",
                    site.scope,
                )
                program = next((t for t in texts if WINDOWS_PROGRAM_NAME.search(t.strip())), None)
                if program is not None:
                    self.report(
                        DOWNLOAD_RUN_EXECUTABLE,
                        site.line,
                        f"downloaded data written to {program.strip()[:60]!r}, then "
                        f"{runner.display} (line {runner.line})",
                        site.scope,
                    )
            elif Origin.DECODE in write.data and (
                self.loads(site.scope) or not _decodes_its_arguments(write.data)
            ):
                self.report(DROPPER_WRITE_RUN, site.line, f"decoded data {ran}", site.scope)

    def literal_programs(self, writes: Iterable[FileWrite]) -> None:
        """Programs carried as string literals and run: judged as the scripts they are.

        A literal given to exec, the argument of ``python -c`` (in a list of arguments or a
        command line), and the text a file is given by ``write()`` calls on one handle in
        one function (or by one ``write_text``/``write_bytes``) when that file is then run
        or planted where Python runs it unasked. The program is parsed when it names a
        sink; a threat of its own at critical or high severity, where it runs as a script,
        makes its runner a loader of a second stage, whatever function it is in.
        """
        if self.depth >= _MAX_PROGRAM_DEPTH:
            return
        analysis = self.analysis
        for site in analysis.calls:
            program: str | None = None
            how = ""
            if Capability.EXEC in site.capabilities:
                source = analysis.exec_source(site)
                if source is not None:
                    program = _literal_text(source, analysis, site.scope)
                    how = f"run by {site.display}"
            elif Capability.PROCESS in site.capabilities and site.node.args:
                program = _inline_program(site.node.args[0], analysis, site.scope)
                how = f"run by {site.display} as python -c"
            if program is None:
                continue
            threat = self._program_threat(program)
            if threat is not None:
                self.report(
                    LITERAL_PROGRAM_RUN,
                    site.line,
                    f"a Python program that {threat} is {how} {self.where(site.scope)}",
                    site.scope,
                )
        for first, program in self._written_programs(writes):
            threat = self._program_threat(program)
            if threat is None:
                continue
            site = first.site
            texts = analysis.strings(first.path, site.scope)[:32] if first.path is not None else []
            planted = next((t for t in texts if _PLANTED_PROGRAM.search(t.strip())), None)
            if planted is not None:
                then = f"to {planted.strip()[:60]!r}"
            elif (runner := self._runs_file(site.scope, first.path)) is not None:
                then = f"then {runner.display} (line {runner.line})"
            else:
                continue
            self.report(
                LITERAL_PROGRAM_RUN,
                site.line,
                f"a Python program that {threat} is written {self.where(site.scope)}, {then}",
                site.scope,
            )

    def _written_programs(self, writes: Iterable[FileWrite]) -> list[tuple[FileWrite, str]]:
        """Each file's literal text, by its first write: one handle's writes joined in order."""
        groups: dict[tuple[str, str], tuple[FileWrite, list[str]]] = {}
        for write in writes:
            node = write.site.node
            if not isinstance(node.func, ast.Attribute) or not node.args:
                continue
            if node.func.attr not in ("write", "write_text", "write_bytes"):
                continue
            text = _literal_text(node.args[0], self.analysis, write.site.scope)
            if text is None:
                continue
            # A handle's write() calls add up; each write_text/write_bytes is a whole file.
            handle = ast.dump(node.func.value) if node.func.attr == "write" else str(id(node))
            entry = groups.setdefault((write.site.scope, handle), (write, []))
            entry[1].append(text)
        return [(write, "".join(texts)) for write, texts in groups.values()]

    def _program_threat(self, program: str) -> str | None:
        """What a literal program does that malware does, if it does; None otherwise."""
        if program not in self.programs:
            self.programs[program] = self._read_program(program)
        return self.programs[program]

    def _read_program(self, program: str) -> str | None:
        if len(program) > _MAX_PROGRAM_CHARS:
            return None
        data = program.encode("utf-8", "surrogatepass")
        if not worth_parsing(data):
            return None
        nested = analyze(program, main_runs=True)
        if nested is None:
            # Written from inside an indented block, the text may keep the block's indent.
            dedented = textwrap.dedent(program)
            nested = analyze(dedented, main_runs=True) if dedented != program else None
        if nested is None:
            return None
        # Named as a module that runs, whatever the carrier's name: the program runs when
        # its runner runs (a carrier named __main__.py is itself only run as a script).
        view = FileView(path=_PROGRAM_NAME, role=FileRole.PYTHON, data=data)
        scan = _Scan(file=view, analysis=nested, depth=self.depth + 1)
        for finding in scan.run():
            if (
                finding.kind is RuleKind.THREAT
                and finding.severity >= Severity.HIGH
                and finding.scope is not Scope.RUNTIME
            ):
                return _PROGRAM_THREATS.get(finding.rule, f"matches {finding.rule}")
        return None

    def credentials(self) -> None:
        analysis = self.analysis
        kinds: dict[str, int] = {}
        for site in analysis.calls:
            method_read = isinstance(site.node.func, ast.Attribute) and site.node.func.attr in (
                "read_text",
                "read_bytes",
            )
            if not site.node.args and not site.node.keywords and not method_read:
                continue
            reads = method_read or site.qualname in (
                "open",
                "io.open",
                "codecs.open",
                "sqlite3.connect",
            )
            copies = site.qualname in ("shutil.copy", "shutil.copy2", "shutil.copyfile")
            globs = site.qualname is not None and (
                site.qualname.startswith(("glob.", "os.path.", "pathlib."))
                or site.qualname in ("os.walk", "os.listdir", "os.scandir", "open")
            )
            if not (reads or copies or globs or Capability.NETWORK in site.capabilities):
                continue
            target = (
                site.node.func.value
                if isinstance(site.node.func, ast.Attribute) and not site.node.args
                else (site.node.args[0] if site.node.args else site.node.keywords[0].value)
            )
            texts = analysis.strings(target, site.scope)[:32]
            named = {k for k in map(credential_kind, [*texts, *_joined_paths(texts)]) if k}
            if not named:
                continue
            for kind in named:
                kinds.setdefault(kind, site.line)
            found = ", ".join(sorted(named))
            if (reads or copies) and named - {"cloud-metadata"}:
                self.report(
                    CREDENTIAL_READ,
                    site.line,
                    f"{site.display} reads a {found} credential store {self.where(site.scope)}",
                    site.scope,
                )
        if len(kinds) >= 3:
            line = min(kinds.values())
            self.report(
                CREDENTIAL_HARVEST,
                line,
                f"credential stores of {len(kinds)} kinds are opened or listed: "
                + ", ".join(sorted(kinds)),
                "",
            )

    def reverse_shell(self) -> None:
        analysis = self.analysis
        sockets = [s for s in analysis.calls if s.qualname in _SOCKET_MAKERS]
        if not sockets:
            return
        shells = [
            s
            for s in analysis.calls
            if Capability.PROCESS in s.capabilities
            and (
                s.qualname == "pty.spawn"
                or any(
                    _SHELLS.search(t.strip())
                    for arg in s.node.args[:2]
                    for t in analysis.strings(arg, s.scope)[:16]
                )
            )
        ]
        for site in analysis.calls:
            if shells and site.qualname == "os.dup2" and site.node.args and self._socket_fd(site):
                self.report(
                    REVERSE_SHELL,
                    site.line,
                    f"a socket is duplicated onto standard streams and "
                    f"{shells[0].display} starts a shell (line {shells[0].line}) "
                    f"{self.where(site.scope)}",
                    site.scope,
                )
                return
        for site in shells:
            for keyword in site.node.keywords:
                if keyword.arg in ("stdin", "stdout", "stderr") and self._is_socket_fd(
                    keyword.value, site.scope
                ):
                    self.report(
                        REVERSE_SHELL,
                        site.line,
                        f"{site.display} starts a shell on a socket's streams "
                        f"{self.where(site.scope)}",
                        site.scope,
                    )
                    return

    def _socket_fd(self, site: CallSite) -> bool:
        return self._is_socket_fd(site.node.args[0], site.scope)

    def _is_socket_fd(self, expr: ast.expr, scope: str) -> bool:
        # s.fileno(), or a name bound to it
        if isinstance(expr, ast.Name):
            for value, _ in self.analysis.assigned(scope, expr.id)[:4]:
                if self._is_socket_fd(value, scope):
                    return True
            return False
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)):
            return False
        if expr.func.attr != "fileno":
            return False
        receiver = expr.func.value
        if isinstance(receiver, ast.Name):
            made = self.analysis.maker(receiver.id, scope)
            return made is not None and made.startswith("socket.")
        if isinstance(receiver, ast.Call):
            made = self.analysis.qualname(receiver.func, scope)
            return made is not None and made.startswith("socket.")
        return False

    def monkeypatches(self) -> None:
        analysis = self.analysis
        patches: list[tuple[ast.Attribute | ast.Call, str, ast.expr | None, str]] = [
            (target, target.attr, value, scope) for target, value, scope in analysis.patches
        ]
        for site in analysis.calls:
            if site.qualname == "setattr" and len(site.node.args) == 3:
                named = site.node.args[1]
                if isinstance(named, ast.Constant) and named.value in PATCHED_DUNDERS:
                    patches.append((site.node, str(named.value), site.node.args[2], site.scope))
        for node, attr, value, scope in patches:
            if not self.loads(scope):
                continue
            owner = node.value if isinstance(node, ast.Attribute) else node.args[0]
            if analysis.qualname(owner, scope) is None:
                continue  # a local class (or an unknown value): its own business
            line = node.lineno
            self.report(
                DUNDER_MONKEYPATCH,
                line,
                f"{ast.unparse(owner)[:60]}.{attr} is replaced {self.where(scope)}",
                scope,
            )
            wrapper = analysis.resolve_def(scope, value.id) if isinstance(value, ast.Name) else None
            if wrapper is None:
                continue
            reached = analysis.reach([wrapper])
            talker = next(
                (
                    s
                    for s in analysis.calls
                    if s.scope in reached and Capability.NETWORK in s.capabilities
                ),
                None,
            )
            if talker is not None:
                self.report(
                    DUNDER_MONKEYPATCH_NETWORK,
                    line,
                    f"the replacement {wrapper}() reaches {talker.display} (line {talker.line})",
                    scope,
                )


# The last name of a call that actually sends or fetches (not helpers, exceptions, pools).
_NETWORK_ACTIONS = frozenset(
    {
        "urlopen",
        "urlretrieve",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "request",
        "Request",
        "create_connection",
        "connect",
        "connect_ex",
        "send",
        "sendall",
        "sendto",
        "sendmsg",
        "sendfile",
        "recv",
        "recvfrom",
        "gethostbyname",
        "gethostbyname_ex",
        "getaddrinfo",
        "sendmail",
        "send_message",
        "login",
        "storbinary",
        "storlines",
        "retrbinary",
        "getresponse",
        "stream",
        "fetch",
        "exec_command",
        "open",
    }
)


# Arguments of a network call that shape how it is made, not what it sends.
_NOT_SENT = frozenset(
    {"filename", "timeout", "verify", "cert", "stream", "allow_redirects", "proxies", "context"}
)


def _sent(site: CallSite) -> list[ast.expr]:
    """The arguments of a network call whose values go out: not urlretrieve's local file."""
    node = site.node
    args = node.args[:1] if (site.qualname or "").endswith("urlretrieve") else node.args
    return [*args, *(k.value for k in node.keywords if k.arg not in _NOT_SENT)]


def _talks(site: CallSite) -> bool:
    name = site.qualname or ""
    if not name and isinstance(site.node.func, ast.Attribute):
        name = site.node.func.attr
    return name.rsplit(".", 1)[-1] in _NETWORK_ACTIONS


# What a payload is carried in: text in the package, a download, a file, another program.
_PAYLOAD_SOURCES = (
    Origin.LITERAL
    | Origin.NETWORK
    | Origin.FILE
    | Origin.PROCESS
    | Origin.OBFUSCATED
    | Origin.STEGO
    | Origin.SECRET
)


def _decodes_its_arguments(data: Origin) -> bool:
    """Whether decoded ``data`` is made only of what a function was called with.

    A handler that decodes the image it is given and opens it in a viewer
    (jupyter_console) is not a dropper: the payload, if any, is in its caller, which
    is judged where it runs. Code that runs unasked is judged whatever it decodes.
    """
    return Origin.PARAM in data and not data & _PAYLOAD_SOURCES


_SOCKET_MAKERS = frozenset({"socket.socket", "socket.create_connection", "socket.fromfd"})


class BehaviorDetector:
    """Reports what Python modules do when imported, started or called (see module docstring)."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return RULES

    def wants(self, file: FileView) -> bool:
        """Python sources: package modules, shipped sitecustomize, setup.py."""
        return (
            file.role in (FileRole.PYTHON, FileRole.CUSTOMIZE, FileRole.SETUP)
            and len(file.data) <= MAX_AST_BYTES
        )

    def scan(self, file: FileView) -> Iterable[Finding]:
        """Findings from the module's syntax tree; nothing for files that do not parse."""
        if not worth_parsing(file.data):
            return []
        analysis = analyze(file.data, main_runs=file.role is FileRole.SETUP)
        if analysis is None:
            return []
        return _Scan(file=file, analysis=analysis).run()
