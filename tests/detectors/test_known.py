"""Known-bad knowledge: indicators from the feed (or a test-only list), advisories, index state."""

from __future__ import annotations

import hashlib

from depvet.advisories.feed import Indicator, IndicatorKind
from depvet.detectors.interface import PackageFacts
from depvet.detectors.known import IndicatorDetector, KnownBadDetector
from depvet.files import FileRole, FileView

PAYLOAD = b'print("FIXTURE_OK")\n'
# Real payload hashes cannot be reproduced harmlessly: tests inject their own list.
TEST_IOCS = (
    Indicator(kind=IndicatorKind.SHA256, value=hashlib.sha256(PAYLOAD).hexdigest(), advisory="T-1"),
    Indicator(kind=IndicatorKind.DOMAIN, value="*.c2.example.invalid", advisory="T-2"),
    Indicator(kind=IndicatorKind.PATH, value="~/.config/fixture/agent.py", advisory="T-3"),
    Indicator(kind=IndicatorKind.SHA256, value="ab" * 32, advisory="T-4"),
)


def view(data: bytes, path: str = "pkg/mod.py") -> FileView:
    return FileView(path=path, role=FileRole.PYTHON, data=data)


def test_hash_domain_and_path_indicators() -> None:
    detector = IndicatorDetector(TEST_IOCS)
    assert [f.message for f in list(detector.scan(view(PAYLOAD)))] == [
        "sha256 indicator of T-1: " + hashlib.sha256(PAYLOAD).hexdigest()
    ]
    text = b"x = 1\nu = 'https://beacon.c2.example.invalid/x'\np = '~/.config/fixture/agent.py'\n"
    found = list(detector.scan(view(text)))
    assert [(f.line, f.evidence) for f in found] == [
        (2, "c2.example.invalid"),
        (3, ".config/fixture/agent.py"),
    ]
    assert list(detector.scan(view(b"u = 'https://notc2.example.invalid'\n"))) == []


def test_a_test_naming_a_campaign_is_a_mention_but_its_payload_still_counts() -> None:
    detector = IndicatorDetector(TEST_IOCS)
    text = b"BLOCKED = ['beacon.c2.example.invalid', '~/.config/fixture/agent.py']\n"
    in_tests = FileView(path="pkg-1.0/tests/test_scan.py", role=FileRole.AUXILIARY, data=text)
    assert list(detector.scan(in_tests)) == []
    shipped = FileView(path="pkg-1.0/tests/sample.py", role=FileRole.AUXILIARY, data=PAYLOAD)
    assert ["T-1" in f.message for f in detector.scan(shipped)] == [True]


def test_artifact_hash_marks_the_release_malicious() -> None:
    detector = KnownBadDetector(TEST_IOCS)
    package = PackageFacts(name="x", version="1", kind="wheel", paths=(), sha256="AB" * 32)
    (finding,) = detector.scan_package(package)
    assert finding.rule == "known-malicious-release" and "T-4" in finding.message
    clean = PackageFacts(name="x", version="1", kind="wheel", paths=(), sha256="cd" * 32)
    assert list(detector.scan_package(clean)) == []


def test_embedded_feed_names_litellm_launcher() -> None:
    found = list(
        IndicatorDetector().scan(FileView(path="litellm_init.pth", role=FileRole.PTH, data=b""))
    )
    assert [f.rule for f in found] == ["known-bad-indicator"]


def test_a_digest_given_by_the_reader_is_the_one_matched() -> None:
    detector = IndicatorDetector(TEST_IOCS)
    data = b"bytes whose digest the reader computed"
    given = FileView(path="a.bin", role=FileRole.OTHER, data=data, sha256="ab" * 32)
    assert [f.message for f in detector.scan(given)] == ["sha256 indicator of T-4: " + "ab" * 32]
    # Without one, the digest is computed from the bytes.
    assert list(detector.scan(FileView(path="a.bin", role=FileRole.OTHER, data=data))) == []
