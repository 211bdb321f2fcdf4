"""The error tree shared by every layer.

Each error carries a short kebab-case ``reference`` and a ``diagnostics()``
text that tells the user what to do. The CLI catches :class:`Error` once.
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error depvet reports to its user."""

    reference = "depvet-error"
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def diagnostics(self) -> str:
        """The message, followed by what the user can do about it."""
        text = f"{self.message} [{self.reference}]"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class UsageError(Error):
    """The command line or a configuration value is wrong."""

    reference = "usage"


class SourceError(Error):
    """A source (a path, an environment) could not be enumerated."""

    reference = "source-error"
    hint = "Check that the path exists and is readable."


class ArtifactError(Error):
    """An artifact could not be read (corrupt, truncated, unknown format)."""

    reference = "artifact-unreadable"
    hint = "The file is not a readable Python package artifact; it was not scanned."


class UnsafeArchive(ArtifactError):
    """An archive broke a safety limit (size, ratio, members, nesting, paths)."""

    reference = "unsafe-archive"
    hint = "Limits are set with --max-* options; raise one only for an archive you trust."


class ArchiveBomb(UnsafeArchive):
    """An archive expands past the allowed compression ratio (a decompression bomb).

    Raised for the archive being read: when that archive sits inside another,
    only it is abandoned and the outer archive is read on. The limits on the
    whole artifact (members, total bytes) stop everything.
    """


class DetectorError(Error):
    """A detector failed or ran out of time on one file."""

    reference = "detector-failed"


class CacheError(Error):
    """The result cache could not be opened; scanning continues without it."""

    reference = "cache-unavailable"
    hint = "Pass --no-cache, or set DEPVET_CACHE_DIR to a writable folder."


class OutputError(Error):
    """A report could not be written."""

    reference = "output-failed"


class AdvisoryError(Error):
    """An advisory record or dump could not be read; importing goes on with the rest."""

    reference = "advisory-invalid"
    hint = "The record was skipped; the other records of the source were imported."


class StoreError(AdvisoryError):
    """The advisory database could not be opened or written."""

    reference = "advisory-store"
    hint = "Set DEPVET_DB_URL to a database depvet can write, or check the file's permissions."


class NetworkError(Error):
    """Something on the network could not be reached or misbehaved."""

    reference = "network-unavailable"
    hint = (
        "depvet works offline on its embedded data and what was imported before; "
        "run again when the network is reachable for the online checks."
    )


class NotFound(NetworkError):
    """The server answered 404 or 410: the resource does not exist (any more)."""

    reference = "not-found"
    hint = ""


class PolicyError(Error):
    """The policy file is missing a value, has a wrong one, or cannot be read."""

    reference = "policy-invalid"
    hint = "See docs/POLICY.md for every key, its type and its default."


class IndexReplyError(NetworkError):
    """A package index answered with something that is not a valid simple-index reply."""

    reference = "index-invalid"
    hint = "Only this project is affected; the index may be misconfigured or serving an error."
