"""The policy file: ``[tool.depvet]`` in ``pyproject.toml`` or the top level of ``depvet.toml``.

Every key is documented in docs/POLICY.md. A wrong value is a
:class:`PolicyError` naming the file and the key, never a silent default.

```toml
[tool.depvet]
index-url = "https://pypi.org/simple/"
cooldown = "7d"                     # minimum age of a file before it is served
block-verdicts = ["malicious"]      # scan verdicts that refuse a file
block-severities = ["critical"]     # advisory severities that refuse a release
hide-yanked = false
unknown-age = "allow"               # a file with no upload time: allow or refuse

[tool.depvet.cooldown-overrides]
my-internal-lib = "0d"

[[tool.depvet.allow]]
package = "debugpy"
version = "==1.8.22"
reason = "reviewed: vendored pydevd launcher"
expires = 2027-03-31

[[tool.depvet.deny]]
package = "litellm"
version = ">=1.82.7,<1.82.9"
reason = "compromised releases (March 2026)"
expires = 2099-01-01

[tool.depvet.proxy]
host = "127.0.0.1"
port = 8080
token-env = "DEPVET_PROXY_TOKEN"
```
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depvet.errors import PolicyError
from depvet.model import Verdict

DEFAULT_INDEX = "https://pypi.org/simple/"
SEVERITIES = ("unknown", "low", "medium", "high", "critical")
POLICY_FILES = ("depvet.toml", "pyproject.toml")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "": 86400}


@dataclass(frozen=True, slots=True, kw_only=True)
class Exception_:
    """An allow- or deny-list entry: which releases, why, and until when."""

    package: str  # canonical name
    versions: SpecifierSet | None  # None: every version
    reason: str
    expires: dt.date
    kind: str  # "allow" or "deny"

    def covers(self, name: str, version: str | None) -> bool:
        """Whether this entry names ``name`` (canonical) at ``version``."""
        if canonicalize_name(name) != self.package:
            return False
        if self.versions is None:
            return True
        return version is not None and self.versions.contains(version, prereleases=True)

    def expired(self, today: dt.date) -> bool:
        """An entry applies up to and including its expiry date."""
        return today > self.expires

    def describe(self) -> str:
        """``litellm >=1.82.7,<1.82.9 (compromised releases …)``"""
        versions = f" {self.versions}" if self.versions else ""
        return f"{self.kind} entry {self.package}{versions} ({self.reason})"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProxySettings:
    """Where ``depvet proxy`` listens and how clients authenticate."""

    host: str = "127.0.0.1"
    port: int = 8080
    token_env: str | None = None  # the environment variable holding the bearer token
    page_ttl: float = 300.0  # seconds a project page is served before asking upstream again


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """What may be installed: the rules ``check``, ``install`` and ``proxy`` apply."""

    index_url: str = DEFAULT_INDEX
    cooldown: dt.timedelta = dt.timedelta(days=7)
    cooldown_overrides: Mapping[str, dt.timedelta] = field(default_factory=dict)
    block_verdicts: frozenset[Verdict] = frozenset({Verdict.MALICIOUS})
    block_severities: frozenset[str] = frozenset({"critical"})
    hide_yanked: bool = False
    unknown_age: str = "allow"  # "allow" or "refuse"
    allow: tuple[Exception_, ...] = ()
    deny: tuple[Exception_, ...] = ()
    proxy: ProxySettings = field(default_factory=ProxySettings)
    source: str = "built-in defaults"

    def cooldown_for(self, name: str) -> dt.timedelta:
        """The minimum age for ``name``: its override, else the default."""
        return self.cooldown_overrides.get(canonicalize_name(name), self.cooldown)


# -- reading ---------------------------------------------------------------------------------


def find_policy_file(start: Path) -> Path | None:
    """The nearest depvet.toml, or pyproject.toml with [tool.depvet], from ``start`` up."""
    for folder in (start, *start.parents):
        candidate = folder / "depvet.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # a broken unrelated pyproject.toml is not our policy file
    tool = document.get("tool")
    return isinstance(tool, dict) and "depvet" in tool


def load_policy(path: Path | None = None, *, start: Path | None = None) -> Policy:
    """The policy in ``path``, else in the nearest policy file from ``start`` up, else defaults."""
    if path is None:
        path = find_policy_file(start or Path.cwd())
        if path is None:
            return Policy()
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc})") from exc
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("depvet")
        if not isinstance(table, dict):
            raise PolicyError(f"{path}: has no [tool.depvet] table")
        return parse_policy(table, source=str(path), prefix="tool.depvet.")
    return parse_policy(document, source=str(path), prefix="")


def parse_policy(table: Mapping[str, Any], *, source: str, prefix: str = "") -> Policy:
    """Validate a policy table; every error names ``source`` and the key."""
    reader = _Reader(source, prefix)
    known = {
        "index-url",
        "cooldown",
        "cooldown-overrides",
        "block-verdicts",
        "block-severities",
        "hide-yanked",
        "unknown-age",
        "allow",
        "deny",
        "proxy",
    }
    for key in table:
        if key not in known:
            raise reader.error(key, f"unknown key (known: {', '.join(sorted(known))})")
    defaults = Policy()
    overrides = reader.table(table, "cooldown-overrides")
    return Policy(
        index_url=reader.url(table, "index-url", defaults.index_url),
        cooldown=reader.duration(table, "cooldown", defaults.cooldown),
        cooldown_overrides={
            canonicalize_name(name): reader.duration(
                overrides, name, defaults.cooldown, "cooldown-overrides."
            )
            for name in overrides
        },
        block_verdicts=frozenset(
            Verdict(value)
            for value in reader.choices(
                table,
                "block-verdicts",
                ("suspicious", "malicious"),
                [v.value for v in defaults.block_verdicts],
            )
        ),
        block_severities=frozenset(
            reader.choices(table, "block-severities", SEVERITIES, sorted(defaults.block_severities))
        ),
        hide_yanked=reader.boolean(table, "hide-yanked", defaults.hide_yanked),
        unknown_age=reader.choice(table, "unknown-age", ("allow", "refuse"), defaults.unknown_age),
        allow=reader.exceptions(table, "allow"),
        deny=reader.exceptions(table, "deny"),
        proxy=reader.proxy(reader.table(table, "proxy")),
        source=source,
    )


def parse_duration(text: str | int | float) -> dt.timedelta | None:
    """``"7d"``, ``"12h"``, ``"30m"``, ``"90s"``, ``"2w"`` or a number of days; None if not one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return dt.timedelta(days=text) if text >= 0 else None
    match = _DURATION.match(text)
    if match is None:
        return None
    return dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


