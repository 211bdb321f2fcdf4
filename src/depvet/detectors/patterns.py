"""Byte patterns: credential stores, exfiltration channels, persistence, shells, droppers.

One YARA rule set (``yara/patterns.yar``, shipped as package data) holds every
pattern; it is compiled once per process, on first use, and each file is
matched once with all of it. Each YARA rule names, in ``meta: depvet_rule``,
the depvet :class:`~depvet.model.Rule` it reports; that metadata lives here.

What a string in a file *says* is weak evidence on its own: cloud SDKs name
their own credential file, Discord and Telegram clients name their own API,
installers print ``curl … | sh``. So single indicators are capabilities (the
scorer combines their tags), and only shapes that legitimate packages do not
have — many kinds of credential store in one file, a browser's password
database, a webhook URL with its secret, a socket wired to a shell — are
threats. Patterns about code are only matched in code (Python files, shell,
batch, PowerShell and JavaScript); text files (.txt, .json, .toml, …) only
get the patterns that are suspicious wherever they appear.

Executables disguised as source files are recognised from their first bytes,
in Python, without YARA.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yara

from depvet.detectors.prefilter import Prefilter, build
from depvet.detectors.pysource import parse
from depvet.errors import DetectorError
from depvet.files import FileRole, FileView, decode_source
from depvet.model import EVIDENCE_MAX, Finding, Rule, RuleKind, Scope, Severity, Tag

YARA_SOURCE = "patterns.yar"
MATCH_TIMEOUT_SECONDS = 5
MAX_CODE_BYTES = 8 * 1024 * 1024  # Python files and scripts above this get the binary check only
MAX_TEXT_BYTES = 2 * 1024 * 1024  # other text files above this are data, not worth matching
LONG_LINE = 20_000  # characters of one line that make an encoded blob
OFF_SCREEN = 150  # blanks after code on a line that push the rest past any editor's edge
MIN_CREDENTIAL_FAMILIES = 3

_PYTHON_ROLES = frozenset({FileRole.PYTHON, FileRole.SETUP, FileRole.PTH, FileRole.CUSTOMIZE})
_MODULE_ROLES = frozenset({FileRole.PYTHON, FileRole.SETUP, FileRole.CUSTOMIZE})
# A download command's source filled in by code: %-format, str.format/f-string or shell fields.
_PLACEHOLDER = re.compile(rb"%\(\w+\)[sr]|%[sr]\b|\{[A-Za-z_]\w*\}|\$\{\w+\}")
# An address written out: a URL scheme, an IPv4 address or a UNC share.
_ADDRESS = re.compile(rb"://|\b\d{1,3}(?:\.\d{1,3}){3}\b|\\\\\w")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".bat", ".cmd", ".ps1", ".vbs")
# JavaScript counts as text: wheels ship big minified web bundles full of examples.
_TEXT_SUFFIXES = (".txt", ".json", ".cfg", ".toml", ".ini", ".yaml", ".yml", ".js")
# Names an executable has no business wearing (checked for a binary header only).
_SOURCE_LIKE_SUFFIXES = (
    ".py",
    ".pyw",
    ".pth",
    ".md",
    ".rst",
    *_SCRIPT_SUFFIXES,
    *_TEXT_SUFFIXES,
)
_WINDOWS_EXECUTABLE_SUFFIXES = (".exe", ".dll", ".scr", ".cpl")
_ENCODED_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-\\"


def _rule(
    rule_id: str,
    kind: RuleKind,
    severity: Severity,
    description: str,
    technique: str,
    remediation: str,
    *tags: Tag,
    version: int = 1,
) -> Rule:
    return Rule(
        id=rule_id,
        kind=kind,
        severity=severity,
        description=description,
        technique=technique,
        remediation=remediation,
        tags=frozenset(tags),
        version=version,
    )


_C, _T = RuleKind.CAPABILITY, RuleKind.THREAT
_REVIEW = "Read the code around the match and check that the package needs it; "
_COMPROMISED = (
    "Do not install the package; if it ran, treat the machine as compromised and rotate "
    "every credential it could read."
)

CREDENTIAL_STORE = _rule(
    "credential-store-path",
    _C,
    Severity.LOW,
    "Code names a credential store: SSH keys, cloud, Kubernetes or Docker credentials, "
    ".netrc, registry tokens, /etc/shadow, another process's environment, instance metadata.",
    "Unsecured credentials: credentials in files (T1552.001, T1552.005)",
    _REVIEW + "an SDK naming its own credential file is normal, a library reading others' is not.",
    Tag.CREDENTIALS,
)
CREDENTIAL_HARVEST = _rule(
    "credential-harvest-many-stores",
    _T,
    Severity.HIGH,
    f"One file names {MIN_CREDENTIAL_FAMILIES} or more different kinds of credential store, "
    "the shape of a credential harvester.",
    "Unsecured credentials (T1552.001, T1555, T1005)",
    _COMPROMISED,
    Tag.CREDENTIALS,
)
BROWSER_PASSWORDS = _rule(
    "browser-password-store",
    _T,
    Severity.HIGH,
    "Code locates a browser's saved-password database (Chromium `Login Data` with its key, "
    "Firefox `logins.json` with `key4.db`).",
    "Credentials from web browsers (T1555.003)",
    _COMPROMISED + " Change the passwords saved in the browser.",
    Tag.CREDENTIALS,
)
BROWSER_COOKIES = _rule(
    "browser-cookie-store",
    _C,
    Severity.HIGH,
    "Code locates a browser profile's cookies or the key that decrypts them, calls a "
    "cookie-stealing library (browser_cookie3, rookiepy, pycookiecheat), or looks for an "
    "account's session cookie by name.",
    "Steal web session cookie (T1539)",
    _REVIEW + "cookie import tools do this; anything else is stealing sessions. "
    "If it ran, sign out of every web session.",
    Tag.CREDENTIALS,
    version=2,
)
DISCORD_TOKENS = _rule(
    "discord-token-theft",
    _T,
    Severity.HIGH,
    "Code searches Discord's local storage or carries the regular expressions that find "
    "Discord tokens in it.",
    "Steal application access token (T1528)",
    _COMPROMISED + " Reset the Discord password, which revokes tokens.",
    Tag.CREDENTIALS,
)
CRYPTO_WALLETS = _rule(
    "crypto-wallet-theft",
    _T,
    Severity.HIGH,
    "Code names cryptocurrency wallet stores: browser wallet extension ids or desktop wallet "
    "folders.",
    "Credentials in files: cryptocurrency wallets (T1552.001, T1005)",
    _COMPROMISED + " Move funds to a new wallet created on a clean machine.",
    Tag.CREDENTIALS,
)
TELEGRAM_SESSION = _rule(
    "telegram-session-theft",
    _T,
    Severity.MEDIUM,
    "Code names Telegram Desktop's `tdata` session folder.",
    "Steal web session cookie (T1539)",
    _COMPROMISED + " Terminate other Telegram sessions.",
    Tag.CREDENTIALS,
)
WEBHOOK_HARDCODED = _rule(
    "exfil-webhook-hardcoded",
    _T,
    Severity.HIGH,
    "A Discord webhook URL or a Telegram bot URL with its secret is written in the "
    "package: a drop box anyone holding the package can post to.",
    "Exfiltration over web service (T1567)",
    _REVIEW + "legitimate packages take webhook secrets from configuration, not from their source.",
    Tag.EXFILTRATION,
    Tag.NETWORK,
    version=2,  # high: a live secret-bearing drop box is ready-made exfiltration
)
CHAT_API = _rule(
    "exfil-chat-api",
    _C,
    Severity.LOW,
    "Code names the Discord webhook, Telegram bot or Slack webhook API, a common drop box "
    "for stolen data.",
    "Exfiltration over web service (T1567)",
    _REVIEW + "chat clients and notifiers use these APIs; check what the code sends.",
    Tag.EXFILTRATION,
    Tag.NETWORK,
)
FILE_DROP = _rule(
    "exfil-file-drop-service",
    _C,
    Severity.MEDIUM,
    "Code names a paste or anonymous file-drop service (pastebin raw, transfer.sh, file.io, "
    "catbox, gofile, …) used to stage payloads and exfiltrate data.",
    "Exfiltration to cloud storage (T1567.002); ingress tool transfer (T1105)",
    _REVIEW + "check what the code uploads there or downloads from it.",
    Tag.EXFILTRATION,
    Tag.NETWORK,
)
OOB_INTERACTION = _rule(
    "exfil-oob-interaction",
    _T,
    Severity.MEDIUM,
    "The package names an out-of-band interaction catcher (interactsh/oast, Burp "
    "Collaborator, dnslog, requestbin, pipedream, webhook.site, …), the beacon of "
    "dependency-confusion probes.",
    "Exfiltration over alternative protocol (T1048); application layer protocol: DNS (T1071.004)",
    _REVIEW + "a published package has no reason to call a request catcher; if it ran, assume "
    "the host name, user and environment were sent.",
    Tag.EXFILTRATION,
    Tag.NETWORK,
)
TUNNEL = _rule(
    "exfil-tunnel-service",
    _C,
    Severity.LOW,
    "Code names a tunnelling service endpoint (ngrok, trycloudflare, localtunnel, serveo, …), "
    "often the far end of a reverse shell or exfiltration.",
    "Protocol tunneling (T1572); proxy (T1090)",
    _REVIEW + "tunnel clients and dev servers use these; a hard-coded endpoint is a remote peer.",
    Tag.EXFILTRATION,
    Tag.NETWORK,
)
UPLOAD_HEADER = _rule(
    "exfil-upload-header",
    _C,
    Severity.LOW,
    "Code sets a custom `X-Filename` upload header, as the litellm and telnyx stealers did.",
    "Exfiltration over C2 channel (T1041)",
    _REVIEW + "check where the upload goes and what it carries.",
    Tag.EXFILTRATION,
)
CURL_UPLOAD = _rule(
    "exfil-command-upload",
    _T,
    Severity.MEDIUM,
    "Code builds a command line that uploads a local file (`curl -F file=@…`, `-T`, "
    "`--data-binary @…`, `wget --post-file`).",
    "Exfiltration over web service (T1567); automated exfiltration (T1020)",
    _REVIEW + "find which file is sent and where; a library has no reason to shell out to "
    "upload files.",
    Tag.EXFILTRATION,
)
SYSTEMD = _rule(
    "persistence-systemd",
    _C,
    Severity.MEDIUM,
    "Code carries a systemd unit (`[Service]` with `ExecStart=`), enables a user service or "
    "names the unit folders.",
    "Create or modify system process: systemd service (T1543.002)",
    _REVIEW + "check `~/.config/systemd/user` and `/etc/systemd/system` for units it wrote.",
    Tag.PERSISTENCE,
)
CRON = _rule(
    "persistence-cron",
    _C,
    Severity.MEDIUM,
    "Code installs a cron job (`crontab -l`, `| crontab -`, /etc/cron.d, @reboot).",
    "Scheduled task/job: cron (T1053.003)",
    _REVIEW + "check `crontab -l` and /etc/cron.d for entries it added.",
    Tag.PERSISTENCE,
)
WINDOWS_AUTORUN = _rule(
    "persistence-windows-autorun",
    _C,
    Severity.MEDIUM,
    "Code names a Windows autorun location: a `CurrentVersion\\Run` key, the Startup folder, "
    "`schtasks /create` or Winlogon.",
    "Registry run keys / startup folder (T1547.001); scheduled task (T1053.005)",
    _REVIEW + "check the Run keys, the Startup folder and scheduled tasks for what it added.",
    Tag.PERSISTENCE,
)
EXTENSION_SIDELOAD = _rule(
    "persistence-browser-extension",
    _T,
    Severity.HIGH,
    "Code rewrites shortcuts (.lnk) so the browser starts with `--load-extension`: an "
    "extension of the package's choosing runs in every browser session.",
    "Shortcut modification (T1547.009); browser extensions (T1176)",
    "Do not install the package. If it ran, check browser shortcuts for --load-extension, "
    "remove the extension folder it names, and treat clipboard and browsing data as exposed.",
    Tag.PERSISTENCE,
)
LAUNCH_AGENT = _rule(
    "persistence-launch-agent",
    _C,
    Severity.MEDIUM,
    "Code installs a macOS launch agent or daemon (LaunchAgents, `launchctl load`, `RunAtLoad`).",
    "Create or modify system process: launch agent (T1543.001)",
    _REVIEW + "check ~/Library/LaunchAgents and /Library/LaunchDaemons for plists it wrote.",
    Tag.PERSISTENCE,
)
SHELL_RC = _rule(
    "persistence-shell-rc",
    _C,
    Severity.MEDIUM,
    "Code appends to a shell start-up file (.bashrc, .zshrc, .profile).",
    "Event triggered execution: Unix shell configuration modification (T1546.004)",
    _REVIEW + "check the shell start-up files for lines it appended.",
    Tag.PERSISTENCE,
)
REVERSE_SHELL = _rule(
    "reverse-shell-pattern",
    _T,
    Severity.CRITICAL,
    "Code carries a reverse shell: bash `/dev/tcp`, `nc -e`, a fifo piped to nc, or a socket "
    "wired to a shell's standard streams.",
    "Command and scripting interpreter: Unix shell (T1059.004); non-application layer "
    "protocol (T1095)",
    _COMPROMISED + " Look for the remote peer in network logs.",
    Tag.REVERSE_SHELL,
    Tag.NETWORK,
    Tag.PROCESS,
)
INTERACTIVE_SHELL = _rule(
    "interactive-shell-spawn",
    _C,
    Severity.MEDIUM,
    "Code starts an interactive shell (`pty.spawn` of a shell, `/bin/sh -i`).",
    "Command and scripting interpreter: Unix shell (T1059.004)",
    _REVIEW + "terminal tools do this; a library that does is handing out a shell.",
    Tag.REVERSE_SHELL,
    Tag.PROCESS,
)
PIPE_TO_SHELL = _rule(
    "download-pipe-to-shell",
    _C,
    Severity.MEDIUM,
    "Code carries a command line that downloads and runs a script (`curl … | sh`, "
    "`wget … && chmod +x`, `irm … | iex`).",
    "Ingress tool transfer (T1105); command and scripting interpreter (T1059.004)",
    _REVIEW + "installers print such lines as advice; code that runs one runs whatever the "
    "server sends.",
    Tag.DOWNLOAD,
    Tag.PROCESS,
)
WINDOWS_CRADLE = _rule(
    "windows-download-cradle",
    _T,
    Severity.HIGH,
    "Code carries a Windows download cradle: `Net.WebClient`/`DownloadString`, `certutil "
    "-urlcache`, `bitsadmin /transfer`, `mshta http…`, `regsvr32 /i:http…`, "
    "`Invoke-WebRequest … Start-Process` in one command line.",
    "Ingress tool transfer (T1105); system binary proxy execution (T1218)",
    _COMPROMISED,
    Tag.DOWNLOAD,
    Tag.PROCESS,
    version=2,
)
POWERSHELL_ENCODED = _rule(
    "powershell-encoded-command",
    _T,
    Severity.HIGH,
    "Code runs PowerShell with an inline base64 `-EncodedCommand`, hiding the command it runs.",
    "Command and scripting interpreter: PowerShell (T1059.001); obfuscated files (T1027)",
    _COMPROMISED,
    Tag.PROCESS,
    Tag.OBFUSCATION,
)
DISGUISED_BINARY = _rule(
    "binary-disguised-as-source",
    _T,
    Severity.HIGH,
    "A file named or placed as source or text (.py, .txt, .json, …) is a PE, ELF or Mach-O "
    "executable.",
    "Masquerading: masquerade file type (T1036.008)",
    _COMPROMISED + " Submit the file to a malware scanner.",
    Tag.BINARY,
)
WINDOWS_EXECUTABLE = _rule(
    "windows-executable-shipped",
    _C,
    Severity.LOW,
    "The package ships a Windows executable or DLL (a PE file named .exe, .dll, .scr, .cpl).",
    "Ingress tool transfer (T1105)",
    _REVIEW + "launchers and platform wheels ship these; an sdist or a pure-Python wheel "
    "rarely should.",
    Tag.BINARY,
)
PYARMOR = _rule(
    "pyarmor-protected",
    _C,
    Severity.MEDIUM,
    "Code is protected with PyArmor (`__pyarmor__`, `pyarmor_runtime`, a `PY000000` blob): "
    "what it does cannot be read.",
    "Obfuscated files: software packing (T1027.002)",
    _REVIEW + "commercial packages do this; an open-source one hides what it runs.",
    Tag.OBFUSCATION,
)
OBFUSCATOR = _rule(
    "obfuscator-signature",
    _C,
    Severity.MEDIUM,
    "Code carries an obfuscator's banner (`Obfuscated with …`, `pyobfuscate = …`).",
    "Obfuscated files or information (T1027)",
    _REVIEW + "deobfuscate it before trusting it; open-source code has no reason to hide.",
    Tag.OBFUSCATION,
    version=3,
)
MALWARE_OBFUSCATOR = _rule(
    "obfuscator-malware-kit",
    _T,
    Severity.HIGH,
    "Code is hidden with an obfuscator made to slip stealers past scanners (BlankOBF, Vare, "
    "Hyperion): its name, `__obfuscator__`, exec aliased among builtins, `____=eval`, or "
    "eval of an escaped name.",
    "Obfuscated files or information (T1027)",
    "Do not install the package. These kits exist to hide malware from review; deobfuscate "
    "the code offline (never run it) to learn what it does.",
    Tag.OBFUSCATION,
)
EXEC_LONG_LITERAL = _rule(
    "exec-long-literal",
    _C,
    Severity.MEDIUM,
    "exec or eval is applied to a long encoded string literal written on one line.",
    "Obfuscated files or information (T1027); command and scripting interpreter: Python "
    "(T1059.006)",
    _REVIEW + "decode the literal and read what it runs.",
    Tag.OBFUSCATION,
    Tag.EXEC,
)
LONG_ENCODED_LINE = _rule(
    "long-encoded-line",
    _C,
    Severity.LOW,
    f"A Python line of {LONG_LINE:,} or more characters is almost all base64 or hex: an "
    "embedded blob.",
    "Obfuscated files or information (T1027)",
    _REVIEW + "decode the blob and check what it is.",
    Tag.OBFUSCATION,
)
OFF_SCREEN_CODE = _rule(
    "off-screen-code",
    _T,
    Severity.HIGH,
    f"Python code goes on after {OFF_SCREEN} or more blanks on a line of code: the rest of "
    "the line sits past the right edge of an editor or a code review, where nobody reads it.",
    "Obfuscated files or information (T1027); hide artifacts (T1564)",
    "Do not install the package. Nothing but hiding puts code there; read the whole line "
    "(in a pager that does not wrap or cut it) to learn what it runs.",
    Tag.OBFUSCATION,
)
SETUP_OBFUSCATED = _rule(
    "setup-obfuscated",
    _T,
    Severity.HIGH,
    "setup.py, .pth or sitecustomize code is obfuscated (an obfuscator's banner or shape, "
    "PyArmor, an encoded blob): code that runs unasked hides what it does.",
    "Install hooks: obfuscated payload (T1195.001, T1027)",
    "Do not install the package: build and start-up code has no reason to hide. Deobfuscate "
    "it offline (never run it) to learn what it does.",
    # Not tagged obfuscation: it restates another finding, which must not count twice.
    Tag.INSTALL_HOOK,
)
PROMPT_INJECTION = _rule(
    "ai-scanner-prompt-injection",
    _T,
    Severity.MEDIUM,
    "The package carries text addressed to AI-based scanners (`ignore previous instructions`, "
    "`do not analyze this file`, `this package is benign`).",
    "Impair defenses (T1562); obfuscated files or information (T1027)",
    _REVIEW + "text that argues with the reviewer is a reason for a closer human review.",
    Tag.OBFUSCATION,
)

RULES: tuple[Rule, ...] = (
    CREDENTIAL_STORE,
    CREDENTIAL_HARVEST,
    BROWSER_PASSWORDS,
    BROWSER_COOKIES,
    DISCORD_TOKENS,
    CRYPTO_WALLETS,
    TELEGRAM_SESSION,
    WEBHOOK_HARDCODED,
    CHAT_API,
    FILE_DROP,
    OOB_INTERACTION,
    TUNNEL,
    UPLOAD_HEADER,
    CURL_UPLOAD,
    SYSTEMD,
    CRON,
    WINDOWS_AUTORUN,
    EXTENSION_SIDELOAD,
    LAUNCH_AGENT,
    SHELL_RC,
    REVERSE_SHELL,
    INTERACTIVE_SHELL,
    PIPE_TO_SHELL,
    WINDOWS_CRADLE,
    POWERSHELL_ENCODED,
    DISGUISED_BINARY,
    WINDOWS_EXECUTABLE,
    PYARMOR,
    OBFUSCATOR,
    MALWARE_OBFUSCATOR,
    EXEC_LONG_LITERAL,
    LONG_ENCODED_LINE,
    OFF_SCREEN_CODE,
    SETUP_OBFUSCATED,
    PROMPT_INJECTION,
)
_BY_ID: Mapping[str, Rule] = {r.id: r for r in RULES}
# Rules decided in Python rather than by a YARA rule of their own.
_PYTHON_RULES = frozenset(
    {
        CREDENTIAL_HARVEST.id,
        DISGUISED_BINARY.id,
        WINDOWS_EXECUTABLE.id,
        LONG_ENCODED_LINE.id,
        OFF_SCREEN_CODE.id,
        SETUP_OBFUSCATED.id,
    }
)
# Roles whose code runs without anyone importing it: pip runs setup.py, Python runs
# .pth lines and sitecustomize at every start.
_UNASKED_ROLES = frozenset({FileRole.SETUP, FileRole.PTH, FileRole.CUSTOMIZE})

# Secrets never reach a report: keep a few characters to recognise them by.
_SECRETS = (
    re.compile(r"(webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]+"),
    re.compile(r"(bot[0-9]{4})[0-9]*:[A-Za-z0-9_\-]+"),
    re.compile(r"(hooks\.slack\.com/services/[A-Z0-9]{4})[A-Za-z0-9/]+"),
    re.compile(
        r"\b([A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]{20,24}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40}"
    ),
    re.compile(r"\b(mfa\.[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]{80}"),
)


def redact(text: str) -> str:
    """``text`` with webhook secrets and Discord/Telegram tokens cut after a few characters."""
    for pattern in _SECRETS:
        text = pattern.sub(r"\1<redacted>", text)
    return text


def yara_source() -> str:
    """The bundled YARA rule text."""
    return resources.files("depvet.detectors").joinpath("yara", YARA_SOURCE).read_text("utf-8")


@cache
def compiled_rules() -> Any:
    """The YARA rule set, compiled on first use and kept for the life of the process.

    Compiled with ``error_on_warning``: a pattern YARA thinks would slow
    scanning down is a bug in the rule file, not something to ship.
    """
    source = yara_source()
    try:
        rules = yara.compile(source=source, error_on_warning=True)
    except yara.Error as exc:  # pragma: no cover - the test suite compiles it
        raise DetectorError(f"the bundled YARA rules do not compile: {exc}") from exc
    for match_rule in rules:
        depvet_rule = match_rule.meta.get("depvet_rule")
        if depvet_rule not in _BY_ID or depvet_rule in _PYTHON_RULES:
            raise DetectorError(  # pragma: no cover - guarded by a test
                f"YARA rule {match_rule.identifier} reports unknown rule {depvet_rule!r}"
            )
    return rules


@cache
def compiled_prefilter() -> Prefilter | None:
    """The Hyperscan pre-check of the bundled rules (None: YARA reads every file)."""
    return build(yara_source())


@dataclass(slots=True)
class _Hit:
    """Where one depvet rule matched in a file, and what it matched."""

    offset: int
    length: int
    labels: list[str] = field(default_factory=list)


def _hidden_unasked_code(file: FileView, findings: list[Finding]) -> list[Finding]:
    """``setup-obfuscated`` once, at the first obfuscation finding of install or start-up code."""
    hidden = [f for f in findings if Tag.OBFUSCATION in _BY_ID[f.rule].tags]
    if not hidden:
        return []
    first = min(hidden, key=lambda f: f.line or 0)
    kinds = ", ".join(sorted({f.rule for f in hidden}))
    return [
        SETUP_OBFUSCATED.finding(
            path=file.path,
            line=first.line,
            message=f"{file.name} runs unasked and is obfuscated ({kinds})",
            evidence=first.evidence,
            scope=Scope.INSTALL if file.role is FileRole.SETUP else Scope.STARTUP,
        )
    ]


class PatternDetector:
    """Matches every file once against the bundled YARA rules; checks binary headers."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return RULES

    def wants(self, file: FileView) -> bool:
        """Code of every role, and other files whose name says text, script or executable."""
        if file.role is FileRole.AUXILIARY:
            return False  # tests, docs and tools of a source tree never run on install
        if file.role in _PYTHON_ROLES:
            return True
        return file.name.lower().endswith(_SOURCE_LIKE_SUFFIXES + _WINDOWS_EXECUTABLE_SUFFIXES)

    def scan(self, file: FileView) -> Iterable[Finding]:
        """Findings of the header checks, then of one YARA match over the file."""
        lower = file.name.lower()
        binary = executable_format(file.data)
        if binary is not None:
            return self._binary_findings(file, lower, binary)
        is_code = file.role in _PYTHON_ROLES or lower.endswith(_SCRIPT_SUFFIXES)
        if not (is_code or lower.endswith(_TEXT_SUFFIXES)):
            return []  # a name checked for a disguised binary only
        if len(file.data) > (MAX_CODE_BYTES if is_code else MAX_TEXT_BYTES):
            return []
        is_python = file.role in _PYTHON_ROLES
        matched = file.data
        hits, families = self._match(matched, is_code=is_code, is_python=is_python)
        if hits and file.role in _MODULE_ROLES:
            prose = prose_ranges(matched)
            if any(_inside(prose, hit.offset) for hit in hits.values()):
                # Matched in a docstring: match again with the prose blanked out.
                matched = _blank(matched, prose)
                hits, families = self._match(matched, is_code=is_code, is_python=is_python)
        if WINDOWS_CRADLE.id in hits:
            self._drop_templated_cradles(matched, hits)
        findings = self._yara_findings(file, hits, families)
        if file.role in _PYTHON_ROLES:
            findings += self._long_line_findings(file)
            findings += _off_screen_findings(file)
        if file.role in _UNASKED_ROLES:
            findings += _hidden_unasked_code(file, findings)
        return findings

    def _drop_templated_cradles(self, data: bytes, hits: dict[str, _Hit]) -> None:
        """Keep the cradle hit only where a command line of its own names the address.

        A line that downloads from a placeholder the code fills in (``%(url)r``, ``{url}``,
        ``${SCRIPT}``) and names no address is a template: setuptools' ``ez_setup.py``
        fetching itself from PyPI, a deployment tool's remote-install step. The address
        comes from code, which the other rules read. The first match of the rule on a
        line that is not a template stands instead; with none, the rule has no hit.
        """
        hit = hits[WINDOWS_CRADLE.id]
        if not _templated_line(data, hit.offset):
            return
        try:  # every instance, not the first of each string (matching stops at those)
            matches = compiled_rules().match(data=data, timeout=MATCH_TIMEOUT_SECONDS)
        except yara.Error:
            return  # the first hit stands
        instances = sorted(
            (instance.offset, instance.matched_length)
            for match in matches
            if match.meta.get("depvet_rule") == WINDOWS_CRADLE.id
            for string in match.strings
            for instance in string.instances
        )
        for offset, length in instances:
            if not _templated_line(data, offset):
                hit.offset, hit.length = offset, length
                return
        del hits[WINDOWS_CRADLE.id]

    def _binary_findings(self, file: FileView, lower: str, binary: str) -> list[Finding]:
        if file.role in _PYTHON_ROLES or lower.endswith(_SOURCE_LIKE_SUFFIXES):
            return [
                DISGUISED_BINARY.finding(
                    path=file.path,
                    line=None,
                    message=f"{file.name} is a {binary} executable, not source or text",
                    evidence=f"{binary} header: {file.data[:8].hex(' ')}",
                )  # FILE scope: Python cannot run it, whatever its name
            ]
        if binary == "PE" and lower.endswith(_WINDOWS_EXECUTABLE_SUFFIXES):
            return [
                WINDOWS_EXECUTABLE.finding(
                    path=file.path,
                    line=None,
                    message=f"ships the Windows executable {file.name}",
                    evidence=f"PE header: {file.data[:8].hex(' ')}",
                )
            ]
        return []

    def _match(
        self, data: bytes, *, is_code: bool, is_python: bool
    ) -> tuple[dict[str, _Hit], set[str]]:
        """Hits by depvet rule id, and the credential families named."""
        prefilter = compiled_prefilter()
        if prefilter is not None and not prefilter.may_match(data):
            return {}, set()  # none of the rules' strings: no rule can match
        try:
            matches = compiled_rules().match(data=data, fast=True, timeout=MATCH_TIMEOUT_SECONDS)
        except yara.TimeoutError as exc:
            raise DetectorError(
                f"pattern matching took more than {MATCH_TIMEOUT_SECONDS} s"
            ) from exc
        except yara.Error as exc:
            raise DetectorError(f"pattern matching failed: {exc}") from exc
        hits: dict[str, _Hit] = {}
        families: set[str] = set()
        for match in matches:
            meta = match.meta
            where = meta.get("where")
            if (where == "code" and not is_code) or (where == "python" and not is_python):
                continue
            offset, length = _first_instance(match.strings)
            rule_id = meta["depvet_rule"]
            hit = hits.get(rule_id)
            if hit is None:
                hit = hits[rule_id] = _Hit(offset=offset, length=length)
            elif offset < hit.offset:
                hit.offset, hit.length = offset, length
            if meta["label"] not in hit.labels:
                hit.labels.append(meta["label"])
            if "family" in meta:
                families.add(meta["family"])
        return hits, families

    def _yara_findings(
        self, file: FileView, hits: dict[str, _Hit], families: set[str]
    ) -> list[Finding]:
        if WEBHOOK_HARDCODED.id in hits:
            hits.pop(CHAT_API.id, None)  # the same URL, said more strongly
        if MALWARE_OBFUSCATOR.id in hits:
            hits.pop(OBFUSCATOR.id, None)  # the kit's own banner: one sign, not two
        findings: list[Finding] = []
        scope = _scope(file)
        for rule_id, hit in hits.items():
            rule = _BY_ID[rule_id]
            findings.append(
                rule.finding(
                    path=file.path,
                    line=file.data.count(b"\n", 0, hit.offset) + 1,
                    message="found " + ", ".join(hit.labels),
                    evidence=evidence(file.data, hit.offset, hit.length),
                    scope=scope,
                )
            )
        if len(families) >= MIN_CREDENTIAL_FAMILIES:
            first = min(
                (h for r, h in hits.items() if _BY_ID[r].tags & {Tag.CREDENTIALS}),
                key=lambda h: h.offset,
            )
            findings.append(
                CREDENTIAL_HARVEST.finding(
                    path=file.path,
                    line=file.data.count(b"\n", 0, first.offset) + 1,
                    message=f"names {len(families)} kinds of credential store: "
                    + ", ".join(sorted(families)),
                    evidence=evidence(file.data, first.offset, first.length),
                    scope=scope,
                )
            )
        return findings

    def _long_line_findings(self, file: FileView) -> list[Finding]:
        found = long_encoded_line(file.data)
        if found is None:
            return []
        start, end = found
        number = file.data.count(b"\n", 0, start) + 1
        return [
            LONG_ENCODED_LINE.finding(
                path=file.path,
                line=number,
                message=f"line {number} is {end - start:,} characters of base64/hex",
                evidence=evidence(file.data, start, 60),
                scope=_scope(file),
            )
        ]


