"""Bounded deobfuscation and the obfuscation rules.

Every payload decodes to ``print("FIXTURE_OK")``; code objects are built here
with compile() + marshal.dumps() and only ever inspected, never loaded or run.
"""

from __future__ import annotations

import base64
import bz2
import codecs
import gzip
import lzma
import marshal
import re
import struct
import time
import tracemalloc
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.detectors import deobfuscate
from depvet.detectors.deobfuscate import (
    DEEP_OBFUSCATION,
    ENCODED_CODE,
    ENCODED_PAYLOAD,
    DeobfuscationLimits,
    Layer,
    ObfuscationDetector,
    layers,
    runs_code_text,
)
from depvet.files import FileRole, FileView
from depvet.model import RuleKind, Scope, Severity
from tests.builders import HARMLESS_B64, HARMLESS_PAYLOAD, LITELLM_PTH_LINE
from tests.detectors import fixtures_obfuscation as fx

PAYLOAD = HARMLESS_PAYLOAD.encode()
DETECTOR = ObfuscationDetector()


def _explore(source: str | bytes, limits: DeobfuscationLimits | None = None) -> list[Layer]:
    """Like layers(), but lets an unexpected exception (a bug) fail the test."""
    data = source.encode() if isinstance(source, str) else source
    found = deobfuscate._explore(data, limits or DeobfuscationLimits())
    return [f.layer for f in found]


def _code(source: str | bytes, limits: DeobfuscationLimits | None = None) -> list[Layer]:
    return [layer for layer in _explore(source, limits) if layer.is_code]


def _only_code(source: str | bytes) -> Layer:
    (layer,) = _code(source)
    return layer


def _b64(data: bytes | str) -> str:
    return fx.b64(data)


# --- each decoder --------------------------------------------------------------------------------


def _exec(imports: str, expression: str) -> str:
    return f"{imports}\nexec({expression})\n"


_CODES = list(PAYLOAD)
_PIECES = ", ".join(repr(HARMLESS_B64[i : i + 4]) for i in range(0, len(HARMLESS_B64), 4))
_URLSAFE = base64.urlsafe_b64encode(b"\n".join([PAYLOAD, b"#\xff\xfe~", PAYLOAD, PAYLOAD])).decode()
_ROT13 = codecs.encode(HARMLESS_PAYLOAD, "rot13")

DECODERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "b64decode": (_exec("import base64", f"base64.b64decode('{HARMLESS_B64}')"), ("base64",)),
    "urlsafe": (_exec("import base64", f"base64.urlsafe_b64decode('{_URLSAFE}')"), ("base64",)),
    "unpadded": (
        _exec("import base64 as b", f"b.b64decode('{HARMLESS_B64.rstrip('=')}' + '==')"),
        ("base64",),
    ),
    "b32decode": (
        _exec("import base64", f"base64.b32decode('{base64.b32encode(PAYLOAD).decode()}')"),
        ("base32",),
    ),
    "b16decode": (
        _exec("import base64", f"base64.b16decode('{base64.b16encode(PAYLOAD).decode()}')"),
        ("hex",),
    ),
    "b85decode": (
        _exec("import base64", f"base64.b85decode({base64.b85encode(PAYLOAD).decode()!r})"),
        ("base85",),
    ),
    "a85decode": (
        _exec("import base64", f"base64.a85decode({base64.a85encode(PAYLOAD).decode()!r})"),
        ("ascii85",),
    ),
    "fromhex": (_exec("", f"bytes.fromhex('{PAYLOAD.hex()}')"), ("hex",)),
    "unhexlify": (_exec("from binascii import unhexlify as u", f"u('{PAYLOAD.hex()}')"), ("hex",)),
    "codecs-hex": (_exec("import codecs", f"codecs.decode('{PAYLOAD.hex()}', 'hex')"), ("hex",)),
    "codecs-rot13": (_exec("import codecs", f"codecs.decode({_ROT13!r}, 'rot_13')"), ("rot13",)),
    "zlib": (
        _exec(
            "import zlib, base64",
            f"zlib.decompress(base64.b64decode({_b64(zlib.compress(PAYLOAD))!r}))",
        ),
        ("base64", "zlib"),
    ),
    "raw-deflate": (
        _exec(
            "import zlib, base64",
            f"zlib.decompress(base64.b64decode('{_b64(zlib.compress(PAYLOAD)[2:-4])}'), -15)",
        ),
        ("base64", "zlib"),
    ),
    "gzip": (
        _exec(
            "import gzip, base64",
            f"gzip.decompress(base64.b64decode({_b64(gzip.compress(PAYLOAD))!r}))",
        ),
        ("base64", "gzip"),
    ),
    "bz2": (
        _exec(
            "import bz2, base64",
            f"bz2.decompress(base64.b64decode({_b64(bz2.compress(PAYLOAD))!r}))",
        ),
        ("base64", "bz2"),
    ),
    "lzma": (
        _exec(
            "import lzma, base64",
            f"lzma.decompress(base64.b64decode({_b64(lzma.compress(PAYLOAD))!r}))",
        ),
        ("base64", "lzma"),
    ),
    "reversed-slice": (_exec("", f"{HARMLESS_PAYLOAD[::-1]!r}[::-1]"), ("reverse",)),
    "reversed-join": (_exec("", f"''.join(reversed({HARMLESS_PAYLOAD[::-1]!r}))"), ("reverse",)),
    "chr-generator": (_exec("", f"''.join(chr(c) for c in {_CODES!r})"), ("chr",)),
    "chr-map": (_exec("", f"''.join(map(chr, {_CODES!r}))"), ("chr",)),
    "chr-sum": (_exec("", " + ".join(f"chr({c})" for c in PAYLOAD)), ("chr",)),
    "chr-xor": (
        _exec("", f"''.join(chr(c ^ 42) for c in {[c ^ 42 for c in PAYLOAD]!r})"),
        ("chr", "xor"),
    ),
    "bytes-list": (_exec("", f"bytes({_CODES!r})"), ("int-list",)),
    "bytearray-tuple": (_exec("", f"bytearray({tuple(_CODES)!r}).decode()"), ("int-list",)),
    "join-pieces": (_exec("import base64", f"base64.b64decode(''.join([{_PIECES}]))"), ("base64",)),
    "implicit-concatenation": (
        _exec("import base64", f"base64.b64decode('{HARMLESS_B64[:10]}' '{HARMLESS_B64[10:]}')"),
        ("base64",),
    ),
    "dunder-import": (_exec("", f"__import__('base64').b64decode('{HARMLESS_B64}')"), ("base64",)),
    "py2-str-decode": (f"print 'x'\nexec '{HARMLESS_B64}'.decode('base64')\n", ("base64",)),
    "py2-b64decode": (
        f"import base64\nprint 'x'\nexec base64.b64decode('{HARMLESS_B64}')\n",
        ("base64",),
    ),
}


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_each_decoder(name: str) -> None:
    source, chain = DECODERS[name]
    layer = _only_code(source)
    assert layer.chain == chain
    assert b'print("FIXTURE_OK")' in layer.data
    assert layer.line >= 1


@pytest.mark.parametrize(
    ("literal", "chain"),
    [
        (_b64(fx.TEMPLATE), ("base64",)),
        (base64.urlsafe_b64encode(b"#~~~???\n" + fx.TEMPLATE.encode()).decode(), ("base64",)),
        (_b64(fx.TEMPLATE)[::-1], ("reverse", "base64")),
        (fx.TEMPLATE.encode().hex(), ("hex",)),
        (base64.b32encode(fx.TEMPLATE.encode()).decode(), ("base32",)),
        (_b64(zlib.compress(fx.TEMPLATE.encode())), ("base64", "zlib")),
        (_b64(zlib.compress(fx.TEMPLATE.encode())[2:-4]), ("base64", "zlib")),
        (_b64(gzip.compress(fx.TEMPLATE.encode())), ("base64", "gzip")),
        (_b64(bz2.compress(fx.TEMPLATE.encode())), ("base64", "bz2")),
        (_b64(lzma.compress(fx.TEMPLATE.encode())), ("base64", "lzma")),
        (zlib.compress(fx.TEMPLATE.encode()).hex(), ("hex", "zlib")),
    ],
    ids=[
        "b64",
        "b64url",
        "b64-reversed",
        "hex",
        "b32",
        "zlib",
        "deflate",
        "gzip",
        "bz2",
        "lzma",
        "hex-zlib",
    ],
)
def test_guessed_decoders_on_plain_literals(literal: str, chain: tuple[str, ...]) -> None:
    layer = _only_code(f"X = {literal!r}\n")
    assert layer.chain == chain
    assert layer.data.endswith(fx.TEMPLATE.encode())


