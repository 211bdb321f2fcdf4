"""The generator writes files every parser reads back to the same packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from depvet.model import PinKind
from tests.sources.lockfiles.generate import (
    FORMATS,
    HASHED_FORMATS,
    Package,
    sample_packages,
    write_lockfile,
)
from tests.sources.lockfiles.helpers import parse

_PACKAGES = st.lists(
    st.tuples(
        st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True),
        st.builds(
            lambda parts, pre: ".".join(map(str, parts)) + pre,
            st.lists(st.integers(0, 2030), min_size=1, max_size=4),
            st.sampled_from(["", "a1", "rc2", ".post1", ".dev3"]),
        ),
        st.text("0123456789abcdef", min_size=64, max_size=64),
    ),
    unique_by=lambda p: canonicalize_name(p[0]),
    max_size=25,
)


def _expected(packages: list[Package], hashed: bool) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted(
        (name, version, (f"sha256:{digest}",) if hashed else ())
        for name, version, digest in packages
    )


@pytest.mark.parametrize("fmt", list(FORMATS))
@settings(max_examples=25, deadline=None)
@given(packages=_PACKAGES)
def test_round_trip(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, packages: list[Package]
) -> None:
    path = write_lockfile(tmp_path_factory.mktemp(fmt.replace(".", "-")), fmt, packages)
    parsed = parse(fmt, path)
    assert parsed.warnings == ()
    assert all(r.pin is PinKind.EXACT for r in parsed.refs)
    got = sorted((r.name, r.version or "", r.hashes) for r in parsed.refs)
    assert got == _expected(packages, fmt in HASHED_FORMATS)


def test_sample_of_500(tmp_path: Path) -> None:
    packages = sample_packages(500)
    for fmt in FORMATS:
        folder = tmp_path / fmt
        folder.mkdir()
        parsed = parse(fmt, write_lockfile(folder, fmt, packages))
        assert len(parsed.refs) == 500, fmt
        if fmt != "requirements":  # a requirements file states no groups
            assert len([r for r in parsed.refs if r.group == "dev"]) == 100, fmt
