"""Which of many fixed byte strings a file holds, found in one pass over it.

Detectors pre-filter files by the words their rules need (the names of sinks,
decoders, indicators). One ``bytes.find`` per word is one pass over the file
per word: dozens of passes over every file of every package. A
:class:`Literals` compiles its words into a YARA rule and finds all of them
in a single pass; the answer is exactly that of testing ``word in data`` for
each word.

Several detectors look at the same file one after the other, each with its
own words. The words of every :class:`Literals` of the process are compiled
into one rule set and matched once per file: the first detector to ask about
a file pays for the pass, the others read its answer.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable
from typing import Any

import yara

__all__ = ["WORD_BYTES", "Literals"]

# The bytes of a Python identifier (ASCII): letters, digits and the underscore.
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _yara_text(word: bytes) -> str:
    """``word`` as a YARA text string: letters and digits as themselves, other bytes escaped."""
    return "".join(chr(b) if b in WORD_BYTES else f"\\x{b:02x}" for b in word)


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
        self.slot = next(_slots)
        if self.words:
            _PASS.add(self)

    def found(self, data: bytes) -> frozenset[bytes]:
        """The words that occur in ``data``."""
        if not self.words:
            return frozenset()
        try:
            hits = _PASS.hits(self, data)
        except yara.Error:  # pragma: no cover - YARA refusing bytes it was given
            folded = data.lower() if self.nocase else data
            return frozenset(w for w in self.words if self._fold(w) in folded)
        return frozenset(self.words[index] for index in hits.get(self.slot, ()))

    def any_in(self, data: bytes) -> bool:
        """Whether any of the words occurs in ``data``."""
        return bool(self.found(data))

    def _fold(self, word: bytes) -> bytes:
        return word.lower() if self.nocase else word


_slots = itertools.count()
_Hits = dict[int, list[int]]  # Literals slot -> indexes of its words found


class _SharedPass:
    """One rule set with the words of every live :class:`Literals`, and its last answer.

    The answer for the last data matched is kept while that very object is
    asked about again (the detectors of one file share its bytes). A
    :class:`Literals` created after the rule set was compiled makes the next
    question compile it again, with the words of those still alive.
    """

    def __init__(self) -> None:
        self._members: weakref.WeakValueDictionary[int, Literals] = weakref.WeakValueDictionary()
        self._compiled: frozenset[int] = frozenset()
        self._rules: Any = None
        self._last: tuple[bytes, _Hits] | None = None

    def add(self, literals: Literals) -> None:
        self._members[literals.slot] = literals

    def hits(self, literals: Literals, data: bytes) -> _Hits:
        if literals.slot not in self._compiled:
            self._compile()
        last = self._last
        if last is not None and last[0] is data:
            return last[1]
        found: _Hits = {}
        for match in self._rules.match(data=data, fast=True):
            for string in match.strings:
                slot, _, index = string.identifier[2:].partition("_")
                found.setdefault(int(slot), []).append(int(index))
        self._last = (data, found)
        return found

    def _compile(self) -> None:
        members = sorted(self._members.items())
        lines = [
            f'    $w{slot}_{index} = "{_yara_text(word)}"{" nocase" if lit.nocase else ""}'
            for slot, lit in members
            for index, word in enumerate(lit.words)
        ]
        strings = "\n".join(lines)
        source = f"rule literals {{\n  strings:\n{strings}\n  condition:\n    any of them\n}}\n"
        self._rules = yara.compile(source=source)
        self._compiled = frozenset(slot for slot, _ in members)
        self._last = None


_PASS = _SharedPass()