def test_guessed_base64_wrapped_over_lines() -> None:
    wrapped = base64.encodebytes(fx.TEMPLATE.encode() * 4).decode()
    source = f'BLOB = """\n{wrapped}"""\n'
    assert _only_code(source).chain == ("base64",)


def test_guessed_rot13_and_reversal_only_when_they_read_as_code() -> None:
    code = "import os\nprint(os.getcwd())\nfor x in range(3):\n    print(x)\n"
    rot = _b64(codecs.encode(code, "rot13"))
    layer = _only_code(f"import base64\nX = base64.b64decode('{rot}')\n")
    assert layer.chain == ("base64", "rot13")
    backwards = _b64(code[::-1])
    layer = _only_code(f"import base64\nX = base64.b64decode('{backwards}')\n")
    assert layer.chain == ("base64", "reverse")
    prose = _b64(codecs.encode("Nothing here is code, (only) words about a module.", "rot13"))
    assert _code(f"import base64\nX = base64.b64decode('{prose}')\n") == []


def test_blob_accumulated_over_statements() -> None:
    blob = _b64(zlib.compress(fx.TEMPLATE.encode() * 3))
    pieces = [blob[i : i + 24] for i in range(0, len(blob), 24)]
    source = (
        "import base64, zlib\n"
        f"Z = {pieces[0]!r}\n"
        + "".join(f"Z += {piece!r}\n" for piece in pieces[1:])
        + "Z = base64.b64decode(Z)\nZ = zlib.decompress(Z)\nexec(Z)\n"
    )
    (found,) = deobfuscate._explore(source.encode(), DeobfuscationLimits())
    assert found.layer.chain == ("base64", "zlib") and found.layer.line == 2
    assert found.executed


def test_decoder_lambda_and_one_line_function() -> None:
    blob = _b64(zlib.compress(PAYLOAD))[::-1]
    lam = (
        "_ = lambda s: __import__('zlib').decompress(__import__('base64').b64decode(s[::-1]))\n"
        f"exec((_)({blob!r}))\n"
    )
    assert _only_code(lam).chain == ("reverse", "base64", "zlib")
    func = (
        'import base64\n\n\ndef unpack(data):\n    """Unpack."""\n'
        "    return base64.b64decode(data)\n\n\n"
        f"exec(unpack('{HARMLESS_B64}'))\n"
    )
    assert _only_code(func).chain == ("base64",)
    recursive = "def f(x):\n    return f(x)\n\n\nexec(f('a'))\n"
    assert _explore(recursive) == []


# --- nesting, lines, marshal ----------------------------------------------------------------------


def test_nesting_base64_zlib_base64() -> None:
    code = _code(fx.NESTED_EXEC)
    assert [layer.chain for layer in code] == [("base64", "zlib"), ("base64", "zlib", "base64")]
    assert code[-1].data == PAYLOAD
    assert all(layer.line == 2 for layer in code)  # the outermost blob's line, for both


def test_blob_line_is_where_the_literal_sits() -> None:
    (layer,) = _code(fx.ZLIB_EXEC)  # the blob is assigned on line 2, decoded on line 3
    assert layer.line == 2


def test_marshal_code_object_is_inspected() -> None:
    layer = _only_code(fx.MARSHAL_EXEC)
    assert layer.chain == ("base64", "marshal")
    assert set(layer.data.decode().splitlines()) >= {"print", "FIXTURE_OK", "<module>"}


