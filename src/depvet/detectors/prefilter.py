"""A Hyperscan pre-check for a YARA rule set: data holding none of its strings skips YARA.

Most files of a package hold none of the strings of depvet's byte patterns, and
YARA reads them at a fraction of the speed Hyperscan does. The strings of every
rule are compiled into one Hyperscan database, loosened where the two engines
differ: ``fullword`` is dropped, regular expressions are compiled in
Hyperscan's prefilter mode (which may match more than the expression, never
less). If none of them occurs in the data, no rule whose condition needs a
string can match, and YARA need not be asked; otherwise YARA decides, as before.

The check is built only when it is safe: every string of the source must be
one it can translate (text with ``nocase``, ``fullword``, ``ascii`` or
``private``; a regular expression with ``i`` or ``s``), and every condition must
be made of string references joined by ``and``/``or``, so that it is false when
no string matched. Otherwise :func:`build` returns None and YARA reads every file.
"""

from __future__ import annotations

import contextlib
import re

import hyperscan

__all__ = ["Prefilter", "build", "compile_expressions"]

_RULE = re.compile(r"^rule\s+\w+[^{\n]*\{(?P<body>.*?)^\}", re.S | re.M)
_RULE_START = re.compile(r"^\s*(?:private\s+|global\s+)*rule\b", re.M)
_STRINGS = re.compile(
    r"^\s*strings:\s*$(?P<strings>.*?)^\s*condition:\s*$(?P<condition>.*)", re.S | re.M
)
_TEXT = re.compile(r'^\$\w*\s*=\s*"(?P<text>(?:[^"\\]|\\.)*)"(?P<mods>(?:\s+\w+)*)\s*$')
_REGEX = re.compile(
    r"^\$\w*\s*=\s*/(?P<regex>(?:[^/\\\n]|\\.)*)/(?P<flags>[is]*)(?P<mods>(?:\s+\w+)*)\s*$"
)
# Modifiers that change nothing about where a string can match, or only narrow it.
_HARMLESS = frozenset({"nocase", "fullword", "ascii", "private"})
# A condition false whenever no string matched: references, and/or, "any|all of", groups.
_CONDITION_WORD = re.compile(r"\$\w*\*?|\b(?:and|or|any|all|of|them)\b|[(),]|\s+")
_ESCAPES = {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", '"': b'"'}


class Prefilter:
    """Whether data could match a YARA rule set: False only when it cannot."""

    def __init__(self, database: hyperscan.Database, strings: int) -> None:
        """Wrap a compiled block-mode database of ``strings`` expressions."""
        self._database = database
        self.strings = strings

    def may_match(self, data: bytes) -> bool:
        """False when the data holds none of the rule set's strings."""
        found = False

        def on_match(expression: int, start: int, end: int, flags: int, context: object) -> bool:
            nonlocal found
            found = True
            return True  # one is enough: stop the scan

        with contextlib.suppress(hyperscan.ScanTerminated):
            self._database.scan(data, match_event_handler=on_match)
        return found


def _text(escaped: str) -> bytes | None:
    """The bytes of a YARA text string's body; None for an escape it does not define."""
    out = bytearray()
    index = 0
    while index < len(escaped):
        char = escaped[index]
        if char != "\\":
            out += char.encode("utf-8")
            index += 1
            continue
        code = escaped[index + 1 : index + 2]
        if code == "x":
            try:
                out.append(int(escaped[index + 2 : index + 4], 16))
            except ValueError:
                return None
            index += 4
        elif code in _ESCAPES:
            out += _ESCAPES[code]
            index += 2
        else:
            return None
    return bytes(out)


def _expression(line: str) -> tuple[bytes, int] | None:
    """A string definition as a Hyperscan expression and flags; None if not translatable."""
    flags = 0  # compile_expressions adds SINGLEMATCH
    text = _TEXT.match(line)
    if text is not None:
        mods = set(text["mods"].split())
        body = _text(text["text"])
        if body is None or not body or not mods <= _HARMLESS:
            return None
        if "nocase" in mods:
            flags |= hyperscan.HS_FLAG_CASELESS
        return re.escape(body), flags
    regex = _REGEX.match(line)
    if regex is None:
        return None
    mods = set(regex["mods"].split())
    if not mods <= _HARMLESS:
        return None
    flags |= hyperscan.HS_FLAG_PREFILTER
    if "i" in regex["flags"] or "nocase" in mods:
        flags |= hyperscan.HS_FLAG_CASELESS
    if "s" in regex["flags"]:
        flags |= hyperscan.HS_FLAG_DOTALL
    return _unbounded(regex["regex"]).encode("utf-8"), flags


_REPEAT = re.compile(r"\{(\d+)(?:,\d*)?\}")


def _unbounded(regex: str) -> str:
    """``regex`` with every counted repeat made open: ``{0,n}`` → ``*``, ``{m,n}`` → ``+``.

    The result matches wherever the original does (and more), and Hyperscan
    compiles it in a fraction of the time: large counted repeats are what it is
    slow to build. Braces that are escaped or inside a character class stay.
    """
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            out.append(regex[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A "]" right after "[" or "[^" is a member, not the end of the class.
            for lead in ("[^]", "[]"):
                if regex.startswith(lead, index):
                    out.append(lead)
                    index += len(lead)
                    break
            else:
                out.append(char)
                index += 1
            continue
        elif char == "{":
            repeat = _REPEAT.match(regex, index)
            if repeat is not None:
                out.append("*" if repeat[1] == "0" else "+")
                index = repeat.end()
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _needs_a_string(condition: str) -> bool:
    """Whether ``condition`` is made only of string references, and/or and groups."""
    condition = re.sub(r"//[^\n]*", "", condition)
    return _CONDITION_WORD.sub("", condition) == "" and condition.strip() != ""


def build(source: str) -> Prefilter | None:
    """The pre-check for the YARA rules in ``source``; None where it would not be safe."""
    expressions: list[tuple[bytes, int]] = []
    for rule in _RULE.finditer(source):
        parts = _STRINGS.search(rule["body"])
        if parts is None or not _needs_a_string(parts["condition"]):
            return None
        for line in parts["strings"].splitlines():
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            expression = _expression(line)
            if expression is None:
                return None
            expressions.append(expression)
    # A rule the pattern above did not take apart (a modifier before "rule", an indented
    # brace) would go unchecked.
    if not expressions or len(_RULE.findall(source)) != len(_RULE_START.findall(source)):
        return None
    try:
        return compile_expressions(expressions)
    except hyperscan.error:
        return None


def compile_expressions(expressions: list[tuple[bytes, int]]) -> Prefilter:
    """A check for Hyperscan ``expressions`` (pattern, flags): may_match is True when one occurs.

    Raises ``hyperscan.error`` for an expression Hyperscan cannot compile.
    """
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[e for e, _ in expressions],
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=[f | hyperscan.HS_FLAG_SINGLEMATCH for _, f in expressions],
    )
    return Prefilter(database, len(expressions))
