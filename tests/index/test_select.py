"""Picking the file pip would install."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.tags import Tag

from depvet.index.select import choose
from depvet.index.simple import IndexFile, ProjectPage

TAGS = [Tag("cp311", "cp311", "manylinux_2_17_x86_64"), Tag("py3", "none", "any")]


def page(*files: IndexFile) -> ProjectPage:
    return ProjectPage(name="demo", files=files)


def f(filename: str, **kw: object) -> IndexFile:
    return IndexFile(filename=filename, url=f"https://x.invalid/{filename}", **kw)  # type: ignore[arg-type]


def pick(p: ProjectPage, req: str) -> str | None:
    chosen = choose(p, Requirement(req), tags=TAGS, python_version="3.11.7")
    return chosen.file.filename if chosen.file else None


def test_highest_version_and_best_wheel() -> None:
    p = page(
        f("demo-1.0.tar.gz"),
        f("demo-2.0.tar.gz"),
        f("demo-2.0-py3-none-any.whl"),
        f("demo-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        f("demo-2.0-cp311-cp311-win_amd64.whl"),
    )
    assert pick(p, "demo") == "demo-2.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    assert pick(p, "demo<2") == "demo-1.0.tar.gz"


def test_sdist_when_no_wheel_fits() -> None:
    assert (
        pick(page(f("demo-1.0-cp311-cp311-win_amd64.whl"), f("demo-1.0.tar.gz")), "demo")
        == "demo-1.0.tar.gz"
    )
    none = choose(
        page(f("demo-1.0-cp311-cp311-win_amd64.whl")),
        Requirement("demo"),
        tags=TAGS,
        python_version="3.11.7",
    )
    assert none.file is None and "no wheel" in none.why_none


def test_requires_python_and_yanked_and_prereleases() -> None:
    p = page(
        f("demo-1.0-py3-none-any.whl"),
        f("demo-2.0-py3-none-any.whl", requires_python=">=3.12"),
        f("demo-1.5-py3-none-any.whl", yanked=True),
        f("demo-3.0a1-py3-none-any.whl"),
    )
    assert pick(p, "demo") == "demo-1.0-py3-none-any.whl"
    assert pick(p, "demo==1.5") == "demo-1.5-py3-none-any.whl"  # yanked: only for an exact pin
    assert pick(p, "demo>=3.0a1") == "demo-3.0a1-py3-none-any.whl"
    assert pick(page(f("demo-3.0a1-py3-none-any.whl")), "demo") == "demo-3.0a1-py3-none-any.whl"


def test_keep_filters_first() -> None:
    p = page(f("demo-1.0-py3-none-any.whl"), f("demo-2.0-py3-none-any.whl"))
    chosen = choose(
        p,
        Requirement("demo"),
        tags=TAGS,
        python_version="3.11.7",
        keep=lambda x: x.version != "2.0",
    )
    assert chosen.version == "1.0"
    missing = choose(p, Requirement("demo>5"), tags=TAGS, python_version="3.11.7")
    assert missing.file is None and "no version matches" in missing.why_none
