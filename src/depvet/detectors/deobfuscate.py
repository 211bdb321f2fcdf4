"""Bounded, static deobfuscation: decode the blobs a file carries and show what is inside.

Malware hides its payload in string literals: base64 of zlib of base64 of
Python, ``chr()`` chains, reversed or rot13 text, hex, marshalled code
objects. :func:`layers` peels those wrappers *without running anything*:

* candidates come from the syntax tree when the file parses — literals,
  implicit concatenation, ``"".join([...])``, ``bytes([...])``, ``chr(N)+…``
  chains, ``[::-1]``, calls to known decoders (``base64.b64decode``,
  ``codecs.decode(…, "rot13")``, ``zlib.decompress``, ``bytes.fromhex``, …)
  and to one-line decoder functions (``_ = lambda s: …``) are folded to their
  value, names assigned once are followed, and ``x = "…"; x += "…"`` runs are
  joined — and from a regular expression over the bytes for quoted runs in the
  base64/hex/base32 alphabets (the whole scan when the file does not parse:
  Python 2, truncated, huge). Folding always needs a decoder's or obfuscator's
  name, so only statements on lines holding one are walked node by node;
* a literal with no decoder written next to it is guessed at: hex, base32,
  base64 (standard, URL-safe, reversed), then decompressors recognised by
  their magic, rot13 and reversal only when the result reads as code;
* a decoded value is kept only when it looks meaningful: mostly printable
  text, a compressed stream or code object that decodes further, or a PE/ELF
  binary. Decoded Python is parsed again and its literals decoded again.

Marshalled code objects are never handed to :func:`marshal.loads`: a small
reader in this module walks the serialised form (every Python version from 2.7
on) and lists the code objects' names and constants, so nothing is ever
instantiated, and data from another interpreter or crafted to crash one is
just bytes.

Every step is bounded (:class:`DeobfuscationLimits`): nesting depth, layers
per file, total decoded bytes, blob size and wall-clock time; decompression
never produces more than the remaining budget. Benign code is full of long
literals (docstrings, regexes, embedded images), so a cheap alphabet and
character-class check rejects most of them, and a large blob is first decoded
only a few kilobytes deep to see whether the rest is worth decoding.

:class:`ObfuscationDetector` turns the layers into findings.
"""

from __future__ import annotations

import ast
import base64
import binascii
import bisect
import bz2
import codecs
import contextlib
import hashlib
import lzma
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import hyperscan

from depvet.detectors.interface import Decoded
from depvet.detectors.literals import WORD_BYTES, Literals
from depvet.detectors.pysource import MAX_AST_BYTES, parse
from depvet.files import FileRole, FileView
from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag

__all__ = [
    "DEEP_OBFUSCATION",
    "ENCODED_CODE",
    "ENCODED_PAYLOAD",
    "DeobfuscationLimits",
    "Layer",
    "ObfuscationDetector",
    "layers",
]

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    """One decoded piece of content found in a file."""

    line: int  # 1-based line in the original file where the outermost blob sits
    chain: tuple[str, ...]  # decoders applied, outermost first, e.g. ("base64", "zlib")
    data: bytes  # the decoded content; for a code object, its names and constants one per line
    is_code: bool  # the content parses as Python source, or came from a code object


@dataclass(frozen=True, slots=True, kw_only=True)
class DeobfuscationLimits:
    """Bounds on the work :func:`layers` does for one file."""

    max_depth: int = 8  # decoded layers nested inside decoded layers
    max_layers: int = 64  # layers reported per file
    max_output_bytes: int = 8 * MiB  # bytes produced by all decoders together, per file
    max_blob_bytes: int = 16 * MiB  # larger candidate blobs are skipped
    min_blob_chars: int = 32  # shorter literals are not guessed at (explicit decoder calls are)
    seconds: float = 2.0  # wall-clock budget per file

    @property
    def max_chain(self) -> int:
        """Decoders applied in a row before giving up (base64 of base64 of …)."""
        return 4 * self.max_depth


DEFAULT_LIMITS = DeobfuscationLimits()


def layers(source: bytes, *, limits: DeobfuscationLimits = DEFAULT_LIMITS) -> list[Layer]:
    """Every meaningful decoded layer in ``source``, outermost first; never raises."""
    try:
        return [found.layer for found in _explore(source, limits)]
    except Exception:  # a bug must not stop a scan: the detector path reports it instead
        return []


# --- rules -------------------------------------------------------------------------------------

_TECHNIQUE = "Obfuscated files or information (T1027)"

ENCODED_PAYLOAD = Rule(
    id="encoded-python-payload",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "An encoded literal decodes to Python code that the file runs, or that itself runs "
        "code, spawns processes or reaches the network."
    ),
    technique=_TECHNIQUE,
    tags=frozenset({Tag.OBFUSCATION, Tag.DECODE, Tag.EXEC}),
    remediation=(
        "Do not install or import the package. Read the decoded layer in the evidence: honest "
        "packages ship their code as source. If it ran, treat the machine as compromised."
    ),
)
ENCODED_CODE = Rule(
    id="encoded-python-code",
    kind=RuleKind.CAPABILITY,
    severity=Severity.MEDIUM,
    description="An encoded literal decodes to Python code.",
    technique=_TECHNIQUE,
    tags=frozenset({Tag.OBFUSCATION, Tag.DECODE}),
    remediation=(
        "Find out why the package ships encoded Python (code generators and templates "
        "sometimes do) and what uses the decoded text."
    ),
)
DEEP_OBFUSCATION = Rule(
    id="deep-obfuscation",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "Code hidden under three or more nested encodings, or a compiled code object inside "
        "an encoded blob."
    ),
    technique=_TECHNIQUE,
    tags=frozenset({Tag.OBFUSCATION, Tag.DECODE}),
    remediation=(
        "Do not install or import the package: layered encoding of code has no use but hiding "
        "it. Review the innermost layer in the evidence for what it does."
    ),
)

_SCOPES = {
    FileRole.SETUP: Scope.INSTALL,
    FileRole.PTH: Scope.STARTUP,
    FileRole.CUSTOMIZE: Scope.STARTUP,
    FileRole.PYTHON: Scope.IMPORT,
}
# Reported per rule and file; a file with more is obviously obfuscated anyway.
MAX_FINDINGS_PER_RULE = 8
PREVIEW_CHARS = 120

# Decoded code that runs code, processes or the network is a payload on its own.
_DANGEROUS_CODE = re.compile(
    r"\b(?:exec|eval|execfile|compile|__import__)\s*\("
    r"|\bexec\s+[\w(]"
    r"|\b(?:import|from)\s+(?:subprocess|socket|urllib\w*|requests|httpx|http\.client|httplib"
    r"|pty|ctypes|marshal|telnetlib|ftplib|smtplib|paramiko)\b"
    r"|\bos\s*\.\s*(?:system|popen|exec\w*|spawn\w*|startfile)\b"
    r"|\bsubprocess\s*\.|\burlopen\b|\bsocket\s*\.\s*socket\b"
)


class ObfuscationDetector:
    """Reports literals that decode to Python code, and deeply layered encodings."""

    def __init__(self, limits: DeobfuscationLimits = DEFAULT_LIMITS) -> None:
        """Use ``limits`` for every file scanned."""
        self._limits = limits
        self._memo: tuple[bytes, list[_Found]] | None = None

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (ENCODED_PAYLOAD, ENCODED_CODE, DEEP_OBFUSCATION)

    def wants(self, file: FileView) -> bool:
        """Python sources, setup.py, .pth files and site customisation modules."""
        return file.role in _SCOPES

    def _found(self, data: bytes) -> list[_Found]:
        # scan() and expand() see the same file one after the other: explore it once.
        if self._memo is None or self._memo[0] is not data:
            self._memo = (data, _explore(data, self._limits))
        return self._memo[1]

    def expand(self, file: FileView) -> Iterable[Decoded]:
        """Every decoded layer, for the other detectors to scan where the file sits."""
        return [
            Decoded(
                line=found.layer.line,
                chain=found.layer.chain,
                view=FileView(path=file.path, role=file.role, data=found.layer.data),
            )
            for found in self._found(file.data)
        ]

    def scan(self, file: FileView) -> Iterable[Finding]:
        """A payload or code finding per code layer, and one deep-obfuscation finding."""
        scope = _SCOPES.get(file.role, Scope.FILE)
        findings: list[Finding] = []
        counts: dict[str, int] = {}
        deepest: _Found | None = None
        for found in self._found(file.data):
            layer = found.layer
            if not layer.is_code:
                continue
            if _is_deep(layer) and (deepest is None or len(layer.chain) > len(deepest.layer.chain)):
                deepest = found
            text = layer.data.decode("utf-8", "replace")
            dangerous = _DANGEROUS_CODE.search(text) is not None
            rule = ENCODED_PAYLOAD if found.executed or dangerous else ENCODED_CODE
            if counts.get(rule.id, 0) >= MAX_FINDINGS_PER_RULE:
                continue
            counts[rule.id] = counts.get(rule.id, 0) + 1
            if rule is ENCODED_PAYLOAD:
                why = "the file runs it" if found.executed else "it runs code or reaches out"
                message = f"a literal decodes ({_describe(layer.chain)}) to Python code; {why}"
            else:
                message = f"a literal decodes ({_describe(layer.chain)}) to Python code"
            findings.append(
                rule.finding(
                    path=file.path,
                    line=layer.line,
                    message=message,
                    evidence=_evidence(layer),
                    scope=scope,
                )
            )
        if deepest is not None:
            layer = deepest.layer
            findings.append(
                DEEP_OBFUSCATION.finding(
                    path=file.path,
                    line=layer.line,
                    message=(
                        f"code hidden under {len(layer.chain)} nested decoding steps "
                        f"({_describe(layer.chain)})"
                    ),
                    evidence=_evidence(layer),
                    scope=scope,
                )
            )
        return findings


