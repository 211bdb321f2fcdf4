"""What an SBOM lists: components with their identity, hashes and what depvet found.

The renderers in this package (:mod:`depvet.sbom.cyclonedx`, :mod:`depvet.sbom.spdx`)
turn one :class:`Sbom` into a document. Everything a format needs that can be
derived from a component — its purl, a download URL fit to publish, the hashes a
format can express — is derived here once, so both formats agree.

Names, versions and URLs come from lockfiles and packages that may be hostile:
nothing here trusts them to be well formed, and URLs lose any credentials
before they are written anywhere.
"""

from __future__ import annotations

import enum
import re
import string
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import SplitResult, urlsplit, urlunsplit

from packageurl import PackageURL
from packaging.utils import InvalidName, canonicalize_name

from depvet import __version__
from depvet.model import AdvisoryMatch, PackageRef, PinKind, ScanResult

__all__ = [
    "HASH_ALGORITHMS",
    "Component",
    "DependencyScope",
    "HashSpec",
    "Sbom",
    "hash_spec",
    "public_url",
    "web_url",
]

# Characters a purl version may hold without being mistaken for structure
# ('/', '?', '#' and '@' would be): every PEP 440 and legacy PyPI version fits.
_PURL_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]*$")
_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_HEX = frozenset(string.hexdigits)


class DependencyScope(enum.StrEnum):
    """Whether a component is needed to run the subject."""

    REQUIRED = "required"
    OPTIONAL = "optional"  # an extra, or an optional dependency group
    DEV = "dev"  # development and test only: never installed with the subject


@dataclass(frozen=True, slots=True, kw_only=True)
class HashSpec:
    """How one hash algorithm is named in each format, and its digest length."""

    cyclonedx: str | None  # HashAlgorithm value; None when CycloneDX has no name for it
    spdx: str  # checksum algorithm enum value of SPDX 2.3
    hex_length: int


HASH_ALGORITHMS: dict[str, HashSpec] = {
    "md5": HashSpec(cyclonedx="MD5", spdx="MD5", hex_length=32),
    "sha1": HashSpec(cyclonedx="SHA-1", spdx="SHA1", hex_length=40),
    "sha224": HashSpec(cyclonedx=None, spdx="SHA224", hex_length=56),
    "sha256": HashSpec(cyclonedx="SHA-256", spdx="SHA256", hex_length=64),
    "sha384": HashSpec(cyclonedx="SHA-384", spdx="SHA384", hex_length=96),
    "sha512": HashSpec(cyclonedx="SHA-512", spdx="SHA512", hex_length=128),
    "sha3256": HashSpec(cyclonedx="SHA3-256", spdx="SHA3-256", hex_length=64),
    "sha3384": HashSpec(cyclonedx="SHA3-384", spdx="SHA3-384", hex_length=96),
    "sha3512": HashSpec(cyclonedx="SHA3-512", spdx="SHA3-512", hex_length=128),
    "blake2b": HashSpec(cyclonedx="BLAKE2b-512", spdx="BLAKE2b-512", hex_length=128),
    "blake2b512": HashSpec(cyclonedx="BLAKE2b-512", spdx="BLAKE2b-512", hex_length=128),
}


