"""Static analysis of Python source with :mod:`ast`, shared by the detectors.

Nothing here imports, compiles to bytecode or runs the code it reads: the
source is parsed into a syntax tree and walked once. :func:`analyze` returns a
:class:`ModuleAnalysis` that answers the questions rules ask:

* which call sites exist, with their target resolved to a qualified name
  through imports and aliases (``import base64 as b; b.b64decode`` is
  ``base64.b64decode``; ``__import__("os").system`` is ``os.system``), and the
  :class:`Capability` categories each falls into;
* which scopes run when the module is executed (module level, plus the
  functions it reaches) and which run from setuptools command hooks
  (``cmdclass`` and subclasses of setuptools/distutils commands);
* where a value comes from (:class:`Origin`): a literal, a local file, a
  decoder, the network, a process, or somewhere the analysis cannot see —
  which is how decode→exec is told from ``exec(open("version.py").read())``.

Scopes are named by dotted qualified names: ``""`` is the module, ``"f"`` a
module-level function, ``"C.m"`` a method, ``"f.g"`` a nested function. Class
bodies run in the scope that defines the class, so they share its name.
"""

from __future__ import annotations

import ast
import builtins
import enum
import functools
import itertools
import re
import warnings
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from depvet.files import decode_source

__all__ = [
    "BUILTIN_MODULES",
    "COMMAND_NAMES",
    "DECODER_NAMES",
    "DECODING_CODECS",
    "HOST_CALLS",
    "IP_LOOKUP",
    "MAX_AST_BYTES",
    "NETWORK_CALLS",
    "NETWORK_METHODS",
    "CallSite",
    "Capability",
    "ClassInfo",
    "CmdclassUse",
    "FileWrite",
    "FunctionInfo",
    "ModuleAnalysis",
    "Origin",
    "SharedParses",
    "analyze",
    "classify",
    "parse",
    "shared_parses",
]

# Bigger files are never parsed: ast.parse is linear but memory-hungry, and no
# honest hand-written module is this large. Byte-level checks still see them.
MAX_AST_BYTES = 5 * 1024 * 1024

# Bounds that keep adversarial input (deep call chains, long alias chains,
# self-referencing assignments) from turning the analysis quadratic.
MAX_REACH_DEPTH = 16
MAX_RESOLVE_DEPTH = 12
# value_nodes follows names this many hops, and this many bindings per name: bounded work
# (at most 4**3 values) whatever the file does.
_VALUE_HOPS = 3
_VALUE_BINDINGS = 4
MAX_ORIGIN_DEPTH = 24
_MAX_ALIAS_HOPS = 4  # X = Y = f: names followed back to a definition
_MAX_FLOW_NODES = 4096  # nodes followed to find which parameters a result is made of
# What a function's result is made of is not in its return statements alone.
_OPAQUE_FLOW = (ast.Yield, ast.YieldFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
MAX_STRINGS = 256

_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


class Capability(enum.StrEnum):
    """What a call can do, independent of why it is called."""

    EXEC = "exec"  # runs code built at run time
    PROCESS = "process"  # starts another program
    NETWORK = "network"  # talks to another host (or resolves a name)
    DECODE = "decode"  # turns an encoded or compressed blob back into bytes
    FILE_WRITE = "file-write"  # creates or overwrites a file


class Origin(enum.Flag):
    """Where the value of an expression may come from (a union of sources)."""

    NONE = 0
    LITERAL = enum.auto()  # constants written in the source
    FILE = enum.auto()  # read from a file (open(...).read(), Path.read_text())
    DECODE = enum.auto()  # produced by a DECODE call
    NETWORK = enum.auto()  # produced by a NETWORK call
    PROCESS = enum.auto()  # output of another program
    DYNAMIC = enum.auto()  # anything the analysis cannot follow, or obfuscation
    OBFUSCATED = enum.auto()  # built by chr()/reversed()/[::-1]/XOR/byte lists: hidden text
    ENV = enum.auto()  # the whole process environment (dict(os.environ), os.environ.items())
    HOST = enum.auto()  # facts naming this host or user (gethostname, getuser, $USER)
    SECRET = enum.auto()  # the content of a credential store (~/.ssh/id_*, .aws/credentials)
    STEGO = enum.auto()  # samples or pixels of a sound or image (wave.readframes, getdata)
    # Derived from a parameter of the function the expression is in: a mapping a helper
    # is given may be os.environ (see ModuleAnalysis._single_key).
    PARAM = enum.auto()


# The commands pip and build frontends run to build or install from source; any other
# command (deploy, upload, test, clean) runs only when a person asks setup.py for it.
# sdist is not one: installing builds a wheel from the sources (PEP 517 build_wheel, or
# setup.py install); only the author making the archive runs sdist.
PIP_RUNS = frozenset(
    {
        "bdist",
        "bdist_egg",
        "bdist_wheel",
        "build",
        "build_clib",
        "build_ext",
        "build_py",
        "build_scripts",
        "develop",
        "dist_info",
        "easy_install",
        "editable_wheel",
        "egg_info",
        "install",
        "install_data",
        "install_egg_info",
        "install_headers",
        "install_lib",
        "install_scripts",
    }
)
# Every setuptools/distutils command a package can override with cmdclass;
# subclassing any of them puts code on the install/build path.
COMMAND_NAMES = PIP_RUNS | {
    "Command",
    "sdist",
    "alias",
    "bdist_dumb",
    "bdist_rpm",
    "bdist_wininst",
    "check",
    "clean",
    "config",
    "register",
    "rotate",
    "saveopts",
    "setopt",
    "test",
    "upload",
}

# Packages whose command classes a setup.py subclasses (numpy.distutils too).
_COMMAND_ROOTS = frozenset({"setuptools", "distutils", "wheel", "Cython", "numpy", "pybind11"})

# Python 2 builtins matter too: old malware still circulates as sdists.
_BUILTINS = frozenset(dir(builtins)) | {"execfile", "file", "unicode", "raw_input", "reload"}
BUILTIN_MODULES = ("builtins", "__builtins__", "__builtin__")

_EXACT: dict[str, Capability] = {
    "exec": Capability.EXEC,
    "eval": Capability.EXEC,
    "compile": Capability.EXEC,
    "execfile": Capability.EXEC,
    "os.system": Capability.PROCESS,
    "os.popen": Capability.PROCESS,
    "os.popen2": Capability.PROCESS,
    "os.popen3": Capability.PROCESS,
    "os.startfile": Capability.PROCESS,
    "pty.spawn": Capability.PROCESS,
    "platform.popen": Capability.PROCESS,
    "asyncio.create_subprocess_exec": Capability.PROCESS,
    "asyncio.create_subprocess_shell": Capability.PROCESS,
    "urllib.urlopen": Capability.NETWORK,
    "urllib.urlretrieve": Capability.NETWORK,
    "socket.socket": Capability.NETWORK,
    "socket.create_connection": Capability.NETWORK,
    "socket.gethostbyname": Capability.NETWORK,
    "socket.gethostbyname_ex": Capability.NETWORK,
    "socket.getaddrinfo": Capability.NETWORK,
    "codecs.decode": Capability.DECODE,
    "zlib.decompress": Capability.DECODE,
    "bz2.decompress": Capability.DECODE,
    "lzma.decompress": Capability.DECODE,
    "gzip.decompress": Capability.DECODE,
    "marshal.loads": Capability.DECODE,
    "bytes.fromhex": Capability.DECODE,
    "bytearray.fromhex": Capability.DECODE,
    "binascii.unhexlify": Capability.DECODE,
    "shutil.copy": Capability.FILE_WRITE,
    "shutil.copy2": Capability.FILE_WRITE,
    "shutil.copyfile": Capability.FILE_WRITE,
    "shutil.copyfileobj": Capability.FILE_WRITE,
    "shutil.copytree": Capability.FILE_WRITE,
    "shutil.move": Capability.FILE_WRITE,
}
_SUBPROCESS = frozenset(
    {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"}
)
_PREFIXES: tuple[tuple[str, Capability], ...] = (
    ("runpy.", Capability.EXEC),
    ("os.exec", Capability.PROCESS),
    ("os.spawn", Capability.PROCESS),
    ("os.posix_spawn", Capability.PROCESS),
    ("commands.", Capability.PROCESS),
    ("popen2.", Capability.PROCESS),
    ("urllib.request.", Capability.NETWORK),
    ("urllib2.", Capability.NETWORK),
    ("http.client.", Capability.NETWORK),
    ("httplib.", Capability.NETWORK),
    ("requests.", Capability.NETWORK),
    ("httpx.", Capability.NETWORK),
    ("aiohttp.", Capability.NETWORK),
    ("urllib3.", Capability.NETWORK),
    ("ftplib.", Capability.NETWORK),
    ("smtplib.", Capability.NETWORK),
    ("telnetlib.", Capability.NETWORK),
    ("xmlrpc.client.", Capability.NETWORK),
    ("xmlrpclib.", Capability.NETWORK),
    ("pycurl.", Capability.NETWORK),
    ("websocket.", Capability.NETWORK),
    ("websockets.", Capability.NETWORK),
    ("paramiko.", Capability.NETWORK),
    ("binascii.a2b_", Capability.DECODE),
)
# Codec names that make str/bytes .decode() (Python 2) or codecs.* a decoder.
DECODING_CODECS = frozenset(
    [
        "base64",
        "base_64",
        "base64_codec",
        "hex",
        "hex_codec",
        "zlib",
        "zip",
        "zlib_codec",
        "bz2",
        "bz2_codec",
        "rot13",
        "rot_13",
        "uu",
        "uu_codec",
    ]
)
_SELF_INVERSE_CODECS = frozenset(["rot13", "rot_13"])
_OPENERS = frozenset({"open", "io.open", "codecs.open", "os.fdopen", "gzip.open", "bz2.open"})
_FILE_READ_METHODS = frozenset({"read_text", "read_bytes"})
_FILE_WRITE_METHODS = frozenset({"write_text", "write_bytes"})
# Imported functions whose result is only as suspect as their arguments; any
# other imported function is opaque and makes a value DYNAMIC.
_TRANSPARENT_PREFIXES = (
    "re.",
    "os.path.",
    "string.",
    "textwrap.",
    "posixpath.",
    "ntpath.",
    "pathlib.",
    "io.StringIO",
    "io.BytesIO",
    "ast.literal_eval",
    "json.load",
    "tokenize.",
)
_OBFUSCATORS = frozenset({"chr", "reversed"})
# Serializers to data formats: what they write is data (a config, a report), whatever
# decoded text went into it; secrets, host facts and the environment stay in it.
_DATA_SERIALIZERS = frozenset(
    {
        "json.dumps",
        "json.dump",
        "yaml.dump",
        "yaml.safe_dump",
        "toml.dumps",
        "toml.dump",
        "tomli_w.dumps",
        "tomli_w.dump",
    }
)
# str/bytes methods whose constant arguments only say how to cut or convert the text.
_SEPARATOR_METHODS = frozenset(
    {"encode", "decode", "split", "rsplit", "partition", "rpartition", "strip", "lstrip", "rstrip"}
)
_ENVIRON = frozenset({"os.environ", "os.environb", "posix.environ", "nt.environ"})
_ENV_WHOLE_METHODS = frozenset({"copy", "items", "keys", "values", "__repr__", "__str__"})
_ENV_ONE_METHODS = frozenset({"get", "pop", "setdefault", "__getitem__"})
_GETENV = frozenset({"os.getenv", "os.getenvb", "os.environ.get"})
# Environment variables that name the host or the user.
HOST_ENV_VARS = frozenset(
    {"USER", "USERNAME", "LOGNAME", "HOSTNAME", "COMPUTERNAME", "USERDOMAIN", "HOST", "HOME"}
)
# Calls whose result identifies the machine or the person using it. Not
# platform.system()/python_version(): SDK user agents send those harmlessly.
HOST_CALLS = frozenset(
    {
        "socket.gethostname",
        "socket.getfqdn",
        "getpass.getuser",
        "os.getlogin",
        "os.getcwd",
        "os.getuid",
        "os.uname",
        "platform.node",
        "platform.uname",
        "uuid.getnode",
        "pwd.getpwuid",
    }
)
# Shell commands whose output is what HOST_CALLS return (who and where this is: user,
# host, address, working folder and what is in it) or the whole environment. Each is
# matched against one command of a line (``whoami && hostname`` is two), alone or with
# options; ``uname`` only where it prints the host's name.
_HOST_COMMAND = re.compile(
    r"(?:\S*[/\\])?(?:whoami|hostname|id|systeminfo|ifconfig|ipconfig|pwd|ls|dir)(?:\.exe)?"
    r"(?:\s+\S+)*"
    r"|uname\s+(?:-\w*[an]\w*|--all|--nodename)(?:\s+-\S*)*|cd"
    r"|cat\s+/etc/(?:passwd|hosts|hostname|issue|os-release)|net\s+(?:user|config|localgroup)\b.*",
    re.IGNORECASE,
)
_ENV_COMMAND = re.compile(r"(?:\S*/)?(?:env|printenv|set)(?:\.exe)?", re.IGNORECASE)
_COMMAND_SPLIT = re.compile(r"\s*(?:&&|\|\||[;&|\n])\s*")
# Fields of a uname() result that say what kind of machine runs the code, not which one
# (platform.uname().machine in a prebuilt binary's download URL); node names the host.
_UNAME_CALLS = frozenset({"os.uname", "platform.uname"})
_UNAME_KIND_FIELDS = frozenset({"machine", "system", "release", "sysname", "processor"})
_UNAME_NODE_INDEXES = frozenset({1, -4, -5})  # -4 in os.uname()'s five, -5 in platform's six
# Process calls that give back a status, not what the command printed.
_STATUS_ONLY = frozenset(
    {"os.system", "os.startfile", "subprocess.call", "subprocess.check_call", "pty.spawn"}
)


def command_facts(command: str) -> Origin:
    """What the output of a shell ``command`` line tells: HOST facts, the whole ENV, or NONE."""
    found = Origin.NONE
    for part in _COMMAND_SPLIT.split(command.strip()):
        if _ENV_COMMAND.fullmatch(part):
            found |= Origin.ENV
        elif _HOST_COMMAND.fullmatch(part):
            found |= Origin.HOST
    return found


# Services whose only purpose is telling a caller its public address.
IP_LOOKUP = re.compile(
    r"ipinfo\.io|ifconfig\.(me|co)|ipify\.org|icanhazip|checkip\.|ip-api\.com|myexternalip"
    r"|ipecho\.net|wtfismyip|ident\.me|ipapi\.co|httpbin\.org/ip",
    re.IGNORECASE,
)
# Paths of credential stores, by kind: a module naming several kinds is harvesting.
CREDENTIAL_PATHS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("ssh", r"\.ssh[/\\]+(id_|identity|[^\s\"']*\*)|\bid_(rsa|dsa|ecdsa|ed25519)\b"),
        ("aws", r"\.aws[/\\]+(credentials|config)\b"),
        ("gcloud", r"application_default_credentials\.json|\.config[/\\]+gcloud\b"),
        ("azure", r"\.azure[/\\]"),
        ("kube", r"\.kube[/\\]+config\b|/var/run/secrets/kubernetes\.io"),
        ("docker", r"\.docker[/\\]+config\.json"),
        (
            "browser",
            r"\bLogin Data\b|\bWeb Data\b|[/\\]Cookies\b|cookies\.sqlite|logins\.json"
            r"|key[34]\.db\b|\bLocal State\b",
        ),
        ("discord", r"discord(canary|ptb)?[/\\]|Local Storage[/\\]+leveldb"),
        (
            "wallet",
            r"wallet\.dat|[/\\]Electrum[/\\]|Exodus[/\\]|Ethereum[/\\]+keystore"
            r"|atomic[/\\]+Local Storage|[/\\]Armory[/\\]|MetaMask",
        ),
        ("telegram", r"Telegram Desktop[/\\]+tdata|[/\\]tdata\b"),
        (
            "game-launcher",
            r"launcher_accounts\w*\.json|microsoft_accounts\.json"
            r"|\.lunarclient[/\\]+settings[/\\]+game[/\\]+accounts\.json",
        ),
        ("proc-environ", r"/proc/[^/\s]+/environ"),
        ("shadow", r"/etc/shadow\b|/etc/gshadow\b"),
        ("netrc", r"(^|[/\\~])\.(netrc|pgpass|git-credentials|my\.cnf)\b"),
        ("history", r"\.(bash|zsh)_history\b"),
        ("cloud-metadata", r"169\.254\.169\.254|metadata\.google\.internal"),
    )
)
# Methods that read a sound's samples or an image's pixels: where stego payloads hide.
# Methods of network objects (sockets, sessions, connections) that send or receive.
NETWORK_METHODS = frozenset(
    {
        "connect",
        "connect_ex",
        "send",
        "sendall",
        "sendto",
        "sendfile",
        "sendmsg",
        "recv",
        "recv_into",
        "recvfrom",
        "accept",
        "request",
        "urlopen",
        "open",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "getresponse",
        "sendmail",
        "send_message",
        "storbinary",
        "storlines",
        "retrbinary",
        "exec_command",
    }
)
_BUFFERS = frozenset({"io.BytesIO", "io.StringIO"})  # in-memory files
# Taint a helper function passes from its arguments to its result.
_CARRIED = Origin.ENV | Origin.HOST | Origin.SECRET | Origin.STEGO
# A mapping that may hold every environment variable: os.environ, or a parameter.
_MAPPINGS = Origin.ENV | Origin.PARAM
_STEGO_METHODS = frozenset({"readframes", "getdata", "getpixel", "load", "tobytes"})
_STEGO_ROOTS = ("wave.", "PIL.", "Image.", "imageio.", "cv2.", "sunau.", "aifc.")


