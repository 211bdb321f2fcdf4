"""Does an advisory apply to a package version? OSV evaluation with PEP 440 order.

Follows the evaluation pseudo-code of the OSV schema: a version is affected
when it is listed in ``versions`` or lies inside any range. A range's events
are sorted by PEP 440 version (``introduced: "0"`` first) and replayed:
``introduced`` opens, ``fixed`` closes before its version, ``last_affected``
closes after its version, and ``limit`` events bound the whole range.

``ECOSYSTEM`` ranges (and ``SEMVER`` ones, whose order PEP 440 follows for
the versions PyPI accepts) are evaluated; ``GIT`` ranges need the repository
and are left to the ``versions`` list, which OSV requires alongside them. A
range with a version PEP 440 cannot read is dropped when compiled (the
import report says so); a queried version PEP 440 cannot read is only
compared, as text, with ``versions``.

Records that are aliases of each other (a PYSEC, a GHSA and a CVE for one
flaw) are merged into one :class:`~depvet.model.AdvisoryMatch`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from depvet.advisories.osv import Affected, EventKind, RangeType, Record
from depvet.model import AdvisoryMatch

EVALUATED_RANGE_TYPES = frozenset({RangeType.ECOSYSTEM.value, RangeType.SEMVER.value})
# Which id names a merged group: the PyPI-native databases first, then by text.
PREFERRED_PREFIXES = ("MAL-", "PYSEC-", "GHSA-", "DEPVET-")

CompiledEvent = tuple[str, str]  # (EventKind value, version text)
CompiledRange = tuple[CompiledEvent, ...]


@lru_cache(maxsize=1 << 16)
def parse_version(text: str) -> Version | None:
    """The PEP 440 version, or None when ``text`` is not one."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


@lru_cache(maxsize=1 << 17)
def version_key(text: str) -> str:
    """What equal versions share: canonical PEP 440 (``1.0.0`` → ``1``), else the text itself."""
    parsed = parse_version(text.strip())
    return canonicalize_version(parsed) if parsed is not None else text.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class AffectedSpec:
    """One package's affected versions in the form the store keeps and evaluates."""

    ranges: tuple[CompiledRange, ...] = ()
    versions: frozenset[str] = frozenset()  # version_key() of each listed version

    def to_json(self) -> tuple[list[list[list[str]]], list[str]]:
        """The (ranges, versions) JSON values of the store's affected row."""
        return [[list(e) for e in r] for r in self.ranges], sorted(self.versions)

    @classmethod
    def from_json(
        cls, ranges: Sequence[Sequence[Sequence[str]]], versions: Iterable[str]
    ) -> AffectedSpec:
        """The inverse of :meth:`to_json`."""
        return cls(
            ranges=tuple(tuple((e[0], e[1]) for e in r) for r in ranges),
            versions=frozenset(versions),
        )


def _sort_key(event: CompiledEvent) -> tuple[int, Version, int]:
    kind, text = event
    if kind == EventKind.INTRODUCED and text == "0":
        return (0, Version("0"), 0)
    parsed = parse_version(text)
    assert parsed is not None  # compile_affected only keeps parseable events
    # At one version an introduced event comes first, so that a fix at the same
    # version closes the range again: an empty range, never a one-version one.
    order = 0 if kind == EventKind.INTRODUCED else 1
    return (1, parsed, order)


def _evaluable(kind: str, text: str) -> bool:
    if kind == EventKind.INTRODUCED and text == "0":
        return True
    if kind == EventKind.LIMIT and "*" in text:
        return True
    return parse_version(text) is not None


def compile_affected(entry: Affected) -> tuple[AffectedSpec, list[str]]:
    """The evaluable form of one ``affected`` entry, and why any range was dropped."""
    problems: list[str] = []
    ranges: list[CompiledRange] = []
    for index, rng in enumerate(entry.ranges):
        if rng.type not in EVALUATED_RANGE_TYPES:
            continue
        events = [(e.kind.value, e.version) for e in rng.events]
        bad = [text for kind, text in events if not _evaluable(kind, text)]
        if bad:
            problems.append(
                f"ranges[{index}]: not PEP 440 version(s) {', '.join(map(repr, bad))}; "
                "only the versions list is used"
            )
            continue
        limits = tuple(e for e in events if e[0] == EventKind.LIMIT)
        ordered = sorted((e for e in events if e[0] != EventKind.LIMIT), key=_sort_key)
        ranges.append((*ordered, *limits))
    versions = frozenset(version_key(v) for v in entry.versions)
    return AffectedSpec(ranges=tuple(ranges), versions=versions), problems


def _before_limits(version: Version, events: CompiledRange) -> bool:
    limits = [text for kind, text in events if kind == EventKind.LIMIT]
    if not limits:
        return True
    for text in limits:
        bound = parse_version(text)
        if "*" in text or (bound is not None and version < bound):
            return True
    return False


