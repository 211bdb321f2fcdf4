"""Whether a module's network calls can run while it loads, read from its bytes.

Thousands of modules of popular packages import a network library and call it
only from functions and methods: SDK operations, transports, clients. None of
the behaviour rules has anything to say about such a call unless it runs on
load (import-network and its kin) or carries something a rule looks for (the
environment, host facts, a credential file, a decoded address...), which
:mod:`depvet.detectors.behavior` checks by words first. What is left to know is
whether a network call can run on load, and this module answers that without
the syntax tree, which costs many times more to build than the bytes take to read.

The answer over-approximates what :class:`~depvet.detectors.pysource.ModuleAnalysis`
reads as running on load: False only when no name standing for a network library,
function or connection occurs in code that can run on load:

* names: the network modules themselves, what imports bind of them, and names
  bound to those (``get = requests.get``) or made by them (``s = requests.Session()``,
  ``conn, addr = server.accept()``, ``with httpx.Client() as c``), in any scope;
* code that runs on load: everything outside function bodies (class bodies,
  decorators, default values included), and the bodies of functions whose name
  occurs in code that runs on load, followed to a fixed point; the special methods
  of every class once any class of the module is named there; a function
  decorated with ``atexit.register`` or another ``register``.

Strings and comments are no code, except an f-string's replacement fields. Whatever
this reading cannot follow (tabs in indentation, a star import from a network
module, a function header it cannot close, a great many aliases) answers True:
the module is parsed as before. Nothing is imported or run.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from depvet.detectors.literals import WORD_BYTES
from depvet.detectors.pysource import NETWORK_CALLS, NETWORK_METHODS

__all__ = ["network_runs_on_load"]

_ROOTS = tuple(dict.fromkeys(name.split(".")[0].encode() for name in NETWORK_CALLS))
# Names of network functions and classes, however they were imported.
_FUNCTIONS = (b"urlopen", b"urlretrieve", b"HTTPConnection", b"HTTPSConnection")
_NETWORK_METHODS = frozenset(name.encode() for name in NETWORK_METHODS)
# Past this many names standing for network objects, the module is parsed instead.
_MAX_NAMES = 64

# Strings (any prefix, any quotes) and comments, found from their first quote or hash.
_TRIPLE_SINGLE = rb"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
_TRIPLE_DOUBLE = rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
_SINGLE = rb"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
_DOUBLE = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_STRING_OR_COMMENT = re.compile(
    b"|".join((_TRIPLE_SINGLE, _TRIPLE_DOUBLE, _SINGLE, _DOUBLE, rb"#[^\n]*")), re.S
)
_TAB_INDENT = re.compile(rb"^ *\t", re.M)
_NAME = re.compile(rb"[A-Za-z_]\w*")
_IMPORT = re.compile(rb"[ \t]*(?:from[ \t]+([\w.]+)[ \t]+)?import[ \t]+")
_IMPORTED = re.compile(rb"\(([^)]*)\)|([^\n;#]*)")
# a = b = <value>, a, b = <value>: the targets, then where the value starts.
_TARGETS = (
    rb"[ \t]*((?:[A-Za-z_]\w*[ \t]*(?:,[ \t]*[A-Za-z_]\w*[ \t]*)*=(?!=)[ \t]*)+)(?:await[ \t]+)?"
)
# <targets> = [getattr(]name[.attr...][(]
_BOUND = re.compile(
    _TARGETS + rb"(getattr\([ \t]*)?([A-Za-z_]\w*)((?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*(\()?"
)
_WITH = re.compile(
    rb"[ \t]*(?:async[ \t]+)?with[ \t]+(?:await[ \t]+)?([A-Za-z_]\w*)\b"
    rb"[^\n]*?\bas[ \t]+([A-Za-z_]\w*)"
)
_METHOD = re.compile(rb"[ \t]*\.[ \t]*([A-Za-z_]\w*)")
# A def or class statement, from the newline before it (the first line gets one).
_BLOCK = re.compile(rb"\n([ ]*)(?:async[ ]+)?(def|class)[ ]+([A-Za-z_]\w*)")
_HEADER_END = re.compile(rb"\)[ \t]*(?:->[^\n:]*)?:")
_DECORATOR = re.compile(rb"[ ]*@([^\n]*)")
_SPACES = bytes(c if c in WORD_BYTES else 0x20 for c in range(256))


class _Source:
    """A module's bytes, and where its strings and comments are."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        spans = [m.span() for m in _STRING_OR_COMMENT.finditer(data)]
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def literal_at(self, at: int) -> tuple[int, int] | None:
        """The string or comment ``at`` is in, if any."""
        index = bisect.bisect_right(self._starts, at) - 1
        if index >= 0 and at < self._ends[index]:
            return self._starts[index], self._ends[index]
        return None

    def is_code(self, at: int) -> bool:
        """Whether ``at`` is in code: outside strings and comments, or in an f-string's field."""
        literal = self.literal_at(at)
        if literal is None:
            return True
        start = literal[0]
        data = self.data
        if data[start] == ord("#") or b"f" not in data[max(0, start - 2) : start].lower():
            return False
        before = data[start:at].replace(b"{{", b"").replace(b"}}", b"")
        return before.count(b"{") > before.count(b"}")

    def names(self, word: bytes) -> list[int]:
        """Where ``word`` occurs in code as a whole name (not part of a longer one)."""
        data = self.data
        found: list[int] = []
        size = len(word)
        at = data.find(word)
        while at >= 0:
            end = at + size
            if (
                (at == 0 or data[at - 1] not in WORD_BYTES)
                and (end >= len(data) or data[end] not in WORD_BYTES)
                and self.is_code(at)
            ):
                found.append(at)
            at = data.find(word, end)
        return found

    def line(self, at: int) -> tuple[int, bytes]:
        """The start and the text of the line holding ``at``."""
        data = self.data
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        return start, data[start : end if end >= 0 else len(data)]


