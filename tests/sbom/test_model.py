"""The SBOM component model: purls, publishable URLs, hashes, order and time."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from packageurl import PackageURL

from depvet.model import PackageRef, PinKind, ScanResult, Verdict
from depvet.sbom.model import Component, DependencyScope, Sbom, hash_spec, public_url

from .samples import (
    ALL,
    HOSTILE,
    LOCAL,
    MALICIOUS,
    MALICIOUS_ADVISORY,
    PINNED,
    SHA256,
    TOKEN,
    UNPINNED,
    URL,
    VCS,
    build_sbom,
)


def test_a_pinned_ref_has_a_canonical_purl() -> None:
    assert PINNED.purl == "pkg:pypi/requests@2.31.0"
    assert replace(PINNED, name="Foo.Bar_baz").purl == "pkg:pypi/foo-bar-baz@2.31.0"


def test_an_unpinned_ref_has_a_purl_without_version() -> None:
    assert UNPINNED.purl == "pkg:pypi/rich"


def test_a_vcs_ref_has_a_vcs_url_qualifier_without_credentials() -> None:
    assert VCS.purl is not None
    purl = PackageURL.from_string(VCS.purl)
    assert (purl.type, purl.namespace, purl.name, purl.version) == (
        "pypi",
        None,
        "private-lib",
        None,
    )
    assert purl.qualifiers == {"vcs_url": "git+https://github.com/acme/private-lib.git@v1.2.3"}
    assert TOKEN not in VCS.purl
    assert VCS.download_url is None


def test_a_url_ref_has_a_download_url_qualifier_without_credentials() -> None:
    assert URL.purl is not None
    purl = PackageURL.from_string(URL.purl)
    assert (purl.name, purl.version) == ("wheelie", "1.0")
    assert purl.qualifiers == {
        "download_url": "https://files.example.com/wheelie-1.0-py3-none-any.whl"
    }
    assert URL.vcs_url is None


def test_a_local_path_is_not_published() -> None:
    assert LOCAL.purl == "pkg:pypi/mine"
    assert LOCAL.vcs_url is None
    assert LOCAL.download_url is None


@pytest.mark.parametrize("component", HOSTILE, ids=lambda c: repr(c.name))
def test_a_hostile_name_or_version_gets_no_purl_rather_than_a_misleading_one(
    component: Component,
) -> None:
    if component.purl is None:
        return
    # Only names and versions PyPI could hold get one, and it parses back to them.
    purl = PackageURL.from_string(component.purl)
    assert purl.namespace is None
    assert purl.name == component.canonical_name
    assert purl.version == component.version


def test_hostile_samples_include_names_that_get_no_purl() -> None:
    assert [c.name for c in HOSTILE if c.purl is None] == [
        "../../etc/passwd",
        "spaced name",
        "ünïcödé",
        "ünïcödé",
        "@#?%",
        "x",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://files.example.com/a.whl", "https://files.example.com/a.whl"),
        (f"https://{TOKEN}@github.com/a/b", "https://github.com/a/b"),
        (f"https://user:{TOKEN}@host:8443/a?x=1#sha256=ab", "https://host:8443/a?x=1"),
        ("git+ssh://git@github.com/a/b.git@main", "git+ssh://git@github.com/a/b.git@main"),
        (f"git+ssh://git:{TOKEN}@github.com/a/b.git", "git+ssh://github.com/a/b.git"),
        ("git+https://github.com/a/b.git@v1#egg=b", "git+https://github.com/a/b.git@v1"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x"),
        ("file:///home/me/pkg.whl", None),
        ("git+file:///home/me/repo@main", None),
        ("./vendor/mine", None),
        ("https://host/a b", None),
        ("https://host/\x1b[2J", None),
        ("https://host:99999/x", None),
        ("https:///nohost", None),
    ],
)
def test_public_url_drops_credentials_and_rejects_non_urls(url: str, expected: str | None) -> None:
    assert public_url(url) == expected


def test_hashes_are_read_from_a_ref_and_its_url_fragment() -> None:
    ref = PackageRef(
        name="wheelie",
        version=None,
        source="requirements.txt",
        pin=PinKind.URL,
        url=f"https://files.example.com/w.whl#sha512={'a' * 128}&egg=wheelie",
        hashes=(f"sha256:{SHA256}", f"sha384={'b' * 96}", "garbage"),
        group="dev",
    )
    component = Component.from_ref(ref, scope=DependencyScope.DEV)
    assert component.hashes == (("sha256", SHA256), ("sha384", "b" * 96), ("sha512", "a" * 128))
    assert (component.group, component.scope, component.verdict) == ("dev", "dev", None)


def test_checked_hashes_keep_well_formed_known_digests_once() -> None:
    checked = [(spec.spdx, digest) for spec, digest in PINNED.checked_hashes()]
    assert checked == [("SHA256", SHA256)]


@pytest.mark.parametrize(
    ("name", "spdx"),
    [
        ("sha256", "SHA256"),
        ("SHA-256", "SHA256"),
        ("sha3_256", "SHA3-256"),
        ("blake2b", "BLAKE2b-512"),
    ],
)
def test_hash_algorithms_are_recognised_however_spelt(name: str, spdx: str) -> None:
    spec = hash_spec(name)
    assert spec is not None
    assert spec.spdx == spdx


def test_a_ref_with_its_scan_result_carries_verdict_and_advisories() -> None:
    ref = PackageRef(name="evil_pkg", version="0.0.1", source="requirements.txt")
    result = ScanResult(
        artifact="evil_pkg-0.0.1.tar.gz",
        kind="sdist",
        name="evil_pkg",
        version="0.0.1",
        verdict=Verdict.MALICIOUS,
        score=100,
        advisories=(MALICIOUS_ADVISORY,),
    )
    component = Component.from_ref(ref, result=result)
    assert (component.verdict, component.advisories) == ("malicious", (MALICIOUS_ADVISORY,))
    scanned = Component.from_result(result)
    assert (scanned.name, scanned.version, scanned.source) == (
        "evil_pkg",
        "0.0.1",
        "evil_pkg-0.0.1.tar.gz",
    )
    assert scanned.advisories == (MALICIOUS_ADVISORY,)


def test_document_order_does_not_depend_on_input_order() -> None:
    assert build_sbom(ALL).ordered() == build_sbom(tuple(reversed(ALL))).ordered()
    assert build_sbom((MALICIOUS, PINNED)).ordered() == (MALICIOUS, PINNED)


def test_the_timestamp_is_utc_to_the_second() -> None:
    local = datetime(2024, 5, 6, 9, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    sbom = Sbom(subject=".", timestamp=local)
    assert sbom.timestamp == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        Sbom(subject=".", timestamp=datetime(2024, 5, 6))


def test_serial_and_timestamp_default_to_new_values() -> None:
    first, second = Sbom(subject="."), Sbom(subject=".")
    assert first.serial != second.serial
    assert isinstance(first.serial, uuid.UUID)
    assert first.timestamp.tzinfo is UTC
