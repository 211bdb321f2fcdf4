"""Software bills of materials: the inventory depvet read, as CycloneDX or SPDX documents."""

from depvet.sbom.cyclonedx import render_cyclonedx
from depvet.sbom.model import Component, DependencyScope, Sbom
from depvet.sbom.spdx import render_spdx

__all__ = ["Component", "DependencyScope", "Sbom", "render_cyclonedx", "render_spdx"]
