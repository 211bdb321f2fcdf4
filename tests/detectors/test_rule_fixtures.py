"""Every registered rule has fixtures that prove it fires, and look-alikes that prove it does not.

Also checks that docs/RULES.md is generated from the current rule metadata.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from depvet import docs
from depvet.detectors import registry
from depvet.detectors.interface import PackageFacts
from depvet.files import FileView
from depvet.model import Rule
from tests.detectors.fixtures import FIXTURES

RULES_MD = Path(__file__).resolve().parents[2] / "docs" / "RULES.md"


def _rules_hit(file: FileView) -> set[str]:
    return {
        finding.rule
        for detector in registry.detectors()
        if detector.wants(file)
        for finding in detector.scan(file)
    }


def _package_rules_hit(package: PackageFacts) -> set[str]:
    return {
        finding.rule
        for detector in registry.package_detectors()
        for finding in detector.scan_package(package)
    }


@pytest.mark.parametrize("rule", registry.rules(), ids=lambda r: r.id)
def test_rule_has_positive_and_benign_fixtures(rule: Rule) -> None:
    fixtures = FIXTURES.get(rule.id)
    assert fixtures is not None, f"no fixtures for {rule.id} in tests/detectors/fixtures*.py"
    positives = len(fixtures.positive) + len(fixtures.positive_packages)
    benigns = len(fixtures.benign) + len(fixtures.benign_packages)
    assert positives, f"{rule.id} needs at least one positive fixture"
    assert benigns, f"{rule.id} needs at least one benign look-alike"
    for file in fixtures.positive:
        assert rule.id in _rules_hit(file), f"{rule.id} missed positive {file.path}"
    for file in fixtures.benign:
        assert rule.id not in _rules_hit(file), f"{rule.id} matched benign {file.path}"
    for package in fixtures.positive_packages:
        assert rule.id in _package_rules_hit(package), f"{rule.id} missed {package.name}"
    for package in fixtures.benign_packages:
        assert rule.id not in _package_rules_hit(package), f"{rule.id} matched {package.name}"


def test_fixtures_name_only_registered_rules() -> None:
    assert set(FIXTURES) <= {r.id for r in registry.rules()}


@pytest.mark.parametrize("rule", registry.rules(), ids=lambda r: r.id)
def test_rule_metadata_is_complete(rule: Rule) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id)
    assert rule.description and "\n" not in rule.description
    assert rule.technique and rule.remediation
    assert rule.version >= 1


def test_rules_md_is_current() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == docs.render(registry.rules()), (
        "docs/RULES.md is stale: run python -m depvet.docs docs/RULES.md"
    )


def test_docs_check_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "docs" / "RULES.md"
    assert docs.main(["--check", str(target)]) == 1  # missing
    assert docs.main([str(target)]) == 0
    assert docs.main(["--check", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert docs.main(["--check", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err


def test_rendered_docs_cover_every_rule() -> None:
    text = docs.render(registry.rules())
    for rule in registry.rules():
        assert f"## {rule.id}\n" in text
        assert f"[`{rule.id}`](#{rule.id})" in text
        assert rule.remediation in text
