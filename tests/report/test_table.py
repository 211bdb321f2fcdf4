"""The terminal table: verdicts, evidence, collapsing, and hostile names kept inert."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from depvet.model import AdvisoryMatch, ScanError, ScanResult, Verdict
from depvet.report.table import (
    COLLAPSE_CLEAN_ABOVE,
    MAX_FINDINGS_SHOWN,
    MAX_FINDINGS_SHOWN_COLLAPSED,
    TableReporter,
    visible,
)

from .samples import (
    ALL_RESULTS,
    BROKEN,
    HOSTILE,
    INSTALLED_CLEAN,
    MALICIOUS,
    RUN_ERRORS,
    build_report,
    finding,
)

SGR = re.compile(r"\x1b\[[0-9;]*m")


def render(
    results: tuple[ScanResult, ...] = ALL_RESULTS,
    *,
    color: bool = False,
    width: int = 160,
    errors: tuple[ScanError, ...] = RUN_ERRORS,
) -> str:
    return TableReporter(color=color, width=width).render(build_report(results, errors=errors))


def package_rows(text: str) -> dict[str, str]:
    """Lines of the package table keyed by their first cell."""
    rows: dict[str, str] = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        if line.strip():
            rows[line.split()[0]] = line
    return rows


def test_one_row_per_package_with_its_verdict() -> None:
    rows = package_rows(render())
    assert "malicious" in rows["dist/evil-1.0-py3-none-any.whl"]
    assert "pth-exec, decode-exec" in rows["dist/evil-1.0-py3-none-any.whl"]
    assert "97" in rows["dist/evil-1.0-py3-none-any.whl"]
    assert "clean" in rows["/srv/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info"]
    assert "error" in rows["dist/broken-0.1-py3-none-any.whl"]
    assert "—" in rows["dist/broken-0.1-py3-none-any.whl"]  # no name could be read


def test_worst_verdicts_come_first() -> None:
    text = render()
    positions = [text.index(r.artifact) for r in (MALICIOUS, BROKEN, INSTALLED_CLEAN)]
    assert positions == sorted(positions)


def test_findings_and_errors_are_shown_for_non_clean_packages() -> None:
    text = render()
    assert "evil.pth:1" in text
    assert "import os; exec(x)" in text
    assert "critical" in text
    assert "[artifact-unreadable] File is not a zip file" in text
    assert "[detector-failed] broken/big.py: timed out" in text
    assert "[source-error] missing/dir: No such file" in text


def test_clean_package_details_are_not_shown() -> None:
    clean = replace(INSTALLED_CLEAN, findings=(finding("network-call", path="requests/x.py"),))
    text = render((clean,))
    assert "requests/x.py" not in text
    assert "clean" in text


def test_summary_line() -> None:
    last = render().rstrip("\n").splitlines()[-1]
    assert last.startswith("6 packages: 1 malicious, 3 suspicious, 1 error, 1 clean")
    assert "23 files" in last
    assert "0.5 MB" in last
    assert "1.2 s" in last
    assert "18 cache hits" in last
    assert "1 run errors" in last


def test_markup_in_names_is_printed_literally() -> None:
    for color in (False, True):
        text = SGR.sub("", render((HOSTILE,), color=color))
        assert "[bold red]pwn[/]" in text
        assert "[link=https://example.invalid]click[/link]" in text
        assert ":smile:" in text and "😄" not in text


def test_control_characters_are_spelt_out() -> None:
    for color in (False, True):
        text = SGR.sub("", render((HOSTILE,), color=color))
        # Only our own colour codes may reach the terminal.
        assert "\x1b" not in text and "\r" not in text and "\x07" not in text
        assert "\u202e" not in text
        assert "[bold red]pwn[/]\\nclean\\r:smile:" in text
        assert "1.0\\x1b[31m" in text
        assert "\\u202eyp.txt" in text


def test_hostile_name_cannot_add_lines() -> None:
    plain = render((MALICIOUS,))
    hostile = render((replace(MALICIOUS, name="evil\nsafe\nsafe\nsafe"),))
    assert len(hostile.splitlines()) == len(plain.splitlines())


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render()
    coloured = render(color=True)
    assert "\x1b[1;31mmalicious" in coloured
    assert "\x1b[33msuspicious" in coloured
    assert "\x1b[32mclean" in coloured
    assert "\x1b[35merror" in coloured


@pytest.mark.parametrize("width", [60, 120])
def test_lines_fit_the_width(width: int) -> None:
    long = replace(MALICIOUS, artifact="dist/" + "x" * 300 + ".whl")
    text = render((long, HOSTILE, BROKEN), width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "x" * 40 in text.replace("\n", "")  # folded, never cut off


def clean_result(i: int) -> ScanResult:
    return replace(INSTALLED_CLEAN, artifact=f"site-packages/clean{i:03}-1.0.dist-info")


def test_clean_packages_collapse_in_large_runs() -> None:
    results = (MALICIOUS, BROKEN, *(clean_result(i) for i in range(COLLAPSE_CLEAN_ABOVE)))
    text = render(results)
    assert "clean000" not in text
    assert f"{COLLAPSE_CLEAN_ABOVE} clean packages not listed" in text
    assert "dist/evil-1.0-py3-none-any.whl" in text
    assert "dist/broken-0.1-py3-none-any.whl" in text


def test_clean_package_with_errors_stays_listed_in_large_runs() -> None:
    partial = replace(
        clean_result(999), errors=(ScanError(reference="detector-failed", message="timed out"),)
    )
    text = render((partial, *(clean_result(i) for i in range(COLLAPSE_CLEAN_ABOVE))))
    assert package_rows(text)["site-packages/clean999-1.0.dist-info"].split()[-2:] == ["clean", "3"]
    assert f"{COLLAPSE_CLEAN_ABOVE} clean packages not listed" in text
    assert "[detector-failed] timed out" in text


def test_clean_packages_are_listed_in_small_runs() -> None:
    results = tuple(clean_result(i) for i in range(COLLAPSE_CLEAN_ABOVE))
    text = render(results)
    assert "clean000" in text and "clean049" in text
    assert "not listed" not in text


def test_many_findings_are_capped_with_a_note() -> None:
    findings = tuple(
        finding("network-call", path=f"pkg/m{i:03}.py") for i in range(MAX_FINDINGS_SHOWN + 5)
    )
    text = render((replace(MALICIOUS, findings=findings),))
    assert f"pkg/m{MAX_FINDINGS_SHOWN - 1:03}.py" in text
    assert f"pkg/m{MAX_FINDINGS_SHOWN:03}.py" not in text
    assert "5 more findings" in text


def test_deciding_findings_come_first() -> None:
    findings = (
        finding("pth-exec", path="pkg/critical.py"),
        finding("env-read", path="pkg/decider.py"),
    )
    text = render((replace(MALICIOUS, findings=findings, decided_by=("env-read",)),))
    assert text.index("pkg/decider.py") < text.index("pkg/critical.py")


def test_findings_are_capped_harder_in_large_runs() -> None:
    findings = tuple(finding("network-call", path=f"pkg/m{i:03}.py") for i in range(10))
    results = (
        replace(MALICIOUS, findings=findings),
        *(clean_result(i) for i in range(COLLAPSE_CLEAN_ABOVE)),
    )
    text = render(results)
    assert f"pkg/m{MAX_FINDINGS_SHOWN_COLLAPSED - 1:03}.py" in text
    assert f"pkg/m{MAX_FINDINGS_SHOWN_COLLAPSED:03}.py" not in text
    assert f"{10 - MAX_FINDINGS_SHOWN_COLLAPSED} more findings" in text


def test_undecodable_names_are_spelt_out() -> None:
    text = render((replace(MALICIOUS, name="evil\udcff"),))
    text.encode("utf-8")
    assert "evil\\udcff" in text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain ünïcode 😀", "plain ünïcode 😀"),
        ("a\nb", "a\\nb"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b", "\\x9b"),
        ("rtl\u202e", "rtl\\u202e"),
        ("zw\u200b", "zw\\u200b"),
        ("ls\u2028", "ls\\u2028"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_empty_run() -> None:
    text = render((), errors=())
    assert text.strip().startswith("0 packages: 0 malicious, 0 suspicious, 0 error, 0 clean")


def test_error_verdict_counts_toward_the_error_count() -> None:
    assert Verdict.ERROR.value in render((BROKEN,))


def test_advisories_are_listed_with_their_fix() -> None:
    result = replace(
        INSTALLED_CLEAN,
        advisories=(
            AdvisoryMatch(
                id="PYSEC-2099-1",
                aliases=("CVE-2099-0001",),
                summary="remote [bold]code[/bold] execution",
                fixed=("2.0.1",),
            ),
        ),
    )
    text = render((result,), width=200)
    assert "advisory PYSEC-2099-1 (CVE-2099-0001): remote [bold]code[/bold] execution" in text
    assert "fixed in 2.0.1" in text
