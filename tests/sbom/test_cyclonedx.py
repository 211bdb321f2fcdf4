"""The CycloneDX 1.6 document: the official schema, references, advisories, reproducibility."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

from depvet.model import AdvisoryMatch
from depvet.sbom.cyclonedx import SUBJECT_REF, render_cyclonedx
from depvet.sbom.model import Component

from .samples import (
    ALL,
    HOSTILE,
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

VARIANTS = {
    "all": ALL,
    "empty": (),
    "pinned": (PINNED,),
    "malicious": (MALICIOUS,),
    "refs": (UNPINNED, VCS, URL),
    "hostile": HOSTILE,
}


def render(components: tuple[Component, ...] = ALL, subject: str = "poetry.lock") -> Any:
    return json.loads(render_cyclonedx(build_sbom(components, subject)))


def by_name(bom: Any, name: str) -> Any:
    (component,) = [c for c in bom["components"] if c["name"] == name]
    return component


def properties(item: Any) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("properties", [])}


@pytest.fixture(scope="module")
def validator() -> JsonStrictValidator:
    """The schema cyclonedx-python-lib ships (bom-1.6.SNAPSHOT.schema.json), unknown keys refused.

    It runs jsonschema with the ``referencing`` registry the library builds;
    the 'format' checks whose optional packages are absent are skipped, so the
    tests below check timestamps and serial numbers themselves.
    """
    return JsonStrictValidator(SchemaVersion.V1_6)


@pytest.mark.parametrize("components", VARIANTS.values(), ids=VARIANTS.keys())
def test_validates_against_the_official_schema(
    validator: JsonStrictValidator, components: tuple[Component, ...]
) -> None:
    errors = validator.validate_str(render_cyclonedx(build_sbom(components)), all_errors=True)
    assert errors is None, "\n".join(str(e) for e in errors or ())


def test_the_schema_check_can_fail(validator: JsonStrictValidator) -> None:
    bom = render()
    bom["components"][0]["hashes"] = [{"alg": "SHA-256", "content": "not-hex"}]
    assert validator.validate_str(json.dumps(bom)) is not None


def test_the_document_is_cyclonedx_1_6_with_the_given_serial_and_time() -> None:
    bom = render()
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    assert bom["serialNumber"] == f"urn:uuid:{SERIAL}"
    assert datetime.fromisoformat(bom["metadata"]["timestamp"]) == build_sbom().timestamp
    assert bom["metadata"]["tools"]["components"][0]["name"] == "depvet"
    assert bom["metadata"]["component"]["name"] == "poetry.lock"


def test_output_is_deterministic() -> None:
    first = render_cyclonedx(build_sbom(ALL))
    assert render_cyclonedx(build_sbom(ALL)) == first
    assert render_cyclonedx(build_sbom(tuple(reversed(ALL)))) == first


def test_bom_refs_are_unique_and_every_reference_resolves() -> None:
    bom = render()
    refs = [c["bom-ref"] for c in bom["components"]]
    refs += [bom["metadata"]["component"]["bom-ref"]]
    refs += [v["bom-ref"] for v in bom["vulnerabilities"]]
    assert len(refs) == len(set(refs))
    known = set(refs)
    for dependency in bom["dependencies"]:
        assert {dependency["ref"], *dependency.get("dependsOn", [])} <= known
    for vulnerability in bom["vulnerabilities"]:
        assert {a["ref"] for a in vulnerability["affects"]} <= known
    (root,) = [d for d in bom["dependencies"] if d["ref"] == SUBJECT_REF]
    assert sorted(root["dependsOn"]) == sorted(c["bom-ref"] for c in bom["components"])


def test_a_component_has_purl_hashes_and_depvet_properties() -> None:
    component = by_name(render(), "Requests")
    assert component["purl"] == component["bom-ref"] == "pkg:pypi/requests@2.31.0"
    assert component["version"] == "2.31.0"
    assert component["hashes"] == [{"alg": "SHA-256", "content": SHA256}]
    assert component["scope"] == "required"
    assert component["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert properties(component) == {"depvet:source": "poetry.lock", "depvet:verdict": "clean"}


def test_vcs_and_url_refs_have_qualified_purls_and_external_references() -> None:
    bom = render()
    vcs, url = by_name(bom, "Private.Lib"), by_name(bom, "wheelie")
    assert PackageURL.from_string(vcs["purl"]).qualifiers == {
        "vcs_url": "git+https://github.com/acme/private-lib.git@v1.2.3"
    }
    assert vcs["externalReferences"] == [
        {"type": "vcs", "url": "git+https://github.com/acme/private-lib.git@v1.2.3"}
    ]
    assert vcs["licenses"] == [{"license": {"id": "BSD-3-Clause"}}, {"license": {"id": "MIT"}}]
    assert "version" not in vcs
    assert url["externalReferences"] == [
        {"type": "distribution", "url": "https://files.example.com/wheelie-1.0-py3-none-any.whl"}
    ]
    assert url["scope"] == "optional"
    assert url["licenses"] == [{"license": {"name": "MIT License"}}]
    assert properties(url)["depvet:group"] == "extra-fast"
    assert properties(url)["depvet:pin"] == "url"


def test_credentials_never_reach_the_document() -> None:
    assert TOKEN not in render_cyclonedx(build_sbom())


def test_a_normal_advisory_becomes_a_vulnerability() -> None:
    (vulnerability,) = [v for v in render()["vulnerabilities"] if v["id"] == NORMAL_ADVISORY.id]
    assert vulnerability["description"] == NORMAL_ADVISORY.summary
    assert vulnerability["recommendation"] == "Upgrade to a fixed version: 2.32.0."
    assert vulnerability["references"] == [
        {"id": "CVE-2024-35195", "source": {"name": "NVD"}},
        {"id": "PYSEC-2024-40", "source": {"name": "PyPI Advisory Database"}},
    ]
    assert vulnerability["source"] == {"name": "OSV", "url": NORMAL_ADVISORY.url}
    assert vulnerability["advisories"] == [{"url": NORMAL_ADVISORY.url}]
    # The library keeps the vector without its "CVSS:3.1/" prefix; the method says which.
    assert vulnerability["ratings"] == [
        {"method": "CVSSv31", "vector": "AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N"}
    ]
    assert vulnerability["affects"] == [
        {
            "ref": "pkg:pypi/requests@2.31.0",
            "versions": [{"version": "2.31.0", "status": "affected"}],
        }
    ]
    assert "properties" not in vulnerability


def test_a_malicious_advisory_is_critical_and_says_to_remove_the_package() -> None:
    (vulnerability,) = render((MALICIOUS,))["vulnerabilities"]
    assert vulnerability["id"] == "MAL-2024-1234"
    assert vulnerability["ratings"] == [
        {
            "severity": "critical",
            "method": "other",
            "justification": "The release is known to be malicious.",
        }
    ]
    assert vulnerability["recommendation"].startswith("Remove the package")
    assert properties(vulnerability) == {"depvet:malicious": "true"}
    assert vulnerability["affects"][0]["ref"] == "pkg:pypi/evil-pkg@0.0.1"
    component = by_name(render((MALICIOUS,)), "evil_pkg")
    assert component["scope"] == "excluded"
    assert properties(component)["depvet:verdict"] == "malicious"


@pytest.mark.parametrize(
    ("severity", "rating"),
    [
        ("HIGH", {"severity": "high"}),
        ("moderate", {"severity": "medium"}),
        ("CVSS:4.0/AV:N/AC:L/AT:N", {"method": "CVSSv4", "vector": "AV:N/AC:L/AT:N"}),
        (
            "AV:N/AC:L/Au:N/C:P/I:P/A:P",
            {"method": "CVSSv2", "vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
        ),
        ("whatever", None),
    ],
)
def test_severity_strings_become_ratings(severity: str, rating: dict[str, str] | None) -> None:
    advisory = AdvisoryMatch(id="PYSEC-2024-1", severity=severity)
    (vulnerability,) = render(
        (Component(name="a", version="1", source="s", advisories=(advisory,)),)
    )["vulnerabilities"]
    assert vulnerability.get("ratings") == ([rating] if rating else None)
    assert vulnerability["source"] == {"name": "PyPI Advisory Database"}
    assert "recommendation" not in vulnerability


def test_one_advisory_on_two_components_is_one_vulnerability() -> None:
    other = Component(
        name="requests", version="2.30.0", source="b.lock", advisories=(NORMAL_ADVISORY,)
    )
    vulnerabilities = render((PINNED, other))["vulnerabilities"]
    assert len(vulnerabilities) == 1
    assert [a["ref"] for a in vulnerabilities[0]["affects"]] == [
        "pkg:pypi/requests@2.30.0",
        "pkg:pypi/requests@2.31.0",
    ]


def test_hostile_names_are_kept_as_data() -> None:
    text = render_cyclonedx(build_sbom(HOSTILE, subject="../x\n\ud800"))
    text.encode("utf-8")  # no lone surrogate survives
    bom = json.loads(text)
    names = sorted(c["name"] for c in bom["components"])
    assert names == sorted(c.name for c in HOSTILE)
    assert by_name(bom, "../../etc/passwd")["bom-ref"].startswith("depvet:component:")
    assert "purl" not in by_name(bom, "../../etc/passwd")
    assert bom["metadata"]["component"]["name"] == "../x\n\ufffd"


def test_an_empty_sbom_has_no_components() -> None:
    bom = render(())
    assert "components" not in bom or bom["components"] == []
    assert "vulnerabilities" not in bom or bom["vulnerabilities"] == []
