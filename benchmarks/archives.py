"""Reading artifacts for the benchmark itself: member dates and the bare floor.

Archives are read in memory with ``tarfile``/``zipfile`` only; nothing is
extracted to disk, imported or run. The format is sniffed from the bytes
(the corpus has zips named ``.tar.gz``), and a broken archive yields what
could be read rather than an exception.
"""

from __future__ import annotations

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

_CHUNK = 1 << 20


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


def _hash_stream(stream: IO[bytes]) -> int:
    """sha256 a stream to its end in chunks; return how many bytes it held."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorResult:
    """What the floor read from one artifact."""

    members: int
    bytes: int
    ok: bool


def floor_one(path: str) -> FloorResult:
    """Decompress every member of one artifact and sha256 it: the least any scanner must do."""
    members = total = 0
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(4)
            handle.seek(0)
            if _is_zip(head):
                with zipfile.ZipFile(handle) as archive:
                    for info in archive.infolist():
                        if info.is_dir():
                            continue
                        with archive.open(info) as content:
                            total += _hash_stream(content)
                        members += 1
                return FloorResult(members=members, bytes=total, ok=True)
            with tarfile.open(fileobj=handle, mode="r|*") as stream:
                for entry in stream:
                    if not entry.isfile():
                        continue
                    extracted = stream.extractfile(entry)
                    if extracted is None:
                        continue
                    total += _hash_stream(extracted)
                    members += 1
    except (
        tarfile.TarError,
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ):
        return FloorResult(members=members, bytes=total, ok=False)
    return FloorResult(members=members, bytes=total, ok=True)
