"""Benchmark ``depvet proxy``: pip through it versus straight from the upstream, and page load.

    python -m benchmarks.proxy [--packages 50] [--seconds 10] [--clients 50] [--write-docs]

1. A local upstream index (``tests.indexserver.LocalIndex``) serves 50
   pure-Python wheels of popular projects from the benign set
   (``python -m benchmarks.fetch_benign`` downloads them).
2. ``pip install --no-deps --no-cache-dir --target DIR -r reqs.txt`` runs
   straight from the upstream and through ``depvet proxy`` after one cold
   pass (every file scanned); the medians of ``--repeat`` runs are compared
   (target: proxy ≤ 1.3× direct).
3. With every page warm, a second process opens ``--clients`` keep-alive
   connections and requests the 50 project pages (PEP 691 JSON) for
   ``--seconds``: requests/s, p50/p99 latency, errors (target ≥ 1,000/s,
   p99 < 50 ms, no errors).
"""

from __future__ import annotations

import argparse
import asyncio
import email.parser
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from benchmarks.sections import write_section
from depvet.index.simple import JSON_V1
from tests.indexserver import LocalIndex

ROOT = Path(__file__).resolve().parent
WHEELS = ROOT / ".cache" / "benign" / "wheel"
RESULTS = ROOT / "results"
DOCS = ROOT.parent / "docs" / "benchmarks.md"
BEGIN, END = "<!-- proxy-benchmark -->", "<!-- /proxy-benchmark -->"