def _network_module(path: str) -> bool:
    """Whether ``path`` (a module or a member) is, holds or is held by a network module."""
    return any(
        path == m or path.startswith(m + ".") or m.startswith(path + ".") for m in NETWORK_CALLS
    )


def _network_member(path: str) -> bool:
    return any(path == m or path.startswith(m + ".") for m in NETWORK_CALLS)


def _imported_names(source: _Source, at: int) -> set[bytes] | None:
    """What the import statement on the line of ``at`` binds to network modules or their
    members (nothing when the line is no import); None for a star import from one."""
    start, line = source.line(at)
    statement = _IMPORT.match(line)
    if statement is None:
        return set()
    listed = _IMPORTED.match(source.data, start + statement.end())
    assert listed is not None  # the pattern matches the empty string
    names = listed[1] if listed[1] is not None else listed[2]
    module = statement[1].decode("ascii", "replace") if statement[1] else None
    bound: set[bytes] = set()
    for part in names.split(b","):
        words = part.split()
        if not words:
            continue
        alias = words[2] if len(words) == 3 and words[1] == b"as" else None
        name = words[0].decode("ascii", "replace")
        if module is None:  # import a.b [as c]
            if alias is not None:
                if _network_module(name):
                    bound.add(alias)
            elif _network_module(name.split(".")[0]):
                bound.add(words[0].split(b".")[0])
        elif name == "*":
            if _network_module(module):
                return None
        elif not (name.startswith("__") and name.endswith("__")) and _network_member(
            f"{module}.{name}"
        ):  # __version__ and the like: no call
            bound.add(alias or words[0])
    return bound


def _in_import(source: _Source, at: int) -> bool:
    """Whether ``at`` is in an import statement (its parenthesised list included, not what
    follows it after a ``;``)."""
    data = source.data
    start, line = source.line(at)
    if _IMPORT.match(line) is None:
        # Maybe a line of a parenthesised list: from the statement its last "import" starts.
        start, line = source.line(max(0, data.rfind(b"import", 0, start)))
    statement = _IMPORT.match(line)
    if statement is None:
        return False
    listed = _IMPORTED.match(data, start + statement.end())
    return listed is not None and at < listed.end()


