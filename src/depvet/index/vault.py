"""A content-addressed store of distribution files and their scan results.

``files/ab/abcd…/<filename>`` holds a file under its sha256, written
atomically once its hash was checked; ``verdicts/ab/abcd….json`` holds the
JSON result of scanning it with one rule set. A result made by another rule
set does not count: the file is scanned again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from depvet.model import ScanError, Verdict, incomplete_reason

__all__ = ["StoredVerdict", "Vault"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredVerdict:
    """What scanning one file found, as kept in the vault."""

    sha256: str
    filename: str
    ruleset: str
    verdict: Verdict
    decided_by: tuple[str, ...]
    scanned_at: str
    result: dict[str, Any]  # the result object of the JSON report (docs/JSON.md)

    def to_json(self) -> dict[str, Any]:
        """The stored document."""
        return {
            "sha256": self.sha256,
            "filename": self.filename,
            "ruleset": self.ruleset,
            "verdict": self.verdict.value,
            "decided_by": list(self.decided_by),
            "scanned_at": self.scanned_at,
            "result": self.result,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> StoredVerdict:
        """Read a stored document back (KeyError/ValueError when it is not one)."""
        return cls(
            sha256=str(document["sha256"]),
            filename=str(document["filename"]),
            ruleset=str(document["ruleset"]),
            verdict=Verdict(document["verdict"]),
            decided_by=tuple(str(r) for r in document["decided_by"]),
            scanned_at=str(document["scanned_at"]),
            result=dict(document["result"]),
        )

    @classmethod
    def from_result(
        cls, sha256: str, filename: str, ruleset: str, result: dict[str, Any]
    ) -> StoredVerdict:
        """A verdict for a JSON result object just made."""
        return cls(
            sha256=sha256,
            filename=filename,
            ruleset=ruleset,
            verdict=Verdict(result["verdict"]),
            decided_by=tuple(result.get("decided_by", ())),
            scanned_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            result=result,
        )

    @property
    def incomplete(self) -> str | None:
        """Why the scan did not read or analyse all of the file; None if it did."""
        return incomplete_reason(
            ScanError(
                reference=str(error.get("reference")),
                message=str(error.get("message") or error.get("reference")),
                path=error.get("path"),
            )
            for error in self.result.get("errors", ())
        )


class Vault:
    """Files and verdicts under ``root``; nothing is written until something is stored."""

    def __init__(self, root: Path) -> None:
        """Cheap: touches no disk."""
        self.root = root

    def _file_dir(self, sha256: str) -> Path:
        return self.root / "files" / sha256[:2] / sha256

    def path(self, sha256: str, filename: str) -> Path | None:
        """Where the file is, if it is stored."""
        path = self._file_dir(sha256.lower()) / _safe(filename)
        return path if path.is_file() else None

    def put_file(self, sha256: str, filename: str, source: Path) -> Path:
        """Move ``source`` (already hash-checked) into the store."""
        folder = self._file_dir(sha256.lower())
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _safe(filename)
        source.replace(target)
        return target

    def staging(self) -> Path:
        """A folder on the same file system for downloads in progress."""
        folder = self.root / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def verdict(self, sha256: str, ruleset: str) -> StoredVerdict | None:
        """The stored verdict for this file and rule set, if there is one."""
        path = self.root / "verdicts" / sha256[:2] / f"{sha256.lower()}.json"
        try:
            stored = StoredVerdict.from_json(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return stored if stored.ruleset == ruleset else None

    def put_verdict(self, verdict: StoredVerdict) -> None:
        """Keep ``verdict`` (atomically)."""
        folder = self.root / "verdicts" / verdict.sha256[:2]
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".verdict.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(verdict.to_json(), handle)
        Path(tmp).replace(folder / f"{verdict.sha256.lower()}.json")


def _safe(filename: str) -> str:
    """A file name that stays in its folder, whatever the index called it."""
    name = filename.replace("/", "_").replace("\\", "_").replace("\0", "_")
    return name if name not in ("", ".", "..") else "artifact"


def sha256_of(path: Path) -> str:
    """The file's sha256 in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
