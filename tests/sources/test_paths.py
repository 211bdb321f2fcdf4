"""What a command-line path turns into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from depvet.errors import SourceError
from depvet.model import TargetKind
from depvet.sources.environment import EnvironmentSource, running_site_dirs
from depvet.sources.paths import PathSource
from tests.artifacts.test_filesystem import make_site
from tests.builders import make_sdist, make_wheel


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(PathSource(given=str(tmp_path / "nope")).targets())


def test_file_keeps_the_path_as_given(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", {})
    given = os.path.relpath(wheel)
    (target,) = PathSource(given=given).targets()
    assert (target.kind, target.display) == (TargetKind.FILE, given)


def test_folder_of_artifacts_joins_paths(tmp_path: Path) -> None:
    (tmp_path / "a" / "1.0").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    make_sdist(tmp_path / "a" / "1.0", "a", "1.0", {})
    make_wheel(tmp_path / "b", "b", "2.0", {})
    (tmp_path / "b" / "empty.tar.gz").write_bytes(b"")  # unreadable, still reported
    (tmp_path / "b" / "notes.txt").write_text("not an artifact")
    sniffed = tmp_path / "b" / "noext"
    sniffed.write_bytes((tmp_path / "b" / "b-2.0-py3-none-any.whl").read_bytes())
    given = str(tmp_path) + "/"
    displays = [t.display for t in PathSource(given=given).targets()]
    assert displays == [
        os.path.join(given, "a/1.0/a-1.0.tar.gz"),
        os.path.join(given, "b/b-2.0-py3-none-any.whl"),
        os.path.join(given, "b/empty.tar.gz"),
        os.path.join(given, "b/noext"),
    ]


def test_source_tree_is_one_target(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("pass\n")
    (target,) = PathSource(given=str(tmp_path)).targets()
    assert target.kind is TargetKind.DIRECTORY


def test_venv_and_site_packages_list_distributions(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    orphan = site / "zz_orphan.pth"
    orphan.write_text("import os\n")
    given = str(tmp_path / "venv")
    targets = list(PathSource(given=given).targets())
    assert [(t.kind, t.display) for t in targets] == [
        (TargetKind.INSTALLED, f"{given}/lib/python3.11/site-packages/demo-1.0.dist-info"),
        (TargetKind.LOOSE, f"{given}/lib/python3.11/site-packages"),
    ]
    # demo.pth is claimed by demo's RECORD; only the orphan is loose.
    assert targets[1].files == (orphan,)
    direct = list(PathSource(given=str(site)).targets())
    assert [t.kind for t in direct] == [TargetKind.INSTALLED, TargetKind.LOOSE]
    (meta,) = PathSource(given=str(site / "demo-1.0.dist-info")).targets()
    assert meta.kind is TargetKind.INSTALLED


def test_running_environment_is_found() -> None:
    dirs = running_site_dirs()
    assert dirs, "the interpreter running the tests has a site-packages"
    targets = list(EnvironmentSource(site_dirs=dirs).targets())
    names = {Path(t.path).name for t in targets}
    assert any(n.startswith("pytest-") and n.endswith(".dist-info") for n in names)
