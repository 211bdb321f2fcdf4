"""The corpus benchmark: detection quality, throughput and memory, in one command.

    python -m benchmarks.run [--jobs N] [--sample N] [--repeat N] [--vs-guarddog [--whole]]
                             [--cache] [--no-fetch] [--set NAME=DIR] [--write-docs]

Sets scanned, each with depvet run as a subprocess (``--no-cache``, the same
``--jobs`` for all):

- ``malicious``: ``../shared/corpus/pypi-malicious`` (real malware, only ever
  read as bytes; skipped with a message when absent), split by date into a
  ``train`` part and a ``holdout`` part that rule tuning must not look at;
- ``benign-sdist`` and ``benign-wheel``: the popular projects fetched by
  ``benchmarks.fetch_benign``;
- ``litellm``: clean litellm wheels (1.82.6, 1.83.0) that must not be judged
  malicious;
- ``unseen-sdist`` and ``unseen-wheel``: popular projects ranked as high as the
  benign list's that the list leaves out (``fetch_benign --unseen``), never looked
  at while writing rules until their first measurement;
- any folder given with ``--set NAME=DIR``, scored as a benign set.

Per set it prints recall (malicious) or false-positive rate (benign), counted
two ways (suspicious-or-malicious, malicious only), errors, throughput against
the bare floor (decompress and hash every member, nested archives' included,
with the same number of processes) and peak memory. ``--vs-guarddog`` runs GuardDog
on the same stratified sample (``--whole``: on every artifact of the mixed set);
``--repeat N`` scans and floors each set N times, alternating, and reports the
medians with every run's times; ``--cache`` times a cold and a cached scan of the
corpus; ``--write-docs`` renders ``docs/benchmarks.md`` from every result saved in
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import fetch_benign
from benchmarks.archives import FloorResult, artifact_date, floor_one
from benchmarks.measure import Measured, run_measured
from benchmarks.metrics import (
    Tally,
    cutoff_for_fraction,
    estimated_seconds,
    median_index,
    per_run_multiples,
    proportional_sizes,
    ratio,
    split_of,
    stratified_sample,
    tally,
    throughput,
)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "pypi-malicious"
CACHE = REPO / "benchmarks" / ".cache"
RESULTS = REPO / "benchmarks" / "results"
DATES_FILE = CACHE / "corpus-dates.json"
DOCS = REPO / "docs" / "benchmarks.md"
DEPVET = REPO / ".venv" / "bin" / "depvet"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
GUARDDOG_VENV = CACHE / "guarddog-venv"
GUARDDOG = GUARDDOG_VENV / "bin" / "guarddog"

# The holdout: corpus artifacts whose newest member is dated on or after this
# day. Chosen once (about 20% of the corpus falls after it) and fixed, so the
# holdout never moves as the corpus or the rules change. Rule tuning must not
# look at these artifacts.
HOLDOUT_CUTOFF = datetime(2024, 3, 27, tzinfo=UTC)
HOLDOUT_FRACTION = 0.20

SEED = 20240801
GUARDDOG_SAMPLE = {"malicious": 200, "benign-sdist": 100, "benign-wheel": 100}
GUARDDOG_TIMEOUT = 300.0
# The sets the speed targets are stated over: the corpus and the popular sdists and wheels.
MIXED = ("malicious", "benign-sdist", "benign-wheel")
MB = 1_000_000

SET_DIRS: dict[str, Path] = {
    "malicious": CORPUS,
    "benign-sdist": fetch_benign.BENIGN_DIR / "sdist",
    "benign-wheel": fetch_benign.BENIGN_DIR / "wheel",
    "litellm": fetch_benign.LITELLM_DIR,
    "unseen-sdist": fetch_benign.UNSEEN_DIR / "sdist",
    "unseen-wheel": fetch_benign.UNSEEN_DIR / "wheel",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Runner:
    """How to start depvet: the working tree, or a snapshot of one commit's ``src/``.

    Others change the rules while a benchmark runs; a snapshot keeps every set
    scanned by the same code.
    """

    revision: str  # "worktree" or a commit id
    pythonpath: str | None = None

    @property
    def command(self) -> list[str]:
        """The depvet command line, before its arguments."""
        if self.pythonpath is None:
            return [str(DEPVET)]
        return [str(VENV_PYTHON), "-m", "depvet"]

    @property
    def env(self) -> dict[str, str] | None:
        """The environment for depvet (None: inherit)."""
        if self.pythonpath is None:
            return None
        return {**os.environ, "PYTHONPATH": self.pythonpath}


WORKTREE = Runner(revision="worktree")


def snapshot(rev: str) -> Runner:
    """``src/`` of commit ``rev`` exported (``git archive``) under the cache, once."""
    if rev == "worktree":
        return WORKTREE
    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = CACHE / f"depvet-{sha[:12]}"
    if not (root / "src" / "depvet").is_dir():
        partial = Path(tempfile.mkdtemp(dir=CACHE, prefix=".snapshot-"))
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", sha, "src"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(partial, filter="data")  # our own commit, not a sample
        shutil.rmtree(root, ignore_errors=True)
        partial.rename(root)
    return Runner(revision=sha, pythonpath=str(root / "src"))


@dataclass(slots=True, kw_only=True)
class SetReport:
    """One tool's figures on one set of artifacts."""

    tool: str
    name: str
    tally: Tally
    seconds: float
    compressed_bytes: int
    uncompressed_bytes: int | None = None
    peak_tree_rss: int | None = None
    peak_process_rss: int | None = None
    splits: dict[str, Tally] = field(default_factory=dict)
    flagged: list[dict[str, Any]] = field(default_factory=list)  # benign sets: the FPs
    floor_seconds: float | None = None
    floor_bytes: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def malicious_set(self) -> bool:
        """Whether the artifacts are malware (recall) rather than benign (false positives)."""
        return self.name == "malicious"

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict, with the derived rates spelled out."""
        data = asdict(self)
        data["rate_flagged"] = self.tally.rate_flagged
        data["rate_malicious"] = self.tally.rate_malicious
        data["artifacts_per_s"] = throughput(self.tally.artifacts, self.seconds)
        data["mb_per_s"] = throughput(self.compressed_bytes / MB, self.seconds)
        if self.uncompressed_bytes is not None:
            data["uncompressed_mb_per_s"] = throughput(self.uncompressed_bytes / MB, self.seconds)
        if self.floor_seconds:
            data["floor_artifacts_per_s"] = throughput(self.tally.artifacts, self.floor_seconds)
            data["floor_mb_per_s"] = throughput(self.compressed_bytes / MB, self.floor_seconds)
            data["vs_floor"] = ratio(self.seconds, self.floor_seconds)
        data["splits"] = {
            k: {**asdict(v), "rate_flagged": v.rate_flagged, "rate_malicious": v.rate_malicious}
            for k, v in self.splits.items()
        }
        return data


# ---------------------------------------------------------------- discovery


def discover(extra: Mapping[str, Path] | None = None) -> dict[str, list[str]]:
    """The artifact paths of each set, as depvet's folder walk would find them.

    ``extra`` names more folders of benign artifacts (``--set NAME=DIR``).
    """
    from depvet.sources.paths import PathSource

    sets: dict[str, list[str]] = {}
    for name, folder in {**SET_DIRS, **(extra or {})}.items():
        if not folder.is_dir():
            print(f"[{name}] {folder} is absent: skipped", file=sys.stderr)
            continue
        sets[name] = sorted(str(t.path) for t in PathSource(given=str(folder)).targets())
    return sets


def corpus_dates(paths: Sequence[str], jobs: int) -> dict[str, float | None]:
    """Each corpus artifact's date (newest plausible member mtime), cached by path and size."""
    cached: dict[str, Any] = {}
    if DATES_FILE.exists():
        cached = json.loads(DATES_FILE.read_text(encoding="utf-8"))

    def key(path: str) -> str:
        return f"{Path(path).relative_to(CORPUS).as_posix()}:{Path(path).stat().st_size}"

    keys = {p: key(p) for p in paths}
    missing = [p for p in paths if keys[p] not in cached]
    if missing:
        print(f"dating {len(missing)} corpus artifacts…", file=sys.stderr)
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            for path, date in zip(
                missing, pool.map(artifact_date, missing, chunksize=16), strict=True
            ):
                cached[keys[path]] = date
        DATES_FILE.parent.mkdir(parents=True, exist_ok=True)
        DATES_FILE.write_text(json.dumps(cached, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return {p: cached[keys[p]] for p in paths}


def sample_sets(
    sets: Mapping[str, list[str]], sizes: Mapping[str, int], dates: Mapping[str, float | None]
) -> dict[str, list[str]]:
    """The same stratified random sample for every tool; malware stratified by split too."""
    chosen: dict[str, list[str]] = {}
    for name, paths in sets.items():
        if name not in sizes:
            chosen[name] = list(paths)
            continue
        if name == "malicious":
            strata = {
                s: [p for p in paths if split_of(dates.get(p), HOLDOUT_CUTOFF) == s]
                for s in ("train", "holdout")
            }
            per = proportional_sizes({k: len(v) for k, v in strata.items()}, sizes[name])
            picked = stratified_sample(strata, per, SEED)
            chosen[name] = sorted(p for part in picked.values() for p in part)
        else:
            chosen[name] = stratified_sample({name: paths}, {name: sizes[name]}, SEED)[name]
    return chosen


# ---------------------------------------------------------------- tools


def run_depvet(
    paths: Sequence[str],
    jobs: int,
    out: Path,
    cache_dir: Path | None = None,
    runner: Runner = WORKTREE,
) -> tuple[Measured, dict[str, Any]]:
    """Scan ``paths`` with the depvet CLI; return the measurement and the JSON report."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cache_args = ["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"]
    command = [
        *runner.command,
        "scan",
        "--format",
        "json",
        "-o",
        str(out),
        "--jobs",
        str(jobs),
        "--no-progress",
        *cache_args,
        *paths,
    ]
    measured = run_measured(command, env=runner.env)
    if measured.returncode not in (0, 1, 3):
        raise RuntimeError(f"depvet failed ({measured.returncode}): {measured.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return measured, report


def run_floor(paths: Sequence[str], jobs: int) -> tuple[float, int]:
    """Seconds to decompress and sha256 every member of ``paths`` with ``jobs`` processes."""
    with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
        pool.map(abs, range(jobs))  # start the workers before the clock does
        started = time.perf_counter()
        results: list[FloorResult] = pool.map(floor_one, paths, chunksize=4)
        seconds = time.perf_counter() - started
    return seconds, sum(r.bytes for r in results)


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardDogVerdict:
    """GuardDog's answer for one artifact."""

    path: str
    issues: int
    label: str  # its risk label: no_risks_detected, low, suspicious, high_risk; "error"
    rules: tuple[str, ...]
    error: str = ""


def guarddog_verdict(path: str, stdout: str, returncode: int, stderr: str) -> GuardDogVerdict:
    """Read GuardDog's JSON output for one artifact."""
    try:
        start = stdout.index("{")
        data = json.loads(stdout[start:])
    except ValueError:
        return GuardDogVerdict(
            path=path,
            issues=0,
            label="error",
            rules=(),
            error=f"rc={returncode}: {stderr.strip()[-300:]}",
        )
    rules = tuple(sorted(k for k, v in (data.get("results") or {}).items() if v))
    label = str((data.get("risk_score") or {}).get("label") or "no_risks_detected")
    return GuardDogVerdict(path=path, issues=int(data.get("issues") or 0), label=label, rules=rules)


def guarddog_one(path: str) -> GuardDogVerdict:
    """Run GuardDog on one local artifact. It extracts and pattern-matches; it never installs."""
    try:
        done = subprocess.run(
            [str(GUARDDOG), "pypi", "scan", path, "--output-format", "json"],
            capture_output=True,
            text=True,
            timeout=GUARDDOG_TIMEOUT,
            check=False,
            cwd=tempfile.gettempdir(),
        )
    except subprocess.TimeoutExpired:
        return GuardDogVerdict(path=path, issues=0, label="error", rules=(), error="timeout")
    return guarddog_verdict(path, done.stdout, done.returncode, done.stderr)


def ensure_guarddog() -> None:
    """Create the GuardDog venv and install GuardDog from PyPI if needed."""
    if GUARDDOG.exists():
        return
    print("installing guarddog into", GUARDDOG_VENV, file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(GUARDDOG_VENV)], check=True)
    subprocess.run(
        [str(GUARDDOG_VENV / "bin" / "pip"), "install", "--quiet", "guarddog"], check=True
    )


def guarddog_version() -> str:
    """The installed GuardDog version."""
    done = subprocess.run(
        [
            str(GUARDDOG_VENV / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('guarddog'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def run_guarddog(paths: Sequence[str], jobs: int) -> tuple[float, list[GuardDogVerdict]]:
    """GuardDog on every path, ``jobs`` at a time; wall seconds and verdicts."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        verdicts = list(pool.map(guarddog_one, paths))
    return time.perf_counter() - started, verdicts


# ---------------------------------------------------------------- scoring


def compressed_size(paths: Iterable[str]) -> int:
    """Bytes on disk of the artifacts."""
    return sum(Path(p).stat().st_size for p in paths)


def depvet_report(
    name: str,
    paths: Sequence[str],
    measured: Measured,
    report: Mapping[str, Any],
    dates: Mapping[str, float | None],
) -> SetReport:
    """Score one depvet run."""
    results = report["results"]
    by_path = {r["artifact"]: r for r in results}
    missing = [p for p in paths if p not in by_path]
    if missing:
        print(
            f"[{name}] {len(missing)} artifacts missing from depvet's report, e.g. {missing[0]}",
            file=sys.stderr,
        )
    verdicts = [by_path[p]["verdict"] if p in by_path else "error" for p in paths]
    set_report = SetReport(
        tool="depvet",
        name=name,
        tally=tally(verdicts),
        seconds=measured.seconds,
        compressed_bytes=compressed_size(paths),
        uncompressed_bytes=int(report["summary"]["bytes"]),
        peak_tree_rss=measured.peak_tree_rss,
        peak_process_rss=measured.peak_process_rss,
        extra={
            "depvet_seconds": report["summary"]["seconds"],
            "results_with_errors": report["summary"]["errors"],
        },
    )
    if name == "malicious":
        for split in ("train", "holdout"):
            mine = [
                v
                for p, v in zip(paths, verdicts, strict=True)
                if split_of(dates.get(p), HOLDOUT_CUTOFF) == split
            ]
            set_report.splits[split] = tally(mine)
    else:
        set_report.flagged = [
            {
                "artifact": Path(r["artifact"]).name,
                "verdict": r["verdict"],
                "decided_by": r["decided_by"],
            }
            for r in results
            if r["verdict"] in ("suspicious", "malicious")
        ]
    return set_report


def guarddog_reports(
    name: str,
    paths: Sequence[str],
    seconds: float,
    verdicts: Sequence[GuardDogVerdict],
    dates: Mapping[str, float | None],
) -> list[SetReport]:
    """Score one GuardDog run two ways: by its risk label, and by any issue at all."""

    def by_label(v: GuardDogVerdict) -> str:
        return {"high_risk": "malicious", "suspicious": "suspicious", "error": "error"}.get(
            v.label, "clean"
        )

    def by_issue(v: GuardDogVerdict) -> str:
        if v.label == "error":
            return "error"
        return "malicious" if v.issues else "clean"

    reports = []
    for tool, judge in (("guarddog (risk label)", by_label), ("guarddog (any issue)", by_issue)):
        verdicts_of = {v.path: judge(v) for v in verdicts}
        report = SetReport(
            tool=tool,
            name=name,
            tally=tally(verdicts_of[p] for p in paths),
            seconds=seconds,
            compressed_bytes=compressed_size(paths),
        )
        if name == "malicious":
            for split in ("train", "holdout"):
                report.splits[split] = tally(
                    verdicts_of[p] for p in paths if split_of(dates.get(p), HOLDOUT_CUTOFF) == split
                )
        else:
            report.flagged = [
                {
                    "artifact": Path(v.path).name,
                    "verdict": verdicts_of[v.path],
                    "decided_by": list(v.rules),
                }
                for v in verdicts
                if verdicts_of[v.path] in ("suspicious", "malicious")
            ]
        report.extra["errors"] = [
            {"artifact": Path(v.path).name, "error": v.error} for v in verdicts if v.error
        ][:20]
        reports.append(report)
    return reports


# ---------------------------------------------------------------- printing


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:.0f} MiB"


def table_rows(reports: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """One row per (tool, set) for the printed and the Markdown table."""
    rows = []
    for r in reports:
        t = r["tally"]
        flagged, malicious = t["suspicious"] + t["malicious"], t["malicious"]
        what = "recall" if r["name"] == "malicious" else "FP"
        rows.append(
            [
                r["tool"],
                r["name"],
                str(t["artifacts"]),
                f"{what} {_pct(r['rate_flagged'])} ({flagged})",
                f"{what} {_pct(r['rate_malicious'])} ({malicious})",
                str(t["errors"]),
                f"{r['seconds']:.1f}",
                f"{r['artifacts_per_s']:.1f}",
                f"{r['mb_per_s']:.2f}",
                f"{r['uncompressed_mb_per_s']:.1f}" if "uncompressed_mb_per_s" in r else "-",
                _mib(r.get("peak_tree_rss")),
                f"{r['vs_floor']:.2f}x" if "vs_floor" in r else "-",
            ]
        )
    return rows


HEADER = [
    "tool",
    "set",
    "artifacts",
    "susp.+mal.",
    "malicious",
    "errors",
    "wall s",
    "art/s",
    "MB/s (disk)",
    "MB/s (unpacked)",
    "peak RSS (tree)",
    "vs floor",
]


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> None:
    """A plain fixed-width table on stdout."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    for row in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)))


def print_details(reports: Sequence[Mapping[str, Any]]) -> None:
    """Splits, floors and false positives under the table."""
    for r in reports:
        for split, t in r.get("splits", {}).items():
            print(
                f"  {r['tool']} {r['name']} [{split}]: {t['artifacts']} artifacts, "
                f"recall {_pct(t['rate_flagged'])} susp.+mal., "
                f"{_pct(t['rate_malicious'])} malicious"
            )
        if r.get("floor_seconds"):
            print(
                f"  floor {r['name']}: {r['floor_seconds']:.1f} s, "
                f"{r['floor_artifacts_per_s']:.1f} art/s, "
                f"{r['floor_mb_per_s']:.2f} MB/s; depvet / floor = {r['vs_floor']:.2f}x"
            )
    for r in reports:
        if r["name"] != "malicious" and r["flagged"]:
            print(f"  false positives of {r['tool']} on {r['name']}:")
            for fp in r["flagged"]:
                print(f"    {fp['artifact']}: {fp['verdict']} by {', '.join(fp['decided_by'])}")


# ---------------------------------------------------------------- modes


def machine(runner: Runner = WORKTREE) -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(x.split()[1])
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    probe = subprocess.run(
        [
            str(VENV_PYTHON),
            "-c",
            "from depvet import __version__ as v;"
            "from depvet.detectors.registry import ruleset_version as r;print(v, r())",
        ],
        capture_output=True,
        text=True,
        env=runner.env,
        check=False,
    )
    depvet_version, _, ruleset = probe.stdout.strip().partition(" ")
    if probe.returncode:
        depvet_version, ruleset = "unknown", f"unknown ({probe.stderr.strip()[-200:]})"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "depvet": depvet_version,
        "ruleset": ruleset,
        "revision": runner.revision,
        "load_average": os.getloadavg()[0],
    }


def save(mode: str, payload: Mapping[str, Any]) -> None:
    """Keep one mode's figures for ``--write-docs``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{mode}.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def mode_depvet(
    sets: Mapping[str, list[str]],
    dates: Mapping[str, float | None],
    jobs: int,
    command: str,
    runner: Runner,
    repeat: int = 1,
) -> dict[str, Any]:
    """depvet on every set, with the floor; returns the saved payload.

    With ``repeat`` above 1 each set of the mixed set is scanned and floored that
    many times, alternating, and the medians are reported: one run on a shared
    machine can be off by a fifth. Every run's seconds are saved beside the medians,
    and a set whose verdicts differ between runs is reported as such. The other
    sets, there for their verdicts, are scanned once.
    """
    where = machine(runner)
    reports: list[dict[str, Any]] = []
    for name, paths in sets.items():
        if not paths:
            continue
        out = RESULTS / f"depvet-{name}.json"
        runs: list[tuple[Measured, dict[str, Any]]] = []
        floors: list[tuple[float, int]] = []
        times = repeat if name in MIXED else 1
        for attempt in range(1, times + 1):
            which = f", run {attempt} of {times}" if times > 1 else ""
            print(
                f"[{name}] depvet on {len(paths)} artifacts (--jobs {jobs}{which})…",
                file=sys.stderr,
            )
            runs.append(run_depvet(paths, jobs, out, runner=runner))
            print(f"[{name}] floor{which}…", file=sys.stderr)
            floors.append(run_floor(paths, jobs))
        seconds = [measured.seconds for measured, _ in runs]
        measured, report = runs[median_index(seconds)]
        set_report = depvet_report(name, paths, measured, report, dates)
        set_report.peak_tree_rss = max(m.peak_tree_rss for m, _ in runs)
        set_report.peak_process_rss = max(m.peak_process_rss for m, _ in runs)
        floor_seconds = [f for f, _ in floors]
        set_report.floor_seconds = floor_seconds[median_index(floor_seconds)]
        set_report.floor_bytes = floors[0][1]
        if times > 1:
            set_report.extra["run_seconds"] = seconds
            set_report.extra["floor_run_seconds"] = floor_seconds
            verdicts = {tuple(r["verdict"] for r in rep["results"]) for _, rep in runs}
            if len(verdicts) > 1:
                print(f"[{name}] verdicts differ between runs", file=sys.stderr)
                set_report.extra["verdicts_differ"] = True
        data = set_report.as_json()
        data["vs_floor"] = floor_multiple(data)
        reports.append(data)
    print_table(table_rows(reports))
    print_details(reports)
    line = repeats_line(reports)
    if line:
        print(line)
    return {
        "command": command,
        "jobs": jobs,
        "machine": where,
        "holdout_cutoff": HOLDOUT_CUTOFF.date().isoformat(),
        "repeat": repeat,
        "reports": reports,
    }


def floor_multiple(report: Mapping[str, Any]) -> float:
    """depvet's time on a set over the floor's.

    For a ``--repeat`` run, the median of each run's own multiple: a scan and the
    floor run right after it share the machine's speed of the moment, so their
    ratio is steadier than the ratio of two medians taken apart.
    """
    runs = report["extra"].get("run_seconds", ())
    floors = report["extra"].get("floor_run_seconds", ())
    if len(runs) > 1 and len(runs) == len(floors):
        paired = [ratio(d, f) for d, f in zip(runs, floors, strict=True)]
        return paired[median_index(paired)]
    return float(report["vs_floor"])


def repeats_line(reports: Sequence[Mapping[str, Any]]) -> str | None:
    """What the repeats of a ``--repeat`` run measured, as one line; None for a single run."""
    repeated = [
        r for r in reports if r["name"] in MIXED and len(r["extra"].get("run_seconds", ())) > 1
    ]
    if not repeated:
        return None
    runs = len(repeated[0]["extra"]["run_seconds"])
    by_set = "; ".join(
        f"{r['name']} depvet "
        + "/".join(f"{s:.1f}" for s in r["extra"]["run_seconds"])
        + " s, floor "
        + "/".join(f"{s:.1f}" for s in r["extra"]["floor_run_seconds"])
        + " s"
        for r in repeated
    )
    multiples = per_run_multiples(
        [(r["extra"]["run_seconds"], r["extra"]["floor_run_seconds"]) for r in repeated]
    )
    differ = [r["name"] for r in reports if r["extra"].get("verdicts_differ")]
    return (
        f"- times are the median of {runs} runs of each set, depvet and floor alternating"
        f" ({by_set}); the whole mixed set took "
        + ", ".join(f"{m:.2f}x" for m in multiples)
        + " the floor's time run by run"
        + (f"; verdicts differed between runs on {', '.join(differ)}" if differ else "")
    )


def mode_guarddog(
    sets: Mapping[str, list[str]],
    dates: Mapping[str, float | None],
    jobs: int,
    command: str,
    runner: Runner,
    population: Mapping[str, int],
    prefix: str = "vs-guarddog",
) -> dict[str, Any]:
    """depvet and GuardDog on the same sample, same parallelism.

    Besides the sample's own totals, each tool's time on the whole mixed set
    (``population``: every set's full size) is estimated from its time per
    artifact on each set's sample; when ``sets`` are the whole sets, the
    estimate is the measurement. Per-artifact outputs are saved under ``prefix``.
    """
    where = machine(runner)
    ensure_guarddog()
    reports: list[dict[str, Any]] = []
    totals = {"depvet": [0.0, 0], "guarddog": [0.0, 0]}
    per_set: dict[str, dict[str, tuple[float, int]]] = {"depvet": {}, "guarddog": {}}
    for name, paths in sets.items():
        if not paths or name == "litellm":
            continue
        print(f"[{name}] depvet on {len(paths)} artifacts…", file=sys.stderr)
        out = RESULTS / f"{prefix}-depvet-{name}.json"
        measured, report = run_depvet(paths, jobs, out, runner=runner)
        reports.append(depvet_report(name, paths, measured, report, dates).as_json())
        print(f"[{name}] guarddog on {len(paths)} artifacts…", file=sys.stderr)
        seconds, verdicts = run_guarddog(paths, jobs)
        (RESULTS / f"{prefix}-guarddog-{name}.json").write_text(
            json.dumps([asdict(v) for v in verdicts], indent=1) + "\n", encoding="utf-8"
        )
        reports.extend(r.as_json() for r in guarddog_reports(name, paths, seconds, verdicts, dates))
        per_set["depvet"][name] = (measured.seconds, len(paths))
        per_set["guarddog"][name] = (seconds, len(paths))
        totals["depvet"][0] += measured.seconds
        totals["guarddog"][0] += seconds
        totals["depvet"][1] += len(paths)
        totals["guarddog"][1] += len(paths)
    print_table(table_rows(reports))
    print_details([r for r in reports if r["tool"] != "guarddog (any issue)"])
    speedup = ratio(totals["guarddog"][0], totals["depvet"][0])
    print(
        f"overall: depvet {throughput(totals['depvet'][1], totals['depvet'][0]):.1f} art/s, "
        f"guarddog {throughput(totals['guarddog'][1], totals['guarddog'][0]):.2f} art/s: "
        f"depvet is {speedup:.1f}x faster"
    )
    whole = {name: population[name] for name in per_set["depvet"]}
    estimated = {tool: estimated_seconds(sets_, whole) for tool, sets_ in per_set.items()}
    speedup_whole = ratio(estimated["guarddog"], estimated["depvet"])
    sampled = any(len(sets[name]) < population[name] for name in per_set["depvet"])
    how = "estimated from the sample" if sampled else "measured"
    print(
        f"on the whole mixed set ({sum(whole.values())} artifacts, {how}): "
        f"depvet {estimated['depvet']:.0f} s, guarddog {estimated['guarddog']:.0f} s: "
        f"depvet is {speedup_whole:.1f}x faster"
    )
    return {
        "command": command,
        "jobs": jobs,
        "machine": where,
        "guarddog": guarddog_version(),
        "holdout_cutoff": HOLDOUT_CUTOFF.date().isoformat(),
        "reports": reports,
        "sampled": sampled,
        "totals": {k: {"seconds": v[0], "artifacts": v[1]} for k, v in totals.items()},
        "speedup": speedup,
        "whole": {
            "artifacts": whole,
            "seconds": estimated,
            "speedup": speedup_whole,
        },
    }


def mode_cache(paths: Sequence[str], jobs: int, command: str, runner: Runner) -> dict[str, Any]:
    """The corpus scanned twice with one fresh cache folder: cold, then cached."""
    where = machine(runner)
    cache_dir = CACHE / "depvet-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    runs = {}
    for label in ("cold", "cached"):
        print(f"[cache] {label} scan of {len(paths)} artifacts…", file=sys.stderr)
        measured, report = run_depvet(
            paths, jobs, RESULTS / f"cache-{label}.json", cache_dir=cache_dir, runner=runner
        )
        runs[label] = {
            "seconds": measured.seconds,
            "artifacts_per_s": throughput(len(paths), measured.seconds),
            "mb_per_s": throughput(compressed_size(paths) / MB, measured.seconds),
            "cached_files": report["summary"]["cached_files"],
            "files": report["summary"]["files"],
            "peak_tree_rss": measured.peak_tree_rss,
        }
        print(
            f"  {label}: {measured.seconds:.1f} s, {runs[label]['artifacts_per_s']:.1f} art/s, "
            f"{runs[label]['cached_files']}/{runs[label]['files']} files from cache"
        )
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {
        "command": command,
        "jobs": jobs,
        "machine": where,
        "artifacts": len(paths),
        "runs": runs,
    }


# ---------------------------------------------------------------- docs


def _load(mode: str) -> dict[str, Any] | None:
    path = RESULTS / f"{mode}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _md_machine(run: Mapping[str, Any]) -> str:
    m = run["machine"]
    return (
        f"Run {m['date']} with `{run['command']}` (`--jobs {run['jobs']}`) on {m['nproc']} cores "
        f"({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}; depvet {m['depvet']}, "
        f"rule set `{m['ruleset']}`, source `{m.get('revision', 'worktree')[:12]}`; "
        f"load average {m.get('load_average', 0):.1f} at the start."
    )


DOCS_INTRO = """\
# Benchmarks

Generated by `python -m benchmarks.run --write-docs` from the last saved runs in
`benchmarks/results/`. The figures are those of the rules at the time of each run.

- **recall** (malicious corpus, `../shared/corpus/pypi-malicious`): share judged
  suspicious-or-malicious, and malicious only. An artifact depvet could not read
  counts as a miss.
- **FP** (benign sets: the sdist and one wheel of 626 of the most downloaded PyPI
  projects, fetched by `python -m benchmarks.fetch_benign`): share of benign
  artifacts flagged.
- **unseen** (`unseen-sdist`, `unseen-wheel`): the sdist and one wheel of the popular
  projects ranked as high as that list's that it leaves out (about 580, fetched by
  `python -m benchmarks.fetch_benign --unseen`): rules were written without looking at
  them, so their false positives say how depvet does on popular code it has not seen.
  Any other set (`--set NAME=DIR`, e.g. a further stretch of the ranking fetched with
  `fetch_benign --unseen --ranks A-B --into DIR`) is a folder of benign artifacts,
  scored the same way.
- **holdout**: corpus artifacts whose newest member mtime is on or after
  {cutoff} (about {fraction} of the corpus). Rule tuning must not look at them.
- **throughput**: wall time of the `depvet scan --no-cache` process; MB/s (disk)
  is compressed artifact bytes, MB/s (unpacked) the uncompressed bytes depvet read.
  **floor**: decompressing and sha256-hashing every member with the same number of
  processes, members of archives nested in an artifact included (opened three levels
  deep, as depvet opens them); *vs floor* is depvet's time over the floor's (target ≤ 3x).
  **peak RSS (tree)**: the largest sum of resident memory of depvet and its
  workers, sampled from /proc every 100 ms
  (each process's own peak, VmHWM, is exact).
"""

GUARDDOG_INTRO = """\
The same stratified random sample (seed fixed) for both tools, the same number of
parallel processes (GuardDog: one `guarddog pypi scan FILE --output-format json`
per artifact). GuardDog is scored two ways: by its own risk label (`suspicious` →
suspicious, `high_risk` → malicious) and by any issue at all (every finding
counted as a flag).
"""


_KEPT = re.compile(r"<!-- ([a-z-]+) -->\n.*?<!-- /\1 -->\n?", re.DOTALL)


def kept_sections(text: str) -> str:
    """Sections other benchmarks write (between ``<!-- name -->`` markers), kept as they are."""
    blocks = [match.group(0).rstrip("\n") for match in _KEPT.finditer(text)]
    return "".join(f"\n{block}\n" for block in blocks)


def _seconds_by_set(reports: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Each set's wall seconds by tool ("depvet", "guarddog"), in report order."""
    found: dict[str, dict[str, float]] = {}
    for r in reports:
        tool = "guarddog" if r["tool"].startswith("guarddog") else r["tool"]
        found.setdefault(r["name"], {})[tool] = r["seconds"]
    return found


def render_docs() -> str:
    """docs/benchmarks.md from the saved results."""
    parts = [DOCS_INTRO.format(cutoff=HOLDOUT_CUTOFF.date(), fraction=_pct(HOLDOUT_FRACTION))]
    full = _load("full")
    if full:
        parts += ["## depvet on every set", "", _md_machine(full), ""]
        parts += [_md_table(HEADER, table_rows(full["reports"])), ""]
        for r in full["reports"]:
            for split, t in r.get("splits", {}).items():
                parts.append(
                    f"- {r['name']} **{split}**: {t['artifacts']} artifacts, "
                    f"recall {_pct(t['rate_flagged'])}"
                    f" suspicious-or-malicious, {_pct(t['rate_malicious'])} malicious"
                )
        for r in full["reports"]:
            if r.get("floor_seconds"):
                parts.append(
                    f"- floor on {r['name']}: {r['floor_artifacts_per_s']:.1f} art/s, "
                    f"{r['floor_mb_per_s']:.2f} MB/s;"
                    f" depvet takes {r['vs_floor']:.2f}x the floor's time"
                )
        mixed = [r for r in full["reports"] if r["name"] in MIXED and r.get("floor_seconds")]
        if mixed:
            depvet_s = sum(r["seconds"] for r in mixed)
            floor_s = sum(r["floor_seconds"] for r in mixed)
            names = ", ".join(r["name"] for r in mixed)
            count = sum(r["tally"]["artifacts"] for r in mixed)
            repeated = [
                (r["extra"]["run_seconds"], r["extra"]["floor_run_seconds"])
                for r in mixed
                if len(r["extra"].get("run_seconds", ())) > 1
            ]
            if repeated and len(repeated) == len(mixed):
                multiples = per_run_multiples(repeated)
                multiple = multiples[median_index(multiples)]
                how = ", the median of the runs' own multiples"
            else:
                multiple, how = ratio(depvet_s, floor_s), ""
            parts.append(
                f"- the whole mixed set ({names}: {count} artifacts): depvet {depvet_s:.1f} s,"
                f" floor {floor_s:.1f} s; depvet takes **{multiple:.2f}x** the"
                f" floor's time{how} (target ≤ 3x)"
            )
        line = repeats_line(full["reports"])
        if line:
            parts.append(line)
        parts += ["", "### False positives", ""]
        any_fp = False
        for r in full["reports"]:
            for fp in r["flagged"] if r["name"] != "malicious" else []:
                any_fp = True
                parts.append(
                    f"- `{fp['artifact']}` ({r['name']}): {fp['verdict']}, decided by "
                    + ", ".join(f"`{x}`" for x in fp["decided_by"])
                )
        if not any_fp:
            parts.append("None.")
        parts.append("")
    vs = _load("guarddog")
    if vs:
        parts += [
            "## depvet versus GuardDog",
            "",
            _md_machine(vs) + f" GuardDog {vs['guarddog']}.",
            "",
            GUARDDOG_INTRO,
            "",
            _md_table(HEADER[:9], [row[:9] for row in table_rows(vs["reports"])]),
            "",
            f"Overall depvet is **{vs['speedup']:.1f}x** faster than GuardDog on this sample"
            " (target ≥ 10x).",
            "",
        ]
        whole = vs.get("whole")
        if whole:
            counts = ", ".join(f"{n} {name}" for name, n in whole["artifacts"].items())
            parts += [
                "On the whole mixed set the benchmark scans "
                f"({sum(whole['artifacts'].values())} artifacts: {counts}), each tool's time"
                " is estimated from its time per artifact on each set's sample (the sample"
                " over-weights the popular sdists, where both tools spend most): depvet"
                f" {whole['seconds']['depvet']:.0f} s, GuardDog"
                f" {whole['seconds']['guarddog']:.0f} s, depvet **{whole['speedup']:.1f}x**"
                " faster. depvet's start-up, paid once per set in the sample, is scaled with"
                " the rest, so this errs in GuardDog's favour.",
                "",
            ]
    whole_run = _load("guarddog-whole")
    if whole_run:
        counts = ", ".join(
            f"{r['tally']['artifacts']} {r['name']}"
            for r in whole_run["reports"]
            if r["tool"] == "depvet"
        )
        depvet_s = whole_run["totals"]["depvet"]["seconds"]
        guarddog_s = whole_run["totals"]["guarddog"]["seconds"]
        parts += [
            "## depvet versus GuardDog on the whole mixed set",
            "",
            _md_machine(whole_run) + f" GuardDog {whole_run['guarddog']}.",
            "",
            f"Every artifact of the mixed set ({counts}), no sample: each tool scans each set"
            " in turn, with the same number of parallel processes, scored as above.",
            "",
            _md_table(HEADER[:9], [row[:9] for row in table_rows(whole_run["reports"])]),
            "",
            f"On the whole mixed set depvet took {depvet_s:.0f} s and GuardDog"
            f" {guarddog_s:.0f} s: depvet is **{whole_run['speedup']:.1f}x** faster"
            " (target ≥ 10x), measured. By set: "
            + ", ".join(
                f"{name} {ratio(seconds['guarddog'], seconds['depvet']):.1f}x"
                for name, seconds in _seconds_by_set(whole_run["reports"]).items()
            )
            + ".",
            "",
        ]
    cache = _load("cache")
    if cache:
        parts += ["## Cold versus cached", "", _md_machine(cache), ""]
        rows = [
            [
                label,
                f"{r['seconds']:.1f}",
                f"{r['artifacts_per_s']:.1f}",
                f"{r['mb_per_s']:.2f}",
                f"{r['cached_files']}/{r['files']}",
                _mib(r["peak_tree_rss"]),
            ]
            for label, r in cache["runs"].items()
        ]
        parts += [
            f"The malicious corpus ({cache['artifacts']} artifacts) scanned twice with one"
            " fresh `--cache-dir`.",
            "",
            _md_table(
                ["run", "wall s", "art/s", "MB/s (disk)", "files from cache", "peak RSS (tree)"],
                rows,
            ),
            "",
        ]
    env = _load("env-memory")
    if env:
        parts += ["## Scanning a large environment", "", _md_machine(env), ""]
        rows = [
            [
                label,
                f"{r['seconds']:.1f}",
                _mib(r["peak_tree_rss"]),
                _mib(r["peak_process_rss"]),
                str(r["artifacts"]),
            ]
            for label, r in env["runs"].items()
        ]
        parts += [
            f"A throwaway virtual environment of {env['environment_mib']:.0f} MiB"
            f" ({env['what']}), scanned by `depvet scan VENV` with a fresh cache folder,"
            " then again with the cache warm (target < 1 GiB).",
            "",
            _md_table(
                ["run", "wall s", "peak RSS (tree)", "peak RSS (one process)", "packages"], rows
            ),
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


# ---------------------------------------------------------------- main


def named_folder(text: str) -> tuple[str, Path]:
    """``NAME=DIR`` as (NAME, DIR): an extra benign set, named unlike the built-in ones."""
    name, sep, folder = text.partition("=")
    name = name.strip()
    if not sep or not name or not folder:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=DIR")
    if name in SET_DIRS:
        raise argparse.ArgumentTypeError(f"{name!r} is a built-in set; choose another name")
    return name, Path(folder)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for every tool (default: CPUs)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help="N malicious and N/2 of each benign set, stratified, fixed seed "
        "(default: all; with --vs-guarddog 200)",
    )
    parser.add_argument(
        "--vs-guarddog", action="store_true", help="compare with GuardDog on the same sample"
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help="with --vs-guarddog: every artifact of the mixed set, no sample "
        "(GuardDog then takes about 45 min on 2 cores)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="scan and floor each set N times, alternating, and report the medians (default: 1)",
    )
    parser.add_argument(
        "--cache", action="store_true", help="time a cold and a cached scan of the corpus"
    )
    parser.add_argument(
        "--no-fetch", action="store_true", help="do not fetch the benign artifacts first"
    )
    parser.add_argument(
        "--rev",
        default="worktree",
        help="scan with depvet's src/ as of this commit (e.g. HEAD), exported with git archive; "
        "default: the working tree",
    )
    parser.add_argument(
        "--set",
        dest="extra_sets",
        action="append",
        type=named_folder,
        default=[],
        metavar="NAME=DIR",
        help="also scan the artifacts below DIR as a benign set NAME (repeatable)",
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="render docs/benchmarks.md from the saved results"
    )
    args = parser.parse_args(argv)
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])

    runner = snapshot(args.rev)
    if not args.no_fetch and not args.cache:
        print("fetching benign artifacts (resumable)…", file=sys.stderr)
        fetch_benign.fetch_all()
        fetch_benign.fetch_all(unseen=True)
    sets = discover(dict(args.extra_sets))
    dates = corpus_dates(sets["malicious"], args.jobs) if "malicious" in sets else {}
    if dates:
        dated = [d for d in dates.values() if d is not None]
        suggested = cutoff_for_fraction(dated, HOLDOUT_FRACTION)
        holdout = sum(1 for d in dates.values() if split_of(d, HOLDOUT_CUTOFF) == "holdout")
        print(
            f"holdout cut-off {HOLDOUT_CUTOFF.date()} (fixed): {holdout}/{len(dates)} artifacts "
            f"({_pct(ratio(holdout, len(dates)))}) in the holdout, "
            f"{len(dates) - len(dated)} undated (count as train); "
            f"a {_pct(HOLDOUT_FRACTION)} cut-off today would be {suggested.date()}",
            file=sys.stderr,
        )

    if args.cache:
        if "malicious" not in sets:
            print("the corpus is absent: nothing to time", file=sys.stderr)
            return 0
        save("cache", mode_cache(sets["malicious"], args.jobs, command, runner))
    elif args.vs_guarddog:
        population = {name: len(paths) for name, paths in sets.items()}
        if args.whole:
            chosen = {name: sets[name] for name in MIXED if name in sets}
        else:
            n = args.sample or GUARDDOG_SAMPLE["malicious"]
            sizes = {"malicious": n, "benign-sdist": n // 2, "benign-wheel": n // 2}
            chosen = sample_sets(sets, sizes, dates)
        prefix = "vs-guarddog-whole" if args.whole else "vs-guarddog"
        save(
            "guarddog-whole" if args.whole else "guarddog",
            mode_guarddog(chosen, dates, args.jobs, command, runner, population, prefix),
        )
    else:
        if args.sample:
            sizes = {
                "malicious": args.sample,
                "benign-sdist": args.sample // 2,
                "benign-wheel": args.sample // 2,
            }
            sets = sample_sets(sets, sizes, dates)
        payload = mode_depvet(sets, dates, args.jobs, command, runner, max(1, args.repeat))
        save("full" if not args.sample else "sample", payload)
    if args.write_docs:
        kept = kept_sections(DOCS.read_text("utf-8") if DOCS.exists() else "")
        DOCS.write_text(render_docs() + kept, encoding="utf-8")
        print(f"wrote {DOCS.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
