"""The advisory store: importing, upserting, hostile dumps, status, batched matching."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from depvet.advisories import feed
from depvet.advisories.reader import ZipLimits
from depvet.advisories.store import AdvisoryStore, default_url
from depvet.errors import AdvisoryError, StoreError, UnsafeArchive
from depvet.model import PackageRef, PinKind


def osv(record_id: str, modified: str = "2024-01-01T00:00:00Z", **fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": record_id,
        "modified": modified,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": fields.pop("name", "Some_Pkg")},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}
                ],
            }
        ],
    }
    document.update(fields)
    return document


def write_json(folder: Path, document: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{document['id']}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_default_url_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'advisories.sqlite3'}"
    monkeypatch.setenv("DEPVET_DB_URL", "sqlite:///elsewhere.sqlite3")
    assert default_url() == "sqlite:///elsewhere.sqlite3"
    assert AdvisoryStore().url == "sqlite:///elsewhere.sqlite3"
    assert AdvisoryStore("sqlite://").url == "sqlite://"


def test_constructor_touches_nothing(tmp_path: Path) -> None:
    AdvisoryStore(f"sqlite:///{tmp_path / 'nested' / 'db.sqlite3'}")
    assert not (tmp_path / "nested").exists()


def test_default_store_lives_in_the_data_dir(tmp_path: Path) -> None:
    with AdvisoryStore() as store:
        store.status()
    assert (tmp_path / "data" / "advisories.sqlite3").is_file()


def test_import_whole_pypa_database(pypa_vulns: Path, pypa_store: AdvisoryStore) -> None:
    files = list(pypa_vulns.rglob("*.yaml"))
    status = pypa_store.status()
    feed_records = len(feed.records())
    assert status.advisories == len(files) + feed_records
    assert status.withdrawn == 10
    assert status.malicious == feed_records
    assert status.packages >= len({f.parent.name for f in files})
    pypa = next(s for s in status.sources if s.label == "pypa")
    assert pypa.records == len(files) and pypa.invalid == 0
    assert pypa.newest_modified is not None and status.last_import is not None
    assert status.to_json()["sources"][1]["label"] == "pypa"


def test_reimport_is_idempotent(pypa_vulns: Path, pypa_store: AdvisoryStore) -> None:
    report = pypa_store.import_path(pypa_vulns / "jinja2", source="pypa-jinja2")
    assert report.read > 0 and report.unchanged == report.read
    assert report.inserted == report.updated == 0


def test_newer_modified_wins(store: AdvisoryStore, tmp_path: Path) -> None:
    old = write_json(tmp_path / "a", osv("PYSEC-1", "2024-01-01T00:00:00Z", summary="old"))
    new = write_json(tmp_path / "b", osv("PYSEC-1", "2024-06-01T00:00:00Z", summary="new"))
    assert store.import_path(old).inserted == 1
    report = store.import_path(new)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert store.match([("some-pkg", "1.0")])[("some-pkg", "1.0")][0].summary == "new"
    assert store.import_path(old).unchanged == 1  # older never replaces newer
    assert store.match([("some-pkg", "1.0")])[("some-pkg", "1.0")][0].summary == "new"


def test_update_replaces_affected_rows(store: AdvisoryStore, tmp_path: Path) -> None:
    store.import_path(write_json(tmp_path / "a", osv("PYSEC-1")))
    moved = osv("PYSEC-1", "2025-01-01T00:00:00Z", name="renamed")
    store.import_path(write_json(tmp_path / "b", moved))
    result = store.match([("some-pkg", "1.0"), ("renamed", "1.0")])
    assert result[("some-pkg", "1.0")] == []
    assert [m.id for m in result[("renamed", "1.0")]] == ["PYSEC-1"]


def test_invalid_records_are_skipped_and_reported(store: AdvisoryStore, tmp_path: Path) -> None:
    folder = tmp_path / "vulns"
    write_json(folder / "ok", osv("PYSEC-1"))
    (folder / "bad").mkdir()
    (folder / "bad" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "bad" / "noid.json").write_text('{"modified": "2024-01-01T00:00:00Z"}')
    (folder / "bad" / "badversion.yaml").write_text(
        "id: PYSEC-2\nmodified: 2024-01-01T00:00:00Z\naffected:\n"
        "- package: {ecosystem: PyPI, name: some-pkg}\n  ranges:\n  - type: ECOSYSTEM\n"
        "    events: [{introduced: '0'}, {fixed: 'not.a.version!'}]\n  versions: ['0.5']\n",
        encoding="utf-8",
    )
    (folder / "README.md").write_text("not a record")
    report = store.import_path(folder)
    assert report.read == 2 and report.inserted == 2
    assert report.invalid == 2
    assert {Path(e.path or "").name for e in report.errors} == {"broken.yaml", "noid.json"}
    assert all(e.reference == "advisory-invalid" for e in report.errors)
    assert any("not.a.version!" in w for w in report.warnings)
    result = store.match([("some-pkg", "0.5"), ("some-pkg", "1.5")])
    assert [m.id for m in result[("some-pkg", "0.5")]] == ["PYSEC-1", "PYSEC-2"]
    assert [m.id for m in result[("some-pkg", "1.5")]] == ["PYSEC-1"]
    source = next(s for s in store.status().sources if s.location == str(folder))
    assert (source.records, source.invalid) == (2, 2)


def test_single_file_and_missing_path(store: AdvisoryStore, tmp_path: Path) -> None:
    path = write_json(tmp_path, osv("PYSEC-1"))
    assert store.import_path(path, source="one").inserted == 1
    with pytest.raises(AdvisoryError, match="cannot read"):
        store.import_path(tmp_path / "missing.zip")


def test_withdrawn_records_are_stored_but_never_match(store: AdvisoryStore, tmp_path: Path) -> None:
    write_json(tmp_path / "v", osv("PYSEC-1", withdrawn="2024-02-01T00:00:00Z"))
    store.import_path(tmp_path / "v")
    assert store.match([("some-pkg", "1.0")]) == {("some-pkg", "1.0"): []}
    assert store.status().withdrawn == 1


def test_aliases_merge_in_the_store(store: AdvisoryStore, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    write_json(folder, osv("PYSEC-1", aliases=["CVE-1", "GHSA-1"]))
    write_json(folder, osv("GHSA-1", aliases=["CVE-1"]))
    write_json(folder, osv("MAL-1", name="evil"))
    store.import_path(folder)
    result = store.match([("some-pkg", "1.0"), ("Evil", "0.1"), ("evil", "3.0")])
    (merged,) = result[("some-pkg", "1.0")]
    assert merged.id == "PYSEC-1" and set(merged.aliases) == {"CVE-1", "GHSA-1"}
    assert merged.fixed == ("2.0",)
    (bad,) = result[("Evil", "0.1")]
    assert bad.malicious and bad.id == "MAL-1"
    assert result[("evil", "3.0")] == []


def test_zip_import(store: AdvisoryStore, tmp_path: Path) -> None:
    archive = tmp_path / "all.bin"  # recognised by its bytes, not its name
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("PYSEC-1.json", json.dumps(osv("PYSEC-1")))
        zf.writestr("nested/GHSA-1.json", json.dumps(osv("GHSA-1", name="other")))
        zf.writestr("broken.json", "{")
        zf.writestr("notes.txt", "ignored")
    report = store.import_path(archive, source="osv")
    assert (report.read, report.inserted, report.invalid) == (2, 2, 1)
    assert report.errors[0].path == f"{archive}!broken.json"


def test_hostile_member_names_are_skipped(store: AdvisoryStore, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/PYSEC-1.json", json.dumps(osv("PYSEC-1")))
        zf.writestr("/abs/PYSEC-2.json", json.dumps(osv("PYSEC-2")))
        zf.writestr("C:/win/PYSEC-3.json", json.dumps(osv("PYSEC-3")))
        zf.writestr("fine/PYSEC-4.json", json.dumps(osv("PYSEC-4")))
    report = store.import_path(archive)
    assert report.inserted == 1
    assert report.invalid == 3
    assert {e.reference for e in report.errors} == {"unsafe-archive"}
    assert not (tmp_path / "etc").exists()


def test_zip_bomb_is_refused_before_import(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("PYSEC-1.json", json.dumps(osv("PYSEC-1")))
        zf.writestr("bomb.json", b" " * (4 * 1024 * 1024))
    with AdvisoryStore(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        with pytest.raises(UnsafeArchive, match="decompression bomb"):
            store.import_path(archive)
        assert store.match([("some-pkg", "1.0")]) == {("some-pkg", "1.0"): []}


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (ZipLimits(max_members=2), "members"),
        (ZipLimits(max_member_bytes=100), "bytes uncompressed"),
        (ZipLimits(max_total_bytes=300), "bytes uncompressed"),
    ],
)
def test_zip_limits(tmp_path: Path, limits: ZipLimits, message: str) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for index in range(3):
            zf.writestr(f"PYSEC-{index}.json", json.dumps(osv(f"PYSEC-{index}")))
    with (
        AdvisoryStore(f"sqlite:///{tmp_path / 's.sqlite3'}", zip_limits=limits) as store,
        pytest.raises(UnsafeArchive, match=message),
    ):
        store.import_path(archive)


def test_match_is_one_query_per_chunk_of_names(pypa_store: AdvisoryStore) -> None:
    refs = [(f"Package_{i}", "1.0") for i in range(900)] + [("jinja2", "2.10")]
    pypa_store.match([("warm", "1")])  # open the database and check the feed first
    engine = pypa_store._engine
    assert engine is not None
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = pypa_store.match(refs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(result) == 901
    assert {m.id for m in result[("jinja2", "2.10")]} >= {"PYSEC-2019-217"}
    assert len([s for s in statements if "FROM affected" in s]) == 3  # 901 names / 400


def test_match_keys_are_the_pairs_given(store: AdvisoryStore) -> None:
    refs = [("LiteLLM", "1.82.8"), ("litellm", "1.82.8"), ("LiteLLM", "1.82.8")]
    result = store.match(refs)
    assert list(result) == [("LiteLLM", "1.82.8"), ("litellm", "1.82.8")]
    assert all(matches and matches[0].malicious for matches in result.values())
    assert store.match([]) == {}


def test_unusable_database_url() -> None:
    with pytest.raises(StoreError) as caught:
        AdvisoryStore("nosuchdialect://x").status()
    assert caught.value.reference == "advisory-store"


def test_match_packages(store: AdvisoryStore) -> None:
    pinned = PackageRef(name="litellm", version="1.82.8", source="requirements.txt", line=3)
    loose = PackageRef(name="litellm", version=None, source="x", pin=PinKind.UNPINNED)
    result = store.match_packages([pinned, loose])
    assert list(result) == [pinned]
    assert result[pinned][0].malicious
