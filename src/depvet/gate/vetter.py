"""Vet distribution files from an index: fetch, check the hash, scan, apply the policy.

Shared by ``depvet check`` (synchronous, many files at once) and the proxy
(one file per request, scanned in a worker process). Files and scan results
live in a :class:`~depvet.index.vault.Vault`, so a file is downloaded and
scanned once per rule set whoever asks for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from depvet.advisories.store import AdvisoryStore
from depvet.detectors import registry
from depvet.index.simple import IndexFile
from depvet.index.vault import StoredVerdict, Vault, sha256_of
from depvet.model import AdvisoryMatch, Target, TargetKind
from depvet.net import Http
from depvet.policy import Decision, FileFacts, Policy, decide
from depvet.report.json import result_object
from depvet.scan import ScanOptions, scan

__all__ = ["MAX_DOWNLOAD", "Fetched", "Vetter", "scan_file"]

MAX_DOWNLOAD = 2048 * 1024 * 1024  # the largest distribution file fetched (PyPI allows ~1 GB)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """A file in the vault, its hash checked against the index's."""

    sha256: str
    path: Path
    index_gave_hash: bool


class Vetter:
    """The policy, the vault, the advisory store and the scanner, used together."""

    def __init__(
        self,
        policy: Policy,
        vault: Vault,
        *,
        store: AdvisoryStore | None,
        options: ScanOptions,
    ) -> None:
        """Cheap: opens nothing until asked."""
        self.policy = policy
        self.vault = vault
        self.store = store
        self.options = options
        self.ruleset = registry.ruleset_version()

    def advisories(
        self, project: str, versions: Iterable[str]
    ) -> dict[str, tuple[AdvisoryMatch, ...]]:
        """Advisories per version of ``project`` (empty when there is no store)."""
        wanted = list(dict.fromkeys(versions))
        if self.store is None or not wanted:
            return {}
        found = self.store.match((project, version) for version in wanted)
        return {version: tuple(found.get((project, version), ())) for version in wanted}

    def decide(
        self,
        project: str,
        file: IndexFile,
        advisories: Sequence[AdvisoryMatch] = (),
        verdict: StoredVerdict | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> Decision:
        """The policy's decision on ``file``, with its scan verdict when there is one."""
        facts = FileFacts(
            project=project,
            version=file.version,
            filename=file.filename,
            upload_time=file.upload_time,
            yanked=file.yanked,
            yanked_reason=file.yanked_reason,
            advisories=tuple(advisories),
            verdict=verdict.verdict if verdict else None,
            decided_by=verdict.decided_by if verdict else (),
            incomplete=verdict.incomplete if verdict else None,
        )
        return decide(self.policy, facts, now=now)

    def fetch(self, http: Http, file: IndexFile) -> Fetched:
        """The file from the vault, else downloaded into it; NetworkError on a wrong hash."""
        expected = file.sha256
        if expected:
            stored = self.vault.path(expected, file.filename)
            if stored is not None:
                return Fetched(sha256=expected, path=stored, index_gave_hash=True)
        staging = self.vault.staging() / f"{os.getpid()}-{file.filename.replace('/', '_')}"
        http.download(file.url, staging, max_bytes=MAX_DOWNLOAD, sha256=expected)
        digest = expected or sha256_of(staging)
        path = self.vault.put_file(digest, file.filename, staging)
        return Fetched(sha256=digest, path=path, index_gave_hash=expected is not None)

    def verdicts(self, fetched: Sequence[tuple[Fetched, str]]) -> dict[str, StoredVerdict]:
        """Scan every (file, filename) not yet scanned with this rule set; all their verdicts."""
        found: dict[str, StoredVerdict] = {}
        todo: list[tuple[Fetched, str]] = []
        for item, filename in fetched:
            stored = self.vault.verdict(item.sha256, self.ruleset)
            if stored is not None:
                found[item.sha256] = stored
            elif item.sha256 not in {t.sha256 for t, _ in todo}:
                todo.append((item, filename))
        if todo:
            targets = [
                Target(kind=TargetKind.FILE, path=item.path, display=name) for item, name in todo
            ]
            results, _summary, _errors = scan(targets, self.options)
            for (item, filename), result in zip(todo, results, strict=True):
                verdict = StoredVerdict.from_result(
                    item.sha256, filename, self.ruleset, result_object(result)
                )
                self._keep(verdict)
                found[item.sha256] = verdict
        return found

    def _keep(self, verdict: StoredVerdict) -> None:
        # An unwritable vault costs a rescan later, not this answer.
        with contextlib.suppress(OSError):
            self.vault.put_verdict(verdict)


def scan_file(path: str, filename: str, sha256: str, cache_dir: str | None) -> StoredVerdict:
    """Scan one stored file in this process (the proxy's worker processes call this)."""
    options = ScanOptions(jobs=1, cache_dir=Path(cache_dir) if cache_dir else None)
    target = Target(kind=TargetKind.FILE, path=Path(path), display=filename)
    results, _summary, _errors = scan([target], options)
    return StoredVerdict.from_result(
        sha256, filename, registry.ruleset_version(), result_object(results[0])
    )
