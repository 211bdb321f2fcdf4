"""What the lockfile parsers share: bounded reads, positioned decode errors,
typed access to decoded TOML/JSON, and turning requirements into refs."""

from __future__ import annotations

import json
import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from depvet.limits import MiB
from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.interface import LockfileError

# The largest lockfile read; a 5,000-package uv.lock with every wheel is ~10 MiB.
MAX_LOCKFILE_BYTES = 64 * MiB

VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)$")


class EntryError(Exception):
    """One entry of a lockfile is unusable; the parser skips it with a warning."""


def read_bytes(path: Path, display: str) -> bytes:
    """The file's bytes, bounded; LockfileError when unreadable or too large."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LOCKFILE_BYTES + 1)
    except OSError as exc:
        raise LockfileError(display, f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_LOCKFILE_BYTES:
        raise LockfileError(display, f"larger than {MAX_LOCKFILE_BYTES // MiB} MiB; not read")
    return data


def decode(data: bytes, display: str) -> str:
    """UTF-8 text (a UTF-8 or UTF-16 byte-order mark is honoured), errors positioned."""
    encoding = "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line = head.count(b"\n") + 1
        column = exc.start - (head.rfind(b"\n") + 1) + 1
        raise LockfileError(
            display, f"not {encoding.removesuffix('-sig')} text", line=line, column=column
        ) from exc


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def load_toml(path: Path, display: str) -> tuple[dict[str, Any], str]:
    """The decoded document and its text; LockfileError at the line and column of a syntax error."""
    text = decode(read_bytes(path, display), display)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        if found:
            line, column = int(found[1]), int(found[2])
            what = message[: found.start()].rstrip()
        else:
            line, column = _end_position(text)
            what = message.replace(" (at end of document)", " at end of file")
        raise LockfileError(display, f"invalid TOML: {what}", line=line, column=column) from exc
    except RecursionError as exc:
        raise LockfileError(display, "invalid TOML: nested too deeply") from exc


def load_json(path: Path, display: str) -> tuple[Any, str]:
    """The decoded document and its text; LockfileError at the line and column of a syntax error."""
    text = decode(read_bytes(path, display), display)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise LockfileError(
            display, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from exc
    except RecursionError as exc:
        raise LockfileError(display, "invalid JSON: nested too deeply") from exc


class Lines:
    """Offsets to 1-based line numbers, and where TOML headers or keys sit."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Start offset of each line: 0, then one past every newline.
        self._starts = [0, *accumulate(len(line) + 1 for line in text.split("\n"))]

    def line_of(self, offset: int) -> int:
        """The 1-based line holding ``offset``."""
        return bisect_right(self._starts, offset)

    def headers(self, name: str) -> list[int]:
        """Lines of every ``[[name]]`` array-of-tables header, in order."""
        pattern = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(name)}[ \t]*\]\]", re.MULTILINE)
        return [self.line_of(m.start()) for m in pattern.finditer(self.text)]

    def key(self, dotted: str) -> int | None:
        """Line of the first ``key =`` or ``[key]`` for a dotted key, best effort."""
        offset = self.key_offset(dotted)
        return self.line_of(offset) if offset is not None else None

    def key_offset(self, dotted: str, start: int = 0) -> int | None:
        """Offset of the first ``key =`` or ``[key]`` at or after ``start``, best effort."""
        last = re.escape(dotted.rsplit(".", 1)[-1])
        table = re.escape(dotted).replace(r"\.", r"[ \t]*\.[ \t]*")
        pattern = re.compile(
            rf"^[ \t]*(?:\[{{1,2}}[ \t]*{table}[ \t]*\]{{1,2}}|{last}[ \t]*=|\"{last}\"[ \t]*:)",
            re.MULTILINE,
        )
        found = pattern.search(self.text, start)
        return found.start() if found else None

    def find(self, needle: str, start: int) -> int:
        """Offset of ``needle`` at or after ``start``, -1 when absent."""
        return self.text.find(needle, start)


def entry_lines(lines: Lines, header: str, count: int) -> list[int | None]:
    """The header line of each of ``count`` array-of-tables entries, when they line up."""
    found = lines.headers(header)
    if len(found) == count:
        return list(found)
    return [None] * count  # written inline (``package = [{...}]``): no line per entry


def table(document: Mapping[str, Any], key: str, display: str, lines: Lines) -> dict[str, Any]:
    """A sub-table, empty when absent; LockfileError when it is not a table."""
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise LockfileError(
            display, f"'{key}' must be a table, not {_kind(value)}", line=lines.key(key)
        )
    return value


def array_of_tables(document: Mapping[str, Any], key: str, display: str, lines: Lines) -> list[Any]:
    """An array of tables, empty when absent; LockfileError when it is not an array."""
    value = document.get(key, [])
    if not isinstance(value, list):
        raise LockfileError(
            display, f"'{key}' must be an array of tables, not {_kind(value)}", line=lines.key(key)
        )
    return value


