"""Download the benign artifacts the benchmark measures false positives on.

For every project in ``../shared/corpus/pypi-benign-dev.tsv`` this fetches,
for the listed version (or the latest release that is not yanked), the sdist
and one wheel from PyPI's simple index (PEP 691 JSON), checks each file's
sha256 against the index and records it in a manifest. Nothing downloaded is
ever installed, built, imported or run: the files are only read as archives
by the scanners under test. A second run skips files that are already there
with the right hash.

With ``--unseen`` it fetches instead the *unseen* popular projects: those of
depvet's own ranking of popular names (``popular-names.txt``) as highly ranked
as the benign list's (its largest rank) that the list leaves out, latest
release each, into ``benchmarks/.cache/unseen``. No rule was tuned on them:
their false positives say how the rules do on popular code nobody looked at.
``--ranks A-B`` takes another stretch of that ranking and ``--into DIR`` another
folder, for a fresh set once the first has been looked at.

    python -m benchmarks.fetch_benign [--threads 8] [--unseen [--ranks A-B] [--into DIR]]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from depvet.detectors.package import popular_names

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
BENIGN_TSV = CORPUS / "pypi-benign-dev.tsv"
CACHE = REPO / "benchmarks" / ".cache"
BENIGN_DIR = CACHE / "benign"
MANIFEST = BENIGN_DIR / "manifest.json"
UNSEEN_DIR = CACHE / "unseen"
LITELLM_DIR = BENIGN_DIR / "litellm"
LITELLM_VERSIONS = ("1.82.6", "1.83.0")

SIMPLE_URL = "https://pypi.org/simple/{name}/"
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json"
MAX_BYTES = 150 * 1024 * 1024
TIMEOUT = 60.0
RETRIES = 3
USER_AGENT = "depvet-benchmark/1 (+fetch_benign.py)"


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexFile:
    """One file listed on the simple index for a project."""

    filename: str
    url: str
    sha256: str
    size: int
    yanked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One manifest line: a file fetched (or skipped) for the benchmark."""

    name: str
    version: str
    kind: str  # "sdist", "wheel" or "litellm"
    filename: str
    sha256: str
    size: int
    status: str  # "ok", "skipped-too-large", "failed"
    detail: str = ""


def _get(url: str, accept: str | None = None) -> bytes:
    """GET ``url`` with retries; raise the last error."""
    headers = {"User-Agent": USER_AGENT}
    if accept:
        headers["Accept"] = accept
    last: Exception | None = None
    for attempt in range(RETRIES):
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise
            last = exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last = exc
        time.sleep(1.5 * (attempt + 1))
    assert last is not None
    raise last


def index_files(name: str) -> list[IndexFile]:
    """The files the PEP 691 simple index lists for ``name``."""
    body = json.loads(_get(SIMPLE_URL.format(name=canonicalize_name(name)), SIMPLE_ACCEPT))
    files: list[IndexFile] = []
    for item in body.get("files", []):
        sha = item.get("hashes", {}).get("sha256")
        if not sha:
            continue
        files.append(
            IndexFile(
                filename=item["filename"],
                url=item["url"],
                sha256=sha,
                size=int(item.get("size") or 0),
                yanked=bool(item.get("yanked")),
            )
        )
    return files