def test_marshal_loads_is_never_called(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("marshal.loads must not be called")

    monkeypatch.setattr(marshal, "loads", refuse)
    assert _only_code(fx.MARSHAL_EXEC).chain == ("base64", "marshal")


def test_marshal_nested_code_objects_and_pyc_header() -> None:
    source = "def f():\n    return 'https://c2.example.invalid/stage2'\nprint('FIXTURE_OK')\n"
    code = marshal.dumps(compile(source, "<fixture>", "exec"))
    pyc = b"\xa7\r\r\n" + bytes(12) + code
    layer = _only_code(
        f"import zlib, marshal\nexec(marshal.loads(zlib.decompress({zlib.compress(pyc)!r})))"
    )
    assert layer.chain == ("zlib", "marshal")
    lines = layer.data.decode().splitlines()
    assert "https://c2.example.invalid/stage2" in lines and "f" in lines


def _py27_code_object() -> bytes:
    """A code object in Python 2.7's marshal layout, built by hand (4 int fields)."""

    def s(kind: bytes, raw: bytes) -> bytes:
        return kind + struct.pack("<i", len(raw)) + raw

    def tup(*items: bytes) -> bytes:
        return b"(" + struct.pack("<i", len(items)) + b"".join(items)

    return (
        b"c"
        + struct.pack("<4i", 0, 0, 1, 64)
        + s(b"s", b"d\x00\x00GHd\x01\x00S")
        + tup(s(b"s", b"FIXTURE_OK"), b"N")
        + tup()  # names
        + tup()  # varnames
        + tup()  # freevars
        + tup()  # cellvars
        + s(b"s", b"<fixture>")
        + s(b"t", b"<module>")
        + struct.pack("<i", 1)
        + s(b"s", b"")
    )


def test_marshal_from_another_python_version() -> None:
    blob = _b64(_py27_code_object())
    layer = _only_code(f"import marshal, base64\nexec(marshal.loads(base64.b64decode('{blob}')))")
    assert layer.chain == ("base64", "marshal")
    assert b"FIXTURE_OK" in layer.data


@pytest.mark.parametrize("cut", [1, 5, 23, 30, 60, -20, -1])
def test_truncated_marshal_is_not_a_layer_and_never_raises(cut: int) -> None:
    code = marshal.dumps(compile(HARMLESS_PAYLOAD, "<fixture>", "exec"))
    blob = _b64(code[:cut])
    layers_found = _explore(
        f"import marshal, base64\nexec(marshal.loads(base64.b64decode('{blob}')))"
    )
    assert not any(layer.chain[-1:] == ("marshal",) for layer in layers_found)


def test_pe_binary_is_reported_truncated() -> None:
    image = bytearray(64 * 1024)
    image[0:2] = b"MZ"
    image[0x3C:0x40] = struct.pack("<I", 0x80)
    image[0x80:0x84] = b"PE\x00\x00"
    (layer,) = _explore(f"import base64\nBIN = base64.b64decode('{_b64(bytes(image))}')\n")
    assert layer.chain == ("base64", "binary")
    assert layer.data.startswith(b"MZ") and len(layer.data) == 4096
    assert not layer.is_code


@pytest.mark.parametrize(
    ("image", "binary"),
    [
        (b"\x7fELF\x02\x01\x01" + bytes(57) + bytes(range(256)) * 4, True),
        (b"\x7fELF\x01\x01\x01" + bytes(45), True),  # a whole 32-bit header
        # A binary loader's constants: the magic and a few ident bytes, no image.
        (bytes.fromhex("7f454c46010101000000000000000000"), False),
        (b"\x7fELF\x07" + bytes(100), False),  # no such class
    ],
)
def test_elf_image_needs_a_whole_header(image: bytes, binary: bool) -> None:
    found = _explore(f"HEADER = bytes.fromhex('{image.hex()}')\n")
    assert any(layer.chain[-1:] == ("binary",) for layer in found) is binary


def test_decoded_text_that_is_not_code() -> None:
    url = b"https://c2.example.invalid/collect?k=v&host=fixture"
    (layer,) = _explore(f"import base64\nU = base64.b64decode('{_b64(url)}')\n")
    assert layer == Layer(line=2, chain=("base64",), data=url, is_code=False)


def test_identical_blobs_are_decoded_once() -> None:
    line = f"exec(__import__('base64').b64decode('{_b64(fx.TEMPLATE)}'))\n"
    start = time.monotonic()
    found = _explore(line * 1000)
    assert time.monotonic() - start < 5
    assert len(found) == 1


# --- limits -----------------------------------------------------------------------------------


def _onion(levels: int) -> str:
    source = HARMLESS_PAYLOAD
    for _ in range(levels):
        source = f"import base64\nexec(base64.b64decode('{_b64(source)}'))\n"
    return source


def test_max_depth_bounds_nested_layers() -> None:
    deep = _onion(6)
    assert len(_code(deep)) == 6
    limited = _code(deep, DeobfuscationLimits(max_depth=2))
    assert [len(layer.chain) for layer in limited] == [1, 2]


def test_max_layers() -> None:
    source = "".join(
        f"import base64\nexec(base64.b64decode('{_b64(f'print({n})')}'))\n" for n in range(50)
    )
    assert len(_explore(source)) == 50
    assert len(_explore(source, DeobfuscationLimits(max_layers=5))) == 5


def test_max_output_bytes() -> None:
    big = _b64(zlib.compress(fx.TEMPLATE.encode() * 20_000))  # ~800 KB decoded
    source = f"import base64, zlib\nexec(zlib.decompress(base64.b64decode('{big}')))\n"
    assert _code(source)[0].data.startswith(b"# generated")
    limited = _explore(source, DeobfuscationLimits(max_output_bytes=64 * 1024))
    assert [layer.is_code for layer in limited] == [True]  # cut short, still judged
    assert 32 * 1024 < len(limited[0].data) <= 64 * 1024


def test_max_blob_bytes() -> None:
    source = f"X = '{_b64(fx.TEMPLATE * 100)}'\n"
    assert _code(source)
    assert _explore(source, DeobfuscationLimits(max_blob_bytes=1024)) == []


def test_decompression_bomb_is_bounded() -> None:
    compressor = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()
    assert len(bomb) < 200 * 1024  # 100 MB of zeros
    source = f"import base64, zlib\nexec(zlib.decompress(base64.b64decode('{_b64(bomb)}')))\n"
    tracemalloc.start()
    try:
        found = _explore(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == []  # zeros are not meaningful
    assert peak < 32 * 1024 * 1024


def test_text_bomb_stops_at_the_output_budget() -> None:
    compressor = zlib.compressobj(9)
    chunk = b"A" * (1024 * 1024)
    bomb = b"".join(compressor.compress(chunk) for _ in range(64)) + compressor.flush()
    limits = DeobfuscationLimits(max_output_bytes=2 * 1024 * 1024)
    found = _explore(f"import zlib\nT = zlib.decompress({bomb!r})\n", limits)
    assert sum(len(layer.data) for layer in found) <= 2 * 1024 * 1024


def test_time_budget() -> None:
    source = "".join(
        f"import base64\nexec(base64.b64decode('{_b64(f'print({n})' * 50)}'))\n"
        for n in range(3000)
    )
    start = time.monotonic()
    found = _explore(source, DeobfuscationLimits(seconds=0.2, max_layers=10_000))
    assert time.monotonic() - start < 2.0
    assert len(found) < 3000
    assert _explore(source, DeobfuscationLimits(seconds=0.0)) == []


# --- hostile input -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert isinstance(_explore(data), list)
    assert isinstance(layers(data), list)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=1, max_size=600), st.sampled_from([b"", b"c", b"\xe3", b"x\x9c", b"BZh9"])
)
def test_arbitrary_decoded_bytes_never_raise(data: bytes, prefix: bytes) -> None:
    blob = _b64(prefix + data)
    source = (
        "import base64, marshal, zlib\n"
        f"exec(marshal.loads(base64.b64decode('{blob}')))\n"
        f"exec(zlib.decompress(base64.b64decode('{blob}')))\n"
        f"X = '{blob}'\n"
    )
    assert isinstance(_explore(source), list)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=8))
