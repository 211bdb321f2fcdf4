"""The reporter plug-in point.

A reporter is a pure function from a :class:`Report` to text: it never writes
files, never reads the disk or the network, and renders whatever strings a
hostile package put in its names and paths without being steered by them.
The CLI writes the text where the user asked and turns a failure to write
into an :class:`~depvet.errors.OutputError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from depvet.errors import OutputError
from depvet.model import FailOn, Rule, ScanError, ScanResult, ScanSummary

__all__ = ["OutputError", "Report", "Reporter", "utf8_safe"]

# A str holds lone surrogates when a file name was decoded with
# 'surrogateescape'; they cannot be encoded as UTF-8, so one such name would
# make writing the whole report fail.
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything a reporter renders: one run of the pipeline."""

    results: tuple[ScanResult, ...]
    summary: ScanSummary
    rules: Mapping[str, Rule]  # metadata of every rule by id, for rule tables and help
    fail_on: FailOn  # the least bad outcome that fails the run
    tool_version: str
    errors: tuple[ScanError, ...] = ()  # run-level errors, e.g. a path that does not exist


@runtime_checkable
class Reporter(Protocol):
    """Renders a :class:`Report` in one output format."""

    @property
    def name(self) -> str:
        """The format name users pick it by, e.g. ``json``."""
        ...

    def render(self, report: Report) -> str:
        """The whole report as text that encodes to UTF-8 (see :func:`utf8_safe`)."""
        ...


def utf8_safe(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so it always encodes to UTF-8."""
    return _SURROGATES.sub("\ufffd", text)
