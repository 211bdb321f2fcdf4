"""Peak memory of depvet scanning a large installed environment, cold and warm.

    python -m benchmarks.env_memory [--jobs N] [--write-docs]

Builds a throwaway virtual environment in ``benchmarks/.cache/env-memory-venv``
holding about 1 GB of big wheels (torch and friends; ``--only-binary`` so no
build backend ever runs), then scans it with ``depvet scan VENV`` twice with
one fresh cache folder and reports wall time and the peak resident memory of
depvet's process tree (target: under 1 GiB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import run

VENV = run.CACHE / "env-memory-venv"
PACKAGES = ("torch==2.13.0", "scipy", "pandas")
WHAT = "torch 2.13.0 (CPU), scipy, pandas and their dependencies"


def tree_size(root: Path) -> int:
    """Bytes of the regular files below ``root``."""
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def build_venv() -> None:
    """Create the environment once; wheels only, so nothing downloaded is built or run."""
    if (VENV / "pyvenv.cfg").exists() and (VENV / ".complete").exists():
        return
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [
        str(VENV / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--only-binary",
        ":all:",
    ]
    subprocess.run([*pip, *PACKAGES], check=True)
    (VENV / ".complete").write_text("", encoding="utf-8")


def measure(jobs: int, runner: run.Runner) -> dict[str, Any]:
    """Scan the environment cold and then warm; return the saved payload."""
    cache_dir = run.CACHE / "env-memory-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    runs: dict[str, Any] = {}
    for label in ("cold", "warm"):
        out = run.RESULTS / f"env-memory-{label}.json"
        measured, report = run.run_depvet(
            [str(VENV)], jobs, out, cache_dir=cache_dir, runner=runner
        )
        runs[label] = {
            "seconds": measured.seconds,
            "peak_tree_rss": measured.peak_tree_rss,
            "peak_process_rss": measured.peak_process_rss,
            "artifacts": report["summary"]["artifacts"],
            "files": report["summary"]["files"],
            "cached_files": report["summary"]["cached_files"],
            "by_verdict": report["summary"]["by_verdict"],
        }
        print(
            f"{label}: {measured.seconds:.1f} s, "
            f"peak RSS tree {measured.peak_tree_rss / 2**20:.0f} MiB, "
            f"one process {measured.peak_process_rss / 2**20:.0f} MiB, "
            f"{report['summary']['artifacts']} packages, {report['summary']['cached_files']}/"
            f"{report['summary']['files']} files from cache, "
            f"verdicts {report['summary']['by_verdict']}"
        )
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {"runs": runs}


def main(argv: Sequence[str] | None = None) -> int:
    """Build the environment, measure, save, and optionally render the docs."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.env_memory",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rev", default="worktree", help="as for benchmarks.run")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    runner = run.snapshot(args.rev)
    where = run.machine(runner)
    build_venv()
    size = tree_size(VENV)
    print(f"environment: {VENV} ({size / 2**20:.0f} MiB)")
    payload = measure(args.jobs, runner)
    payload.update(
        command="python -m benchmarks.env_memory "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        jobs=args.jobs,
        machine=where,
        environment_mib=size / 2**20,
        what=WHAT,
    )
    run.save("env-memory", payload)
    if args.write_docs:
        kept = run.kept_sections(run.DOCS.read_text("utf-8") if run.DOCS.exists() else "")
        run.DOCS.write_text(run.render_docs() + kept, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
