"""SPDX 2.3 JSON, written as a plain dict.

The document describes one root package standing for the scanned path; the
root ``DEPENDS_ON`` every component. SPDXIDs may hold only letters, digits,
``.`` and ``-``, so they are derived from names with everything else folded to
``-`` and made unique with a counter; a hostile name can neither break the
pattern nor take another package's id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from cyclonedx.spdx import fixup_id, is_expression

from depvet.report.interface import utf8_safe
from depvet.sbom.model import Component, Sbom, web_url

__all__ = [
    "DOCUMENT_ID",
    "NAMESPACE_BASE",
    "SUBJECT_ID",
    "license_expression",
    "render_spdx",
    "spdx_ids",
]

DOCUMENT_ID = "SPDXRef-DOCUMENT"
SUBJECT_ID = "SPDXRef-Subject"
# The SPDX 2.3 spec's default for creators without a site of their own (clause 6.5).
NAMESPACE_BASE = "https://spdx.org/spdxdocs/"
NOASSERTION = "NOASSERTION"

_NOT_ID = re.compile(r"[^A-Za-z0-9.]+")

JsonObject = dict[str, object]


def render_spdx(sbom: Sbom) -> str:
    """The SBOM as an SPDX 2.3 JSON document, indented by two spaces, ending in a newline."""
    ordered = sbom.ordered()
    ids = spdx_ids(ordered)
    version = _NOT_ID.sub("-", sbom.tool_version)
    document: JsonObject = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": f"depvet SBOM of {sbom.subject}",
        "documentNamespace": f"{NAMESPACE_BASE}depvet-{version}-{sbom.serial}",
        "creationInfo": {
            "created": sbom.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "creators": [f"Tool: depvet-{sbom.tool_version}"],
        },
        "packages": [
            _subject(sbom.subject),
            *(_package(c, spdx_id) for c, spdx_id in zip(ordered, ids, strict=True)),
        ],
        "relationships": [
            {
                "spdxElementId": DOCUMENT_ID,
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": SUBJECT_ID,
            },
            *(_depends_on(c, spdx_id) for c, spdx_id in zip(ordered, ids, strict=True)),
        ],
    }
    return utf8_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


def spdx_ids(components: Iterable[Component]) -> list[str]:
    """A unique, pattern-conforming SPDXID per component, in order."""
    used = {DOCUMENT_ID, SUBJECT_ID}
    ids = []
    for component in components:
        text = (
            component.name if component.version is None else f"{component.name}-{component.version}"
        )
        base = "SPDXRef-Package-" + (_NOT_ID.sub("-", text).strip("-") or "unnamed")
        spdx_id, n = base, 1
        while spdx_id in used:
            n += 1
            spdx_id = f"{base}-{n}"
        used.add(spdx_id)
        ids.append(spdx_id)
    return ids


def license_expression(licenses: tuple[str, ...]) -> str | None:
    """The SPDX license expression ``licenses`` state, or None when they state none.

    Only a single SPDX id or expression qualifies. A name such as ``"MIT
    License"`` is no id, and several licenses (trove classifiers) do not say
    whether they combine with AND or OR: such packages get NOASSERTION and the
    names go to ``licenseComments``, rather than a claim the package never made.
    """
    if len(licenses) != 1:
        return None
    text = licenses[0].strip()
    spdx_id = fixup_id(text)
    if spdx_id is not None:
        return spdx_id
    return text if is_expression(text) else None


def _subject(subject: str) -> JsonObject:
    return {
        "SPDXID": SUBJECT_ID,
        "name": subject,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "comment": "The path depvet read the inventory from.",
    }


def _package(component: Component, spdx_id: str) -> JsonObject:
    package: JsonObject = {"SPDXID": spdx_id, "name": component.name}
    if component.version is not None:
        package["versionInfo"] = component.version
    package["downloadLocation"] = component.vcs_url or component.download_url or NOASSERTION
    package["filesAnalyzed"] = False
    package["primaryPackagePurpose"] = "LIBRARY"
    checksums = [
        {"algorithm": spec.spdx, "checksumValue": digest}
        for spec, digest in component.checked_hashes()
    ]
    if checksums:
        package["checksums"] = checksums
    declared = license_expression(component.licenses)
    # depvet reads licenses as packages declare them; it concludes nothing itself.
    package["licenseConcluded"] = NOASSERTION
    package["licenseDeclared"] = declared or NOASSERTION
    if declared is None and component.licenses:
        package["licenseComments"] = "Declared, as stated: " + "; ".join(component.licenses)
    package["copyrightText"] = NOASSERTION
    refs = []
    purl = component.purl
    if purl is not None:
        refs.append(
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": purl,
            }
        )
    for advisory in component.advisories:
        url = web_url(advisory.url)
        if url is not None:
            refs.append(
                {
                    "referenceCategory": "SECURITY",
                    "referenceType": "advisory",
                    "referenceLocator": url,
                    "comment": _advisory_comment(advisory.id, malicious=advisory.malicious),
                }
            )
    if refs:
        package["externalRefs"] = refs
    package["comment"] = _comment(component)
    return package


def _advisory_comment(advisory_id: str, *, malicious: bool) -> str:
    return f"{advisory_id} (malicious release)" if malicious else advisory_id


def _comment(component: Component) -> str:
    lines = [f"Source: {component.source}"]
    if component.verdict is not None:
        lines.append(f"depvet verdict: {component.verdict}")
    if component.advisories:
        ids = ", ".join(
            _advisory_comment(a.id, malicious=a.malicious) for a in component.advisories
        )
        lines.append(f"Advisories: {ids}")
    return "\n".join(lines)


def _depends_on(component: Component, spdx_id: str) -> JsonObject:
    relationship: JsonObject = {
        "spdxElementId": SUBJECT_ID,
        "relationshipType": "DEPENDS_ON",
        "relatedSpdxElement": spdx_id,
    }
    said = [f"scope: {component.scope}"] if component.scope is not None else []
    if component.group is not None:
        said.append(f"group: {component.group}")
    if said:
        relationship["comment"] = ", ".join(said)
    return relationship
