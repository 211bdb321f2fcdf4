"""The SARIF report: the official schema, GitHub's requirements, locations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from depvet.model import ScanResult, Severity, Verdict
from depvet.report.sarif import (
    FINGERPRINT,
    SarifReporter,
    location_uri,
    rule_name,
    technique_tags,
)

from .samples import (
    ABSOLUTE_SUSPICIOUS,
    ALL_RESULTS,
    BROKEN,
    HOSTILE,
    INSTALLED_CLEAN,
    MALICIOUS,
    NON_ASCII,
    RULES,
    build_report,
    finding,
)

SCHEMA = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"
)

# RFC 3986 URI-reference: only unreserved, reserved and well-formed %XX.
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-F]{2})*$")


def render(results: tuple[ScanResult, ...] = ALL_RESULTS, **kwargs: Any) -> Any:
    return json.loads(SarifReporter().render(build_report(results, **kwargs)))


def run_of(log: Any) -> Any:
    assert len(log["runs"]) == 1
    return log["runs"][0]


@pytest.fixture(scope="module")
def validator() -> Any:
    """A Draft 4 validator for the official schema (jsonschema ships no type stubs)."""
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.skip(f"the official SARIF schema is not at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize(
    "results",
    [ALL_RESULTS, (), (BROKEN,), (INSTALLED_CLEAN,), (HOSTILE, NON_ASCII)],
    ids=["all", "empty", "only-errors", "only-clean", "hostile"],
)
def test_validates_against_the_official_schema(
    validator: Any, results: tuple[ScanResult, ...]
) -> None:
    errors = sorted(validator.iter_errors(render(results)), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_check_can_fail(validator: Any) -> None:
    log = render()
    log["runs"][0]["results"][0]["level"] = "critical"
    assert not validator.is_valid(log)


def test_log_header_and_driver() -> None:
    log = render()
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    driver = run_of(log)["tool"]["driver"]
    assert driver["name"] == "depvet"
    assert driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")


def test_rule_descriptors() -> None:
    rules = run_of(render())["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(ids)
    assert set(ids) == set(RULES) | {"unlisted-rule"}
    pth = rules[ids.index("pth-exec")]
    assert pth["name"] == "PthExec"
    assert pth["shortDescription"]["text"] == RULES["pth-exec"].description
    assert RULES["pth-exec"].description in pth["fullDescription"]["text"]
    assert RULES["pth-exec"].remediation in pth["help"]["text"]
    assert RULES["pth-exec"].remediation in pth["help"]["markdown"]
    assert pth["defaultConfiguration"]["level"] == "error"
    assert pth["properties"]["tags"] == [
        "security",
        "threat",
        "Start-up hooks",
        "T1546",
        "T1059.006",
    ]
    assert pth["properties"]["security-severity"] == "9.5"
    network = rules[ids.index("network-call")]
    assert network["properties"]["tags"] == ["security", "capability"]


@pytest.mark.parametrize(
    ("rule", "level", "security_severity"),
    [
        ("pth-exec", "error", "9.5"),
        ("decode-exec", "error", "8.0"),
        ("network-call", "warning", "5.5"),
        ("env-read", "note", "3.0"),
        ("uses-subprocess", "note", "0.0"),
    ],
)
def test_levels_follow_severity(rule: str, level: str, security_severity: str) -> None:
    run = run_of(render())
    descriptor = next(d for d in run["tool"]["driver"]["rules"] if d["id"] == rule)
    assert descriptor["defaultConfiguration"]["level"] == level
    assert descriptor["properties"]["security-severity"] == security_severity
    levels = {r["level"] for r in run["results"] if r["ruleId"] == rule}
    assert levels == {level}


def test_every_finding_is_a_result_pointing_at_its_rule() -> None:
    run = run_of(render())
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == sum(len(r.findings) for r in ALL_RESULTS)
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_unlisted_rule_gets_a_stand_in_descriptor() -> None:
    rules = run_of(render((ABSOLUTE_SUSPICIOUS,)))["tool"]["driver"]["rules"]
    stand_in = next(rule for rule in rules if rule["id"] == "unlisted-rule")
    assert stand_in["name"] == "UnlistedRule"
    assert stand_in["defaultConfiguration"]["level"] == "warning"


def test_result_message_names_package_and_verdict() -> None:
    first = run_of(render((MALICIOUS,)))["results"][0]
    assert "evil 1.0" in first["message"]["text"]
    assert "malicious" in first["message"]["text"]
    assert first["properties"]["verdict"] == "malicious"
    assert first["properties"]["score"] == 97
    assert first["properties"]["package"] == "evil"


def test_locations_inside_archives() -> None:
    results = run_of(render((MALICIOUS,)))["results"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "dist/evil-1.0-py3-none-any.whl/evil.pth"
    assert location["region"]["startLine"] == 1
    assert location["region"]["snippet"]["text"] == "import os; exec(x)"
    # line unknown: no region at all
    assert "region" not in results[2]["locations"][0]["physicalLocation"]


def test_line_zero_gets_no_region() -> None:
    results = run_of(render((ABSOLUTE_SUSPICIOUS,)))["results"]
    assert "region" not in results[0]["locations"][0]["physicalLocation"]
    assert results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


def test_every_uri_is_a_valid_uri_reference() -> None:
    log = render()
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run_of(log)["results"]
    ]
    assert len(uris) == 7
    for uri in uris:
        assert " " not in uri
        assert URI_REFERENCE.match(uri), uri


def test_absolute_and_non_ascii_uris() -> None:
    absolute = run_of(render((ABSOLUTE_SUSPICIOUS,)))["results"][0]
    uri = absolute["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "file:///tmp/downloads/odd%20pkg-0.2.tar.gz/odd_pkg/setup.py"
    non_ascii = run_of(render((NON_ASCII,)))["results"][0]
    uri = non_ascii["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("dist/%D0%BF%D0%B0%D0%BA%D0%B5%D1%82-1.0")
    assert unquote(uri) == "dist/пакет-1.0-py3-none-any.whl/пакет/сеть.py"


@pytest.mark.parametrize(
    ("artifact", "inner", "windows", "expected"),
    [
        ("dist/a.whl", "a/b.py", False, "dist/a.whl/a/b.py"),
        ("dist/a.whl", None, False, "dist/a.whl"),
        ("src/", "/setup.py", False, "src/setup.py"),
        ("a b/c#d?e%f", "x", False, "a%20b/c%23d%3Fe%25f/x"),
        ("c:d/e!f", None, False, "c%3Ad/e!f"),  # a colon would read as a scheme
        ("dist\\a.whl", None, False, "dist%5Ca.whl"),  # a POSIX name may hold a backslash
        ("dist\\a.whl", "x.py", True, "dist/a.whl/x.py"),
        ("C:\\Users\\me\\a.whl", "x.py", False, "file:///C:/Users/me/a.whl/x.py"),
        ("\\\\server\\share\\a.whl", None, True, "file://server/share/a.whl"),
        ("//tmp/a.whl", None, False, "file:////tmp/a.whl"),
        ("/abs/a.whl", "p/\udcff.py", False, "file:///abs/a.whl/p/%FF.py"),
        ("/abs/a.whl", "\ud800", False, "file:///abs/a.whl/%ED%A0%80"),
    ],
)
def test_location_uri(artifact: str, inner: str | None, windows: bool, expected: str) -> None:
    assert location_uri(artifact, inner, windows=windows) == expected


@given(path=st.text(st.characters(exclude_categories=["Cs"]), min_size=1))
@example(path="//not/a/unc/path on posix")
@example(path="C:\\x y\\z")
@example(path="a:b/c")
@example(path="/\x00\n%41")
def test_location_uri_is_valid_and_reversible(path: str) -> None:
    uri = location_uri(path, windows=False)
    assert URI_REFERENCE.match(uri)
    expected = path
    if path.startswith("/"):
        prefix = "file://"
    elif re.match(r"^[A-Za-z]:[\\/]", path):
        prefix, expected = "file:///", path.replace("\\", "/")
    else:
        prefix = ""
        assert not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri)  # never read as a scheme
    assert uri.startswith(prefix)
    assert unquote(uri.removeprefix(prefix)) == expected


def test_fingerprints_are_stable_and_distinct() -> None:
    first = run_of(render())["results"]
    second = run_of(render())["results"]
    prints = [r["partialFingerprints"][FINGERPRINT] for r in first]
    assert prints == [r["partialFingerprints"][FINGERPRINT] for r in second]
    assert len(set(prints)) == len(prints)
    assert all(re.fullmatch(r"[0-9a-f]{64}", p) for p in prints)


def test_fingerprint_follows_evidence() -> None:
    def fingerprint(evidence: str) -> str:
        result = ScanResult(
            artifact="dist/a.whl",
            kind="wheel",
            name="a",
            version="1",
            verdict=Verdict.SUSPICIOUS,
            score=30,
            findings=(finding("network-call", evidence=evidence),),
        )
        return str(run_of(render((result,)))["results"][0]["partialFingerprints"][FINGERPRINT])

    assert fingerprint("x") == fingerprint("x")
    assert fingerprint("x") != fingerprint("y")


def test_scan_errors_become_notifications() -> None:
    invocation = run_of(render())["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notifications = invocation["toolExecutionNotifications"]
    texts = [n["message"]["text"] for n in notifications]
    assert texts == [
        "missing/dir: No such file [source-error]",
        "dist/broken-0.1-py3-none-any.whl: File is not a zip file [artifact-unreadable]",
        "dist/broken-0.1-py3-none-any.whl: broken/big.py: timed out [detector-failed]",
    ]
    assert {n["level"] for n in notifications} == {"error"}
    uri = notifications[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dist/broken-0.1-py3-none-any.whl/broken/big.py"


@pytest.mark.parametrize(
    ("results", "errors", "successful"),
    [
        ((), (), True),
        ((INSTALLED_CLEAN,), (), True),
        ((INSTALLED_CLEAN, BROKEN), (), True),
        ((BROKEN,), (), False),
        ((), ("run",), False),
    ],
    ids=["nothing-to-do", "clean", "partial", "all-errors", "only-run-errors"],
)
def test_execution_successful_unless_nothing_was_scanned(
    results: tuple[ScanResult, ...], errors: tuple[str, ...], successful: bool
) -> None:
    from depvet.model import ScanError

    run_errors = tuple(ScanError(reference="source-error", message=m) for m in errors)
    invocation = run_of(render(results, errors=run_errors))["invocations"][0]
    assert invocation["executionSuccessful"] is successful
    assert ("toolExecutionNotifications" in invocation) == bool(errors or BROKEN in results)


def test_every_package_and_summary_kept_in_run_properties() -> None:
    properties = run_of(render())["properties"]
    packages = properties["packages"]
    assert [(p["artifact"], p["verdict"], p["score"]) for p in packages] == [
        (r.artifact, r.verdict.value, r.score) for r in ALL_RESULTS
    ]
    assert packages[0]["decided_by"] == ["pth-exec", "decode-exec"]
    assert properties["summary"]["by_verdict"]["suspicious"] == 3
    assert properties["failOn"] == "suspicious"


def test_hostile_strings_round_trip() -> None:
    result = run_of(render((HOSTILE,)))["results"][0]
    assert result["properties"]["package"] == HOSTILE.name
    assert result["properties"]["evidence"] == HOSTILE.findings[0].evidence
    assert HOSTILE.findings[0].message in result["message"]["text"]


@pytest.mark.parametrize(
    ("technique", "tags"),
    [
        ("Start-up hooks (T1546)", ["Start-up hooks", "T1546"]),
        (
            "Install hooks: download and execute (T1059.004, T1105)",
            ["Install hooks: download and execute", "T1059.004", "T1105"],
        ),
        ("T1027", ["T1027"]),
        ("credential-access", ["credential-access"]),
        ("", []),
    ],
)
def test_technique_tags(technique: str, tags: list[str]) -> None:
    assert technique_tags(technique) == tags


@pytest.mark.parametrize(
    ("rule_id", "name"),
    [("pth-exec", "PthExec"), ("a", "A"), ("x2-y", "X2Y"), ("typo_squat", "TypoSquat")],
)
def test_rule_name(rule_id: str, name: str) -> None:
    assert rule_name(rule_id) == name


def test_severity_tables_cover_every_severity() -> None:
    from depvet.report.sarif import LEVEL, SECURITY_SEVERITY

    assert set(LEVEL) == set(SECURITY_SEVERITY) == set(Severity)
    assert all(0.0 <= float(score) <= 10.0 for score in SECURITY_SEVERITY.values())
