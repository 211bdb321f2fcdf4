"""Which of many fixed byte strings a file holds, found in one pass over it.

Detectors pre-filter files by the words their rules need (the names of sinks,
decoders, indicators). One ``bytes.find`` per word is one pass over the file
per word: dozens of passes over every file of every package. A
:class:`Literals` compiles its words into a Hyperscan literal database and
finds all of them in a single pass; the answer is exactly that of testing
``word in data`` for each word.

Several detectors look at the same file one after the other, each with its
own words. The words of every :class:`Literals` of the process are compiled
into one database and matched once per file: the first detector to ask about
a file pays for the pass, the others read its answer. The pass runs over every
file of every package (the indicator detector looks at all of them), so its
speed is that of the whole scan: Hyperscan's literal matcher reads several
hundred MB/s more than a YARA rule of the same words did.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable

import hyperscan

__all__ = ["WORD_BYTES", "Literals"]

# The bytes of a Python identifier (ASCII): letters, digits and the underscore.
WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


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
        except hyperscan.error:  # pragma: no cover - Hyperscan refusing bytes it was given
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
    """One database with the words of every live :class:`Literals`, and its last answer.

    The answer for the last data matched is kept while that very object is
    asked about again (the detectors of one file share its bytes). A
    :class:`Literals` created after the database was compiled makes the next
    question compile it again, with the words of those still alive.
    """

    def __init__(self) -> None:
        self._members: weakref.WeakValueDictionary[int, Literals] = weakref.WeakValueDictionary()
        self._compiled: frozenset[int] = frozenset()
        self._database: hyperscan.Database | None = None
        self._words: list[tuple[int, int]] = []  # expression id -> (Literals slot, word index)
        self._with_nul: list[tuple[int, int, bytes, bool]] = []  # slot, index, word, nocase
        self._last: tuple[bytes, _Hits] | None = None

    def add(self, literals: Literals) -> None:
        self._members[literals.slot] = literals

    def hits(self, literals: Literals, data: bytes) -> _Hits:
        if literals.slot not in self._compiled:
            self._compile()
        last = self._last
        if last is not None and last[0] is data:
            return last[1]
        ids: list[int] = []

        def on_match(expression: int, start: int, end: int, flags: int, context: object) -> None:
            ids.append(expression)

        if self._database is not None:
            self._database.scan(data, match_event_handler=on_match)
        found: _Hits = {}
        for expression in ids:
            slot, index = self._words[expression]
            found.setdefault(slot, []).append(index)
        for slot, index, word, nocase in self._with_nul:
            if word in (data.lower() if nocase else data):
                found.setdefault(slot, []).append(index)
        self._last = (data, found)
        return found

    def _compile(self) -> None:
        members = sorted(self._members.items())
        # The binding hands expressions to Hyperscan as C strings, cut at a NUL byte: words
        # with one (none of the detectors' words) are looked for with a substring test.
        words = [
            (slot, index, lit.nocase, word)
            for slot, lit in members
            for index, word in enumerate(lit.words)
        ]
        plain = [w for w in words if b"\0" not in w[3]]
        self._with_nul = [
            (slot, index, word.lower() if nocase else word, nocase)
            for slot, index, nocase, word in words
            if b"\0" in word
        ]
        self._words = [(slot, index) for slot, index, _, _ in plain]
        self._database = None
        if plain:
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(
                expressions=[word for _, _, _, word in plain],
                ids=list(range(len(plain))),
                elements=len(plain),
                # Each word is reported once, at its first occurrence: that it occurs is
                # the answer.
                flags=[
                    hyperscan.HS_FLAG_SINGLEMATCH | (hyperscan.HS_FLAG_CASELESS if nocase else 0)
                    for _, _, nocase, _ in plain
                ],
                literal=True,
            )
            self._database = database
        self._compiled = frozenset(slot for slot, _ in members)
        self._last = None


_PASS = _SharedPass()
