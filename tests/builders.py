"""Build package artifacts at test time, harmless by construction.

Every payload a test builds decodes to ``print("FIXTURE_OK")``, every URL is
on ``*.example.invalid``; nothing here is ever installed or imported.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path

Files = Mapping[str, bytes | str]

HARMLESS_PAYLOAD = 'print("FIXTURE_OK")'
HARMLESS_B64 = base64.b64encode(HARMLESS_PAYLOAD.encode()).decode()

# The shape of the litellm 1.82.8 launcher (see THREATS.md), with a harmless payload.
LITELLM_PTH_LINE = (
    'import os, subprocess, sys; subprocess.Popen([sys.executable, "-c", '
    f"\"import base64; exec(base64.b64decode('{HARMLESS_B64}'))\"], "
    "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
)


def _bytes(content: bytes | str) -> bytes:
    return content.encode() if isinstance(content, str) else content


def metadata_text(name: str, version: str) -> str:
    """A minimal core-metadata document."""
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test fixture\n\n"


def make_wheel(directory: Path, name: str, version: str, files: Files) -> Path:
    """Write ``{name}-{version}-py3-none-any.whl`` with ``files`` plus dist-info and RECORD."""
    dist = f"{name.replace('-', '_')}-{version}"
    members: dict[str, bytes] = {k: _bytes(v) for k, v in files.items()}
    members[f"{dist}.dist-info/METADATA"] = metadata_text(name, version).encode()
    members[f"{dist}.dist-info/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: depvet-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record_lines = []
    for path, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={digest},{len(data)}")
    record_lines.append(f"{dist}.dist-info/RECORD,,")
    members[f"{dist}.dist-info/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    target = directory / f"{dist}-py3-none-any.whl"
    write_zip(target, members)
    return target


def make_sdist(
    directory: Path, name: str, version: str, files: Files, *, fmt: str = "gztar"
) -> Path:
    """Write an sdist (``gztar`` or ``zip``) whose members sit under ``name-version/``."""
    top = f"{name}-{version}"
    members = {f"{top}/{k}": _bytes(v) for k, v in files.items()}
    members[f"{top}/PKG-INFO"] = metadata_text(name, version).encode()
    if fmt == "zip":
        target = directory / f"{top}.zip"
        write_zip(target, members)
    else:
        target = directory / f"{top}.tar.gz"
        write_tar(target, members)
    return target


def write_zip(target: Path, members: Mapping[str, bytes]) -> Path:
    """A zip holding exactly ``members``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in members.items():
            zf.writestr(path, data)
    return target


def write_tar(target: Path, members: Mapping[str, bytes], mode: str = "w:gz") -> Path:
    """A tar (gzip by default) holding exactly ``members`` as regular files."""
    with tarfile.open(target, mode) as tf:  # type: ignore[call-overload]
        for path, data in members.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = int(time.time())
            tf.addfile(info, io.BytesIO(data))
    return target