def version_of(filename: str) -> Version | None:
    """The version a wheel or sdist file name carries, or None."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def pick_version(files: Sequence[IndexFile], wanted: str) -> Version | None:
    """``wanted`` when given, else the newest final release with a file not yanked.

    A project that has only pre-releases (many OpenTelemetry instrumentations) gets
    its newest pre-release.
    """
    if wanted:
        try:
            return Version(wanted)
        except InvalidVersion:
            return None
    versions = {v for f in files if not f.yanked and (v := version_of(f.filename)) is not None}
    final = {v for v in versions if not v.is_prerelease}
    return max(final or versions) if versions else None


def wheel_rank(filename: str) -> int:
    """Lower is preferred: pure py3 wheel, then CPython 3.11 manylinux x86_64, then any."""
    try:
        tags = parse_wheel_filename(filename)[3]
    except (InvalidWheelFilename, InvalidVersion):
        return 9
    if any(
        t.interpreter.startswith("py3") and t.abi == "none" and t.platform == "any" for t in tags
    ):
        return 0
    if any(t.platform == "any" for t in tags):
        return 1
    linux = [t for t in tags if "manylinux" in t.platform and t.platform.endswith("x86_64")]
    if any(t.interpreter == "cp311" for t in linux):
        return 2
    if any(t.abi == "abi3" for t in linux):
        return 3
    if linux:
        return 4
    return 5


def choose(
    files: Sequence[IndexFile], version: Version
) -> tuple[IndexFile | None, IndexFile | None]:
    """The sdist (if any) and one preferred wheel of ``version``."""
    mine = [f for f in files if version_of(f.filename) == version]
    sdists = [f for f in mine if not f.filename.endswith((".whl", ".egg", ".exe", ".msi", ".rpm"))]
    # .tar.gz is the modern form; prefer it over a legacy .zip sdist.
    sdists.sort(key=lambda f: (not f.filename.endswith(".tar.gz"), f.filename))
    wheels = sorted(
        (f for f in mine if f.filename.endswith(".whl")),
        key=lambda f: (wheel_rank(f.filename), f.filename),
    )
    return (sdists[0] if sdists else None), (wheels[0] if wheels else None)


def sha256_file(path: Path) -> str:
    """The sha256 of a file on disk, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_file(item: IndexFile, folder: Path) -> tuple[str, str]:
    """Download ``item`` into ``folder`` unless present; return (status, detail)."""
    target = folder / item.filename
    if item.size > MAX_BYTES:
        return "skipped-too-large", f"{item.size} bytes"
    if target.exists() and sha256_file(target) == item.sha256:
        return "ok", "cached"
    folder.mkdir(parents=True, exist_ok=True)
    data = _get(item.url)
    if hashlib.sha256(data).hexdigest() != item.sha256:
        return "failed", "sha256 mismatch"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    Path(tmp).replace(target)
    return "ok", "downloaded"


def fetch_project(name: str, wanted: str, root: Path = BENIGN_DIR) -> list[Entry]:
    """Fetch the sdist and one wheel of a project into ``root``; never raises."""
    try:
        files = index_files(name)
    except Exception as exc:  # one project never stops the rest
        return [
            Entry(
                name=name,
                version=wanted,
                kind="index",
                filename="",
                sha256="",
                size=0,
                status="failed",
                detail=repr(exc),
            )
        ]
    version = pick_version(files, wanted)
    if version is None:
        return [
            Entry(
                name=name,
                version=wanted,
                kind="index",
                filename="",
                sha256="",
                size=0,
                status="failed",
                detail="no usable version",
            )
        ]
    sdist, wheel = choose(files, version)
    entries: list[Entry] = []
    for kind, item in (("sdist", sdist), ("wheel", wheel)):
        if item is None:
            continue
        try:
            status, detail = fetch_file(item, root / kind)
        except Exception as exc:
            status, detail = "failed", repr(exc)
        entries.append(
            Entry(
                name=name,
                version=str(version),
                kind=kind,
                filename=item.filename,
                sha256=item.sha256,
                size=item.size,
                status=status,
                detail=detail,
            )
        )
    if not entries:
        entries.append(
            Entry(
                name=name,
                version=str(version),
                kind="index",
                filename="",
                sha256="",
                size=0,
                status="failed",
                detail="no sdist or wheel for that version",
            )
        )
    return entries


def fetch_litellm() -> list[Entry]:
    """The clean litellm wheels that must not be judged malicious."""
    entries: list[Entry] = []
    files = index_files("litellm")
    for raw in LITELLM_VERSIONS:
        _, wheel = choose(files, Version(raw))
        if wheel is None:
            entries.append(
                Entry(
                    name="litellm",
                    version=raw,
                    kind="litellm",
                    filename="",
                    sha256="",
                    size=0,
                    status="failed",
                    detail="no wheel",
                )
            )
            continue
        status, detail = fetch_file(wheel, LITELLM_DIR)
        entries.append(
            Entry(
                name="litellm",
                version=raw,
                kind="litellm",
                filename=wheel.filename,
                sha256=wheel.sha256,
                size=wheel.size,
                status=status,
                detail=detail,
            )
        )
    return entries


