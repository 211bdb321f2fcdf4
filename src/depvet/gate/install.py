"""``depvet install -- PIP-ARGS``: install through an ephemeral vetting proxy.

pip's resolver builds sdists to read their metadata, which runs their code,
before any dry-run report exists; so pip (or ``uv pip``) is run against a
``depvet proxy`` on loopback and given only that index URL. Every file it
asks for is vetted first; a refusal stops it before it builds or installs
anything. Options that would let the installer reach files around the proxy
(other indexes, find-links, direct URLs and paths, editable installs) are
refused up front, in requirements files too. What was installed is recorded
from pip's ``--report`` (or, for uv, from the files the proxy served) with
hashes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depvet import __version__
from depvet.errors import UsageError
from depvet.service.proxy import ProxyConfig, ProxyEvent
from depvet.service.server import BackgroundProxy
from depvet.sources.lockfiles.requirements import logical_lines

__all__ = ["InstallOutcome", "install", "installer_command", "vet_arguments"]

# Options that point pip at files the proxy would not see.
_BYPASS = {
    "--extra-index-url",
    "--find-links",
    "-f",
    "--no-index",
    "--editable",
    "-e",
    "--trusted-host",
    "--index",
    "--default-index",
}
_INDEX = ("-i", "--index-url")
_WITH_VALUE = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--python",
    "-p",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--report",
    "--log",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--config-settings",
    "-C",
    "--global-option",
    "--no-binary",
    "--only-binary",
    "--cache-dir",
    "--exists-action",
    "--timeout",
    "--retries",
    "--proxy",
    "--cert",
    "--client-cert",
    "--keyring-provider",
    "--root-user-action",
}


@dataclass(slots=True, kw_only=True)
class InstallOutcome:
    """What happened: the installer's exit code, the proxy's decisions, what was installed."""

    returncode: int
    refused: list[ProxyEvent] = field(default_factory=list)
    held_back: list[ProxyEvent] = field(default_factory=list)
    served: list[ProxyEvent] = field(default_factory=list)
    installed: list[dict[str, Any]] = field(default_factory=list)
    record: Path | None = None


def vet_arguments(args: Sequence[str]) -> tuple[list[str], str | None]:
    """The arguments to pass on, and an upstream index given with ``-i``; UsageError on a bypass."""
    passed: list[str] = []
    upstream: str | None = None
    files: list[Path] = []
    items = list(args)
    position = 0
    while position < len(items):
        arg = items[position]
        name, eq, inline = arg.partition("=")
        option = name if arg.startswith("-") else ""
        if option in _BYPASS or (
            arg.startswith("-e") and len(arg) > 2 and not arg.startswith("--")
        ):
            raise UsageError(
                f"{arg!r} would let the installer fetch files around depvet's proxy; "
                "depvet install takes packages from one index only",
                hint="Remove the option; vet a local file with `depvet scan FILE` first.",
            )
        glued = arg.startswith("-i") and option not in _INDEX  # -iURL
        if option in _INDEX or glued:
            if eq and not glued:
                upstream = inline
            elif glued:
                upstream = arg[2:]
            elif position + 1 < len(items):
                position += 1
                upstream = items[position]
            else:
                raise UsageError(f"{arg} needs a URL")
            position += 1
            continue
        if option in _WITH_VALUE and not eq:
            if position + 1 >= len(items):
                raise UsageError(f"{arg} needs a value")
            value = items[position + 1]
            if option in ("-r", "--requirement", "-c", "--constraint"):
                files.append(Path(value))
            passed += [arg, value]
            position += 2
            continue
        if option in ("-r", "--requirement", "-c", "--constraint") and eq:
            files.append(Path(inline))
        if not option:
            _check_requirement(arg, "the command line")
        passed.append(arg)
        position += 1
    for path in files:
        _check_requirements_file(path, set())
    return passed, upstream


def _check_requirement(text: str, where: str) -> None:
    lowered = text.strip().lower()
    direct = (
        "://" in lowered
        or ("@" in lowered.split(";")[0] and "/" in lowered)
        or lowered.startswith((".", "/", "~"))
        or lowered.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"))
    )
    if direct:
        raise UsageError(
            f"{where}: {text!r} is a direct URL or path; depvet install only installs from "
            "the vetted index",
            hint="Scan the file with `depvet scan`, or publish it to an index the proxy fronts.",
        )


def _check_requirements_file(path: Path, seen: set[Path]) -> None:
    try:
        real = path.resolve()
        if real in seen:
            return
        seen.add(real)
        text = path.read_text("utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    for number, line in logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        where = f"{path}:{number}"
        first = stripped.split()[0]
        name = first.split("=", 1)[0]
        if name in _BYPASS or name in _INDEX:
            raise UsageError(
                f"{where}: {first} points the installer at files around depvet's proxy",
                hint="Remove index and find-links options from the requirements file.",
            )
        if name in ("-r", "--requirement", "-c", "--constraint"):
            value = first.split("=", 1)[1] if "=" in first else stripped.split(None, 1)[-1]
            _check_requirements_file(path.parent / value.strip(), seen)
            continue
        if stripped.startswith("-"):
            continue
        _check_requirement(stripped.split(" --hash")[0], where)


def installer_command(
    tool: str, python: str, index_url: str, args: Sequence[str], report: Path | None
) -> tuple[list[str], dict[str, str]]:
    """The installer's command line and environment: one index, no config, no cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "UV_")) or key in ("UV_PYTHON",)
    }
    if tool == "uv":
        uv = shutil.which("uv")
        if uv is None:
            raise UsageError("uv is not on PATH", hint="Install uv, or drop --uv to use pip.")
        env["UV_NO_CONFIG"] = "1"
        command = [uv, "pip", "install", "--python", python, "--index-url", index_url, "--no-cache"]
        return [*command, *args], env
    env["PIP_CONFIG_FILE"] = os.devnull
    command = [python, "-m", "pip", "install", "--index-url", index_url, "--no-cache-dir"]
    command += ["--disable-pip-version-check"]
    if report is not None:
        command += ["--report", str(report)]
    return [*command, *args], env


