"""The reporter registry: built-ins by name, plug-ins by entry point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from depvet.errors import UsageError
from depvet.report import registry
from depvet.report.interface import Report, Reporter
from depvet.report.json import JsonReporter
from depvet.report.sarif import SarifReporter
from depvet.report.table import TableReporter


class CsvReporter:
    """A third-party format."""

    name = "csv"

    def render(self, report: Report) -> str:
        return "".join(f"{r.artifact},{r.verdict}\n" for r in report.results)


@dataclass
class FakeEntryPoint:
    name: str
    value: str
    target: object

    def load(self) -> object:
        return self.target


def fake_entry_points(*points: FakeEntryPoint) -> Any:
    def entry_points(*, group: str, name: str | None = None) -> list[FakeEntryPoint]:
        assert group == registry.ENTRY_POINT_GROUP
        return [p for p in points if name is None or p.name == name]

    return entry_points


@pytest.mark.parametrize(
    ("name", "cls"), [("table", TableReporter), ("json", JsonReporter), ("sarif", SarifReporter)]
)
def test_builtins(name: str, cls: type[Reporter]) -> None:
    reporter = registry.get(name)
    assert type(reporter) is cls
    assert reporter.name == name
    assert isinstance(reporter, Reporter)


def test_unknown_format_lists_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "entry_points", fake_entry_points())
    with pytest.raises(UsageError) as raised:
        registry.get("xml")
    assert "xml" in raised.value.message
    assert raised.value.hint == "Choose one of: table, json, sarif."


def test_plugin_by_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    point = FakeEntryPoint("csv", "third_party:CsvReporter", CsvReporter)
    monkeypatch.setattr(registry, "entry_points", fake_entry_points(point))
    assert registry.names() == ("table", "json", "sarif", "csv")
    assert isinstance(registry.get("csv"), CsvReporter)


def test_builtin_wins_over_a_plugin_of_the_same_name(monkeypatch: pytest.MonkeyPatch) -> None:
    point = FakeEntryPoint("json", "third_party:CsvReporter", CsvReporter)
    monkeypatch.setattr(registry, "entry_points", fake_entry_points(point))
    assert registry.names() == ("table", "json", "sarif")
    assert isinstance(registry.get("json"), JsonReporter)


def test_plugin_that_is_not_a_reporter(monkeypatch: pytest.MonkeyPatch) -> None:
    point = FakeEntryPoint("bad", "third_party:thing", object())
    monkeypatch.setattr(registry, "entry_points", fake_entry_points(point))
    with pytest.raises(UsageError, match="not a reporter"):
        registry.get("bad")