def _is_deep(layer: Layer) -> bool:
    if not layer.is_code:
        return False
    if "marshal" in layer.chain[1:]:
        return True
    return len(layer.chain) >= 3


def _describe(chain: tuple[str, ...]) -> str:
    return " → ".join(chain)


def _evidence(layer: Layer) -> str:
    return f"{_describe(layer.chain)}: {preview(layer.data)}"


def preview(data: bytes, chars: int = PREVIEW_CHARS) -> str:
    """The first ``chars`` printable characters of ``data``, whitespace collapsed."""
    text = data[: chars * 8].decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:chars]


# --- exploration -------------------------------------------------------------------------------


class _Stop(Exception):
    """A per-file budget ran out: keep what was found and stop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Found:
    layer: Layer
    executed: bool  # the code around the blob passes it to exec/eval/a process, or it is bytecode


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ctx:
    line: int | None  # None at the top of the file: use the node's own line
    chain: tuple[str, ...]
    depth: int  # decoded code layers this one is nested in
    executed: bool = False
    nest: int = 0  # code-in-a-string-literal levels (not decoded layers)


# Everything a decoder, parser or codec may raise on hostile input.
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,  # binascii.Error, UnicodeError are ValueErrors
    TypeError,
    OverflowError,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    LookupError,
    IndexError,
    struct.error,
    MemoryError,
    RecursionError,
    SyntaxError,
)


def _explore(source: bytes, limits: DeobfuscationLimits) -> list[_Found]:
    """The layers of ``source`` with what the detector needs to know about each.

    Budgets and hostile input end the exploration quietly with what was found;
    anything else (a bug, or the pipeline's own timeout) propagates.
    """
    explorer = _Explorer(limits)
    with contextlib.suppress(_Stop, *_DECODE_ERRORS):
        explorer.scan_source(source, _Ctx(line=None, chain=(), depth=0))
    return explorer.found


class _Explorer:
    """Per-file state: budgets, dedupe memo and what was found."""

    def __init__(self, limits: DeobfuscationLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.output_left = limits.max_output_bytes
        self.found: list[_Found] = []
        self._followed: dict[bytes, bool] = {}
        self._emitted: set[bytes] = set()
        self._ticks = 0

    # -- budgets --------------------------------------------------------------------------------

    def check(self) -> None:
        """Raise _Stop when the time or layer budget is spent (spent output only stops decoding)."""
        if len(self.found) >= self.limits.max_layers:
            raise _Stop
        if time.monotonic() > self.deadline:
            raise _Stop

    def tick(self) -> None:
        """A cheap step: check the clock only now and then."""
        self._ticks += 1
        if self._ticks % 256 == 0:
            self.check()

    def charge(self, produced: int) -> None:
        """Count decoded bytes against the per-file budget."""
        self.output_left -= produced

    # -- sources --------------------------------------------------------------------------------

    def scan_source(self, source: bytes | str, ctx: _Ctx) -> None:
        """Find and follow every candidate blob in a Python source."""
        self.check()
        data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
        # Folding needs a decoder's or obfuscator's name; without one, only a literal blob can
        # hide code, and the text scan finds those. Parsing is most of a benign file's cost.
        lines = _trigger_lines(data)
        tree = parse(source) if lines and len(source) <= MAX_AST_BYTES else None
        if tree is None:
            self._scan_text(data, ctx, executed=None)
            return
        walker = _Walker(self, tree, ctx)
        walker.run(lines)
        self._scan_text(data, ctx, executed=walker.runs_code)

    def _scan_text(self, data: bytes, ctx: _Ctx, *, executed: bool | None) -> None:
        """Quoted runs in encoding alphabets, and literals given to decoders by name.

        The only scan of a file that does not parse (Python 2, truncated, huge), and the
        scan of literals outside the statements a parsed file's walk visits. ``executed``
        says whether the file runs decoded code; None: guess from its text.
        """
        line, last = 1, 0
        matches = [
            (start, "", run) for start, run in _quoted_runs(self.limits.min_blob_chars).find(data)
        ]
        # The call patterns have no literal prefix for the regex engine: look for words first.
        if _CALL_LITERALS.any_in(data):
            matches += [
                (m.start(), m.group(1).decode(), m.group(3)) for m in _CALL_BLOB.finditer(data)
            ]
        if _PY2_CODEC.search(data):
            matches += [
                (m.start(), m.group(3).decode(), m.group(2)) for m in _DECODER_CALL.finditer(data)
            ]
        if not matches:
            return
        matches.sort(key=lambda item: item[0])
        # The guess is a search of the whole file: only made when there is a blob to judge.
        runs_code = executed
        if runs_code is None:
            runs_code = ctx.executed or runs_code_text(data)
        for start, decoder, raw in matches:
            self.tick()
            line += data.count(b"\n", last, start)
            last = start
            blob = _unescape(raw)
            if len(blob) > self.limits.max_blob_bytes:
                continue
            name = _FALLBACK_DECODERS.get(decoder.lower())
            here = _Ctx(
                line=ctx.line if ctx.line is not None else line,
                chain=ctx.chain,
                depth=ctx.depth,
                # A parsed file's walk judged its sinks; a guessed blob there is not run.
                executed=runs_code and (executed is None or name is not None),
                nest=ctx.nest,
            )
            if name is not None:
                decoded = self.decode(name, blob)
                if decoded is not None:
                    self.follow(decoded, _extend(here, name), raw=False)
                continue
            if len(blob) >= self.limits.min_blob_chars:
                self.follow(blob, here, raw=True)

    # -- following a value ----------------------------------------------------------------------

    def follow(self, data: bytes, ctx: _Ctx, *, raw: bool) -> bool:
        """Decode ``data`` as far as it goes; True when that yielded a layer.

        ``raw`` data is a literal as written (reported only if something decodes it);
        otherwise ``data`` is a decoder's output and is reported when meaningful.
        """
        self.check()
        if not data or len(data) > self.limits.max_blob_bytes:
            return False
        key = hashlib.blake2b(data, digest_size=16, person=b"raw" if raw else b"").digest()
        done = self._followed.get(key)
        if done is not None:
            return done
        self._followed[key] = False  # a blob that contains itself stops here
        result = self._follow(data, ctx, raw=raw)
        self._followed[key] = result
        return result

    def _follow(self, data: bytes, ctx: _Ctx, *, raw: bool) -> bool:
        can_decode = len(ctx.chain) < self.limits.max_chain
        if not raw and _executable_binary(data):
            self.emit(_extend(ctx, "binary"), data[: 4 * KiB], is_code=False)
            return True
        if can_decode and _looks_marshal(data) and self._marshal(data, _extend(ctx, "marshal")):
            return True
        kind = _compression(data)
        if kind is not None and can_decode:
            out = self.decompress(kind, data)
            if out == b"":
                return False  # a valid stream of junk (zeros, an image): not text either
            if out is not None and self.follow(out, _extend(ctx, kind), raw=False):
                return True
        text = _as_text(data)
        if text is None:
            if not raw and can_decode and ctx.chain[-1:] in _TEXT_DECODER_CHAINS:
                # Deflate without a header has no magic: try it on decoded binary.
                out = self.decompress("deflate", data)
                if out is not None and self.follow(out, _extend(ctx, "zlib"), raw=False):
                    return True
            return False
        if can_decode and self._guess(text, ctx, raw=raw):
            return True
        if not raw:
            is_code = _is_python(text)
            self.emit(ctx, data, is_code=is_code)
            if is_code and ctx.depth + 1 < self.limits.max_depth:
                inner = _Ctx(line=ctx.line, chain=ctx.chain, depth=ctx.depth + 1)
                self.scan_source(text, inner)
            return True
        if ctx.nest < _MAX_NEST and _carries_code(text):
            # Code carried in a string (`python -c "…"`, exec("…")): read its blobs too.
            self.scan_source(text, _nested(ctx))
        return False

    def _guess(self, text: str, ctx: _Ctx, *, raw: bool) -> bool:
        """Try the decoders a blob's alphabet allows; True when one led to a layer."""
        compact = "".join(text.split())
        if len(compact) >= self.limits.min_blob_chars or not raw:
            blob = compact.encode("ascii", "ignore")
            for name in _candidate_decoders(compact):
                self.tick()
                chain: tuple[str, ...] = (name,)
                if name == "reverse-base64":
                    decoded, chain = self.decode("base64", blob[::-1]), ("reverse", "base64")
                else:
                    decoded = self.decode(name, blob)
                if decoded is not None and self.follow(decoded, _extend(ctx, *chain), raw=False):
                    return True
        if len(text) < self.limits.min_blob_chars or ("(" not in text and ")" not in text):
            return False
        before = _code_score(text[: 4 * KiB])
        if before > 1:
            return False
        for name, transform in (("rot13", _rot13), ("reverse", _reverse)):
            if self.output_left <= 0:
                break
            candidate = transform(text)
            if _code_score(candidate[: 4 * KiB]) >= 3 and _is_python(candidate):
                out = candidate.encode("utf-8", "surrogatepass")
                self.charge(len(out))
                if self.follow(out, _extend(ctx, name), raw=False):
                    return True
        return False

    def emit(self, ctx: _Ctx, data: bytes, *, is_code: bool) -> None:
        """Record a layer unless identical content was recorded already."""
        key = hashlib.blake2b(data, digest_size=16).digest()
        if key in self._emitted:
            return
        self._emitted.add(key)
        self.found.append(
            _Found(
                layer=Layer(line=ctx.line or 1, chain=ctx.chain, data=data, is_code=is_code),
                executed=ctx.executed or "marshal" in ctx.chain,
            )
        )
        self.check()

    # -- decoders -------------------------------------------------------------------------------

    def decode(self, name: str, data: bytes) -> bytes | None:
        """Apply one text-to-bytes decoder, bounded; None when it does not apply."""
        budget = min(self.output_left, self.limits.max_output_bytes)
        if budget <= 0:
            return None
        try:
            if len(data) > 16 * KiB:
                # Decode a few kilobytes first: an embedded image or font stops here.
                head = _DECODERS[name](data[: 4 * KiB])
                if not _worth_following(head):
                    return None
            # Never decode more than the budget can hold (4 chars make at most 3 bytes).
            data = data[: budget + budget // 2 + 4] if name != "hex" else data[: 2 * budget]
            out = _DECODERS[name](data)
        except _DECODE_ERRORS:
            return None
        self.charge(len(out))
        return out or None

    def decompress(self, kind: str, data: bytes) -> bytes | None:
        """Decompress ``data`` without ever producing more than the budget allows.

        None when ``data`` is no such stream; empty when it is, but what comes out is
        not worth following (a bomb of zeros, a bitmap).
        """
        budget = min(self.output_left, self.limits.max_output_bytes)
        if budget <= 0:
            return None
        try:
            head = _decompress(kind, data, min(4 * KiB, budget))
            if not head:
                return None
            self.charge(len(head))
            if not _worth_following(head):
                return b""
            if len(head) < min(4 * KiB, budget):
                return head
            out = _decompress(kind, data, budget)
        except _DECODE_ERRORS:
            return None
        self.charge(len(out))
        return out or None

    def _marshal(self, data: bytes, ctx: _Ctx) -> bool:
        try:
            code = _MarshalReader(data, self).code()
        except _MARSHAL_ERRORS:
            return False
        if code is None:
            return False
        names, strings = _render_code(code)
        rendering = "\n".join(names + strings).encode("utf-8", "surrogatepass")
        self.emit(ctx, rendering, is_code=True)
        if ctx.depth + 1 < self.limits.max_depth:
            # Constants are literals of the compiled source: candidates, like in a file.
            inner = _Ctx(line=ctx.line, chain=ctx.chain, depth=ctx.depth + 1)
            for value in strings:
                if len(value) >= self.limits.min_blob_chars:
                    self.follow(value.encode("utf-8", "surrogatepass"), inner, raw=True)
        return True


_FOLDABLE = (ast.Constant, ast.BinOp, ast.Call, ast.Subscript)
# Nodes whose children never hold a candidate (names, operators, contexts).
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop)


def _preorder(roots: list[ast.AST]) -> tuple[list[ast.AST], list[int], list[int]]:
    """Nodes under ``roots`` in order, each one's parent index, the index past its subtree."""
    nodes: list[ast.AST] = []
    parents: list[int] = []
    stack: list[tuple[ast.AST, int]] = [(root, -1) for root in reversed(roots)]
    while stack:
        node, parent = stack.pop()
        index = len(nodes)
        nodes.append(node)
        parents.append(parent)
        if isinstance(node, _LEAVES):
            continue
        children: list[ast.AST] = []
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                children.extend(item for item in value if isinstance(item, ast.AST))
        stack.extend((child, index) for child in reversed(children))
    ends = list(range(1, len(nodes) + 1))
    for index in range(len(nodes) - 1, 0, -1):
        parent = parents[index]
        if parent >= 0 and ends[index] > ends[parent]:
            ends[parent] = ends[index]
    return nodes, parents, ends


def _holds_statements(items: list[object]) -> bool:
    return bool(items) and isinstance(items[0], ast.stmt | ast.excepthandler | ast.match_case)


def _nested_statements(node: ast.AST) -> list[ast.AST]:
    """The statements (and except/case clauses) directly inside a compound statement."""
    nested: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list) and _holds_statements(value):
            nested += value
    return nested


