"""OSV records: the JSON of OSV dumps and the YAML of the PyPA advisory database.

A record is parsed into frozen dataclasses and checked against the parts of
the OSV schema (https://ossf.github.io/osv-schema/) that matching relies on.
Anything else a record carries is kept, untouched, in ``raw``. A record that
cannot be trusted to mean what it says raises :class:`AdvisoryError` naming
the file it came from; the caller skips it and goes on.

YAML is read with a safe loader that keeps every scalar except ``true``,
``false`` and ``null`` as the string it was written as: PyYAML's default
resolvers would turn an unquoted version ``1.10`` into the float ``1.1`` and
a timestamp into a ``datetime``.
"""

from __future__ import annotations

import contextlib
import enum
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml

from depvet.errors import AdvisoryError

try:  # libyaml makes reading the PyPA database several times faster
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

PYPI = "PyPI"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: stored times sort as text
YAML_SUFFIXES = (".yaml", ".yml")
RECORD_SUFFIXES = (".json", *YAML_SUFFIXES)

JSON = dict[str, Any]


class EventKind(enum.StrEnum):
    """What a range event says happened at its version."""

    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


class RangeType(enum.StrEnum):
    """How a range's versions are ordered."""

    ECOSYSTEM = "ECOSYSTEM"  # the ecosystem's own order: PEP 440 for PyPI
    SEMVER = "SEMVER"
    GIT = "GIT"  # commit hashes; needs the repository, so never evaluated here


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One point on a range's timeline."""

    kind: EventKind
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    """A timeline of events under one ordering; ``type`` is kept as written."""

    type: str
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """The package an ``affected`` entry is about."""

    ecosystem: str
    name: str
    purl: str | None = None

    @property
    def is_pypi(self) -> bool:
        """True for the only ecosystem depvet matches against."""
        return self.ecosystem == PYPI


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    """The versions of one package a record applies to."""

    package: Package | None  # OSV allows GIT-only entries without a package
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    database_specific: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeverityScore:
    """A quantitative severity: a CVSS vector or an ecosystem label."""

    type: str
    score: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A link about the vulnerability."""

    type: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One OSV record, as much of it as matching and reporting use."""

    id: str
    modified: datetime
    published: datetime | None = None
    withdrawn: datetime | None = None
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severity: tuple[SeverityScore, ...] = ()
    affected: tuple[Affected, ...] = ()
    references: tuple[Reference, ...] = ()
    database_specific: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def malicious(self) -> bool:
        """A malicious-package record (``MAL-``) or one that says so itself."""
        return self.id.startswith("MAL-") or self.database_specific.get("malicious") is True

    def pypi_affected(self) -> Iterator[Affected]:
        """The ``affected`` entries about PyPI packages, the only ones depvet matches."""
        for entry in self.affected:
            if entry.package is not None and entry.package.is_pypi:
                yield entry

    def headline(self, limit: int = 160) -> str:
        """The summary, or else the first line of the details, shortened to ``limit``."""
        text = self.summary.strip() or next(
            (line.strip() for line in self.details.splitlines() if line.strip()), ""
        )
        return text if len(text) <= limit else text[: limit - 1] + "…"


def format_time(moment: datetime) -> str:
    """A UTC timestamp in the fixed-width form the store keeps."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(value: object, *, where: str) -> datetime:
    """An RFC 3339 timestamp as an aware UTC datetime; a naive one is taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise AdvisoryError(f"{where}: not an RFC 3339 timestamp: {value!r}") from None
    else:
        raise AdvisoryError(f"{where}: expected a timestamp, got {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class _OsvLoader(_SafeLoader):
    """A safe loader whose only implicit types are booleans and null."""


_KEEP_AS_TEXT = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_OsvLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _KEEP_AS_TEXT]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(text: str | bytes) -> object:
    loader = _OsvLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _reject_shared_nodes(document: object, origin: str) -> None:
    """Refuse YAML aliases: a few bytes of anchors expand to gigabytes once re-serialised."""
    seen: set[int] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                raise AdvisoryError(f"{origin}: YAML aliases are not allowed in an advisory")
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)


def load_document(data: bytes | str, *, origin: str) -> JSON:
    """Decode one record's bytes: JSON when they are JSON, else YAML."""
    text = data.decode("utf-8-sig", errors="strict") if isinstance(data, bytes) else data
    try:
        document: object = None
        if text.lstrip().startswith("{"):
            with contextlib.suppress(ValueError):  # else a YAML flow mapping: read below
                document = json.loads(text)
        if document is None:
            document = _load_yaml(text)
            _reject_shared_nodes(document, origin)
    except (ValueError, yaml.YAMLError, RecursionError) as exc:
        raise AdvisoryError(f"{origin}: not valid JSON or YAML: {_first_line(exc)}") from None
    if not isinstance(document, dict):
        raise AdvisoryError(f"{origin}: an OSV record must be a mapping")
    return document


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_record(data: bytes | str, *, origin: str) -> Record:
    """Parse one record from the bytes of a ``.json``/``.yaml`` file or zip member."""
    try:
        return parse_record(load_document(data, origin=origin), origin=origin)
    except UnicodeDecodeError:
        raise AdvisoryError(f"{origin}: not UTF-8 text") from None