def credential_kind(text: str) -> str | None:
    """The kind of credential store a path-like ``text`` names, if any."""
    if len(text) > 1000:
        return None
    for kind, pattern in CREDENTIAL_PATHS:
        if pattern.search(text):
            return kind
    return None


_IMPORTERS = frozenset({"__import__", "importlib.__import__", "importlib.import_module"})
# eval("exec"), eval("__import__('os')"): a name or lookup evaluated is what it names.
_MAX_EVALUATED_CHARS = 200
_DECODE_EXEC_TARGETS = frozenset({"exec", "eval", "compile"})
# Methods of cipher objects (Fernet, AES, ...): what they return was hidden by encryption.
_DECRYPT_METHODS = frozenset({"decrypt", "decrypt_and_verify", "decrypt_at_time"})


def _decrypts(call: ast.Call) -> bool:
    """``<cipher>.decrypt(...)``: decrypted data is decoded data."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in _DECRYPT_METHODS


# Names without one of which no value is DECODE or OBFUSCATED, for readers that look at
# bytes: the modules of the decoders above (base64.*decode*, binascii.a2b_*) and the last
# part of every other decoding call, cipher methods, the obfuscating builtins. What else
# hides a value is a shape, not a name: "[::-1]", XOR, bytes([...]), .decode("<codec>").
DECODER_NAMES: frozenset[str] = frozenset(
    {"base64", "binascii", "codecs"}
    | {
        # codecs.decode, marshal.loads: the module; the function's name is everywhere.
        module if function in ("decode", "loads") else function
        for name, capability in _EXACT.items()
        if capability is Capability.DECODE
        for module, _, function in [name.rpartition(".")]
    }
    | _DECRYPT_METHODS
    | _OBFUSCATORS
)
# What a call is classified NETWORK by: a qualname equal to one of these or below one.
NETWORK_CALLS: tuple[str, ...] = tuple(
    [p.rstrip(".") for p, capability in _PREFIXES if capability is Capability.NETWORK]
    + [name for name, capability in _EXACT.items() if capability is Capability.NETWORK]
)


_INIT_METHODS = ("__init__", "__new__", "__post_init__", "__call__", "__enter__", "__exit__")
# Dunders whose replacement on someone else's class hooks every use of it.
PATCHED_DUNDERS = frozenset(
    {
        "__init__",
        "__new__",
        "__call__",
        "__enter__",
        "__exit__",
        "__getattr__",
        "__getattribute__",
        "__setattr__",
        "__del__",
        "__post_init__",
        "__init_subclass__",
    }
)
# Keywords that hand a function to a command-line or GUI toolkit, to run on the user's action.
_EVENT_KEYWORDS = frozenset({"callback", "command"})
_COLLECTIONS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
# The scope of an `if __name__ == "__main__":` block when the file is imported.
MAIN_SCOPE = "<main>"
# The scope of a script's block for a command pip never gives (`if sys.argv[-1] == "publish":`).
BY_HAND_SCOPE = "<by hand>"
# Commands pip and build front ends give setup.py, and the setuptools commands they run.
BUILD_COMMANDS = frozenset(
    {
        "install",
        "develop",
        "egg_info",
        "dist_info",
        "bdist_wheel",
        "editable_wheel",
        "bdist_egg",
        "bdist",
        "build",
        "build_py",
        "build_ext",
        "build_clib",
        "build_scripts",
        "build_src",
        "install_lib",
        "install_scripts",
        "install_data",
        "install_headers",
        "install_egg_info",
    }
)

_Entry = tuple[ast.AST, str, str, "str | None"]
_Handler = Callable[[_Entry, list[_Entry]], bool]
# Fields that never hold a node worth visiting: expression contexts, operators
# (singletons) and identifiers.
_LEAF_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "name",
        "arg",
        "asname",
        "module",
        "level",
        "kind",
        "type_comment",
        "is_async",
        "conversion",
        "names",
        "type_ignores",
        "kwd_attrs",
        "rest",
    }
)
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
    _CHILD_FIELDS[kind] = fields
    return fields


def walk_values(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``node``'s tree in :func:`ast.walk`'s order, without the leaf fields.

    Contexts, operators and identifiers (:data:`_LEAF_FIELDS`) are not visited:
    no constant or name is found under them, and skipping them makes this walk,
    done for many expressions of every file, several times faster.
    """
    todo = deque([node])
    pop, extend = todo.popleft, todo.extend
    fields_of = _CHILD_FIELDS
    while todo:
        node = pop()
        kind = type(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = _child_fields(kind)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                extend(child for child in value if isinstance(child, ast.AST))
            elif isinstance(value, ast.AST):
                todo.append(value)
        yield node


# Methods that register a function for later (a CLI command, a web route) without calling it.
_REGISTRARS = frozenset(
    {
        "add_command",
        "add_typer",
        "add_url_rule",
        "add_api_route",
        "add_route",
        "add_websocket_route",
    }
)


def _no_children(entry: _Entry, stack: list[_Entry]) -> bool:
    return True


def _is_main_test(test: ast.expr) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_main_test(value) for value in test.values)
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if _const_str(s) == "__main__"]
    return len(names) == 1 and len(consts) == 1


def _is_argv(expr: ast.expr, names: frozenset[str]) -> bool:
    """``sys.argv``, ``argv``, a slice or word of it, or a name bound to one."""
    while type(expr) is ast.Subscript:
        expr = expr.value
    if type(expr) is ast.Attribute:
        return expr.attr == "argv" and type(expr.value) is ast.Name and expr.value.id == "sys"
    return type(expr) is ast.Name and (expr.id == "argv" or expr.id in names)


def _by_hand_words(expr: ast.expr) -> bool:
    """A word, or a tuple, list or set of words, none of them a command pip may give."""
    items = expr.elts if isinstance(expr, ast.Tuple | ast.List | ast.Set) else [expr]
    words = [_const_str(item) for item in items]
    return bool(words) and all(
        word is not None and word not in BUILD_COMMANDS and not word.startswith("-")
        for word in words
    )


def _by_hand_test(test: ast.expr, names: frozenset[str]) -> bool:
    """Whether ``test`` holds only when a script is run with a command pip never gives.

    ``sys.argv[-1] == "publish"``, ``"upload" in sys.argv`` or ``cmd in ("tag",
    "release")`` with ``cmd = sys.argv[1]``: the maintainer's release chores in a
    setup.py. A test naming a command pip or a build front end runs (install,
    egg_info, bdist_wheel…) or an option does not count.
    """
    if isinstance(test, ast.BoolOp):
        parts = [_by_hand_test(value, names) for value in test.values]
        return any(parts) if isinstance(test.op, ast.And) else all(parts)
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Eq | ast.In):
        return False
    # sys.argv[1] == "tag", "tag" in sys.argv, cmd in ("tag", "release"): either side.
    left, right = test.left, test.comparators[0]
    return (_is_argv(left, names) and _by_hand_words(right)) or (
        _is_argv(right, names) and _by_hand_words(left)
    )


def classify(qualname: str | None, call: ast.Call | None = None) -> frozenset[Capability]:
    """The capability categories of a call to ``qualname``.

    ``call`` lets arguments refine the answer (``open(p, "w")`` writes a
    file; ``x.decode("base64")`` decodes) and lets a method call on a value
    the analysis cannot name still be classified by its attribute.
    """
    found: set[Capability] = set()
    if qualname is not None:
        found.update(_classify_name(qualname))
        if call is not None and qualname in _OPENERS and _writes(call):
            found.add(Capability.FILE_WRITE)
        if call is not None and qualname in ("codecs.encode", "codecs.decode"):
            codec = _const_str(_arg(call, 1, "encoding"))
            # Encoding to base64 or hex hides nothing; rot13 is its own inverse.
            decoders = DECODING_CODECS if qualname == "codecs.decode" else _SELF_INVERSE_CODECS
            if codec is not None and codec.lower() in decoders:
                found.add(Capability.DECODE)
    if call is not None and type(call.func) is ast.Attribute:
        attr = call.func.attr
        if attr in _FILE_WRITE_METHODS:
            found.add(Capability.FILE_WRITE)
        elif attr == "decode" and call.args:
            codec = _const_str(call.args[0])
            if codec is not None and codec.lower() in DECODING_CODECS:
                found.add(Capability.DECODE)
    return frozenset(found) if found else _NOTHING


_NOTHING: frozenset[Capability] = frozenset()


@functools.lru_cache(maxsize=4096)
def _classify_name(qualname: str) -> frozenset[Capability]:
    """The capabilities a call to ``qualname`` has whatever its arguments."""
    found: set[Capability] = set()
    exact = _EXACT.get(qualname)
    if exact is not None:
        found.add(exact)
    module, _, name = qualname.rpartition(".")
    if module == "subprocess" and name in _SUBPROCESS:
        found.add(Capability.PROCESS)
    elif module == "base64" and "decode" in name:
        found.add(Capability.DECODE)
    for prefix, capability in _PREFIXES:
        if qualname.startswith(prefix):
            found.add(capability)
    return frozenset(found)


def parse(source: str | bytes) -> ast.Module | None:
    """Parse ``source`` into a tree, or None when it cannot be.

    None covers syntax errors (Python 2, truncated files), null bytes, nesting
    deep enough to exhaust the parser, and files over :data:`MAX_AST_BYTES`.
    Callers then skip AST-based rules and fall back to byte checks. Inside
    :func:`shared_parses` the tree is shared: callers must not change it.
    """
    if len(source) > MAX_AST_BYTES:
        return None
    text = decode_source(source) if isinstance(source, bytes) else source
    shared = _SHARED.get()
    if shared is None:
        return _parse(text)
    return shared.entry(text).tree