def test_corrupted_code_objects_never_raise(position: int, junk: bytes) -> None:
    code = bytearray(marshal.dumps(compile("def f(a):\n    return [a, 'x' * 40]\n", "<f>", "exec")))
    position %= len(code)
    code[position : position + len(junk)] = junk
    assert isinstance(_explore(f"X = {bytes(code)!r}\n"), list)


@pytest.mark.parametrize(
    "source",
    [
        "x = " + " + ".join(["'ab'"] * 5000) + "\n",  # a long sum
        "x = y + " + " + ".join(["chr(97)"] * 3000) + "\n",  # a long sum that cannot fold
        "exec(" * 90 + "'a'" + ")" * 90 + "\n",  # deep calls
        "a = b\nb = a\nexec(base64.b64decode(a))\n",  # names bound to each other
        "exec(''.join(chr(c) for c in range(10**9)))\n",  # not a literal sequence
        "exec('x'.replace('x', 'y' * 10**6) * 10**6)\n",
        "exec(chr(10**9))\n",
    ],
    ids=["sum", "unfoldable-sum", "deep-calls", "name-cycle", "range", "replace", "bad-chr"],
)
def test_adversarial_expressions_are_cheap(source: str) -> None:
    start = time.monotonic()
    assert isinstance(_explore(source), list)
    assert time.monotonic() - start < 3


