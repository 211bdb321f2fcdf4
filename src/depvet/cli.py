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
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from depvet import __version__
from depvet.advisories.store import AdvisoryStore
from depvet.audit import AuditContext, open_store
from depvet.cache import default_cache_dir
from depvet.detectors import registry
from depvet.errors import Error, OutputError, UsageError
from depvet.limits import Limits
from depvet.model import FailOn, ScanError, ScanResult, ScanSummary, Verdict
from depvet.net import Http
from depvet.policy import Policy, load_policy
from depvet.pypi import PyPI
from depvet.report import registry as reporters
from depvet.report.interface import Report
from depvet.report.table import TableReporter
from depvet.run import Collected, collect, run
from depvet.scan import ScanOptions

if TYPE_CHECKING:
    from depvet.service.proxy import ProxyConfig, ProxyEvent


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

    check_cmd = commands.add_parser(
        "check",
        help="vet the releases pip would install, before installing anything",
        description="For each requirement, read the index, pick the file pip would install "
        "for this interpreter, download it (hash checked), scan it without running it, and "
        "apply the policy: release age, yanked state, advisories, verdict. Exit 0 when every "
        "requirement is allowed, 1 when one is refused, 3 when one could not be checked.",
    )
    check_cmd.add_argument(
        "requirements", nargs="*", metavar="NAME[==VER]", help="requirements, as pip takes them"
    )
    check_cmd.add_argument(
        "-r",
        "--requirement",
        dest="requirement_files",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="check every requirement in FILE (may repeat)",
    )
    check_cmd.add_argument(
        "--format", choices=("table", "json"), default="table", help="report format"
    )
    check_cmd.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    _add_policy_options(check_cmd)
    _add_worker_options(check_cmd)
    check_cmd.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="advisory database URL (default: $DEPVET_DB_URL or SQLite in the user data folder)",
    )

    proxy_cmd = commands.add_parser(
        "proxy",
        help="serve a vetting simple index in front of PyPI (or another index)",
        description="A PEP 503/691 simple index for pip, uv and poetry: files the policy "
        "refuses are hidden, each file is scanned the first time it is asked for, and a "
        "file found malicious is refused with HTTP 403. No TLS: put it behind a reverse "
        "proxy for HTTPS. Point clients at http://HOST:PORT/simple/.",
    )
    proxy_cmd.add_argument(
        "--upstream",
        metavar="URL",
        default=None,
        help="the simple index to vet (default: the policy's index-url, else PyPI)",
    )
    proxy_cmd.add_argument("--host", default=None, help="address to listen on (default: 127.0.0.1)")
    proxy_cmd.add_argument("--port", type=int, default=None, help="port (default: 8080)")
    proxy_cmd.add_argument(
        "--policy", metavar="FILE", type=Path, default=None, help="the policy file"
    )
    _add_vault_options(proxy_cmd)
    proxy_cmd.add_argument("--access-log", action="store_true", help="log every request")

    install_cmd = commands.add_parser(
        "install",
        help="pip install (or uv pip install) through a vetting proxy",
        description="Run `pip install PIP-ARGS` against an ephemeral depvet proxy on loopback, "
        "so that every file pip asks for is vetted before pip receives it: a refused file "
        "stops pip before it builds or installs anything. Options that reach files around "
        "the proxy (--extra-index-url, --find-links, -e, direct URLs and paths) are refused; "
        "-i URL sets the index the proxy vets. What was installed is recorded with hashes.",
        usage="depvet install [options] -- PIP-ARGS",
    )
    _add_policy_options(install_cmd)
    install_cmd.add_argument(
        "--python",
        metavar="PYTHON",
        default=None,
        help="the interpreter to install into (default: $VIRTUAL_ENV's, else the one running "
        "depvet)",
    )
    install_cmd.add_argument(
        "--uv", action="store_true", help="install with `uv pip install` instead of pip"
    )
    install_cmd.add_argument(
        "--record",
        metavar="FILE",
        type=Path,
        default=None,
        help="write what was installed, with hashes, to FILE (default: a new file under the "
        "user data folder's installs/)",
    )
    _add_vault_options(install_cmd)
    install_cmd.add_argument("pip_args", nargs=argparse.REMAINDER, metavar="PIP-ARGS")

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


def _add_vault_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=_positive_int,
        default=None,
        help="scanning worker processes (default: CPUs)",
    )
    command.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="where vetted files, verdicts and pages are kept (default: $DEPVET_CACHE_DIR or "
        "the user cache folder)",
    )
    command.add_argument("--db", metavar="URL", default=None, help="advisory database URL")


