"""Per-rule fixtures for the obfuscation rules (see fixtures.py for the conventions).

Every encoded payload decodes to ``print("FIXTURE_OK")`` (or to code that only
decodes and runs that); code objects are compiled from it at import time with
:func:`compile` and serialised with :func:`marshal.dumps` — never loaded or run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import marshal
import struct
import zlib

from depvet.files import FileRole, FileView
from tests.builders import HARMLESS_B64, HARMLESS_PAYLOAD, LITELLM_PTH_LINE
from tests.detectors.fixture_types import RuleFixtures


def b64(data: bytes | str) -> str:
    """Standard base64 of ``data`` (UTF-8 for text), as text."""
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def python(text: str, path: str = "pkg/module.py") -> FileView:
    """A Python module."""
    return FileView(path=path, role=FileRole.PYTHON, data=text.encode())


def setup_py(text: str) -> FileView:
    """A setup.py at the root of an sdist."""
    return FileView(path="pkg-1.0/setup.py", role=FileRole.SETUP, data=text.encode())


def pth(text: str) -> FileView:
    """A .pth file at the top of site-packages."""
    return FileView(path="evil.pth", role=FileRole.PTH, data=text.encode())


def tiny_png() -> bytes:
    """A valid 8x8 grey PNG, built here (the shape of icons embedded in web packages)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = binascii.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + bytes(range(i, i + 8)) for i in range(8)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# What a decoded inner layer does: decode and run the harmless payload.
STAGE_TWO = f"import base64\nexec(base64.b64decode('{HARMLESS_B64}'))\n"
# Code a template engine might embed (no exec, no network): a plain code layer.
TEMPLATE = f"# generated entry point\n{HARMLESS_PAYLOAD}\n"
CODE_OBJECT = marshal.dumps(compile(HARMLESS_PAYLOAD, "<fixture>", "exec"))

DECODE_EXEC = f"import base64\nexec(base64.b64decode('{HARMLESS_B64}'))\n"
ZLIB_EXEC = (
    "import base64, zlib\n"
    f"_blob = '{b64(zlib.compress(HARMLESS_PAYLOAD.encode()))}'\n"
    "exec(zlib.decompress(base64.b64decode(_blob)))\n"
)
NESTED_EXEC = (
    "import base64 as b, zlib as z\n"
    f"exec(z.decompress(b.b64decode('{b64(zlib.compress(STAGE_TWO.encode()))}')))\n"
)
MARSHAL_EXEC = (
    f"import marshal, base64\nexec(marshal.loads(base64.b64decode('{b64(CODE_OBJECT)}')))\n"
)
CHR_EXEC = "exec(''.join(chr(c) for c in %r))\n" % [ord(c) for c in HARMLESS_PAYLOAD]
REVERSED_EXEC = f"exec({HARMLESS_PAYLOAD[::-1]!r}[::-1])\n"
# Not executed by the file, but the decoded code itself decodes and runs code.
DORMANT_STAGE_TWO = f"STAGE = '{b64(STAGE_TWO)}'\n"
TEMPLATE_MODULE = f'"""Project templates."""\n\nENTRY_POINT = "{b64(TEMPLATE)}"\n'
SETUP_TEMPLATE = (
    "from setuptools import setup\n"
    f"LAUNCHER = '{b64(TEMPLATE)}'\n"
    "setup(name='tmpl', version='1.0')\n"
)

# --- benign look-alikes: long literals that are not encoded code ------------------------------

WEB_ICON = f'ICON_PNG = "{b64(tiny_png())}"\nDATA_URI = "data:image/png;base64,{b64(tiny_png())}"\n'
LONG_REGEX = (
    "import re\n"
    "EMAIL = re.compile(r'^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$'"
    " r'|^(?:[a-z0-9!#$%&*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&*+/=?^_`{|}~-]+)*)$')\n"
)
HEX_VECTORS = (
    "import hashlib\n"
    f"EMPTY_SHA256 = '{hashlib.sha256(b'').hexdigest()}'\n"
    f"ABC_SHA512 = '{hashlib.sha512(b'abc').hexdigest()}'\n"
    "def test_vectors():\n"
    "    assert hashlib.sha256(b'').hexdigest() == EMPTY_SHA256\n"
    "    assert bytes.fromhex(ABC_SHA512)\n"
)
DOCSTRING = '''\
"""Decode helpers.

Use ``decode(blob)`` to turn a base64 string back into bytes; for example
``decode("aGVsbG8gd29ybGQ=")`` returns ``b"hello world"``. The function calls
base64.b64decode and never evaluates what it decodes (no exec, no eval).
"""
import base64


def decode(blob):
    return base64.b64decode(blob)
'''
_SETTINGS = b64(json.dumps({"theme": "dark", "url": "https://docs.example.invalid/"}))
SETTINGS_JSON = f"import base64, json\nDEFAULTS = json.loads(base64.b64decode('{_SETTINGS}'))\n"
# Three decoding steps, but what comes out is text, not code.
_NOTICE = b64(zlib.compress(b64("Licensed under the Apache License, Version 2.0").encode()))
ONE_LAYER_TEXT = (
    "import base64, zlib\n"
    f"NOTICE = base64.b64decode(zlib.decompress(base64.b64decode('{_NOTICE}')))\n"
)

FIXTURES_OBFUSCATION: dict[str, RuleFixtures] = {
    "encoded-python-payload": RuleFixtures(
        positive=[
            python(DECODE_EXEC),
            python(ZLIB_EXEC),
            python(NESTED_EXEC),
            python(MARSHAL_EXEC),
            python(CHR_EXEC),
            python(REVERSED_EXEC),
            python(DORMANT_STAGE_TWO),
            setup_py(ZLIB_EXEC),
            pth(LITELLM_PTH_LINE),
        ],
        benign=[
            python(TEMPLATE_MODULE),
            python(WEB_ICON, "web/static_assets.py"),
            python(LONG_REGEX),
            python(HEX_VECTORS, "tests/test_hashes.py"),
            python(DOCSTRING),
            python(SETTINGS_JSON),
        ],
    ),
    "encoded-python-code": RuleFixtures(
        positive=[python(TEMPLATE_MODULE), setup_py(SETUP_TEMPLATE)],
        benign=[
            python(DECODE_EXEC),  # run by the file: reported as a payload instead
            python(WEB_ICON, "web/static_assets.py"),
            python(SETTINGS_JSON),
            python(DOCSTRING),
        ],
    ),
    "deep-obfuscation": RuleFixtures(
        positive=[python(NESTED_EXEC), python(MARSHAL_EXEC), setup_py(NESTED_EXEC)],
        benign=[
            python(DECODE_EXEC),
            python(ZLIB_EXEC),
            python(ONE_LAYER_TEXT),
            python(WEB_ICON, "web/static_assets.py"),
        ],
    ),
}
