"""pip requirements files: ``requirements*.txt``, ``*requirements*.in``, ``constraints*.txt``.

The format pip reads with ``-r``: one requirement per line, ``\\`` continuations,
``#`` comments, global options (``--index-url`` and the like, ignored here),
per-requirement ``--hash`` options, ``-r`` includes and ``-c`` constraints
(followed; their entries carry group ``"constraint"`` because a constraint is
not a dependency). ``${VAR}`` references are kept as written, never expanded:
their values are often credentials, and a report must not carry them.
"""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from depvet.model import PackageRef, PinKind
from depvet.sources.lockfiles.common import (
    decode,
    hash_strings,
    read_bytes,
    redact_url,
    ref_from_requirement,
    url_pin,
)
from depvet.sources.lockfiles.interface import LockfileError, LockfileWarning, ParsedLockfile

CONSTRAINT_GROUP = "constraint"
REQUIREMENTS_FOLDERS = frozenset({"requirements", "reqs"})
_COMMENT = re.compile(r"(^|\s+)#.*$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # a scheme; one letter is a Windows drive
_EXTRAS = re.compile(r"^(.+?)(\[[^\]]*\])$")
_HASH_NAMES = ("sha256", "sha384", "sha512", "sha224", "sha1", "md5")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")
# Options that take a value, by every spelling pip accepts in a requirements file.
_VALUED = {
    "-r": "--requirement",
    "--requirement": "--requirement",
    "-c": "--constraint",
    "--constraint": "--constraint",
    "-e": "--editable",
    "--editable": "--editable",
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--trusted-host": "--trusted-host",
    "--no-binary": "--no-binary",
    "--only-binary": "--only-binary",
    "--use-feature": "--use-feature",
    "--hash": "--hash",
    "--config-settings": "--config-settings",
    "--global-option": "--global-option",
    "--install-option": "--install-option",
}
_FLAGS = frozenset(
    {
        "--no-index",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "-Z",
        "--always-unzip",
        "--process-dependency-links",
    }
)


@dataclass(slots=True)
class _State:
    """One parse: refs and warnings so far, files being read, files already read."""

    refs: list[PackageRef] = field(default_factory=list)
    warnings: list[LockfileWarning] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)  # real paths of the includes being read
    done: set[tuple[str, bool]] = field(default_factory=set)


