"""The proxy in-process (Starlette's test client) in front of a local upstream index."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from depvet.index.simple import JSON_V1, parse_project_page
from depvet.policy import Policy
from depvet.policy.config import Exception_, ProxySettings
from depvet.service.proxy import ProxyConfig, create_app
from tests.builders import make_wheel
from tests.indexserver import LocalIndex
from tests.packages import Served, populate

pytestmark = pytest.mark.enable_socket

JSON_ACCEPT = {"Accept": JSON_V1}


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[LocalIndex, Served]]:
    with LocalIndex() as index:
        yield index, populate(index, tmp_path / "dist")


def client_for(
    index: LocalIndex, tmp_path: Path, policy: Policy | None = None, token: str | None = None
) -> TestClient:
    config = ProxyConfig(
        policy=policy or Policy(),
        upstream=index.url,
        cache_dir=tmp_path / "cache",
        jobs=1,
        token=token,
        upstream_timeout=2.0,
    )
    return TestClient(create_app(config), follow_redirects=False)


def files_of(client: TestClient, project: str) -> list[str]:
    reply = client.get(f"/simple/{project}/", headers=JSON_ACCEPT)
    assert reply.status_code == 200, reply.text
    return [f["filename"] for f in reply.json()["files"]]


def test_pages_pass_through_what_clients_need(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    with client_for(index, tmp_path) as client:
        reply = client.get(f"/simple/{served.clean}/", headers=JSON_ACCEPT)
        assert reply.headers["content-type"].startswith(JSON_V1)
        page = parse_project_page(reply.content, JSON_V1, url=str(reply.url), project=served.clean)
        assert {f.filename for f in page.files} == {
            "tidyutil-1.0.0-py3-none-any.whl",
            "tidyutil-1.0.0.tar.gz",
        }
        for file in page.files:
            assert file.url.startswith(f"http://testserver/files/{file.sha256}/")
            assert file.requires_python == ">=3.8" and file.upload_time is not None
        html = client.get(f"/simple/{served.clean}/")
        assert html.headers["content-type"].startswith("text/html")
        assert "#sha256=" in html.text and 'data-requires-python="&gt;=3.8"' in html.text


def test_names_that_are_not_normalized_redirect(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, _served = upstream
    with client_for(index, tmp_path) as client:
        reply = client.get("/simple/TidyUtil/")
        assert reply.status_code == 301 and reply.headers["location"] == "../tidyutil/"
        assert client.get("/simple/tidyutil").headers["location"] == "./tidyutil/"
        assert client.get("/simple/no-such-project/").status_code == 404


def test_too_new_files_are_hidden_and_refused_if_asked_for(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    with client_for(index, tmp_path) as client:
        assert files_of(client, served.fresh) == ["freshlib-1.0.0-py3-none-any.whl"]
        listed = index.projects["freshlib"][1]
        reply = client.get(f"/files/{listed.sha256}/{listed.path.name}")
        assert reply.status_code == 303 and "too-new" in reply.headers["location"]
    overridden = Policy(cooldown_overrides={"freshlib": dt.timedelta(0)})
    with client_for(index, tmp_path, overridden) as client:
        assert len(files_of(client, served.fresh)) == 2


def test_a_malicious_file_is_scanned_once_and_refused(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    with client_for(index, tmp_path) as client:
        [filename] = files_of(client, served.replica)
        sha = index.projects["pthloader"][0].sha256
        reply = client.get(f"/files/{sha}/{filename}")
        assert reply.status_code == 303
        refused = client.get(reply.headers["location"].replace("../..", ""))
        assert refused.status_code == 403
        assert "pth-dangerous-code" in refused.text
        assert client.get(f"/files/{sha}/{filename}").status_code == 303
        downloads = [r for r in index.requests if r.startswith("/files/")]
        assert downloads == [f"/files/{filename}"]  # fetched once, verdict kept
        health = client.get("/-/health").json()
        assert health["refused"] == 2 and health["status"] == "ok"


def test_a_clean_file_is_served_byte_for_byte(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    with client_for(index, tmp_path) as client:
        files_of(client, served.clean)
        listed = index.projects["tidyutil"][0]
        reply = client.get(f"/files/{listed.sha256}/{listed.path.name}")
        assert reply.status_code == 200 and reply.content == listed.path.read_bytes()
        assert (
            tmp_path / "cache" / "vault" / "verdicts" / listed.sha256[:2] / f"{listed.sha256}.json"
        ).is_file()


@pytest.mark.parametrize("fault", ["bad-json", "bad-html", "error", "slow"])
def test_a_bad_upstream_reply_fails_that_project_only(
    upstream: tuple[LocalIndex, Served], tmp_path: Path, fault: str
) -> None:
    index, served = upstream
    index.faults["freshlib"] = fault
    index.json = fault != "bad-html"
    with client_for(index, tmp_path) as client:
        reply = client.get(
            f"/simple/{served.fresh}/", headers=JSON_ACCEPT if fault != "bad-html" else {}
        )
        assert reply.status_code == 502
        assert reply.text.startswith("depvet proxy: freshlib: ")
        assert client.get(f"/simple/{served.clean}/").status_code == 200


def test_a_file_that_does_not_match_its_hash_is_not_served(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    with client_for(index, tmp_path) as client:
        files_of(client, served.clean)
        index.faults["tidyutil"] = "wrong-hash"
        listed = index.projects["tidyutil"][0]
        reply = client.get(f"/files/{listed.sha256}/{listed.path.name}")
        assert reply.status_code == 502 and "the index says" in reply.text
        assert not list((tmp_path / "cache" / "vault" / "files").glob("*/*/*"))


def test_cached_pages_are_served_while_the_upstream_is_down(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    policy = Policy(proxy=ProxySettings(page_ttl=0))
    with client_for(index, tmp_path, policy) as client:
        before = files_of(client, served.clean)
        index.faults["tidyutil"] = "error"
        assert files_of(client, served.clean) == before
    with client_for(index, tmp_path, policy) as client:  # a restart: the page kept on disk
        assert files_of(client, served.clean) == before


def test_deny_list_and_known_bad_hide_files(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    deny = Exception_(
        package="tidyutil",
        versions=None,
        reason="not here",
        expires=dt.date(2099, 1, 1),
        kind="deny",
    )
    with client_for(index, tmp_path, Policy(deny=(deny,))) as client:
        assert files_of(client, served.clean) == []
    folder = tmp_path / "bad"
    folder.mkdir()
    index.add(make_wheel(folder, "litellm", "1.82.8", {"litellm/__init__.py": ""}))
    index.add(make_wheel(folder, "litellm", "1.82.6", {"litellm/__init__.py": ""}))
    with client_for(index, tmp_path) as client:
        assert files_of(client, "litellm") == [
            "litellm-1.82.6-py3-none-any.whl"
        ]  # 1.82.8: the feed


def test_token_auth(upstream: tuple[LocalIndex, Served], tmp_path: Path) -> None:
    index, served = upstream
    with client_for(index, tmp_path, token="s3cret") as client:
        assert client.get(f"/simple/{served.clean}/").status_code == 401
        assert (
            client.get(
                f"/simple/{served.clean}/", headers={"Authorization": "Bearer s3cret"}
            ).status_code
            == 200
        )
        assert client.get(f"/simple/{served.clean}/", auth=("pip", "s3cret")).status_code == 200
        assert client.get(f"/simple/{served.clean}/", auth=("pip", "wrong")).status_code == 401
        assert client.get("/-/health").status_code == 200


def test_events_are_logged_as_json(
    upstream: tuple[LocalIndex, Served], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index, served = upstream
    with caplog.at_level("INFO", logger="depvet.proxy"), client_for(index, tmp_path) as client:
        files_of(client, served.fresh)
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "depvet.proxy"]
    assert {
        "event": "hidden",
        "project": "freshlib",
        "filename": "freshlib-1.1.0-py3-none-any.whl",
    }.items() <= records[0].items()


def test_core_metadata_passes_through_with_its_hash_checked(
    upstream: tuple[LocalIndex, Served], tmp_path: Path
) -> None:
    index, served = upstream
    with client_for(index, tmp_path) as client:
        reply = client.get(f"/simple/{served.clean}/", headers=JSON_ACCEPT)
        [wheel] = [f for f in reply.json()["files"] if f["filename"].endswith(".whl")]
        listed = index.projects["tidyutil"][0]
        assert listed.metadata is not None
        digest = hashlib.sha256(listed.metadata).hexdigest()
        assert wheel["core-metadata"] == wheel["dist-info-metadata"] == {"sha256": digest}
        metadata = client.get(f"/files/{listed.sha256}/{listed.path.name}.metadata")
        assert metadata.status_code == 200 and metadata.content == listed.metadata
        assert not any(r.endswith(".whl") for r in index.requests)  # the wheel was not fetched
        listed.metadata = b"Metadata-Version: 2.1\nName: evil\n"
        tampered = client.get(f"/files/{listed.sha256}/{listed.path.name}.metadata")
        assert tampered.status_code == 502 and "does not match" in tampered.text
