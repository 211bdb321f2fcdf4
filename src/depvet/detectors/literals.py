"""Which of many fixed byte strings a file holds, found in one pass over it.

Detectors pre-filter files by the words their rules need (the names of sinks,
decoders, indicators). One ``bytes.find`` per word is one pass over the file
per word: dozens of passes over every file of every package. A
:class:`Literals` compiles its words into a YARA rule once per process and
finds all of them in a single pass; the answer is exactly that of testing
``word in data`` for each word.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

import yara

__all__ = ["Literals"]

_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _yara_text(word: bytes) -> str:
    """``word`` as a YARA text string: letters and digits as themselves, other bytes escaped."""
    return "".join(chr(b) if b in _PLAIN else f"\\x{b:02x}" for b in word)


class Literals:
    """A fixed set of byte strings, and which of them occur in some data.

    With ``nocase`` ASCII letters match in either case (``word.lower() in
    data.lower()``); other bytes always match exactly.
    """

    def __init__(self, words: Iterable[bytes], *, nocase: bool = False) -> None:
        """Look for ``words`` (none of them empty); compiled on first use."""
        self.words: tuple[bytes, ...] = tuple(dict.fromkeys(words))
        if not all(self.words):
            raise ValueError("an empty string occurs in everything: not a literal to look for")
        self.nocase = nocase

    @cached_property
    def _rules(self) -> Any:
        modifier = " nocase" if self.nocase else ""
        strings = "\n".join(
            f'    $w{index} = "{_yara_text(word)}"{modifier}'
            for index, word in enumerate(self.words)
        )
        source = f"rule literals {{\n  strings:\n{strings}\n  condition:\n    any of them\n}}\n"
        return yara.compile(source=source)

    def found(self, data: bytes) -> frozenset[bytes]:
        """The words that occur in ``data``."""
        if not self.words:
            return frozenset()
        try:
            matches = self._rules.match(data=data, fast=True)
        except yara.Error:  # pragma: no cover - YARA refusing bytes it was given
            folded = data.lower() if self.nocase else data
            return frozenset(w for w in self.words if self._fold(w) in folded)
        return frozenset(
            self.words[int(string.identifier[2:])] for match in matches for string in match.strings
        )

    def any_in(self, data: bytes) -> bool:
        """Whether any of the words occurs in ``data``."""
        return bool(self.found(data))

    def _fold(self, word: bytes) -> bytes:
        return word.lower() if self.nocase else word
