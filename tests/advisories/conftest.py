"""Fixtures for the advisory store: private data folders, the PyPA database, a loaded store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from depvet.advisories.store import AdvisoryStore

PYPA_DB = Path(__file__).resolve().parents[2].parent / "shared/advisories/pypa-advisory-db"


@pytest.fixture(autouse=True)
def private_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's real advisory store."""
    monkeypatch.setenv("DEPVET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DEPVET_DB_URL", raising=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AdvisoryStore]:
    """An empty store (the feed loads on first use) in a temporary SQLite file."""
    with AdvisoryStore(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


@pytest.fixture(scope="session")
def pypa_vulns() -> Path:
    """The PyPA advisory database's records; the test is skipped when it is absent."""
    vulns = PYPA_DB / "vulns"
    if not vulns.is_dir():
        pytest.skip(f"the PyPA advisory database is not at {PYPA_DB}")
    return vulns


@pytest.fixture(scope="session")
def pypa_store(
    pypa_vulns: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdvisoryStore]:
    """A store holding the whole PyPA database (imported once per test worker)."""
    path = tmp_path_factory.mktemp("pypa") / "store.sqlite3"
    with AdvisoryStore(f"sqlite:///{path}") as opened:
        opened.import_path(pypa_vulns, source="pypa")
        yield opened