def _off_screen_findings(file: FileView) -> list[Finding]:
    found = off_screen_code(file.data)
    if found is None:
        return []
    line, column, hidden = found
    return [
        OFF_SCREEN_CODE.finding(
            path=file.path,
            line=line,
            message=f"line {line} goes on with code at column {column + 1:,}",
            evidence=redact("".join(c if c.isprintable() else " " for c in hidden).strip()),
            scope=_scope(file),
        )
    ]


_BLANK_RUN = b" " * OFF_SCREEN
# Code, then the blanks, then more code: not a comment, nor a line continued by a backslash.
_OFF_SCREEN = re.compile(rf"\S([ \t]{{{OFF_SCREEN},}})(?=[^\s#\\])")


def off_screen_code(data: bytes) -> tuple[int, int, str] | None:
    """Line (from 1), column (from 0, in characters) and text where code resumes after a
    run of :data:`OFF_SCREEN` blanks that is not inside a string literal; None when there
    is none or the module does not parse (where strings are is then unknown)."""
    # Most files hold no such run of blanks: two fast substring tests rule them out.
    blanks = data.replace(b"\t", b" ") if b"\t" in data else data
    if _BLANK_RUN not in blanks:
        return None
    text = decode_source(data)
    runs = list(_OFF_SCREEN.finditer(text))
    if not runs:
        return None
    tree = parse(text)
    if tree is None:
        return None
    # Lines as the tokenizer counts them (not str.splitlines, which also breaks at form feeds).
    starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]
    strings = _string_spans(tree)
    for run in runs:
        offset = run.end(1)
        number = bisect.bisect_right(starts, offset)
        start = starts[number - 1]
        # The tree counts columns in UTF-8 bytes.
        at = (number, len(text[start:offset].encode("utf-8", "surrogatepass")))
        if not any(first <= at < last for first, last in strings):
            end = _NEWLINE.search(text, offset)
            return number, offset - start, text[offset : end.start() if end else len(text)]
    return None


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _string_spans(tree: ast.Module) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(line, byte column) start and end of every string, bytes and f-string literal."""
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr | ast.Constant) or (
            isinstance(node, ast.Constant) and not isinstance(node.value, str | bytes)
        ):
            continue
        if node.end_lineno is not None and node.end_col_offset is not None:
            spans.append(((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)))
    return spans


def long_encoded_line(data: bytes, min_length: int = LONG_LINE) -> tuple[int, int] | None:
    """Start and end of the first line of ``min_length``+ bytes that is 95 % base64/hex.

    A line that long contains a whole block of ``min_length // 2`` bytes
    aligned on a multiple of that size, so only blocks without a newline (one
    memchr each) are looked at further: no per-line work in Python.
    """
    half = max(1, min_length // 2)
    block = 0
    while block + half <= len(data):
        if data.find(b"\n", block, block + half) != -1:
            block += half
            continue
        start = data.rfind(b"\n", 0, block) + 1
        end = data.find(b"\n", block)
        end = len(data) if end == -1 else end
        if end - start >= min_length:
            other = len(data[start:end].translate(None, _ENCODED_ALPHABET))
            if other * 20 <= end - start:
                return start, end
        block = (end // half + 1) * half
    return None


def executable_format(data: bytes) -> str | None:
    """``PE``, ``ELF`` or ``Mach-O`` when ``data`` starts with that executable header."""
    if data[:2] == b"MZ" and len(data) >= 0x40:
        pe_offset = int.from_bytes(data[0x3C:0x40], "little")
        if data[pe_offset : pe_offset + 4] == b"PE\0\0":
            return "PE"
    elif data[:4] == b"\x7fELF":
        return "ELF"
    elif data[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf"):
        return "Mach-O"
    return None


def evidence(data: bytes, offset: int, length: int) -> str:
    """The line around a match, cut to fit a finding, with secrets redacted."""
    line_start = data.rfind(b"\n", max(0, offset - 4096), offset) + 1
    line_end = data.find(b"\n", offset, offset + length + 4096)
    if line_end == -1:
        line_end = min(len(data), offset + length + 4096)
    start = max(line_start, offset - 40)
    end = min(line_end, start + EVIDENCE_MAX - 20)
    text = data[start:end].decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return redact(("…" if start > line_start else "") + text + ("…" if end < line_end else ""))


def prose_ranges(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the string statements of a module: docstrings, and strings left
    as comments. Python discards them, or keeps a docstring only as ``__doc__``.

    Empty when the module reads ``__doc__`` (a docstring can carry a payload that is
    run), does not parse, or is not plain UTF-8 with \\n line ends (where the tree's
    positions would not be byte offsets into ``data``).
    """
    if b"__doc__" in data or b"\r" in data.replace(b"\r\n", b""):
        return []
    if not data.isascii():
        try:
            if decode_source(data) != data.decode("utf-8"):
                return []  # a byte order mark, or another encoding declared
        except UnicodeDecodeError:
            return []
    tree = parse(data)
    if tree is None:
        return []
    starts = [0]
    starts += (match.end() for match in _LINE_END.finditer(data))
    ranges: list[tuple[int, int]] = []
    # A string statement stands in a list of statements: only those lists are visited,
    # not the expressions that make up most of a tree.
    blocks: list[list[Any]] = [tree.body]
    while blocks:
        for node in blocks.pop():
            if type(node) is ast.Expr:
                value = node.value
                if (
                    type(value) is ast.Constant
                    and isinstance(value.value, str)
                    and node.end_lineno is not None
                    and node.end_col_offset is not None
                ):
                    ranges.append(
                        (
                            starts[node.lineno - 1] + node.col_offset,
                            starts[node.end_lineno - 1] + node.end_col_offset,
                        )
                    )
                continue
            for name in _BLOCK_FIELDS:
                inner = getattr(node, name, None)
                if inner:
                    blocks.append(inner)
    ranges.sort()
    return ranges