# --- benign look-alikes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [fx.WEB_ICON, fx.LONG_REGEX, fx.HEX_VECTORS, fx.DOCSTRING, fx.SETTINGS_JSON, fx.ONE_LAYER_TEXT],
    ids=["png", "regex", "hex-vectors", "docstring", "json", "text-layers"],
)
def test_benign_look_alikes_have_no_code_layer(source: str) -> None:
    assert _code(source) == []
    findings = list(DETECTOR.scan(fx.python(source)))
    assert not [f for f in findings if f.kind is RuleKind.THREAT]


def test_base64_image_is_cheap_to_reject() -> None:
    image = fx.tiny_png() + bytes(range(256)) * 4096  # ~1 MB of binary after a PNG header
    source = f"IMAGE = '{_b64(image)}'\n"
    assert _explore(source) == []
    budget = DeobfuscationLimits(max_output_bytes=64 * 1024)  # the full decode would not fit
    assert _explore(source, budget) == []


@pytest.mark.parametrize(
    "source",
    [
        "import torch\n\nmodel.eval()\n",
        "pool = Pool(executor=executor)\nrun_exec(x)\n",
        "import numpy as np\norder = np.argsort(scores)[::-1]\nrows = table[::-1]\n",
        "for item in reversed(items):\n    print(item)\n",
        "query['decompress_definition'] = decompress_definition\n",
        "from .serde import unmarshal, marshal_json\nvalue = unmarshal(marshal_json(x))\n",
        "from .registry import _codecs_list\n",
        'ids = proto.RepeatedField(proto.STRING, number=1, marshal="google.ads.v23")\n',
        "def read(path, decompress=True, codecs = None):\n    return path\n",
    ],
    ids=[
        "method-eval",
        "executor",
        "arrays-reversed",
        "list-reversed",
        "decompress-in-a-name",
        "marshal-in-a-name",
        "codecs-in-a-name",
        "marshal-keyword-argument",
        "parameters-given-defaults",
    ],
)
def test_words_that_are_not_the_builtins_do_not_make_the_file_parsed(source: str) -> None:
    assert deobfuscate._trigger_lines(source.encode()) == []


_REVERSED_CODE = HARMLESS_PAYLOAD[::-1]


@pytest.mark.parametrize(
    "source",
    [
        f"code = {_REVERSED_CODE!r}[::-1]\nopen('x.py', 'w').write(code)\n",
        f"p = {_REVERSED_CODE!r}\nc = p[::-1]\nopen('x.py', 'w').write(c)\n",
        f"p = {_REVERSED_CODE!r}\nc = ''.join(reversed(p))\nopen('x.py', 'w').write(c)\n",
        f"c = ''.join([{_REVERSED_CODE!r}])[::-1]\nopen('x.py', 'w').write(c)\n",
    ],
    ids=["literal", "name-bound-to-literal", "reversed-name", "joined-literal"],
)
def test_reversed_literals_are_still_folded(source: str) -> None:
    assert deobfuscate._trigger_lines(source.encode()) != []
    (layer,) = _code(source)
    assert layer.chain == ("reverse",)


