"""How fast depvet audits inventories: a 500-package lockfile, and an environment.

    python -m benchmarks.audit [--site PATH] [--repeat N]

1. Imports the PyPA advisory database (../shared/advisories/pypa-advisory-db)
   into a fresh store, writes a 500-package pinned requirements file whose
   names are the database's own (so many pins are affected), and times
   `depvet scan --format json` on it as a whole process, start-up included
   (target: under 1 s).
2. Times the detector scan of an environment (scan() of its targets) against
   the whole `depvet scan` pipeline (collect, scan, lockfile read, audit) on
   the same targets, with a warm cache both times (target: the audit adds
   at most 10%).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PYPA = REPO.parent / "shared" / "advisories" / "pypa-advisory-db"


def _pins(count: int) -> list[tuple[str, str]]:
    """``count`` pins named after advisories in the database, versions from their ranges."""
    rng = random.Random(20241001)  # noqa: S311 - a reproducible sample, not a secret
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in sorted(PYPA.rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for affected in record.get("affected", []):
            name = affected.get("package", {}).get("name")
            versions = [str(v) for v in affected.get("versions", [])]
            if name and versions and name not in seen:
                seen.add(name)
                found.append((name, rng.choice(versions)))
        if len(found) >= count:
            break
    return found[:count]


def audit_lockfile(repeat: int) -> dict[str, float]:
    """Seconds for a whole `depvet scan` of a 500-pin requirements file."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DEPVET_DATA_DIR": tmp, "DEPVET_CACHE_DIR": f"{tmp}/cache"}
        depvet = [sys.executable, "-m", "depvet"]
        subprocess.run(
            [*depvet, "db", "import", str(PYPA)], env=env, check=True, capture_output=True
        )
        lockfile = Path(tmp, "requirements.txt")
        pins = _pins(500)
        lockfile.write_text("".join(f"{n}=={v}\n" for n, v in pins))
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            done = subprocess.run(
                [*depvet, "scan", "--format", "json", str(lockfile)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - started)
        results = json.loads(done.stdout)["results"]
        affected = sum(1 for r in results if r["advisories"])
    return {
        "packages": len(pins),
        "affected": affected,
        "median_s": statistics.median(times),
        "min_s": min(times),
    }


def audit_environment(site: Path, repeat: int) -> dict[str, float]:
    """Detector scan alone versus the whole pipeline, warm cache, same targets."""
    from depvet.advisories.store import AdvisoryStore
    from depvet.audit import AuditContext
    from depvet.run import collect, run
    from depvet.scan import ScanOptions, scan

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DEPVET_DATA_DIR"] = tmp
        options = ScanOptions(cache_dir=Path(tmp, "cache"))
        collected = collect([str(site)])
        scan(collected.targets, options)  # warm the cache
        bare, full = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            scan(collected.targets, options)
            bare.append(time.perf_counter() - started)
            store = AdvisoryStore()
            started = time.perf_counter()
            run(collect([str(site)]), options, AuditContext(store=store))
            full.append(time.perf_counter() - started)
            store.close()
    b, f = statistics.median(bare), statistics.median(full)
    return {
        "packages": len(collected.targets),
        "detector_s": b,
        "pipeline_s": f,
        "overhead_pct": 100 * (f - b) / b,
    }


def main() -> int:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not PYPA.is_dir():
        print(f"{PYPA} is absent; nothing to measure", file=sys.stderr)
        return 1
    lock = audit_lockfile(args.repeat)
    print(
        f"500-package lockfile audit: {lock['affected']:.0f} of {lock['packages']:.0f} "
        f"affected; whole process median {lock['median_s']:.2f} s (min {lock['min_s']:.2f} s)"
    )
    envr = audit_environment(args.site, args.repeat)
    print(
        f"environment {args.site} ({envr['packages']:.0f} packages): detector scan "
        f"{envr['detector_s']:.2f} s, whole pipeline {envr['pipeline_s']:.2f} s, "
        f"audit adds {envr['overhead_pct']:.1f}%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
