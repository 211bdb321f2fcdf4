"""The benchmark's pure helpers: rates, the holdout cut-off, sampling, output parsing."""

from __future__ import annotations

import io
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks.archives import FloorResult, floor_one, member_mtimes
from benchmarks.metrics import (
    EARLIEST_MTIME,
    cutoff_for_fraction,
    estimated_seconds,
    median_index,
    newest_plausible,
    per_run_multiples,
    proportional_sizes,
    split_of,
    stratified_sample,
    tally,
    throughput,
)
from benchmarks.run import floor_multiple, guarddog_verdict, repeats_line

NOW = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


def ts(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


def test_tally_counts_errors_in_the_denominator() -> None:
    t = tally(["clean", "suspicious", "malicious", "malicious", "error"])
    assert (t.artifacts, t.flagged, t.malicious, t.errors) == (5, 3, 2, 1)
    assert t.rate_flagged == pytest.approx(0.6)
    assert t.rate_malicious == pytest.approx(0.4)


def test_empty_tally_and_zero_time_do_not_divide_by_zero() -> None:
    assert tally([]).rate_flagged == 0.0
    assert throughput(10, 0.0) == 0.0
    assert throughput(10, 2.0) == 5.0


def test_placeholder_and_future_mtimes_are_ignored() -> None:
    mtimes = [
        0.0,
        ts("1980-01-01"),
        EARLIEST_MTIME - 1,
        ts("2021-05-01"),
        ts("2022-03-04"),
        NOW + 10 * 86_400,
    ]
    assert newest_plausible(mtimes, NOW) == ts("2022-03-04")
    assert newest_plausible([0.0, ts("1980-01-01")], NOW) is None


def test_cutoff_puts_about_the_fraction_after_it_and_is_a_midnight() -> None:
    dates = [ts("2020-01-01") + i * 86_400 + 3600 for i in range(100)]
    cutoff = cutoff_for_fraction(dates, 0.2)
    assert (cutoff.hour, cutoff.minute) == (0, 0)
    after = sum(1 for d in dates if split_of(d, cutoff) == "holdout")
    assert after == 20


def test_cutoff_needs_dates() -> None:
    with pytest.raises(ValueError, match="no dates"):
        cutoff_for_fraction([], 0.2)


def test_split_counts_the_cutoff_day_and_undated_artifacts() -> None:
    cutoff = datetime(2024, 3, 27, tzinfo=UTC)
    assert split_of(cutoff.timestamp(), cutoff) == "holdout"
    assert split_of(cutoff.timestamp() - 1, cutoff) == "train"
    assert split_of(None, cutoff) == "train"


def test_sample_is_reproducible_and_ignores_listing_order() -> None:
    items = [f"a{i}" for i in range(50)]
    first = stratified_sample({"x": items, "y": ["b1", "b2"]}, {"x": 10, "y": 5}, seed=7)
    again = stratified_sample(
        {"y": ["b2", "b1"], "x": list(reversed(items))}, {"x": 10, "y": 5}, seed=7
    )
    assert first == again
    assert len(first["x"]) == 10
    assert first["y"] == ["b1", "b2"]


def test_proportional_sizes_add_up() -> None:
    sizes = proportional_sizes({"train": 5478, "holdout": 1513}, 200)
    assert sum(sizes.values()) == 200
    assert sizes["holdout"] == 43
    assert proportional_sizes({"a": 3}, 10) == {"a": 3}
    assert proportional_sizes({"a": 0}, 10) == {"a": 0}


def _tar_with(mtimes: list[float]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for i, mtime in enumerate(mtimes):
            info = tarfile.TarInfo(f"pkg/f{i}.py")
            info.size = 1
            info.mtime = int(mtime)
            archive.addfile(info, io.BytesIO(b"x"))
    return buffer.getvalue()


def test_member_mtimes_read_tar_and_zip_in_memory() -> None:
    assert newest_plausible(member_mtimes(_tar_with([ts("2023-01-02"), 0.0])), NOW) == ts(
        "2023-01-02"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("a.py", date_time=(2022, 6, 1, 0, 0, 0)), b"x")
    assert list(member_mtimes(buffer.getvalue())) == [datetime(2022, 6, 1).timestamp()]
    assert list(member_mtimes(b"not an archive")) == []


def test_guarddog_output_is_read_by_label_and_issue_count() -> None:
    out = (
        'Failed to download new cache data\n{"package": "p", "issues": 2, "errors": [],'
        ' "results": {"threat-x": [{"location": "a"}], "capability-y": {}},'
        ' "risk_score": {"label": "suspicious"}}'
    )
    verdict = guarddog_verdict("p.tar.gz", out, 0, "")
    assert (verdict.issues, verdict.label, verdict.rules) == (2, "suspicious", ("threat-x",))
    broken = guarddog_verdict("p.tar.gz", "", 1, "Traceback: boom")
    assert broken.label == "error"
    assert "boom" in broken.error


def test_docs_keep_the_sections_other_benchmarks_write() -> None:
    from benchmarks.run import kept_sections

    text = (
        "# Benchmarks\n\n## generated\nold figures\n\n"
        "<!-- proxy-benchmark -->\n## depvet proxy\n| a | b |\n<!-- /proxy-benchmark -->\n"
        "<!-- notes -->\n## Notes\n- kept\n<!-- /notes -->\n"
    )
    kept = kept_sections(text)
    assert "old figures" not in kept
    assert "## depvet proxy\n| a | b |" in kept and "- kept" in kept
    assert kept_sections("no markers here") == ""


def test_estimated_seconds_scales_each_set_to_its_full_size() -> None:
    sampled = {"malicious": (4.0, 200), "benign-sdist": (20.0, 100), "empty": (0.0, 0)}
    population = {"malicious": 7000, "benign-sdist": 600, "empty": 10}
    # 4 s / 200 artifacts * 7000 + 20 s / 100 * 600
    assert estimated_seconds(sampled, population) == pytest.approx(140.0 + 120.0)
    assert estimated_seconds({}, population) == 0.0


def test_seconds_are_paired_by_set_with_guarddog_counted_once() -> None:
    from benchmarks.run import _seconds_by_set

    reports = [
        {"tool": "depvet", "name": "malicious", "seconds": 50.0},
        {"tool": "guarddog (risk label)", "name": "malicious", "seconds": 900.0},
        {"tool": "guarddog (any issue)", "name": "malicious", "seconds": 900.0},
        {"tool": "depvet", "name": "benign-sdist", "seconds": 90.0},
        {"tool": "guarddog (risk label)", "name": "benign-sdist", "seconds": 450.0},
    ]
    assert _seconds_by_set(reports) == {
        "malicious": {"depvet": 50.0, "guarddog": 900.0},
        "benign-sdist": {"depvet": 90.0, "guarddog": 450.0},
    }


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_floor_opens_nested_archives_as_depvet_does(tmp_path: Path) -> None:
    import gzip

    inner = _zip_bytes({"pkg/__init__.py": b"x = 1\n", "pkg/data.txt": b"abc"})
    level5 = _zip_bytes({"b": b"b"})
    level4 = _zip_bytes({"level5.zip": level5})
    level3 = _zip_bytes({"level4.zip": level4})
    level2 = _zip_bytes({"level3.zip": level3})
    members = {
        "demo/setup.py": b"print('hi')\n",
        "demo/bundled/pkg.whl": inner,
        "demo/data.json.gz": gzip.compress(b'{"not": "a tar"}'),
        "demo/level2.zip": level2,
    }
    artifact = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(artifact, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = floor_one(str(artifact))
    assert result.ok
    # Like depvet, the floor opens archives three levels below the artifact: level2.zip,
    # level3.zip and level4.zip are opened, level5.zip (a fourth level down) is not.
    assert result.members == 4 + 2 + 3
    assert result.bytes == sum(map(len, members.values())) + 6 + 3 + len(level3) + len(
        level4
    ) + len(level5)


def test_floor_reports_a_broken_artifact(tmp_path: Path) -> None:
    broken = tmp_path / "broken-1.0.tar.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    assert not floor_one(str(broken)).ok


def _encrypted(data: bytes) -> bytes:
    """A zip whose members claim to be encrypted (flag bit 0 set in every header)."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.find(signature)
        while at >= 0:
            patched[at + offset] |= 1
            at = patched.find(signature, at + 4)
    return bytes(patched)


def test_floor_skips_an_encrypted_member_and_reads_the_rest(tmp_path: Path) -> None:
    secret = _encrypted(_zip_bytes({"fake-repo/cookiecutter.json": b"{}"}))
    artifact = tmp_path / "demo-1.0.zip"
    artifact.write_bytes(_zip_bytes({"demo/setup.py": b"x = 1\n", "demo/fixture.zip": secret}))
    result = floor_one(str(artifact))
    assert result.ok
    assert result.members == 2  # setup.py and fixture.zip; the encrypted member is skipped
    artifact.write_bytes(secret)
    assert floor_one(str(artifact)) == FloorResult(members=0, bytes=0, ok=True)


def test_floor_skips_a_member_named_nothing_as_depvet_does(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(zipfile.ZipInfo(""), b"data")  # zipfile's is_dir() fails on this name
        zf.writestr("a.txt", b"text")
    artifact = tmp_path / "demo-1.0.zip"
    artifact.write_bytes(_zip_bytes({"demo/fixture.zip": inner.getvalue()}))
    assert floor_one(str(artifact)) == FloorResult(
        members=2, bytes=len(inner.getvalue()) + 4, ok=True
    )
    # Encrypted, zipfile's refusal to open it would itself fail on the name.
    artifact.write_bytes(_zip_bytes({"demo/fixture.zip": _encrypted(inner.getvalue())}))
    result = floor_one(str(artifact))
    assert result.ok and result.members == 1  # the fixture; its members are encrypted


def test_median_index_points_at_the_middle_value_whatever_the_order() -> None:
    assert median_index([7.0, 3.0, 5.0]) == 2
    assert median_index([1.0]) == 0
    # An even count takes the lower of the middle two.
    assert median_index([4.0, 1.0, 3.0, 2.0]) == 3
    with pytest.raises(ValueError):
        median_index([])


def test_per_run_multiples_sums_the_sets_of_each_run() -> None:
    runs = [([10.0, 20.0], [2.0, 4.0]), ([30.0, 10.0], [3.0, 1.0])]
    assert per_run_multiples(runs) == [pytest.approx(40 / 5), pytest.approx(30 / 5)]
    with pytest.raises(ValueError):
        per_run_multiples([([1.0, 2.0], [1.0])])


def _repeated(name: str, runs: list[float], floors: list[float]) -> dict[str, Any]:
    return {"name": name, "extra": {"run_seconds": runs, "floor_run_seconds": floors}}


def test_repeats_line_lists_every_run_and_each_runs_whole_set_multiple() -> None:
    reports: list[dict[str, Any]] = [
        _repeated("malicious", [50.0, 60.0, 55.0], [5.0, 6.0, 5.0]),
        _repeated("benign-sdist", [30.0, 40.0, 35.0], [10.0, 10.0, 10.0]),
        {"name": "litellm", "extra": {"run_seconds": [4.0, 4.0, 4.0]}},
    ]
    line = repeats_line(reports)
    assert line is not None
    assert "median of 3 runs" in line
    assert "malicious depvet 50.0/60.0/55.0 s, floor 5.0/6.0/5.0 s" in line
    assert "litellm" not in line  # not part of the mixed set
    assert "5.33x, 6.25x, 6.00x" in line
    assert "differed" not in line


def test_repeats_line_says_nothing_for_a_single_run_and_names_unsteady_verdicts() -> None:
    assert repeats_line([{"name": "malicious", "extra": {}}]) is None
    reports = [_repeated("benign-wheel", [1.0, 2.0], [1.0, 1.0])]
    reports[0]["extra"]["verdicts_differ"] = True
    line = repeats_line(reports)
    assert line is not None and "verdicts differed between runs on benign-wheel" in line


def test_floor_multiple_pairs_each_run_with_its_own_floor() -> None:
    # Medians taken apart would give 55 / 5 = 11x; the runs' own multiples are
    # 10x, 10x and 12x, whose median is 10x.
    report = _repeated("malicious", [50.0, 60.0, 55.0], [5.0, 6.0, 4.6])
    report["vs_floor"] = 11.0
    assert floor_multiple(report) == pytest.approx(10.0)
    single = {"name": "malicious", "extra": {}, "vs_floor": 9.5}
    assert floor_multiple(single) == 9.5