class RequirementsParser:
    """Each requirement line: name, ``==`` version (EXACT) or the specifier (RANGE,
    UNPINNED), extras, markers, ``--hash`` values, and direct references (``name @ URL``,
    ``-e``/bare VCS URLs with ``#egg=``, archive URLs and local paths)."""

    name: str = "requirements"

    def matches(self, path: Path) -> bool:
        """``*requirements*.txt|.in``, ``*constraints*.txt|.in``, or any ``.txt``/``.in``
        in a ``requirements/`` folder."""
        lowered = path.name.lower()
        stem, dot, suffix = lowered.rpartition(".")
        if not dot or suffix not in ("txt", "in"):
            return False
        return (
            "requirements" in stem
            or "constraints" in stem
            or path.parent.name.lower() in REQUIREMENTS_FOLDERS
        )

    def parse(self, path: Path, display: str) -> ParsedLockfile:
        """Read the file and every file it includes; LockfileError for a missing include."""
        state = _State()
        # A file named constraints*.txt is what pip reads with -c: bounds, not dependencies.
        constraint = "constraint" in path.name.lower() and "requirement" not in path.name.lower()
        _read_file(path, display, constraint=constraint, state=state, text=None)
        return ParsedLockfile(
            format=self.name,
            source=display,
            refs=tuple(state.refs),
            warnings=tuple(state.warnings),
        )


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) after joining ``\\`` continuations and dropping comments."""
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        comment = _COMMENT.match(line) is not None
        if not line.endswith("\\") or comment:
            if pending:
                pending.append(" " + line if comment else line)
                joined.append((first, "".join(pending)))
                pending = []
            else:
                joined.append((number, line))
        else:
            if not pending:
                first = number
            pending.append(line.strip("\\"))
    if pending:
        joined.append((first, "".join(pending)))
    result = []
    for number, line in joined:
        stripped = _COMMENT.sub("", line).strip()
        if stripped:
            result.append((number, stripped))
    return result


def _read_file(
    path: Path, display: str, *, constraint: bool, state: _State, text: str | None
) -> None:
    real = os.path.realpath(path)
    if (real, constraint) in state.done:
        return  # included twice (a diamond): read once
    state.done.add((real, constraint))
    state.stack.append(real)
    try:
        if text is None:
            text = decode(read_bytes(path, display), display)
        for number, line in logical_lines(text):
            _read_line(line, number, path, display, constraint=constraint, state=state)
    finally:
        state.stack.pop()


def _read_line(
    line: str, number: int, path: Path, display: str, *, constraint: bool, state: _State
) -> None:
    def warn(message: str) -> None:
        state.warnings.append(LockfileWarning(source=display, line=number, message=message))

    requirement, options_text = _split_options(line)
    if not any(c in options_text for c in "\"'\\"):
        tokens = options_text.split()  # what shlex gives, at a fraction of its cost
    else:
        try:
            tokens = shlex.split(options_text)
        except ValueError as exc:
            warn(f"options not read: {exc}")
            tokens = []
    options: list[tuple[str, str]] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        name, value = _option(token)
        if name in _FLAGS:
            continue
        if name not in _VALUED:
            warn(f"unknown option {name!r} ignored" if name else f"unexpected {token!r} ignored")
            continue
        if value is None:
            if position >= len(tokens):
                warn(f"{name} needs a value")
                continue
            value = tokens[position]
            position += 1
        options.append((_VALUED[name], value))
    hashes = hash_strings(value for key, value in options if key == "--hash")
    group = CONSTRAINT_GROUP if constraint else None
    for key, value in options:
        if key in ("--requirement", "--constraint"):
            _include(key, value, number, path, display, constraint=constraint, state=state)
        elif key == "--editable":
            _add(value, number, path, display, group, hashes, state, editable=True)
    if requirement:
        _add(requirement, number, path, display, group, hashes, state, editable=False)


def _split_options(line: str) -> tuple[str, str]:
    """pip's rule: the requirement runs up to the first word that starts with '-'."""
    words = line.split(" ")
    for index, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:index]).strip(), " ".join(words[index:])
    return line.strip(), ""


def _option(token: str) -> tuple[str, str | None]:
    if token.startswith("--"):
        name, eq, value = token.partition("=")
        return name, value if eq else None
    if token.startswith("-") and len(token) > 1:
        return token[:2], token[2:] or None
    return "", None


def _include(
    option: str,
    value: str,
    number: int,
    path: Path,
    display: str,
    *,
    constraint: bool,
    state: _State,
) -> None:
    short = "-c" if option == "--constraint" else "-r"
    if _URL.match(value) and len(value.split(":", 1)[0]) > 1:
        if not value.lower().startswith("file:"):
            state.warnings.append(
                LockfileWarning(
                    source=display,
                    line=number,
                    message=f"{short} {value}: remote files are not fetched; not read",
                )
            )
            return
        value = unquote(urlsplit(value).path)
    absolute = Path(value).is_absolute()
    target = Path(value) if absolute else path.parent / value
    # Shown as the user would write it from where they gave the including file.
    shown = value if absolute else os.path.normpath(os.path.join(os.path.split(display)[0], value))
    real = os.path.realpath(target)
    if real in state.stack:
        chain = [*state.stack[state.stack.index(real) :], real]
        state.warnings.append(
            LockfileWarning(
                source=display,
                line=number,
                message=f"{short} {value}: include cycle "
                + " -> ".join(Path(p).name for p in chain)
                + "; not read again",
            )
        )
        return
    try:
        text = decode(read_bytes(target, shown), shown)
    except LockfileError as exc:
        if exc.line is not None:
            raise  # the included file is there but not text: its own position
        raise LockfileError(display, f"{short} {value}: {exc.what}", line=number) from exc
    _read_file(
        target, shown, constraint=constraint or option == "--constraint", state=state, text=text
    )


def _add(
    text: str,
    number: int,
    path: Path,
    display: str,
    group: str | None,
    hashes: tuple[str, ...],
    state: _State,
    *,
    editable: bool,
) -> None:
    try:
        ref = _ref(text, number, path, display, group, hashes, editable=editable)
    except ValueError as exc:
        state.warnings.append(
            LockfileWarning(source=display, line=number, message=f"skipped: {exc}")
        )
        return
    state.refs.append(ref)