# Fields of statements (and of except handlers and match cases) that hold statements,
# or the handlers and cases that do.
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


_LINE_END = re.compile(rb"\n")


def _inside(ranges: list[tuple[int, int]], offset: int) -> bool:
    return any(start <= offset < end for start, end in ranges)


def _templated_line(data: bytes, offset: int) -> bool:
    """Whether the line at ``offset`` has a placeholder and names no address."""
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    line = data[start : end if end >= 0 else len(data)]
    return _ADDRESS.search(line) is None and _PLACEHOLDER.search(line) is not None


def _blank(data: bytes, ranges: list[tuple[int, int]]) -> bytes:
    """``data`` with each range's bytes but line ends turned to spaces (offsets kept)."""
    blanked = bytearray(data)
    for start, end in ranges:
        blanked[start:end] = re.sub(rb"[^\n]", b" ", data[start:end])
    return bytes(blanked)


def _first_instance(strings: Iterable[Any]) -> tuple[int, int]:
    """Offset and length of the earliest matched instance, context-only strings last."""
    strings = list(strings)
    shown = [s for s in strings if not s.identifier.startswith("$context_")]
    best = (-1, 0)
    for string in shown or strings:
        for instance in string.instances:
            if best[0] < 0 or instance.offset < best[0]:
                best = (instance.offset, instance.matched_length)
    return (max(best[0], 0), best[1])


def _scope(file: FileView) -> Scope:
    if file.role is FileRole.SETUP:
        return Scope.INSTALL
    if file.role in (FileRole.PTH, FileRole.CUSTOMIZE):
        return Scope.STARTUP
    return Scope.FILE
