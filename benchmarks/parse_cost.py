"""What CPython's parser alone costs, next to the bare floor, on the benchmark's sets.

    python -m benchmarks.parse_cost [--jobs N] [--sample N] [--write-docs]

depvet's rules read Python as syntax trees. This measures the least that costs:
``ast.parse`` of every ``.py`` member of each sampled artifact (top-level members
only, files up to depvet's parse limit), with no analysis at all, next to the
floor of ``benchmarks.run`` (decompress and sha256 every member, nested archives
included) on the same artifacts, in the same worker processes. Nothing parsed
is compiled to code or run.

When parsing alone takes more than three times the floor, no scanner that parses
every Python file can stay within three times the floor; depvet parses only the
files whose words say a rule could match.
"""

from __future__ import annotations

import ast
import contextlib
import io
import multiprocessing
import sys
import tarfile
import time
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.archives import floor_one
from benchmarks.metrics import ratio, stratified_sample
from benchmarks.run import DOCS, SEED, discover, machine
from benchmarks.sections import sampled_main
from depvet.detectors.pysource import MAX_AST_BYTES

BEGIN, END = "<!-- parse-cost -->", "<!-- /parse-cost -->"
SETS = ("malicious", "benign-sdist", "benign-wheel")


@dataclass(frozen=True, slots=True, kw_only=True)
class Cost:
    """One artifact: the floor's seconds, and the parser's on its Python files."""

    floor: float
    parse: float
    files: int
    bytes: int


def python_members(path: str) -> list[bytes]:
    """The ``.py`` members of a tar or zip artifact (read in memory, never extracted)."""
    found: list[bytes] = []
    try:
        data = Path(path).read_bytes()
        if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.filename.endswith(".py") and info.file_size <= MAX_AST_BYTES:
                        found.append(archive.read(info))
            return found
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            for member in tar:
                if member.isfile() and member.name.endswith(".py"):
                    handle = tar.extractfile(member)
                    if handle is not None and member.size <= MAX_AST_BYTES:
                        found.append(handle.read())
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return found
    return found


def cost_one(path: str) -> Cost:
    """Time the floor, then ``ast.parse`` of each Python member, of one artifact."""
    started = time.perf_counter()
    floor_one(path)
    floor = time.perf_counter() - started
    sources = python_members(path)
    parse = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in sources:
            started = time.perf_counter()
            with contextlib.suppress(SyntaxError, ValueError, RecursionError, MemoryError):
                ast.parse(source)
            parse += time.perf_counter() - started
    return Cost(floor=floor, parse=parse, files=len(sources), bytes=sum(map(len, sources)))


def run(jobs: int, sample: int) -> dict[str, Any]:
    """The parse cost of each set's sample, summed over its artifacts."""
    sets = discover()
    rows: dict[str, dict[str, float]] = {}
    with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
        for name in SETS:
            if name not in sets:
                continue
            paths = stratified_sample({name: sets[name]}, {name: sample}, SEED)[name]
            print(f"[{name}] {len(paths)} artifacts…", file=sys.stderr)
            costs: list[Cost] = pool.map(cost_one, paths, chunksize=4)
            floor = sum(c.floor for c in costs)
            parse = sum(c.parse for c in costs)
            rows[name] = {
                "artifacts": len(paths),
                "files": sum(c.files for c in costs),
                "mb": sum(c.bytes for c in costs) / 1_000_000,
                "floor_s": floor,
                "parse_s": parse,
                "parse_vs_floor": ratio(parse, floor),
            }
    return {"jobs": jobs, "sample": sample, "machine": machine(), "sets": rows}


def render(result: dict[str, Any]) -> str:
    """The docs section."""
    m = result["machine"]
    lines = [
        BEGIN,
        "## The parser's own cost",
        "",
        f"Run {m['date']} with `python -m benchmarks.parse_cost --sample {result['sample']}"
        f" --write-docs` (`--jobs {result['jobs']}`) on {m['nproc']} cores, Python"
        f" {m['python']}. `ast.parse` alone of every `.py` member (top-level members"
        " only) of a random sample of each set, next to the floor on the same artifacts in"
        " the same processes. Parsing alone above 3x the floor means no scanner that parses"
        " every Python file can meet the ≤ 3x target; depvet parses only files whose words"
        " say a rule could match.",
        "",
        "| set | artifacts | .py files | MB of Python | floor s | ast.parse s | parse / floor |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in result["sets"].items():
        lines.append(
            f"| {name} | {r['artifacts']} | {r['files']} | {r['mb']:.0f} | {r['floor_s']:.1f}"
            f" | {r['parse_s']:.1f} | {r['parse_vs_floor']:.2f}x |"
        )
    return "\n".join([*lines, "", END])


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, measure, print and optionally write the docs."""
    sample = (200, "artifacts per set")
    return sampled_main(
        argv, "python -m benchmarks.parse_cost", sample, run, render, DOCS, (BEGIN, END)
    )


if __name__ == "__main__":
    raise SystemExit(main())