def _ref(
    text: str,
    number: int,
    path: Path,
    display: str,
    group: str | None,
    hashes: tuple[str, ...],
    *,
    editable: bool,
) -> PackageRef:
    """A ref for one requirement; ValueError (with pip's reason) when it is not one."""
    direct = _URL.match(text) is not None and len(text.split(":", 1)[0]) > 1
    if not direct and not editable and not _looks_like_path(text):
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise ValueError(f"not a requirement: {exc}") from exc
        return ref_from_requirement(
            requirement, source=display, line=number, group=group, hashes=hashes
        )
    return _direct_ref(text, number, path, display, group, hashes, direct=direct)


def _direct_ref(
    text: str,
    number: int,
    path: Path,
    display: str,
    group: str | None,
    hashes: tuple[str, ...],
    *,
    direct: bool,
) -> PackageRef:
    """A URL, VCS URL or local path written without ``NAME @``, as pip reads it."""
    location, *rest = re.split(r";\s", text, maxsplit=1)
    location = location.strip()
    markers = None
    if rest:
        try:
            markers = str(Marker(rest[0]))
        except InvalidMarker as exc:
            raise ValueError(f"invalid marker: {exc}") from exc
    extras: tuple[str, ...] = ()
    egg: str | None = None
    if direct:
        parts = urlsplit(location)
        fragment = dict(
            item.partition("=")[::2] for item in parts.fragment.split("&") if "=" in item
        )
        egg = fragment.get("egg")
        hashes = hash_strings(
            [*hashes, *(f"{a}:{fragment[a]}" for a in _HASH_NAMES if a in fragment)]
        )
        filename = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        pin, url = url_pin(location), redact_url(location)
    else:
        if found := _EXTRAS.match(location):
            location, extras = found[1], _extras(found[2])
        filename = Path(location.rstrip("/\\")).name
        pin, url = PinKind.PATH, location
    version: str | None = None
    if egg:
        name = egg
        if found_extras := _EXTRAS.match(egg):
            name, extras = found_extras[1], _extras(found_extras[2])
    elif (archive := _archive_name(filename)) is not None:
        name, version = archive
    elif not direct and (found_name := _project_name(path.parent / location)) is not None:
        name = found_name
    else:
        raise ValueError(
            f"no package name in {redact_url(location)!r}: write NAME @ URL, or add #egg=NAME"
        )
    return PackageRef(
        name=name,
        version=version,
        source=display,
        pin=pin,
        line=number,
        hashes=hashes,
        markers=markers,
        extras=extras,
        url=url,
        group=group,
    )


def _extras(text: str) -> tuple[str, ...]:
    return tuple(sorted(e.strip() for e in text.strip("[]").split(",") if e.strip()))


def _archive_name(filename: str) -> tuple[str, str] | None:
    """(name as written, version) from a wheel or sdist file name."""
    try:
        if filename.endswith(".whl"):
            _, parsed, _, _ = parse_wheel_filename(filename)
            return filename.split("-", 1)[0], str(parsed)
        if filename.endswith((".tar.gz", ".zip")):
            _, parsed = parse_sdist_filename(filename)
            stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
            return stem.rpartition("-")[0], str(parsed)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _project_name(folder: Path) -> str | None:
    """``[project] name`` of a local source tree, read statically (never built)."""
    try:
        data = read_bytes(folder / "pyproject.toml", str(folder))
        name = tomllib.loads(decode(data, str(folder))).get("project", {}).get("name")
    except (LockfileError, tomllib.TOMLDecodeError, AttributeError):
        return None
    return name if isinstance(name, str) and name else None


def _looks_like_path(text: str) -> bool:
    head = text.split(";", 1)[0].strip()
    before, at, _ = head.partition("@")
    if at and not _looks_like_path(before):
        return False  # NAME @ URL (pip's own rule)
    return (
        "/" in head
        or "\\" in head
        or head.startswith(".")
        or _EXTRAS.sub(r"\1", head).lower().endswith(_ARCHIVES)
    )
