"""The benign sets' choice of projects and versions (no network)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from packaging.version import Version

from benchmarks.fetch_benign import (
    IndexFile,
    largest_rank,
    pick_version,
    rank_range,
    unseen_projects,
)
from benchmarks.run import named_folder
from depvet.detectors.package import popular_names


def _file(filename: str, *, yanked: bool = False) -> IndexFile:
    return IndexFile(filename=filename, url="", sha256="0" * 64, size=1, yanked=yanked)


def test_pick_version_prefers_the_newest_final_release_not_yanked() -> None:
    files = [
        _file("pkg-1.0.tar.gz"),
        _file("pkg-1.1-py3-none-any.whl"),
        _file("pkg-1.2-py3-none-any.whl", yanked=True),
        _file("pkg-2.0b1.tar.gz"),
    ]
    assert pick_version(files, "") == Version("1.1")
    assert pick_version(files, "1.0") == Version("1.0")


def test_pick_version_falls_back_to_a_pre_release_when_there_is_nothing_else() -> None:
    files = [_file("otel_thing-0.50b0.tar.gz"), _file("otel_thing-0.51b0-py3-none-any.whl")]
    assert pick_version(files, "") == Version("0.51b0")
    assert pick_version([_file("pkg-1.0.tar.gz", yanked=True)], "") is None


def test_unseen_projects_are_the_top_names_the_list_leaves_out() -> None:
    ranked = ["boto3", "urllib3", "Requests", "idna", "six", "numpy"]
    listed = [("boto3", ""), ("requests", "2.0")]
    assert unseen_projects(listed, 4, ranked) == ["urllib3", "idna"]
    assert unseen_projects(listed, 0, ranked) == []
    assert unseen_projects(listed, 6, ranked, first=4) == ["idna", "six", "numpy"]


def test_unseen_projects_default_to_the_shipped_ranking() -> None:
    unseen = unseen_projects([("boto3", "")], 50)
    assert unseen == [n for n in popular_names()[:50] if n != "boto3"]
    assert "boto3" in popular_names()[:50]


def test_largest_rank_reads_the_rank_column(tmp_path: Path) -> None:
    tsv = tmp_path / "list.tsv"
    tsv.write_text("rank\tname\tversion_seen\n1\ta\t\n1200\tb\t1.0\n7\tc\t\n", encoding="utf-8")
    assert largest_rank(tsv) == 1200
    tsv.write_text("rank\tname\tversion_seen\n", encoding="utf-8")
    assert largest_rank(tsv) == 0


def testrank_ranges_and_named_folders_are_checked() -> None:
    assert rank_range("1201-2000") == (1201, 2000)
    for bad in ("2000-1201", "0-5", "12", "a-b"):
        with pytest.raises(argparse.ArgumentTypeError):
            rank_range(bad)
    assert named_folder("fresh-sdist=/tmp/x") == ("fresh-sdist", Path("/tmp/x"))
    for bad in ("fresh-sdist", "=/tmp/x", "malicious=/tmp/x"):
        with pytest.raises(argparse.ArgumentTypeError):
            named_folder(bad)
