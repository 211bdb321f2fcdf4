"""Sections of docs/benchmarks.md that one benchmark writes between its own markers."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def write_section(docs: Path, begin: str, end: str, section: str) -> None:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) into ``docs``.

    An earlier section between the same markers is replaced; otherwise the section is
    added at the end. The rest of the file is left as it is.
    """
    text = docs.read_text("utf-8") if docs.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    docs.write_text(text, encoding="utf-8")


def sampled_main(
    argv: Sequence[str] | None,
    prog: str,
    sample: tuple[int, str],
    measure: Callable[[int, int], dict[str, Any]],
    render: Callable[[dict[str, Any]], str],
    docs: Path,
    markers: tuple[str, str],
) -> int:
    """The command line of a benchmark that measures a sample of each set into one section.

    ``sample`` is the default sample size and its help; ``measure(jobs, sample)``
    gives the result that ``render`` turns into the section between ``markers``,
    printed, and written to ``docs`` with ``--write-docs``.
    """
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--sample", type=int, default=sample[0], help=sample[1])
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    section = render(measure(args.jobs, args.sample))
    print(section)
    if args.write_docs:
        write_section(docs, *markers, section)
    return 0
