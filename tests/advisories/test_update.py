"""``depvet db update`` and the ``db`` command bodies, with the network mocked."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest

from depvet.advisories import commands, update
from depvet.advisories.store import AdvisoryStore
from depvet.errors import Error
from depvet.net import Http, NetworkError


def dump_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "MAL-2026-7.json",
            json.dumps(
                {
                    "id": "MAL-2026-7",
                    "modified": "2026-05-01T00:00:00Z",
                    "affected": [
                        {"package": {"ecosystem": "PyPI", "name": "evil"}, "versions": ["1.0"]}
                    ],
                }
            ),
        )
    return buffer.getvalue()


def serve(content: bytes, status: int = 200) -> Http:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url == httpx.URL(update.OSV_PYPI_URL)
        return httpx.Response(status, content=content)

    return Http(transport=httpx.MockTransport(handle))


def unreachable() -> Http:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    return Http(transport=httpx.MockTransport(handle))


def test_update_downloads_and_imports(store: AdvisoryStore, tmp_path: Path) -> None:
    folder = tmp_path / "dl"
    report = update.update(store, http=serve(dump_bytes()), directory=folder)
    assert report.source == "osv-pypi" and report.inserted == 1
    assert report.location == update.OSV_PYPI_URL
    assert list(folder.iterdir()) == []  # the download is removed
    (match,) = store.match([("evil", "1.0")])[("evil", "1.0")]
    assert match.malicious
    (source,) = (s for s in store.status().sources if s.label == "osv-pypi")
    assert source.location == update.OSV_PYPI_URL


def test_unreachable_network(store: AdvisoryStore, tmp_path: Path) -> None:
    with pytest.raises(NetworkError) as caught:
        update.update(store, http=unreachable(), directory=tmp_path)
    error = caught.value
    assert isinstance(error, Error) and error.reference == "network-unavailable"
    assert "osv-vulnerabilities.storage.googleapis.com" in error.message
    assert "embedded known-bad feed" in error.diagnostics()
    assert list(tmp_path.iterdir()) == []
    # What was there before is still used.
    assert store.match([("litellm", "1.82.8")])[("litellm", "1.82.8")]


def test_http_error_status(store: AdvisoryStore, tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="HTTP 404"):
        update.update(store, http=serve(b"", status=404), directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_size_limit(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="larger than 100 bytes"):
        update.download(update.OSV_PYPI_URL, tmp_path, http=serve(b"x" * 1000), max_bytes=100)
    assert list(tmp_path.iterdir()) == []


# --- the command bodies ----------------------------------------------------------------------


def test_db_update_offline_says_what_is_still_used(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(update, "default_http", unreachable)
    code = commands.db_update(f"sqlite:///{tmp_path / 's.sqlite3'}")
    assert code == commands.INCOMPLETE
    err = capsys.readouterr().err
    assert "[network-unavailable]" in err
    assert "still in use" in err and "depvet-known-bad" in err


def test_db_update_online(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(update, "default_http", lambda: serve(dump_bytes()))
    assert commands.db_update(f"sqlite:///{tmp_path / 's.sqlite3'}") == commands.OK
    assert "1 new" in capsys.readouterr().out


def test_db_import_and_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    dump = tmp_path / "all.zip"
    dump.write_bytes(dump_bytes())
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n")
    assert commands.db_import([dump], url) == commands.OK
    assert commands.db_import([str(broken), tmp_path / "missing"], url) == commands.INCOMPLETE
    captured = capsys.readouterr()
    assert "1 new" in captured.out and "skipped" in captured.out
    assert "missing: cannot read" in captured.err
    assert commands.db_status(url, as_json=True) == commands.OK
    status = json.loads(capsys.readouterr().out)
    assert status["malicious"] >= 11
    assert {s["label"] for s in status["sources"]} >= {"depvet-known-bad", str(dump.resolve())}
    assert commands.db_status(url, as_json=False) == commands.OK
    text = capsys.readouterr().out
    assert "advisories" in text and "depvet-known-bad" in text
