"""CycloneDX 1.6 JSON, built with cyclonedx-python-lib.

Every component has an explicit, unique bom-ref (its purl where it has one):
the library would otherwise invent random ones, and the document must be the
same bytes for the same :class:`~depvet.sbom.model.Sbom`. Each advisory id
becomes one vulnerability whose ``affects`` lists every component it matched.
"""

from __future__ import annotations

from collections.abc import Iterable

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentScope, ComponentType
from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus
from cyclonedx.model.license import DisjunctiveLicense, License
from cyclonedx.model.tool import ToolRepository
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.spdx import fixup_id
from packageurl import PackageURL

from depvet.model import AdvisoryMatch, PinKind
from depvet.report.interface import utf8_safe
from depvet.sbom.model import Component, DependencyScope, Sbom, web_url

__all__ = ["SUBJECT_REF", "advisory_source", "bom_refs", "render_cyclonedx"]

SUBJECT_REF = "depvet:subject"
TOOL_REF = "depvet:tool"

_SCOPES = {
    DependencyScope.REQUIRED: ComponentScope.REQUIRED,
    DependencyScope.OPTIONAL: ComponentScope.OPTIONAL,
    # CycloneDX: "excluded" documents use "for test and other non-runtime purposes".
    DependencyScope.DEV: ComponentScope.EXCLUDED,
}

_SEVERITY_LABELS = {
    "critical": VulnerabilitySeverity.CRITICAL,
    "high": VulnerabilitySeverity.HIGH,
    "moderate": VulnerabilitySeverity.MEDIUM,
    "medium": VulnerabilitySeverity.MEDIUM,
    "low": VulnerabilitySeverity.LOW,
    "info": VulnerabilitySeverity.INFO,
    "none": VulnerabilitySeverity.NONE,
}

_CVSS_PREFIXES = (
    ("CVSS:4.0/", VulnerabilityScoreSource.CVSS_V4),
    ("CVSS:3.1/", VulnerabilityScoreSource.CVSS_V3_1),
    ("CVSS:3.0/", VulnerabilityScoreSource.CVSS_V3),
    ("AV:", VulnerabilityScoreSource.CVSS_V2),  # CVSS v2 vectors carry no prefix
)

# Who publishes the ids an advisory may carry, by prefix.
_SOURCES = (
    ("DEPVET-", "depvet"),
    ("MAL-", "OpenSSF Malicious Packages"),
    ("GHSA-", "GitHub Advisory Database"),
    ("PYSEC-", "PyPI Advisory Database"),
    ("CVE-", "NVD"),
)
_OSV = "https://osv.dev/"


def render_cyclonedx(sbom: Sbom) -> str:
    """The SBOM as a CycloneDX 1.6 JSON document, indented by two spaces, ending in a newline."""
    ordered = sbom.ordered()
    refs = bom_refs(ordered)
    subject = CdxComponent(
        name=utf8_safe(sbom.subject),
        type=ComponentType.APPLICATION,
        bom_ref=SUBJECT_REF,
        description="The path depvet read the inventory from.",
    )
    tool = CdxComponent(
        name="depvet",
        version=utf8_safe(sbom.tool_version),
        type=ComponentType.APPLICATION,
        bom_ref=TOOL_REF,
    )
    components = [_component(component, ref) for component, ref in zip(ordered, refs, strict=True)]
    bom = Bom(
        serial_number=sbom.serial,
        metadata=BomMetaData(
            timestamp=sbom.timestamp,
            tools=ToolRepository(components=[tool]),
            component=subject,
        ),
        components=components,
        vulnerabilities=_vulnerabilities(ordered, refs),
    )
    bom.register_dependency(subject, components)
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def bom_refs(components: Iterable[Component]) -> list[str]:
    """A unique bom-ref per component, in order: its purl, with ``#2``… for repeats."""
    used = {SUBJECT_REF, TOOL_REF}
    refs = []
    for component in components:
        base = component.purl or utf8_safe(
            f"depvet:component:{component.name}@{component.version or ''}"
        )
        ref, n = base, 1
        while ref in used:
            n += 1
            ref = f"{base}#{n}"
        used.add(ref)
        refs.append(ref)
    return refs


def advisory_source(advisory_id: str) -> str:
    """The database that publishes ids like ``advisory_id`` (OSV when unknown)."""
    return next((name for prefix, name in _SOURCES if advisory_id.startswith(prefix)), "OSV")


def _source(advisory_id: str, url: str | None) -> VulnerabilitySource:
    # depvet's records are OSV's; the id's own database is named only when the link is not OSV's.
    if url is None:
        return VulnerabilitySource(name=advisory_source(advisory_id))
    name = "OSV" if url.startswith(_OSV) else advisory_source(advisory_id)
    return VulnerabilitySource(name=name, url=XsUri(url))


