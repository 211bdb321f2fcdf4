"""The known-bad stage of the pipeline: what the advisory store, the embedded
feed and (online) the package index know about each scanned package.

It runs in the parent process after the detectors, with one batched query
for all packages, and re-judges each package with the findings it adds.
Packages from lockfiles and requirement files enter the pipeline here too:
they have no files to read, only a name, a version and where they were
declared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from depvet.advisories.store import AdvisoryStore
from depvet.detectors import registry
from depvet.detectors.interface import PackageFacts
from depvet.detectors.known import KnownBadDetector
from depvet.errors import Error
from depvet.model import AdvisoryMatch, PinKind, ScanError, ScanResult
from depvet.pypi import OnlineStatus, PyPI
from depvet.sources.lockfiles.interface import LockfileError, ParsedLockfile
from depvet.verdict import judge


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditContext:
    """Where known-bad knowledge comes from for one run."""

    store: AdvisoryStore | None
    pypi: PyPI | None = None  # set with --online


def inventory_results(parsed: ParsedLockfile) -> list[ScanResult]:
    """One result per dependency a lockfile or requirements file declares."""
    results = []
    for ref in parsed.refs:
        results.append(
            ScanResult(
                artifact=parsed.source,
                kind="lockfile",
                name=ref.name,
                version=ref.version if ref.pin is PinKind.EXACT else None,
                verdict=judge((), {}, readable=True).verdict,
                score=0,
                declared=ref,
            )
        )
    return results


def lockfile_error_result(display: str, error: LockfileError | Error) -> ScanResult:
    """A result standing for a lockfile that could not be parsed at all."""
    return ScanResult(
        artifact=display,
        kind="lockfile",
        name=None,
        version=None,
        verdict=judge((), {}, readable=False).verdict,
        score=0,
        errors=(ScanError(reference=error.reference, message=error.message),),
    )


def _merge(found: Iterable[AdvisoryMatch]) -> tuple[AdvisoryMatch, ...]:
    """One match per advisory, where the store and the index name the same one."""
    merged: list[AdvisoryMatch] = []
    for advisory in found:
        names = {advisory.id, *advisory.aliases}
        if any(names & {m.id, *m.aliases} for m in merged):
            continue
        merged.append(advisory)
    return tuple(merged)


def audit(
    results: Sequence[ScanResult], context: AuditContext
) -> tuple[list[ScanResult], list[ScanError]]:
    """Add advisories, index state and their findings to each result, and re-judge it."""
    errors: list[ScanError] = []
    pins = list(dict.fromkeys((r.name, r.version) for r in results if r.name and r.version))
    matches: dict[tuple[str, str], list[AdvisoryMatch]] = {}
    if context.store is not None and pins:
        try:
            matches = context.store.match(pins)
        except Error as exc:
            errors.append(ScanError(reference=exc.reference, message=exc.message))
    online: dict[tuple[str, str], OnlineStatus] = {}
    if context.pypi is not None and pins:
        online = context.pypi.statuses(pins)
    detector = KnownBadDetector()
    rules = registry.rule_by_id()
    audited = []
    for result in results:
        key = (result.name or "", result.version or "")
        status = online.get(key)
        advisories = _merge([*matches.get(key, ()), *(status.vulnerabilities if status else ())])
        declared = result.declared
        facts = PackageFacts(
            name=result.name,
            version=result.version,
            kind=result.kind,
            paths=(),
            advisories=advisories,
            index_state=status.state if status else None,
            yanked_reason=status.yanked_reason if status else None,
            pin=declared.pin if declared else None,
            specifier=(declared.specifier or declared.url or "") if declared else "",
        )
        added = list(detector.scan_package(facts))
        extra_errors: tuple[ScanError, ...] = ()
        if status is not None and status.error:
            extra_errors = (ScanError(reference="online-check-incomplete", message=status.error),)
        if not added and not advisories and not extra_errors:
            audited.append(result)
            continue
        findings = (*result.findings, *added)
        readable = result.files > 0 or result.kind == "lockfile"
        judgement = judge(findings, rules, readable=readable)
        audited.append(
            replace(
                result,
                findings=findings,
                advisories=advisories,
                verdict=judgement.verdict,
                score=judgement.score,
                decided_by=judgement.decided_by,
                errors=(*result.errors, *extra_errors),
            )
        )
    return audited, errors


def open_store(url: str | None) -> tuple[AdvisoryStore | None, list[ScanError]]:
    """The advisory store with the embedded feed loaded, or None and why not."""
    store = AdvisoryStore(url)
    try:
        store.ensure_feed()
    except Error as exc:
        store.close()
        return None, [ScanError(reference=exc.reference, message=exc.message)]
    return store, []
