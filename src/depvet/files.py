"""A file as detectors see it: where it sits, what role it plays, its bytes."""

from __future__ import annotations

import codecs
import enum
import hashlib
import re
from dataclasses import dataclass


class FileRole(enum.StrEnum):
    """Where a file runs decides how much its code matters."""

    PTH = "pth"  # a path configuration file: `import` lines run at every interpreter start
    CUSTOMIZE = "customize"  # sitecustomize.py / usercustomize.py at the top of site-packages
    SETUP = "setup"  # setup.py at the root of a source tree: runs at install/build time
    PYTHON = "python"  # any other Python source
    AUXILIARY = "auxiliary"  # Python that is neither installed nor imported: tests, docs, tools
    OTHER = "other"


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def decode_source(data: bytes) -> str:
    """Decode source bytes the way Python would, never failing.

    Honours a PEP 263 coding line and a UTF-8 BOM; undecodable bytes become
    U+FFFD so byte-level junk (common in malware) never stops a scan.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    encoding = "utf-8"
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            name = match.group(1).decode("ascii", "replace")
            try:
                encoding = codecs.lookup(name).name
            except LookupError:
                encoding = "utf-8"
            break
    try:
        return data.decode(encoding, "replace")
    except LookupError:  # pragma: no cover - lookup above already validated it
        return data.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True, kw_only=True)
class FileView:
    """One file of an artifact, read into memory (never onto a Python path)."""

    path: str  # inside the artifact, '/'-separated; nested archives join with '!/'
    role: FileRole
    data: bytes
    truncated: bool = False  # True when only the first Limits.max_file_bytes were read
    sha256: str = ""  # hex digest of data when the reader computed it already; "" if not

    def digest(self) -> str:
        """The sha256 of :attr:`data`, hex: the one the reader gave, else computed."""
        return self.sha256 or hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        """The file's base name."""
        return self.path.rsplit("/", 1)[-1]

    def text(self) -> str:
        """The file decoded as Python source would be (see :func:`decode_source`)."""
        return decode_source(self.data)