def _aliases(source: _Source, names: set[bytes]) -> tuple[set[bytes], set[bytes]] | None:
    """(names standing for network modules or functions, names of objects they made)."""
    names = set(names)
    made: set[bytes] = set()
    pending = [(name, False) for name in names]
    while pending:
        word, is_made = pending.pop()
        for at in source.names(word):
            start, line = source.line(at)
            new_names: set[bytes] = set()
            new_made: set[bytes] = set()
            bound = _BOUND.match(line)
            if bound is not None and bound.start(3) == at - start:
                targets = set(_NAME.findall(bound[1]))
                chain = bound[4].replace(b" ", b"").replace(b"\t", b"")
                called = bound[5] is not None
                if is_made:
                    # conn, addr = server.accept(); other = conn
                    if not called or chain[1:].split(b".")[0] in _NETWORK_METHODS:
                        new_made |= targets
                elif called and not bound[2]:
                    new_made |= targets  # s = requests.Session()
                else:
                    new_names |= targets  # get = requests.get
            within = _WITH.match(line)
            if within is not None and within.start(1) == at - start:
                new_made.add(within[2])
            for name in new_names - names - {b"_"}:
                names.add(name)
                pending.append((name, False))
            for name in new_made - made - names - {b"_"}:
                made.add(name)
                pending.append((name, True))
            if len(names) + len(made) > _MAX_NAMES:
                return None
    return names, made


class _Def:
    """A function: its name, where its name and its body are, and whether it is registered."""

    __slots__ = ("body", "end", "name", "name_at", "parent", "registered")

    def __init__(self, name: bytes, name_at: int, body: int, end: int, registered: bool) -> None:
        self.name = name
        self.name_at = name_at
        self.body = body
        self.end = end
        self.registered = registered
        self.parent = -1  # the function whose body holds this one


_DEDENTS: dict[int, re.Pattern[bytes]] = {}


def _dedent(indent: int) -> re.Pattern[bytes]:
    """The start of a line indented at most ``indent`` spaces: where a block indented
    more ends (blank lines do not end it)."""
    pattern = _DEDENTS.get(indent)
    if pattern is None:
        pattern = _DEDENTS[indent] = re.compile(rb"\n(?=[ ]{0,%d}[^ \r\n])" % indent)
    return pattern


def _closes(data: bytes, start: int, end: int) -> bool:
    """Whether every bracket opened in ``data[start:end]`` is closed there."""
    return all(
        data.count(opening, start, end) == data.count(closing, start, end)
        for opening, closing in ((b"(", b")"), (b"[", b"]"), (b"{", b"}"))
    )


def _registered(data: bytes, line_start: int) -> bool:
    """Whether a decorator above the line at ``line_start`` registers the function
    (``@atexit.register``): then it runs without being named."""
    while line_start > 0:
        above = data.rfind(b"\n", 0, line_start - 1) + 1
        decorator = _DECORATOR.match(data, above, line_start - 1)
        if decorator is None:
            return False
        if re.search(rb"\bregister\b", decorator[1]):
            return True
        line_start = above
    return False