def _runs_here(wheel: Path) -> bool:
    """Whether the wheel's Requires-Python admits this interpreter (read from METADATA)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
        if name is None:
            return False
        metadata = email.parser.BytesHeaderParser().parsebytes(archive.read(name))
    wanted = metadata.get("Requires-Python")
    if not wanted:
        return True
    try:
        return SpecifierSet(wanted).contains(platform.python_version(), prereleases=True)
    except InvalidSpecifier:
        return False


def pick_wheels(count: int) -> list[Path]:
    """``count`` pure-Python wheels under 5 MB that run here, by name, one per project."""
    seen: set[str] = set()
    chosen = []
    for path in sorted(WHEELS.glob("*-none-any.whl")):
        project = path.name.split("-")[0].lower()
        if project in seen or path.stat().st_size > 5 * 1024 * 1024 or not _runs_here(path):
            continue
        seen.add(project)
        chosen.append(path)
        if len(chosen) == count:
            break
    if len(chosen) < count:
        raise SystemExit(
            f"only {len(chosen)} wheels in {WHEELS}; run python -m benchmarks.fetch_benign"
        )
    return chosen


def pip_install(index_url: str, requirements: Path, target: Path) -> float:
    """Seconds for one pip install into a fresh ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-cache-dir", "--quiet"]
    command += ["--disable-pip-version-check", "--index-url", index_url, "--target", str(target)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull  # this machine's pip.conf adds find-links
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "-r", str(requirements)], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pip failed through {index_url}:\n{done.stderr[-2000:]}")
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_proxy(upstream: str, cache: Path, jobs: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DEPVET_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "depvet", "proxy", "--upstream", upstream, "--port", str(port)]
    proxy = subprocess.Popen(
        [*command, "--jobs", str(jobs)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/-/health").status_code == 200:
                return proxy, url
        except httpx.TransportError:
            time.sleep(0.1)
    proxy.kill()
    raise SystemExit("depvet proxy did not start")


# -- the load generator (runs in its own process) ----------------------------------------------


async def _client(
    host: str, port: int, paths: list[str], stop: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    index = 0
    try:
        while time.perf_counter() < stop:
            path = paths[index % len(paths)]
            index += 1
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {JSON_V1}\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"HTTP {status} for {path}")
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        writer.close()


async def _load(url: str, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    stop = started + seconds
    await asyncio.gather(
        *(_client(host, int(port), paths, stop, latencies, errors) for _ in range(clients))
    )
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "seconds": wall,
        "per_second": len(latencies) / wall,
        "p50_ms": 1000 * ordered[len(ordered) // 2] if ordered else None,
        "p99_ms": 1000 * ordered[int(len(ordered) * 0.99)] if ordered else None,
        "max_ms": 1000 * ordered[-1] if ordered else None,
        "errors": len(errors),
        "first_errors": errors[:5],
        "clients": clients,
    }


def load(url: str, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """Run the load generator in a second process and return its figures."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.proxy",
        "--load-from",
        url,
        "--clients",
        str(clients),
    ]
    command += ["--seconds", str(seconds), *paths]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT.parent)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- the benchmark ----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    wheels = pick_wheels(args.packages)
    work = Path(tempfile.mkdtemp(prefix="depvet-proxy-bench-"))
    try:
        requirements = work / "requirements.txt"
        lines = []
        for wheel in wheels:
            name, version = wheel.name.split("-")[:2]
            lines.append(f"{name}=={version}")
        requirements.write_text("\n".join(lines) + "\n")
        with LocalIndex() as index:
            for wheel in wheels:
                index.add(wheel)
            pip_install(index.url, requirements, work / "warmup")  # pip's own imports warm
            direct = [
                pip_install(index.url, requirements, work / "direct") for _ in range(args.repeat)
            ]
            proxy, url = start_proxy(index.url, work / "cache", args.jobs)
            try:
                cold = pip_install(f"{url}/simple/", requirements, work / "cold")
                warm = [
                    pip_install(f"{url}/simple/", requirements, work / "warm")
                    for _ in range(args.repeat)
                ]
                paths = [
                    f"/simple/{w.name.split('-')[0].lower().replace('_', '-')}/" for w in wheels
                ]
                served = load(url, paths, args.clients, args.seconds)
                health = httpx.get(f"{url}/-/health").json()
            finally:
                proxy.terminate()
                proxy.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "packages": len(wheels),
        "direct_s": statistics.median(direct),
        "proxy_cold_s": cold,
        "proxy_warm_s": statistics.median(warm),
        "ratio": statistics.median(warm) / statistics.median(direct),
        "direct_runs": direct,
        "warm_runs": warm,
        "load": served,
        "proxy_health": health,
        "command": "python -m benchmarks.proxy " + " ".join(sys.argv[1:]),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "proxy.json").write_text(json.dumps(result, indent=2))
    return result


def render(result: dict[str, Any]) -> str:
    load_ = result["load"]
    return "\n".join(
        [
            BEGIN,
            "## depvet proxy",
            "",
            f"Run {result['date']} with `{result['command'].strip()}` on {result['machine']}. "
            "The upstream is a local index on loopback serving "
            f"{result['packages']} pure-Python wheels of popular projects; pip installs them "
            "with `--no-deps --no-cache-dir --target` (median of the runs).",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| pip straight from the upstream | {result['direct_s']:.2f} s | |",
            "| pip through the proxy, cold (every file fetched and scanned) | "
            f"{result['proxy_cold_s']:.2f} s | |",
            f"| pip through the proxy, warm | {result['proxy_warm_s']:.2f} s | |",
            f"| warm proxy / direct | {result['ratio']:.2f}x | ≤ 1.3x |",
            f"| simple pages, {load_['clients']} keep-alive clients, second process | "
            f"{load_['per_second']:.0f} requests/s | ≥ 1,000/s |",
            f"| latency p50 / p99 / max | {load_['p50_ms']:.1f} / {load_['p99_ms']:.1f} / "
            f"{load_['max_ms']:.1f} ms | p99 < 50 ms |",
            f"| errors | {load_['errors']} of {load_['requests']} | 0 |",
            "",
            END,
        ]
    )


def write_docs(result: dict[str, Any]) -> None:
    write_section(DOCS, BEGIN, END, render(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--packages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=2, help="the proxy's scanning processes")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--load-from", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_from:
        print(
            json.dumps(asyncio.run(_load(args.load_from, args.paths, args.clients, args.seconds)))
        )
        return
    result = run(args)
    print(render(result))
    if args.write_docs:
        write_docs(result)


if __name__ == "__main__":
    main()
