"""Per-rule fixtures for the obfuscation rules (see fixtures.py for the conventions)."""

from __future__ import annotations

from tests.detectors.fixture_types import RuleFixtures

FIXTURES_OBFUSCATION: dict[str, RuleFixtures] = {}