def _component(component: Component, ref: str) -> CdxComponent:
    properties = [Property(name="depvet:source", value=utf8_safe(component.source))]
    if component.verdict is not None:
        properties.append(Property(name="depvet:verdict", value=component.verdict))
    if component.group is not None:
        properties.append(Property(name="depvet:group", value=utf8_safe(component.group)))
    if component.pin is not PinKind.EXACT:
        properties.append(Property(name="depvet:pin", value=component.pin.value))
    references = []
    if component.vcs_url is not None:
        references.append(
            ExternalReference(type=ExternalReferenceType.VCS, url=XsUri(component.vcs_url))
        )
    if component.download_url is not None:
        references.append(
            ExternalReference(
                type=ExternalReferenceType.DISTRIBUTION, url=XsUri(component.download_url)
            )
        )
    purl = component.purl
    return CdxComponent(
        name=utf8_safe(component.name),
        version=utf8_safe(component.version) if component.version is not None else None,
        type=ComponentType.LIBRARY,
        bom_ref=ref,
        purl=PackageURL.from_string(purl) if purl is not None else None,
        scope=_SCOPES[component.scope] if component.scope is not None else None,
        hashes=[
            HashType(alg=HashAlgorithm(spec.cyclonedx), content=digest)
            for spec, digest in component.checked_hashes()
            if spec.cyclonedx is not None
        ],
        licenses=_licenses(component.licenses),
        external_references=references,
        properties=properties,
    )


def _licenses(licenses: tuple[str, ...]) -> list[License]:
    """One expression, or a list of licenses by SPDX id or by name (1.6 allows no mix)."""
    if len(licenses) == 1:
        return [LicenseFactory().make_from_string(utf8_safe(licenses[0]))]
    result: list[License] = []
    for text in licenses:
        spdx_id = fixup_id(text)
        if spdx_id is not None:
            result.append(DisjunctiveLicense(id=spdx_id))
        else:
            result.append(DisjunctiveLicense(name=utf8_safe(text)))
    return result


def _vulnerabilities(components: tuple[Component, ...], refs: list[str]) -> list[Vulnerability]:
    grouped: dict[str, list[tuple[AdvisoryMatch, Component, str]]] = {}
    for component, ref in zip(components, refs, strict=True):
        for advisory in component.advisories:
            grouped.setdefault(advisory.id, []).append((advisory, component, ref))
    return [_vulnerability(advisory_id, hits) for advisory_id, hits in sorted(grouped.items())]


def _vulnerability(
    advisory_id: str, hits: list[tuple[AdvisoryMatch, Component, str]]
) -> Vulnerability:
    aliases = dict.fromkeys(a for advisory, _, _ in hits for a in advisory.aliases)
    aliases.pop(advisory_id, None)
    fixed = dict.fromkeys(f for advisory, _, _ in hits for f in advisory.fixed)
    malicious = any(advisory.malicious for advisory, _, _ in hits)
    summary = next((advisory.summary for advisory, _, _ in hits if advisory.summary), "")
    severity = next((advisory.severity for advisory, _, _ in hits if advisory.severity), None)
    url = next((u for advisory, _, _ in hits if (u := web_url(advisory.url))), None)
    affects = {}
    for _, component, ref in hits:
        versions = None
        if component.version is not None:
            versions = [
                BomTargetVersionRange(
                    version=utf8_safe(component.version),
                    status=ImpactAnalysisAffectedStatus.AFFECTED,
                )
            ]
        affects[ref] = BomTarget(ref=ref, versions=versions)
    return Vulnerability(
        bom_ref=f"depvet:vulnerability:{advisory_id}",
        id=utf8_safe(advisory_id),
        source=_source(advisory_id, url),
        references=[
            VulnerabilityReference(
                id=utf8_safe(alias), source=VulnerabilitySource(name=advisory_source(alias))
            )
            for alias in aliases
        ],
        ratings=_ratings(severity, malicious=malicious),
        description=utf8_safe(summary) or None,
        recommendation=_recommendation(tuple(fixed), malicious=malicious),
        advisories=[VulnerabilityAdvisory(url=XsUri(url))] if url else None,
        affects=affects.values(),
        properties=[Property(name="depvet:malicious", value="true")] if malicious else None,
    )


def _ratings(severity: str | None, *, malicious: bool) -> list[VulnerabilityRating]:
    if severity:
        text = severity.strip()
        for prefix, method in _CVSS_PREFIXES:
            if text.startswith(prefix):
                return [VulnerabilityRating(method=method, vector=utf8_safe(text))]
        label = _SEVERITY_LABELS.get(text.lower())
        if label is not None:
            return [VulnerabilityRating(severity=label)]
    if malicious:
        # A malicious release usually comes without a score; it is critical all the same,
        # and tools that sort by rating must not file it under "unknown".
        return [
            VulnerabilityRating(
                severity=VulnerabilitySeverity.CRITICAL,
                method=VulnerabilityScoreSource.OTHER,
                justification="The release is known to be malicious.",
            )
        ]
    return []


def _recommendation(fixed: tuple[str, ...], *, malicious: bool) -> str | None:
    if malicious:
        return (
            "Remove the package: the release is known to be malicious. Treat any machine "
            "that installed it as compromised and rotate the secrets it could reach."
        )
    if fixed:
        return "Upgrade to a fixed version: " + ", ".join(utf8_safe(v) for v in fixed) + "."
    return None
