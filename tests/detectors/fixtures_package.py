"""Per-rule fixtures for the package rules (see fixtures.py for the conventions)."""

from __future__ import annotations

from tests.detectors.fixture_types import RuleFixtures

FIXTURES_PACKAGE: dict[str, RuleFixtures] = {}