def _kind(value: object) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def get_str(entry: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """A string field of an entry; EntryError when missing (and required) or of another type."""
    value = entry.get(key)
    if value is None:
        if required:
            raise EntryError(f"no '{key}'")
        return None
    if not isinstance(value, str):
        raise EntryError(f"'{key}' must be a string, not {_kind(value)}")
    return value


def get_name(entry: Mapping[str, Any]) -> str:
    """The entry's non-empty ``name``."""
    name = get_str(entry, "name", required=True)
    if not name or not name.strip():
        raise EntryError("empty 'name'")
    return name


def get_strs(entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list-of-strings field, empty when absent."""
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EntryError(f"'{key}' must be an array of strings")
    return tuple(value)


def get_table(entry: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    """A sub-table field, None when absent."""
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EntryError(f"'{key}' must be a table, not {_kind(value)}")
    return value


def get_tables(entry: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """An array-of-tables field, empty when absent."""
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise EntryError(f"'{key}' must be an array of tables")
    return value


def normalize_version(raw: str) -> str:
    """The PEP 440 normal form when valid, else the string as written."""
    try:
        return str(Version(raw))
    except InvalidVersion:
        return raw


def pin_of(specifier: SpecifierSet) -> tuple[PinKind, str | None]:
    """EXACT with its version for a lone ``==X``/``===X``; RANGE or UNPINNED otherwise."""
    specs = list(specifier)
    if not specs:
        return PinKind.UNPINNED, None
    if len(specs) == 1:
        (spec,) = specs
        if spec.operator == "===":
            return PinKind.EXACT, spec.version
        if spec.operator == "==" and not spec.version.endswith(".*"):
            return PinKind.EXACT, normalize_version(spec.version)
    return PinKind.RANGE, None


def url_pin(url: str) -> PinKind:
    """How a direct reference pins: VCS, a local PATH or a remote URL."""
    lowered = url.lower()
    if lowered.startswith(VCS_SCHEMES):
        return PinKind.VCS
    if lowered.startswith("file:") or "://" not in lowered:
        return PinKind.PATH
    return PinKind.URL


def redact_url(url: str) -> str:
    """The URL without a password or a bare token in it (``${VAR}`` references stay)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if colon:
        if password and not _is_variable(password):
            userinfo = f"{user}:****"
    elif parts.scheme.removeprefix("git+").startswith("http") and not _is_variable(user):
        userinfo = "****"  # https://TOKEN@host: a token, not a user name
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def _is_variable(text: str) -> bool:
    return text.startswith("${") and text.endswith("}")


def vcs_url(scheme: str, url: str, revision: str | None, subdirectory: str | None = None) -> str:
    """A pip-style ``git+URL@REV#subdirectory=…`` reference, credentials redacted."""
    base = url if url.lower().startswith(f"{scheme}+") else f"{scheme}+{url}"
    if revision:
        base = f"{base}@{revision}"
    if subdirectory:
        base = f"{base}#subdirectory={subdirectory}"
    return redact_url(base)


def hash_strings(hashes: Iterable[str]) -> tuple[str, ...]:
    """``algo:hex`` strings, lowercased, deduplicated, in order."""
    seen: dict[str, None] = {}
    for item in hashes:
        algo, sep, digest = item.strip().partition(":")
        if not sep:
            algo, sep, digest = item.strip().partition("=")
        if sep and algo and digest:
            seen[f"{algo.lower()}:{digest.lower()}"] = None
    return tuple(seen)


def ref_from_requirement(
    requirement: Requirement,
    *,
    source: str,
    line: int | None,
    group: str | None = None,
    hashes: tuple[str, ...] = (),
) -> PackageRef:
    """A ref for a PEP 508 requirement: EXACT, RANGE, UNPINNED or a direct URL."""
    markers = str(requirement.marker) if requirement.marker is not None else None
    extras = tuple(sorted(requirement.extras))
    if requirement.url:
        return PackageRef(
            name=requirement.name,
            version=None,
            source=source,
            pin=url_pin(requirement.url),
            line=line,
            hashes=hashes,
            markers=markers,
            extras=extras,
            url=redact_url(requirement.url),
            group=group,
        )
    pin, version = pin_of(requirement.specifier)
    return PackageRef(
        name=requirement.name,
        version=version,
        source=source,
        pin=pin,
        specifier="" if pin is PinKind.EXACT else str(requirement.specifier),
        line=line,
        hashes=hashes,
        markers=markers,
        extras=extras,
        url=None,
        group=group,
    )


def join_groups(groups: Iterable[str], default: frozenset[str]) -> str | None:
    """None when a default (runtime) group is among them, else the names joined by ','."""
    names = list(dict.fromkeys(groups))
    if not names or any(g in default for g in names):
        return None
    return ",".join(names)
