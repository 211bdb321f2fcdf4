"""The terminal report: a table of packages, then the evidence for each verdict.

Every string a package controls (names, versions, paths, messages, evidence)
goes into a :class:`rich.text.Text`, which never parses markup or emoji codes,
after :func:`visible` has spelt out control characters, so a hostile name can
neither restyle the output nor move the cursor, clear the screen or fake rows.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from depvet.model import AdvisoryMatch, Finding, ScanError, ScanResult, Severity, Verdict
from depvet.report.interface import Report, utf8_safe

__all__ = [
    "COLLAPSE_CLEAN_ABOVE",
    "MAX_FINDINGS_SHOWN",
    "MAX_FINDINGS_SHOWN_COLLAPSED",
    "TableReporter",
    "visible",
]

# Above this many packages, clean ones are counted instead of listed: a scan of
# a 7,000-artifact corpus must still fit on a screen.
COLLAPSE_CLEAN_ABOVE = 50
MAX_FINDINGS_SHOWN = 20  # per package; the JSON report has them all
MAX_FINDINGS_SHOWN_COLLAPSED = 5  # per package, once clean packages collapse
TOP_RULES = 3

VERDICT_STYLE: dict[Verdict, str] = {
    Verdict.MALICIOUS: "bold red",
    Verdict.SUSPICIOUS: "yellow",
    Verdict.CLEAN: "green",
    Verdict.ERROR: "magenta",
}
SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
# Worst first, so the packages that need attention head the table.
_ORDER = {Verdict.MALICIOUS: 0, Verdict.SUSPICIOUS: 1, Verdict.ERROR: 2, Verdict.CLEAN: 3}
# Cc: C0/C1 controls (ESC, newline); Cf: bidi overrides and zero-width
# characters; Cs: lone surrogates; Zl/Zp: line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class TableReporter:
    """Renders the run for a person at a terminal, with or without colour."""

    name = "table"

    def __init__(self, *, color: bool = False, width: int = 120) -> None:
        self.color = color
        self.width = width

    def render(self, report: Report) -> str:
        """The tables and the summary line, as the terminal would show them."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=self.width,
            force_terminal=self.color,
            color_system="standard" if self.color else None,
            no_color=not self.color,
            markup=False,
            emoji=False,
            highlight=False,
            legacy_windows=False,
        )
        for renderable in _renderables(report):
            console.print(renderable)
        return utf8_safe(buffer.getvalue())


