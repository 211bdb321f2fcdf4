"""Parsing OSV records: the PyPA YAML, OSV JSON, and records that must be refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from depvet.advisories.osv import EventKind, Record, format_time, load_record
from depvet.errors import AdvisoryError, Error

MINIMAL = """\
id: PYSEC-0000-1
modified: 2024-01-02T03:04:05Z
affected:
- package: {ecosystem: PyPI, name: Example_Pkg}
  ranges:
  - type: ECOSYSTEM
    events: [{introduced: "0"}, {fixed: 1.10}]
  versions: [1.0, 1.10, 2.0.0]
"""


def test_real_pypa_records_parse(pypa_vulns: Path) -> None:
    files = sorted(pypa_vulns.rglob("*.yaml"))
    assert len(files) > 2000
    records = [load_record(f.read_bytes(), origin=str(f)) for f in files]
    assert len({r.id for r in records}) == len(records)
    assert all(r.id.startswith("PYSEC-") for r in records)
    assert all(r.modified.tzinfo is UTC for r in records)
    assert sum(r.withdrawn is not None for r in records) == 10
    # Every version stays the text it was written as, never a float.
    assert all(isinstance(v, str) for r in records for a in r.affected for v in a.versions)


def test_pypa_record_fields(pypa_vulns: Path) -> None:
    path = pypa_vulns / "oslo-middleware/PYSEC-2018-104.yaml"
    if not path.exists():
        pytest.skip("record not in this copy of the database")
    record = load_record(path.read_bytes(), origin=str(path))
    assert record.aliases == ("CVE-2017-2592", "GHSA-xcp8-hh74-f6mc")
    assert format_time(record.modified) == "2021-11-16T21:20:29.327956Z"
    (affected,) = record.affected
    assert affected.package is not None and affected.package.purl == "pkg:pypi/oslo-middleware"
    (rng,) = affected.ranges
    assert rng.type == "ECOSYSTEM"
    assert [e.kind for e in rng.events][:2] == [EventKind.INTRODUCED, EventKind.FIXED]
    assert "3.9.0" in affected.versions
    assert record.references and record.references[0].url.startswith("https://")
    assert record.headline().startswith("python-oslo-middleware before versions")


def test_yaml_scalars_stay_text() -> None:
    record = load_record(MINIMAL, origin="minimal.yaml")
    (affected,) = record.affected
    assert affected.versions == ("1.0", "1.10", "2.0.0")
    assert affected.ranges[0].events[1].version == "1.10"
    assert record.modified == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_json_record_and_malicious_flag() -> None:
    document = {
        "id": "MAL-2025-1",
        "modified": "2025-01-01T00:00:00.123456789Z",
        "aliases": ["GHSA-aaaa-bbbb-cccc"],
        "summary": "Malicious code in evil-pkg (PyPI)",
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": "evil-pkg"}, "versions": ["1.0"]},
            {"package": {"ecosystem": "npm", "name": "evil-pkg"}, "versions": ["1.0"]},
        ],
        "database_specific": {"malicious-packages-origins": []},
    }
    record = load_record(json.dumps(document).encode(), origin="MAL-2025-1.json")
    assert record.malicious
    assert [a.package.name for a in record.pypi_affected() if a.package] == ["evil-pkg"]
    assert record.raw["summary"] == document["summary"]
    flagged = load_record(
        json.dumps({**document, "id": "X-1", "database_specific": {"malicious": True}}),
        origin="x.json",
    )
    assert flagged.malicious
    assert not load_record(json.dumps({**document, "id": "X-2"}), origin="x.json").malicious


def test_yaml_flow_mapping() -> None:
    record = load_record("{id: X-1, modified: '2024-01-01T00:00:00Z'}", origin="flow.yaml")
    assert record.id == "X-1"


def test_withdrawn_and_naive_times() -> None:
    record = load_record(
        '{"id": "X-1", "modified": "2024-05-06T07:08:09", "withdrawn": "2024-06-01T00:00:00Z"}',
        origin="x.json",
    )
    assert record.modified.tzinfo is UTC
    assert record.withdrawn == datetime(2024, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: [unclosed\n", "not valid JSON or YAML"),
        ("{not json", "not valid JSON or YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("modified: 2024-01-01T00:00:00Z\n", "'id' is missing"),
        ("id: 'has space'\nmodified: 2024-01-01T00:00:00Z\n", "invalid id"),
        ("id: X-1\n", "'modified' is missing"),
        ("id: X-1\nmodified: yesterday\n", "not an RFC 3339 timestamp"),
        ("id: X-1\nmodified: 2024-01-01T00:00:00Z\naliases: CVE-1\n", "expected a list"),
        (
            "id: X-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: {name: a}\n",
            "'ecosystem' is missing",
        ),
        (
            "id: X-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: "
            "{ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n"
            "    - {introduced: '0', fixed: '1.0'}\n",
            "exactly one of",
        ),
        (
            "id: X-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: "
            "{ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n"
            "    - {introduced: [1, 2]}\n",
            "expected a version",
        ),
        (
            "id: X-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: "
            "{ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n"
            "    - {broken: '1.0'}\n",
            "unknown event",
        ),
        (
            "id: X-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: "
            "{ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events: []\n",
            "at least one event",
        ),
        (
            "id: X-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package: "
            "{ecosystem: PyPI, name: a}\n  versions: [1.0, {a: b}]\n",
            "expected text",
        ),
    ],
)
def test_invalid_records_name_their_file(text: str, expected: str) -> None:
    with pytest.raises(AdvisoryError) as caught:
        load_record(text, origin="vulns/bad/X-1.yaml")
    assert isinstance(caught.value, Error)
    assert caught.value.reference == "advisory-invalid"
    assert "vulns/bad/X-1.yaml" in caught.value.message
    assert expected in caught.value.message


def test_yaml_aliases_refused() -> None:
    bomb = (
        "id: X-1\nmodified: 2024-01-01T00:00:00Z\n"
        "database_specific:\n  a: &a [x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a]\n"
        "  c: [*b, *b, *b, *b, *b, *b]\n"
    )
    with pytest.raises(AdvisoryError, match="aliases are not allowed"):
        load_record(bomb, origin="bomb.yaml")


def test_not_utf8() -> None:
    with pytest.raises(AdvisoryError, match="not UTF-8"):
        load_record(b"id: X-1\nsummary: \xff\xfe\n", origin="latin.yaml")


def test_record_is_frozen() -> None:
    record = load_record(MINIMAL, origin="minimal.yaml")
    assert isinstance(record, Record)
    with pytest.raises(AttributeError):
        record.id = "other"  # type: ignore[misc]