def _touches(lines: list[int], node: ast.AST) -> bool:
    """Whether ``node`` spans one of the sorted ``lines`` (clauses without a position do)."""
    start = getattr(node, "lineno", None)
    if start is None:
        return True
    end = getattr(node, "end_lineno", None) or start
    index = bisect.bisect_left(lines, start)
    return index < len(lines) and lines[index] <= end


def _trigger_lines(data: bytes) -> list[int]:
    """Sorted 1-based lines holding a word folding needs (see _TREE_WORDS)."""
    found = _TREE_LITERALS.found(data)
    offsets: list[int] = []
    for word in _TREE_WORDS:
        if word not in found:
            continue
        where = _WHERE.get(word)
        start = data.find(word)
        while start >= 0 and len(offsets) < _MAX_TRIGGERS:
            if where is None or where(data, start, start + len(word)):
                offsets.append(start)
            start = data.find(word, start + 1)
    if not offsets:
        return []
    offsets.sort()
    lines: list[int] = []
    line, last = 1, 0
    for offset in offsets:
        line += data.count(b"\n", last, offset)
        last = offset
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _extend(ctx: _Ctx, *names: str) -> _Ctx:
    return _Ctx(
        line=ctx.line,
        chain=ctx.chain + names,
        depth=ctx.depth,
        executed=ctx.executed,
        nest=ctx.nest,
    )


def _nested(ctx: _Ctx) -> _Ctx:
    return _Ctx(
        line=ctx.line, chain=ctx.chain, depth=ctx.depth, executed=ctx.executed, nest=ctx.nest + 1
    )


def _carries_code(text: str) -> bool:
    """Whether a plain string literal may be code worth parsing (``python -c`` arguments)."""
    return (
        len(text) <= _MAX_CODE_STRING and "(" in text and _CODE_IN_STRING.search(text) is not None
    )


# --- recognising content -----------------------------------------------------------------------

_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r\x0c"
_HIGH = bytes(range(0x80, 0x100))
_MIN_TEXT_RATIO = 0.85
_SHORT_TEXT = 64


def _as_text(data: bytes) -> str | None:
    """``data`` as text when it is mostly printable (UTF-8, else Latin-1); None otherwise."""
    control = len(data.translate(None, _PRINTABLE + _HIGH))
    high = len(data) - len(data.translate(None, _HIGH))
    text: str | None = None
    bad = control
    if high:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        try:
            text = decoder.decode(data, final=False)
        except UnicodeDecodeError:
            bad += high
    # Short outputs pass the ratio by chance too often (29 random bytes, 4 unprintable).
    allowed = len(data) * (1 - _MIN_TEXT_RATIO) if len(data) >= _SHORT_TEXT else 0
    if bad > allowed:
        return None
    if text is None:
        text = data.decode("latin-1")
    return text


def _worth_following(head: bytes) -> bool:
    """Whether the first decoded bytes are text, a code object or something that decodes on."""
    if _as_text(head) is not None or _compression(head) is not None:
        return True
    if _looks_marshal(head) or _executable_binary(head) is not None:
        return True
    try:
        inflated = _decompress("deflate", head, 256)
    except _DECODE_ERRORS:
        return False
    return len(inflated) >= 16 and _as_text(inflated) is not None


def _compression(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:3] == b"BZh" and data[3:4] in (b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9"):
        return "bz2"
    if data[:6] == b"\xfd7zXZ\x00" or data[:3] == b"\x5d\x00\x00":
        return "lzma"
    if (
        len(data) >= 2
        and data[0] & 0x0F == 8
        and data[0] >> 4 <= 7
        and ((data[0] * 256 + data[1]) % 31 == 0)
    ):
        return "zlib"
    return None


_ELF_HEADER_SIZES = {1: 52, 2: 64}  # by EI_CLASS: 32-bit, 64-bit


def _executable_binary(data: bytes) -> str | None:
    """'binary' for a PE or ELF image (the byte rules look for `MZ`/ELF headers)."""
    if data[:4] == b"\x7fELF":
        # The magic alone is a loader's constant (cle's ELF_HEADER); an image starts with
        # a whole header, its size set by the class byte.
        size = _ELF_HEADER_SIZES.get(data[4]) if len(data) > 4 else None
        return "binary" if size is not None and len(data) >= size else None
    if data[:2] == b"MZ" and len(data) >= 64:
        (offset,) = struct.unpack_from("<I", data, 0x3C)
        if offset + 4 > len(data) or data[offset : offset + 4] == b"PE\x00\x00":
            return "binary"
    return None


def _decompress(kind: str, data: bytes, max_length: int) -> bytes:
    """At most ``max_length`` bytes of ``data`` decompressed: a bomb stops at the bound."""
    if kind in ("zlib", "gzip", "deflate"):
        wbits = {"zlib": 15, "gzip": 31, "deflate": -15}[kind]
        return zlib.decompressobj(wbits).decompress(data, max_length)
    if kind == "bz2":
        return bz2.BZ2Decompressor().decompress(data, max_length)
    if kind == "lzma":
        return lzma.LZMADecompressor().decompress(data, max_length)
    raise ValueError(kind)


def _hex(data: bytes) -> bytes:
    return binascii.unhexlify(data)


def _b64(data: bytes) -> bytes:
    data = data.replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
    if len(data) % 4 == 1:
        data = data[:-1]
    return binascii.a2b_base64(data + b"=" * (-len(data) % 4))


def _b32(data: bytes) -> bytes:
    data = data.upper().rstrip(b"=")
    if len(data) % 8 in (1, 3, 6):  # no final block has this length: drop the stray character
        data = data[:-1]
    return base64.b32decode(data + b"=" * (-len(data) % 8))


def _b85(data: bytes) -> bytes:
    return base64.b85decode(data)


def _a85(data: bytes) -> bytes:
    return base64.a85decode(data, adobe=data.startswith(b"<~"))


_DECODERS = {
    "hex": _hex,
    "base64": _b64,
    "base32": _b32,
    "base85": _b85,
    "ascii85": _a85,
}
_TEXT_DECODER_CHAINS = frozenset((name,) for name in _DECODERS)

_HEX_TEXT = re.compile(r"(?:[0-9a-fA-F]{2})+")
_B32_TEXT = re.compile(r"[A-Z2-7]+=*")
_B64_TEXT = re.compile(r"[A-Za-z0-9+/]+=*")
_B64URL_TEXT = re.compile(r"[A-Za-z0-9_\-]+=*")
_REVERSED_B64 = re.compile(r"=*[A-Za-z0-9+/_\-]+")


def _candidate_decoders(text: str) -> list[str]:
    """Decoders whose alphabet ``text`` (no whitespace) fits, most specific first."""
    if not text.isascii():
        return []
    found: list[str] = []
    if _HEX_TEXT.fullmatch(text):
        found.append("hex")
    if _B32_TEXT.fullmatch(text) and any(c.isdigit() for c in text[:256]):
        found.append("base32")
    if (_B64_TEXT.fullmatch(text) or _B64URL_TEXT.fullmatch(text)) and _mixed(text):
        found.append("base64")
    elif text.startswith("=") and _REVERSED_B64.fullmatch(text) and _mixed(text):
        found.append("reverse-base64")
    return found


def _mixed(text: str) -> bool:
    """Encoded data mixes upper and lower case; identifiers and words mostly do not."""
    head = text[:512]
    return any(c.isupper() for c in head) and any(c.islower() for c in head)


_CODE_WORDS = re.compile(
    r"\b(?:import|from|def|return|exec|eval|print|lambda|class|self|None|True|False|os|sys"
    r"|subprocess|socket|base64|open|for|while|if|else|try|except|in|not|and|or)\b"
)


def _code_score(text: str) -> int:
    return len(_CODE_WORDS.findall(text))


_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)


