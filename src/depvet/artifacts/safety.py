"""Byte sniffing, member-name sanitising and the per-artifact read budget."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from depvet.errors import ArchiveBomb, UnsafeArchive
from depvet.limits import Limits
from depvet.model import ScanError


class Format(enum.StrEnum):
    """What the first bytes of a file say it is."""

    ZIP = "zip"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    TAR = "tar"
    UNKNOWN = "unknown"


COMPRESSED_TAR_FORMATS = (Format.GZIP, Format.BZIP2, Format.XZ, Format.TAR)
ARCHIVE_SUFFIXES = (
    ".whl",
    ".egg",
    ".zip",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".tar",
)


def sniff(head: bytes) -> Format:
    """Identify an archive format from its first 512 bytes, whatever its name says."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return Format.ZIP
    if head.startswith(b"\x1f\x8b"):
        return Format.GZIP
    if head.startswith(b"BZh"):
        return Format.BZIP2
    if head.startswith(b"\xfd7zXZ\x00"):
        return Format.XZ
    if len(head) >= 262 and head[257:262] == b"ustar":
        return Format.TAR
    return Format.UNKNOWN


def looks_like_archive_name(name: str) -> bool:
    """True when a file name claims to be a package archive."""
    return name.lower().endswith(ARCHIVE_SUFFIXES)


_DRIVE = re.compile(r"^[A-Za-z]:")


def sanitize(name: str) -> tuple[str, bool]:
    """A relative '/'-separated path for an archive member name, and whether it was hostile.

    Absolute paths, drive letters and '..' components are what make an
    archive write outside its folder when extracted; depvet extracts nothing,
    but reports such names and keeps only the harmless remainder.
    """
    path = name.replace("\\", "/")
    hostile = False
    if _DRIVE.match(path):
        path, hostile = path[2:], True
    if path.startswith("/"):
        hostile = True
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            hostile = True
            continue
        parts.append(part)
    return "/".join(parts), hostile


@dataclass(slots=True, kw_only=True)
class Budget:
    """Counters shared by an artifact and every archive nested in it."""

    limits: Limits
    display: str
    members: int = 0
    bytes: int = 0
    errors: list[ScanError] = field(default_factory=list)

    def take_member(self) -> None:
        """Count one member; stop the artifact past ``max_members``."""
        self.members += 1
        if self.members > self.limits.max_members:
            raise UnsafeArchive(
                f"{self.display}: more than {self.limits.max_members} members; stopped reading"
            )

    def take_bytes(self, amount: int) -> None:
        """Count uncompressed bytes; stop past the total size limit."""
        self.bytes += amount
        if self.bytes > self.limits.max_total_bytes:
            raise UnsafeArchive(
                f"{self.display}: more than {self.limits.max_total_bytes} bytes uncompressed; "
                "stopped reading"
            )

    def check_ratio(self, uncompressed: int, compressed: int) -> None:
        """Stop an archive whose contents expand past ``max_ratio`` (a decompression bomb)."""
        if self.limits.bomb(uncompressed, compressed):
            raise ArchiveBomb(
                f"{self.display}: compression ratio over {self.limits.max_ratio}:1 "
                "(a decompression bomb); stopped reading"
            )

    def note(self, reference: str, message: str, path: str | None = None) -> None:
        """Record a member-level problem; reading goes on."""
        self.errors.append(ScanError(reference=reference, message=message, path=path))
