"""Zip-based (wheel, egg, zip sdist) and tar-based (sdist) archives, read in memory.

Nothing is extracted. Every member is read through a bounded ``read`` into
memory; links, devices and hostile names are reported and skipped or
renamed; archives found inside are opened the same way, up to
``Limits.max_depth``, against one shared :class:`~depvet.artifacts.safety.Budget`.
"""

from __future__ import annotations

import io
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from depvet.artifacts.interface import Member
from depvet.artifacts.safety import (
    COMPRESSED_TAR_FORMATS,
    Budget,
    Format,
    looks_like_archive_name,
    sanitize,
    sniff,
)
from depvet.errors import ArchiveBomb, ArtifactError, UnsafeArchive
from depvet.model import IntegrityProblem

# What a corrupt or truncated compressed stream raises, besides tarfile's/zipfile's own.
_STREAM_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, *_STREAM_ERRORS)
_TAR_ERRORS = (tarfile.TarError, *_STREAM_ERRORS)


def zip_kind(names: list[str]) -> str:
    """Tell a wheel, an egg and a zipped sdist apart by their layout."""
    tops = {n.split("/", 1)[0] for n in names if n}
    if any(n.count("/") == 1 and n.endswith(".dist-info/WHEEL") for n in names):
        return "wheel"
    if "EGG-INFO" in tops:
        return "egg"
    if len(tops) == 1 and any(n.count("/") == 1 for n in names):
        return "sdist"
    return "zip"


