"""The policy file: defaults, every key, and errors that name the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from depvet.errors import PolicyError
from depvet.model import Verdict
from depvet.policy.config import Policy, find_policy_file, load_policy, parse_duration, parse_policy

FULL = """
[tool.depvet]
index-url = "https://mirror.example.invalid/simple"
cooldown = "3d"
block-verdicts = ["suspicious", "malicious"]
block-severities = ["high", "critical"]
hide-yanked = true
unknown-age = "refuse"

[tool.depvet.cooldown-overrides]
"My_Internal.Lib" = "0"

[[tool.depvet.allow]]
package = "debugpy"
version = "1.8.22"
reason = "reviewed"
expires = 2027-03-31

[[tool.depvet.deny]]
package = "litellm"
version = ">=1.82.7,<1.82.9"
reason = "compromised"
expires = "2099-01-01"

[tool.depvet.proxy]
host = "192.0.2.10"
port = 9000
token-env = "PROXY_TOKEN"
page-ttl = 30
"""


def test_every_key_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(FULL)
    policy = load_policy(path)
    assert policy.index_url == "https://mirror.example.invalid/simple/"
    assert policy.cooldown == dt.timedelta(days=3)
    assert policy.cooldown_for("my-internal-lib") == dt.timedelta(0)
    assert policy.cooldown_for("requests") == dt.timedelta(days=3)
    assert policy.block_verdicts == {Verdict.SUSPICIOUS, Verdict.MALICIOUS}
    assert policy.block_severities == {"high", "critical"}
    assert policy.hide_yanked and policy.unknown_age == "refuse"
    [allow] = policy.allow
    assert allow.covers("DebugPy", "1.8.22") and not allow.covers("debugpy", "1.8.23")
    assert allow.expires == dt.date(2027, 3, 31)
    [deny] = policy.deny
    assert deny.covers("litellm", "1.82.8") and not deny.covers("litellm", "1.82.6")
    assert (policy.proxy.host, policy.proxy.port, policy.proxy.token_env) == (
        "192.0.2.10",
        9000,
        "PROXY_TOKEN",
    )
    assert policy.proxy.page_ttl == 30.0
    assert policy.source == str(path)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    policy = load_policy(start=tmp_path)
    assert policy == Policy()
    assert policy.cooldown == dt.timedelta(days=7)
    assert policy.block_verdicts == {Verdict.MALICIOUS}


def test_depvet_toml_wins_and_is_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.depvet]\ncooldown = '1d'\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_policy_file(sub) == tmp_path / "pyproject.toml"
    (tmp_path / "depvet.toml").write_text("cooldown = '2d'\n")
    assert find_policy_file(sub) == tmp_path / "depvet.toml"
    assert load_policy(start=sub).cooldown == dt.timedelta(days=2)


def test_a_pyproject_without_the_table_is_not_a_policy(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_policy_file(tmp_path) is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"cooldown": "7x"}, "tool.depvet.cooldown: '7x' is not a duration"),
        ({"cooldown": True}, "tool.depvet.cooldown: True is not a duration"),
        ({"block-verdicts": ["bad"]}, "tool.depvet.block-verdicts: 'bad' is not one of"),
        ({"block-severities": "high"}, "tool.depvet.block-severities: must be a list"),
        ({"hide-yanked": "yes"}, "tool.depvet.hide-yanked: must be true or false"),
        ({"unknown-age": "maybe"}, "tool.depvet.unknown-age: 'maybe' is not one of allow, refuse"),
        ({"index-url": "ftp://x"}, "tool.depvet.index-url: must be an http(s) URL"),
        ({"colldown": "7d"}, "tool.depvet.colldown: unknown key"),
        ({"cooldown-overrides": {"x": "soon"}}, "tool.depvet.cooldown-overrides.x: 'soon'"),
        (
            {"allow": [{"package": "x", "expires": "2027-01-01"}]},
            "tool.depvet.allow[0].reason: is required",
        ),
        ({"allow": [{"package": "x", "reason": "r"}]}, "tool.depvet.allow[0].expires: is required"),
        (
            {"deny": [{"package": "x", "reason": "r", "expires": "soon"}]},
            "tool.depvet.deny[0].expires",
        ),
        (
            {"deny": [{"package": "x", "reason": "r", "expires": "2027-01-01", "version": ">>1"}]},
            "deny[0].version: '>>1' is not a version specifier",
        ),
        (
            {"deny": [{"package": "../x", "reason": "r", "expires": "2027-01-01"}]},
            "deny[0].package: must be a project name",
        ),
        ({"deny": {"package": "x"}}, "tool.depvet.deny: must be an array of tables"),
        ({"proxy": {"port": 70000}}, "tool.depvet.proxy.port: must be a port number"),
        ({"proxy": {"tls": True}}, "tool.depvet.proxy.tls: unknown key"),
    ],
)
def test_errors_name_the_file_and_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(table, source="pyproject.toml", prefix="tool.depvet.")
    assert caught.value.message.startswith("pyproject.toml: ")
    assert message in caught.value.message


def test_broken_toml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "depvet.toml"
    path.write_text("cooldown = \n")
    with pytest.raises(PolicyError, match=r"depvet\.toml: not valid TOML"):
        load_policy(path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 604800),
        ("12h", 43200),
        ("30m", 1800),
        ("90s", 90),
        ("2w", 1209600),
        ("1.5d", 129600),
        (3, 259200),
        ("0", 0),
    ],
)
def test_durations(text: str | int, seconds: int) -> None:
    parsed = parse_duration(text)
    assert parsed is not None and parsed.total_seconds() == seconds


def test_not_durations() -> None:
    assert (
        parse_duration("-1d") is None and parse_duration(-1) is None and parse_duration("d") is None
    )