def test_decompressor_marshal_and_codecs_names_are_still_triggers() -> None:
    source = (
        b"import zlib, marshal, codecs\n"
        b"a = zlib.decompress(x)\n"
        b"from gzip import decompress as d\n"
        b"b = marshal.loads(y)\n"
        b"c = codecs.decode(z, 'rot13')\n"
    )
    assert deobfuscate._trigger_lines(source) == [1, 2, 3, 4, 5]


def test_module_bound_to_a_name_of_its_own_is_still_a_trigger() -> None:
    source = (
        b"marshal = __import__('marshal')\ndecompress = zlib.decompress\nexists = marshal == None\n"
    )
    assert deobfuscate._trigger_lines(source) == [1, 2, 3]


def test_builtins_exec_by_attribute_is_still_a_trigger() -> None:
    source = b"import builtins\nbuiltins.exec(x)\n__builtins__.eval(y)\n"
    assert deobfuscate._trigger_lines(source) == [2, 3]


# --- the detector ---------------------------------------------------------------------------------


def test_rule_metadata() -> None:
    assert {r.id for r in DETECTOR.rules} == {
        "encoded-python-payload",
        "encoded-python-code",
        "deep-obfuscation",
    }
    assert ENCODED_PAYLOAD.kind is RuleKind.THREAT and ENCODED_PAYLOAD.severity is Severity.HIGH
    assert ENCODED_CODE.kind is RuleKind.CAPABILITY and ENCODED_CODE.severity is Severity.MEDIUM
    assert DEEP_OBFUSCATION.kind is RuleKind.THREAT and DEEP_OBFUSCATION.severity is Severity.HIGH
    for rule in DETECTOR.rules:
        assert rule.technique.endswith("(T1027)") and rule.version == 1


@pytest.mark.parametrize(
    ("role", "wanted"),
    [
        (FileRole.PYTHON, True),
        (FileRole.SETUP, True),
        (FileRole.PTH, True),
        (FileRole.CUSTOMIZE, True),
        (FileRole.OTHER, False),
    ],
)
def test_wants(role: FileRole, wanted: bool) -> None:
    assert DETECTOR.wants(FileView(path="x", role=role, data=b"")) is wanted


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (FileRole.PYTHON, Scope.IMPORT),
        (FileRole.SETUP, Scope.INSTALL),
        (FileRole.PTH, Scope.STARTUP),
        (FileRole.CUSTOMIZE, Scope.STARTUP),
    ],
)
def test_scope_follows_role(role: FileRole, scope: Scope) -> None:
    findings = list(DETECTOR.scan(FileView(path="x", role=role, data=fx.DECODE_EXEC.encode())))
    assert [(f.rule, f.scope) for f in findings] == [(ENCODED_PAYLOAD.id, scope)]


def test_payload_finding() -> None:
    (finding,) = DETECTOR.scan(fx.python(fx.ZLIB_EXEC, "pkg/__init__.py"))
    assert finding.rule == ENCODED_PAYLOAD.id
    assert finding.path == "pkg/__init__.py" and finding.line == 2
    assert finding.evidence == 'base64 → zlib: print("FIXTURE_OK")'
    assert "the file runs it" in finding.message


def test_dormant_layer_that_runs_code_is_a_payload() -> None:
    findings = [(f.rule, f.evidence) for f in DETECTOR.scan(fx.python(fx.DORMANT_STAGE_TWO))]
    assert findings == [
        (ENCODED_PAYLOAD.id, f"base64: import base64 exec(base64.b64decode('{HARMLESS_B64}'))"),
        (ENCODED_PAYLOAD.id, 'base64 → base64: print("FIXTURE_OK")'),
    ]