class _Fields:
    """Typed access to one mapping of a record, with error messages that say where."""

    __slots__ = ("data", "where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise AdvisoryError(f"{where}: expected a mapping, got {type(data).__name__}")
        self.data: JSON = data
        self.where = where

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise AdvisoryError(f"{self.where}: '{key}' is missing")
            return None
        if not isinstance(value, str):
            raise AdvisoryError(
                f"{self.where}.{key}: expected text, got {type(value).__name__} {value!r}"
            )
        return value

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise AdvisoryError(f"{self.where}.{key}: expected a list, got {type(value).__name__}")
        return value

    def mapping(self, key: str) -> JSON:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise AdvisoryError(
                f"{self.where}.{key}: expected a mapping, got {type(value).__name__}"
            )
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise AdvisoryError(
                    f"{self.where}.{key}[{index}]: expected text, got {type(value).__name__}"
                )
        return tuple(values)


def parse_record(document: Mapping[str, Any], *, origin: str) -> Record:
    """Check and convert one decoded OSV document; ``origin`` names it in errors."""
    top = _Fields(dict(document), origin)
    record_id = top.text("id", required=True)
    assert record_id is not None  # required=True
    if not record_id.strip() or any(c.isspace() for c in record_id):
        raise AdvisoryError(f"{origin}: invalid id {record_id!r}")
    where = f"{origin} ({record_id})"
    fields = _Fields(top.data, where)
    if fields.data.get("modified") is None:
        raise AdvisoryError(f"{where}: 'modified' is missing")
    modified = parse_time(fields.data["modified"], where=f"{where}.modified")
    published = withdrawn = None
    if fields.data.get("published") is not None:
        published = parse_time(fields.data["published"], where=f"{where}.published")
    if fields.data.get("withdrawn") is not None:
        withdrawn = parse_time(fields.data["withdrawn"], where=f"{where}.withdrawn")
    return Record(
        id=record_id,
        modified=modified,
        published=published,
        withdrawn=withdrawn,
        aliases=tuple(a for a in fields.texts("aliases") if a != record_id),
        summary=fields.text("summary") or "",
        details=fields.text("details") or "",
        severity=tuple(
            _severity(item, f"{where}.severity[{i}]")
            for i, item in enumerate(fields.items("severity"))
        ),
        affected=tuple(
            _affected(item, f"{where}.affected[{i}]")
            for i, item in enumerate(fields.items("affected"))
        ),
        references=tuple(
            ref
            for i, item in enumerate(fields.items("references"))
            if (ref := _reference(item, f"{where}.references[{i}]")) is not None
        ),
        database_specific=fields.mapping("database_specific"),
        raw=top.data,
    )


def _severity(item: object, where: str) -> SeverityScore:
    fields = _Fields(item, where)
    return SeverityScore(
        type=fields.text("type", required=True) or "",
        score=fields.text("score", required=True) or "",
    )


def _reference(item: object, where: str) -> Reference | None:
    fields = _Fields(item, where)
    url = fields.text("url")
    return Reference(type=fields.text("type") or "WEB", url=url) if url else None


def _affected(item: object, where: str) -> Affected:
    fields = _Fields(item, where)
    package = None
    if fields.data.get("package") is not None:
        pkg = _Fields(fields.data["package"], f"{where}.package")
        package = Package(
            ecosystem=pkg.text("ecosystem", required=True) or "",
            name=pkg.text("name", required=True) or "",
            purl=pkg.text("purl"),
        )
        if not package.name.strip():
            raise AdvisoryError(f"{where}.package.name: empty")
    ranges = tuple(_range(r, f"{where}.ranges[{i}]") for i, r in enumerate(fields.items("ranges")))
    return Affected(
        package=package,
        ranges=ranges,
        versions=fields.texts("versions"),
        database_specific=fields.mapping("database_specific"),
    )


def _range(item: object, where: str) -> Range:
    fields = _Fields(item, where)
    range_type = fields.text("type", required=True) or ""
    events: list[Event] = []
    for index, raw_event in enumerate(fields.items("events")):
        event_where = f"{where}.events[{index}]"
        event = _Fields(raw_event, event_where).data
        if len(event) != 1:
            raise AdvisoryError(f"{event_where}: an event holds exactly one of {_EVENT_NAMES}")
        ((key, value),) = event.items()
        try:
            kind = EventKind(key)
        except ValueError:
            raise AdvisoryError(f"{event_where}: unknown event {key!r}") from None
        if not isinstance(value, str) or not value.strip():
            raise AdvisoryError(f"{event_where}.{key}: expected a version, got {value!r}")
        events.append(Event(kind=kind, version=value.strip()))
    if not events:
        raise AdvisoryError(f"{where}: a range needs at least one event")
    return Range(type=range_type, events=tuple(events), repo=fields.text("repo"))


_EVENT_NAMES = ", ".join(kind.value for kind in EventKind)
