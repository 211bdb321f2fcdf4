"""Reading artifacts for the benchmark itself: member dates and the bare floor.

Archives are read in memory with ``tarfile``/``zipfile`` only; nothing is
extracted to disk, imported or run. The format is sniffed from the bytes
(the corpus has zips named ``.tar.gz``), and a broken archive yields what
could be read rather than an exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from benchmarks.metrics import newest_plausible


def _is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def member_mtimes(data: bytes) -> Iterator[float]:
    """The mtime of every regular member of a tar or zip archive held in ``data``."""
    try:
        if _is_zip(data[:4]):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    try:
                        yield datetime(*info.date_time).timestamp()
                    except ValueError:
                        continue
            return
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                if member.isfile():
                    yield float(member.mtime)
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return


def artifact_date(path: str) -> float | None:
    """The newest plausible member mtime of the archive at ``path`` (a POSIX timestamp)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return newest_plausible(member_mtimes(data), time.time())


# Archives inside archives are opened as depvet opens them (Limits.max_depth levels):
# their members are members of the artifact too, and any scanner must read them.
MAX_DEPTH = 3
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
)


def _is_archive(head: bytes) -> bool:
    return head.startswith(_ARCHIVE_MAGIC) or (len(head) >= 262 and head[257:262] == b"ustar")


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorResult:
    """What the floor read from one artifact."""

    members: int
    bytes: int
    ok: bool


@dataclass(slots=True)
class _Count:
    members: int = 0
    bytes: int = 0


def _member(data: bytes, count: _Count, depth: int) -> None:
    """Hash one member's bytes; open it in turn when it is an archive."""
    hashlib.sha256(data).digest()
    count.members += 1
    count.bytes += len(data)
    if depth < MAX_DEPTH and _is_archive(data[:512]):
        # Not every file with an archive's magic is one (data.json.gz): its errors are its own.
        with contextlib.suppress(*_ERRORS):
            _archive(io.BytesIO(data), count, depth + 1)


def _archive(handle: IO[bytes], count: _Count, depth: int) -> None:
    """Decompress and hash every member of the tar or zip archive in ``handle``."""
    head = handle.read(4)
    handle.seek(0)
    if _is_zip(head):
        with zipfile.ZipFile(handle) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    with archive.open(info) as content:
                        _member(content.read(), count, depth)
        return
    with tarfile.open(fileobj=handle, mode="r|*") as stream:
        for entry in stream:
            if not entry.isfile():
                continue
            extracted = stream.extractfile(entry)
            if extracted is not None:
                _member(extracted.read(), count, depth)


def floor_one(path: str) -> FloorResult:
    """Decompress every member of one artifact and sha256 it: the least any scanner must do.

    Archives nested in it (a wheel bundled in an sdist, a source tarball in
    another) are opened and their members counted too, up to :data:`MAX_DEPTH`.
    """
    count = _Count()
    try:
        with Path(path).open("rb") as handle:
            _archive(handle, count, 0)
    except _ERRORS:
        return FloorResult(members=count.members, bytes=count.bytes, ok=False)
    return FloorResult(members=count.members, bytes=count.bytes, ok=True)
