"""Hand-built SBOMs for the SBOM tests: pinned, VCS and URL refs, advisories, hostile names."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from depvet.model import AdvisoryMatch, PinKind
from depvet.sbom.model import Component, DependencyScope, Sbom

SERIAL = uuid.UUID("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
TIMESTAMP = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SHA256 = "0123456789abcdef" * 4
TOKEN = "ghp_s3cr3tT0ken"

NORMAL_ADVISORY = AdvisoryMatch(
    id="GHSA-9wx4-h78v-vm56",
    aliases=("CVE-2024-35195", "PYSEC-2024-40"),
    summary="Requests session object does not verify requests after making first request",
    fixed=("2.32.0",),
    severity="CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N",
    url="https://osv.dev/vulnerability/GHSA-9wx4-h78v-vm56",
)
MALICIOUS_ADVISORY = AdvisoryMatch(
    id="MAL-2024-1234",
    summary="Malicious code in evil-pkg (PyPI)",
    malicious=True,
    url="https://osv.dev/vulnerability/MAL-2024-1234",
)

PINNED = Component(
    name="Requests",
    version="2.31.0",
    source="poetry.lock",
    hashes=(("sha256", SHA256), ("sha256", SHA256.upper()), ("md5", "not-hex"), ("crc32", "ab")),
    scope=DependencyScope.REQUIRED,
    licenses=("Apache-2.0",),
    advisories=(NORMAL_ADVISORY,),
    verdict="clean",
)
MALICIOUS = Component(
    name="evil_pkg",
    version="0.0.1",
    source="requirements-dev.txt",
    scope=DependencyScope.DEV,
    group="dev",
    advisories=(MALICIOUS_ADVISORY,),
    verdict="malicious",
)
UNPINNED = Component(name="rich", version=None, source="requirements.txt", pin=PinKind.UNPINNED)
VCS = Component(
    name="Private.Lib",
    version=None,
    source="requirements.txt",
    url=f"git+https://{TOKEN}@github.com/acme/private-lib.git@v1.2.3#egg=private-lib",
    pin=PinKind.VCS,
    licenses=("MIT", "BSD-3-Clause"),
)
URL = Component(
    name="wheelie",
    version="1.0",
    source="requirements.txt",
    url=f"https://user:{TOKEN}@files.example.com/wheelie-1.0-py3-none-any.whl#sha256={SHA256}",
    pin=PinKind.URL,
    hashes=(("sha256", SHA256),),
    scope=DependencyScope.OPTIONAL,
    group="extra-fast",
    licenses=("MIT License",),
)
LOCAL = Component(
    name="mine", version=None, source="requirements.txt", url="./vendor/mine", pin=PinKind.PATH
)
# What a hostile lockfile or package can put in a name and a version.
HOSTILE = (
    Component(name="../../etc/passwd", version="1.0/../x", source="hostile.lock"),
    Component(name="spaced name", version="1 0", source="hostile.lock"),
    Component(name="ünïcödé", version="1.0", source="hostile.lock", licenses=("MIT OR ",)),
    Component(name="ünïcödé", version="1.0", source="hostile.lock"),  # the same twice
    Component(name="@#?%", version=None, source="hostile\nname\x1b[2J\ud800.lock"),
    Component(name="SPDXRef-DOCUMENT", version=None, source="hostile.lock"),
    Component(name="x", version="y\u202e", source="hostile.lock"),
)

ALL = (PINNED, MALICIOUS, UNPINNED, VCS, URL, LOCAL, *HOSTILE)


def build_sbom(components: tuple[Component, ...] = ALL, subject: str = "poetry.lock") -> Sbom:
    """An SBOM with a fixed serial number and time, so documents are reproducible."""
    return Sbom(subject=subject, components=components, serial=SERIAL, timestamp=TIMESTAMP)
