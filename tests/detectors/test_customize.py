"""The shipped sitecustomize/usercustomize rule."""

from __future__ import annotations

import pytest

from depvet.detectors.customize import SITECUSTOMIZE_SHIPPED, SiteCustomizeDetector
from depvet.files import FileRole, FileView
from depvet.model import RuleKind, Severity
from tests.detectors.fixtures import customize

DETECTOR = SiteCustomizeDetector()


def test_rule_metadata() -> None:
    assert DETECTOR.rules == (SITECUSTOMIZE_SHIPPED,)
    assert SITECUSTOMIZE_SHIPPED.kind is RuleKind.THREAT
    assert SITECUSTOMIZE_SHIPPED.severity is Severity.HIGH


def test_customize_role_is_reported() -> None:
    file = customize("sitecustomize.py", "# comment\n\nimport os, sys\nprint(1)\n")
    assert DETECTOR.wants(file)
    (finding,) = DETECTOR.scan(file)
    assert finding.rule == "sitecustomize-shipped"
    assert finding.path == "sitecustomize.py"
    assert finding.evidence == "import os, sys"
    assert "sitecustomize.py" in finding.message


def test_empty_file_evidence_is_its_name() -> None:
    (finding,) = DETECTOR.scan(customize("usercustomize.py", ""))
    assert finding.evidence == "usercustomize.py"


@pytest.mark.parametrize("role", [r for r in FileRole if r is not FileRole.CUSTOMIZE])
def test_other_roles_are_not_wanted(role: FileRole) -> None:
    # The artifact layer decides placement; a nested pkg/sitecustomize.py is PYTHON.
    assert not DETECTOR.wants(FileView(path="pkg/sitecustomize.py", role=role, data=b"x"))
