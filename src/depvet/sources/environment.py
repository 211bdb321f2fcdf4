"""Installed environments: every distribution in a site-packages folder."""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from depvet.artifacts.filesystem import record_paths
from depvet.artifacts.layout import CUSTOMIZE_NAMES
from depvet.errors import SourceError
from depvet.model import Target, TargetKind

META_SUFFIXES = (".dist-info", ".egg-info")


def running_site_dirs() -> list[Path]:
    """The site-packages folders of the interpreter running depvet, as it would import them."""
    candidates = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if site.ENABLE_USER_SITE:
        candidates.append(site.getusersitepackages())
    seen: list[Path] = []
    on_path = {os.path.realpath(p) for p in sys.path if p}
    for raw in candidates:
        path = Path(raw)
        if path.is_dir() and os.path.realpath(path) in on_path and path not in seen:
            seen.append(path)
    return seen


def venv_site_dirs(root: Path) -> list[Path]:
    """The site-packages folders of the virtual environment at ``root``."""
    found = sorted(root.glob("lib/python*/site-packages")) + sorted(
        root.glob("lib64/python*/site-packages")
    )
    windows = root / "Lib" / "site-packages"
    if windows.is_dir():
        found.append(windows)
    unique: list[Path] = []
    for path in found:
        if path.is_dir() and all(not path.samefile(u) for u in unique):
            unique.append(path)
    return unique


def is_site_dir(path: Path) -> bool:
    """True for a folder that holds installed distributions."""
    try:
        return any(entry.name.endswith(META_SUFFIXES) for entry in os.scandir(path))
    except OSError:
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentSource:
    """Every distribution in the given site-packages folders, plus unclaimed start-up files.

    ``display_base`` maps a site folder to how it should be written in the
    report (the path as the user gave it); by default the folder itself.
    """

    site_dirs: Sequence[Path]
    display_base: dict[Path, str] | None = None

    def targets(self) -> Iterator[Target]:
        """One INSTALLED target per dist-info/egg-info, one LOOSE target per site folder."""
        for site_dir in self.site_dirs:
            base = (self.display_base or {}).get(site_dir, str(site_dir))
            try:
                entries = sorted(os.scandir(site_dir), key=lambda e: e.name)
            except OSError as exc:
                raise SourceError(f"{base}: cannot list: {exc.strerror}") from exc
            owned: set[str] = set()
            for entry in entries:
                if entry.name.endswith(META_SUFFIXES):
                    meta = Path(entry.path)
                    if meta.is_dir():
                        owned.update(os.path.normpath(p) for p in record_paths(meta))
                    yield Target(
                        kind=TargetKind.INSTALLED,
                        path=meta,
                        display=os.path.join(base, entry.name),
                    )
            loose = tuple(
                Path(entry.path)
                for entry in entries
                if entry.is_file()
                and (entry.name.endswith(".pth") or entry.name in CUSTOMIZE_NAMES)
                and entry.name not in owned
            )
            if loose:
                yield Target(kind=TargetKind.LOOSE, path=site_dir, display=base, files=loose)


def current_environment() -> EnvironmentSource:
    """The environment of the interpreter running depvet."""
    dirs = running_site_dirs()
    if not dirs:
        raise SourceError("no site-packages folder found for this interpreter")
    return EnvironmentSource(site_dirs=dirs)
