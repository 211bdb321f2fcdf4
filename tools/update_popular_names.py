"""Regenerate src/depvet/detectors/data/popular-names.txt from a download ranking.

Input: a TSV with a header holding at least ``name`` and a rank column
(``rank_among_15000_most_downloaded`` or ``rank``), one project per line.
Output: canonical project names, most downloaded first, one per line.

    python tools/update_popular_names.py RANKING.tsv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

TARGET = Path(__file__).resolve().parents[1] / "src/depvet/detectors/data/popular-names.txt"
RANK_COLUMNS = ("rank_among_15000_most_downloaded", "rank")


def main(argv: list[str]) -> int:
    """Read the ranking named on the command line and rewrite the names file."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    ranked: list[tuple[int, str]] = []
    with Path(argv[0]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rank = next((row[c] for c in RANK_COLUMNS if row.get(c)), "")
            if rank.strip().isdigit() and row.get("name"):
                ranked.append((int(rank), canonicalize_name(row["name"])))
    ranked.sort()
    seen: dict[str, None] = {}
    for _, name in ranked:
        seen.setdefault(name)
    header = "# Most downloaded PyPI projects, most first (tools/update_popular_names.py).\n"
    TARGET.write_text(header + "\n".join(seen) + "\n", encoding="utf-8")
    print(f"{len(seen)} names written to {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
