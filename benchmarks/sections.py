"""Sections of docs/benchmarks.md that one benchmark writes between its own markers."""

from __future__ import annotations

from pathlib import Path


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