def test_template_is_only_a_capability() -> None:
    findings = list(DETECTOR.scan(fx.python(fx.TEMPLATE_MODULE)))
    assert [(f.rule, f.kind) for f in findings] == [(ENCODED_CODE.id, RuleKind.CAPABILITY)]


def test_deep_obfuscation_reported_once_at_the_deepest_layer() -> None:
    findings = [f for f in DETECTOR.scan(fx.python(_onion(5))) if f.rule == DEEP_OBFUSCATION.id]
    assert len(findings) == 1
    assert findings[0].evidence.startswith("base64 → base64 → base64 → base64 → base64: print(")


def test_litellm_launcher_shape() -> None:
    findings = list(DETECTOR.scan(fx.pth(LITELLM_PTH_LINE)))
    assert [(f.rule, f.scope, f.line) for f in findings] == [(ENCODED_PAYLOAD.id, Scope.STARTUP, 1)]


def test_findings_per_rule_are_capped() -> None:
    source = "".join(
        f"import base64\nexec(base64.b64decode('{_b64(f'print({n})')}'))\n" for n in range(30)
    )
    findings = list(DETECTOR.scan(fx.python(source)))
    assert len(findings) == deobfuscate.MAX_FINDINGS_PER_RULE


def test_preview() -> None:
    assert deobfuscate.preview(b"a\n\tb\x00c" + b"x" * 500) == "a b c" + "x" * 115


# The one-regex form runs_code_text replaced: the answers must stay the same.
_RUNS_CODE_REGEX = re.compile(
    rb"\b(?:exec|eval|execfile|compile)\s*\(|\bexec\s+[\w(]|marshal\.loads|subprocess\."
    rb"|\bos\.(?:system|popen)"
)
_CODE_PIECES = st.sampled_from(
    [
        b"exec",
        b"eval",
        b"execfile",
        b"compile",
        b"marshal.loads",
        b"subprocess.",
        b"os.system",
        b"os.popen",
        b"pos",
        b"_",
        b"x",
        b" ",
        b"\t",
        b"\n",
        b"(",
        b"(x)",
        b".",
        b"re.",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_CODE_PIECES, max_size=12).map(b"".join))
def test_runs_code_text_agrees_with_the_regex(data: bytes) -> None:
    assert runs_code_text(data) == (_RUNS_CODE_REGEX.search(data) is not None)


def test_runs_code_text_needs_a_call_not_a_word() -> None:
    assert runs_code_text(b"exec(payload)")
    assert runs_code_text(b"exec code in ns")
    assert runs_code_text(b"import subprocess\nsubprocess.run(x)")
    assert not runs_code_text(b"re.compile_all = 1\nexecutor(task)\nself.eval_mode = True")
    assert not runs_code_text(b"mypos.system(1)")


@settings(max_examples=400, deadline=None)
@given(
    data=st.lists(
        st.sampled_from([b"a", b"Z", b"9", b"+", b" ", b"\n", b"\\", b'"', b"'", b"(", b"\x00"])
    ).map(b"".join),
    min_chars=st.integers(min_value=1, max_value=6),
)
def test_quoted_runs_are_those_the_regex_finds(data: bytes, min_chars: int) -> None:
    regex = re.compile(rb"""(["'])([A-Za-z0-9+/=_\-\\ \t\r\n]{%d,})\1""" % min_chars)
    expected = [(m.start(), m.group(2)) for m in regex.finditer(data)]
    assert deobfuscate._quoted_runs(min_chars).find(data) == expected


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(
        st.sampled_from([b"p", b"x", b".", b"_", b" ", b"=", b"==", b'"', b"b'", b"\n"])
    ).map(b"".join),
    name=st.sampled_from([b"p", b"px", b"_p"]),
)
def test_bound_to_literal_is_an_assignment_of_a_literal_to_the_whole_name(
    data: bytes, name: bytes
) -> None:
    pattern = re.compile(rb"(?<![\w.])" + re.escape(name) + rb"\s*=\s*[bBuUrR]{0,2}['\"]")
    assert deobfuscate._bound_to_literal(data, name) == (pattern.search(data) is not None)