def read_projects(path: Path = BENIGN_TSV) -> list[tuple[str, str]]:
    """(name, version or "") for each row of the benign list."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            (row["name"].strip(), (row.get("version_seen") or "").strip())
            for row in rows
            if row.get("name")
        ]


def unseen_projects(
    listed: Sequence[tuple[str, str]],
    last: int,
    ranked: Sequence[str] | None = None,
    first: int = 1,
) -> list[str]:
    """The projects ranked ``first`` to ``last`` (from 1) that ``listed`` leaves out.

    ``ranked`` defaults to the ranking depvet ships for its typosquatting rule, most
    downloaded first; the benchmark's default stretch ends at the benign list's
    largest rank.
    """
    known = {canonicalize_name(name) for name, _ in listed}
    ranked = popular_names() if ranked is None else ranked
    stretch = ranked[max(first, 1) - 1 : last]
    return [name for name in stretch if canonicalize_name(name) not in known]


def largest_rank(path: Path = BENIGN_TSV) -> int:
    """The largest download rank on the benign list (0 for a list without ranks)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return max((int(row["rank"]) for row in rows if row.get("rank")), default=0)


def write_manifest(entries: Iterable[Entry], path: Path = MANIFEST) -> None:
    """Write the manifest atomically, sorted for stable diffs."""
    rows = sorted((asdict(e) for e in entries), key=lambda r: (r["kind"], r["name"], r["filename"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def load_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    """The manifest rows, or [] before the first fetch."""
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def fetch_all(
    threads: int = 8,
    limit: int | None = None,
    *,
    unseen: bool = False,
    ranks: tuple[int, int] | None = None,
    into: Path = UNSEEN_DIR,
) -> list[Entry]:
    """Fetch every benign project and the litellm wheels; return the manifest entries.

    With ``unseen``, the unseen popular projects instead (see :func:`unseen_projects`;
    ``ranks``, first and last, default to 1 and the benign list's largest rank), with
    their own manifest in ``into``.
    """
    if unseen:
        first, last = ranks or (1, largest_rank())
        unseen_names = unseen_projects(read_projects(), last, first=first)
        projects = [(name, "") for name in unseen_names][:limit]
        root = into
    else:
        projects = read_projects()[:limit]
        root = BENIGN_DIR
    entries: list[Entry] = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(fetch_project, name, version, root) for name, version in projects]
        for done, future in enumerate(as_completed(futures), 1):
            entries.extend(future.result())
            if done % 50 == 0 or done == len(futures):
                print(
                    f"  {done}/{len(futures)} projects ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
    if unseen:
        write_manifest(entries, root / "manifest.json")
        return entries
    try:
        entries.extend(fetch_litellm())
    except Exception as exc:
        entries.append(
            Entry(
                name="litellm",
                version="",
                kind="litellm",
                filename="",
                sha256="",
                size=0,
                status="failed",
                detail=repr(exc),
            )
        )
    write_manifest(entries)
    return entries


def rank_range(text: str) -> tuple[int, int]:
    """``A-B`` as (A, B), both from 1, A not above B."""
    first, sep, last = text.partition("-")
    try:
        pair = (int(first), int(last))
    except ValueError:
        pair = (0, 0)
    if not sep or pair[0] < 1 or pair[0] > pair[1]:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rank range such as 1201-2000")
    return pair


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fetch everything and print a one-line summary per status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--limit", type=int, default=None, help="only the first N projects")
    parser.add_argument(
        "--unseen",
        action="store_true",
        help="fetch the popular projects the benign list leaves out, into .cache/unseen",
    )
    parser.add_argument(
        "--ranks",
        type=rank_range,
        default=None,
        metavar="A-B",
        help="with --unseen: the stretch of the ranking (default: 1 to the list's largest rank)",
    )
    parser.add_argument(
        "--into", type=Path, default=UNSEEN_DIR, help="with --unseen: the folder to fill"
    )
    args = parser.parse_args(argv)
    entries = fetch_all(
        args.threads, args.limit, unseen=args.unseen, ranks=args.ranks, into=args.into
    )
    counts: dict[tuple[str, str], int] = {}
    for e in entries:
        counts[(e.kind, e.status)] = counts.get((e.kind, e.status), 0) + 1
    for (kind, status), n in sorted(counts.items()):
        print(f"{kind:8} {status:18} {n}")
    for e in entries:
        if e.status != "ok":
            print(
                f"  {e.status}: {e.name} {e.version} {e.kind} {e.filename} {e.detail}",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
