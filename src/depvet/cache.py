"""Content-addressed cache of per-file findings.

Keyed by (sha256 of the file's bytes, the file's role, the rule-set
version): the second scan of an environment, or the hundredth venv holding
the same numpy, costs a hash and a lookup. Workers read; only the parent
process writes, in one transaction per artifact, so there is no write
contention. The cache lives in the user cache folder and nowhere else.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from depvet.errors import CacheError
from depvet.model import Finding, RuleKind, Scope, Severity

SCHEMA = """
CREATE TABLE IF NOT EXISTS file_findings (
    key TEXT PRIMARY KEY,
    findings TEXT NOT NULL
) WITHOUT ROWID
"""


def default_cache_dir() -> Path:
    """``$DEPVET_CACHE_DIR``, else the platform's user cache folder for depvet."""
    override = os.environ.get("DEPVET_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("depvet"))


def cache_key(sha256: str, role: str, ruleset: str, name: str = "") -> str:
    """The key of one file's result.

    The file's name is part of it: some rules read the name as well as the
    bytes (a suffix, ``__main__.py``, an indicator file name), so the same
    bytes under another name may find something else.
    """
    return f"{sha256}:{role}:{ruleset}:{name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CachedFinding:
    """A finding without its path: the same bytes may sit at many paths."""

    rule: str
    severity: int
    kind: str
    line: int | None
    message: str
    evidence: str
    scope: str

    def at(self, path: str) -> Finding:
        """The finding placed at ``path``."""
        return Finding(
            rule=self.rule,
            severity=Severity(self.severity),
            kind=RuleKind(self.kind),
            path=path,
            line=self.line,
            message=self.message,
            evidence=self.evidence,
            scope=Scope(self.scope),
        )


def encode(findings: Sequence[Finding]) -> str:
    """Serialise findings for storage, dropping their paths."""
    return json.dumps(
        [
            [f.rule, int(f.severity), str(f.kind), f.line, f.message, f.evidence, str(f.scope)]
            for f in findings
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(text: str) -> list[CachedFinding]:
    """The inverse of :func:`encode`."""
    return [
        CachedFinding(rule=r, severity=s, kind=k, line=ln, message=m, evidence=e, scope=sc)
        for r, s, k, ln, m, e, sc in json.loads(text)
    ]


class ResultCache:
    """The SQLite file holding cached per-file findings."""

    def __init__(self, directory: Path) -> None:
        """Remember where the cache lives; nothing is opened until it is used."""
        self.path = directory / "file-findings.sqlite3"
        self._reader: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None

    def _connect(self, *, write: bool) -> sqlite3.Connection:
        try:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(SCHEMA)
                return conn
            return sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, timeout=30)
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"cannot open the cache at {self.path}: {exc}") from exc

    def get(self, key: str) -> list[CachedFinding] | None:
        """Cached findings for ``key``, or None on a miss or an unusable cache."""
        if not self.path.exists():
            return None
        try:
            if self._reader is None:
                self._reader = self._connect(write=False)
            row = self._reader.execute(
                "SELECT findings FROM file_findings WHERE key = ?", (key,)
            ).fetchone()
            return decode(row[0]) if row else None
        except (sqlite3.Error, CacheError, ValueError, TypeError):
            return None

    def put_many(self, entries: Iterable[tuple[str, str]]) -> None:
        """Store (key, encoded findings) pairs in one transaction."""
        rows = list(entries)
        if not rows:
            return
        if self._writer is None:
            self._writer = self._connect(write=True)
        try:
            with self._writer:
                self._writer.executemany(
                    "INSERT OR REPLACE INTO file_findings (key, findings) VALUES (?, ?)", rows
                )
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the cache at {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close any open connection."""
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.close()
        self._reader = self._writer = None
