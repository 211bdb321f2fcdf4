"""What a stored verdict says of how completely its file was scanned."""

from __future__ import annotations

from typing import Any

from depvet.index.vault import StoredVerdict


def stored(*errors: dict[str, Any]) -> StoredVerdict:
    result = {"verdict": "clean", "decided_by": [], "errors": list(errors)}
    return StoredVerdict.from_result("ab" * 32, "demo-1.0.tar.gz", "rules", result)


def test_a_scan_that_stopped_or_timed_out_is_incomplete() -> None:
    stopped = stored(
        {"reference": "unsafe-member", "message": "skipped", "path": "demo/a.zip!/x"},
        {"reference": "unsafe-archive", "message": "ratio over 200:1; stopped", "path": None},
    )
    assert stopped.incomplete == "ratio over 200:1; stopped"
    unreadable = stored({"reference": "artifact-unreadable", "message": "truncated", "path": None})
    assert unreadable.incomplete == "truncated"
    timed_out = stored({"reference": "file-timeout", "message": "out of time", "path": "setup.py"})
    assert timed_out.incomplete == "setup.py: out of time"


def test_skipped_members_and_cut_files_leave_the_scan_complete() -> None:
    # A member skipped as a bomb, a nested archive not read further, a data file cut at the
    # size limit: the code of the package was still read.
    assert (
        stored(
            {"reference": "unsafe-member", "message": "skipped", "path": "demo/data.npz!/a"},
            {"reference": "file-truncated", "message": "cut", "path": "demo/lib.so"},
        ).incomplete
        is None
    )
    assert stored().incomplete is None
