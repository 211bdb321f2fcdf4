"""The pipeline: targets → artifacts → files → detectors → findings → verdicts.

Each target is scanned in a worker process (one task per package); per-file
findings come from the content-addressed cache when the same bytes were
seen before with the same rules. Nothing a worker reads is executed or
written anywhere; the parent alone writes the cache.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import TypeGuard

from packaging.utils import canonicalize_name

from depvet.artifacts.layout import (
    SITE_LAYOUT,
    relative_path,
    role_of,
    source_only_folder,
    tooling_folders,
)
from depvet.artifacts.metadata import NameVersion, metadata_rank, name_from_filename, parse_metadata
from depvet.artifacts.registry import open_artifact
from depvet.artifacts.safety import Budget
from depvet.cache import ResultCache, cache_key, encode
from depvet.detectors import registry
from depvet.detectors.install_reach import (
    imported_folders,
    is_test_file,
    promote,
    run_by_setup,
)
from depvet.detectors.interface import Detector, Expander, PackageFacts
from depvet.detectors.pysource import shared_parses
from depvet.errors import ArtifactError, CacheError, DetectorError
from depvet.files import FileRole, FileView
from depvet.limits import Limits
from depvet.model import (
    Finding,
    IntegrityProblem,
    ScanError,
    ScanResult,
    ScanSummary,
    Target,
    TargetKind,
    Verdict,
)
from depvet.verdict import judge


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    """How to scan: limits, parallelism and where the cache lives (None: no cache)."""

    limits: Limits = field(default_factory=Limits)
    jobs: int = 0  # 0: one worker per CPU
    cache_dir: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What a worker sends back: the result and the cache entries it computed."""

    result: ScanResult
    new_cache_entries: tuple[tuple[str, str], ...] = ()


class FileTimeout(Exception):
    """A file used up its detector time budget."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise FileTimeout


def _can_time() -> bool:
    """Timers are signals: only on POSIX, and only the main thread receives them."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


_handler_installed = False  # True inside alarm_handler(): time_budget only sets the timer