def hash_spec(algorithm: str) -> HashSpec | None:
    """The spec of an algorithm named as hashlib, pip or a format does (``sha256``, ``SHA-256``)."""
    return HASH_ALGORITHMS.get(algorithm.lower().replace("-", "").replace("_", ""))


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One package in the SBOM, with where it came from and what depvet found."""

    name: str  # as the source wrote it
    version: str | None
    source: str  # the lockfile, dist-info or artifact it came from, as given
    hashes: tuple[tuple[str, str], ...] = ()  # (algorithm, hex digest), e.g. ("sha256", "ab…")
    url: str | None = None  # the direct URL or VCS reference the source gave, if any
    pin: PinKind = PinKind.EXACT
    scope: DependencyScope | None = None  # None when the source does not say
    group: str | None = None  # the dependency group or extra, when the source names one
    licenses: tuple[str, ...] = ()  # SPDX ids or expressions, or license names, when known
    advisories: tuple[AdvisoryMatch, ...] = ()
    verdict: str | None = None  # depvet's verdict, when the package was scanned

    @classmethod
    def from_ref(
        cls,
        ref: PackageRef,
        *,
        scope: DependencyScope | None = None,
        licenses: tuple[str, ...] = (),
        result: ScanResult | None = None,
    ) -> Component:
        """A component for a dependency an inventory source listed, with its scan if there was one.

        Hashes are read from ``ref.hashes`` (``sha256:<hex>``) and from a
        ``#sha256=<hex>`` fragment of a direct URL, as pip writes them.
        """
        hashes = [_split_hash(text) for text in ref.hashes]
        if ref.url and ref.pin is PinKind.URL:
            fragment = urlsplit(ref.url).fragment
            parts = (_split_hash(part) for part in fragment.split("&"))
            hashes.extend(h for h in parts if h is not None and hash_spec(h[0]) is not None)
        return cls(
            name=ref.name,
            version=ref.version,
            source=ref.source,
            hashes=tuple(dict.fromkeys(h for h in hashes if h is not None)),
            url=ref.url,
            pin=ref.pin,
            scope=scope,
            group=ref.group,
            licenses=licenses,
            advisories=result.advisories if result is not None else (),
            verdict=result.verdict.value if result is not None else None,
        )

    @classmethod
    def from_result(
        cls,
        result: ScanResult,
        *,
        scope: DependencyScope | None = None,
        licenses: tuple[str, ...] = (),
    ) -> Component:
        """A component for a scanned artifact or installed distribution."""
        return cls(
            name=result.name or result.artifact,
            version=result.version,
            source=result.artifact,
            hashes=(("sha256", result.sha256),) if result.sha256 else (),
            scope=scope,
            licenses=licenses,
            advisories=result.advisories,
            verdict=result.verdict.value,
        )

    @property
    def canonical_name(self) -> str | None:
        """The PEP 503 name, or None when the name is not a valid project name."""
        try:
            return canonicalize_name(self.name, validate=True)
        except InvalidName:
            return None

    @property
    def vcs_url(self) -> str | None:
        """The VCS reference (``git+https://host/repo@rev``) fit to publish, for a VCS pin."""
        if self.pin is not PinKind.VCS or self.url is None:
            return None
        url = public_url(self.url)
        return url if url is not None and url.startswith(_VCS_SCHEMES) else None

    @property
    def download_url(self) -> str | None:
        """The direct http(s) URL of the artifact fit to publish, for a URL pin."""
        if self.pin is not PinKind.URL or self.url is None:
            return None
        return web_url(self.url)

    @property
    def purl(self) -> str | None:
        """``pkg:pypi/<canonical-name>@<version>``, with ``vcs_url``/``download_url`` qualifiers.

        None when the name is not a valid project name (no such package can
        exist on PyPI) or the version holds characters a purl would read as
        structure: a hostile name must not pass for another package's purl.
        """
        name = self.canonical_name
        if name is None:
            return None
        version = self.version
        if version is not None and not _PURL_VERSION.fullmatch(version):
            return None
        qualifiers: dict[str, str] = {}
        if self.vcs_url is not None:
            qualifiers["vcs_url"] = self.vcs_url
        if self.download_url is not None:
            qualifiers["download_url"] = self.download_url
        return PackageURL(
            type="pypi", name=name, version=version or None, qualifiers=qualifiers
        ).to_string()

    def checked_hashes(self) -> tuple[tuple[HashSpec, str], ...]:
        """The hashes of a known algorithm whose digest is well formed, lower-cased, once each."""
        checked: dict[tuple[str, str], tuple[HashSpec, str]] = {}
        for algorithm, digest in self.hashes:
            spec = hash_spec(algorithm)
            if spec is None or len(digest) != spec.hex_length or not _HEX.issuperset(digest):
                continue
            checked.setdefault((spec.spdx, digest.lower()), (spec, digest.lower()))
        return tuple(checked.values())

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """Order of components in a document, so output does not depend on scan order.

        The repr breaks ties between components that differ in any other field.
        """
        return (
            self.canonical_name or self.name.lower(),
            self.version or "",
            self.name,
            self.source,
            repr(self),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Sbom:
    """The inventory of one subject: what depvet scanned, and when, by which version."""

    subject: str  # the scanned path (a lockfile, an environment, an artifact) as given
    components: tuple[Component, ...] = ()
    tool_version: str = __version__
    serial: uuid.UUID = field(default_factory=uuid.uuid4)
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("Sbom.timestamp must be timezone-aware")
        # Both formats state the time to the second, in UTC (SPDX requires 'Z').
        utc = self.timestamp.astimezone(UTC).replace(microsecond=0)
        object.__setattr__(self, "timestamp", utc)

    def ordered(self) -> tuple[Component, ...]:
        """The components in document order."""
        return tuple(sorted(self.components, key=Component.sort_key))


def public_url(url: str) -> str | None:
    """``url`` without credentials or fragment, or None if it is not a plain absolute URL.

    A token in ``https://TOKEN@host/`` or ``user:password@`` must never reach
    a document that is shared; only an ssh user name (``git@``) is kept. The
    fragment is pip's (``#egg=``, ``#sha256=``), not part of the location.
    """
    if any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a malformed port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname or parts.scheme.endswith("file"):
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host if port is None else f"{host}:{port}"
    if parts.username and parts.password is None and parts.scheme.endswith("ssh"):
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, parts.query, ""))


def web_url(url: str | None) -> str | None:
    """:func:`public_url` of an http(s) ``url``; None for any other scheme or a bad URL."""
    public = public_url(url) if url is not None else None
    return public if public is not None and public.startswith(("https://", "http://")) else None


def _split_hash(text: str) -> tuple[str, str] | None:
    algorithm, sep, digest = text.replace("=", ":", 1).partition(":")
    if not sep or not digest:
        return None
    return (algorithm.strip().lower(), digest.strip())
