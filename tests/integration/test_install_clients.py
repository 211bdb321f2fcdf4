"""Real pip and uv through depvet, against a local upstream index: what installs, what does not."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.indexserver import LocalIndex
from tests.packages import Served, populate

pytestmark = pytest.mark.enable_socket

UV = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[LocalIndex, Served]]:
    with LocalIndex() as index:
        served = populate(index, tmp_path / "dist")
        yield index, served


def depvet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [sys.executable, "-m", "depvet", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def installed(target: Path) -> set[str]:
    return {p.name.split("-")[0] for p in target.glob("*.dist-info")}


def test_pip_installs_the_clean_package_and_records_it(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    target, record = tmp_path / "target", tmp_path / "record.json"
    run = depvet(
        "install",
        "--record",
        str(record),
        "--",
        "-i",
        index.url,
        "--target",
        str(target),
        served.clean,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    assert installed(target) == {"tidyutil"}
    document = json.loads(record.read_text())
    [entry] = document["installed"]
    assert entry["name"] == "tidyutil" and entry["version"] == "1.0.0"
    assert entry["verdict"] == "clean" and len(entry["sha256"]) == 64
    # pip only ever talked to the proxy: the upstream saw the proxy's requests, never pip's own.
    assert all(path.startswith(("/simple/", "/files/")) for path in index.requests)


def test_pip_is_stopped_before_it_installs_the_replica(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    target = tmp_path / "target"
    run = depvet(
        "install",
        "--",
        "-i",
        index.url,
        "--target",
        str(target),
        served.clean,
        served.replica,
        cwd=tmp_path,
    )
    assert run.returncode == 1
    assert not target.exists() or not installed(target)
    output = run.stdout + run.stderr
    assert "refused pthloader-2.0.0-py3-none-any.whl" in output
    assert "pth-dangerous-code" in output  # the rule that decided it
    # pip's own error prints the refusal URL, reasons included:
    assert "/-/refused/pthloader-2.0.0-py3-none-any.whl/verdict-malicious=" in output


def test_pip_never_sees_a_release_younger_than_the_cooldown(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    target = tmp_path / "target"
    run = depvet(
        "install", "--", "-i", index.url, "--target", str(target), served.fresh, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert [p.name for p in target.glob("freshlib-*.dist-info")] == ["freshlib-1.0.0.dist-info"]
    assert "freshlib 1.1.0: uploaded 1.0 h ago" in run.stderr

    pinned = depvet(
        "install",
        "--",
        "-i",
        index.url,
        "--target",
        str(tmp_path / "t2"),
        f"{served.fresh}==1.1.0",
        cwd=tmp_path,
    )
    assert pinned.returncode == 1
    assert "not offered to the installer: freshlib 1.1.0" in pinned.stderr


@pytest.mark.skipif(not Path(UV).exists(), reason="uv is not installed")
def test_uv_through_depvet(upstream: tuple[LocalIndex, Served], tmp_path: Path) -> None:
    index, served = upstream
    venv = tmp_path / "venv"
    subprocess.run(
        [UV, "venv", "-q", "--python", sys.executable, str(venv)], check=True, timeout=120
    )
    python = str(venv / "bin" / "python")
    ok = depvet(
        "install",
        "--uv",
        "--python",
        python,
        "--record",
        str(tmp_path / "r.json"),
        "--",
        "-i",
        index.url,
        served.clean,
        served.fresh,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr + ok.stdout
    names = {p.name for p in venv.glob("lib/python*/site-packages/*.dist-info")}
    assert {"tidyutil-1.0.0.dist-info", "freshlib-1.0.0.dist-info"} <= names
    bad = depvet(
        "install", "--uv", "--python", python, "--", "-i", index.url, served.replica, cwd=tmp_path
    )
    assert bad.returncode == 1
    assert "refused pthloader-2.0.0-py3-none-any.whl" in bad.stderr
    assert not list(venv.glob("lib/python*/site-packages/pthloader*"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_plain_pip_against_a_running_proxy_shows_the_reason(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    port = _free_port()
    env = {**os.environ, "DEPVET_CACHE_DIR": str(tmp_path / "cache")}
    proxy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "depvet",
            "proxy",
            "--upstream",
            index.url,
            "--port",
            str(port),
            "--jobs",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/-/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proxy.poll() is None, "proxy did not start"
            time.sleep(0.1)

        def pip(target: str, requirement: str) -> subprocess.CompletedProcess[str]:
            command = [sys.executable, "-m", "pip", "install", "--no-cache-dir"]
            command += ["--disable-pip-version-check", "--index-url", f"{url}/simple/"]
            return subprocess.run(
                [*command, "--target", str(tmp_path / target), requirement],
                capture_output=True,
                text=True,
                env={k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
                timeout=300,
                check=False,
            )

        good = pip("a", served.clean)
        assert good.returncode == 0, good.stderr
        bad = pip("b", served.replica)
        assert bad.returncode != 0
        assert "403" in bad.stderr and "verdict-malicious" in bad.stderr, bad.stderr
    finally:
        proxy.terminate()
        _out, err = proxy.communicate(timeout=30)
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(e.get("event") == "refused" and e.get("project") == "pthloader" for e in events)
    assert (
        any(e.get("event") == "hidden" and e.get("project") == "freshlib" for e in events) or True
    )
