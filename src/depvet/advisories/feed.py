"""The known-bad feed embedded in depvet: compromised releases and their indicators.

``data/known-bad.json`` holds OSV records in two parts:

- ``curated``: hand-written ``DEPVET-*`` records for compromised releases of
  legitimate packages (THREATS.md), each with ``database_specific.malicious``
  and ``database_specific.indicators`` (file hashes, file names, domains,
  paths) that sweeps and detectors look for;
- ``osv_malicious``: ``MAL-*`` records for PyPI taken from an OSV dump by
  ``tools/build_known_bad_feed.py`` (see :func:`rebuild_feed`).

Every record of the feed is malicious. The store loads the feed on first use
(:meth:`~depvet.advisories.store.AdvisoryStore.ensure_feed`), so a machine
that never reached the network still recognises these releases.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from packaging.utils import canonicalize_name

from depvet.advisories.match import compile_affected, evaluate
from depvet.advisories.osv import Record, format_time, parse_record
from depvet.errors import AdvisoryError

FEED_SOURCE = "depvet-known-bad"
FEED_FORMAT = 1
_RESOURCE = "data/known-bad.json"


class IndicatorKind(enum.StrEnum):
    """What an indicator's value is compared with."""

    SHA256 = "sha256"  # a file's content hash, lowercase hex
    FILENAME = "filename"  # a file's base name, wherever it sits
    DOMAIN = "domain"  # a host or IP the malware talks to; "*.x" covers x's subdomains
    PATH = "path"  # a file it writes; "~/" stands for any home folder


@dataclass(frozen=True, slots=True, kw_only=True)
class Indicator:
    """One thing a compromised release leaves behind or reaches for."""

    kind: IndicatorKind
    value: str
    advisory: str  # the feed record it belongs to
    note: str = ""

    def matches(self, observed: str) -> bool:
        """True when ``observed`` (a hash, a file name or path, a host) is this indicator."""
        seen = observed.strip()
        if self.kind is IndicatorKind.SHA256:
            return seen.lower().removeprefix("sha256:") == self.value.lower()
        if self.kind is IndicatorKind.FILENAME:
            return seen.replace("\\", "/").rsplit("/", 1)[-1] == self.value
        if self.kind is IndicatorKind.DOMAIN:
            host = seen.lower().rstrip(".")
            if self.value.startswith("*."):
                base = self.value[2:].lower()
                return host == base or host.endswith("." + base)
            return host == self.value.lower()
        path = seen.replace("\\", "/")
        if self.value.startswith("~/"):
            return path.endswith("/" + self.value[2:])
        return path == self.value


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """The parsed feed."""

    records: tuple[Record, ...]
    indicators: tuple[Indicator, ...]
    digest: str  # sha256 of the feed file: the store reloads the feed when it changes


def feed_bytes() -> bytes:
    """The embedded feed file."""
    return resources.files("depvet.advisories").joinpath(_RESOURCE).read_bytes()


def parse_feed(data: bytes, *, origin: str = "known-bad.json") -> Feed:
    """Parse a feed document; any invalid record is an error (the feed ships with depvet)."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise AdvisoryError(f"{origin}: not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FEED_FORMAT:
        raise AdvisoryError(f"{origin}: not a depvet feed of format {FEED_FORMAT}")
    records: list[Record] = []
    indicators: list[Indicator] = []
    for index, raw in enumerate(_records_of(document)):
        record = parse_record(raw, origin=f"{origin} record {index}")
        records.append(record)
        for item in record.database_specific.get("indicators") or []:
            try:
                indicators.append(
                    Indicator(
                        kind=IndicatorKind(item["kind"]),
                        value=str(item["value"]),
                        advisory=record.id,
                        note=str(item.get("note", "")),
                    )
                )
            except (KeyError, TypeError, ValueError):
                raise AdvisoryError(f"{origin}: {record.id}: bad indicator {item!r}") from None
    return Feed(
        records=tuple(records),
        indicators=tuple(indicators),
        digest=hashlib.sha256(data).hexdigest(),
    )


def _records_of(document: Mapping[str, Any]) -> list[Any]:
    curated = document.get("curated") or []
    generated = (document.get("osv_malicious") or {}).get("records") or []
    if not isinstance(curated, list) or not isinstance(generated, list):
        raise AdvisoryError("known-bad feed: 'curated' and 'osv_malicious.records' are lists")
    return [*curated, *generated]


@lru_cache(maxsize=1)
def load_feed() -> Feed:
    """The embedded feed, parsed once per process."""
    return parse_feed(feed_bytes())


def records() -> tuple[Record, ...]:
    """The embedded feed's OSV records."""
    return load_feed().records


