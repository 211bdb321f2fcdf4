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
import lzma
import tarfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from benchmarks.metrics import newest_plausible
from depvet.limits import Limits


def _is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def member_mtimes(data: bytes) -> Iterator[float]:
    """The mtime of every regular member of a tar or zip archive held in ``data``."""
    try:
        if _is_zip(data[:4]):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if not info.filename or info.filename.endswith("/"):  # is_dir() fails on ""
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


# The floor reads what depvet reads, with depvet's default limits: archives inside
# archives are opened (Limits.max_depth levels; their members are members of the
# artifact too, and any scanner must read them), a member is read up to
# Limits.max_file_bytes (a cut member is not opened as an archive), and a zip member
# whose header promises a bomb's compression ratio is skipped unread.
LIMITS = Limits()
MAX_DEPTH = LIMITS.max_depth
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,  # zipfile: an encrypted member
    zlib.error,
    lzma.LZMAError,
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


class _Bomb(Exception):
    """An archive's contents expanded past depvet's ratio: depvet reads it no further."""


def _check_ratio(uncompressed: int, compressed: int) -> None:
    if LIMITS.bomb(uncompressed, compressed):
        raise _Bomb


def _member(data: bytes, count: _Count, depth: int) -> None:
    """Hash one member's bytes (up to depvet's cut); open it in turn when it is an archive."""
    cut = len(data) > LIMITS.max_file_bytes
    if cut:
        data = data[: LIMITS.max_file_bytes]
    hashlib.sha256(data).digest()
    count.members += 1
    count.bytes += len(data)
    if not cut and depth < MAX_DEPTH and _is_archive(data[:512]):
        # Not every file with an archive's magic is one (data.json.gz): its errors are its own.
        with contextlib.suppress(*_ERRORS, _Bomb):
            _archive(io.BytesIO(data), count, depth + 1)


def _archive(handle: IO[bytes], count: _Count, depth: int) -> None:
    """Decompress and hash every member of the tar or zip archive in ``handle``."""
    head = handle.read(4)
    handle.seek(0)
    if _is_zip(head):
        compressed = uncompressed = 0
        with zipfile.ZipFile(handle) as archive:
            for info in archive.infolist():
                # depvet skips folders and members with no name (zipfile's own messages
                # about those fail: is_dir() indexes the name's last character).
                if (
                    not info.filename
                    or info.filename.endswith("/")
                    or LIMITS.bomb(info.file_size, info.compress_size)
                ):
                    continue
                try:
                    with archive.open(info) as content:
                        data = content.read(LIMITS.max_file_bytes + 1)
                except _ERRORS:
                    continue  # encrypted or corrupt: depvet notes it and reads the rest
                compressed += info.compress_size
                uncompressed += len(data)
                _check_ratio(uncompressed, compressed)
                if not LIMITS.bomb(len(data), info.compress_size):
                    _member(data, count, depth)
        return
    uncompressed = 0
    with tarfile.open(fileobj=handle, mode="r|*") as stream:
        for entry in stream:
            if not entry.isfile():
                continue
            extracted = stream.extractfile(entry)
            if extracted is not None:
                data = extracted.read(LIMITS.max_file_bytes + 1)
                uncompressed += len(data)
                _member(data, count, depth)
                _check_ratio(uncompressed, handle.tell())


def floor_one(path: str) -> FloorResult:
    """Decompress every member of one artifact and sha256 it: the least any scanner must do.

    Archives nested in it (a wheel bundled in an sdist, a source tarball in
    another) are opened and their members counted too, up to :data:`MAX_DEPTH`.
    """
    count = _Count()
    try:
        with Path(path).open("rb") as handle:
            _archive(handle, count, 0)
    except _Bomb:
        pass  # depvet stops reading the artifact here too
    except _ERRORS:
        return FloorResult(members=count.members, bytes=count.bytes, ok=False)
    return FloorResult(members=count.members, bytes=count.bytes, ok=True)
