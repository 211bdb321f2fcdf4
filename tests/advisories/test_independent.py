"""The store's matches against an independent evaluation of the PyPA database.

The test reads the YAML itself (every scalar as text), turns each range into
half-open/closed intervals and checks versions with ``packaging`` directly:
a separate code path from the store's compiled event timelines. A 500-entry
pinned list is drawn from the database's own package names, with versions
inside and outside the advisories' ranges.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depvet.advisories import feed
from depvet.advisories.store import AdvisoryStore

PINNED = 500


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Interval:
    low: Version | None  # None: from the very start
    high: Version | None  # None: no end
    high_inclusive: bool

    def __contains__(self, version: Version) -> bool:
        if self.low is not None and version < self.low:
            return False
        if self.high is None:
            return True
        return version <= self.high if self.high_inclusive else version < self.high


def intervals(events: list[dict[str, str]]) -> list[Interval] | None:
    """The affected intervals of one range; None when a bound is not PEP 440."""
    parsed: list[tuple[tuple[int, Version, int], str, Version | None]] = []
    for item in events:
        ((kind, text),) = item.items()
        if kind == "limit":
            return None  # the PyPA database has none; not modelled here
        if kind == "introduced" and text == "0":
            parsed.append(((0, Version("0"), 0), kind, None))
            continue
        bound = _version(text)
        if bound is None:
            return None
        parsed.append(((1, bound, 0 if kind == "introduced" else 1), kind, bound))
    parsed.sort(key=lambda p: p[0])
    found: list[Interval] = []
    start: tuple[Version | None] | None = None
    for _, kind, bound in parsed:
        if kind == "introduced":
            if start is None:
                start = (bound,)
        elif start is not None:
            found.append(Interval(start[0], bound, kind == "last_affected"))
            start = None
    if start is not None:
        found.append(Interval(start[0], None, False))
    return found


def affects(entry: dict[str, Any], version: str) -> bool:
    parsed = _version(version)
    for listed in entry.get("versions") or []:
        other = _version(listed)
        if listed == version or (parsed is not None and other is not None and other == parsed):
            return True
    if parsed is None:
        return False
    for rng in entry.get("ranges") or []:
        if rng["type"] not in ("ECOSYSTEM", "SEMVER"):
            continue
        found = intervals(rng["events"])
        if found and any(parsed in interval for interval in found):
            return True
    return False


def load_documents(vulns: Path) -> list[dict[str, Any]]:
    documents = [
        yaml.load(path.read_bytes(), Loader=yaml.CBaseLoader)  # noqa: S506 - BaseLoader: text only
        for path in sorted(vulns.rglob("*.yaml"))
    ]
    curated: list[dict[str, Any]] = json.loads(feed.feed_bytes())["curated"]
    return documents + curated


def sample_pins(
    by_name: dict[str, list[dict[str, Any]]], rng: random.Random
) -> list[tuple[str, str]]:
    pins: dict[tuple[str, str], None] = {
        ("litellm", "1.82.8"): None,
        ("litellm", "1.82.6"): None,
        ("ultralytics", "8.3.41"): None,
    }
    names = sorted(by_name)
    rng.shuffle(names)
    while len(pins) < PINNED:
        name = names[len(pins) % len(names)]
        entries = by_name[name]
        listed = [v for e in entries for v in e.get("versions") or []]
        bounds = [
            text
            for e in entries
            for r in e.get("ranges") or []
            if r["type"] == "ECOSYSTEM"
            for item in r["events"]
            for text in item.values()
            if text != "0"
        ]
        choices = [*listed, *bounds, "0.0.1", "99999.0"]
        choices += [f"{b}rc1" for b in bounds if _version(b) is not None]
        choices += [f"{b}.post1" for b in bounds if _version(b) is not None]
        pins[(rng.choice([name, name.upper()]), rng.choice(choices))] = None
    return list(pins)


def test_store_agrees_with_independent_evaluation(
    pypa_vulns: Path, pypa_store: AdvisoryStore
) -> None:
    documents = load_documents(pypa_vulns)
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    owners: dict[int, dict[str, Any]] = {}
    for document in documents:
        if document.get("withdrawn"):
            continue
        for entry in document.get("affected") or []:
            if entry["package"]["ecosystem"] == "PyPI":
                by_name[canonicalize_name(entry["package"]["name"])].append(entry)
                owners[id(entry)] = document
    pins = sample_pins(by_name, random.Random(20261127))
    assert len(pins) == PINNED

    with AdvisoryStore(pypa_store.url) as fresh:  # a closed store, as a CLI run opens it
        result = fresh.match(pins)

    affected_pins = 0
    for pin in pins:
        name, version = pin
        expected_ids: set[str] = set()
        expected_names: set[str] = set()
        for entry in by_name[canonicalize_name(name)]:
            if affects(entry, version):
                owner = owners[id(entry)]
                expected_ids.add(owner["id"])
                expected_names |= {owner["id"], *(owner.get("aliases") or [])}
        matches = result[pin]
        got_names = {m.id for m in matches} | {a for m in matches for a in m.aliases}
        assert got_names == expected_names, pin
        assert {m.id for m in matches} <= expected_ids, pin
        affected_pins += bool(matches)
    # The sample exercises both sides of the ranges.
    assert 100 < affected_pins < PINNED - 50
    assert result[("litellm", "1.82.8")][0].malicious