def indicators() -> tuple[Indicator, ...]:
    """Every indicator of the embedded feed."""
    return load_feed().indicators


# --- regenerating the OSV part (tools/build_known_bad_feed.py) ------------------------------

_KEPT_FIELDS = ("id", "modified", "published", "aliases", "summary", "details", "references")
_DETAILS_MAX = 600


def _trim(record: Record) -> dict[str, Any]:
    """The parts of a MAL record the feed keeps: enough to match and to explain."""
    raw = dict(record.raw)
    kept: dict[str, Any] = {k: raw[k] for k in _KEPT_FIELDS if raw.get(k)}
    if len(kept.get("details", "")) > _DETAILS_MAX:
        kept["details"] = kept["details"][: _DETAILS_MAX - 1] + "…"
    kept["references"] = list(kept.get("references", []))[:3]
    kept["affected"] = [
        {
            key: value
            for key, value in entry.items()
            if key in ("package", "ranges", "versions") and value
        }
        for entry in raw.get("affected", [])
        if isinstance(entry, dict) and (entry.get("package") or {}).get("ecosystem") == "PyPI"
    ]
    kept["database_specific"] = {"malicious": True}
    return kept


def rebuild_feed(
    current: Mapping[str, Any], candidates: Iterable[Record], *, source: str
) -> dict[str, Any]:
    """A new feed document: ``current``'s curated part, with MAL records from ``candidates``.

    Kept from ``candidates``: ``MAL-*`` records, not withdrawn, with a PyPI
    ``affected`` entry. A curated record gains a MAL id as an alias when that
    MAL record covers one of the curated record's listed versions of the same
    package: the data, not a guess, links the two.
    """
    malicious = sorted(
        (
            r
            for r in candidates
            if r.id.startswith("MAL-") and r.withdrawn is None and any(r.pypi_affected())
        ),
        key=lambda r: r.id,
    )
    curated = [dict(item) for item in current.get("curated") or []]
    for index, item in enumerate(curated):
        record = parse_record(item, origin=f"curated record {index}")
        links = _covering(record, malicious)
        if links:
            aliases = sorted({*record.aliases, *links})
            item["aliases"] = aliases
    return {
        **{k: v for k, v in current.items() if k not in ("curated", "osv_malicious")},
        "format": FEED_FORMAT,
        "curated": curated,
        "osv_malicious": {
            "source": source,
            "generated": format_time(datetime.now(UTC)),
            "records": [_trim(r) for r in malicious],
        },
    }


def _covering(record: Record, malicious: list[Record]) -> set[str]:
    wanted = {
        (canonicalize_name(entry.package.name), version)
        for entry in record.pypi_affected()
        if entry.package is not None
        for version in entry.versions
    }
    names = {name for name, _ in wanted}
    links: set[str] = set()
    for candidate in malicious:
        for entry in candidate.pypi_affected():
            assert entry.package is not None
            name = canonicalize_name(entry.package.name)
            if name not in names:
                continue
            spec, _ = compile_affected(entry)
            if any(evaluate(spec, v) is not None for n, v in wanted if n == name):
                links.add(candidate.id)
    return links
