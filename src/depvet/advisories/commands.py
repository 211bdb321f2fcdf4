"""``depvet db import|status|update``: the command bodies the CLI calls.

Each returns an exit code: 0 when everything went through, 3 when the
command did its job only in part (records skipped, network unreachable) so
its result cannot be vouched for. Other :class:`~depvet.errors.Error`\\ s
propagate to the CLI's single handler.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from depvet.advisories.osv import format_time
from depvet.advisories.store import AdvisoryStore, ImportReport
from depvet.advisories.update import update
from depvet.errors import Error, StoreError
from depvet.net import NetworkError

OK = 0
INCOMPLETE = 3
ERRORS_SHOWN = 20


def _console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _print_report(out: Console, report: ImportReport) -> None:
    out.print(
        f"{report.location}: {report.read} records read, {report.inserted} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.invalid} skipped "
        f"({report.seconds:.1f} s)",
        markup=False,
    )
    for error in report.errors[:ERRORS_SHOWN]:
        out.print(f"  skipped: {error.message} [{error.reference}]", markup=False)
    if report.invalid > ERRORS_SHOWN:
        out.print(f"  … and {report.invalid - ERRORS_SHOWN} more skipped", markup=False)


def db_import(paths: Sequence[str | Path], url: str | None) -> int:
    """Import OSV dumps, folders or record files; 3 when some records or paths were skipped.

    A path that cannot be imported at all (unreadable, an unsafe zip) is
    reported and the next path is imported.
    """
    out = _console()
    skipped = 0
    with AdvisoryStore(url) as store:
        for path in paths:
            try:
                report = store.import_path(path)
            except StoreError:
                raise
            except Error as exc:
                _console(stderr=True).print(f"depvet: {exc.diagnostics()}", markup=False)
                skipped += 1
                continue
            _print_report(out, report)
            skipped += report.invalid
    return INCOMPLETE if skipped else OK


def _age(age: timedelta | None) -> str:
    if age is None:
        return "unknown"
    days = age.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = int(age.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def db_status(url: str | None, as_json: bool) -> int:
    """Print what the store holds: counts, sources, freshness."""
    with AdvisoryStore(url) as store:
        status = store.status()
    if as_json:
        sys.stdout.write(json.dumps(status.to_json(), indent=2) + "\n")
        return OK
    out = _console()
    out.print(f"advisory store: {status.url}", markup=False)
    out.print(
        f"{status.advisories} advisories ({status.malicious} malicious, {status.withdrawn} "
        f"withdrawn) for {status.packages} packages",
        markup=False,
    )
    newest = format_time(status.newest_modified) if status.newest_modified else "none"
    out.print(f"newest record: {newest} (age {_age(status.age)})", markup=False)
    table = Table(box=None)
    for column in ("source", "records", "skipped", "imported", "newest record"):
        table.add_column(column, no_wrap=True)
    for source in status.sources:
        table.add_row(
            source.label,
            str(source.records),
            str(source.invalid),
            format_time(source.imported_at)[:19] + "Z",
            format_time(source.newest_modified)[:19] + "Z" if source.newest_modified else "-",
        )
    out.print(table)
    for source in status.sources:
        if source.location != source.label:
            out.print(f"{source.label}: from {source.location}", markup=False)
    return OK


def db_update(url: str | None) -> int:
    """Download and import OSV's PyPI dump; 3 (with the reason) when it cannot be reached."""
    with AdvisoryStore(url) as store:
        try:
            report = update(store)
        except NetworkError as exc:
            err = _console(stderr=True)
            err.print(f"depvet: {exc.diagnostics()}", markup=False)
            status = store.status()
            err.print(
                f"still in use: {status.advisories} advisories from "
                f"{', '.join(s.label for s in status.sources) or 'nothing'}",
                markup=False,
            )
            return INCOMPLETE
    _print_report(_console(), report)
    return INCOMPLETE if report.invalid else OK