def _names_a_type(expr: ast.expr) -> bool:
    """Whether ``expr`` is only names, strings and None put together as a type is
    (``Job``, ``dict[str, Job]``, ``Job | None``): evaluating it creates nothing."""
    pending = [expr]
    while pending:
        node = pending.pop()
        kind = type(node)
        if kind is ast.Name or kind is ast.Constant:
            continue
        if kind is ast.Tuple:
            pending.extend(node.elts)  # type: ignore[attr-defined]
        elif kind is ast.Subscript:
            pending += (node.value, node.slice)  # type: ignore[attr-defined]
        elif kind is ast.BinOp and type(node.op) is ast.BitOr:  # type: ignore[attr-defined]
            pending += (node.left, node.right)  # type: ignore[attr-defined]
        else:
            return False
    return True


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like are the scanned author's
            # problem, not output for depvet's user.
            warnings.simplefilter("ignore")
            try:
                return ast.parse(text)
            except IndentationError:
                if "\t" not in text:
                    raise
                # Tabs and spaces mixed: Python 2 ran such files, reading a tab as
                # the way to the next multiple of eight columns.
                return ast.parse(_python2_indents(text))
    except _PARSE_ERRORS:
        return None


_LEADING_TABS = re.compile(r"^[ \t]*\t[ \t]*", re.MULTILINE)


def _python2_indents(text: str) -> str:
    """``text`` with tabs in each line's indentation expanded as Python 2 read them."""
    return _LEADING_TABS.sub(lambda match: match.group(0).expandtabs(8), text)


def analyze(source: str | bytes, *, main_runs: bool = True) -> ModuleAnalysis | None:
    """Parse and analyse ``source``; None when it does not parse (see :func:`parse`).

    ``main_runs`` is False for modules that are imported rather than run as a
    script (see :class:`ModuleAnalysis`). Inside :func:`shared_parses` the
    analysis is shared by every caller with the same source and ``main_runs``.
    """
    text = decode_source(source) if isinstance(source, bytes) else source
    if len(source) > MAX_AST_BYTES or len(text) > MAX_AST_BYTES:
        return None
    shared = _SHARED.get()
    if shared is None:
        return _analyze(_parse(text), text, main_runs)
    entry = shared.entry(text)
    if main_runs not in entry.analyses:
        entry.analyses[main_runs] = _analyze(entry.tree, text, main_runs)
    return entry.analyses[main_runs]


def _analyze(tree: ast.Module | None, text: str, main_runs: bool) -> ModuleAnalysis | None:
    if tree is None:
        return None
    try:
        return ModuleAnalysis(tree, text, main_runs=main_runs)
    except (RecursionError, MemoryError):
        # A tree deep enough to defeat the walk is treated as unparsable.
        return None


@dataclass(slots=True, kw_only=True)
class _Parsed:
    """One source's tree and its analyses, by ``main_runs``."""

    tree: ast.Module | None
    analyses: dict[bool, ModuleAnalysis | None] = field(default_factory=dict)


class SharedParses:
    """The trees and analyses of recently parsed sources, for :func:`shared_parses`.

    Least recently used sources are dropped once the sources held add up to more
    than ``max_chars``: a tree takes many times its source's memory.
    """

    def __init__(self, max_chars: int = MAX_AST_BYTES) -> None:
        """Hold at most ``max_chars`` characters of source (always the latest one)."""
        self.max_chars = max_chars
        self.parsed = 0  # sources parsed, for tests and profiling
        self._entries: OrderedDict[str, _Parsed] = OrderedDict()
        self._chars = 0

    def entry(self, text: str) -> _Parsed:
        """The parsed ``text``: from the memo, or parsed now and remembered."""
        found = self._entries.get(text)
        if found is not None:
            self._entries.move_to_end(text)
            return found
        found = _Parsed(tree=_parse(text))
        self.parsed += 1
        self._entries[text] = found
        self._chars += len(text)
        while self._chars > self.max_chars and len(self._entries) > 1:
            dropped, _ = self._entries.popitem(last=False)
            self._chars -= len(dropped)
        return found


_SHARED: ContextVar[SharedParses | None] = ContextVar("depvet_shared_parses", default=None)