def in_range(version: Version, events: CompiledRange) -> bool:
    """The OSV evaluation of one compiled (sorted) range."""
    if not _before_limits(version, events):
        return False
    vulnerable = False
    for kind, text in events:
        if kind == EventKind.INTRODUCED:
            bound = parse_version(text)
            if text == "0" or (bound is not None and version >= bound):
                vulnerable = True
        elif kind == EventKind.FIXED:
            bound = parse_version(text)
            if bound is not None and version >= bound:
                vulnerable = False
        elif kind == EventKind.LAST_AFFECTED:
            bound = parse_version(text)
            if bound is not None and version > bound:
                vulnerable = False
    return vulnerable


def _fixes(ranges: Iterable[CompiledRange], above: Version | None) -> list[str]:
    found = []
    for events in ranges:
        for kind, text in events:
            if kind != EventKind.FIXED:
                continue
            fixed = parse_version(text)
            if above is None or (fixed is not None and fixed > above):
                found.append(text)
    return found


def evaluate(spec: AffectedSpec, version: str) -> tuple[str, ...] | None:
    """None when ``version`` is not affected; else the fixed versions above it.

    The fixes come from the ranges that contain the version; a version
    affected only through the ``versions`` list gets the fixes of all ranges.
    """
    parsed = parse_version(version.strip())
    listed = version_key(version) in spec.versions
    containing = (
        [events for events in spec.ranges if in_range(parsed, events)] if parsed is not None else []
    )
    if containing:
        return tuple(_fixes(containing, parsed))
    if listed:
        return tuple(_fixes(spec.ranges, parsed))
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One record found to affect one package version, before aliases are merged."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    fixed: tuple[str, ...] = ()
    malicious: bool = False
    severity: str | None = None
    url: str | None = None


def id_rank(advisory_id: str) -> tuple[int, str]:
    """Sort key choosing the id a merged group is reported under."""
    for rank, prefix in enumerate(PREFERRED_PREFIXES):
        if advisory_id.startswith(prefix):
            return (rank, advisory_id)
    return (len(PREFERRED_PREFIXES), advisory_id)


def _fixed_order(text: str) -> tuple[int, Version | str]:
    parsed = parse_version(text)
    return (0, parsed) if parsed is not None else (1, text)


def merge_hits(hits: Iterable[Hit]) -> list[AdvisoryMatch]:
    """One match per group of records that name each other (or a common id) as aliases."""
    unique: dict[str, Hit] = {}
    for hit in hits:  # a record listing the package twice counts once, with both entries' fixes
        seen = unique.get(hit.id)
        if seen is not None:
            hit = replace(seen, fixed=tuple(dict.fromkeys((*seen.fixed, *hit.fixed))))
        unique[hit.id] = hit
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for hit in unique.values():
        for alias in hit.aliases:
            parent[find(alias)] = find(hit.id)
    groups: dict[str, list[Hit]] = {}
    for hit in unique.values():
        groups.setdefault(find(hit.id), []).append(hit)
    matches = [_merge_group(group) for group in groups.values()]
    matches.sort(key=lambda m: (not m.malicious, id_rank(m.id)))
    return matches


def _merge_group(group: list[Hit]) -> AdvisoryMatch:
    group.sort(key=lambda h: id_rank(h.id))
    first = group[0]
    names = {h.id for h in group} | {a for h in group for a in h.aliases}
    names.discard(first.id)
    fixed = {f for h in group for f in h.fixed}
    return AdvisoryMatch(
        id=first.id,
        aliases=tuple(sorted(names, key=id_rank)),
        summary=next((h.summary for h in group if h.summary), ""),
        fixed=tuple(sorted(fixed, key=_fixed_order)),
        malicious=any(h.malicious for h in group),
        severity=next((h.severity for h in group if h.severity), None),
        url=first.url or next((h.url for h in group if h.url), None),
    )


def hit_for(record: Record, *, fixed: tuple[str, ...], malicious: bool = False) -> Hit:
    """The :class:`Hit` of a record (details the match report needs from it)."""
    return Hit(
        id=record.id,
        aliases=record.aliases,
        summary=record.headline(),
        fixed=fixed,
        malicious=malicious or record.malicious,
        severity=record.severity[0].score if record.severity else None,
        url=advisory_url(record),
    )


def advisory_url(record: Record) -> str | None:
    """Where a reader learns more: osv.dev for ids it serves, else the record's own link."""
    if not record.id.startswith("DEPVET-"):
        return f"https://osv.dev/vulnerability/{record.id}"
    advisory = next((r.url for r in record.references if r.type == "ADVISORY"), None)
    return advisory or next((r.url for r in record.references), None)


def match_records(
    records: Iterable[Record], name: str, version: str, *, malicious: bool = False
) -> list[AdvisoryMatch]:
    """Match one package version against records held in memory (no store).

    ``malicious`` marks every hit as malicious (records from the known-bad feed).
    """
    wanted = canonicalize_name(name)
    hits = []
    for record in records:
        if record.withdrawn is not None:
            continue
        fixes: list[str] = []
        affected = False
        for entry in record.pypi_affected():
            assert entry.package is not None
            if canonicalize_name(entry.package.name) != wanted:
                continue
            spec, _ = compile_affected(entry)
            found = evaluate(spec, version)
            if found is not None:
                affected = True
                fixes.extend(found)
        if affected:
            hits.append(hit_for(record, fixed=tuple(dict.fromkeys(fixes)), malicious=malicious))
    return merge_hits(hits)
