"""The SPDX 2.3 document: the official schema, SPDXIDs, relationships, reproducibility.

The vendored schema (see data/README.md) predates the SPDXID and date
patterns of the 2.3.1 schema, so those are checked here by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from depvet.sbom.model import Component
from depvet.sbom.spdx import DOCUMENT_ID, SUBJECT_ID, license_expression, render_spdx, spdx_ids

from .samples import (
    ALL,
    HOSTILE,
    LOCAL,
    MALICIOUS,
    NORMAL_ADVISORY,
    PINNED,
    SERIAL,
    SHA256,
    TOKEN,
    UNPINNED,
    URL,
    VCS,
    build_sbom,
)

SCHEMA = Path(__file__).parent / "data" / "spdx-schema-2.3.json"
SPDX_ID = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")
# The creation date pattern of the SPDX 2.3.1 schema.
CREATED = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]|23:59:60)Z$"
)
VARIANTS = {
    "all": ALL,
    "empty": (),
    "pinned": (PINNED,),
    "malicious": (MALICIOUS,),
    "refs": (UNPINNED, VCS, URL, LOCAL),
    "hostile": HOSTILE,
}


def render(components: tuple[Component, ...] = ALL, subject: str = "poetry.lock") -> Any:
    return json.loads(render_spdx(build_sbom(components, subject)))


def by_name(document: Any, name: str) -> Any:
    (package,) = [p for p in document["packages"] if p["name"] == name]
    return package


@pytest.fixture(scope="module")
def validator() -> Any:
    """A draft 2019-09 validator for the SPDX 2.3 schema (jsonschema ships no type stubs)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def check_by_hand(document: Any) -> None:
    """What the 2.3.1 schema and the spec add to the vendored schema."""
    ids = [document["SPDXID"], *(p["SPDXID"] for p in document["packages"])]
    assert all(SPDX_ID.fullmatch(i) for i in ids), ids
    assert len(ids) == len(set(ids))
    for relationship in document["relationships"]:
        assert {relationship["spdxElementId"], relationship["relatedSpdxElement"]} <= set(ids)
    assert CREATED.fullmatch(document["creationInfo"]["created"])
    namespace = document["documentNamespace"]
    assert re.fullmatch(r"https://[A-Za-z0-9./-]+", namespace)
    for package in document["packages"]:
        for checksum in package.get("checksums", []):
            assert re.fullmatch(r"[0-9a-f]+", checksum["checksumValue"])


@pytest.mark.parametrize("components", VARIANTS.values(), ids=VARIANTS.keys())
def test_validates_against_the_official_schema(
    validator: Any, components: tuple[Component, ...]
) -> None:
    document = render(components)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    check_by_hand(document)


def test_the_schema_check_can_fail(validator: Any) -> None:
    document = render()
    document["packages"][1]["filesAnalyzed"] = "no"
    assert not validator.is_valid(document)
    del document["packages"][1]["filesAnalyzed"]
    document["packages"][1]["checksums"] = [{"algorithm": "SHA-256", "checksumValue": SHA256}]
    assert not validator.is_valid(document)


def test_the_document_header() -> None:
    document = render()
    assert document["spdxVersion"] == "SPDX-2.3"
    assert document["dataLicense"] == "CC0-1.0"
    assert document["SPDXID"] == DOCUMENT_ID
    assert document["name"] == "depvet SBOM of poetry.lock"
    assert document["documentNamespace"].endswith(f"-{SERIAL}")
    assert document["creationInfo"] == {
        "created": "2024-05-06T07:08:09Z",
        "creators": [f"Tool: depvet-{build_sbom().tool_version}"],
    }


def test_output_is_deterministic() -> None:
    first = render_spdx(build_sbom(ALL))
    assert render_spdx(build_sbom(ALL)) == first
    assert render_spdx(build_sbom(tuple(reversed(ALL)))) == first


def test_the_document_describes_the_subject_which_depends_on_every_component() -> None:
    document = render()
    subject = by_name(document, "poetry.lock")
    assert subject["SPDXID"] == SUBJECT_ID
    relationships = document["relationships"]
    assert relationships[0] == {
        "spdxElementId": DOCUMENT_ID,
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": SUBJECT_ID,
    }
    depends = [r for r in relationships[1:] if r["relationshipType"] == "DEPENDS_ON"]
    assert len(depends) == len(relationships) - 1 == len(ALL)
    assert {r["spdxElementId"] for r in depends} == {SUBJECT_ID}
    targets = {r["relatedSpdxElement"] for r in depends}
    assert targets == {p["SPDXID"] for p in document["packages"]} - {SUBJECT_ID}
    (dev,) = [
        r for r in depends if r["relatedSpdxElement"] == by_name(document, "evil_pkg")["SPDXID"]
    ]
    assert dev["comment"] == "scope: dev, group: dev"


