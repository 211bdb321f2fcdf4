"""The local advisory store: OSV records in SQLite (or any SQLAlchemy database).

Three tables: ``advisories`` (one row per record, with the raw document),
``affected`` (one row per PyPI package of a record, keyed by canonical name,
holding the compiled ranges and listed versions so that matching a batch of
packages is one indexed query per chunk of names) and ``sources`` (what was
imported from where, when, how many records, the newest ``modified``).

Queries are SQLAlchemy constructs only, so the same code runs on PostgreSQL
given a ``postgresql+psycopg://`` URL (``DEPVET_DB_URL``).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
from packaging.utils import canonicalize_name
from sqlalchemy import (
    JSON,
    Engine,
    ForeignKey,
    Index,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from depvet.advisories import feed as known_bad
from depvet.advisories.match import AffectedSpec, Hit, compile_affected, evaluate, merge_hits
from depvet.advisories.match import advisory_url as _advisory_url
from depvet.advisories.osv import Record, format_time, load_record, parse_time
from depvet.advisories.reader import ZipLimits, iter_documents
from depvet.errors import AdvisoryError, StoreError
from depvet.model import AdvisoryMatch, PackageRef, ScanError

SCHEMA_VERSION = "1"
WRITE_BATCH = 500  # records per transaction while importing
FEED_LOCATION = "the depvet package (advisories/data/known-bad.json)"
NAME_CHUNK = 400  # names per query while matching (well under any driver's bind limit)


def default_data_dir() -> Path:
    """``$DEPVET_DATA_DIR``, else the platform's user data folder for depvet."""
    override = os.environ.get("DEPVET_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir("depvet"))


def default_url() -> str:
    """``$DEPVET_DB_URL``, else an SQLite file in the user data folder."""
    override = os.environ.get("DEPVET_DB_URL")
    if override:
        return override
    return f"sqlite:///{default_data_dir() / 'advisories.sqlite3'}"


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class AdvisoryRow(Base):
    """One OSV record."""

    __tablename__ = "advisories"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    modified: Mapped[str] = mapped_column(String(32))  # format_time(): sorts as text
    published: Mapped[str | None] = mapped_column(String(32))
    withdrawn: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    severity: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    malicious: Mapped[bool]
    source: Mapped[str] = mapped_column(String(300), index=True)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)


