"""Unpacked trees, installed distributions and loose start-up files."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from depvet.artifacts.filesystem import DirectoryArtifact, InstalledArtifact, LooseArtifact
from depvet.artifacts.safety import Budget
from depvet.limits import Limits
from depvet.model import IntegrityKind
from tests.builders import metadata_text


def budget() -> Budget:
    return Budget(limits=Limits(), display="test")


def test_directory_skips_tool_state_and_links_out(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (tree / "pkg" / "__init__.py").write_text("")
    (tree / ".git").mkdir()
    (tree / ".git" / "config").write_text("[core]\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (tree / "escape").symlink_to(secret)
    (tree / "inside").symlink_to(tree / "setup.py")
    b = budget()
    members = list(DirectoryArtifact(tree, budget=b).members())
    assert sorted(m.path for m in members) == ["inside", "pkg/__init__.py", "setup.py"]
    assert [e.reference for e in b.errors] == ["unsafe-member"]


def make_site(tmp_path: Path) -> Path:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    meta = site / "demo-1.0.dist-info"
    meta.mkdir(parents=True)
    (site / "demo").mkdir()
    (site / "demo" / "__init__.py").write_text("x = 1\n")
    (site / "demo.pth").write_text("import demo\n")
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "demo").write_text("#!/usr/bin/env python\n")
    (meta / "METADATA").write_text(metadata_text("demo", "1.0"))
    (meta / "RECORD").write_text(
        "demo/__init__.py,,\ndemo.pth,,\n../../../bin/demo,,\n"
        "../../../../../etc/passwd,,\ndemo/missing.py,,\ndemo-1.0.dist-info/RECORD,,\n"
    )
    return site


def test_installed_reads_record_files_inside_the_environment(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    b = budget()
    members = list(InstalledArtifact(site / "demo-1.0.dist-info", budget=b).members())
    paths = sorted(m.path for m in members)
    assert paths == [
        "../../../bin/demo",
        "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/RECORD",
        "demo.pth",
        "demo/__init__.py",
    ]
    assert [e.message for e in b.errors] == ["listed file is outside the environment"]
    assert all(m.container == "installed" for m in members)


def test_loose_files(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    orphan = site / "zzz_orphan.pth"
    orphan.write_text("import os\n")
    members = list(LooseArtifact(site, (orphan,), budget=budget()).members())
    assert [(m.path, m.data) for m in members] == [("zzz_orphan.pth", b"import os\n")]


def test_unreadable_file_is_noted_not_fatal(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "setup.py").write_text("pass\n")
    os.mkfifo(tree / "fifo")
    b = budget()
    members = list(DirectoryArtifact(tree, budget=b).members())
    assert [m.path for m in members] == ["setup.py"]
    assert [e.message for e in b.errors] == ["special file skipped"]


def record_line(site: Path, rel: str) -> str:
    digest = hashlib.sha256((site / rel).read_bytes()).digest()
    return f"{rel},sha256={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()},0"


def test_installed_files_are_checked_against_record(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "demo" / "util.py").write_text("y = 2\n")
    meta = site / "demo-1.0.dist-info"
    (meta / "RECORD").write_text(
        "\n".join(
            [
                record_line(site, "demo/__init__.py"),
                record_line(site, "demo.pth"),
                record_line(site, "demo/util.py"),
                "demo/gone.py,sha256=AAAA,4",
                "demo/__pycache__/gone.cpython-311.pyc,,",
                "demo-1.0.dist-info/RECORD,,",
            ]
        )
        + "\n"
    )
    (site / "demo.pth").write_text("import os; os.system('echo tampered')\n")
    artifact = InstalledArtifact(meta, budget=budget())
    list(artifact.members())
    problems = {(p.kind, p.path) for p in artifact.integrity}
    assert problems == {
        (IntegrityKind.MODIFIED, "demo.pth"),
        (IntegrityKind.MISSING, "demo/gone.py"),
    }


def test_unclaimed_files_are_integrity_problems(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    orphan = site / "zz.pth"
    orphan.write_text("import os\n")
    artifact = LooseArtifact(site, (orphan,), budget=budget())
    assert [(p.kind, p.path) for p in artifact.integrity] == [(IntegrityKind.UNOWNED, "zz.pth")]


def test_relative_path_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    monkeypatch.chdir(tmp_path)
    meta = Path(os.path.relpath(site / "demo-1.0.dist-info", tmp_path))
    b = budget()
    members = list(InstalledArtifact(meta, budget=b).members())
    assert "demo/__init__.py" in {m.path for m in members}
    assert [e.message for e in b.errors] == ["listed file is outside the environment"]
