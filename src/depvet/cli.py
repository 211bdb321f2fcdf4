"""The ``depvet`` command line.

Exit codes (``ExitCode``):

- 0: every package scanned, none at or above ``--fail-on``;
- 1: at least one package at or above ``--fail-on``;
- 2: usage error, or nothing could be scanned at all;
- 3: nothing reached ``--fail-on``, but some packages or paths could not be
  read (their verdict is ``error``), so the run cannot vouch for them.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from depvet import __version__
from depvet.advisories.store import AdvisoryStore
from depvet.audit import AuditContext
from depvet.cache import default_cache_dir
from depvet.detectors import registry
from depvet.errors import Error, OutputError, UsageError
from depvet.limits import Limits
from depvet.model import FailOn, ScanError, ScanResult, ScanSummary, Verdict
from depvet.net import Http
from depvet.pypi import PyPI
from depvet.report import registry as reporters
from depvet.report.interface import Report
from depvet.report.table import TableReporter
from depvet.run import Collected, collect, run
from depvet.scan import ScanOptions


class ExitCode(enum.IntEnum):
    """What ``depvet`` exits with."""

    OK = 0
    FOUND = 1
    USAGE = 2
    INCOMPLETE = 3


FAIL_ON = {choice.value: choice for choice in FailOn}
DEFAULTS = Limits()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _size(text: str) -> int:
    """Sizes like 64M, 2G, 500K or plain bytes."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    try:
        if text and text[-1].upper() in units:
            value = int(float(text[:-1]) * units[text[-1].upper()])
        else:
            value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 64M, 2G)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="depvet",
        description="Vet Python dependencies without running them.",
        epilog="Exit codes: 0 nothing at or above --fail-on; 1 something is; "
        "2 usage error or nothing could be scanned; 3 some packages could not be read.",
    )
    parser.add_argument("--version", action="version", version=f"depvet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    scan_cmd = commands.add_parser(
        "scan",
        help="scan artifacts, folders, environments (default: this interpreter's environment)",
        description="Scan Python package artifacts (wheels, sdists, eggs, zips), unpacked "
        "source trees, installed distributions, virtual environments or site-packages "
        "folders, and folders holding many artifacts. Nothing scanned is executed. "
        "With no PATH, scans the environment of the interpreter running depvet.",
    )
    scan_cmd.add_argument("paths", nargs="*", metavar="PATH", help="what to scan")
    scan_cmd.add_argument(
        "--format", choices=("table", "json", "sarif"), default="table", help="report format"
    )
    scan_cmd.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    scan_cmd.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="malicious",
        help="exit 1 when a package is at least this bad: vulnerable (any advisory), "
        "suspicious or malicious (default: malicious)",
    )
    _add_worker_options(scan_cmd)
    scan_cmd.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    _add_audit_options(scan_cmd)
    limits = scan_cmd.add_argument_group("safety limits (per artifact)")
    limits.add_argument(
        "--max-members",
        metavar="N",
        type=_positive_int,
        default=DEFAULTS.max_members,
        help="members read from one artifact (default: %(default)s)",
    )
    limits.add_argument(
        "--max-total-size",
        metavar="SIZE",
        type=_size,
        default=DEFAULTS.max_total_bytes,
        help="uncompressed bytes read from one artifact (default: 4G)",
    )
    limits.add_argument(
        "--max-file-size",
        metavar="SIZE",
        type=_size,
        default=DEFAULTS.max_file_bytes,
        help="bytes read from one file; the rest is not scanned (default: 64M)",
    )
    limits.add_argument(
        "--max-ratio",
        metavar="N",
        type=_positive_int,
        default=DEFAULTS.max_ratio,
        help="compression ratio that marks a bomb (default: %(default)s)",
    )
    limits.add_argument(
        "--max-depth",
        metavar="N",
        type=_positive_int,
        default=DEFAULTS.max_depth,
        help="archives opened inside archives (default: %(default)s)",
    )
    limits.add_argument(
        "--file-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=DEFAULTS.file_seconds,
        help="seconds the detectors may spend on one file (default: %(default)s)",
    )

    rules_cmd = commands.add_parser("rules", help="list every detection rule")
    rules_cmd.add_argument("--format", choices=("table", "json"), default="table")

    sbom_cmd = commands.add_parser(
        "sbom",
        help="write a CycloneDX or SPDX SBOM of what the paths hold",
        description="Inventory the paths as `depvet scan` does (no PATH: this interpreter's "
        "environment), audit every package against the advisory store, and write a software "
        "bill of materials with purls, hashes, depvet's verdicts and the known "
        "vulnerabilities.",
    )
    sbom_cmd.add_argument("paths", nargs="*", metavar="PATH", help="what to inventory")
    sbom_cmd.add_argument(
        "--format",
        choices=("cyclonedx", "spdx"),
        default="cyclonedx",
        help="CycloneDX 1.6 JSON (default) or SPDX 2.3 JSON",
    )
    sbom_cmd.add_argument("--output", "-o", metavar="FILE", help="write the SBOM to FILE")
    _add_worker_options(sbom_cmd)
    _add_audit_options(sbom_cmd)

    db_cmd = commands.add_parser("db", help="the local advisory database")
    db_actions = db_cmd.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_import = db_actions.add_parser(
        "import", help="import OSV advisories: an all.zip, a folder or a file (JSON or YAML)"
    )
    db_import.add_argument("paths", nargs="+", metavar="PATH")
    db_status = db_actions.add_parser("status", help="what is loaded and how old it is")
    db_status.add_argument("--json", action="store_true", help="print JSON")
    db_update = db_actions.add_parser("update", help="download and import OSV's PyPI advisories")
    for action in (db_import, db_status, db_update):
        action.add_argument("--db", metavar="URL", default=None, help="advisory database URL")

    explain_cmd = commands.add_parser(
        "explain", help="what a rule looks for and what to do about a hit"
    )
    explain_cmd.add_argument("rule", metavar="RULE", help="a rule id, as `depvet rules` lists")
    return parser


