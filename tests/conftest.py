"""Test-wide settings: private user folders, and the opt-in online tests."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--online", action="store_true", help="also run tests that need the internet")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--online"):
        return
    skip = pytest.mark.skip(reason="needs the internet; run with --online")
    for item in items:
        if "online" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def private_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own cache and data folders: nothing lands in the user's."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("DEPVET_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("DEPVET_DATA_DIR", str(base / "data"))
    monkeypatch.delenv("DEPVET_DB_URL", raising=False)
