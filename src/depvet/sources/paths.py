"""Paths given on the command line: artifacts, folders of them, trees, environments."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from depvet.artifacts.filesystem import SKIPPED_DIRS
from depvet.artifacts.safety import Format, looks_like_archive_name, sniff
from depvet.errors import SourceError
from depvet.model import Target, TargetKind
from depvet.sources.environment import META_SUFFIXES, EnvironmentSource, is_site_dir, venv_site_dirs

# Files that make a folder a source tree rather than a folder of artifacts.
TREE_MARKERS = ("setup.py", "pyproject.toml", "setup.cfg", "PKG-INFO")


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(512)
    except OSError:
        return b""


def _is_artifact_file(path: Path) -> bool:
    return looks_like_archive_name(path.name) or sniff(_head(path)) is not Format.UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class PathSource:
    """What one command-line path holds, each package as its own target.

    - a file: one artifact (its format is read from its bytes);
    - a ``*.dist-info``/``*.egg-info`` folder: that installed distribution;
    - a virtual environment or a site-packages folder: every distribution in it;
    - a source tree (``setup.py``, ``pyproject.toml``…): one unpacked package;
    - any other folder: every artifact file below it.
    """

    given: str

    def targets(self) -> Iterator[Target]:
        """Yield the targets under the path; raise SourceError if it cannot be read."""
        path = Path(self.given)
        if not os.path.lexists(path):
            raise SourceError(f"{self.given}: no such file or directory")
        if path.is_file():
            yield Target(kind=TargetKind.FILE, path=path, display=self.given)
            return
        if not path.is_dir():
            raise SourceError(f"{self.given}: not a regular file or folder")
        if path.name.endswith(META_SUFFIXES):
            yield Target(kind=TargetKind.INSTALLED, path=path, display=self.given)
            return
        if (path / "pyvenv.cfg").is_file():
            sites = venv_site_dirs(path)
            if not sites:
                raise SourceError(f"{self.given}: a virtual environment with no site-packages")
            bases = {s: os.path.join(self.given, s.relative_to(path).as_posix()) for s in sites}
            yield from EnvironmentSource(site_dirs=sites, display_base=bases).targets()
            return
        if is_site_dir(path):
            yield from EnvironmentSource(
                site_dirs=[path], display_base={path: self.given}
            ).targets()
            return
        if any((path / marker).is_file() for marker in TREE_MARKERS):
            yield Target(kind=TargetKind.DIRECTORY, path=path, display=self.given)
            return
        yield from self._artifacts_below(path)

    def _artifacts_below(self, root: Path) -> Iterator[Target]:
        found = python = False
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                path = Path(folder, name)
                python = python or name.endswith((".py", ".pth"))
                if path.is_symlink() or not path.is_file() or not _is_artifact_file(path):
                    continue
                found = True
                display = os.path.join(self.given, path.relative_to(root).as_posix())
                yield Target(kind=TargetKind.FILE, path=path, display=display)
        if python and not found:
            # A folder of loose Python files: scan it as one tree.
            yield Target(kind=TargetKind.DIRECTORY, path=root, display=self.given)
