"""``depvet check``: vet the release pip would install for each requirement, without installing.

For each requirement: read the project's page, pick the file pip would
(:mod:`depvet.index.select`), download it into the vault with its hash
checked, scan it, and apply the policy (release age, yanked state,
advisories, verdict). When the policy refuses only because the release is
too new, the report also names the newest release old enough.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from depvet.errors import Error, NetworkError
from depvet.gate.vetter import Fetched, Vetter
from depvet.index.client import IndexClient
from depvet.index.select import choose
from depvet.index.simple import IndexFile
from depvet.index.vault import StoredVerdict
from depvet.model import AdvisoryMatch, PackageRef
from depvet.net import Http
from depvet.policy import Action, Decision
from depvet.policy.decide import advisory_severity
from depvet.sources.lockfiles.interface import LockfileError
from depvet.sources.lockfiles.requirements import RequirementsParser

__all__ = ["CheckItem", "check", "read_requirements"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Wanted:
    """One requirement to check, and where it was written."""

    requirement: Requirement
    origin: str  # "command line" or file:line


@dataclass(slots=True, kw_only=True)
class CheckItem:
    """What ``check`` found for one requirement."""

    requested: str
    origin: str
    project: str
    version: str | None = None
    file: IndexFile | None = None
    sha256: str | None = None
    decision: Decision | None = None
    verdict: StoredVerdict | None = None
    advisories: tuple[AdvisoryMatch, ...] = ()
    newest_allowed: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """True when the policy lets this requirement install."""
        return self.error is None and self.decision is not None and self.decision.allowed

    def to_json(self) -> dict[str, Any]:
        """The item in ``depvet check --format json``."""
        return {
            "requested": self.requested,
            "origin": self.origin,
            "project": self.project,
            "version": self.version,
            "file": self.file.filename if self.file else None,
            "url": self.file.url if self.file else None,
            "sha256": self.sha256,
            "upload_time": (
                self.file.upload_time.isoformat() if self.file and self.file.upload_time else None
            ),
            "action": (
                "error" if self.error else self.decision.action.value if self.decision else None
            ),
            "reasons": [
                {"code": r.code, "text": r.text}
                for r in (self.decision.reasons if self.decision else ())
            ],
            "notes": [*self.notes, *(self.decision.notes if self.decision else ())],
            "newest_allowed": self.newest_allowed,
            "advisories": [
                {
                    "id": a.id,
                    "malicious": a.malicious,
                    "severity": advisory_severity(a),
                    "fixed": list(a.fixed),
                }
                for a in self.advisories
            ],
            "scan": self.verdict.result if self.verdict else None,
            "error": self.error,
        }


def read_requirements(
    specs: Sequence[str], files: Sequence[Path]
) -> tuple[list[Wanted], list[str]]:
    """Requirements from the command line and from requirements files; and what was not read."""
    wanted: list[Wanted] = []
    problems: list[str] = []
    for spec in specs:
        try:
            wanted.append(Wanted(requirement=Requirement(spec), origin="command line"))
        except InvalidRequirement as exc:
            problems.append(f"{spec!r}: not a requirement ({exc})")
    parser = RequirementsParser()
    for path in files:
        try:
            parsed = parser.parse(path, str(path))
        except LockfileError as exc:
            problems.append(exc.message)
            continue
        for warning in parsed.warnings:
            problems.append(f"{warning.source}:{warning.line}: {warning.message}")
        for ref in parsed.refs:
            item = _from_ref(ref)
            if isinstance(item, str):
                problems.append(item)
            else:
                wanted.append(item)
    return wanted, problems


def _from_ref(ref: PackageRef) -> Wanted | str:
    where = f"{ref.source}:{ref.line}" if ref.line else ref.source
    if ref.url:
        return f"{where}: {ref.name} comes from {ref.url}, not from the index; not checked"
    spec = f"=={ref.version}" if ref.version else ref.specifier
    text = f"{ref.name}{spec}" + (f"; {ref.markers}" if ref.markers else "")
    try:
        return Wanted(requirement=Requirement(text), origin=where)
    except InvalidRequirement as exc:
        return f"{where}: {text!r} is not a requirement ({exc})"


def _old_enough(vetter: Vetter, project: str, now: dt.datetime, file: IndexFile) -> bool:
    return vetter.decide(project, file, now=now).allowed


def check(
    wanted: Sequence[Wanted],
    *,
    vetter: Vetter,
    client: IndexClient,
    http: Http,
    now: dt.datetime | None = None,
) -> list[CheckItem]:
    """Vet each requirement; errors stay with their item and the others go on."""
    now = now or dt.datetime.now(dt.UTC)
    items: list[CheckItem] = []
    fetched: list[tuple[CheckItem, Fetched]] = []
    for want in wanted:
        req = want.requirement
        item = CheckItem(
            requested=str(req), origin=want.origin, project=str(canonicalize_name(req.name))
        )
        items.append(item)
        if req.marker is not None and not req.marker.evaluate():
            item.notes.append(f"skipped: marker {req.marker} is false here")
            item.decision = Decision(action=Action.ALLOW)
            continue
        try:
            page = client.project(req.name)
        except Error as exc:
            item.error = exc.message
            continue
        choice = choose(page, req)
        if choice.file is None:
            item.error = f"{item.project}: {choice.why_none}"
            continue
        item.version, item.file = choice.version, choice.file
        item.advisories = vetter.advisories(item.project, [choice.version or ""]).get(
            choice.version or "", ()
        )
        try:
            got = vetter.fetch(http, choice.file)
        except NetworkError as exc:
            item.error = exc.message
            continue
        item.sha256 = got.sha256
        if not got.index_gave_hash:
            item.notes.append("the index gives no sha256 for this file; computed on download")
        if choice.file.yanked:
            why = f": {choice.file.yanked_reason}" if choice.file.yanked_reason else ""
            item.notes.append(f"yanked from the index{why}")
        fetched.append((item, got))
        if not vetter.decide(item.project, choice.file, now=now).allowed:
            older = choose(page, req, keep=partial(_old_enough, vetter, item.project, now))
            item.newest_allowed = older.version
    verdicts = vetter.verdicts([(got, item.file.filename) for item, got in fetched if item.file])
    for item, got in fetched:
        assert item.file is not None
        item.verdict = verdicts.get(got.sha256)
        item.decision = vetter.decide(
            item.project, item.file, item.advisories, item.verdict, now=now
        )
    return items