def install(
    config: ProxyConfig,
    args: Sequence[str],
    *,
    tool: str = "pip",
    python: str,
    record: Path | None,
) -> InstallOutcome:
    """Run the installer through a proxy that vets every file; record what it installed."""
    proxy = BackgroundProxy(config)
    events: list[ProxyEvent] = []
    proxy.state.listeners.append(events.append)
    scratch = Path(tempfile.mkdtemp(prefix="depvet-install-"))
    report = scratch / "pip-report.json" if tool == "pip" else None
    try:
        url = proxy.start()
        command, env = installer_command(tool, python, url, args, report)
        completed = subprocess.run(command, env=env, check=False)
    finally:
        proxy.stop()
    try:
        outcome = InstallOutcome(returncode=completed.returncode)
        outcome.refused = [e for e in events if e.event == "refused"]
        outcome.served = [e for e in events if e.event == "served"]
        outcome.held_back = [e for e in events if e.event == "hidden"]
        if completed.returncode == 0:
            outcome.installed = _installed(report, outcome.served)
            outcome.record = _write_record(record, tool, command, outcome)
        return outcome
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _installed(report: Path | None, served: Sequence[ProxyEvent]) -> list[dict[str, Any]]:
    by_file = {e.filename: e for e in served if e.filename}  # uv asks for a file more than once
    if report is None or not report.is_file():
        return [
            {"name": e.project, "file": e.filename, "sha256": e.sha256, "verdict": e.verdict}
            for e in by_file.values()
        ]
    document = json.loads(report.read_text("utf-8"))
    installed = []
    for item in document.get("install", []):
        metadata = item.get("metadata", {})
        info = item.get("download_info", {})
        filename = str(info.get("url", "")).rsplit("/", 1)[-1]
        hashes = info.get("archive_info", {}).get("hashes", {})
        event = by_file.get(filename)
        installed.append(
            {
                "name": metadata.get("name"),
                "version": metadata.get("version"),
                "file": filename,
                "sha256": hashes.get("sha256") or (event.sha256 if event else None),
                "verdict": event.verdict if event else None,
                "requested": item.get("requested", False),
            }
        )
    return installed


def _write_record(
    record: Path | None, tool: str, command: Sequence[str], outcome: InstallOutcome
) -> Path:
    from depvet.advisories.store import default_data_dir

    stamp = dt.datetime.now(dt.UTC)
    target = record or default_data_dir() / "installs" / f"{stamp:%Y%m%dT%H%M%SZ}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "tool": {"name": "depvet", "version": __version__},
        "installer": tool,
        "command": list(command),
        "finished": stamp.isoformat(timespec="seconds"),
        "installed": outcome.installed,
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
    Path(tmp).replace(target)
    return target
