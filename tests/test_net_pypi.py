"""The network module and the PyPI client, against recorded replies (no network)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from depvet.net import Http, NetworkError, NotFound
from depvet.pypi import PyPI, ReleaseState

DATA = Path(__file__).parent / "data" / "pypi"
RECORDED = {
    "/pypi/litellm/json": DATA / "litellm-project.json",
    "/pypi/requests/json": DATA / "requests-project.json",
    "/pypi/requests/2.19.0/json": DATA / "requests-2.19.0-release.json",
}

Handler = Callable[[httpx.Request], httpx.Response]


def recorded(request: httpx.Request) -> httpx.Response:
    path = RECORDED.get(request.url.path)
    if path is None:
        return httpx.Response(404, json={"message": "Not Found"})
    return httpx.Response(200, content=path.read_bytes(), headers={"ETag": '"v1"'})


def client(handler: Handler, tmp_path: Path | None = None, **kwargs: object) -> Http:
    return Http(
        transport=httpx.MockTransport(handler),
        cache_dir=tmp_path,
        retries=1,
        **kwargs,  # type: ignore[arg-type]
    )


def test_release_states_from_recorded_replies() -> None:
    pypi = PyPI(client(recorded))
    got = pypi.statuses(
        [
            ("litellm", "1.82.6"),
            ("litellm", "1.82.8"),  # removed by PyPI after the compromise
            ("requests", "2.32.0"),  # yanked
            ("requests", "2.19.0"),  # vulnerable
            ("no-such-project", "1.0"),
        ]
    )
    assert got[("litellm", "1.82.6")].state == ReleaseState.AVAILABLE
    assert got[("litellm", "1.82.8")].state == ReleaseState.REMOVED
    yanked = got[("requests", "2.32.0")]
    assert yanked.state == ReleaseState.YANKED and "CVE-2024-35195" in (yanked.yanked_reason or "")
    vulnerable = got[("requests", "2.19.0")]
    assert [v.id for v in vulnerable.vulnerabilities] == ["PYSEC-2018-28"]  # withdrawn one left out
    assert vulnerable.vulnerabilities[0].fixed == ("2.20.0",)
    assert "CVE-2018-18074" in vulnerable.vulnerabilities[0].aliases
    assert got[("no-such-project", "1.0")].state == ReleaseState.PROJECT_MISSING
    # The per-release reply for 1.82.6 is not recorded: said, not hidden.
    assert "vulnerabilities not checked" in (got[("litellm", "1.82.6")].error or "")


def test_unreachable_network_is_unknown_not_clean() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    status = PyPI(client(down)).status("requests", "2.19.0")
    assert status.state == ReleaseState.UNKNOWN
    assert "cannot connect" in (status.error or "")


def test_cache_revalidates_and_serves_stale_copy_when_down(tmp_path: Path) -> None:
    calls: list[httpx.Request] = []

    def once_then_304(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(200, json={"ok": 1}, headers={"ETag": '"abc"'})
        if len(calls) == 2:
            assert request.headers["If-None-Match"] == '"abc"'
            return httpx.Response(304)
        raise httpx.ConnectError("down", request=request)

    http = client(once_then_304, tmp_path)
    url = "https://index.example.invalid/x"
    assert http.get(url).json() == {"ok": 1}
    second = http.get(url)
    assert second.from_cache and second.json() == {"ok": 1}
    third = http.get(url)
    assert third.stale and third.json() == {"ok": 1}
    assert http.get(url, max_age=3600).from_cache  # fresh enough: not even asked
    assert len(calls) == 4  # the failed request was tried twice (retries=1)


def test_limits_and_errors(tmp_path: Path) -> None:
    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    with pytest.raises(NetworkError, match="limit"):
        client(big, max_bytes=1000).get("https://a.example.invalid/")

    def flaky(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    with pytest.raises(NetworkError, match="HTTP 503"):
        client(flaky).get("https://a.example.invalid/")
    with pytest.raises(NotFound):
        client(recorded).get("https://pypi.org/pypi/nothing/json")

    def not_json(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>")

    with pytest.raises(NetworkError, match="not valid JSON"):
        client(not_json).get("https://a.example.invalid/").json()


def test_download_checks_size_and_hash(tmp_path: Path) -> None:
    payload = b"artifact bytes"

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=payload)

    http = client(serve)
    good = http.download(
        "https://a.example.invalid/f",
        tmp_path / "f",
        max_bytes=100,
        sha256=hashlib.sha256(payload).hexdigest(),
    )
    assert good.read_bytes() == payload
    with pytest.raises(NetworkError, match="sha256"):
        http.download("https://a.example.invalid/f", tmp_path / "g", max_bytes=100, sha256="0" * 64)
    with pytest.raises(NetworkError, match="larger"):
        http.download("https://a.example.invalid/f", tmp_path / "h", max_bytes=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # nothing half-written


def test_recorded_replies_are_real_pypi_shapes() -> None:
    project = json.loads((DATA / "litellm-project.json").read_text())
    assert {"info", "releases", "urls", "vulnerabilities"} <= set(project)
    assert "1.82.8" not in project["releases"]
