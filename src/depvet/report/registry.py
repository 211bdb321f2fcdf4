"""The output formats depvet can render: the built-ins, then any registered by entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

from depvet.errors import UsageError
from depvet.report.interface import Reporter
from depvet.report.json import JsonReporter
from depvet.report.sarif import SarifReporter
from depvet.report.table import TableReporter

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "get", "names"]

ENTRY_POINT_GROUP = "depvet.reporters"

BUILTIN: dict[str, type[Reporter]] = {
    "table": TableReporter,
    "json": JsonReporter,
    "sarif": SarifReporter,
}


def names() -> tuple[str, ...]:
    """Every format name: built-ins first, then plug-ins in name order."""
    plugins = sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)} - set(BUILTIN))
    return (*BUILTIN, *plugins)


def get(name: str) -> Reporter:
    """A reporter for format ``name``, with its default options.

    A built-in wins over a plug-in of the same name, so installing a package
    can never silently change what ``--format json`` writes.
    """
    if name in BUILTIN:
        return BUILTIN[name]()
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        plugin = ep.load()
        reporter = plugin() if isinstance(plugin, type) else plugin
        if isinstance(reporter, Reporter):
            return reporter
        raise UsageError(f"The output format {name!r} ({ep.value}) is not a reporter.")
    raise UsageError(
        f"Unknown output format {name!r}.",
        hint=f"Choose one of: {', '.join(names())}.",
    )
