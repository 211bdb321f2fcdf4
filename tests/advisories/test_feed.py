"""The embedded known-bad feed, its indicators, and the tool that regenerates it."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from depvet.advisories import feed
from depvet.advisories.feed import Indicator, IndicatorKind, parse_feed, rebuild_feed
from depvet.advisories.osv import parse_record
from depvet.advisories.store import AdvisoryStore
from depvet.errors import AdvisoryError

TOOL = Path(__file__).resolve().parents[2] / "tools/build_known_bad_feed.py"

COMPROMISED = [
    ("litellm", "1.82.7"),
    ("litellm", "1.82.8"),
    ("telnyx", "4.87.1"),
    ("telnyx", "4.87.2"),
    ("ultralytics", "8.3.41"),
    ("ultralytics", "8.3.42"),
    ("ultralytics", "8.3.45"),
    ("ultralytics", "8.3.46"),
    ("num2words", "0.5.15"),
    ("num2words", "0.5.16"),
    ("elementary-data", "0.23.3"),
    ("guardrails-ai", "0.10.1"),
    ("mistralai", "2.4.6"),
    ("durabletask", "1.4.1"),
    ("durabletask", "1.4.2"),
    ("durabletask", "1.4.3"),
    ("embiggen", "0.11.97"),
    ("gpsea", "0.9.14"),
    ("pyphetools", "0.9.120"),
    ("aiocpa", "0.1.13"),
    ("aiocpa", "0.1.14"),
    ("ctx", "0.1.2"),
    ("ctx", "0.2.2"),
    ("ctx", "0.2.6"),
]
CLEAN = [
    ("litellm", "1.82.6"),
    ("litellm", "1.83.0"),
    ("ultralytics", "8.3.43"),
    ("ultralytics", "8.3.44"),
    ("telnyx", "4.87.0"),
    ("durabletask", "1.4.0"),
    ("durabletask", "1.4.4"),
]


def test_feed_records_are_valid_and_malicious() -> None:
    records = feed.records()
    assert len({r.id for r in records}) == len(records) >= 10
    assert all(r.malicious for r in records)
    assert all(r.id.startswith(("DEPVET-", "MAL-")) for r in records)


def test_fresh_store_flags_litellm_offline(store: AdvisoryStore) -> None:
    result = store.match([("litellm", "1.82.8"), ("litellm", "1.82.6"), ("litellm", "1.83.0")])
    (match,) = result[("litellm", "1.82.8")]
    assert match.malicious and match.id.startswith(("DEPVET-", "MAL-"))
    assert match.fixed == ("1.83.0",)
    assert result[("litellm", "1.82.6")] == []
    assert result[("litellm", "1.83.0")] == []


def test_every_compromised_release_is_flagged(store: AdvisoryStore) -> None:
    result = store.match(COMPROMISED + CLEAN)
    for pin in COMPROMISED:
        assert result[pin] and all(m.malicious for m in result[pin]), pin
    for pin in CLEAN:
        assert result[pin] == [], pin


def test_ensure_feed_is_idempotent(store: AdvisoryStore) -> None:
    first = store.ensure_feed()
    assert first is not None and first.inserted == len(feed.records())
    assert store.ensure_feed() is None
    again = AdvisoryStore(store.url)
    assert again.ensure_feed() is None
    again.close()
    (source,) = (s for s in store.status().sources if s.label == feed.FEED_SOURCE)
    assert source.records == len(feed.records())


def test_changed_feed_reloads_and_drops_stale_records(
    store: AdvisoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ensure_feed()
    document = json.loads(feed.feed_bytes())
    litellm = document["curated"][0]
    litellm["summary"] = "edited without a new modified time"
    document["curated"] = [litellm]
    changed = parse_feed(json.dumps(document).encode())
    monkeypatch.setattr(feed, "load_feed", lambda: changed)
    report = AdvisoryStore(store.url).ensure_feed()
    assert report is not None
    assert (
        report.updated == 1
        and report.removed == len(feed.parse_feed(feed.feed_bytes()).records) - 1
    )
    result = store.match([("litellm", "1.82.8"), ("telnyx", "4.87.1")])
    assert result[("litellm", "1.82.8")][0].summary == "edited without a new modified time"
    assert result[("telnyx", "4.87.1")] == []


def test_indicators() -> None:
    found = feed.indicators()
    by_kind = {kind: {i.value for i in found if i.kind is kind} for kind in IndicatorKind}
    assert {
        "71e35aef03099cd1f2d6446734273025a163597de93912df321ef118bf135238",
        "a0d229be8efcb2f9135e2ad55ba275b76ddcfeb55fa4370e0a522a5bdee0120b",
        "8395c3268d5c5dbae1c7c6d4bb3c318c752ba4608cfcd90eb97ffb94a910eac2",
        "d2a0d5f564628773b6af7b9c11f6b86531a875bd2d186d7081ab62748a800ebb",
    } <= by_kind[IndicatorKind.SHA256]
    assert {"litellm_init.pth", "embiggen-setup.pth"} <= by_kind[IndicatorKind.FILENAME]
    assert {
        "models.litellm.cloud",
        "checkmarx.zone",
        "83.142.209.203",
        "pypj.org",
        "*.skyhanni.cloud",
        "litter.catbox.moe",
        "git-tanstack.com",
        "filev2.getsession.org",
        "api.masscan.cloud",
        "check.git-service.com",
        "t.m-kosche.com",
        "connect.consrensys.com",
        "anti-theft-web.herokuapp.com",
    } <= by_kind[IndicatorKind.DOMAIN]
    assert {
        "~/.config/sysmon/sysmon.py",
        "~/.config/systemd/user/sysmon.service",
        "/tmp/pglog",
        "/tmp/.pg_state",
        "/tmp/ultralytics_runner",
        "/tmp/.bun_ran",
        "/tmp/transformers.pyz",
    } <= by_kind[IndicatorKind.PATH]
    ids = {r.id for r in feed.records()}
    assert all(i.advisory in ids for i in found)
    assert all(len(v) == 64 for v in by_kind[IndicatorKind.SHA256])


@pytest.mark.parametrize(
    ("kind", "value", "observed", "expected"),
    [
        (IndicatorKind.SHA256, "ab" * 32, "sha256:" + "AB" * 32, True),
        (
            IndicatorKind.FILENAME,
            "litellm_init.pth",
            "/venv/lib/site-packages/litellm_init.pth",
            True,
        ),
        (IndicatorKind.FILENAME, "litellm_init.pth", "/x/not_litellm_init.pth", False),
        (IndicatorKind.DOMAIN, "*.skyhanni.cloud", "api.SkyHanni.cloud.", True),
        (IndicatorKind.DOMAIN, "*.skyhanni.cloud", "skyhanni.cloud.example.invalid", False),
        (IndicatorKind.DOMAIN, "pypj.org", "pypi.org", False),
        (
            IndicatorKind.PATH,
            "~/.config/sysmon/sysmon.py",
            "/home/u/.config/sysmon/sysmon.py",
            True,
        ),
        (IndicatorKind.PATH, "/tmp/pglog", "/tmp/pglog", True),
        (IndicatorKind.PATH, "/tmp/pglog", "/tmp/pglog2", False),
    ],
)
def test_indicator_matching(kind: IndicatorKind, value: str, observed: str, expected: bool) -> None:
    assert Indicator(kind=kind, value=value, advisory="X").matches(observed) is expected


def test_broken_feed_is_an_error() -> None:
    with pytest.raises(AdvisoryError):
        parse_feed(b'{"format": 99}')
    with pytest.raises(AdvisoryError, match="bad indicator"):
        parse_feed(
            json.dumps(
                {
                    "format": 1,
                    "curated": [
                        {
                            "id": "DEPVET-1",
                            "modified": "2026-01-01T00:00:00Z",
                            "database_specific": {"indicators": [{"kind": "smell", "value": 1}]},
                        }
                    ],
                }
            ).encode()
        )


# --- regenerating the feed from MAL records (fabricated, no network) -----------------------


def mal(record_id: str, name: str, versions: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": record_id,
        "modified": "2026-04-01T00:00:00Z",
        "summary": f"Malicious code in {name} (PyPI)",
        "details": "x" * 2000,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "versions": versions,
                "database_specific": {"source": "dropped"},
            },
            {"package": {"ecosystem": "npm", "name": name}, "versions": versions},
        ],
        "database_specific": {"malicious-packages-origins": [{"source": "test"}]},
        **extra,
    }


FABRICATED = [
    mal("MAL-2026-0001", "litellm", ["1.82.8"]),
    mal("MAL-2026-0002", "typo-squat-example", ["0.1", "0.2"]),
    mal("MAL-2026-0003", "gone-example", ["1.0"], withdrawn="2026-05-01T00:00:00Z"),
    {"id": "PYSEC-2026-1", "modified": "2026-04-01T00:00:00Z"},
]


def test_rebuild_feed_keeps_curated_and_links_aliases() -> None:
    current = json.loads(feed.feed_bytes())
    records = [parse_record(d, origin=d["id"]) for d in FABRICATED]
    rebuilt = rebuild_feed(current, records, source="fabricated")
    generated = rebuilt["osv_malicious"]
    assert generated["source"] == "fabricated"
    assert [r["id"] for r in generated["records"]] == ["MAL-2026-0001", "MAL-2026-0002"]
    trimmed = generated["records"][1]
    assert [a["package"]["ecosystem"] for a in trimmed["affected"]] == ["PyPI"]
    assert "database_specific" not in trimmed["affected"][0]
    assert len(trimmed["details"]) <= 600
    litellm = rebuilt["curated"][0]
    assert litellm["aliases"] == ["MAL-2026-0001"]
    assert (
        litellm["database_specific"]["indicators"]
        == current["curated"][0]["database_specific"]["indicators"]
    )
    assert all("aliases" not in r for r in rebuilt["curated"][1:])
    parsed = parse_feed(json.dumps(rebuilt).encode())
    assert parsed.indicators == feed.indicators()


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_known_bad_feed", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("as_zip", [False, True])
def test_build_tool(
    tmp_path: Path,
    as_zip: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "known-bad.json"
    target.write_bytes(feed.feed_bytes())
    folder = tmp_path / "osv"
    folder.mkdir()
    for document in FABRICATED:
        (folder / f"{document['id']}.json").write_text(json.dumps(document))
    (folder / "broken.json").write_text("{")
    source = folder
    if as_zip:
        source = tmp_path / "all.zip"
        with zipfile.ZipFile(source, "w") as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, path.name)
    tool = load_tool()
    assert tool.main([str(source), "--feed", str(target), "--label", "test-dump"]) == 0
    assert "2 MAL records written" in capsys.readouterr().out
    rebuilt = parse_feed(target.read_bytes())
    assert {r.id for r in rebuilt.records} >= {"MAL-2026-0001", "MAL-2026-0002"}
    assert rebuilt.indicators == feed.indicators()
    monkeypatch.setattr(feed, "load_feed", lambda: rebuilt)  # as if shipped
    with AdvisoryStore(f"sqlite:///{tmp_path / 's.sqlite3'}") as store:
        result = store.match([("litellm", "1.82.8"), ("typo-squat-example", "0.2")])
    (merged,) = result[("litellm", "1.82.8")]
    assert merged.id == "MAL-2026-0001" and merged.aliases == ("DEPVET-2026-0001",)
    assert merged.malicious and merged.fixed == ("1.83.0",)
    assert [m.id for m in result[("typo-squat-example", "0.2")]] == ["MAL-2026-0002"]
