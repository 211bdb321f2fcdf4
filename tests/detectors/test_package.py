"""Names that imitate popular projects, versions that probe for confusion."""

from __future__ import annotations

import pytest

from depvet.detectors.package import imitated_name, is_confusion_version, popular_names


def test_popular_names_ship_with_the_package() -> None:
    names = popular_names()
    assert len(names) > 5000
    assert names[:3] == ("boto3", "packaging", "urllib3")
    assert "litellm" in names and "requests" in names


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("Reqeusts", "requests"),
        ("urlib3", "urllib3"),
        ("colourama", "colorama"),
        ("numpyy", "numpy"),
        ("python_datetuil", "python-dateutil"),
        ("aiohtpt", "aiohttp"),
    ],
)
def test_imitations_name_their_target(name: str, target: str) -> None:
    assert imitated_name(name) == target


def test_every_shipped_name_is_its_own_project() -> None:
    assert all(imitated_name(name) is None for name in popular_names()[:2000])


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("99.0", True),
        ("999.0.1", True),
        ("1.3.3.7", True),
        ("10000", True),
        ("100.0.0", True),
        ("1000", True),
        ("1337.0.2", True),
        ("9999.9", True),
        ("312", False),  # pywin32 counts its releases
        ("129.6.0", False),
        ("2024.10", False),
        ("20260107", False),  # a release date: YYYYMMDD
        ("202610", False),  # YYYYMM
        ("20260602.2.5", False),
        ("99991231", True),  # no year
        ("20261399", True),  # no month
        ("100000", True),
        ("98.1", False),
        ("1.0", False),
        ("", False),
    ],
)
def test_confusion_versions(version: str, expected: bool) -> None:
    assert is_confusion_version(version) is expected


def test_of_two_equally_close_names_the_more_popular_is_named() -> None:
    from depvet.detectors.package import _rank, imitated_name

    target = imitated_name("scarpy")  # one edit from both scrapy and scapy
    assert target in ("scrapy", "scapy")
    other = "scapy" if target == "scrapy" else "scrapy"
    assert _rank()[target] < _rank()[other]