class ArchiveArtifact:
    """A wheel, egg, zip or tar archive, opened from a path or from bytes."""

    def __init__(
        self, source: BinaryIO, *, budget: Budget, depth: int = 0, prefix: str = ""
    ) -> None:
        """Open ``source`` (seekable, positioned at 0); raise ArtifactError if unreadable."""
        self._source = source
        self._budget = budget
        self._depth = depth
        self._prefix = prefix
        self.errors = budget.errors
        self.integrity: list[IntegrityProblem] = []
        head = source.read(512)
        source.seek(0)
        self.format = sniff(head)
        self._zip: zipfile.ZipFile | None = None
        if self.format is Format.ZIP or (
            self.format is Format.UNKNOWN and zipfile.is_zipfile(source)
        ):
            source.seek(0)
            try:
                self._zip = zipfile.ZipFile(source)
                names = self._zip.namelist()
            except _ZIP_ERRORS as exc:
                raise ArtifactError(f"{self._where()}not a readable zip archive: {exc}") from exc
            self.kind = zip_kind(names)
        elif self.format in COMPRESSED_TAR_FORMATS:
            self.kind = "sdist"
        else:
            kind = "empty file" if not head else "unknown format"
            raise ArtifactError(f"{self._where()}not a package archive ({kind})")

    def _where(self) -> str:
        return f"{self._budget.display}: " + (
            f"{self._prefix.rstrip('!/')}: " if self._prefix else ""
        )

    def members(self) -> Iterator[Member]:
        """Yield every regular member, then any archive nested in it."""
        if self._zip is not None:
            yield from self._zip_members(self._zip)
        else:
            yield from self._tar_members()

    def _zip_members(self, zf: zipfile.ZipFile) -> Iterator[Member]:
        budget, limits = self._budget, self._budget.limits
        compressed = uncompressed = 0
        for info in zf.infolist():
            if info.filename.endswith("/"):  # a folder (is_dir() fails on an empty name)
                continue
            budget.take_member()
            path, hostile = sanitize(info.filename)
            shown = self._prefix + path
            if not path:
                budget.note(
                    "unsafe-member", f"member with no name skipped: {info.filename!r}", shown
                )
                continue
            mode = info.external_attr >> 16
            if info.create_system == 3 and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                what = "symbolic link" if stat.S_ISLNK(mode) else "special file"
                budget.note("unsafe-member", f"{what} skipped: {info.filename!r}", shown)
                continue
            if hostile:
                budget.note("unsafe-member", f"path escapes the archive: {info.filename!r}", shown)
            if limits.bomb(info.file_size, info.compress_size):
                budget.note(
                    "unsafe-member",
                    f"skipped: {info.file_size} bytes from {info.compress_size} compressed "
                    f"(ratio over {limits.max_ratio}:1)",
                    shown,
                )
                continue
            try:
                with zf.open(info) as handle:
                    data = handle.read(limits.max_file_bytes + 1)
            except _ZIP_ERRORS as exc:
                budget.note("member-unreadable", f"cannot read member: {exc}", shown)
                continue
            compressed += info.compress_size
            uncompressed += len(data)
            budget.take_bytes(len(data))
            budget.check_ratio(uncompressed, compressed)
            if limits.bomb(len(data), info.compress_size):
                budget.note("unsafe-member", "skipped: compression ratio lies in its header", shown)
                continue
            yield from self._emit(shown, data, max(info.file_size, len(data)))

    def _tar_members(self) -> Iterator[Member]:
        budget, limits = self._budget, self._budget.limits
        source = self._source
        uncompressed = 0
        try:
            tar = tarfile.open(fileobj=source, mode="r|*")  # noqa: SIM115 - closed in the finally below
        except _TAR_ERRORS as exc:
            raise ArtifactError(f"{self._where()}not a readable tar archive: {exc}") from exc
        try:
            for info in tar:
                if info.isdir():
                    continue
                budget.take_member()
                path, hostile = sanitize(info.name)
                shown = self._prefix + path
                if not path:
                    budget.note(
                        "unsafe-member", f"member with no name skipped: {info.name!r}", shown
                    )
                    continue
                if not info.isreg():
                    what = "link" if info.issym() or info.islnk() else "special file"
                    budget.note("unsafe-member", f"{what} skipped: {info.name!r}", shown)
                    continue
                if hostile:
                    budget.note("unsafe-member", f"path escapes the archive: {info.name!r}", shown)
                handle = tar.extractfile(info)
                if handle is None:
                    continue
                data = handle.read(limits.max_file_bytes + 1)
                uncompressed += len(data)
                budget.take_bytes(len(data))
                # Scan what was already read before stopping on the ratio.
                yield from self._emit(shown, data, info.size)
                budget.check_ratio(uncompressed, source.tell())
        except UnsafeArchive:
            raise
        except _TAR_ERRORS as exc:
            raise ArtifactError(f"{self._where()}archive is truncated or corrupt: {exc}") from exc
        finally:
            tar.close()

    def _emit(self, path: str, data: bytes, size: int) -> Iterator[Member]:
        limits = self._budget.limits
        truncated = len(data) > limits.max_file_bytes
        if truncated:
            data = data[: limits.max_file_bytes]
            self._budget.note(
                "file-truncated",
                f"{size} bytes; only the first {limits.max_file_bytes} were scanned",
                path,
            )
        yield Member(path=path, data=data, size=size, container=self.kind, truncated=truncated)
        if not truncated and sniff(data[:512]) is not Format.UNKNOWN:
            yield from self._nested(path, data)

    def _nested(self, path: str, data: bytes) -> Iterator[Member]:
        budget = self._budget
        if self._depth + 1 > budget.limits.max_depth:
            budget.note(
                "unsafe-member",
                f"archive nested deeper than {budget.limits.max_depth} levels not opened",
                path,
            )
            return
        try:
            inner = ArchiveArtifact(
                io.BytesIO(data), budget=budget, depth=self._depth + 1, prefix=path + "!/"
            )
            yield from inner.members()
        except ArchiveBomb as exc:
            # A bomb inside is skipped, not a reason to stop reading the rest of the artifact
            # (data files of a popular sdist trip the ratio; a package must not hide its code
            # behind one). What the inner archive yielded before was scanned.
            budget.note("unsafe-member", f"nested archive not read further: {exc.message}", path)
        except UnsafeArchive:
            raise
        except ArtifactError as exc:
            # A compressed data file (data.json.gz) is not an archive and not a problem;
            # only a member that claims to be a package archive deserves an error.
            if looks_like_archive_name(path):
                budget.note("member-unreadable", f"nested archive unreadable: {exc.message}", path)
