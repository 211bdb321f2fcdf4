"""Artifacts that already sit on disk unpacked: source trees, installed
distributions, and loose start-up files in site-packages.

Files are read with bounded reads; symbolic links are never followed out of
the folder they belong to, and nothing is written.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from depvet.artifacts.archive import ArchiveArtifact
from depvet.artifacts.interface import Member
from depvet.artifacts.safety import Budget, Format, sniff
from depvet.errors import ArchiveBomb, ArtifactError, UnsafeArchive
from depvet.model import IntegrityKind, IntegrityProblem

# Folders that are tool state, not package contents.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "node_modules",
    }
)


def _within(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


class _DiskFiles:
    """Shared reading logic: bounded reads, link checks, nested archives."""

    kind = "directory"

    def __init__(self, *, budget: Budget, roots: tuple[Path, ...]) -> None:
        self._budget = budget
        self._roots = tuple(r.resolve() for r in roots)
        self.errors = budget.errors
        self.integrity: list[IntegrityProblem] = []

    def _read(self, path: Path, shown: str) -> Iterator[Member]:
        budget, limits = self._budget, self._budget.limits
        try:
            info = path.lstat()
        except OSError as exc:
            budget.note("member-unreadable", f"cannot stat: {exc.strerror}", shown)
            return
        if stat.S_ISLNK(info.st_mode):
            real = path.resolve()
            if not _within(real, self._roots):
                budget.note("unsafe-member", f"link out of the folder skipped: -> {real}", shown)
                return
            try:
                info = real.stat()
            except OSError as exc:
                budget.note("member-unreadable", f"broken link: {exc.strerror}", shown)
                return
        if not stat.S_ISREG(info.st_mode):
            budget.note("unsafe-member", "special file skipped", shown)
            return
        budget.take_member()
        try:
            with path.open("rb") as handle:
                data = handle.read(limits.max_file_bytes + 1)
        except OSError as exc:
            budget.note("member-unreadable", f"cannot read: {exc.strerror}", shown)
            return
        budget.take_bytes(len(data))
        truncated = len(data) > limits.max_file_bytes
        if truncated:
            data = data[: limits.max_file_bytes]
            budget.note(
                "file-truncated",
                f"{info.st_size} bytes; only the first {limits.max_file_bytes} were scanned",
                shown,
            )
        yield Member(
            path=shown, data=data, size=info.st_size, container=self.kind, truncated=truncated
        )
        if not truncated and sniff(data[:512]) is not Format.UNKNOWN:
            try:
                inner = ArchiveArtifact(
                    io.BytesIO(data), budget=budget, depth=1, prefix=shown + "!/"
                )
                yield from inner.members()
            except ArchiveBomb as exc:
                budget.note(
                    "unsafe-member", f"nested archive not read further: {exc.message}", shown
                )
            except UnsafeArchive:
                raise
            except ArtifactError:
                pass  # a compressed data file, not an archive


class DirectoryArtifact(_DiskFiles):
    """An unpacked source tree (a checkout, an extracted sdist)."""

    kind = "directory"

    def __init__(self, root: Path, *, budget: Budget) -> None:
        """Read the tree under ``root``; links pointing out of it are skipped."""
        super().__init__(budget=budget, roots=(root,))
        self._root = root

    def members(self) -> Iterator[Member]:
        """Every regular file under the root, in a stable order."""
        for folder, dirs, files in os.walk(self._root, followlinks=False):
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIPPED_DIRS and not (Path(folder, d) / "pyvenv.cfg").exists()
            )
            base = Path(folder)
            for name in sorted(files):
                path = base / name
                yield from self._read(path, path.relative_to(self._root).as_posix())


def site_root(site: Path) -> Path:
    """The environment prefix above ``lib/pythonX.Y/site-packages``, else ``site`` itself.

    RECORD lists scripts as ``../../../bin/tool``: files under the prefix
    belong to the distribution; anything further out is not read.
    """
    if site.name in ("site-packages", "dist-packages") and site.parent.name.startswith("python"):
        return site.parent.parent.parent
    return site


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordEntry:
    """One row of a RECORD file (or a line of installed-files.txt, which has no hash)."""

    path: str  # relative to site-packages
    algorithm: str | None = None
    digest: str | None = None  # urlsafe base64 without padding, as RECORD writes it


def record_entries(meta_dir: Path) -> list[RecordEntry]:
    """Files a distribution installed, from RECORD (dist-info) or installed-files.txt."""
    record = meta_dir / "RECORD"
    if record.is_file():
        text = record.read_text(encoding="utf-8", errors="replace")
        entries = []
        for row in csv.reader(io.StringIO(text)):
            if not row or not row[0]:
                continue
            algorithm, _, digest = (row[1] if len(row) > 1 else "").partition("=")
            entries.append(
                RecordEntry(path=row[0], algorithm=algorithm or None, digest=digest or None)
            )
        return entries
    installed = meta_dir / "installed-files.txt"
    if installed.is_file():
        base = meta_dir.name
        lines = installed.read_text(encoding="utf-8", errors="replace").splitlines()
        # installed-files.txt paths are relative to the .egg-info folder.
        return [
            RecordEntry(path=os.path.normpath(f"{base}/{line.strip()}"))
            for line in lines
            if line.strip()
        ]
    return []


def record_paths(meta_dir: Path) -> list[str]:
    """The paths :func:`record_entries` lists."""
    return [entry.path for entry in record_entries(meta_dir)]


def _record_digest(algorithm: str, path: Path, head: bytes, truncated: bool) -> str | None:
    """The RECORD-style digest of a file whose first bytes are ``head``."""
    try:
        hasher = hashlib.new(algorithm)
    except ValueError:
        return None
    if not truncated:
        hasher.update(head)
    else:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
    return base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode("ascii")


class InstalledArtifact(_DiskFiles):
    """An installed distribution: its metadata folder and every file RECORD lists.

    Each file with a RECORD hash is checked against it; files RECORD lists
    but that are gone are reported too (:attr:`integrity`).
    """

    kind = "installed"

    def __init__(self, meta_dir: Path, *, budget: Budget) -> None:
        """``meta_dir`` is a ``*.dist-info`` or ``*.egg-info`` folder inside site-packages."""
        # Absolute and with links resolved, like the roots: a relative or linked
        # path to the environment must not make its own files look outside it.
        site = Path(os.path.realpath(meta_dir.parent))
        super().__init__(budget=budget, roots=(site, site_root(site)))
        self._meta_dir = site / meta_dir.name
        self._site = site

    def members(self) -> Iterator[Member]:
        """The metadata files, then each listed file that exists, once."""
        seen: set[Path] = set()
        if self._meta_dir.is_file():  # a bare PKG-INFO named *.egg-info (distutils)
            yield from self._read(self._meta_dir, self._meta_dir.name)
            return
        listed = record_entries(self._meta_dir)
        names = [
            RecordEntry(path=f"{self._meta_dir.name}/{p.name}")
            for p in sorted(self._meta_dir.iterdir())
            if p.is_file()
        ]
        for entry in [*names, *listed]:
            rel = entry.path
            path = Path(os.path.normpath(self._site / rel))
            if path in seen:
                continue
            seen.add(path)
            if not _within(path, self._roots):
                self._budget.note("unsafe-member", "listed file is outside the environment", rel)
                continue
            if not os.path.lexists(path):
                if not rel.endswith(".pyc"):  # byte code is often removed or never written
                    self.integrity.append(
                        IntegrityProblem(
                            kind=IntegrityKind.MISSING, path=rel, detail="listed in RECORD"
                        )
                    )
                continue
            shown = rel.replace(os.sep, "/")
            for member in self._read(path, shown):
                if member.path == shown and entry.algorithm and entry.digest:
                    self._verify(entry, path, member)
                yield member

    def _verify(self, entry: RecordEntry, path: Path, member: Member) -> None:
        assert entry.algorithm is not None
        actual = _record_digest(entry.algorithm, path, member.data, member.truncated)
        if actual is not None and actual != entry.digest:
            self.integrity.append(
                IntegrityProblem(
                    kind=IntegrityKind.MODIFIED,
                    path=entry.path,
                    detail=f"{entry.algorithm} differs from RECORD",
                )
            )


class LooseArtifact(_DiskFiles):
    """Files in site-packages that run at start-up and that no distribution claims."""

    kind = "loose"

    def __init__(self, site: Path, files: tuple[Path, ...], *, budget: Budget) -> None:
        """``files`` are paths directly inside ``site``."""
        super().__init__(budget=budget, roots=(site,))
        self._site = site
        self._files = files
        self.integrity = [
            IntegrityProblem(
                kind=IntegrityKind.UNOWNED,
                path=path.relative_to(site).as_posix(),
                detail="no installed distribution lists this file",
            )
            for path in files
        ]

    def members(self) -> Iterator[Member]:
        """Each of the given files."""
        for path in self._files:
            yield from self._read(path, path.relative_to(self._site).as_posix())
