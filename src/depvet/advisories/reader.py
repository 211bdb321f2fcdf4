"""Find the OSV records in what a user points ``depvet db import`` at.

A zip (OSV's ``all.zip``, recognised by its bytes, not its name) is read
member by member in memory, after its central directory has been checked
against :class:`ZipLimits`; a folder is walked for ``*.json``/``*.yaml``/
``*.yml`` without following directory links; anything else is one record.
Problems with one member or file become :class:`~depvet.model.ScanError`
entries and reading goes on; a zip that breaks a limit is refused whole.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from depvet.advisories.osv import RECORD_SUFFIXES
from depvet.artifacts.safety import Format, sanitize, sniff
from depvet.errors import AdvisoryError, UnsafeArchive
from depvet.limits import MiB
from depvet.model import ScanError

# What a corrupt member raises while read.
_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError)


PATH_HINT = "Give an OSV all.zip, a folder of .json/.yaml OSV records, or one record file."


@dataclass(frozen=True, slots=True, kw_only=True)
class ZipLimits:
    """Bounds on an advisory dump; OSV's PyPI ``all.zip`` sits far inside them."""

    max_members: int = 400_000
    max_member_bytes: int = 8 * MiB  # the largest OSV record is well under 1 MiB
    max_total_bytes: int = 2048 * MiB
    max_ratio: int = 100  # uncompressed / compressed, once past ratio_floor
    ratio_floor: int = 1 * MiB


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """The bytes of one record file and where they came from (named in errors)."""

    origin: str
    data: bytes


def _is_record_name(name: str) -> bool:
    return name.lower().endswith(RECORD_SUFFIXES)


def iter_documents(
    path: Path, errors: list[ScanError], limits: ZipLimits | None = None
) -> Iterator[Document]:
    """Yield each record file under ``path``; append per-file problems to ``errors``."""
    limits = limits or ZipLimits()
    if path.is_dir():
        yield from _iter_folder(path, errors, limits)
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise AdvisoryError(f"{path}: cannot read: {exc.strerror or exc}", hint=PATH_HINT) from None
    if sniff(head) is Format.ZIP:
        yield from _iter_zip(path, errors, limits)
        return
    data = _read_file(path, errors, limits)
    if data is not None:
        yield Document(origin=str(path), data=data)


def _read_file(path: Path, errors: list[ScanError], limits: ZipLimits) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > limits.max_member_bytes:
            errors.append(
                ScanError(
                    reference=AdvisoryError.reference,
                    message=f"{path}: {size} bytes, over the {limits.max_member_bytes} limit",
                    path=str(path),
                )
            )
            return None
        return path.read_bytes()
    except OSError as exc:
        errors.append(
            ScanError(
                reference=AdvisoryError.reference,
                message=f"{path}: cannot read: {exc.strerror or exc}",
                path=str(path),
            )
        )
        return None


def _iter_folder(root: Path, errors: list[ScanError], limits: ZipLimits) -> Iterator[Document]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            if not _is_record_name(name):
                continue
            path = Path(folder, name)
            data = _read_file(path, errors, limits)
            if data is not None:
                yield Document(origin=str(path), data=data)


def check_zip(archive: zipfile.ZipFile, display: str, limits: ZipLimits) -> None:
    """Refuse a zip whose central directory promises more than the limits allow."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeArchive(f"{display}: {len(infos)} members, over {limits.max_members}")
    total = compressed = 0
    for info in infos:
        if info.file_size > limits.max_member_bytes and _is_record_name(info.filename):
            raise UnsafeArchive(
                f"{display}: member {info.filename!r} is {info.file_size} bytes uncompressed, "
                f"over {limits.max_member_bytes}"
            )
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive(
                f"{display}: member {info.filename!r} expands over {limits.max_ratio}:1 "
                "(a decompression bomb)"
            )
    if total > limits.max_total_bytes:
        raise UnsafeArchive(f"{display}: {total} bytes uncompressed, over {limits.max_total_bytes}")
    if total > limits.ratio_floor and total > limits.max_ratio * max(compressed, 1):
        raise UnsafeArchive(f"{display}: expands over {limits.max_ratio}:1 (a decompression bomb)")


def _iter_zip(path: Path, errors: list[ScanError], limits: ZipLimits) -> Iterator[Document]:
    display = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise AdvisoryError(f"{display}: not a readable zip: {exc}", hint=PATH_HINT) from None
    with archive:
        check_zip(archive, display, limits)
        for info in archive.infolist():
            if info.is_dir() or not _is_record_name(info.filename):
                continue
            clean, hostile = sanitize(info.filename)
            origin = f"{display}!{clean}"
            if hostile:
                errors.append(
                    ScanError(
                        reference=UnsafeArchive.reference,
                        message=f"{display}: member name {info.filename!r} leaves the archive; "
                        "skipped",
                        path=info.filename,
                    )
                )
                continue
            try:
                # zipfile stops at the size the directory declared (checked above) and
                # verifies the CRC, so a member cannot grow past the limit while read.
                with archive.open(info) as member:
                    data = member.read(limits.max_member_bytes + 1)
            except _MEMBER_ERRORS as exc:
                errors.append(
                    ScanError(
                        reference=AdvisoryError.reference,
                        message=f"{origin}: cannot read: {exc}",
                        path=clean,
                    )
                )
                continue
            if len(data) > limits.max_member_bytes:
                raise UnsafeArchive(f"{origin}: larger than its directory entry says")
            yield Document(origin=origin, data=data)