class AffectedRow(Base):
    """The affected versions of one PyPI package named by one record."""

    __tablename__ = "affected"
    __table_args__ = (Index("ix_affected_name", "name"),)

    pk: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    advisory_id: Mapped[str] = mapped_column(
        ForeignKey("advisories.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # canonical (PEP 503) name
    ranges: Mapped[list[Any]] = mapped_column(JSON)  # AffectedSpec.to_json()
    versions: Mapped[list[str]] = mapped_column(JSON)


class SourceRow(Base):
    """One imported source: a dump, a folder, the embedded feed."""

    __tablename__ = "sources"

    label: Mapped[str] = mapped_column(String(300), primary_key=True)
    location: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[str] = mapped_column(String(32))
    records: Mapped[int]
    invalid: Mapped[int]
    newest_modified: Mapped[str | None] = mapped_column(String(32))
    digest: Mapped[str | None] = mapped_column(String(64))


class MetaRow(Base):
    """Facts about the store itself (its schema version)."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportReport:
    """What one import did."""

    source: str
    location: str
    read: int = 0  # valid records read
    inserted: int = 0
    updated: int = 0  # replaced by a newer ``modified``
    unchanged: int = 0  # already stored, same or newer
    removed: int = 0  # feed records no longer in the feed
    errors: tuple[ScanError, ...] = ()  # records and files skipped
    warnings: tuple[str, ...] = ()  # ranges that could not be evaluated
    seconds: float = 0.0

    @property
    def invalid(self) -> int:
        """How many records or files were skipped."""
        return len(self.errors)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceStatus:
    """One imported source, as the ``sources`` table records it."""

    label: str
    location: str
    imported_at: datetime
    records: int
    invalid: int
    newest_modified: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreStatus:
    """What the store holds and how fresh it is."""

    url: str  # password hidden
    advisories: int
    withdrawn: int
    malicious: int
    packages: int  # distinct PyPI names with at least one record
    sources: tuple[SourceStatus, ...] = ()
    last_import: datetime | None = None
    newest_modified: datetime | None = None
    age: timedelta | None = None  # now − newest_modified

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times as RFC 3339, age in seconds)."""

        def when(moment: datetime | None) -> str | None:
            return format_time(moment) if moment else None

        return {
            "url": self.url,
            "advisories": self.advisories,
            "withdrawn": self.withdrawn,
            "malicious": self.malicious,
            "packages": self.packages,
            "last_import": when(self.last_import),
            "newest_modified": when(self.newest_modified),
            "age_seconds": int(self.age.total_seconds()) if self.age is not None else None,
            "sources": [
                {
                    "label": s.label,
                    "location": s.location,
                    "imported_at": when(s.imported_at),
                    "records": s.records,
                    "invalid": s.invalid,
                    "newest_modified": when(s.newest_modified),
                }
                for s in self.sources
            ],
        }


@dataclass(slots=True)
class _Tally:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    newest: str | None = None
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AdvisoryStore:
    """OSV advisories on disk (or in a server database), matched by package and version.

    Constructing a store touches nothing; the database is opened (and created,
    with the embedded known-bad feed loaded into it) on first use.
    """

    def __init__(self, url: str | None = None, *, zip_limits: ZipLimits | None = None) -> None:
        """Use ``url``, else ``$DEPVET_DB_URL``, else SQLite in the user data folder."""
        self.url = url or default_url()
        self.zip_limits = zip_limits or ZipLimits()
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._feed_checked = False

    # --- opening ---------------------------------------------------------------------------

    def _open(self) -> sessionmaker[Session]:
        if self._sessions is not None:
            return self._sessions
        try:
            parsed = make_url(self.url)
            is_sqlite = parsed.get_backend_name() == "sqlite"
            database = parsed.database or ""
            if is_sqlite and database not in ("", ":memory:") and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed)
            if is_sqlite:
                event.listen(engine, "connect", _sqlite_pragmas)
            Base.metadata.create_all(engine)
            sessions = sessionmaker(engine, expire_on_commit=False)
            with sessions.begin() as session:
                if session.get(MetaRow, "schema_version") is None:
                    session.add(MetaRow(key="schema_version", value=SCHEMA_VERSION))
        except (SQLAlchemyError, OSError, ValueError) as exc:
            raise StoreError(f"cannot open the advisory store {self.display_url}: {exc}") from exc
        self._engine, self._sessions = engine, sessions
        return sessions

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except (ValueError, SQLAlchemyError):
            return "<invalid database URL>"

    def _ready(self) -> sessionmaker[Session]:
        sessions = self._open()
        if not self._feed_checked:
            self.ensure_feed()
        return sessions

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
        self._engine = self._sessions = None
        self._feed_checked = False

    def __enter__(self) -> AdvisoryStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- importing -------------------------------------------------------------------------

    def ensure_feed(self) -> ImportReport | None:
        """Load the embedded known-bad feed unless this exact feed is already loaded.

        Returns the import report when the feed was (re)loaded, None otherwise.
        """
        sessions = self._open()
        self._feed_checked = True
        feed_data = known_bad.load_feed()
        with sessions() as session:
            row = session.get(SourceRow, known_bad.FEED_SOURCE)
            if row is not None and row.digest == feed_data.digest:
                return None
        try:
            return self._import_feed(feed_data)
        except IntegrityError:  # another process loaded it at the same moment
            return None

    def _import_feed(self, feed_data: known_bad.Feed) -> ImportReport:
        started = time.perf_counter()
        tally = _Tally()
        label = known_bad.FEED_SOURCE
        self._write(feed_data.records, label, tally, malicious=True, rewrite_own=True)
        keep = {r.id for r in feed_data.records}
        sessions = self._open()
        with sessions.begin() as session:
            stale = [
                i
                for i in session.scalars(select(AdvisoryRow.id).where(AdvisoryRow.source == label))
                if i not in keep
            ]
            for chunk in _chunks(stale, WRITE_BATCH):
                session.execute(delete(AffectedRow).where(AffectedRow.advisory_id.in_(chunk)))
                session.execute(delete(AdvisoryRow).where(AdvisoryRow.id.in_(chunk)))
            self._record_source(session, label, FEED_LOCATION, tally, digest=feed_data.digest)
        return self._report(label, FEED_LOCATION, tally, started, removed=len(stale))

    def import_path(
        self, path: str | Path, *, source: str | None = None, location: str | None = None
    ) -> ImportReport:
        """Import an OSV ``all.zip``, a folder of ``.json``/``.yaml`` records, or one record.

        Records are upserted by id: a stored record is replaced only by one
        with a newer ``modified``. An invalid record is skipped and listed in
        the report's errors; a zip that breaks a safety limit is refused
        (:class:`~depvet.errors.UnsafeArchive`) before anything is imported.
        ``source`` labels the import (default: the resolved path) and
        ``location`` is what status shows as its origin (default: the path).
        """
        self._ready()
        started = time.perf_counter()
        target = Path(path)
        label = source or str(target.resolve())
        where = location or str(target)
        tally = _Tally()
        self._write(self._parse(target, tally), label, tally)
        with self._open().begin() as session:
            self._record_source(session, label, where, tally)
        return self._report(label, where, tally, started)

    def import_records(self, records: Iterable[Record], *, source: str) -> ImportReport:
        """Import records already parsed (tests, other feeds)."""
        self._ready()
        started = time.perf_counter()
        tally = _Tally()
        self._write(records, source, tally)
        with self._open().begin() as session:
            self._record_source(session, source, source, tally)
        return self._report(source, source, tally, started)

    def _parse(self, location: Path, tally: _Tally) -> Iterator[Record]:
        for document in iter_documents(location, tally.errors, self.zip_limits):
            try:
                yield load_record(document.data, origin=document.origin)
            except AdvisoryError as exc:
                tally.errors.append(
                    ScanError(reference=exc.reference, message=exc.message, path=document.origin)
                )

    def _write(
        self,
        records: Iterable[Record],
        label: str,
        tally: _Tally,
        *,
        malicious: bool = False,
        rewrite_own: bool = False,
    ) -> None:
        """Upsert ``records`` in batches; ``rewrite_own`` replaces this source's own records
        even without a newer ``modified`` (the feed, whose file changed)."""
        sessions = self._open()
        flags = (malicious, rewrite_own)
        batch: dict[str, Record] = {}
        for record in records:
            tally.read += 1
            stamp = format_time(record.modified)
            if tally.newest is None or stamp > tally.newest:
                tally.newest = stamp
            seen = batch.get(record.id)
            if seen is None or record.modified > seen.modified:
                batch[record.id] = record
            if len(batch) >= WRITE_BATCH:
                with sessions.begin() as session:
                    self._write_batch(session, list(batch.values()), label, tally, flags)
                batch.clear()
        if batch:
            with sessions.begin() as session:
                self._write_batch(session, list(batch.values()), label, tally, flags)

    def _write_batch(
        self,
        session: Session,
        batch: list[Record],
        label: str,
        tally: _Tally,
        flags: tuple[bool, bool],
    ) -> None:
        malicious, rewrite_own = flags
        ids = [r.id for r in batch]
        stored = {
            row.id: (row.modified, row.source)
            for row in session.execute(
                select(AdvisoryRow.id, AdvisoryRow.modified, AdvisoryRow.source).where(
                    AdvisoryRow.id.in_(ids)
                )
            )
        }
        fresh: list[Record] = []
        for record in batch:
            previous = stored.get(record.id)
            if previous is None:
                tally.inserted += 1
            elif format_time(record.modified) > previous[0] or (
                rewrite_own and previous[1] == label
            ):
                tally.updated += 1
            else:
                tally.unchanged += 1
                continue
            fresh.append(record)
        replaced = [r.id for r in fresh if r.id in stored]
        if replaced:
            session.execute(delete(AffectedRow).where(AffectedRow.advisory_id.in_(replaced)))
            session.execute(delete(AdvisoryRow).where(AdvisoryRow.id.in_(replaced)))
        if not fresh:
            return
        advisory_rows: list[dict[str, Any]] = []
        affected_rows: list[dict[str, Any]] = []
        for record in fresh:
            advisory_rows.append(_advisory_row(record, label, malicious))
            for index, entry in enumerate(record.affected):
                if entry.package is None or not entry.package.is_pypi:
                    continue
                spec, problems = compile_affected(entry)
                tally.warnings.extend(f"{record.id} affected[{index}]: {p}" for p in problems)
                ranges, versions = spec.to_json()
                affected_rows.append(
                    {
                        "advisory_id": record.id,
                        "name": canonicalize_name(entry.package.name),
                        "ranges": ranges,
                        "versions": versions,
                    }
                )
        session.execute(insert(AdvisoryRow), advisory_rows)
        if affected_rows:
            session.execute(insert(AffectedRow), affected_rows)

    @staticmethod
    def _record_source(
        session: Session, label: str, location: str, tally: _Tally, *, digest: str | None = None
    ) -> None:
        row = session.get(SourceRow, label)
        now = format_time(datetime.now(UTC))
        if row is None:
            row = SourceRow(label=label, location=location, imported_at=now, records=0, invalid=0)
            session.add(row)
        row.location = location
        row.imported_at = now
        row.records = tally.read
        row.invalid = len(tally.errors)
        row.newest_modified = tally.newest
        row.digest = digest

    @staticmethod
    def _report(
        label: str, location: str, tally: _Tally, started: float, *, removed: int = 0
    ) -> ImportReport:
        return ImportReport(
            source=label,
            location=location,
            read=tally.read,
            inserted=tally.inserted,
            updated=tally.updated,
            unchanged=tally.unchanged,
            removed=removed,
            errors=tuple(tally.errors),
            warnings=tuple(tally.warnings),
            seconds=time.perf_counter() - started,
        )

    # --- reading ---------------------------------------------------------------------------

    def match(self, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[AdvisoryMatch]]:
        """The advisories affecting each (name, version); every pair given is a key.

        Withdrawn records never match. Records that are aliases of one another
        come back as one match. One query per chunk of distinct names.
        """
        pairs = list(dict.fromkeys(refs))
        result: dict[tuple[str, str], list[AdvisoryMatch]] = {pair: [] for pair in pairs}
        if not pairs:
            return result
        by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for pair in pairs:
            by_name[canonicalize_name(pair[0])].append(pair)
        hits: dict[tuple[str, str], list[Hit]] = defaultdict(list)
        sessions = self._ready()
        names = sorted(by_name)
        with sessions() as session:
            for chunk in _chunks(names, NAME_CHUNK):
                rows = session.execute(
                    select(
                        AffectedRow.name,
                        AffectedRow.ranges,
                        AffectedRow.versions,
                        AdvisoryRow.id,
                        AdvisoryRow.aliases,
                        AdvisoryRow.summary,
                        AdvisoryRow.severity,
                        AdvisoryRow.url,
                        AdvisoryRow.malicious,
                    )
                    .join(AdvisoryRow, AffectedRow.advisory_id == AdvisoryRow.id)
                    .where(AffectedRow.name.in_(chunk), AdvisoryRow.withdrawn.is_(None))
                )
                for name, ranges, versions, adv_id, aliases, summary, sev, url, bad in rows:
                    spec = AffectedSpec.from_json(ranges, versions)
                    for pair in by_name[name]:
                        fixed = evaluate(spec, pair[1])
                        if fixed is None:
                            continue
                        hits[pair].append(
                            Hit(
                                id=adv_id,
                                aliases=tuple(aliases),
                                summary=summary,
                                fixed=fixed,
                                malicious=bad,
                                severity=sev,
                                url=url,
                            )
                        )
        for pair, found in hits.items():
            result[pair] = merge_hits(found)
        return result

    def match_packages(
        self, packages: Iterable[PackageRef]
    ) -> dict[PackageRef, list[AdvisoryMatch]]:
        """:meth:`match` for inventory entries; those without an exact version are left out."""
        pinned = [p for p in packages if p.version]
        found = self.match((p.name, p.version or "") for p in pinned)
        return {p: found[(p.name, p.version or "")] for p in pinned}

    def status(self) -> StoreStatus:
        """Counts, sources and freshness of the store."""
        sessions = self._ready()
        with sessions() as session:
            advisories = session.scalar(select(func.count()).select_from(AdvisoryRow)) or 0
            withdrawn = (
                session.scalar(
                    select(func.count())
                    .select_from(AdvisoryRow)
                    .where(AdvisoryRow.withdrawn.is_not(None))
                )
                or 0
            )
            malicious = (
                session.scalar(
                    select(func.count()).select_from(AdvisoryRow).where(AdvisoryRow.malicious)
                )
                or 0
            )
            packages = session.scalar(select(func.count(func.distinct(AffectedRow.name)))) or 0
            source_rows = list(session.scalars(select(SourceRow).order_by(SourceRow.label)))
        sources = tuple(
            SourceStatus(
                label=row.label,
                location=row.location,
                imported_at=parse_time(row.imported_at, where="sources.imported_at"),
                records=row.records,
                invalid=row.invalid,
                newest_modified=(
                    parse_time(row.newest_modified, where="sources.newest_modified")
                    if row.newest_modified
                    else None
                ),
            )
            for row in source_rows
        )
        last_import = max((s.imported_at for s in sources), default=None)
        newest = max((s.newest_modified for s in sources if s.newest_modified), default=None)
        return StoreStatus(
            url=self.display_url,
            advisories=advisories,
            withdrawn=withdrawn,
            malicious=malicious,
            packages=packages,
            sources=sources,
            last_import=last_import,
            newest_modified=newest,
            age=datetime.now(UTC) - newest if newest else None,
        )


def _advisory_row(record: Record, label: str, malicious: bool) -> dict[str, Any]:
    return {
        "id": record.id,
        "modified": format_time(record.modified),
        "published": format_time(record.published) if record.published else None,
        "withdrawn": format_time(record.withdrawn) if record.withdrawn else None,
        "summary": record.headline(),
        "aliases": list(record.aliases),
        "severity": record.severity[0].score if record.severity else None,
        "url": _advisory_url(record),
        "malicious": malicious or record.malicious,
        "source": label,
        "raw": dict(record.raw),
    }


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()