def visible(text: str) -> str:
    """``text`` with control, format and separator characters spelt out as escapes."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _INVISIBLE
        else ch
        for ch in text
    )


def _renderables(report: Report) -> Iterable[RenderableType]:
    results = sorted(report.results, key=lambda r: _ORDER[r.verdict])
    collapse = len(results) > COLLAPSE_CLEAN_ABOVE
    listed = [
        r
        for r in results
        if not (collapse and r.verdict is Verdict.CLEAN and not r.errors and not r.advisories)
    ]
    if listed:
        yield _packages(listed)
    hidden = len(results) - len(listed)
    if hidden:
        yield Text(f"{hidden} clean packages not listed; the JSON report lists every package.")
    limit = MAX_FINDINGS_SHOWN_COLLAPSED if collapse else MAX_FINDINGS_SHOWN
    for result in results:
        if result.verdict is not Verdict.CLEAN or result.errors or result.advisories:
            yield from _details(result, limit)
    if report.errors:
        yield Text("\nRun errors", style="bold")
        for error in report.errors:
            yield _error_line(error)
    yield Text("")
    yield _summary(report)


def _packages(results: list[ScanResult]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # The artifact takes the room that is left; the other cells are short
    # unless a hostile package made them long, and then they fold.
    table.add_column("Artifact", overflow="fold", ratio=1, min_width=16)
    table.add_column("Package", overflow="fold", max_width=24)
    table.add_column("Version", overflow="fold", max_width=16)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Decided by", overflow="fold", max_width=36)
    for result in results:
        table.add_row(
            Text(visible(result.artifact)),
            _optional(result.name),
            _optional(result.version),
            _verdict(result.verdict),
            Text(str(result.score)),
            Text(visible(_top_rules(result.decided_by))),
        )
    return table


def _details(result: ScanResult, limit: int) -> Iterable[RenderableType]:
    header = Text("\n")
    header.append_text(_verdict(result.verdict))
    header.append(f"  {visible(_label(result))}  ", style="bold")
    header.append(f"({visible(result.artifact)})  score {result.score}")
    yield header
    # The findings that decided the verdict answer "why?", so they come first.
    findings = sorted(result.findings, key=lambda f: (f.rule not in result.decided_by, -f.severity))
    if findings:
        yield _findings(findings[:limit])
    if len(findings) > limit:
        more = len(findings) - limit
        yield Text(f"  … {more} more findings; the JSON report has them all.")
    # Advisories show as known-* findings above; only those without one get a line.
    shown = {f.message.split(":", 1)[0] for f in result.findings}
    for advisory in result.advisories:
        if advisory.id not in shown:
            yield _advisory_line(advisory)
    for error in result.errors:
        yield _error_line(error)


def _advisory_line(advisory: AdvisoryMatch) -> Text:
    style = "bold red" if advisory.malicious else "yellow"
    line = Text("  advisory ", style=style)
    line.append(visible(advisory.id), style="bold")
    if advisory.aliases:
        line.append(f" ({visible(', '.join(advisory.aliases))})")
    if advisory.summary:
        line.append(f": {visible(advisory.summary)}")
    if advisory.fixed:
        line.append(f" · fixed in {visible(', '.join(advisory.fixed))}", style="green")
    return line


def _findings(findings: list[Finding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Rule", overflow="fold", max_width=28)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Where", overflow="fold", ratio=2, min_width=12)
    table.add_column("Message", overflow="fold", ratio=3, min_width=12)
    table.add_column("Evidence", overflow="fold", ratio=3, min_width=12)
    for finding in findings:
        where = finding.path if finding.line is None else f"{finding.path}:{finding.line}"
        table.add_row(
            Text(visible(finding.rule)),
            Text(str(finding.severity), style=SEVERITY_STYLE[finding.severity]),
            Text(visible(where)),
            Text(visible(finding.message)),
            Text(visible(finding.evidence), style="dim"),
        )
    return table


def _error_line(error: ScanError) -> Text:
    line = Text("  error ", style="magenta")
    line.append(f"[{visible(error.reference)}] ")
    if error.path:
        line.append(f"{visible(error.path)}: ")
    line.append(visible(error.message))
    return line


def _summary(report: Report) -> Text:
    summary = report.summary
    line = Text(f"{summary.artifacts} packages: ", style="bold")
    counts = [
        (verdict, summary.by_verdict.get(verdict.value, 0))
        for verdict in (Verdict.MALICIOUS, Verdict.SUSPICIOUS, Verdict.ERROR, Verdict.CLEAN)
    ]
    for i, (verdict, count) in enumerate(counts):
        if i:
            line.append(", ")
        line.append(f"{count} {verdict.value}", style=VERDICT_STYLE[verdict] if count else "")
    line.append(
        f" · {summary.files} files · {summary.bytes / 1_000_000:.1f} MB"
        f" · {summary.seconds:.1f} s · {summary.cached_files} cache hits"
    )
    if report.errors:
        line.append(f" · {len(report.errors)} run errors", style="magenta")
    return line


def _verdict(verdict: Verdict) -> Text:
    return Text(verdict.value, style=VERDICT_STYLE[verdict])


def _optional(value: str | None) -> Text:
    return Text("—", style="dim") if value is None else Text(visible(value))


def _label(result: ScanResult) -> str:
    if result.name is None:
        return "(unknown package)"
    return f"{result.name} {result.version}" if result.version else result.name


def _top_rules(rules: tuple[str, ...]) -> str:
    shown = ", ".join(rules[:TOP_RULES])
    return f"{shown} +{len(rules) - TOP_RULES}" if len(rules) > TOP_RULES else shown
