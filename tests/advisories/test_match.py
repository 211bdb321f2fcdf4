"""Version matching: OSV's evaluation rules, checked against ``packaging.specifiers``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from depvet.advisories.match import (
    Hit,
    compile_affected,
    evaluate,
    id_rank,
    match_records,
    merge_hits,
    version_key,
)
from depvet.advisories.osv import Record, parse_record

WHEN = datetime(2024, 1, 1, tzinfo=UTC).isoformat()


def record(
    record_id: str,
    *,
    events: list[dict[str, str]] | None = None,
    versions: list[str] | None = None,
    name: str = "pkg",
    aliases: list[str] | None = None,
    range_type: str = "ECOSYSTEM",
    **extra: Any,
) -> Record:
    affected: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": name}}
    if events is not None:
        affected["ranges"] = [{"type": range_type, "events": events}]
    if versions is not None:
        affected["versions"] = versions
    document = {"id": record_id, "modified": WHEN, "affected": [affected], **extra}
    if aliases:
        document["aliases"] = aliases
    return parse_record(document, origin=f"{record_id}.json")


def affected_ids(records: list[Record], version: str, name: str = "pkg") -> set[str]:
    return {m.id for m in match_records(records, name, version)}


# --- examples ------------------------------------------------------------------------------


def test_introduced_fixed() -> None:
    rec = record("A-1", events=[{"introduced": "1.0"}, {"fixed": "1.2"}])
    assert affected_ids([rec], "0.9") == set()
    assert affected_ids([rec], "1.0") == {"A-1"}
    assert affected_ids([rec], "1.1.9") == {"A-1"}
    assert affected_ids([rec], "1.2") == set()
    assert affected_ids([rec], "1.2.0") == set()  # 1.2.0 == 1.2 in PEP 440
    (match,) = match_records([rec], "PKG", "1.1")  # names compare canonically
    assert match.fixed == ("1.2",)


def test_introduced_zero_is_the_very_start() -> None:
    rec = record("A-1", events=[{"introduced": "0"}, {"fixed": "1.0"}])
    assert affected_ids([rec], "0.dev0") == {"A-1"}  # sorts before Version("0")
    assert affected_ids([rec], "0.0.1a1") == {"A-1"}
    assert affected_ids([rec], "1.0") == set()


def test_last_affected_is_inclusive() -> None:
    rec = record("A-1", events=[{"introduced": "0"}, {"last_affected": "2.1.214"}])
    assert affected_ids([rec], "2.1.214") == {"A-1"}
    assert affected_ids([rec], "2.1.214.post1") == set()
    assert affected_ids([rec], "2.1.215") == set()
    (match,) = match_records([rec], "pkg", "1.0")
    assert match.fixed == ()


def test_prerelease_of_the_fix_is_still_affected() -> None:
    # OSV orders versions; PEP 440's "<2.0" would exclude 2.0rc1, OSV does not.
    rec = record("A-1", events=[{"introduced": "1.0"}, {"fixed": "2.0"}])
    assert affected_ids([rec], "2.0rc1") == {"A-1"}
    assert not SpecifierSet(">=1.0,<2.0").contains("2.0rc1", prereleases=True)


def test_unsorted_events_are_sorted_first() -> None:
    # The shape of PYSEC-2018-104: several branches, events out of order.
    events = [
        {"introduced": "3.9.0"},
        {"fixed": "3.19.1"},
        {"introduced": "0"},
        {"fixed": "3.8.1"},
        {"introduced": "3.20.0"},
        {"fixed": "3.23.1"},
    ]
    rec = record("A-1", events=events)
    expected = {
        "3.8.0": True,
        "3.8.1": False,
        "3.8.5": False,
        "3.9.0": True,
        "3.19.0": True,
        "3.19.1": False,
        "3.20.0": True,
        "3.23.1": False,
        "4.0": False,
    }
    for version, hit in expected.items():
        assert (affected_ids([rec], version) == {"A-1"}) is hit, version
    (match,) = match_records([rec], "pkg", "3.10")
    assert match.fixed == ("3.19.1", "3.23.1")  # upgrades only: 3.8.1 is below 3.10


def test_limit_events() -> None:
    rec = record("A-1", events=[{"introduced": "1.0"}, {"limit": "1.5"}])
    assert affected_ids([rec], "1.4") == {"A-1"}
    assert affected_ids([rec], "1.5") == set()
    star = record("A-2", events=[{"introduced": "1.0"}, {"limit": "*"}])
    assert affected_ids([star], "99") == {"A-2"}


def test_same_version_introduced_and_fixed_is_empty() -> None:
    rec = record("A-1", events=[{"fixed": "1.0"}, {"introduced": "1.0"}])
    assert affected_ids([rec], "1.0") == set()


def test_versions_list_and_normalisation() -> None:
    rec = record("A-1", versions=["1.0", "2.0.0", "2004d"])
    assert affected_ids([rec], "1.0.0") == {"A-1"}
    assert affected_ids([rec], "2") == {"A-1"}
    assert affected_ids([rec], "1.0.1") == set()
    # Not PEP 440: compared as text with the versions list, and only there.
    assert affected_ids([rec], "2004d") == {"A-1"}
    assert affected_ids([rec], "2004D") == set()


def test_invalid_query_version_ignores_ranges() -> None:
    rec = record("A-1", events=[{"introduced": "0"}], versions=["1.0"])
    assert affected_ids([rec], "not a version") == set()
    assert affected_ids([rec], "1.0") == {"A-1"}


def test_range_with_invalid_bound_falls_back_to_versions() -> None:
    entry = record(
        "A-1", events=[{"introduced": "0"}, {"fixed": "2019-09-12"}], versions=["0.1"]
    ).affected[0]
    spec, problems = compile_affected(entry)
    assert spec.ranges == ()
    assert problems and "2019-09-12" in problems[0]
    assert evaluate(spec, "0.1") == ()
    assert evaluate(spec, "0.2") is None


def test_git_ranges_are_left_to_versions() -> None:
    rec = record(
        "A-1",
        events=[{"introduced": "0"}, {"fixed": "a" * 40}],
        versions=["1.0"],
        range_type="GIT",
    )
    assert affected_ids([rec], "1.0") == {"A-1"}
    assert affected_ids([rec], "1.1") == set()


def test_semver_ranges_are_evaluated() -> None:
    rec = record("A-1", events=[{"introduced": "1.0.0"}, {"fixed": "1.4.2"}], range_type="SEMVER")
    assert affected_ids([rec], "1.3.0") == {"A-1"}


def test_withdrawn_never_matches() -> None:
    rec = record("A-1", events=[{"introduced": "0"}], withdrawn="2024-02-01T00:00:00Z")
    assert match_records([rec], "pkg", "1.0") == []


def test_other_ecosystems_and_names_do_not_match() -> None:
    npm = parse_record(
        {
            "id": "A-1",
            "modified": WHEN,
            "affected": [{"package": {"ecosystem": "npm", "name": "pkg"}, "versions": ["1.0"]}],
        },
        origin="a.json",
    )
    assert match_records([npm], "pkg", "1.0") == []
    assert affected_ids([record("A-2", versions=["1.0"])], "1.0", name="other") == set()


# --- aliases -------------------------------------------------------------------------------


def test_aliases_merge_into_one_match() -> None:
    pysec = record(
        "PYSEC-2021-1",
        events=[{"introduced": "0"}, {"fixed": "2.0"}],
        aliases=["CVE-2021-1", "GHSA-aaaa-bbbb-cccc"],
        summary="from PyPA",
    )
    ghsa = record(
        "GHSA-aaaa-bbbb-cccc",
        events=[{"introduced": "1.0"}, {"fixed": "1.5"}],
        aliases=["CVE-2021-1"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}],
    )
    other = record("GHSA-zzzz-zzzz-zzzz", events=[{"introduced": "0"}])
    matches = match_records([ghsa, other, pysec], "pkg", "1.2")
    assert [m.id for m in matches] == ["PYSEC-2021-1", "GHSA-zzzz-zzzz-zzzz"]
    merged = matches[0]
    assert set(merged.aliases) == {"CVE-2021-1", "GHSA-aaaa-bbbb-cccc"}
    assert merged.fixed == ("1.5", "2.0")
    assert merged.summary == "from PyPA"
    assert merged.severity == "CVSS:3.1/AV:N"
    assert merged.url == "https://osv.dev/vulnerability/PYSEC-2021-1"


def test_records_sharing_only_a_cve_merge() -> None:
    hits = [
        Hit(id="GHSA-b", aliases=("CVE-1",), fixed=("2.0",)),
        Hit(id="PYSEC-a", aliases=("CVE-1",), fixed=("1.9",)),
        Hit(id="GHSA-c", aliases=("CVE-2",)),
    ]
    merged = merge_hits(hits)
    assert [(m.id, m.aliases) for m in merged] == [
        ("PYSEC-a", ("GHSA-b", "CVE-1")),
        ("GHSA-c", ("CVE-2",)),
    ]
    assert merged[0].fixed == ("1.9", "2.0")


def merged_hits() -> list[Hit]:
    return [Hit(id="DEPVET-2026-0001", aliases=("MAL-2026-9",), malicious=True)]


def test_malicious_first_and_preferred_id() -> None:
    merged = merge_hits([*merged_hits(), Hit(id="PYSEC-1")])
    # The id is always one of the records found; an alias alone never names a match.
    assert [m.id for m in merged] == ["DEPVET-2026-0001", "PYSEC-1"]
    assert merged[0].malicious and merged[0].aliases == ("MAL-2026-9",)
    both = merge_hits([*merged_hits(), Hit(id="MAL-2026-9", malicious=True)])
    assert [(m.id, m.aliases) for m in both] == [("MAL-2026-9", ("DEPVET-2026-0001",))]
    assert sorted(["CVE-1", "GHSA-x", "MAL-1", "PYSEC-1", "OSV-1"], key=id_rank) == [
        "MAL-1",
        "PYSEC-1",
        "GHSA-x",
        "CVE-1",
        "OSV-1",
    ]


def test_duplicate_hits_of_one_record_combine_fixes() -> None:
    (merged,) = merge_hits([Hit(id="A", fixed=("1.0",)), Hit(id="A", fixed=("2.0",))])
    assert merged.fixed == ("1.0", "2.0")


# --- properties against packaging.specifiers -------------------------------------------------

releases = st.lists(st.integers(0, 4), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
queries = st.one_of(
    releases,
    st.tuples(releases, st.integers(0, 2)).map(lambda t: f"{t[0]}.post{t[1]}"),
)


@st.composite
def timelines(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[str]]:
    """Well-formed events (shuffled) and the equivalent specifier of each affected segment."""
    raw = draw(st.lists(releases, max_size=6))
    bounds = sorted({version_key(v): v for v in raw}.values(), key=Version)
    events: list[dict[str, str]] = []
    segments: list[str] = []
    lower: str | None = None
    open_ = False
    if draw(st.booleans()):
        events.append({"introduced": "0"})
        lower, open_ = "", True
    for bound in bounds:
        if not open_:
            events.append({"introduced": bound})
            lower, open_ = f">={bound}", True
            continue
        closing = draw(st.sampled_from(["fixed", "last_affected"]))
        events.append({closing: bound})
        upper = f"<{bound}" if closing == "fixed" else f"<={bound}"
        segments.append(",".join(s for s in (lower, upper) if s))
        open_ = False
    if open_:
        segments.append(lower or "")
    shuffled = draw(st.permutations(events))
    return list(shuffled), segments


@settings(max_examples=300, deadline=None)
@given(
    timelines(),
    st.lists(releases, max_size=3),
    st.lists(queries, min_size=1, max_size=8),
)
def test_agrees_with_specifier_sets(
    timeline: tuple[list[dict[str, str]], list[str]],
    versions: list[str],
    probes: list[str],
) -> None:
    events, segments = timeline
    rec = record("A-1", events=events or None, versions=versions)
    specifiers = [SpecifierSet(s) for s in segments] + [SpecifierSet(f"=={v}") for v in versions]
    for probe in probes:
        expected = any(spec.contains(probe, prereleases=True) for spec in specifiers)
        assert (affected_ids([rec], probe) == {"A-1"}) is expected, (events, versions, probe)


@settings(max_examples=100, deadline=None)
@given(st.lists(timelines(), min_size=1, max_size=3), st.lists(queries, min_size=1, max_size=5))
def test_several_ranges_are_a_union(
    timelines_: list[tuple[list[dict[str, str]], list[str]]], probes: list[str]
) -> None:
    document = {
        "id": "A-1",
        "modified": WHEN,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "pkg"},
                "ranges": [{"type": "ECOSYSTEM", "events": e} for e, _ in timelines_ if e],
            }
        ],
    }
    rec = parse_record(document, origin="a.json")
    specifiers = [SpecifierSet(s) for _, segments in timelines_ for s in segments]
    for probe in probes:
        expected = any(spec.contains(probe, prereleases=True) for spec in specifiers)
        assert (affected_ids([rec], probe) == {"A-1"}) is expected