def _add_policy_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--policy",
        metavar="FILE",
        type=Path,
        default=None,
        help="the policy file (default: the nearest depvet.toml, or pyproject.toml with "
        "[tool.depvet], from the current folder up; else the built-in defaults)",
    )
    command.add_argument(
        "--index-url",
        metavar="URL",
        default=None,
        help="the package index to read (default: the policy's index-url, else PyPI)",
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
        if args.command == "check":
            return _check(args, err)
        if args.command == "proxy":
            return _proxy(args)
        if args.command == "install":
            return _install(args, err)
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


def _policy(args: argparse.Namespace) -> Policy:
    policy = load_policy(args.policy)
    if args.index_url:
        url = args.index_url if args.index_url.endswith("/") else args.index_url + "/"
        policy = replace(policy, index_url=url)
    return policy


def _check(args: argparse.Namespace, err: Console) -> int:
    from depvet.gate.check import check, read_requirements
    from depvet.gate.report import render_json, render_table
    from depvet.gate.vetter import Vetter
    from depvet.index.client import IndexClient
    from depvet.index.vault import Vault

    policy = _policy(args)
    wanted, problems = read_requirements(args.requirements, args.requirement_files)
    for problem in problems:
        err.print(f"depvet: {problem}", markup=False)
    if not wanted:
        err.print("depvet: nothing to check", markup=False)
        return ExitCode.USAGE
    options = _options(args)
    store, store_errors = open_store(args.db)
    for error in store_errors:
        err.print(f"depvet: advisories not checked: {error.message}", markup=False)
    root = options.cache_dir or Path(tempfile.mkdtemp(prefix="depvet-check-"))
    try:
        with Http(cache_dir=options.cache_dir) as http:
            vetter = Vetter(policy, Vault(root / "vault"), store=store, options=options)
            items = check(
                wanted, vetter=vetter, client=IndexClient(http, policy.index_url), http=http
            )
    finally:
        if store is not None:
            store.close()
        if options.cache_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    if args.format == "json":
        text = render_json(items, policy)
    else:
        terminal = args.output is None and sys.stdout.isatty()
        width = Console().width if terminal else 120
        text = render_table(items, policy, color=terminal, width=width)
    _emit(text, args.output)
    if any(item.error is None and not item.allowed for item in items):
        return ExitCode.FOUND
    if problems or store_errors or any(item.error is not None for item in items):
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def proxy_config(
    policy: Policy,
    *,
    upstream: str | None,
    cache_dir: Path | None,
    jobs: int | None,
    db: str | None,
) -> ProxyConfig:
    """The proxy's configuration from the policy and the command line."""
    from depvet.service.proxy import ProxyConfig

    url = upstream or policy.index_url
    token = None
    if policy.proxy.token_env:
        token = os.environ.get(policy.proxy.token_env) or None
        if token is None:
            raise UsageError(
                f"{policy.source}: proxy.token-env names {policy.proxy.token_env}, "
                "which is not set or empty"
            )
    return ProxyConfig(
        policy=policy,
        upstream=url if url.endswith("/") else url + "/",
        cache_dir=cache_dir or default_cache_dir(),
        token=token,
        jobs=jobs or os.cpu_count() or 1,
        db_url=db,
    )


def _proxy(args: argparse.Namespace) -> int:
    from depvet.service.server import serve

    policy = load_policy(args.policy)
    config = proxy_config(
        policy, upstream=args.upstream, cache_dir=args.cache_dir, jobs=args.jobs, db=args.db
    )
    host = args.host or policy.proxy.host
    port = args.port if args.port is not None else policy.proxy.port
    serve(config, host, port, access_log=args.access_log)
    return ExitCode.OK


def _install(args: argparse.Namespace, err: Console) -> int:
    from depvet.gate.install import install, vet_arguments

    pip_args = list(args.pip_args)
    if pip_args[:1] == ["--"]:
        pip_args = pip_args[1:]
    if not pip_args:
        raise UsageError("nothing to install: give pip's arguments after --")
    passed, upstream = vet_arguments(pip_args)
    policy = _policy(args)
    config = proxy_config(
        policy,
        upstream=upstream or policy.index_url,
        cache_dir=args.cache_dir,
        jobs=args.jobs,
        db=args.db,
    )
    venv = os.environ.get("VIRTUAL_ENV")
    python = args.python or (
        str(Path(venv) / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
        if venv
        else sys.executable
    )
    outcome = install(
        config, passed, tool="uv" if args.uv else "pip", python=python, record=args.record
    )
    for event in outcome.refused:
        err.print(
            f"depvet: refused {event.filename}: {'; '.join(event.reasons)}",
            markup=False,
            style="bold red",
        )
    held = _held_back(outcome.held_back)
    if outcome.returncode != 0:
        for line in held:
            err.print(f"depvet: not offered to the installer: {line}", markup=False)
        if outcome.refused:
            return ExitCode.FOUND
        return ExitCode.FOUND if held else ExitCode.INCOMPLETE
    if held:
        err.print(
            f"depvet: {len(held)} newer release(s) were held back by the policy; "
            "older ones were installed:",
            markup=False,
        )
        for line in held:
            err.print(f"  {line}", markup=False)
    err.print(
        f"depvet: installed {len(outcome.installed)} vetted file(s); record: {outcome.record}",
        markup=False,
    )
    return ExitCode.OK


def _held_back(events: Sequence[ProxyEvent]) -> list[str]:
    """One line per project and version the proxy hid from the installer."""
    from depvet.index.simple import parse_filename

    lines: dict[str, str] = {}
    for event in events:
        parsed = parse_filename(event.filename or "")
        version = parsed[1] if parsed else "?"
        lines.setdefault(f"{event.project} {version}", "; ".join(event.reasons))
    return [f"{release}: {why}" for release, why in lines.items()]


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
    if errors or any(r.verdict is Verdict.ERROR or r.incomplete for r in results):
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
