"""Regenerate the OSV part of src/depvet/advisories/data/known-bad.json from MAL-* records.

Input: OSV records for PyPI, either OSV's dump
(https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip) or a folder of
``.json``/``.yaml`` records (for instance ``osv/malicious/pypi`` of a checkout
of ossf/malicious-packages). Output: the feed file rewritten with

- ``curated``: kept as it is (hand-written DEPVET-* records and their
  indicators), except that a curated record gains the id of any MAL record
  that covers one of its listed versions as an alias;
- ``osv_malicious``: replaced by the input's MAL-* PyPI records that are not
  withdrawn, trimmed to what matching and reporting need.

    python tools/build_known_bad_feed.py PATH [--feed FEED.json] [--label TEXT]

Review the diff before committing: the feed ships inside depvet.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from depvet.advisories.feed import parse_feed, rebuild_feed
from depvet.advisories.osv import Record, load_record
from depvet.advisories.reader import iter_documents
from depvet.errors import AdvisoryError, Error
from depvet.model import ScanError

FEED = Path(__file__).resolve().parents[1] / "src/depvet/advisories/data/known-bad.json"


def read_records(path: Path, errors: list[ScanError]) -> Iterator[Record]:
    """Every valid record under ``path`` (a zip, a folder or a file)."""
    for document in iter_documents(path, errors):
        try:
            yield load_record(document.data, origin=document.origin)
        except AdvisoryError as exc:
            errors.append(ScanError(reference=exc.reference, message=exc.message))


def build(source: Path, feed_path: Path, label: str | None = None) -> tuple[int, int]:
    """Rewrite ``feed_path`` from the records under ``source``; (MAL records kept, skipped)."""
    current = json.loads(feed_path.read_text(encoding="utf-8"))
    errors: list[ScanError] = []
    document = rebuild_feed(current, read_records(source, errors), source=label or source.name)
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    parse_feed(text.encode(), origin=str(feed_path))  # never write a feed depvet cannot read
    feed_path.write_text(text, encoding="utf-8")
    return len(document["osv_malicious"]["records"]), len(errors)


def main(argv: list[str]) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="OSV all.zip, or a folder of OSV records")
    parser.add_argument("--feed", type=Path, default=FEED, help="the feed file to rewrite")
    parser.add_argument("--label", help="how the feed names its source (default: file name)")
    args = parser.parse_args(argv)
    try:
        kept, skipped = build(args.source, args.feed, args.label)
    except Error as exc:
        print(exc.diagnostics(), file=sys.stderr)
        return 2
    print(f"{kept} MAL records written to {args.feed} ({skipped} invalid records skipped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