@contextlib.contextmanager
def alarm_handler() -> Iterator[None]:
    """Keep the file-timeout handler installed for the block (one package's files).

    Installing a signal handler costs more than arming a timer; with many small
    files, doing both for each file was a noticeable part of a scan.
    """
    global _handler_installed
    if _handler_installed or not _can_time():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _handler_installed = True
    try:
        yield
    finally:
        _handler_installed = False
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise FileTimeout in the block after ``seconds`` (main thread of a POSIX process only)."""
    if seconds <= 0 or not _can_time():
        yield
        return
    with alarm_handler():  # already installed for a package's files: nothing to do
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


# Parsing makes millions of syntax-tree nodes that live as long as their file's
# scan. With the collector's default, a young collection every 700 new objects,
# and the older generations (the detectors' tables among them) traversed again
# and again, collecting took about a sixth of a scan.
COLLECT_AFTER = 20_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often in the block; what exists when it starts is not traversed.

    The process's collector settings are restored on the way out (a process that
    froze objects itself keeps them frozen, and nothing more is). Cyclic garbage is
    still collected, every :data:`COLLECT_AFTER` new objects instead of 700.
    """
    previous = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(COLLECT_AFTER, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        if freeze:
            gc.unfreeze()


_worker_cache: dict[Path, ResultCache] = {}
# Roles of a source tree's files whose imports make a tools folder code.
_IMPORTERS = (FileRole.PYTHON, FileRole.SETUP)


def _reader(cache_dir: Path | None) -> ResultCache | None:
    if cache_dir is None:
        return None
    if cache_dir not in _worker_cache:
        _worker_cache[cache_dir] = ResultCache(cache_dir)
    return _worker_cache[cache_dir]


def _run_detectors(
    file: FileView, detectors: Sequence[Detector], seconds: float
) -> tuple[list[Finding], ScanError | None]:
    findings: list[Finding] = []
    try:
        with time_budget(seconds), shared_parses():
            for detector in detectors:
                findings.extend(detector.scan(file))
            for detector in detectors:
                if _is_expander(detector):
                    findings.extend(_scan_decoded(detector, file))
    except FileTimeout:
        return findings, ScanError(
            reference="file-timeout",
            message=f"detectors ran out of their {seconds:g} s budget; partly scanned",
            path=file.path,
        )
    except DetectorError as exc:
        return findings, ScanError(reference=exc.reference, message=exc.message, path=file.path)
    except (RecursionError, MemoryError, ValueError) as exc:
        return findings, ScanError(
            reference="detector-failed",
            message=f"a detector failed on this file: {type(exc).__name__}",
            path=file.path,
        )
    return findings, None


_EXPANDERS: dict[int, bool] = {}


def _is_expander(detector: Detector) -> TypeGuard[Expander]:
    """isinstance() against a runtime Protocol is slow; detectors live for the process."""
    known = _EXPANDERS.get(id(detector))
    if known is None:
        known = _EXPANDERS[id(detector)] = isinstance(detector, Expander)
    return known


def _scan_decoded(expander: Expander, file: FileView) -> Iterator[Finding]:
    """Findings in the content an expander decoded, placed at the blob they came from."""
    others = [d for d in registry.detectors() if not _is_expander(d)]
    for decoded in expander.expand(file):
        how = " → ".join(decoded.chain)
        for detector in others:
            if not detector.wants(decoded.view):
                continue
            for finding in detector.scan(decoded.view):
                yield replace(
                    finding,
                    line=decoded.line,
                    message=f"{finding.message} (in code decoded by {how})",
                )


_SeenKey = tuple[bytes, FileRole, str, bool, tuple[Detector, ...]]


class SeenFiles:
    """Findings of the files a process has scanned, for packages that repeat a file.

    Packages repeat one another's files: vendored modules, empty ``__init__.py``,
    the many versions of one project in a lockfile or of one campaign's uploads.
    What the detectors report depends only on a file's bytes, role and name (its
    path only fills in where findings point), so a file met again with all three
    the same, for the same detectors, is not scanned again. Only scans that ended
    without an error are kept, the last ``size`` of them.
    """

    def __init__(self, size: int = 8192) -> None:
        """Keep at most ``size`` files' findings."""
        self.size = size
        self._found: dict[_SeenKey, tuple[str, tuple[Finding, ...]]] = {}

    @staticmethod
    def key(view: FileView, digest: bytes, detectors: Sequence[Detector]) -> _SeenKey:
        """What must be equal for two files to get the same findings."""
        return (digest, view.role, view.name, view.truncated, tuple(detectors))

    def get(self, key: _SeenKey, path: str) -> list[Finding] | None:
        """The findings of the file seen with ``key``, placed at ``path``; None if unseen."""
        entry = self._found.get(key)
        if entry is None:
            return None
        first, found = entry
        return [replace(f, path=path) if f.path == first else f for f in found]

    def put(self, key: _SeenKey, path: str, found: Sequence[Finding]) -> None:
        """Remember the findings of the file at ``path``, dropping the oldest beyond size."""
        if len(self._found) >= self.size:
            del self._found[next(iter(self._found))]
        self._found[key] = (path, tuple(found))

    def clear(self) -> None:
        """Forget every file."""
        self._found.clear()


_seen = SeenFiles()


def scan_target(target: Target, options: ScanOptions) -> Outcome:
    """Scan one package. Never raises for bad input: problems become result errors."""
    detectors = registry.detectors()
    ruleset = registry.ruleset_version()
    cache = _reader(options.cache_dir)
    budget = Budget(limits=options.limits, display=target.display)
    findings: list[Finding] = []
    new_entries: list[tuple[str, str]] = []
    kind = {"installed": "installed", "loose": "loose", "directory": "directory"}.get(
        target.kind.value, "unknown"
    )
    meta: tuple[int, str, bytes] | None = None
    integrity: list[IntegrityProblem] = []
    files = size = cached = 0
    paths: list[str] = []
    setup_source: bytes | None = None
    python_files: dict[str, str] = {}  # path relative to the tree root → member path
    # Python files not scanned (tests, docs, tools) → the tools-like folder that kept them out.
    auxiliary: dict[str, str | None] = {}
    imported: set[str] = set()  # tools-like folders the scanned code imports from
    # Scripts below a tools-like or vendored folder, kept out while no folder on their
    # path is a package (see tooling_folders), and the folders holding an __init__.py.
    tooling: dict[str, frozenset[str]] = {}
    packages: set[str] = set()
    fatal: ScanError | None = None
    try:
        with open_artifact(target, budget) as artifact:
            kind = artifact.kind
            for member in artifact.members():
                files += 1
                paths.append(member.path)
                size += len(member.data)
                rank = metadata_rank(member.container, member.path)
                if rank is not None and (meta is None or rank < meta[0]):
                    meta = (rank, member.path, member.data)
                role = role_of(member.container, member.path)
                folder, _, name = member.path.rpartition("/")
                if name == "__init__.py":
                    packages.add(folder)
                if role is FileRole.PYTHON:
                    folders = tooling_folders(member.container, member.path)
                    if folders is not None and folders.isdisjoint(packages):
                        role = FileRole.AUXILIARY
                        tooling[member.path] = folders
                if member.path.endswith(".py"):
                    python_files[relative_path(member.container, member.path)] = member.path
                if role is FileRole.SETUP and setup_source is None:
                    setup_source = member.data
                elif role is FileRole.AUXILIARY:
                    auxiliary[member.path] = source_only_folder(member.container, member.path)
                if (
                    role in _IMPORTERS
                    and member.container not in SITE_LAYOUT
                    and not is_test_file(member.path.rsplit("/", 1)[-1])
                ):
                    imported |= imported_folders(member.data)
                content = hashlib.sha256(member.data)
                view = FileView(
                    path=member.path,
                    role=role,
                    data=member.data,
                    truncated=member.truncated,
                    sha256=content.hexdigest(),
                )
                wanted = [d for d in detectors if d.wants(view)]
                if not wanted:
                    continue
                key = None
                if cache is not None:
                    key = cache_key(view.sha256, role.value, ruleset, view.name)
                    hit = cache.get(key)
                    if hit is not None:
                        cached += 1
                        findings.extend(c.at(member.path) for c in hit)
                        continue
                seen_key = _seen.key(view, content.digest(), wanted)
                seen = _seen.get(seen_key, member.path)
                if seen is not None:
                    findings.extend(seen)
                    continue
                found, error = _run_detectors(view, wanted, options.limits.file_seconds)
                findings.extend(found)
                if error is not None:
                    budget.errors.append(error)
                    continue
                _seen.put(seen_key, member.path, found)
                if key is not None:
                    new_entries.append((key, encode(found)))
            integrity = artifact.integrity
    except ArtifactError as exc:
        fatal = ScanError(reference=exc.reference, message=exc.message)
    names = _name_version(target, meta)
    reached = run_by_setup(setup_source, python_files) if setup_source is not None else set()
    # Skipped files that are code after all: run by setup.py, imported by the
    # package or setup.py (import tools.helper), or the package itself when it
    # is named like a tools folder (a project called "tools").
    own = _folder_name(names.name)
    code = {
        path
        for path, folder in auxiliary.items()
        if path in reached
        or (folder is not None and (folder in imported or folder == own))
        or not tooling.get(path, frozenset()).isdisjoint(packages)  # a package read later
    }
    if code:
        # Read again as code, every detector reports on them: drop what the first
        # reading found (a known-bad hash or name), or it would be reported twice.
        findings = [f for f in findings if f.path not in code]
        found, problems = _scan_as_code(target, options, code)
        findings.extend(found)
        budget.errors.extend(problems)
    findings = promote(findings, reached)
    errors = [*budget.errors, *([fatal] if fatal else [])]
    digest = _file_sha256(target.path) if target.kind is TargetKind.FILE and files else None
    facts = PackageFacts(
        # Loose files are no package: their file name is no package name to judge.
        name=names.name if target.kind is not TargetKind.LOOSE else None,
        version=names.version if target.kind is not TargetKind.LOOSE else None,
        kind=kind,
        paths=tuple(paths),
        integrity=tuple(integrity),
        sha256=digest,
    )
    for package_detector in registry.package_detectors():
        findings.extend(package_detector.scan_package(facts))
    judgement = judge(findings, registry.rule_by_id(), readable=files > 0)
    result = ScanResult(
        artifact=target.display,
        kind=kind,
        name=names.name,
        version=names.version,
        verdict=judgement.verdict,
        score=judgement.score,
        findings=tuple(findings),
        decided_by=judgement.decided_by,
        errors=tuple(errors),
        integrity=tuple(integrity),
        sha256=digest,
        files=files,
        bytes=size,
        cached_files=cached,
    )
    return Outcome(result=result, new_cache_entries=tuple(new_entries))


def _folder_name(name: str | None) -> str | None:
    """The import name a project called ``name`` most likely has (``my-tools`` → ``my_tools``)."""
    return canonicalize_name(name).replace("-", "_") if name else None


def _scan_as_code(
    target: Target, options: ScanOptions, paths: set[str]
) -> tuple[list[Finding], list[ScanError]]:
    """Scan the tests, docs or tools files at ``paths`` as package modules.

    Such files are skipped on the first reading (they are not installed, and
    nothing imports them); when they turn out to be code that runs, the artifact
    is read again for just these members. Findings in files setup.py runs are
    then judged as install-time code by :func:`promote`. Reading problems were
    reported by the first reading.
    """
    detectors = registry.detectors()
    findings: list[Finding] = []
    errors: list[ScanError] = []
    budget = Budget(limits=options.limits, display=target.display)
    with contextlib.suppress(ArtifactError), open_artifact(target, budget) as artifact:
        for member in artifact.members():
            if member.path not in paths:
                continue
            view = FileView(
                path=member.path,
                role=FileRole.PYTHON,
                data=member.data,
                truncated=member.truncated,
                sha256=hashlib.sha256(member.data).hexdigest(),
            )
            wanted = [d for d in detectors if d.wants(view)]
            found, error = _run_detectors(view, wanted, options.limits.file_seconds)
            findings.extend(found)
            errors.extend([error] if error is not None else [])
    return findings, errors


def _file_sha256(path: Path) -> str | None:
    """The sha256 of an artifact file, read in blocks; None if it cannot be read."""
    hasher = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
    except OSError:
        return None
    return hasher.hexdigest()


def _name_version(target: Target, meta: tuple[int, str, bytes] | None) -> NameVersion:
    parsed = parse_metadata(meta[1], meta[2]) if meta else NameVersion(name=None, version=None)
    if parsed.name and parsed.version:
        return parsed
    if target.kind is TargetKind.LOOSE:
        return NameVersion(name=parsed.name, version=parsed.version)
    guess = name_from_filename(target.path.name)
    return NameVersion(name=parsed.name or guess.name, version=parsed.version or guess.version)


def scan_target_safely(target: Target, options: ScanOptions) -> Outcome:
    """:func:`scan_target`, with a defect in depvet itself confined to this one package."""
    try:
        with fewer_collections(), alarm_handler():
            return scan_target(target, options)
    except Exception as exc:
        why = f"internal error in depvet: {type(exc).__name__}: {exc}"
        return Outcome(result=_crashed(target, why, reference="internal-error"))


def _crashed(target: Target, why: str, *, reference: str = "worker-died") -> ScanResult:
    return ScanResult(
        artifact=target.display,
        kind="unknown",
        name=None,
        version=None,
        verdict=Verdict.ERROR,
        score=0,
        errors=(ScanError(reference=reference, message=why),),
    )


def _worker_init() -> None:
    # Workers are interrupted through the parent; a stray Ctrl-C must not print 2 tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    registry.detectors()  # import and build the detectors once per worker


def scan(
    targets: Sequence[Target],
    options: ScanOptions,
    progress: Callable[[ScanResult], None] | None = None,
) -> tuple[list[ScanResult], ScanSummary, list[ScanError]]:
    """Scan every target; results come back in the order of ``targets``.

    Returns the results, a summary, and run-level errors (the cache could not
    be written, for example).
    """
    started = time.perf_counter()
    _seen.clear()  # workers start empty; a serial scan runs here, after earlier scans
    writer = ResultCache(options.cache_dir) if options.cache_dir is not None else None
    run_errors: list[ScanError] = []
    results: list[ScanResult | None] = [None] * len(targets)

    def accept(index: int, outcome: Outcome) -> None:
        nonlocal writer
        results[index] = outcome.result
        if writer is not None and outcome.new_cache_entries:
            try:
                writer.put_many(outcome.new_cache_entries)
            except CacheError as exc:
                run_errors.append(ScanError(reference=exc.reference, message=exc.message))
                writer = None
        if progress is not None:
            progress(outcome.result)

    jobs = options.jobs or os.cpu_count() or 1
    try:
        if jobs == 1 or len(targets) <= 1:
            for index, target in enumerate(targets):
                accept(index, scan_target_safely(target, options))
        else:
            _scan_parallel(targets, options, min(jobs, len(targets)), accept, results)
    finally:
        if writer is not None:
            writer.close()
    done = [r for r in results if r is not None]
    return done, summarize(done, time.perf_counter() - started), run_errors


def largest_first(targets: Sequence[Target]) -> list[int]:
    """Indexes of ``targets``, the largest artifact files first.

    Workers take targets in this order: a large package started last would keep
    one worker busy while the others have nothing left to do. Folders and
    installed distributions, whose size is not known without walking them, go
    last in their given order; so does a file that cannot be read.
    """

    def size(index: int) -> int:
        target = targets[index]
        if target.kind is not TargetKind.FILE:
            return -1
        try:
            return target.path.stat().st_size
        except OSError:
            return -1

    return sorted(range(len(targets)), key=lambda index: -size(index))


def _scan_parallel(
    targets: Sequence[Target],
    options: ScanOptions,
    jobs: int,
    accept: Callable[[int, Outcome], None],
    results: list[ScanResult | None],
) -> None:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_worker_init
    ) as pool:
        futures: dict[Future[Outcome], int] = {
            pool.submit(scan_target_safely, targets[index], options): index
            for index in largest_first(targets)
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                accept(index, future.result())
            except BrokenProcessPool:
                results[index] = _crashed(targets[index], "a scan worker died (out of memory?)")


def summarize(results: Sequence[ScanResult], seconds: float) -> ScanSummary:
    """Counts over a run's results."""
    by_verdict = {v.value: 0 for v in Verdict}
    for result in results:
        by_verdict[result.verdict.value] += 1
    return ScanSummary(
        artifacts=len(results),
        by_verdict=by_verdict,
        errors=sum(1 for r in results if r.errors),
        files=sum(r.files for r in results),
        bytes=sum(r.bytes for r in results),
        cached_files=sum(r.cached_files for r in results),
        seconds=round(seconds, 3),
    )