def test_a_pinned_package() -> None:
    package = by_name(render(), "Requests")
    assert package == {
        "SPDXID": "SPDXRef-Package-Requests-2.31.0",
        "name": "Requests",
        "versionInfo": "2.31.0",
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": "LIBRARY",
        "checksums": [{"algorithm": "SHA256", "checksumValue": SHA256}],
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "Apache-2.0",
        "copyrightText": "NOASSERTION",
        "externalRefs": [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": "pkg:pypi/requests@2.31.0",
            },
            {
                "referenceCategory": "SECURITY",
                "referenceType": "advisory",
                "referenceLocator": NORMAL_ADVISORY.url,
                "comment": NORMAL_ADVISORY.id,
            },
        ],
        "comment": f"Source: poetry.lock\ndepvet verdict: clean\nAdvisories: {NORMAL_ADVISORY.id}",
    }


def test_a_malicious_package_names_its_advisory() -> None:
    package = by_name(render(), "evil_pkg")
    security = [r for r in package["externalRefs"] if r["referenceCategory"] == "SECURITY"]
    assert security == [
        {
            "referenceCategory": "SECURITY",
            "referenceType": "advisory",
            "referenceLocator": "https://osv.dev/vulnerability/MAL-2024-1234",
            "comment": "MAL-2024-1234 (malicious release)",
        }
    ]
    assert "depvet verdict: malicious" in package["comment"]


def test_vcs_and_url_refs_have_a_download_location_without_credentials() -> None:
    text = render_spdx(build_sbom())
    assert TOKEN not in text
    document = json.loads(text)
    vcs, url = by_name(document, "Private.Lib"), by_name(document, "wheelie")
    assert vcs["downloadLocation"] == "git+https://github.com/acme/private-lib.git@v1.2.3"
    assert "versionInfo" not in vcs
    assert url["downloadLocation"] == "https://files.example.com/wheelie-1.0-py3-none-any.whl"
    assert by_name(document, "mine")["downloadLocation"] == "NOASSERTION"
    assert by_name(document, "rich")["externalRefs"][0]["referenceLocator"] == "pkg:pypi/rich"


@pytest.mark.parametrize(
    ("licenses", "expression"),
    [
        ((), None),
        (("MIT",), "MIT"),
        (("mit",), "MIT"),
        (("Apache-2.0 OR MIT",), "Apache-2.0 OR MIT"),
        (("MIT License",), None),
        (("MIT", "BSD-3-Clause"), None),  # AND or OR? the package does not say
        (("MIT OR ",), None),
    ],
)
def test_only_a_single_spdx_expression_is_declared(
    licenses: tuple[str, ...], expression: str | None
) -> None:
    assert license_expression(licenses) == expression


def test_undeclarable_licenses_go_to_license_comments() -> None:
    document = render()
    for name, comment in [("Private.Lib", "MIT; BSD-3-Clause"), ("wheelie", "MIT License")]:
        package = by_name(document, name)
        assert package["licenseDeclared"] == "NOASSERTION"
        assert package["licenseComments"] == f"Declared, as stated: {comment}"


def test_hostile_names_get_valid_unique_ids_and_are_kept_as_data() -> None:
    text = render_spdx(build_sbom(HOSTILE, subject="../x\n\ud800"))
    text.encode("utf-8")
    document = json.loads(text)
    check_by_hand(document)
    assert sorted(p["name"] for p in document["packages"][1:]) == sorted(c.name for c in HOSTILE)
    assert document["packages"][0]["name"] == "../x\n\ufffd"
    assert "SPDXRef-DOCUMENT" not in [p["SPDXID"] for p in document["packages"]]


def test_an_empty_sbom_is_the_subject_alone() -> None:
    document = render(())
    assert [p["SPDXID"] for p in document["packages"]] == [SUBJECT_ID]
    assert [r["relationshipType"] for r in document["relationships"]] == ["DESCRIBES"]


@given(st.lists(st.tuples(st.text(min_size=1), st.none() | st.text()), max_size=20))
def test_spdx_ids_are_always_valid_and_unique(pairs: list[tuple[str, str | None]]) -> None:
    components = [Component(name=n, version=v, source="s") for n, v in pairs]
    ids = spdx_ids(components)
    assert all(SPDX_ID.fullmatch(i) for i in ids)
    assert len(set(ids) | {DOCUMENT_ID, SUBJECT_ID}) == len(ids) + 2