class _Reader:
    """Typed reads from a TOML table, raising PolicyError that names the key."""

    def __init__(self, source: str, prefix: str) -> None:
        self.source = source
        self.prefix = prefix

    def error(self, key: str, message: str) -> PolicyError:
        return PolicyError(f"{self.source}: {self.prefix}{key}: {message}")

    def table(self, table: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {_kind(value)}")
        return value

    def url(self, table: Mapping[str, Any], key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
            raise self.error(key, f"must be an http(s) URL, not {value!r}")
        return value if value.endswith("/") else value + "/"

    def duration(
        self, table: Mapping[str, Any], key: str, default: dt.timedelta, sub: str = ""
    ) -> dt.timedelta:
        if key not in table:
            return default
        value = table[key]
        parsed = parse_duration(value) if isinstance(value, str | int | float) else None
        if parsed is None:
            raise self.error(
                sub + key, f"{value!r} is not a duration (a number of days, or 30m, 12h, 7d, 2w)"
            )
        return parsed

    def boolean(self, table: Mapping[str, Any], key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def choice(
        self, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str
    ) -> str:
        value = table.get(key, default)
        if value not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return str(value)

    def choices(
        self, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: list[str]
    ) -> list[str]:
        value = table.get(key, default)
        if not isinstance(value, list):
            raise self.error(key, f"must be a list, not {_kind(value)}")
        for item in value:
            if item not in allowed:
                raise self.error(key, f"{item!r} is not one of {', '.join(allowed)}")
        return [str(item) for item in value]

    def exceptions(self, table: Mapping[str, Any], key: str) -> tuple[Exception_, ...]:
        entries = table.get(key, [])
        if not isinstance(entries, list):
            raise self.error(key, "must be an array of tables ([[…]] entries)")
        return tuple(self._entry(entry, f"{key}[{i}]", key) for i, entry in enumerate(entries))

    def _entry(self, entry: Any, where: str, kind: str) -> Exception_:
        if not isinstance(entry, dict):
            raise self.error(where, f"must be a table, not {_kind(entry)}")
        for key in entry:
            if key not in ("package", "version", "reason", "expires"):
                raise self.error(
                    f"{where}.{key}", "unknown key (known: package, version, reason, expires)"
                )
        package = entry.get("package")
        if not isinstance(package, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", package):
            raise self.error(f"{where}.package", f"must be a project name, not {package!r}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise self.error(f"{where}.reason", "is required: say why this exception exists")
        expires = entry.get("expires")
        if isinstance(expires, str):
            with contextlib.suppress(ValueError):
                expires = dt.date.fromisoformat(expires)
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if not isinstance(expires, dt.date):
            raise self.error(
                f"{where}.expires", f"is required: a date like 2027-01-31, not {expires!r}"
            )
        versions: SpecifierSet | None = None
        if "version" in entry:
            text = entry["version"]
            if not isinstance(text, str):
                raise self.error(f"{where}.version", f"must be a version specifier, not {text!r}")
            if text and text[0].isdigit():
                text = f"=={text}"
            try:
                versions = SpecifierSet(text)
            except InvalidSpecifier:
                raise self.error(
                    f"{where}.version", f"{text!r} is not a version specifier"
                ) from None
        return Exception_(
            package=canonicalize_name(package),
            versions=versions,
            reason=reason.strip(),
            expires=expires,
            kind=kind,
        )

    def proxy(self, table: Mapping[str, Any]) -> ProxySettings:
        for key in table:
            if key not in ("host", "port", "token-env", "page-ttl"):
                raise self.error(
                    f"proxy.{key}", "unknown key (known: host, port, token-env, page-ttl)"
                )
        defaults = ProxySettings()
        host = table.get("host", defaults.host)
        if not isinstance(host, str) or not host:
            raise self.error("proxy.host", f"must be a host name or address, not {host!r}")
        port = table.get("port", defaults.port)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise self.error("proxy.port", f"must be a port number (0-65535), not {port!r}")
        token_env = table.get("token-env")
        if token_env is not None and (not isinstance(token_env, str) or not token_env):
            raise self.error(
                "proxy.token-env", f"must name an environment variable, not {token_env!r}"
            )
        ttl = table.get("page-ttl", defaults.page_ttl)
        if not isinstance(ttl, int | float) or isinstance(ttl, bool) or ttl < 0:
            raise self.error("proxy.page-ttl", f"must be a number of seconds, not {ttl!r}")
        return ProxySettings(host=host, port=port, token_env=token_env, page_ttl=float(ttl))


def _kind(value: object) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