@contextmanager
def shared_parses(max_chars: int = MAX_AST_BYTES) -> Iterator[SharedParses]:
    """Within the block, each distinct source is parsed and analysed once.

    The detectors of one file each parse it (and the layers decoded from it);
    the pipeline runs them in this block so they share the trees instead. What
    is shared is read-only to its callers; a shared analysis answers from the
    memos its earlier callers filled.
    """
    shared = SharedParses(max_chars)
    token = _SHARED.set(shared)
    try:
        yield shared
    finally:
        _SHARED.reset(token)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallSite:
    """One call expression, resolved and classified."""

    node: ast.Call
    qualname: str | None  # e.g. "subprocess.Popen"; None when the target is unknowable
    capabilities: frozenset[Capability]
    scope: str  # qualified name of the enclosing function, "" for module level
    receiver: str | None = None  # for obj.method(): what made obj, e.g. "socket.socket"

    @property
    def line(self) -> int:
        """1-based line of the call."""
        return self.node.lineno

    @property
    def display(self) -> str:
        """A short name for messages: the qualified name, else the called attribute."""
        if self.qualname is not None:
            return self.qualname
        if isinstance(self.node.func, ast.Attribute):
            return f"….{self.node.func.attr}"
        return "a call"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileWrite:
    """A call that writes a file, with what it writes and where, when they can be read."""

    site: CallSite
    path: ast.expr | None  # the path expression, when the call names one
    data: Origin  # where the written bytes come from


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionInfo:
    """A function or method definition."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda  # f = lambda ...: a function too
    qualname: str
    parent: str  # the scope it is defined in (names resolve through it)
    cls: str | None  # qualified name of the class when it is a method
    params: frozenset[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassInfo:
    """A class definition."""

    node: ast.ClassDef
    qualname: str
    parent: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CmdclassUse:
    """A ``cmdclass`` value given to setup() (keyword or dict key)."""

    value: ast.expr
    scope: str
    line: int
    commands: tuple[str, ...]  # command names overridden, when they can be read
    classes: tuple[str, ...]  # local classes it names
    # (command name, local class) where a literal name maps to a class; ``paired`` is
    # False when some class it names is not written next to a literal name.
    registered: tuple[tuple[str, str], ...] = ()
    paired: bool = False


class ModuleAnalysis:
    """Everything one walk of a module's tree reveals; see the module docstring."""

    def __init__(self, tree: ast.Module, source: str, *, main_runs: bool = True) -> None:
        """Walk ``tree`` (parsed from ``source``) once and resolve what it found.

        ``main_runs`` says whether an ``if __name__ == "__main__":`` block runs
        when the module does (a setup.py is run as a script); when False its
        body gets the scope :data:`MAIN_SCOPE`, which is never loaded.
        """
        self.tree = tree
        self._main_runs = main_runs
        # (target, value, scope) of `Something.__init__ = value` assignments.
        self.patches: list[tuple[ast.Attribute, ast.expr, str]] = []
        self._lines = source.splitlines()
        # Memos with in-progress markers: names bound to each other (a = b; b = a)
        # and many bindings of one name would otherwise make lookups exponential.
        self._qualname_cache: dict[tuple[str, str], str | None] = {}
        self._origin_cache: dict[tuple[str, str], Origin] = {}
        # strings() by (id of an expression of this tree, scope); the tree outlives it.
        self._strings_cache: dict[tuple[int, str], tuple[str, ...]] = {}
        self._busy: set[tuple[str, str, str]] = set()
        self.functions: dict[str, FunctionInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.imports: dict[str, str] = {}  # bound name -> qualified module/object name
        self._stars: list[str] = []
        self._raw_calls: list[tuple[ast.Call, str]] = []
        self._names: defaultdict[str, set[str]] = defaultdict(set)
        self._subclassed: defaultdict[str, set[str]] = defaultdict(set)  # base classes by name
        self._attr_refs: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
        self._attributes: defaultdict[str, list[tuple[ast.Attribute, str]]] = defaultdict(list)
        self._assigns: defaultdict[str, defaultdict[str, list[ast.expr]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._subscript_keys: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        # (id of a value, name) -> the key it was stored under (d["k"] = v), ".attr" for an
        # attribute (d.attr = v), or None for a key not written out or a deeper store
        # (d[k] = v, d.a.b = v).
        self._stored_under: dict[tuple[int, str], str | None] = {}
        self._loop_names: defaultdict[str, set[str]] = defaultdict(set)  # for/comprehension targets
        # `with X as name:` by (scope, name): the statement and X, for uses in its body.
        self._with_names: defaultdict[
            tuple[str, str], list[tuple[ast.With | ast.AsyncWith, ast.expr]]
        ] = defaultdict(list)
        self._iterated: set[int] = set()  # ids of the calls for loops iterate over
        self._rebinds: dict[int, frozenset[str]] = {}  # names a with body binds, by id of the with
        self._flows: dict[str, dict[str, Origin]] = {}  # see _flowing_params
        self._by_receiver: dict[str, dict[str, list[ast.expr]]] | None = None
        self._returns: defaultdict[str, list[ast.expr]] = defaultdict(list)
        # Names a scope only returns (return wrapper): handing a function back calls nothing.
        self._returned: defaultdict[str, set[str]] = defaultdict(set)
        self._cmdclass_raw: list[tuple[ast.expr, str, int]] = []
        self._decorated: list[tuple[str, str, ast.expr]] = []  # (function, scope, decorator)
        self._walk()

        self.calls: tuple[CallSite, ...] = tuple(
            sorted(
                (self._site(node, scope) for node, scope in self._raw_calls),
                key=lambda s: (s.node.lineno, s.node.col_offset),
            )
        )
        self._by_node: dict[int, CallSite] = {id(s.node): s for s in self.calls}
        for function, scope, decorator in self._decorated:
            if self.qualname(decorator, scope) == "atexit.register":
                # Registered for interpreter exit: it runs as surely as a call.
                self._names[scope].add(function.rsplit(".", 1)[-1])
        self._applied, self._wrappers = self._decorators()
        self.cmdclass: tuple[CmdclassUse, ...] = tuple(
            self._cmdclass_use(value, scope, line) for value, scope, line in self._cmdclass_raw
        )
        self.command_classes: frozenset[str] = self._command_classes()
        self.load_scopes: frozenset[str] = self._reach([""])
        hooks = [f.qualname for f in self.functions.values() if f.cls in self.command_classes]
        self.hook_scopes: frozenset[str] = self._reach(hooks)

    # -- the walk ---------------------------------------------------------------------------

    def _walk(self) -> None:
        # Iterative, so deeply nested input cannot exhaust the C stack here.
        # Each entry: node, running scope, naming prefix, enclosing class.
        # Dispatch is on the exact node type (a dict lookup, not an isinstance
        # chain) and children are read from a per-type list of the fields that
        # can hold nodes, skipping contexts, operators and identifiers.
        handlers = self._handlers
        names = self._names
        name_kind, load_kind, constant_kind = ast.Name, ast.Load, ast.Constant
        subscript_kind = ast.Subscript
        stack: list[_Entry] = [(self.tree, "", "", None)]
        pop = stack.pop
        push = stack.append
        while stack:
            entry = pop()
            node = entry[0]
            kind = type(node)
            if kind is name_kind:  # the commonest node by far: handled inline
                if type(node.ctx) is load_kind:  # type: ignore[attr-defined]
                    names[entry[1]].add(node.id)  # type: ignore[attr-defined]
                continue
            if kind is subscript_kind:
                index = node.slice  # type: ignore[attr-defined]
                if type(index) is name_kind or (
                    type(index) is not constant_kind and _names_a_type(index)
                ):
                    # Sequence[Job], dict[str, Job]: a type parameter names a class and
                    # creates nothing; an index names no function to run.
                    push((node.value, entry[1], entry[2], entry[3]))  # type: ignore[attr-defined]
                    continue
            handler = handlers.get(kind)
            if handler is not None and handler(entry, stack):
                continue
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                fields = _child_fields(kind)
            for name in fields:
                value = getattr(node, name, None)
                if value is None:
                    continue
                # Constants (most of a data table's nodes) have nothing to visit.
                if type(value) is list:
                    for child in value:
                        if type(child) is not constant_kind and isinstance(child, ast.AST):
                            push((child, entry[1], entry[2], entry[3]))
                elif type(value) is not constant_kind and isinstance(value, ast.AST):
                    push((value, entry[1], entry[2], entry[3]))

    @property
    def _handlers(self) -> dict[type[ast.AST], _Handler]:
        return {
            ast.FunctionDef: self._on_function,
            ast.AsyncFunctionDef: self._on_function,
            ast.ClassDef: self._on_class,
            ast.Call: self._on_call,
            ast.Attribute: self._on_attribute,
            ast.Import: self._on_import,
            ast.ImportFrom: self._on_import_from,
            ast.Assign: self._on_assign,
            ast.AnnAssign: self._on_aug_assign,
            ast.AugAssign: self._on_aug_assign,
            ast.NamedExpr: self._on_named_expr,
            ast.For: self._on_for,
            ast.AsyncFor: self._on_for,
            ast.comprehension: self._on_for,
            ast.With: self._on_with,
            ast.AsyncWith: self._on_with,
            ast.Return: self._on_return,
            ast.keyword: self._on_keyword,
            ast.Dict: self._on_dict,
            ast.If: self._on_if,
            ast.Constant: _no_children,
        }

    def _on_function(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node, scope, prefix, cls = entry
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        qualname = prefix + node.name
        self.functions[qualname] = FunctionInfo(
            node=node,
            qualname=qualname,
            parent=scope,
            cls=cls,
            params=frozenset(_param_names(node.args)),
        )
        # Decorators and defaults run where the function is defined; a default
        # that is only a name (f=format_flamegraph) runs nothing by being named.
        defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        outer: list[ast.AST] = [*node.decorator_list]
        outer += [d for d in defaults if not isinstance(d, ast.Name)]
        stack.extend((child, scope, prefix, cls) for child in outer)
        self._decorated.extend((qualname, scope, d) for d in node.decorator_list)
        stack.extend((child, qualname, qualname + ".", None) for child in node.body)
        return True

    def _on_class(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node, scope, prefix, _ = entry
        assert isinstance(node, ast.ClassDef)
        qualname = prefix + node.name
        self.classes[qualname] = ClassInfo(node=node, qualname=qualname, parent=scope)
        # Naming a base class creates nothing: only its __init_subclass__ runs.
        self._subclassed[scope].update(b.id for b in node.bases if isinstance(b, ast.Name))
        outer: list[ast.AST] = [base for base in node.bases if type(base) is not ast.Name]
        outer += [*node.keywords, *node.decorator_list]
        stack.extend((child, scope, prefix, entry[3]) for child in outer)
        stack.extend((child, scope, qualname + ".", qualname) for child in node.body)
        return True

    def _on_call(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        self._raw_calls.append((node, entry[1]))  # type: ignore[arg-type]
        func = node.func  # type: ignore[attr-defined]
        if type(func) is not ast.Attribute:
            return False
        if type(func.value) is ast.Name:
            # fetch.callback(url), task.delay(): a method of a function may run it.
            self._names[entry[1]].add(func.value.id)
        if func.attr not in _REGISTRARS:
            return False
        # cli.add_command(up): a command registered with a CLI or a web app runs when
        # the user or a request asks for it, not now; its name is no call.
        args = [a for a in node.args if type(a) is not ast.Name]  # type: ignore[attr-defined]
        children = [func, *args, *node.keywords]  # type: ignore[attr-defined]
        stack.extend((child, entry[1], entry[2], entry[3]) for child in children)
        return True

    def _on_attribute(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node, scope = entry[0], entry[1]
        assert isinstance(node, ast.Attribute)
        self._attributes[node.attr].append((node, scope))
        value = node.value
        if type(value) is ast.Name:
            # f.cache_clear, Config.DEBUG: reading an attribute of a function or a class
            # calls neither (a call of one is counted in _on_call); a method named so is
            # followed through _attr_refs.
            self._attr_refs[scope].add((value.id, node.attr))
            return True
        if type(value) is ast.Call:  # Tool().run(): the class's method runs
            value = value.func
        if type(value) is ast.Name:
            self._attr_refs[scope].add((value.id, node.attr))
        return False

    def _on_import(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.Import)
        for alias in node.names:
            if alias.asname:
                self.imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".", 1)[0]
                self.imports[top] = top
        return True

    def _on_import_from(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.ImportFrom)
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self._stars.append(module)
            else:
                sep = "" if module.endswith(".") else "."
                self.imports[alias.asname or alias.name] = f"{module}{sep}{alias.name}"
        return True

    def _on_assign(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node, scope, prefix, cls = entry
        assert isinstance(node, ast.Assign)
        value = node.value
        for target in node.targets:
            self._bind(target, value, scope)
            if type(target) is ast.Attribute and target.attr in PATCHED_DUNDERS:
                self.patches.append((target, value, scope))
        if type(value) is ast.Lambda and len(node.targets) == 1:
            target = node.targets[0]
            if type(target) is ast.Name:
                # f = lambda ...: a function in all but syntax; its body runs
                # only when f is called.
                qualname = prefix + target.id
                self.functions[qualname] = FunctionInfo(
                    node=value,
                    qualname=qualname,
                    parent=scope,
                    cls=cls,
                    params=frozenset(_param_names(value.args)),
                )
                self._returns[qualname].append(value.body)
                stack.extend((t, scope, prefix, cls) for t in node.targets)
                stack.extend((d, scope, prefix, cls) for d in value.args.defaults)
                stack.append((value.body, qualname, qualname + ".", None))
                return True
        # Client = HttpClient names the class or function under another name; it runs
        # nothing. The new name, used where it runs, stands for it (see _callees).
        return type(value) is ast.Name and all(type(t) is ast.Name for t in node.targets)

    def _on_aug_assign(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.AnnAssign | ast.AugAssign)
        if node.value is not None:
            self._bind(node.target, node.value, entry[1])
        if type(node) is ast.AnnAssign and _names_a_type(node.annotation):
            # x: list[Job] = []: the annotation names a class and creates nothing.
            stack.append((node.target, *entry[1:]))
            if node.value is not None:
                stack.append((node.value, *entry[1:]))
            return True
        return False

    def _on_named_expr(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.NamedExpr)
        self._bind(node.target, node.value, entry[1])
        return False

    def _on_for(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.For | ast.AsyncFor | ast.comprehension)
        self._bind(node.target, node.iter, entry[1])
        if type(node.iter) is ast.Call:
            self._iterated.add(id(node.iter))
        self._loop_names[entry[1]].update(
            n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)
        )
        return False

    def _on_with(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.With | ast.AsyncWith)
        for item in node.items:
            target = item.optional_vars
            if target is None:
                continue
            self._bind(target, item.context_expr, entry[1])
            if isinstance(target, ast.Name) and node.body:
                self._with_names[(entry[1], target.id)].append((node, item.context_expr))
        return False

    def _on_return(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.Return)
        if node.value is not None:
            self._returns[entry[1]].append(node.value)
        if type(node.value) is ast.Name:
            self._returned[entry[1]].add(node.value.id)
            return True  # the name alone: returned, not used
        return False

    def _on_keyword(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.keyword)
        if node.arg == "cmdclass":
            self._cmdclass_raw.append((node.value, entry[1], node.value.lineno))
        # Option(callback=f), Button(command=f): f runs when the user picks the
        # option or the button, not because the code defining them ran.
        if node.arg in _EVENT_KEYWORDS and type(node.value) is ast.Name:
            return True
        value = node.value
        if node.arg != "commands" or not isinstance(value, _COLLECTIONS):
            return False
        # click.group(commands={"up": up}): the group's commands, run when asked for.
        if isinstance(value, ast.Dict):
            items = [*(k for k in value.keys if k is not None), *value.values]
        else:
            items = value.elts
        stack.extend(
            (item, entry[1], entry[2], entry[3]) for item in items if type(item) is not ast.Name
        )
        return True

    def _on_dict(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node = entry[0]
        assert isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True):
            if type(key) is ast.Constant and key.value == "cmdclass":
                self._cmdclass_raw.append((value, entry[1], value.lineno))
        return False

    def _on_if(self, entry: _Entry, stack: list[_Entry]) -> bool:
        node, scope, prefix, cls = entry
        assert isinstance(node, ast.If)
        if scope != "" or cls is not None:
            return False
        if not self._main_runs and _is_main_test(node.test):
            # `if __name__ == "__main__":` runs when the file is executed, never on import.
            body_scope = MAIN_SCOPE
        elif self._main_runs and _by_hand_test(node.test, self._argv_names):
            # `if sys.argv[-1] == "publish":` in a script: a command pip never gives.
            body_scope = BY_HAND_SCOPE
        else:
            return False
        stack.append((node.test, scope, prefix, cls))
        stack.extend((child, body_scope, prefix, cls) for child in node.body)
        stack.extend((child, scope, prefix, cls) for child in node.orelse)
        return True

    @functools.cached_property
    def _argv_names(self) -> frozenset[str]:
        """Module-level names bound to the command line or one of its words."""
        return frozenset(
            target.id
            for statement in self.tree.body
            if type(statement) is ast.Assign and _is_argv(statement.value, frozenset())
            for target in statement.targets
            if type(target) is ast.Name
        )

    def _bind(self, target: ast.expr, value: ast.expr, scope: str) -> None:
        # Unpacking gives every name the whole value: coarse, but it never
        # loses a source, which is what taint-style questions need. A tuple written
        # out element by element (a, b = x, y) pairs them.
        if isinstance(target, ast.Name):
            self._assigns[scope][target.id].append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            if _pairs(target, value):
                for element, item in zip(target.elts, value.elts, strict=True):  # type: ignore[attr-defined]
                    self._bind(element, item, scope)
                return
            for element in target.elts:
                self._bind(element, value, scope)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, value, scope)
        elif isinstance(target, ast.Subscript | ast.Attribute):
            # d["k"] = v and obj.attr = v: v flows into d / obj.
            base = target.value
            while isinstance(base, ast.Subscript | ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name):
                self._assigns[scope][base.id].append(value)
                if isinstance(target, ast.Subscript):
                    key = _const_str(target.slice)
                    if key is not None:
                        self._subscript_keys[(scope, base.id)].append(key)
                else:
                    key = "." + target.attr
                self._stored_under[(id(value), base.id)] = key if target.value is base else None

    # -- names ------------------------------------------------------------------------------

    def _parent(self, scope: str) -> str:
        info = self.functions.get(scope)
        return info.parent if info is not None else ""

    def _scope_chain(self, scope: str) -> Iterator[str]:
        seen: set[str] = set()
        while scope not in seen:
            seen.add(scope)
            yield scope
            if scope == "":
                return
            scope = self._parent(scope)

    def resolve_def(self, scope: str, name: str) -> str | None:
        """Qualified name of the function or class ``name`` means inside ``scope``."""
        for outer in self._scope_chain(scope):
            candidate = f"{outer}.{name}" if outer else name
            if candidate in self.functions or candidate in self.classes:
                return candidate
        return None

    def _binding(self, scope: str, name: str) -> tuple[str, list[ast.expr] | None] | None:
        """The innermost scope that binds ``name`` as seen from ``scope``, with the values
        it assigns, or None for values when it is a parameter there; None if none does."""
        for outer in self._scope_chain(scope):
            info = self.functions.get(outer)
            if info is not None and name in info.params:
                return outer, None
            bindings = self._assigns.get(outer)
            values = bindings.get(name) if bindings is not None else None
            if values:
                return outer, values
        return None

    def _assigned(self, scope: str, name: str) -> list[tuple[ast.expr, str]]:
        """Values bound to ``name`` as seen from ``scope`` (innermost binding scope)."""
        found = self._binding(scope, name)
        if found is None:
            return []
        outer, values = found
        return [(v, outer) for v in values or ()]

    def value_nodes(self, expr: ast.expr, scope: str, depth: int = 0) -> list[ast.AST]:
        """The nodes of ``expr`` and of the values its names were bound to, a few hops deep."""
        found: list[ast.AST] = []
        for node in ast.walk(expr):
            found.append(node)
            if isinstance(node, ast.Name) and depth < _VALUE_HOPS:
                for value, where in self._assigned(scope, node.id)[:_VALUE_BINDINGS]:
                    found.extend(self.value_nodes(value, where, depth + 1))
        return found

    def qualname(self, expr: ast.expr, scope: str = "") -> str | None:
        """The dotted name ``expr`` refers to, through imports and aliases, or None.

        Only names rooted in an import, a builtin, or a dynamic import
        (``__import__("os")``, ``importlib.import_module``) resolve: a local
        variable that happens to be called ``requests`` does not.
        """
        found = self._qualname(expr, scope, 0)
        if found is None:
            return None
        module, _, rest = found.partition(".")
        if rest and module in BUILTIN_MODULES:
            return rest
        return found

    def _qualname(self, expr: ast.expr, scope: str, depth: int) -> str | None:
        if depth > MAX_RESOLVE_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            return self._name_qualname(expr.id, scope, depth)
        if isinstance(expr, ast.Attribute):
            base = self._qualname(expr.value, scope, depth + 1)
            return f"{base}.{expr.attr}" if base is not None else None
        if isinstance(expr, ast.Call):
            return self._call_result_qualname(expr, scope, depth)
        if isinstance(expr, ast.Subscript):
            key = _const_str(expr.slice)
            if key is None:
                return None
            container = expr.value
            if isinstance(container, ast.Attribute) and container.attr == "__dict__":
                base = self._qualname(container.value, scope, depth + 1)
                return f"{base}.{key}" if base is not None else None
            if (
                isinstance(container, ast.Call)
                and self._qualname(container.func, scope, depth + 1) == "vars"
                and container.args
            ):
                base = self._qualname(container.args[0], scope, depth + 1)
                return f"{base}.{key}" if base is not None else None
            base = self._qualname(container, scope, depth + 1)
            if base == "sys.modules":
                return key
            if base in BUILTIN_MODULES:
                return f"builtins.{key}"
        return None

    def _name_qualname(self, name: str, scope: str, depth: int) -> str | None:
        imported = self.imports.get(name)
        if imported is not None:
            return imported
        key = (scope, name)
        if key in self._qualname_cache:
            return self._qualname_cache[key]
        if ("q", *key) in self._busy:
            return None
        self._busy.add(("q", *key))
        try:
            found = self._bound_qualname(name, scope, depth)
        finally:
            self._busy.discard(("q", *key))
        self._qualname_cache[key] = found
        return found

    def _bound_qualname(self, name: str, scope: str, depth: int) -> str | None:
        binding = self._binding(scope, name)
        if binding is not None:
            where, values = binding
            for value in values or ():
                # Only alias-shaped values: `p = subprocess.Popen(...)` is a result,
                # not another name for Popen.
                if isinstance(value, ast.Name | ast.Attribute | ast.Subscript) or (
                    isinstance(value, ast.Call) and self._is_lookup_call(value, where, depth)
                ):
                    found = self._qualname(value, where, depth + 1)
                    if found is not None:
                        return found
            return None  # a local `file = open(p)` or parameter `input` hides the builtin
        if name in _BUILTINS or name in BUILTIN_MODULES:
            return name
        if len(self._stars) == 1:
            return f"{self._stars[0]}.{name}"
        return None

    def _is_lookup_call(self, call: ast.Call, scope: str, depth: int) -> bool:
        target = self._qualname(call.func, scope, depth + 1)
        # eval of anything but a name or lookup resolves to None: no alias, as before.
        return target in _IMPORTERS or target in ("getattr", "eval")

    def _evaluated_name(self, call: ast.Call, scope: str, depth: int) -> ast.expr | None:
        """What an ``eval`` call evaluates, as an expression, when its only argument is a
        literal name or lookup (``eval("exec")``, ``eval("__import__('os')")``) or one
        compiled as an expression (``eval(compile("exec", "", "eval"))``); else None."""
        if len(call.args) != 1 or call.keywords:
            return None
        source = call.args[0]
        if (
            isinstance(source, ast.Call)
            and len(source.args) == 3
            and self._qualname(source.func, scope, depth + 1) == "compile"
            and self._eval_mode(source.args[2], scope, depth)
        ):
            source = source.args[0]
        return _evaluated_expression(_const_str(source))

    def _eval_mode(self, mode: ast.expr, scope: str, depth: int) -> bool:
        """Whether ``mode`` is compile's "eval": the literal, or eval.__name__."""
        if _const_str(mode) == "eval":
            return True
        return (
            isinstance(mode, ast.Attribute)
            and mode.attr == "__name__"
            and self._qualname(mode.value, scope, depth + 1) == "eval"
        )

    def _call_result_qualname(self, call: ast.Call, scope: str, depth: int) -> str | None:
        target = self._qualname(call.func, scope, depth + 1)
        if target is None:
            return None
        target = self._strip_builtins(target)
        if target in _IMPORTERS:
            module = _const_str(_arg(call, 0, "name"))
            if module is None or module.startswith("."):
                return None
            if target == "importlib.import_module":
                return module
            fromlist = _arg(call, 3, "fromlist")
            has_fromlist = fromlist is not None and not (
                isinstance(fromlist, ast.Constant) and not fromlist.value
            )
            # __import__("a.b") returns the top package unless fromlist is given.
            return module if has_fromlist else module.split(".", 1)[0]
        if target == "eval":
            # eval("eval") hands back eval itself: obfuscators fetch builtins so, and
            # call them under names no reader connects to them.
            named = self._evaluated_name(call, scope, depth)
            return self._qualname(named, scope, depth + 1) if named is not None else None
        if target == "getattr" and len(call.args) >= 2:
            attr = _const_str(call.args[1])
            if attr is None:
                return None
            base = self._qualname(call.args[0], scope, depth + 1)
            return f"{base}.{attr}" if base is not None else None
        return None

    @staticmethod
    def _strip_builtins(qualname: str) -> str:
        module, _, rest = qualname.partition(".")
        return rest if rest and module in BUILTIN_MODULES else qualname

    def _site(self, node: ast.Call, scope: str) -> CallSite:
        qualname = self.qualname(node.func, scope)
        if qualname == "compile" and _parses_only(node):
            qualname = "ast.parse"  # what ast.parse itself calls: a tree, nothing runs
        capabilities = classify(qualname, node)
        receiver = None
        func = node.func
        if qualname is None and type(func) is ast.Attribute and type(func.value) is ast.Name:
            # s = socket.socket(); s.connect(...): the method of a network object
            # talks to the network too.
            receiver = self.maker(func.value.id, scope)
            if (
                receiver is not None
                and func.attr in NETWORK_METHODS
                and Capability.NETWORK in _classify_name(receiver)
            ):
                capabilities = capabilities | {Capability.NETWORK}
        return CallSite(
            node=node,
            qualname=qualname,
            capabilities=capabilities,
            scope=scope,
            receiver=receiver,
        )

    def maker(self, name: str, scope: str) -> str | None:
        """What call made the object bound to ``name`` (``s = socket.socket()``), if known."""
        for value, where in self._assigned(scope, name)[:8]:
            if type(value) is ast.Call:
                wrapped = self._wrapped_socket(value, name, where)
                if wrapped is not None:
                    return wrapped
                made = self.qualname(value.func, where)
                if made is not None:
                    return made
                func = value.func
                # conn, addr = server.accept(): made by what made the server.
                if (
                    type(func) is ast.Attribute
                    and type(func.value) is ast.Name
                    and func.attr in NETWORK_METHODS
                    and func.value.id != name
                ):
                    outer = self.maker(func.value.id, where)
                    if outer is not None and Capability.NETWORK in _classify_name(outer):
                        return outer
        return None

    def _wrapped_socket(self, call: ast.Call, name: str, scope: str) -> str | None:
        """What made the socket that ``call`` wraps in TLS (``context.wrap_socket(sock)``,
        ``ssl.wrap_socket(sock)``): the wrapper is that socket, encrypted."""
        func = call.func
        if type(func) is not ast.Attribute or func.attr != "wrap_socket" or not call.args:
            return None
        inner = call.args[0]
        if type(inner) is not ast.Name or inner.id == name:
            return None
        made = self.maker(inner.id, scope)
        return made if made is not None and Capability.NETWORK in _classify_name(made) else None

    # -- execution reach --------------------------------------------------------------------

    def _decorators(self) -> tuple[frozenset[str], dict[str, set[str]]]:
        """The local functions applied as decorators, and each decorated function's wrappers.

        Decorating ``f`` with ``deco`` calls ``deco(f)`` where ``f`` is defined; the
        wrapper it returns runs only when ``f`` is called. With ``@factory(...)`` the
        factory's returned decorator is the one applied.
        """
        applied: set[str] = set()
        wrappers: dict[str, set[str]] = defaultdict(set)
        for function, scope, decorator in self._decorated:
            factory = type(decorator) is ast.Call
            if factory:
                decorator = decorator.func  # type: ignore[attr-defined]
            if type(decorator) is not ast.Name:
                continue
            target = self.resolve_def(scope, decorator.id)
            if target not in self.functions:
                continue
            appliers = {target}
            if factory:
                appliers = set(self._returned_defs(target))
            applied |= appliers
            for applier in appliers:
                wrappers[function].update(self._returned_defs(applier))
        return frozenset(applied), wrappers

    def _returned_defs(self, scope: str) -> Iterator[str]:
        for name in self._returned.get(scope, ()):
            target = self.resolve_def(scope, name)
            if target is not None:
                yield target

    def _callees(self, scope: str) -> Iterator[str]:
        names: Iterable[str] = self._names.get(scope, ())
        if scope not in self._applied:
            names = itertools.chain(names, self._returned.get(scope, ()))
        for name in names:
            target = self.resolve_def(scope, name) or self._aliased_def(scope, name)
            if target is None:
                continue
            if target in self.functions:
                yield target
            else:  # a class: instantiating it runs its constructor, its own or inherited
                yield from self._class_methods(target, _INIT_METHODS)
        # Calling a decorated function runs the wrappers its decorators returned.
        yield from self._wrappers.get(scope, ())
        for name in self._subclassed.get(scope, ()):
            target = self.resolve_def(scope, name)
            if target is not None and target in self.classes:
                yield from self._class_methods(target, ("__init_subclass__",))
        info = self.functions.get(scope)
        self_name = None
        if info is not None and info.cls is not None:
            params = info.node.args.posonlyargs + info.node.args.args
            self_name = params[0].arg if params else None
        for base, attr in self._attr_refs.get(scope, ()):
            if info is not None and base == self_name:
                cls = info.cls
            else:
                cls = self.resolve_def(scope, base)
            if cls is not None and f"{cls}.{attr}" in self.functions:
                yield f"{cls}.{attr}"

    def _aliased_def(self, scope: str, name: str) -> str | None:
        """The function or class ``name`` was made another name for (X = f), if any."""
        for _ in range(_MAX_ALIAS_HOPS):
            values = self._assigned(scope, name)
            if len(values) != 1 or type(values[0][0]) is not ast.Name:
                return None
            value, scope = values[0]
            name = value.id  # type: ignore[attr-defined]
            target = self.resolve_def(scope, name)
            if target is not None:
                return target
        return None

    def _class_methods(self, cls: str, methods: Sequence[str]) -> Iterator[str]:
        """The ``methods`` defined by ``cls`` or by the local classes it derives from."""
        seen: set[str] = set()
        pending = [cls]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            for method in methods:
                if f"{current}.{method}" in self.functions:
                    yield f"{current}.{method}"
            info = self.classes.get(current)
            if info is not None:
                for base in info.node.bases:
                    local = self._local_class(base, info.parent)
                    if local is not None:
                        pending.append(local)

    def _reach(self, entries: Iterable[str]) -> frozenset[str]:
        seen = set(entries)
        frontier = list(seen)
        for _ in range(MAX_REACH_DEPTH):
            if not frontier:
                break
            following: list[str] = []
            for scope in frontier:
                for callee in self._callees(scope):
                    if callee not in seen:
                        seen.add(callee)
                        following.append(callee)
            frontier = following
        return frozenset(seen)

    def reach(self, entries: Iterable[str]) -> frozenset[str]:
        """The scopes that run when the scopes ``entries`` run (bounded depth)."""
        return self._reach(entries)

    def assigned(self, scope: str, name: str) -> list[tuple[ast.expr, str]]:
        """The values bound to ``name`` as seen from ``scope``, with their scopes."""
        return self._assigned(scope, name)

    def runs_on_load(self, site: CallSite) -> bool:
        """Whether ``site`` runs when the module is executed (imported or run as a script)."""
        return site.scope in self.load_scopes

    def runs_in_hook(self, site: CallSite) -> bool:
        """Whether ``site`` runs from a setuptools command class (cmdclass or subclass)."""
        return site.scope in self.hook_scopes

    def runs_at_install(self, site: CallSite) -> bool:
        """Whether ``site`` runs when this file is a setup.py being built or installed."""
        return self.runs_on_load(site) or self.runs_in_hook(site)

    # -- setuptools commands ----------------------------------------------------------------

    def _cmdclass_use(self, value: ast.expr, scope: str, line: int) -> CmdclassUse:
        commands: list[str] = []
        classes: list[str] = []
        registered: list[tuple[str, str]] = []
        pending: list[tuple[ast.expr, str, int]] = [(value, scope, 0)]
        while pending:
            expr, where, depth = pending.pop()
            for node in ast.walk(expr):
                if isinstance(node, ast.Dict):
                    keys = [self._command_key(key, where) for key in node.keys]
                    commands.extend(k for k in keys if k is not None)
                    for key, item in zip(keys, node.values, strict=True):
                        registered.extend(self._registration(key, item, where))
                elif isinstance(node, ast.keyword) and node.arg is not None:
                    commands.append(node.arg)
                    registered.extend(self._registration(node.arg, node.value, where))
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                    target = self.resolve_def(where, node.id)
                    if target in self.classes:
                        classes.append(target)
                    elif depth < 3:
                        # cmdclass=cmds, with cmds built up elsewhere.
                        for v, w in self._assigned(where, node.id):
                            pending.append((v, w, depth + 1))
                            # cmds["deploy"] = Deploy: registered under that name.
                            key = self._literal_key(v, node.id)
                            if key is not None:
                                registered.extend(self._registration(key, v, w))
                        for outer in self._scope_chain(where):
                            commands.extend(self._subscript_keys.get((outer, node.id), ()))
        return CmdclassUse(
            value=value,
            scope=scope,
            line=line,
            commands=tuple(dict.fromkeys(commands)),
            classes=tuple(dict.fromkeys(classes)),
            registered=tuple(dict.fromkeys(registered)),
            paired=self._literal_cmdclass(value, scope)
            and set(classes) <= {cls for _, cls in registered},
        )

    def _literal_cmdclass(self, expr: ast.expr, scope: str, depth: int = 0) -> bool:
        """Whether a cmdclass value is a dict written out, every key a literal name."""
        if isinstance(expr, ast.Dict):
            return all(self._command_key(key, scope) is not None for key in expr.keys)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            return (
                expr.func.id == "dict"
                and not expr.args
                and all(k.arg is not None for k in expr.keywords)
            )
        if isinstance(expr, ast.Name) and depth < 3:
            values = self._assigned(scope, expr.id)
            return bool(values) and all(
                self._literal_cmdclass(value, where, depth + 1)
                or self._literal_key(value, expr.id) is not None
                or (depth == 0 and self._foreign_commands(value, where))
                for value, where in values
            )
        return False

    def _literal_key(self, value: ast.expr, name: str) -> str | None:
        """The literal key ``value`` was stored under in ``name`` (``cmds["x"] = v``), if any."""
        key = self._stored_under.get((id(value), name))
        return None if key is None or key.startswith(".") else key

    def _foreign_commands(self, value: ast.expr, scope: str) -> bool:
        """Whether ``value`` is a call of an imported function (``versioneer.get_cmdclass()``)
        handed no namespace: the commands it returns are that module's, none of this file's
        classes but those its arguments name, which the pairing then checks."""
        if not isinstance(value, ast.Call):
            return False
        func = value.func
        if isinstance(func, ast.Name) and self.resolve_def(scope, func.id) is not None:
            return False  # a function of this file: what it returns is not read here
        if self.qualname(func, scope) is None:
            return False
        return not any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("locals", "globals", "vars")
            for node in ast.walk(value)
        )

    def _command_key(self, key: ast.expr | None, scope: str) -> str | None:
        """A cmdclass key's text: a literal, or a local class's own literal attribute
        (``{Deploy.name: Deploy}`` with ``name = "deploy"`` in the class body)."""
        text = _const_str(key)
        if text is not None or not isinstance(key, ast.Attribute):
            return text
        cls = self._local_class(key.value, scope)
        if cls is None:
            return None
        values = [
            statement.value
            for statement in self.classes[cls].node.body
            if isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == key.attr for t in statement.targets)
        ]
        return _const_str(values[0]) if len(values) == 1 else None

    def _registration(self, name: str | None, value: ast.expr, scope: str) -> list[tuple[str, str]]:
        """(name, class) when ``value`` names a local class and ``name`` is literal."""
        if name is not None and isinstance(value, ast.IfExp):  # one class or the other
            return self._registration(name, value.body, scope) + self._registration(
                name, value.orelse, scope
            )
        if name is None or not isinstance(value, ast.Name):
            return []
        target = self.resolve_def(scope, value.id)
        return [(name, target)] if target in self.classes else []

    def _command_classes(self) -> frozenset[str]:
        by_hand = self._by_hand_commands()
        found = {cls for use in self.cmdclass for cls in use.classes} - by_hand
        # Subclasses of setuptools/distutils commands, and of those, to a fixpoint.
        changed = True
        while changed:
            changed = False
            for info in self.classes.values():
                if info.qualname in found or info.qualname in by_hand:
                    continue
                for base in info.node.bases:
                    local = self._local_class(base, info.parent)
                    if local is not None and local in found:
                        found.add(info.qualname)
                        changed = True
                        break
                    if _is_command_base(self.qualname(base, info.parent)):
                        found.add(info.qualname)
                        changed = True
                        break
        return frozenset(found)

    def _by_hand_commands(self) -> frozenset[str]:
        """Command classes that only a person running ``setup.py NAME`` starts.

        A class made straight from the generic ``Command`` or from a command pip never
        runs (``sdist``), and registered only under names pip never runs (``deploy``,
        ``upload``, ``sdist``), does not run while a package is built or installed. Only
        when every cmdclass can be read name by name, and no other class builds on it.
        """
        if not self.cmdclass or not all(use.paired for use in self.cmdclass):
            return frozenset()
        names: defaultdict[str, set[str]] = defaultdict(set)
        for use in self.cmdclass:
            for name, cls in use.registered:
                names[cls].add(name)
        bases = {
            local
            for info in self.classes.values()
            for base in info.node.bases
            if (local := self._local_class(base, info.parent)) is not None
        }
        return frozenset(
            info.qualname
            for info in self.classes.values()
            if info.node.bases
            and all(self._by_hand_base(base, info.parent) for base in info.node.bases)
            and info.qualname not in bases
            and not names[info.qualname] & PIP_RUNS
        )

    def _by_hand_base(self, base: ast.expr, scope: str) -> bool:
        """Whether ``base`` is setuptools' or distutils' own ``Command``, or a command pip
        never runs (``sdist``): what derives from it runs by hand unless registered for
        a command pip gives."""
        qualname = self.qualname(base, scope)
        return (
            _is_command_base(qualname)
            and qualname is not None
            and (qualname.endswith("Command") or qualname.rsplit(".", 1)[-1] not in PIP_RUNS)
        )

    def _local_class(self, expr: ast.expr, scope: str) -> str | None:
        if isinstance(expr, ast.Name):
            target = self.resolve_def(scope, expr.id)
            return target if target in self.classes else None
        return None

    # -- value origins ----------------------------------------------------------------------

    def origin(self, expr: ast.expr, scope: str) -> Origin:
        """Where the value of ``expr`` (evaluated in ``scope``) may come from."""
        try:
            return self._origin(expr, scope, 0)
        except RecursionError:
            return Origin.DYNAMIC

    def address_origin(self, expr: ast.expr, scope: str) -> Origin:
        """:meth:`origin` of ``expr`` used as a network address.

        A name is bound to many values, and a value that is an in-memory file
        (``io.BytesIO(b64decode(data))``) cannot be the address a request goes to:
        loaders turn the URL or data URI they are given into one. Such bindings are left
        out; anything else is :meth:`origin`.
        """
        if not isinstance(expr, ast.Name) or expr.id in self.imports:
            return self.origin(expr, scope)
        param, values = self._name_bindings(expr.id, scope)
        kept = [(v, where) for v, where in values if not self._is_buffer(v, where)]
        if len(kept) == len(values) or (not kept and not param):
            return self.origin(expr, scope)
        found = Origin.DYNAMIC | Origin.PARAM if param else Origin.NONE
        try:
            for value, where in kept:
                found |= self._origin(value, where, 1)
        except RecursionError:
            return Origin.DYNAMIC
        return found

    def _is_buffer(self, value: ast.expr, scope: str) -> bool:
        return isinstance(value, ast.Call) and self.qualname(value.func, scope) in _BUFFERS

    def _origin(self, expr: ast.expr, scope: str, depth: int) -> Origin:
        if depth > MAX_ORIGIN_DEPTH:
            return Origin.DYNAMIC
        if isinstance(expr, ast.Constant):
            # An empty default (request.get("stdin", "")), None or a flag carries no text.
            value = expr.value
            return Origin.NONE if value in _EMPTY or isinstance(value, bool) else Origin.LITERAL
        if isinstance(expr, ast.Name):
            held = self._with_value(expr, scope) if self._with_names else None
            if held is not None:
                return self._origin(held, scope, depth + 1)
            return self._name_origin(expr.id, scope, depth)
        if isinstance(expr, ast.Call):
            return self._call_origin(expr, scope, depth)
        if isinstance(expr, ast.Lambda):
            return Origin.DYNAMIC | self._origin(expr.body, scope, depth + 1)
        if self._is_environ(expr, scope):
            return Origin.ENV
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name):
                attribute = self._attribute_origin(expr.value, expr.attr, scope, depth)
                if attribute is not None:
                    return attribute
            if expr.attr in _UNAME_KIND_FIELDS:
                return self._origin(expr.value, scope, depth + 1) & ~Origin.HOST
        if isinstance(expr, ast.Subscript):
            if self._uname_kind_item(expr, scope):
                return self._origin(expr.value, scope, depth + 1) & ~Origin.HOST
            if _reverses(expr.slice):
                undone = self._reversed_back(expr.value, scope, depth)
                if undone is not None:
                    return undone
                # "..."[::-1]: a classic way to hide a string from grep. Reversing
                # a run-time list (ids[::-1]) is ordinary code.
                return Origin.DYNAMIC | _hidden(self._origin(expr.value, scope, depth + 1))
            if self._is_environ(expr.value, scope):
                if not self._single_key(expr.slice, scope):
                    return Origin.ENV  # for k in os.environ: os.environ[k]
                return self._env_var_origin(expr.slice)
            read = self._key_read(expr, scope)
            if read is not None:  # env["HOME"]
                mapping = self._origin(read[0], scope, depth + 1)
                return self._read_origin(mapping, read, scope, depth)
        found = Origin.NONE
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitXor):
            found = Origin.OBFUSCATED  # XOR with a key: the cheapest cipher
        for child in ast.iter_child_nodes(expr):
            if isinstance(child, ast.expr):
                found |= self._origin(child, scope, depth + 1)
            elif isinstance(child, ast.comprehension):
                found |= self._origin(child.iter, scope, depth + 1)
                for condition in child.ifs:
                    found |= self._origin(condition, scope, depth + 1)
        return found

    def _uname_kind_item(self, expr: ast.Subscript, scope: str) -> bool:
        """Whether ``expr`` reads an item of a uname() result other than the node name
        (``os.uname()[4]``, the machine)."""
        value, index = expr.value, expr.slice
        return (
            isinstance(value, ast.Call)
            and self.qualname(value.func, scope) in _UNAME_CALLS
            and type(index) is ast.Constant
            and type(index.value) is int
            and index.value not in _UNAME_NODE_INDEXES
        )

    def _attribute_origin(self, base: ast.Name, attr: str, scope: str, depth: int) -> Origin | None:
        """Origin of ``base.attr``: what base was bound to, and what was stored into that
        attribute of it (self.url = ..., not self.token = ...), or None to judge the name
        whole (a module, a with-binding, a name never stored into)."""
        name = base.id
        if attr == "__dict__" or name in self.imports:
            return None
        if self._with_names and self._with_value(base, scope) is not None:
            return None
        info = self.functions.get(scope)
        param = info is not None and name in info.params
        if param:
            bindings = self._assigns.get(scope)
            stored = bindings.get(name) if bindings is not None else None
            values = [(value, scope) for value in stored or ()]
        else:
            values = self._assigned(scope, name)
        if not any((id(value), name) in self._stored_under for value, _ in values):
            return None
        # Values bound to the name itself are not in _stored_under: get() gives None.
        picked = [
            (value, where)
            for value, where in values
            if self._stored_under.get((id(value), name)) in (None, "." + attr)
        ]
        found = self._memo_origin(values[0][1], f"{name}.{attr}", picked, depth)
        return found | Origin.DYNAMIC | Origin.PARAM if param else found

    def _with_value(self, name: ast.Name, scope: str) -> ast.expr | None:
        """What ``name`` holds where it is used, when a ``with … as name:`` settles it.

        Bindings are otherwise flow-insensitive: a module that reads its version with
        ``with open(path) as f: exec(f.read())`` and later loops ``for f in files:``
        would run "code from a directory listing". Inside the body of the innermost
        ``with`` that binds the name, the name holds what the with gave it, unless the
        body binds it again.
        """
        innermost: tuple[ast.With | ast.AsyncWith, ast.expr] | None = None
        for statement, value in self._with_names.get((scope, name.id), ()):
            first, last = statement.body[0].lineno, statement.end_lineno or 0
            if first <= name.lineno <= last and (
                innermost is None or statement.lineno >= innermost[0].lineno
            ):
                innermost = (statement, value)
        if innermost is None:
            return None
        statement, value = innermost
        if name.id in self._bound_in(statement):
            return None
        return value

    def _bound_in(self, statement: ast.With | ast.AsyncWith) -> frozenset[str]:
        """Every name the body of ``statement`` binds, nested scopes included."""
        found = self._rebinds.get(id(statement))
        if found is None:
            found = self._rebinds[id(statement)] = frozenset(
                name for node in statement.body for name in _bound_names(node)
            )
        return found

    def _reversed_back(self, value: ast.expr, scope: str, depth: int) -> Origin | None:
        """The origin of ``value[::-1]`` when ``value`` was itself reversed: the text then
        reads as written, as in ``s[::-1].replace(old, new, 1)[::-1]`` (replacing the last
        occurrence); None when ``value`` is no reversed text edited by string methods."""
        found = Origin.NONE
        node = value
        while (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _TEXT_EDITS
        ):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                found |= self._origin(argument, scope, depth + 1)
            node = node.func.value
        if isinstance(node, ast.Subscript) and _reverses(node.slice):
            return found | self._origin(node.value, scope, depth + 1)
        return None

    def _name_origin(self, name: str, scope: str, depth: int) -> Origin:
        if name in self.imports:
            return Origin.NONE  # a module or imported object, not data
        param, values = self._name_bindings(name, scope)
        if param:
            # Chosen by a caller the analysis does not follow, plus whatever
            # the function stores into it (event["host"] = gethostname()).
            if not values:
                return Origin.DYNAMIC | Origin.PARAM
            return Origin.DYNAMIC | Origin.PARAM | self._memo_origin(scope, name, values, depth)
        if not values:
            if name in _OBFUSCATORS:
                return Origin.DYNAMIC | Origin.OBFUSCATED
            if name in _BUILTINS or self.resolve_def(scope, name) is not None:
                return Origin.NONE
            return Origin.DYNAMIC
        return self._memo_origin(values[0][1], name, values, depth)

    def _name_bindings(self, name: str, scope: str) -> tuple[bool, list[tuple[ast.expr, str]]]:
        """Whether ``name`` is a parameter of ``scope``, and the values bound to it there
        (for a parameter, only what the function itself stores into it)."""
        info = self.functions.get(scope)
        if info is not None and name in info.params:
            bindings = self._assigns.get(scope)
            stored = bindings.get(name) if bindings is not None else None
            return True, [(v, scope) for v in stored or ()]
        return False, self._assigned(scope, name)

    def _memo_origin(
        self, scope: str, key: str, values: list[tuple[ast.expr, str]], depth: int
    ) -> Origin:
        cached = self._origin_cache.get((scope, key))
        if cached is not None:
            return cached
        if ("o", scope, key) in self._busy:
            return Origin.NONE  # a cycle adds nothing the other bindings do not
        self._busy.add(("o", scope, key))
        try:
            found = Origin.NONE
            for value, where in values:
                found |= self._origin(value, where, depth + 1)
        finally:
            self._busy.discard(("o", scope, key))
        self._origin_cache[(scope, key)] = found
        return found

    def _output_facts(self, call: ast.Call, qualname: str | None, scope: str) -> Origin:
        """HOST or ENV when the process ``call`` gives back the output of a recon command.

        ``os.popen("whoami").read()`` is getpass.getuser() by another name, and the
        output of ``env`` is the whole environment.
        """
        if qualname in _STATUS_ONLY or (qualname or "").startswith(("os.exec", "os.spawn")):
            return Origin.NONE
        command = _arg(call, 0, "args")
        if command is None:
            command = _arg(call, 0, "cmd")
        if command is None:
            return Origin.NONE
        texts = self.strings(command, scope)[:16]
        found = command_facts(" ".join(texts)) if texts else Origin.NONE
        for text in texts:
            found |= command_facts(text) if " " in text.strip() else Origin.NONE
        return found

    def _call_origin(self, call: ast.Call, scope: str, depth: int) -> Origin:
        site = self._by_node.get(id(call))
        qualname = site.qualname if site is not None else self.qualname(call.func, scope)
        capabilities = site.capabilities if site is not None else classify(qualname, call)
        found = Origin.NONE
        if Capability.DECODE in capabilities or _decrypts(call):
            found |= Origin.DECODE
        if Capability.NETWORK in capabilities:
            found |= Origin.NETWORK
        if Capability.PROCESS in capabilities:
            found |= Origin.PROCESS | self._output_facts(call, qualname, scope)
        func = call.func
        # A file's content is FILE whatever path expression named it.
        if qualname in _OPENERS or qualname == "sqlite3.connect":
            path = _arg(call, 0, "file" if qualname != "sqlite3.connect" else "database")
            return found | Origin.FILE | self._secret(path, scope)
        if isinstance(func, ast.Attribute) and func.attr in _FILE_READ_METHODS:
            return found | Origin.FILE | self._secret(func.value, scope)
        if isinstance(func, ast.Attribute) and func.attr == "open" and not found:
            # path.open(), zipfile.open(): a local file, whatever object opened it.
            return Origin.FILE | self._secret(func.value, scope)
        if qualname in _DECODE_EXEC_TARGETS:
            source = _arg(call, 0, "source")
            return found | (self._origin(source, scope, depth + 1) if source else Origin.NONE)
        if qualname in HOST_CALLS:
            return found | Origin.HOST
        if isinstance(func, ast.Attribute) and func.attr == "as_uri" and not call.args:
            # Path.as_uri(): a file: URI. Opening it reads a local file, whatever folder
            # (the working one, the home) the path was built from.
            return found | (self._origin(func.value, scope, depth + 1) & ~Origin.HOST)
        if qualname in _GETENV:
            key = _arg(call, 0, "key")
            if not self._single_key(key, scope):
                return found | Origin.ENV
            return found | self._env_var_origin(key)
        if qualname is not None and qualname.rpartition(".")[0] in _ENVIRON:
            method = qualname.rpartition(".")[2]
            key = _arg(call, 0, "key")
            if method in _ENV_WHOLE_METHODS or not self._single_key(key, scope):
                return found | Origin.ENV
            if method in _ENV_ONE_METHODS:
                return found | self._env_var_origin(key)
        if qualname in ("bytes", "bytearray") and _int_list(_arg(call, 0, "source")):
            found |= Origin.OBFUSCATED  # bytes([101, 120, 101, 99]): text spelt as numbers
        if isinstance(func, ast.Attribute) and func.attr in _STEGO_METHODS:
            if func.attr in ("readframes", "getpixel") or self._stego_receiver(func.value, scope):
                found |= Origin.STEGO
        elif (
            qualname is not None
            and qualname.startswith(_STEGO_ROOTS)
            and qualname.rsplit(".", 1)[-1] in _STEGO_METHODS
        ):
            found |= Origin.STEGO
        if Capability.NETWORK in capabilities and any(
            IP_LOOKUP.search(text)
            for arg in call.args[:1]
            for text in self.strings(arg, scope)[:16]
        ):
            found |= Origin.HOST  # the answer of "what is my address" is a host fact
        arguments = Origin.NONE
        for arg in _data_arguments(call, qualname):
            arguments |= self._origin(arg, scope, depth + 1)
        if qualname in _DATA_SERIALIZERS:
            return found | Origin.DYNAMIC | (arguments & ~(Origin.DECODE | Origin.OBFUSCATED))
        if qualname in _OBFUSCATORS and not self._reorders_items(call, qualname, scope):
            # chr(112), reversed("cexe"): text spelt so grep cannot see it.
            found |= Origin.DYNAMIC | _hidden(arguments)
        if isinstance(func, ast.Lambda):
            return found | arguments | Origin.DYNAMIC | self._origin(func.body, scope, depth + 1)
        if isinstance(func, ast.Name):
            local = self.resolve_def(scope, func.id)
            if local in self.functions:
                return found | self._result_origin(call, local, scope, depth)
            if local is not None:  # a local class: the instance is opaque
                return found | Origin.DYNAMIC | (arguments & _CARRIED)
        if qualname is not None and "." in qualname and not found:
            if not qualname.startswith(_TRANSPARENT_PREFIXES):
                return Origin.DYNAMIC | arguments
            return arguments
        if qualname is None and isinstance(func, ast.Attribute):
            # A method on a value: as suspect as the value and the arguments.
            receiver = self._origin(func.value, scope, depth + 1)
            read = self._key_read(call, scope) if receiver & _MAPPINGS else None
            if read is not None:  # env.get("HOME", default)
                return found | self._read_origin(receiver, read, scope, depth)
            if func.attr in _SEPARATOR_METHODS and all(
                isinstance(a, ast.Constant) for a in (*call.args, *(k.value for k in call.keywords))
            ):
                # data.encode("ascii"), name.split("."): a codec's name or a separator
                # is not data.
                return found | receiver
            return found | arguments | receiver
        if qualname is None:
            return found | arguments | Origin.DYNAMIC
        return found | arguments

    def _reorders_items(self, call: ast.Call, qualname: str | None, scope: str) -> bool:
        """Whether ``call`` is a loop over ``reversed(items)``: no text spelt backwards.

        Text is hidden by reversing its characters and joining them again; a loop
        over ``reversed(x)`` sees x's items one by one, and spells nothing unless x
        is text. Here x is a collection: no value bound to it is a string.
        """
        if qualname != "reversed" or id(call) not in self._iterated or len(call.args) != 1:
            return False
        arg = call.args[0]
        if isinstance(arg, ast.Name):
            values = [value for value, _ in self._assigned(scope, arg.id)]
        else:
            values = [arg]
        return not any(_may_be_text(value) for value in values)

    def _is_environ(self, expr: ast.expr, scope: str) -> bool:
        return (
            isinstance(expr, ast.Attribute)
            and expr.attr in ("environ", "environb")
            and self.qualname(expr, scope) in _ENVIRON
        )

    def _key_read(
        self, expr: ast.AST, scope: str
    ) -> tuple[ast.expr, ast.expr, list[ast.expr]] | None:
        """``(mapping, key, defaults)`` when ``expr`` reads one key of a mapping:
        ``m["KEY"]``, or ``m.get(key, default)`` (also pop, setdefault) with a key that
        is not a loop's variable over the mapping (see :meth:`_single_key`)."""
        if (
            isinstance(expr, ast.Subscript)
            and isinstance(expr.slice, ast.Constant)
            and isinstance(expr.slice.value, str)
        ):
            return expr.value, expr.slice, []
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in _ENV_ONE_METHODS
            and expr.args
            and not isinstance(expr.args[0], ast.Starred)
            and self._single_key(expr.args[0], scope)
        ):
            return (
                expr.func.value,
                expr.args[0],
                [*expr.args[1:], *(k.value for k in expr.keywords)],
            )
        return None

    def _read_origin(
        self,
        mapping: Origin,
        read: tuple[ast.expr, ast.expr, list[ast.expr]],
        scope: str,
        depth: int,
    ) -> Origin:
        """The origin of a key read (see :meth:`_key_read`) from a mapping of that origin:
        one key's value, or a default."""
        _, key, defaults = read
        found = self._one_key(mapping, key)
        for default in defaults:
            found |= self._origin(default, scope, depth + 1)
        return found

    def _single_key(self, key: ast.expr | None, scope: str) -> bool:
        """Whether ``key`` names one entry, not each in turn: for k in env: env.get(k)."""
        return not (
            isinstance(key, ast.Name)
            and key.id in self._loop_names.get(scope, ())
            and bool(self.origin(key, scope) & _MAPPINGS)
        )

    def _result_origin(self, call: ast.Call, function: str, scope: str, depth: int) -> Origin:
        """Origin of what a call of the local ``function`` returns: its return values, and
        what the caller passes in, as far as it comes back out through the parameters the
        result is made of (not those it only reads keys of)."""
        returns = [(v, function) for v in self._returns.get(function, ())]
        returned = self._memo_origin(function, "<return>", returns, depth)
        carried = self._called_host_facts(call, function, scope)
        for arg, mask in self._passed_to(call, function):
            carried |= self._origin(arg, scope, depth + 1) & mask
        return carried | (returned & ~Origin.PARAM)

    def _called_host_facts(self, call: ast.Call, function: str, scope: str) -> Origin:
        """HOST when ``call`` hands the local ``function`` a host-facts function that it
        calls: ``try_call(socket.getfqdn)`` with ``def try_call(func): return func()``."""
        passed = [
            (param, arg)
            for param, arg in self.bound_arguments(call, function)
            if type(arg) in (ast.Name, ast.Attribute) and self.qualname(arg, scope) in HOST_CALLS
        ]
        if not passed:
            return Origin.NONE
        called = {
            node.func.id
            for node in ast.walk(self.functions[function].node)
            if type(node) is ast.Call and type(node.func) is ast.Name
        }
        if any(param is None or param in called for param, _ in passed):
            return Origin.HOST
        return Origin.NONE

    def _passed_to(self, call: ast.Call, function: str) -> list[tuple[ast.expr, Origin]]:
        """Arguments of ``call`` that ``function``'s result is made of, each with the taint
        it carries: all of :data:`_CARRIED`, or all but ENV for a mapping it reads keys of."""
        if any(isinstance(arg, ast.Starred) for arg in call.args):  # f(*args): any parameter
            return [(a, _CARRIED) for a in (*call.args, *(k.value for k in call.keywords))]
        flows = self._flowing_params(function)
        passed: list[tuple[ast.expr, Origin]] = []
        for name, arg in self.bound_arguments(call, function):
            mask = _CARRIED if name is None else flows.get(name)
            if mask is not None:
                passed.append((arg, mask))
        return passed

    def _method_arguments(self) -> dict[str, dict[str, list[ast.expr]]]:
        """By scope and name, the arguments of method calls on the name (x.append(v))."""
        if self._by_receiver is None:
            found: defaultdict[str, defaultdict[str, list[ast.expr]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for site in self.calls:
                func = site.node.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    arguments = found[site.scope][func.value.id]
                    arguments += site.node.args
                    arguments += (k.value for k in site.node.keywords)
            self._by_receiver = {scope: dict(names) for scope, names in found.items()}
        return self._by_receiver

    def _flowing_params(self, function: str) -> dict[str, Origin]:
        """The parameters whose value can reach ``function``'s return values, with the
        taint each carries there.

        Followed through the function's own assignments. A parameter only read one
        key of (``env.get("HOME")``, ``env["HOME"]``) carries all but ENV: one
        variable is not the whole environment. Past a budget, while the function is
        being followed (recursion), and for generators and functions that define
        others (closures), every parameter carries everything.
        """
        found = self._flows.get(function)
        if found is not None:
            return found
        info = self.functions[function]
        everything = dict.fromkeys(info.params, _CARRIED)
        self._flows[function] = everything
        if not isinstance(info.node, ast.Lambda) and any(
            isinstance(node, _OPAQUE_FLOW) for node in ast.walk(info.node) if node is not info.node
        ):
            return everything  # a generator, or a closure over the parameters
        bindings: dict[str, list[ast.expr]] = self._assigns.get(function) or {}
        stored = self._method_arguments().get(function, {})
        flows: dict[str, Origin] = {}
        seen: set[tuple[str, bool]] = set()
        # (node, whether the value itself comes back rather than one key of it)
        stack: list[tuple[ast.AST, bool]] = [(v, True) for v in self._returns.get(function, ())]
        budget = _MAX_FLOW_NODES
        while stack:
            budget -= 1
            if budget < 0:
                return everything
            node, whole = stack.pop()
            if isinstance(node, ast.Name):
                if node.id in info.params:
                    mask = _CARRIED if whole else _CARRIED & ~Origin.ENV
                    flows[node.id] = flows.get(node.id, Origin.NONE) | mask
                if (node.id, whole) not in seen:
                    seen.add((node.id, whole))
                    stack.extend((value, whole) for value in bindings.get(node.id, ()))
                    # headers.update({"Authorization": token}): stored into the name
                    stack.extend((value, True) for value in stored.get(node.id, ()))
                continue
            read = self._key_read(node, function)
            if read is not None:  # env["HOME"], env.get(key, default): a key, or the default
                mapping, _, defaults = read
                stack.append((mapping, False))
                stack.extend((default, whole) for default in defaults)
                continue
            stack.extend((child, whole) for child in ast.iter_child_nodes(node))
        self._flows[function] = flows
        return flows

    @classmethod
    def _one_key(cls, mapping: Origin, key: ast.expr) -> Origin:
        """The origin of one ``key`` read from a mapping of origin ``mapping``."""
        if Origin.ENV in mapping:
            return (mapping & ~Origin.ENV) | cls._env_var_origin(key)
        return mapping | Origin.DYNAMIC if Origin.PARAM in mapping else mapping

    @staticmethod
    def _env_var_origin(key: ast.expr | None) -> Origin:
        name = _const_str(key)
        if name is not None and name.upper() in HOST_ENV_VARS:
            return Origin.DYNAMIC | Origin.HOST
        return Origin.DYNAMIC

    def _secret(self, path: ast.expr | None, scope: str) -> Origin:
        if path is None:
            return Origin.NONE
        if any(credential_kind(text) for text in self.strings(path, scope)[:32]):
            return Origin.SECRET
        return Origin.NONE

    def _stego_receiver(self, expr: ast.expr, scope: str) -> bool:
        # Image.open(p).getdata() / img = Image.open(p); img.getdata()
        if isinstance(expr, ast.Call):
            made = self.qualname(expr.func, scope)
        elif isinstance(expr, ast.Name):
            made = self.maker(expr.id, scope)
        else:
            return False
        return made is not None and made.startswith(_STEGO_ROOTS)

    def call_at(self, node: ast.Call) -> CallSite | None:
        """The call site of ``node``, if it is a call in this module."""
        return self._by_node.get(id(node))

    def params_reaching(self, function: str, exprs: Sequence[ast.expr]) -> set[str]:
        """The parameters of the local ``function`` that ``exprs`` (in its body) are made
        of, directly or through the function's own assignments (``req = Request(url)``)."""
        params = self.functions[function].params
        bindings: Mapping[str, list[ast.expr]] = self._assigns.get(function) or {}
        found: set[str] = set()
        seen: set[str] = set()
        pending = [(expr, 0) for expr in exprs]
        while pending:
            expr, depth = pending.pop()
            for node in ast.walk(expr):
                if not isinstance(node, ast.Name) or node.id in seen:
                    continue
                seen.add(node.id)
                if node.id in params:
                    found.add(node.id)
                if depth < 4:
                    pending.extend((value, depth + 1) for value in bindings.get(node.id, ()))
        return found

    def bound_arguments(self, call: ast.Call, function: str) -> list[tuple[str | None, ast.expr]]:
        """Each argument of ``call`` with the parameter of the local ``function`` it binds
        (extra ones the ``*args`` or ``**kwargs`` parameter); None where that cannot be
        told (after ``f(*args)``) or no parameter takes it."""
        node = self.functions[function].node
        positional = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        vararg = node.args.vararg.arg if node.args.vararg is not None else None
        kwarg = node.args.kwarg.arg if node.args.kwarg is not None else None
        named = frozenset(_param_names(node.args))
        bound: list[tuple[str | None, ast.expr]] = []
        starred = False  # after f(*args), no position says which parameter is bound
        for index, arg in enumerate(call.args):
            starred = starred or isinstance(arg, ast.Starred)
            name = None if starred else positional[index] if index < len(positional) else vararg
            bound.append((name, arg))
        for keyword in call.keywords:
            bound.append((keyword.arg if keyword.arg in named else kwarg, keyword.value))
        return bound

    def arguments_origin(self, site: CallSite) -> Origin:
        """Where the values passed to ``site`` (positional and keyword) may come from."""
        found = Origin.NONE
        for arg in [*site.node.args, *(k.value for k in site.node.keywords)]:
            found |= self.origin(arg, site.scope)
        return found

    def file_writes(self) -> Iterator[FileWrite]:
        """Calls that write a file: f.write(x) on an opened file, Path.write_*, urlretrieve."""
        for site in self.calls:
            node, func = site.node, site.node.func
            if site.qualname in ("urllib.request.urlretrieve", "urllib.urlretrieve"):
                yield FileWrite(site=site, path=_arg(node, 1, "filename"), data=Origin.NETWORK)
                continue
            if site.qualname == "shutil.copyfileobj":
                source = _arg(node, 0, "fsrc")
                data = self.origin(source, site.scope) if source is not None else Origin.NONE
                yield FileWrite(site=site, path=None, data=data)
                continue
            if not isinstance(func, ast.Attribute) or not node.args:
                continue
            data_expr = node.args[0]
            if func.attr in _FILE_WRITE_METHODS:
                yield FileWrite(site=site, path=func.value, data=self.origin(data_expr, site.scope))
            elif func.attr in ("write", "writelines"):
                opened = self._opened_for_writing(func.value, site.scope)
                if opened is not None:
                    yield FileWrite(
                        site=site,
                        path=_arg(opened, 0, "file"),
                        data=self.origin(data_expr, site.scope),
                    )

    def _opened_for_writing(self, expr: ast.expr, scope: str) -> ast.Call | None:
        candidates: list[tuple[ast.expr, str]] = [(expr, scope)]
        if isinstance(expr, ast.Name):
            candidates = self._assigned(scope, expr.id)[:8]
        for value, where in candidates:
            if not isinstance(value, ast.Call):
                continue
            made = self.qualname(value.func, where)
            if made in _OPENERS and _writes(value):
                return value
            if made in ("tempfile.NamedTemporaryFile", "tempfile.TemporaryFile"):
                return value
            if made == "os.fdopen":
                return value
        return None

    def exec_source(self, site: CallSite) -> ast.expr | None:
        """The code argument of an exec/eval/compile call, if it has one."""
        if site.qualname not in _DECODE_EXEC_TARGETS:
            return None
        return _arg(site.node, 0, "source")

    def exec_origin(self, site: CallSite) -> Origin | None:
        """Origin of the code an exec/eval/compile call runs; None for other calls."""
        source = self.exec_source(site)
        if source is None:
            return None if site.qualname not in _DECODE_EXEC_TARGETS else Origin.DYNAMIC
        return self.origin(source, site.scope)

    def decode_exec(self) -> Iterator[CallSite]:
        """exec/eval/compile calls whose code comes (directly or via names) from a decoder."""
        for site in self.calls:
            origin = self.exec_origin(site)
            if origin is not None and Origin.DECODE in origin:
                yield site

    # -- literals and references ------------------------------------------------------------

    def strings(self, expr: ast.expr, scope: str) -> list[str]:
        """String (and bytes) constants that can flow into ``expr``, through local names."""
        key = (id(expr), scope)
        known = self._strings_cache.get(key)
        if known is None:
            known = self._strings_cache[key] = tuple(self._strings(expr, scope))
        return list(known)

    def _strings(self, expr: ast.expr, scope: str) -> list[str]:
        found: list[str] = []
        pending: list[tuple[ast.expr, str, int]] = [(expr, scope, 0)]
        seen: set[tuple[str, str]] = set()
        keyed: set[int] = set()  # names read one key of, followed for that key only
        while pending and len(found) < MAX_STRINGS:
            current, where, depth = pending.pop()
            for node in walk_values(current):
                if isinstance(node, ast.Constant):
                    if isinstance(node.value, str):
                        found.append(node.value)
                    elif isinstance(node.value, bytes):
                        found.append(node.value.decode("latin-1"))
                elif isinstance(node, ast.Name) and depth < 4:
                    if id(node) not in keyed and (where, node.id) not in seen:
                        seen.add((where, node.id))
                        pending.extend((v, w, depth + 1) for v, w in self._assigned(where, node.id))
                elif isinstance(node, ast.Subscript) and depth < 4:
                    entries = self._key_values(node, where)
                    if entries is not None:
                        keyed.add(id(node.value))
                        pending.extend((v, w, depth + 1) for v, w in entries)
        return found

    def _key_values(self, node: ast.Subscript, scope: str) -> list[tuple[ast.expr, str]] | None:
        """What ``d["k"]`` can hold when d is only ever a dict written out (a literal or
        ``dict(k=...)``) and items stored into it: the values under "k" and under keys
        not written out. None when some value of d is anything else."""
        base, key = node.value, _const_str(node.slice)
        if type(base) is not ast.Name or key is None:
            return None
        found: list[tuple[ast.expr, str]] = []
        for value, where in self._assigned(scope, base.id):
            stored = (id(value), base.id)
            if stored in self._stored_under:
                if self._stored_under[stored] in (None, key):
                    found.append((value, where))
                continue
            entries = _dict_entries(value)
            if entries is None:
                return None
            found.extend((item, where) for name, item in entries if name in (None, key))
        return found

    def references(self, qualname: str) -> list[tuple[ast.Attribute, str]]:
        """Attribute expressions (with their scope) that name ``qualname``, e.g. sys.executable."""
        attr = qualname.rsplit(".", 1)[-1]
        return [
            (node, scope)
            for node, scope in self._attributes.get(attr, ())
            if self.qualname(node, scope) == qualname
        ]

    def dynamic_lookups(self) -> Iterator[CallSite]:
        """__import__/import_module/getattr calls whose name is computed, not written."""
        for site in self.calls:
            if site.qualname in _IMPORTERS:
                if _const_str(_arg(site.node, 0, "name")) is None:
                    yield site
            elif (
                site.qualname == "getattr"
                and len(site.node.args) >= 2
                and _const_str(site.node.args[1]) is None
            ):
                yield site

    def line(self, number: int) -> str:
        """The text of 1-based source line ``number`` (stripped), or "" past the end."""
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1].strip()
        return ""


# Builtins whose result is made of their data's items: a predicate or key function
# (filter(lambda line: ..., open(p)), sorted(xs, key=len)) picks or orders, adds nothing.
_FILTERS = frozenset({"filter", "itertools.filterfalse"})
_ORDERERS = frozenset({"sorted", "min", "max"})


def _data_arguments(call: ast.Call, qualname: str | None) -> list[ast.expr]:
    """The arguments whose values can end up in the call's result."""
    if qualname in _FILTERS:
        return call.args[1:]
    keywords = [k for k in call.keywords if not (qualname in _ORDERERS and k.arg == "key")]
    return [*call.args, *(k.value for k in keywords)]


_EMPTY = ("", b"", None)
_TEXT_METHODS = frozenset({"decode", "encode", "join", "format", "replace", "strip", "lower"})


def _dict_entries(expr: ast.expr) -> list[tuple[str | None, ast.expr]] | None:
    """(key, value) of a dict written out; None for a key not written out (``**more``);
    None for anything else."""
    if isinstance(expr, ast.Dict):
        return [(_const_str(key), value) for key, value in zip(expr.keys, expr.values, strict=True)]
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict":
        return [(None, arg) for arg in expr.args] + [(k.arg, k.value) for k in expr.keywords]
    return None


def _may_be_text(expr: ast.expr) -> bool:
    """Whether ``expr`` may be a string: written as one, or made by text operations."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str | bytes)
    if isinstance(expr, ast.JoinedStr | ast.BinOp | ast.Subscript | ast.Name | ast.IfExp):
        return True
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute):
            return func.attr in _TEXT_METHODS
        return isinstance(func, ast.Name) and func.id in ("str", "bytes", "input", "chr")
    return False


def _bound_names(tree: ast.AST) -> Iterator[str]:
    """The names a statement binds or deletes anywhere inside it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            yield node.id
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.alias):
            yield node.asname or node.name.split(".", 1)[0]
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            yield node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest


def _param_names(args: ast.arguments) -> Iterator[str]:
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        yield arg.arg
    if args.vararg is not None:
        yield args.vararg.arg
    if args.kwarg is not None:
        yield args.kwarg.arg


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index and not any(
        isinstance(a, ast.Starred) for a in call.args[: index + 1]
    ):
        return call.args[index]
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def _parses_only(call: ast.Call) -> bool:
    """Whether a ``compile`` call's flags ask for a syntax tree (``ast.PyCF_ONLY_AST``).

    Such a call returns an ``ast.Module``, not code: nothing it is given can run.
    """
    flags = _arg(call, 3, "flags")
    if flags is None:
        return False
    for node in walk_values(flags):
        if type(node) is ast.Name and node.id == "PyCF_ONLY_AST":
            return True
        if type(node) is ast.Attribute and node.attr == "PyCF_ONLY_AST":
            return True
        if (
            type(node) is ast.Constant
            and type(node.value) is int
            and node.value & ast.PyCF_ONLY_AST
        ):
            return True
    return False


def _const_str(expr: ast.expr | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def _writes(call: ast.Call) -> bool:
    mode = _const_str(_arg(call, 1, "mode"))
    return mode is not None and any(flag in mode for flag in "wax+")


def _pairs(target: ast.Tuple | ast.List, value: ast.expr) -> bool:
    """Whether unpacking ``value`` into ``target`` pairs their elements one to one."""
    return (
        isinstance(value, ast.Tuple | ast.List)
        and len(value.elts) == len(target.elts)
        and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
    )


def _evaluated_expression(text: str | None) -> ast.expr | None:
    """``text`` parsed as the expression eval would evaluate, when it is a name, an
    attribute or a lookup call (``__import__('codecs')``); None for anything else."""
    if text is None or len(text) > _MAX_EVALUATED_CHARS:
        return None
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):  # ValueError: a null byte
        return None
    return node if isinstance(node, ast.Name | ast.Attribute | ast.Call) else None


def _is_command_base(qualname: str | None) -> bool:
    if qualname is None:
        return False
    root, _, _ = qualname.partition(".")
    return root in _COMMAND_ROOTS and qualname.rsplit(".", 1)[-1] in COMMAND_NAMES


def _hidden(inner: Origin) -> Origin:
    """``inner`` plus OBFUSCATED when what is being transformed is written in the source."""
    if Origin.LITERAL in inner and Origin.DYNAMIC not in inner:
        return inner | Origin.OBFUSCATED
    return inner


def _int_list(expr: ast.expr | None) -> bool:
    return (
        isinstance(expr, ast.List | ast.Tuple)
        and len(expr.elts) >= 3
        and all(isinstance(e, ast.Constant) and type(e.value) is int for e in expr.elts)
    )


# String methods that edit a text in place, keeping the order of what they leave.
_TEXT_EDITS = frozenset({"replace", "strip", "lstrip", "rstrip", "lower", "upper", "casefold"})


def _reverses(index: ast.expr) -> bool:
    if not isinstance(index, ast.Slice) or index.step is None:
        return False
    step = index.step
    return isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub)