def _add_worker_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=_positive_int,
        default=None,
        help="worker processes (default: CPUs)",
    )
    command.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    command.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="where cached per-file results live (default: $DEPVET_CACHE_DIR or the user "
        "cache folder)",
    )


def _add_audit_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--online",
        action="store_true",
        help="also ask the package index whether each pinned version is still served, "
        "yanked or vulnerable",
    )
    command.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="advisory database URL (default: $DEPVET_DB_URL or SQLite in the user data folder)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code) if isinstance(exc.code, int) else ExitCode.USAGE
    err = Console(stderr=True, highlight=False)
    try:
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args.rule)
        if args.command == "db":
            return _db(args)
        if args.command == "sbom":
            return _sbom(args, err)
        return _scan(args, err)
    except Error as exc:
        err.print(f"depvet: error: {exc.diagnostics()}", markup=False)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        err.print("depvet: interrupted", markup=False)
        return 130


def _rules(args: argparse.Namespace) -> int:
    import json

    rules = registry.rules()
    if args.format == "json":
        document = [
            {
                "id": r.id,
                "kind": str(r.kind),
                "severity": str(r.severity),
                "version": r.version,
                "description": r.description,
                "technique": r.technique,
                "remediation": r.remediation,
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return ExitCode.OK
    from rich.table import Table

    table = Table(box=None)
    table.add_column("rule", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("technique")
    table.add_column("description")
    for rule in rules:
        table.add_row(rule.id, str(rule.kind), str(rule.severity), rule.technique, rule.description)
    Console(highlight=False).print(table)
    return ExitCode.OK


def _db(args: argparse.Namespace) -> int:
    from depvet.advisories import commands as db

    if args.db_command == "import":
        return db.db_import(args.paths, args.db)
    if args.db_command == "status":
        return db.db_status(args.db, args.json)
    return db.db_update(args.db)


def _explain(rule_id: str) -> int:
    rules = registry.rule_by_id()
    rule = rules.get(rule_id)
    if rule is None:
        close = sorted(r for r in rules if rule_id.split("-")[0] in r)
        hint = f"did you mean: {', '.join(close)}" if close else "`depvet rules` lists every rule"
        raise UsageError(f"no rule named {rule_id!r}", hint=hint)
    tags = ", ".join(sorted(rule.tags)) or "-"
    sys.stdout.write(
        f"{rule.id} (version {rule.version})\n"
        f"  kind:        {rule.kind} — "
        + (
            "something malware does\n"
            if rule.kind == "threat"
            else "something code can do; it adds to the score only with other findings\n"
        )
        + f"  severity:    {rule.severity}\n"
        f"  technique:   {rule.technique}\n"
        f"  tags:        {tags}\n\n"
        f"{rule.description}\n\n"
        f"What to do about a hit:\n  {rule.remediation}\n"
    )
    return ExitCode.OK


def _options(args: argparse.Namespace) -> ScanOptions:
    limits = Limits(
        max_members=getattr(args, "max_members", DEFAULTS.max_members),
        max_total_bytes=getattr(args, "max_total_size", DEFAULTS.max_total_bytes),
        max_file_bytes=getattr(args, "max_file_size", DEFAULTS.max_file_bytes),
        max_ratio=getattr(args, "max_ratio", DEFAULTS.max_ratio),
        max_depth=getattr(args, "max_depth", DEFAULTS.max_depth),
        file_seconds=getattr(args, "file_timeout", DEFAULTS.file_seconds),
    )
    cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir())
    return ScanOptions(limits=limits, jobs=args.jobs or 0, cache_dir=cache_dir)


def _audit_context(args: argparse.Namespace, cache_dir: Path | None) -> AuditContext:
    """The advisory store (with the embedded feed) and, with --online, the index."""
    store = AdvisoryStore(args.db)
    pypi = PyPI(Http(cache_dir=cache_dir)) if args.online else None
    return AuditContext(store=store, pypi=pypi)


def _scan(args: argparse.Namespace, err: Console) -> int:
    options = _options(args)
    collected = collect(args.paths)
    for error in collected.errors:
        err.print(f"depvet: {error.message}", markup=False)
    if not collected.targets and not collected.lockfiles:
        err.print("depvet: nothing to scan", markup=False)
        return ExitCode.USAGE
    context = _audit_context(args, options.cache_dir)
    show_progress = not args.no_progress and err.is_terminal and len(collected.targets) > 1
    try:
        results, summary, run_errors = _run_with_progress(
            collected, options, context, err, show_progress
        )
    finally:
        if context.store is not None:
            context.store.close()
    if not results:
        err.print("depvet: nothing to scan", markup=False)
        return ExitCode.USAGE
    fail_on = FAIL_ON[args.fail_on]
    report = Report(
        results=tuple(results),
        summary=summary,
        rules=registry.rule_by_id(),
        fail_on=fail_on,
        tool_version=__version__,
        errors=tuple(run_errors),
    )
    writing_to_terminal = args.output is None and sys.stdout.isatty()
    if args.format == "table":
        width = Console().width if writing_to_terminal else 120
        text = TableReporter(color=writing_to_terminal, width=width).render(report)
    else:
        text = reporters.get(args.format).render(report)
    _emit(text, args.output)
    return exit_code(results, fail_on, run_errors)


def _sbom(args: argparse.Namespace, err: Console) -> int:
    from datetime import UTC, datetime

    from depvet.sbom import Component, Sbom, render_cyclonedx, render_spdx

    options = _options(args)
    collected = collect(args.paths)
    for error in collected.errors:
        err.print(f"depvet: {error.message}", markup=False)
    if not collected.targets and not collected.lockfiles:
        err.print("depvet: nothing to inventory", markup=False)
        return ExitCode.USAGE
    context = _audit_context(args, options.cache_dir)
    try:
        results, _, run_errors = run(collected, options, context)
    finally:
        if context.store is not None:
            context.store.close()
    components = tuple(
        Component.from_ref(r.declared, result=r) if r.declared else Component.from_result(r)
        for r in results
        if r.name and r.kind != "loose"
    )
    subject = ", ".join(args.paths) if args.paths else sys.executable
    sbom = Sbom(subject=subject, components=components, timestamp=datetime.now(UTC))
    text = render_cyclonedx(sbom) if args.format == "cyclonedx" else render_spdx(sbom)
    _emit(text if text.endswith("\n") else text + "\n", args.output)
    for error in run_errors:
        err.print(f"depvet: {error.message}", markup=False)
    return ExitCode.INCOMPLETE if run_errors or len(components) < len(results) else ExitCode.OK


def exit_code(results: Sequence[ScanResult], fail_on: FailOn, errors: Sequence[ScanError]) -> int:
    """The documented exit code for a finished scan."""
    if any(fail_on.reached_by(r) for r in results):
        return ExitCode.FOUND
    if all(r.verdict is Verdict.ERROR for r in results):
        return ExitCode.USAGE
    if errors or any(r.verdict is Verdict.ERROR for r in results):
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def _run_with_progress(
    collected: Collected,
    options: ScanOptions,
    context: AuditContext,
    err: Console,
    show: bool,
) -> tuple[list[ScanResult], ScanSummary, list[ScanError]]:
    if not show:
        return run(collected, options, context)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task("scan", total=len(collected.targets))
    started = time.monotonic()
    shown = False

    def advance(_: ScanResult) -> None:
        nonlocal shown
        # Only a scan that takes more than a moment earns a bar.
        if not shown and time.monotonic() - started > 0.5:
            progress.start()
            shown = True
        progress.advance(task)

    try:
        return run(collected, options, context, advance)
    finally:
        if shown:
            progress.stop()


def _emit(text: str, output: str | None) -> None:
    """Write the report to stdout, or atomically to ``output``: never a half-written file."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    try:
        directory = target.parent if str(target.parent) else Path()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from exc


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