def _rot13(text: str) -> str:
    return text.translate(_ROT13)


def _reverse(text: str) -> str:
    return text[::-1]


# Statements a Python 2 file (which does not parse here) starts with.
_PY2_CODE = re.compile(
    r"(?m)^[ \t]*(?:import[ \t]+[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*[ \t]*(?:;|$)"
    r"|from[ \t]+[\w.]+[ \t]+import[ \t]+[\w*]"
    r"|exec[ \t]+[\w(]|print[ \t]+[\"']|def[ \t]+\w+[ \t]*\()"
)
# Statements and expressions that make parsed text code rather than a name or a data literal.
_CODE_NODES = (
    ast.Call,
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AugAssign,
    ast.For,
    ast.While,
    ast.With,
    ast.Try,
    ast.Lambda,
)


def _is_python(text: str) -> bool:
    """Whether ``text`` is Python code: it parses and does something, or reads as Python 2."""
    if len(text) > MAX_AST_BYTES:
        return _PY2_CODE.search(text[: 64 * KiB]) is not None
    tree = parse(text)
    if tree is None and len(text) >= 4 * KiB:
        # Output cut at the byte budget ends mid-statement: judge the complete lines.
        tree = parse(text[: text.rfind("\n", len(text) // 2)])
    if tree is None:
        return _PY2_CODE.search(text[: 64 * KiB]) is not None
    for statement in tree.body:
        if not isinstance(statement, ast.Expr):
            if isinstance(statement, _CODE_NODES) or not isinstance(statement, ast.Pass):
                return True
        elif isinstance(statement.value, ast.Call | ast.Lambda):
            return True
    return False


# --- the syntax tree ---------------------------------------------------------------------------

_MAX_NEST = 3
_MAX_TRIGGERS = 100_000
_MAX_CODE_STRING = 256 * KiB
_MAX_FOLD_DEPTH = 64
_MAX_RESOLVE = 8
_MAX_CALL_DEPTH = 4
_MAX_ITEMS = 1 << 20  # characters or ints assembled from one expression

# Calls whose arguments run: code given to them is a payload, not data.
_SINKS = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "execfile",
        "os.system",
        "os.popen",
        "pty.spawn",
        "marshal.loads",
        "types.FunctionType",
        "runpy.run_path",
        "runpy.run_module",
    }
)
_SINK_PREFIXES = ("subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "asyncio.create_subp")
# Text that runs code: exec/eval/execfile/compile called, a Python 2 exec statement, marshal
# loads, a subprocess, os.system/os.popen. Each starts with a fixed word: the words are found
# with bytes.find and only what follows each is matched (one regex alternation starting with
# a word boundary has no literal prefix, and walked every byte of every file).
_RUNS_CODE_WORDS: tuple[tuple[bytes, bool, re.Pattern[bytes] | None], ...] = (
    # (word, needs a word boundary before it, what must follow at its start)
    (b"exec", True, re.compile(rb"exec(?:file)?\s*\(|exec\s+[\w(]")),
    (b"eval", True, re.compile(rb"eval\s*\(")),
    (b"compile", True, re.compile(rb"compile\s*\(")),
    (b"marshal.loads", False, None),
    (b"subprocess.", False, None),
    (b"os.system", True, None),
    (b"os.popen", True, None),
)
# Which of the words a file holds comes from the pass every file gets anyway.
_RUNS_CODE_LITERALS = Literals(word for word, _, _ in _RUNS_CODE_WORDS)


def runs_code_text(data: bytes) -> bool:
    """Whether the text of ``data`` calls something that runs code (see _RUNS_CODE_WORDS)."""
    present = _RUNS_CODE_LITERALS.found(data)
    for word, boundary, follows in _RUNS_CODE_WORDS:
        if word not in present:
            continue
        start = data.find(word)
        while start >= 0:
            if (not boundary or start == 0 or data[start - 1] not in WORD_BYTES) and (
                follows is None or follows.match(data, start)
            ):
                return True
            start = data.find(word, start + 1)
    return False


# Words one of which any folding the tree walk does needs; files without them skip the parse.
_TREE_WORDS = (
    b"b64decode",
    b"b32decode",
    b"b16decode",
    b"b85decode",
    b"a85decode",
    b"decodebytes",
    b"decodestring",
    b"fromhex",
    b"unhexlify",
    b"a2b_",
    b"decompress",
    b"codecs",
    b"rot13",
    b"rot_13",
    b"marshal",
    b"chr(",
    b"chr,",
    b"[::-1]",
    b"reversed(",
    # exec called, or bound to another name: not "execute" or "executor".
    b"exec(",
    b"exec (",
    b"exec,",
    b"exec)",
    b"= exec",
    b"=exec",
    b"exec'",  # looked up by name: getattr(builtins, 'exec')
    b'exec"',
    b"eval(",
    b"__import__",
    b"bytes([",
    b"bytes((",
    b"bytearray([",
    b"bytearray((",
)

_TREE_LITERALS = Literals(_TREE_WORDS)


def _builtin_sink(data: bytes, start: int, end: int) -> bool:
    """exec/eval as the builtin: not a longer name's end, nor a method ("model.eval(")."""
    if not start:
        return True
    before = data[start - 1]
    if before == ord("."):  # builtins.exec(...), __builtins__.eval(...)
        return data.rfind(b"builtin", max(0, start - 16), start) >= 0
    return before not in WORD_BYTES


def _bound_builtin(data: bytes, start: int, end: int) -> bool:
    """``= exec`` ending there, not ``= executor``."""
    return end >= len(data) or data[end] not in WORD_BYTES


_NAME_BEFORE = re.compile(rb"([A-Za-z_][A-Za-z0-9_]*)\Z")
_REVERSED_ARGUMENT = re.compile(rb"\s*(?:[bBuUrR]{0,2}['\"]|([A-Za-z_][A-Za-z0-9_]*)\s*\))")


_ASSIGNED_LITERAL = re.compile(rb"\s*=\s*[bBuUrR]{0,2}['\"]")


def _bound_to_literal(data: bytes, name: bytes) -> bool:
    """Whether the file assigns a string literal to ``name`` somewhere (``p = "...."``)."""
    # The name is found first: a pattern that starts with a look-behind is tried at
    # every byte of the file.
    start = data.find(name)
    while start >= 0:
        before = data[start - 1] if start else None
        if (before is None or (before not in WORD_BYTES and before != ord("."))) and (
            _ASSIGNED_LITERAL.match(data, start + len(name)) is not None
        ):
            return True
        start = data.find(name, start + 1)
    return False


def _reverses_literal(data: bytes, start: int, end: int) -> bool:
    """A literal, a name bound to one, or a call on a line with one, reversed: "..."[::-1]."""
    if not start:
        return False
    before = data[start - 1]
    if before in b"'\"":
        return True
    if before == ord(")"):  # "".join(parts)[::-1], not np.argsort(x)[::-1]
        line = data[data.rfind(b"\n", 0, start) + 1 : start]
        return b"'" in line or b'"' in line
    name = _NAME_BEFORE.search(data, max(0, start - 64), start)
    return name is not None and _bound_to_literal(data, name.group(1))


def reverses_literal(data: bytes) -> bool:
    """Whether some ``[::-1]`` in ``data`` reverses a literal (see :func:`_reverses_literal`)."""
    start = data.find(b"[::-1]")
    while start >= 0:
        if _reverses_literal(data, start, start + 6):
            return True
        start = data.find(b"[::-1]", start + 1)
    return False


def _reversed_literal(data: bytes, start: int, end: int) -> bool:
    """reversed() given a literal, or a name bound to one: reversed("....")."""
    argument = _REVERSED_ARGUMENT.match(data, end)
    if argument is None:
        return False
    name = argument.group(1)
    return name is None or _bound_to_literal(data, name)


def _whole_word(data: bytes, start: int, end: int) -> bool:
    """Not part of a longer name: ``zlib.decompress(``, not ``decompress_definition``."""
    return (not start or data[start - 1] not in WORD_BYTES) and (
        end >= len(data) or data[end] not in WORD_BYTES
    )


_KEYWORD_VALUE = re.compile(rb"[ \t]*=(?!=)")


def _module_word(data: bytes, start: int, end: int) -> bool:
    """A module's name as a whole word, not a keyword argument or variable of that name.

    proto-plus messages pass ``marshal="google.ads.googleads.v23"`` in every field of
    thousands of generated modules; a name given a value there is not the module.
    """
    return _whole_word(data, start, end) and _KEYWORD_VALUE.match(data, end) is None


# Words that matter only in some places: a list reversed, a method named eval, a variable
# named executor are the commonest reasons a benign file would otherwise be parsed here.
_WHERE: dict[bytes, Callable[[bytes, int, int], bool]] = {
    # Module and function names the folding resolves whole (zlib.decompress, marshal.loads,
    # codecs.decode): inside another name ("unmarshal", "_codecs_list") they are not those.
    **dict.fromkeys((b"decompress", b"marshal", b"codecs"), _module_word),
    **dict.fromkeys(
        (b"exec(", b"exec (", b"exec,", b"exec)", b"exec'", b'exec"', b"eval("), _builtin_sink
    ),
    b"= exec": _bound_builtin,
    b"=exec": _bound_builtin,
    b"[::-1]": _reverses_literal,
    b"reversed(": _reversed_literal,
}

_CODE_IN_STRING = re.compile(r"exec|eval|decode|decompress|loads|import|compile|fromhex")

# Call names whose single argument is decoded by name (fold).
_CALL_DECODERS: dict[str, str] = {
    "base64.b64decode": "base64",
    "base64.standard_b64decode": "base64",
    "base64.urlsafe_b64decode": "base64",
    "base64.decodebytes": "base64",
    "base64.decodestring": "base64",
    "binascii.a2b_base64": "base64",
    "base64.b32decode": "base32",
    "base64.b16decode": "hex",
    "base64.b85decode": "base85",
    "base64.a85decode": "ascii85",
    "bytes.fromhex": "hex",
    "bytearray.fromhex": "hex",
    "binascii.unhexlify": "hex",
    "binascii.a2b_hex": "hex",
}
_CALL_DECOMPRESSORS: dict[str, str] = {
    "zlib.decompress": "zlib",
    "gzip.decompress": "gzip",
    "bz2.decompress": "bz2",
    "lzma.decompress": "lzma",
}
_CODECS: dict[str, str] = {
    "base64": "base64",
    "base_64": "base64",
    "base64_codec": "base64",
    "hex": "hex",
    "hex_codec": "hex",
    "zlib": "zlib",
    "zip": "zlib",
    "zlib_codec": "zlib",
    "bz2": "bz2",
    "bz2_codec": "bz2",
    "rot13": "rot13",
    "rot_13": "rot13",
}
_TEXT_CODECS = frozenset(
    {"utf-8", "utf8", "utf_8", "ascii", "latin-1", "latin1", "latin_1", "iso-8859-1", "cp1252"}
)

_Value = str | bytes


@dataclass(frozen=True, slots=True)
class _Folded:
    value: _Value
    chain: tuple[str, ...]


def _merge(*chains: tuple[str, ...]) -> tuple[str, ...]:
    merged: list[str] = []
    for chain in chains:
        merged += [name for name in chain if name not in merged]
    return tuple(merged)


class _Fail(Exception):
    """An expression cannot be folded to a constant."""


_FOLD_ERRORS: tuple[type[BaseException], ...] = (_Fail, *_DECODE_ERRORS)


class _Walker:
    """Walks one syntax tree, folds constant expressions and follows what they hold."""

    def __init__(self, explorer: _Explorer, tree: ast.Module, ctx: _Ctx) -> None:
        self.explorer = explorer
        self.tree = tree
        self.ctx = ctx
        self.aliases: dict[str, str] = {}
        self.assigned: dict[str, list[ast.expr]] = {}
        self.failed: set[int] = set()
        self.resolving: set[str] = set()
        self.sink_names: set[str] = set()
        self.runs_code = False
        # Functions that return one expression (lambda, or def with a single return).
        self.functions: dict[str, list[tuple[ast.arguments, ast.expr | None]]] = {}
        self.bindings: list[dict[str, _Folded]] = []  # parameters of functions being applied
        self._runs: dict[str, list[ast.Constant]] = {}
        self.accumulated: list[tuple[str, list[ast.Constant]]] = []
        # Where the biggest literal reached through a name sits: the blob's line, not the call's.
        self._blob_line: tuple[int, int] | None = None

    def run(self, lines: list[int]) -> None:
        """Index the tree, then visit the statements on ``lines`` in source order, folding."""
        roots, calls = self._statements(lines)
        nodes, parents, ends = _preorder(roots)
        calls += [node for node in nodes if isinstance(node, ast.Call)]
        self._index_sinks(calls)
        explorer = self.explorer
        child_sink = [False] * len(nodes)  # whether a node's children are arguments of a sink
        index = 0
        while index < len(nodes):
            if index & 0xFFF == 0:
                explorer.check()
            node = nodes[index]
            parent = parents[index]
            sink = child_sink[parent] if parent >= 0 else False
            if isinstance(node, _FOLDABLE) and self._worth_folding(node):
                self._blob_line = None
                try:
                    folded = self.fold(node, 0)
                except _Fail:
                    folded = None
                if folded is not None:
                    self._candidate(folded, node, sink)
                    index = ends[index]  # its parts were folded into it
                    continue
            child_sink[index] = sink or self._is_sink(node)
            index += 1
        for name, run in self.accumulated:
            explorer.tick()
            self._blob_line = None
            self._candidate(_Folded(_join_constants(run), ()), run[0], name in self.sink_names)

    def _statements(self, lines: list[int]) -> tuple[list[ast.AST], list[ast.Call]]:
        """Index every statement; return the parts to walk and the statements' own calls.

        Folding needs a decoder's or obfuscator's name, so only statements on a line holding
        one (``lines``) are walked node by node; blobs elsewhere are literals the text scan
        finds. Imports and assignments are indexed everywhere: names resolve through them.
        """
        roots: list[ast.AST] = []
        calls: list[ast.Call] = []
        stack: list[ast.AST] = list(reversed(self.tree.body))
        while stack:
            node = stack.pop()
            self.explorer.tick()
            self._index_statement(node, calls)
            if not _touches(lines, node):
                # Nested statements still hold imports and assignments.
                stack.extend(reversed(_nested_statements(node)))
                continue
            nested = _nested_statements(node)
            if not nested and isinstance(node, ast.stmt):
                roots.append(node)  # a simple statement: walk it whole (an Assign marks sinks)
                continue
            # A compound statement: walk its header expressions, sort through its bodies.
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    roots.append(value)
                elif isinstance(value, list) and not _holds_statements(value):
                    roots += [item for item in value if isinstance(item, ast.AST)]
            stack.extend(reversed(nested))
        for name, run in self._runs.items():
            if len(run) > 1:
                self.accumulated.append((name, run))
        return roots, calls

    def _index_statement(self, node: ast.AST, calls: list[ast.Call]) -> None:
        if isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                self.assigned.setdefault(name, []).append(node.value)
                self._accumulate(name, node.value, start=True)
                if isinstance(node.value, ast.Lambda):
                    self.functions.setdefault(name, []).append((node.value.args, node.value.body))
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
                self._accumulate(node.target.id, node.value, start=False)
        elif isinstance(node, ast.FunctionDef):
            body = [s for s in node.body if not _is_docstring(s)]
            if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
                self.functions.setdefault(node.name, []).append((node.args, body[0].value))
            else:
                self.functions.setdefault(node.name, []).append((node.args, None))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        if isinstance(node, ast.Expr | ast.Assign) and isinstance(node.value, ast.Call):
            calls.append(node.value)

    def _accumulate(self, name: str, value: ast.expr, *, start: bool) -> None:
        """Track ``x = "…"`` followed by ``x += "…"`` lines: a blob split over statements."""
        piece = value if isinstance(value, ast.Constant) else None
        if piece is not None and not isinstance(piece.value, str | bytes):
            piece = None
        run = self._runs.pop(name, None)
        if (
            run is not None
            and not start
            and piece is not None
            and type(run[0].value) is type(piece.value)
            and len(run) < _MAX_ITEMS
        ):
            run.append(piece)
            self._runs[name] = run
            return
        if run is not None and len(run) > 1:
            self.accumulated.append((name, run))
        if start and piece is not None:
            self._runs[name] = [piece]

    def _index_sinks(self, calls: list[ast.Call]) -> None:
        for call in calls:
            if self._callee_is_sink(call):
                for arg in [*call.args, *(k.value for k in call.keywords)]:
                    if not isinstance(arg, ast.Constant):
                        self.runs_code = True
                    self.sink_names.update(_names_in(arg))
        # Names feeding the sink names feed the sink (blob = …; code = decode(blob); exec(code)).
        for _ in range(4):
            grown = set(self.sink_names)
            for name in self.sink_names:
                for value in self.assigned.get(name, ())[:4]:
                    grown.update(_names_in(value))
            if grown == self.sink_names:
                break
            self.sink_names = grown

    def _is_sink(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            return self._callee_is_sink(node)
        if isinstance(node, ast.Assign):
            return any(isinstance(t, ast.Name) and t.id in self.sink_names for t in node.targets)
        return False

    def _callee_is_sink(self, call: ast.Call) -> bool:
        name = self.qualname(call.func)
        return name is not None and (name in _SINKS or name.startswith(_SINK_PREFIXES))

    def qualname(self, expr: ast.expr) -> str | None:
        """The dotted name a callee refers to through imports, or None."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if isinstance(expr, ast.Name):
            parts.append(self.aliases.get(expr.id, expr.id))
        elif (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "__import__"
            and expr.args
            and isinstance(expr.args[0], ast.Constant)
            and isinstance(expr.args[0].value, str)
        ):
            parts.append(expr.args[0].value)
        else:
            return None
        name = ".".join(reversed(parts))
        for prefix in ("builtins.", "__builtins__.", "__builtin__."):
            name = name.removeprefix(prefix)
        return name

    def _worth_folding(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | bytes)
        if isinstance(node, ast.BinOp):
            return isinstance(node.op, ast.Add)
        return isinstance(node, ast.Call | ast.Subscript)

    def _candidate(self, folded: _Folded, node: ast.expr, sink: bool) -> None:
        explorer = self.explorer
        value = folded.value
        if len(value) > explorer.limits.max_blob_bytes:
            return
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        ctx = self.ctx
        line = self._blob_line[1] if self._blob_line is not None else node.lineno
        here = _Ctx(
            line=ctx.line if ctx.line is not None else line,
            chain=ctx.chain + folded.chain,
            depth=ctx.depth,
            executed=sink or (self.runs_code and bool(folded.chain)),
            nest=ctx.nest,
        )
        if folded.chain or len(value) >= explorer.limits.min_blob_chars:
            explorer.follow(data, here, raw=not folded.chain)
        elif here.nest < _MAX_NEST and isinstance(value, str) and _carries_code(value):
            explorer.scan_source(value, _nested(here))

    # -- folding --------------------------------------------------------------------------------

    def fold(self, node: ast.expr, depth: int) -> _Folded:
        """The constant value ``node`` computes, with the decoders used; raise _Fail if none."""
        # Inside a function being applied, a node's value depends on the arguments: no memo.
        memo = not self.bindings
        if (memo and id(node) in self.failed) or depth > _MAX_FOLD_DEPTH:
            raise _Fail
        try:
            return self._fold(node, depth + 1)
        except _FOLD_ERRORS:
            if memo:
                self.failed.add(id(node))
            raise _Fail from None

    def _fold(self, node: ast.expr, depth: int) -> _Folded:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            return _Folded(node.value, ())
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._fold_sum(node, depth)
        if isinstance(node, ast.Subscript):
            return self._fold_subscript(node, depth)
        if isinstance(node, ast.Name):
            return self._fold_name(node.id, depth)
        if isinstance(node, ast.Call):
            return self._fold_call(node, depth)
        raise _Fail

    def _fold_sum(self, node: ast.BinOp, depth: int) -> _Folded:
        # Walk the left spine iteratively: `"a" + "b" + …` nests as deep as it is long.
        spine: list[ast.BinOp] = []
        left: ast.expr = node
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
            spine.append(left)
            left = left.left
        spine.reverse()
        first = self.fold(left, depth)
        parts: list[_Value] = [first.value]
        chains = [first.chain]
        size = len(first.value)
        for index, binop in enumerate(spine):
            try:
                right = self.fold(binop.right, depth)
                if type(right.value) is not type(first.value):
                    raise _Fail
            except _Fail:
                # Every sum above this one contains the failing operand.
                if not self.bindings:
                    self.failed.update(id(n) for n in spine[index:])
                raise
            parts.append(right.value)
            chains.append(right.chain)
            size += len(right.value)
            if size > _MAX_ITEMS * 16:
                raise _Fail
        value: _Value = (
            b"".join(p for p in parts if isinstance(p, bytes))
            if isinstance(first.value, bytes)
            else "".join(p for p in parts if isinstance(p, str))
        )
        return _Folded(value, _merge(*chains))

    def _fold_subscript(self, node: ast.Subscript, depth: int) -> _Folded:
        inner = self.fold(node.value, depth)
        index = node.slice
        if not isinstance(index, ast.Slice):
            raise _Fail
        lower, upper, step = (
            self._fold_int(part, depth) if part is not None else None
            for part in (index.lower, index.upper, index.step)
        )
        value = inner.value[lower:upper:step]
        if step is not None and step < 0:
            return _Folded(value, _merge(inner.chain, ("reverse",)))
        return _Folded(value, inner.chain)

    def _fold_name(self, name: str, depth: int) -> _Folded:
        if self.bindings and name in self.bindings[-1]:
            return self.bindings[-1][name]
        values = self.assigned.get(name, [])
        if len(values) != 1 or name in self.resolving or len(self.resolving) >= _MAX_RESOLVE:
            raise _Fail
        run = next((run for n, run in self.accumulated if n == name and run[0] is values[0]), None)
        self.resolving.add(name)
        try:
            folded = _Folded(_join_constants(run), ()) if run else self.fold(values[0], depth)
        finally:
            self.resolving.discard(name)
        if self._blob_line is None or len(folded.value) > self._blob_line[0]:
            self._blob_line = (len(folded.value), values[0].lineno)
        return folded

    def _fold_int(self, node: ast.expr, depth: int) -> int:
        if depth > _MAX_FOLD_DEPTH:
            raise _Fail
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self._fold_int(node.operand, depth + 1)
        if isinstance(node, ast.BinOp):
            a = self._fold_int(node.left, depth + 1)
            b = self._fold_int(node.right, depth + 1)
            if abs(a) > 1 << 32 or abs(b) > 1 << 32:
                raise _Fail
            return _int_op(node.op, a, b)
        if isinstance(node, ast.Call) and self.qualname(node.func) == "ord" and node.args:
            text = self.fold(node.args[0], depth)
            if len(text.value) != 1:
                raise _Fail
            return text.value[0] if isinstance(text.value, bytes) else ord(text.value)
        raise _Fail

    def _fold_ints(self, node: ast.expr, depth: int) -> list[int]:
        """A literal sequence of ints (list, tuple, or range-free constant sequence)."""
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            if len(node.elts) > _MAX_ITEMS:
                raise _Fail
            return [self._fold_int(e, depth) for e in node.elts]
        folded = self.fold(node, depth)  # bytes literal iterates as ints
        if isinstance(folded.value, bytes):
            return list(folded.value)
        raise _Fail

    def _fold_call(self, node: ast.Call, depth: int) -> _Folded:
        func = node.func
        args = node.args
        if isinstance(func, ast.Lambda):
            return self._apply_function(func.args, func.body, node, depth)
        if isinstance(func, ast.Name) and func.id not in self.aliases:
            defined = self.functions.get(func.id, [])
            if len(defined) == 1 and len(self.assigned.get(func.id, [])) <= 1:
                return self._apply_function(*defined[0], node, depth)
        name = self.qualname(func)
        if name == "chr" and len(args) == 1:
            return _Folded(chr(self._fold_int(args[0], depth)), ("chr",))
        if name in ("bytes", "bytearray") and args:
            return self._fold_bytes(node, depth)
        if name == "str" and len(args) >= 2:
            raw = self.fold(args[0], depth)
            codec = self._fold_str(args[1], depth)
            if not isinstance(raw.value, bytes) or codec.lower() not in _TEXT_CODECS:
                raise _Fail
            return _Folded(raw.value.decode(codec, "replace"), raw.chain)
        if name in ("marshal.loads", "bytes", "str") and len(args) == 1:
            return self.fold(args[0], depth)
        if name in _CALL_DECODERS and args:
            inner = self.fold(args[0], depth)
            decoder = _CALL_DECODERS[name]
            return self._apply(decoder, inner, "base64" if decoder == "base64" else decoder)
        if name in _CALL_DECOMPRESSORS and args:
            inner = self.fold(args[0], depth)
            kind = _CALL_DECOMPRESSORS[name]
            if kind == "zlib" and len(args) > 1:
                wbits = self._fold_int(args[1], depth)
                kind = "deflate" if wbits < 0 else "gzip" if wbits > 15 + 8 else "zlib"
            return self._apply_decompress(kind, inner)
        if name in ("codecs.decode", "codecs.encode") and len(args) >= 2:
            inner = self.fold(args[0], depth)
            return self._codec(inner, self._fold_str(args[1], depth))
        if isinstance(func, ast.Attribute):
            return self._fold_method(node, func, depth)
        raise _Fail

    def _apply_function(
        self, spec: ast.arguments, body: ast.expr | None, call: ast.Call, depth: int
    ) -> _Folded:
        """``(lambda s: decode(s))(blob)``, or a one-line ``def``: fold the body on the args."""
        params = [a.arg for a in (*spec.posonlyargs, *spec.args)]
        if (
            body is None
            or spec.vararg
            or spec.kwarg
            or spec.kwonlyargs
            or call.keywords
            or len(params) != len(call.args)
            or len(self.bindings) >= _MAX_CALL_DEPTH
        ):
            raise _Fail
        bound = {param: self.fold(arg, depth) for param, arg in zip(params, call.args, strict=True)}
        self.bindings.append(bound)
        try:
            return self.fold(body, depth)
        finally:
            self.bindings.pop()

    def _fold_method(self, node: ast.Call, func: ast.Attribute, depth: int) -> _Folded:
        args = node.args
        method = func.attr
        if method not in ("join", "encode", "decode", "replace", "strip", "fromhex"):
            raise _Fail
        receiver = self.fold(func.value, depth)
        value = receiver.value
        if method == "join" and len(args) == 1:
            return self._fold_join(receiver, args[0], depth)
        if method == "encode" and isinstance(value, str):
            codec = self._fold_str(args[0], depth) if args else "utf-8"
            if codec.lower() in _TEXT_CODECS:
                return _Folded(value.encode(codec, "surrogatepass"), receiver.chain)
            return self._codec(receiver, codec)
        if method == "decode":
            codec = self._fold_str(args[0], depth) if args else "utf-8"
            if isinstance(value, bytes) and codec.lower() in _TEXT_CODECS:
                return _Folded(value.decode(codec, "replace"), receiver.chain)
            return self._codec(receiver, codec)
        if method == "replace" and len(args) == 2:
            old = self.fold(args[0], depth).value
            new = self.fold(args[1], depth).value
            if isinstance(value, str) and isinstance(old, str) and isinstance(new, str) and old:
                if len(new) > len(old) and value.count(old) * len(new) > _MAX_ITEMS:
                    raise _Fail
                return _Folded(value.replace(old, new), receiver.chain)
            raise _Fail
        if method == "strip" and not args:
            return _Folded(value.strip(), receiver.chain)
        raise _Fail

    def _fold_str(self, node: ast.expr, depth: int) -> str:
        value = self.fold(node, depth).value
        if not isinstance(value, str):
            raise _Fail
        return value

    def _fold_join(self, separator: _Folded, arg: ast.expr, depth: int) -> _Folded:
        sep = separator.value
        items: list[_Folded]
        if isinstance(arg, ast.List | ast.Tuple):
            if len(arg.elts) > _MAX_ITEMS:
                raise _Fail
            items = [self.fold(e, depth) for e in arg.elts]
        elif isinstance(arg, ast.GeneratorExp | ast.ListComp):
            items = [self._fold_chr_comprehension(arg, depth)]
        elif isinstance(arg, ast.Call) and self.qualname(arg.func) == "map" and len(arg.args) == 2:
            if self.qualname(arg.args[0]) != "chr":
                raise _Fail
            items = [_Folded("".join(map(chr, self._fold_ints(arg.args[1], depth))), ("chr",))]
        elif isinstance(arg, ast.Call) and self.qualname(arg.func) == "reversed" and arg.args:
            inner = self.fold(arg.args[0], depth)
            items = [_Folded(inner.value[::-1], _merge(inner.chain, ("reverse",)))]
        else:
            inner = self.fold(arg, depth)  # joining a string joins its characters
            if not (isinstance(inner.value, str) and isinstance(sep, str)):
                raise _Fail
            return _Folded(sep.join(inner.value), _merge(separator.chain, inner.chain))
        if not all(type(i.value) is type(sep) for i in items):
            raise _Fail
        if isinstance(sep, bytes):
            value: _Value = sep.join(i.value for i in items if isinstance(i.value, bytes))
        else:
            value = sep.join(i.value for i in items if isinstance(i.value, str))
        return _Folded(value, _merge(separator.chain, *(i.chain for i in items)))

    def _fold_chr_comprehension(self, node: ast.GeneratorExp | ast.ListComp, depth: int) -> _Folded:
        """``chr(c) for c in [...]``, with an optional ``c ^ K`` / ``c - K`` / ``c + K``."""
        if len(node.generators) != 1:
            raise _Fail
        generator = node.generators[0]
        if generator.ifs or not isinstance(generator.target, ast.Name):
            raise _Fail
        var = generator.target.id
        element = node.elt
        if not (
            isinstance(element, ast.Call)
            and self.qualname(element.func) == "chr"
            and len(element.args) == 1
        ):
            raise _Fail
        codes = self._fold_ints(generator.iter, depth)
        return self._map_ints(element.args[0], var, codes, depth)

    def _map_ints(self, expr: ast.expr, var: str, codes: list[int], depth: int) -> _Folded:
        if isinstance(expr, ast.Name) and expr.id == var:
            return _Folded("".join(map(chr, codes)), ("chr",))
        if isinstance(expr, ast.BinOp) and isinstance(expr.left, ast.Name) and expr.left.id == var:
            key = self._fold_int(expr.right, depth)
            text = "".join(chr(_int_op(expr.op, c, key)) for c in codes)
            return _Folded(text, ("chr", "xor") if isinstance(expr.op, ast.BitXor) else ("chr",))
        if isinstance(expr, ast.Call) and self.qualname(expr.func) == "int" and expr.args:
            return self._map_ints(expr.args[0], var, codes, depth)
        raise _Fail

    def _fold_bytes(self, node: ast.Call, depth: int) -> _Folded:
        arg = node.args[0]
        if isinstance(arg, ast.List | ast.Tuple):
            return _Folded(bytes(self._fold_ints(arg, depth)), ("int-list",))
        if isinstance(arg, ast.GeneratorExp | ast.ListComp) and len(arg.generators) == 1:
            generator = arg.generators[0]
            element = arg.elt
            if (
                isinstance(generator.target, ast.Name)
                and not generator.ifs
                and isinstance(element, ast.BinOp)
                and isinstance(element.left, ast.Name)
                and element.left.id == generator.target.id
            ):
                inner = self.fold(generator.iter, depth)
                key = self._fold_int(element.right, depth)
                source = inner.value
                ints = list(source) if isinstance(source, bytes) else [ord(c) for c in source]
                out = bytes(_int_op(element.op, c, key) & 0xFF for c in ints)
                return _Folded(out, _merge(inner.chain, ("xor",)))
            raise _Fail
        inner = self.fold(arg, depth)
        if isinstance(inner.value, str):
            codec = self._fold_str(node.args[1], depth) if len(node.args) > 1 else "utf-8"
            if codec.lower() not in _TEXT_CODECS:
                raise _Fail
            return _Folded(inner.value.encode(codec, "surrogatepass"), inner.chain)
        return inner

    def _codec(self, inner: _Folded, codec: str) -> _Folded:
        name = _CODECS.get(codec.lower().replace("-", "_"))
        if name is None:
            raise _Fail
        if name == "rot13":
            if not isinstance(inner.value, str):
                raise _Fail
            return _Folded(_rot13(inner.value), _merge(inner.chain, ("rot13",)))
        if name in ("zlib", "bz2"):
            return self._apply_decompress(name, inner)
        return self._apply(name, inner, name)

    def _apply(self, decoder: str, inner: _Folded, label: str) -> _Folded:
        data = _to_bytes(inner.value)
        if decoder in ("base64", "hex", "base32"):
            data = b"".join(data.split())
        out = self.explorer.decode(decoder, data)
        if out is None:
            raise _Fail
        return _Folded(out, (*inner.chain, label))

    def _apply_decompress(self, kind: str, inner: _Folded) -> _Folded:
        out = self.explorer.decompress(kind, _to_bytes(inner.value))
        if not out:
            raise _Fail
        return _Folded(out, (*inner.chain, "zlib" if kind == "deflate" else kind))


def _join_constants(run: list[ast.Constant]) -> _Value:
    if isinstance(run[0].value, bytes):
        return b"".join(c.value for c in run if isinstance(c.value, bytes))
    return "".join(c.value for c in run if isinstance(c.value, str))


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _to_bytes(value: _Value) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")  # Python 2 style binary strings
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _int_op(op: ast.operator, a: int, b: int) -> int:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.BitXor):
        return a ^ b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.FloorDiv) and b:
        return a // b
    if isinstance(op, ast.Mod) and b:
        return a % b
    raise _Fail


def _names_in(node: ast.AST) -> set[str]:
    found: set[str] = set()
    for index, child in enumerate(ast.walk(node)):
        if index > 1024:
            break
        if isinstance(child, ast.Name):
            found.add(child.id)
    return found


# --- text fallback -----------------------------------------------------------------------------


_QUOTES = (b'"', b"'")


class _QuotedRuns:
    """Quoted runs of encoding-alphabet characters, found by Hyperscan.

    The alphabet is that of base64, base32, hex and their URL-safe forms, with
    backslashes and whitespace (escaped and wrapped lines). :meth:`find` gives what
    ``re.finditer`` of ``(["'])([alphabet]{min_chars,})\\1`` gives, in the same order.
    Most Python files hold such a run (a docstring's words and spaces are in the
    alphabet), and the regex engine read them at a fraction of Hyperscan's speed. Quotes
    are not in the alphabet, so a run can only end at the next quote: each closing quote
    ends at most one match, which starts at the last quote before its run, and the
    regex's left-to-right, non-overlapping choice is made from those.
    """

    def __init__(self, min_chars: int) -> None:
        """Find runs of at least ``min_chars`` characters between two equal quotes."""
        run = rb"[A-Za-z0-9+/=_\-\\ \t\r\n]{%d,}" % max(min_chars, 1)
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._database.compile(
            expressions=[quote + run + quote for quote in _QUOTES],
            ids=[0, 1],
            elements=2,
            flags=[0, 0],
        )

    def find(self, data: bytes) -> list[tuple[int, bytes]]:
        """(offset of the opening quote, the run between the quotes) of each quoted run."""
        spans: list[tuple[int, int]] = []

        def on_match(expression: int, start: int, end: int, flags: int, context: object) -> bool:
            # The run holds no quote: its opening quote is the last one before it.
            spans.append((data.rfind(_QUOTES[expression], 0, end - 1), end))
            return False  # keep scanning

        self._database.scan(data, match_event_handler=on_match)
        spans.sort()
        runs: list[tuple[int, bytes]] = []
        last = 0
        for start, end in spans:
            if start >= last:  # the regex resumes its search after the closing quote
                runs.append((start, data[start + 1 : end - 1]))
                last = end
        return runs


@lru_cache(maxsize=8)
def _quoted_runs(min_chars: int) -> _QuotedRuns:
    return _QuotedRuns(min_chars)


_CALL_BLOB = re.compile(
    rb"""\b(b64decode|b32decode|b16decode|decodestring|decodebytes|unhexlify|fromhex"""
    rb"""|a2b_base64|a2b_hex)\s*\(\s*[bBuUrR]{0,2}(['"])([A-Za-z0-9+/=_\-\\\s]{4,})\2"""
)
# The names _CALL_BLOB starts with, found first (it has no literal prefix for the regex engine).
_CALL_LITERALS = Literals(
    (
        b"b64decode",
        b"b32decode",
        b"b16decode",
        b"decodestring",
        b"decodebytes",
        b"unhexlify",
        b"fromhex",
        b"a2b_base64",
        b"a2b_hex",
    )
)
_PY2_CODEC = re.compile(rb"""\.decode\s*\(\s*['"](?:base64|base_64|hex|zlib|bz2|rot)""")
# Python 2: "…".decode("base64") / .decode("hex") / .decode("zlib") are written after the blob.
_DECODER_CALL = re.compile(
    rb"""(['"])([A-Za-z0-9+/=_\-\\\s]{4,})\1\s*\.\s*decode\s*\(\s*['"](\w+)['"]"""
)
_FALLBACK_DECODERS = {
    "b64decode": "base64",
    "decodestring": "base64",
    "decodebytes": "base64",
    "a2b_base64": "base64",
    "base64": "base64",
    "base_64": "base64",
    "b32decode": "base32",
    "b16decode": "hex",
    "unhexlify": "hex",
    "fromhex": "hex",
    "a2b_hex": "hex",
    "hex": "hex",
}


def _unescape(raw: bytes) -> bytes:
    for escape in (b"\\n", b"\\r", b"\\t", b"\\\n", b"\\\r"):
        raw = raw.replace(escape, b"")
    return b"".join(raw.split())


# --- marshalled code objects -------------------------------------------------------------------


class _MarshalError(Exception):
    """Bytes that are not a marshalled code object this reader understands."""


_MARSHAL_ERRORS: tuple[type[BaseException], ...] = (_MarshalError, *_DECODE_ERRORS)


@dataclass(frozen=True, slots=True)
class _Code:
    name: str
    filename: str
    names: tuple[str, ...]
    consts: tuple[object, ...]


_MAX_MARSHAL_BYTES = 4 * MiB
_MAX_MARSHAL_OBJECTS = 200_000
_MAX_MARSHAL_NESTING = 100
_FLAG_REF = 0x80


def _looks_marshal(data: bytes) -> bool:
    """A marshalled code object, or a .pyc (header + code object), from any Python."""
    if len(data) > _MAX_MARSHAL_BYTES or len(data) < 24:
        return False
    return any(
        data[offset] & 0x7F == 0x63 and _code_layout(data, offset + 1) is not None
        for offset in _marshal_offsets(data)
    )


def _marshal_offsets(data: bytes) -> tuple[int, ...]:
    if data[2:4] == b"\r\n":  # a .pyc magic number: 16 (3.7+), 12 (3.3–3.6) or 8 byte headers
        return (16, 12, 8)
    return (0,)


def _code_layout(data: bytes, pos: int) -> int | None:
    """How many 32-bit fields precede the bytecode: 4 (2.7), 5 (3.0–3.7, 3.11+), 6 (3.8–3.10)."""
    for fields in (5, 6, 4):
        at = pos + 4 * fields
        if at < len(data) and data[at] & 0x7F == 0x73:  # the bytecode is a bytes object
            ints = struct.unpack_from(f"<{fields}i", data, pos)
            if all(0 <= v < 1 << 26 for v in ints) and max(ints[:-1], default=0) < 1 << 20:
                return fields
    return None


class _MarshalReader:
    """Reads the marshal format into plain values; code objects become :class:`_Code`."""

    def __init__(self, data: bytes, explorer: _Explorer) -> None:
        self.data = data
        self.explorer = explorer
        self.pos = 0
        self.refs: list[object] = []
        self.interned: list[object] = []
        self.objects = 0
        self.fields = 0

    def code(self) -> _Code | None:
        """The top-level code object, or None."""
        for offset in _marshal_offsets(self.data):
            if offset >= len(self.data) or self.data[offset] & 0x7F != 0x63:
                continue
            layout = _code_layout(self.data, offset + 1)
            if layout is None:
                continue
            self.pos, self.refs, self.interned, self.fields = offset, [], [], layout
            value = self.read(0)
            if isinstance(value, _Code):
                return value
        return None

    def _take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _MarshalError("truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def _int(self) -> int:
        (value,) = struct.unpack("<i", self._take(4))
        return int(value)

    def _size(self) -> int:
        n = self._int()
        if n < 0 or n > len(self.data):
            raise _MarshalError("bad size")
        return n

    def read(self, nesting: int) -> object:
        """One object (recursively)."""
        if nesting > _MAX_MARSHAL_NESTING:
            raise _MarshalError("too deep")
        self.objects += 1
        if self.objects > _MAX_MARSHAL_OBJECTS:
            raise _MarshalError("too many objects")
        if self.objects % 1024 == 0:
            self.explorer.check()
        code = self._take(1)[0]
        flag, kind = code & _FLAG_REF, chr(code & 0x7F)
        index = -1
        if flag:
            index = len(self.refs)
            self.refs.append(None)
        value = self._value(kind, nesting)
        if flag:
            self.refs[index] = value
        return value

    def _value(self, kind: str, nesting: int) -> object:
        simple: dict[str, object] = {
            "0": None,
            "N": None,
            "F": False,
            "T": True,
            "S": None,
            ".": None,
        }
        if kind in simple:
            return simple[kind]
        if kind == "i":
            return self._int()
        if kind == "I":
            return struct.unpack("<q", self._take(8))[0]
        if kind == "g":
            return struct.unpack("<d", self._take(8))[0]
        if kind == "y":
            self._take(16)
            return None
        if kind in "fx":
            for _ in range(2 if kind == "x" else 1):
                self._take(self._take(1)[0])
            return None
        if kind == "l":
            digits = self._int()
            if abs(digits) > len(self.data):
                raise _MarshalError("bad long")
            self._take(2 * abs(digits))
            return 0
        if kind in "st":
            raw = self._take(self._size())
            if kind == "t":
                # Interned: Python 2 str (bytes) or Python 3 str.
                value: object = raw.decode("utf-8", "surrogateescape")
                self.interned.append(value)
                return value
            return raw
        if kind == "u":
            return self._take(self._size()).decode("utf-8", "surrogatepass")
        if kind in "aA":
            return self._take(self._size()).decode("latin-1")
        if kind in "zZ":
            return self._take(self._take(1)[0]).decode("latin-1")
        if kind == "R":  # Python 2 reference to an interned string
            position = self._int()
            if not 0 <= position < len(self.interned):
                raise _MarshalError("bad stringref")
            return self.interned[position]
        if kind == "r":
            position = self._int()
            if not 0 <= position < len(self.refs):
                raise _MarshalError("bad ref")
            return self.refs[position]
        if kind in "([<>":
            return tuple(self.read(nesting + 1) for _ in range(self._size()))
        if kind == ")":
            return tuple(self.read(nesting + 1) for _ in range(self._take(1)[0]))
        if kind == "{":
            items: list[object] = []
            while True:
                key = self.read(nesting + 1)
                if key is None and self.data[self.pos - 1] & 0x7F == 0x30:
                    return tuple(items)
                items += [key, self.read(nesting + 1)]
        if kind == ":":  # a slice (3.14+)
            return tuple(self.read(nesting + 1) for _ in range(3))
        if kind == "c":
            return self._code(nesting)
        raise _MarshalError(f"type {kind!r}")

    def _code(self, nesting: int) -> _Code:
        fields = [self._int() for _ in range(self.fields)]
        if any(v < 0 for v in fields):
            raise _MarshalError("bad code header")
        objects = [self.read(nesting + 1) for _ in range(8)]
        self._int()  # firstlineno
        self.read(nesting + 1)  # lnotab / linetable
        modern = self.fields == 5 and isinstance(objects[4], bytes)  # localspluskinds: 3.11+
        if modern:
            self.read(nesting + 1)  # exceptiontable
        bytecode, consts, names = objects[0], objects[1], objects[2]
        filename, name = (objects[5], objects[6]) if modern else (objects[6], objects[7])
        if not (isinstance(bytecode, bytes) and isinstance(consts, tuple)):
            raise _MarshalError("not a code object")
        if not isinstance(names, tuple):
            raise _MarshalError("not a code object")
        return _Code(
            name=_as_str(name),
            filename=_as_str(filename),
            names=tuple(_as_str(n) for n in names if isinstance(n, str | bytes)),
            consts=consts,
        )


def _as_str(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return ""


def _render_code(code: _Code) -> tuple[list[str], list[str]]:
    """Names (code object names and co_names) and string constants of a code object tree."""
    names: list[str] = []
    strings: list[str] = []
    queue: list[object] = [code]
    seen = 0
    while queue and seen < _MAX_MARSHAL_OBJECTS:
        item = queue.pop(0)
        seen += 1
        if isinstance(item, _Code):
            names += [n for n in (item.name, *item.names) if n and n not in names[-64:]]
            queue.extend(item.consts)
        elif isinstance(item, tuple):
            queue.extend(item)
        elif isinstance(item, str) and item:
            strings.append(item)
        elif isinstance(item, bytes) and item:
            text = _as_text(item)
            if text is not None:
                strings.append(text)
    return names, strings
