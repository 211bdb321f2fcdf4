"""One run of the pipeline for the CLI: find what the paths hold, scan it, audit it.

Command-line paths can hold artifacts (scanned by the detectors in worker
processes), lockfiles and requirement files (inventories: names and
versions to audit), or both (a project folder). Everything found ends as
one :class:`~depvet.model.ScanResult` per package, audited against the
advisory store, the embedded known-bad feed and, with ``--online``, the
package index.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from depvet.artifacts.safety import Format, sniff
from depvet.audit import AuditContext, audit, inventory_results, lockfile_error_result
from depvet.errors import Error, SourceError
from depvet.model import ScanError, ScanResult, ScanSummary, Target
from depvet.scan import ScanOptions, scan, summarize
from depvet.sources.environment import META_SUFFIXES, current_environment, is_site_dir
from depvet.sources.lockfiles.interface import LockfileError
from depvet.sources.lockfiles.registry import parser_for
from depvet.sources.lockfiles.source import LockfileSource
from depvet.sources.paths import PathSource


@dataclass(slots=True, kw_only=True)
class Collected:
    """What the command-line paths hold."""

    targets: list[Target] = field(default_factory=list)
    lockfiles: list[LockfileSource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)


def _is_lockfile(path: Path) -> bool:
    if parser_for(path) is None:
        return False
    try:
        with path.open("rb") as handle:
            return sniff(handle.read(512)) is Format.UNKNOWN
    except OSError:
        return True  # the lockfile reader will report it


def _holds_lockfiles(path: Path) -> bool:
    """Project folders do; environments and metadata folders do not."""
    return not (
        path.name.endswith(META_SUFFIXES) or (path / "pyvenv.cfg").is_file() or is_site_dir(path)
    )


def collect(paths: Sequence[str]) -> Collected:
    """Sort the paths into artifacts to scan and lockfiles to audit; never raises."""
    found = Collected()
    if not paths:
        try:
            found.targets.extend(current_environment().targets())
        except SourceError as exc:
            found.errors.append(ScanError(reference=exc.reference, message=exc.message))
        return found
    for given in paths:
        path = Path(given)
        try:
            if path.is_file() and _is_lockfile(path):
                found.lockfiles.append(LockfileSource(given=given))
                continue
            found.targets.extend(PathSource(given=given).targets())
            if path.is_dir() and _holds_lockfiles(path):
                found.lockfiles.append(LockfileSource(given=given))
        except SourceError as exc:
            found.errors.append(ScanError(reference=exc.reference, message=exc.message, path=given))
    return found


def inventory(sources: Sequence[LockfileSource]) -> tuple[list[ScanResult], list[ScanError]]:
    """One result per declared dependency, or per lockfile that could not be read."""
    results: list[ScanResult] = []
    errors: list[ScanError] = []
    for source in sources:
        try:
            for path, parsed in source.lockfiles():
                if isinstance(parsed, LockfileError):
                    display = parsed.source or str(path)
                    results.append(lockfile_error_result(display, parsed))
                    continue
                results.extend(inventory_results(parsed))
                errors.extend(
                    ScanError(reference="lockfile-warning", message=str(w), path=w.source)
                    for w in parsed.warnings
                )
        except SourceError as exc:
            errors.append(ScanError(reference=exc.reference, message=exc.message))
    return results, errors


def run(
    collected: Collected,
    options: ScanOptions,
    context: AuditContext,
    progress: Callable[[ScanResult], None] | None = None,
) -> tuple[list[ScanResult], ScanSummary, list[ScanError]]:
    """Scan the targets, read the inventories, audit everything."""
    started = time.perf_counter()
    errors = list(collected.errors)
    scanned: list[ScanResult] = []
    if collected.targets:
        scanned, _, scan_errors = scan(collected.targets, options, progress)
        errors.extend(scan_errors)
    declared, inventory_errors = inventory(collected.lockfiles)
    errors.extend(inventory_errors)
    results = [*scanned, *declared]
    try:
        results, audit_errors = audit(results, context)
        errors.extend(audit_errors)
    except Error as exc:
        errors.append(ScanError(reference=exc.reference, message=exc.message))
    return results, summarize(results, time.perf_counter() - started), errors