def _blocks(source: _Source) -> tuple[list[_Def], set[bytes]] | None:
    """The module's functions in order, and its class names; None when a header does not
    close."""
    data = b"\n" + source.data  # offsets below are one past the source's
    defs: list[_Def] = []
    classes: set[bytes] = set()
    open_defs: list[int] = []
    for block in _BLOCK.finditer(data):
        if source.literal_at(block.start(2) - 1) is not None:
            continue  # "def" at the start of a line of a docstring
        if block[2] == b"class":
            classes.add(block[3])
            continue
        header = _HEADER_END.search(data, block.end())
        while header is not None and (
            source.literal_at(header.start() - 1) is not None
            or not _closes(data, block.end(), header.start() + 1)
        ):  # "):" in a string, or inside the parameters: {(1): get(URL)}
            header = _HEADER_END.search(data, header.end())
        if header is None:
            return None
        ends = _dedent(len(block[1]))
        end = ends.search(data, header.end())
        while end is not None and (literal := source.literal_at(end.start())) is not None:
            end = ends.search(data, literal[1] + 1)
        function = _Def(
            name=block[3],
            name_at=block.start(3) - 1,
            body=header.end() - 1,
            end=(end.start() if end is not None else len(data)) - 1,
            registered=_registered(data, block.start(1)),
        )
        while open_defs and defs[open_defs[-1]].end <= function.name_at:
            open_defs.pop()
        if open_defs:
            function.parent = open_defs[-1]
        open_defs.append(len(defs))
        defs.append(function)
    return defs, classes


def _special(name: bytes) -> bool:
    return len(name) > 4 and name.startswith(b"__") and name.endswith(b"__")


def _words(text: bytes) -> set[bytes]:
    return set(text.translate(_SPACES).split())


def _load_reached(source: _Source, defs: list[_Def], classes: set[bytes]) -> list[bool]:
    """Which functions may run on load (see the module docstring)."""
    data = source.data
    outside: list[bytes] = []
    position = 0
    for function in defs:
        if function.body >= position:  # not nested: its header runs where it stands
            outside.append(data[position : function.name_at])
            outside.append(data[function.name_at + len(function.name) : function.body])
            position = function.end
    outside.append(data[position:])
    by_name: dict[bytes, list[int]] = {}
    for index, function in enumerate(defs):
        by_name.setdefault(function.name, []).append(index)
    special = [i for i, function in enumerate(defs) if _special(function.name)]
    reached = [False] * len(defs)
    known: set[bytes] = set()
    pending = [i for i, function in enumerate(defs) if function.registered]
    new = _words(b"".join(outside))
    classes_named = False
    while True:
        new -= known
        known |= new
        for word in new:
            pending.extend(by_name.get(word, ()))
        if not classes_named and not classes.isdisjoint(new):
            classes_named = True  # any class made: its special methods may run
            pending.extend(special)
        new = set()
        while pending:
            index = pending.pop()
            if reached[index]:
                continue
            reached[index] = True
            function = defs[index]
            new |= _words(data[function.body : function.end])
        if not new - known:
            return reached


def network_runs_on_load(data: bytes, roots: Iterable[bytes] | None = None) -> bool:
    """Whether a network call of the module at ``data`` may run on load (see module docstring).

    ``roots`` are the network module names known to occur in ``data`` (all of them
    when None).
    """
    if b"\t" in data and _TAB_INDENT.search(data):
        return True
    source = _Source(data)
    names: set[bytes] = {f for f in _FUNCTIONS if f in data}
    for root in _ROOTS if roots is None else roots:
        for at in source.names(root):
            bound = _imported_names(source, at)
            if bound is None:
                return True
            names |= bound
        names.add(root)
    found = _aliases(source, names)
    if found is None:
        return True
    names, made = found
    calls = [at for name in names for at in source.names(name)]
    for name in made:
        for at in source.names(name):
            method = _METHOD.match(data, at + len(name))
            if method is not None and method[1] in _NETWORK_METHODS:
                calls.append(at)
    # An import statement names a module; it calls nothing.
    calls = [at for at in calls if not _in_import(source, at)]
    if not calls:
        return False
    blocks = _blocks(source)
    if blocks is None:
        return True
    defs, classes = blocks
    reached = _load_reached(source, defs, classes)
    starts = [f.body for f in defs]
    for at in calls:
        index = bisect.bisect_right(starts, at) - 1
        while index >= 0 and not defs[index].body <= at < defs[index].end:
            index = defs[index].parent
        if index < 0:
            return True  # outside every function
        while index >= 0:
            if reached[index]:
                return True
            index = defs[index].parent
    return False
