"""The parser-cost benchmark reads the right files and never runs them."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from benchmarks.parse_cost import cost_one, python_members, render


def _sdist(path: Path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_python_members_of_tar_and_zip(tmp_path: Path) -> None:
    files = {
        "demo/setup.py": b"raise SystemExit('never run')\n",
        "demo/pkg/mod.py": b"def f(:\n",  # does not parse: still a member to time
        "demo/README.md": b"# demo\n",
    }
    sdist = tmp_path / "demo-1.0.tar.gz"
    _sdist(sdist, files)
    assert sorted(python_members(str(sdist))) == sorted(
        [files["demo/setup.py"], files["demo/pkg/mod.py"]]
    )
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name.removeprefix("demo/"), data)
    assert len(python_members(str(wheel))) == 2
    broken = tmp_path / "broken-1.0.tar.gz"
    broken.write_bytes(b"not an archive")
    assert python_members(str(broken)) == []


def test_cost_counts_files_and_bytes_and_renders(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    source = b"import os\nos.system('echo never run')\n"
    _sdist(sdist, {"demo/setup.py": source, "demo/data.txt": b"x"})
    cost = cost_one(str(sdist))
    assert (cost.files, cost.bytes) == (1, len(source))
    assert cost.floor > 0 and cost.parse > 0
    section = render(
        {
            "jobs": 2,
            "sample": 1,
            "machine": {"date": "2026-01-01 00:00 UTC", "nproc": 2, "python": "3.11.7"},
            "sets": {
                "benign-wheel": {
                    "artifacts": 1,
                    "files": 1,
                    "mb": 0.0,
                    "floor_s": 1.0,
                    "parse_s": 5.0,
                    "parse_vs_floor": 5.0,
                }
            },
        }
    )
    assert section.startswith("<!-- parse-cost -->") and section.endswith("<!-- /parse-cost -->")
    assert "| benign-wheel | 1 | 1 | 0 | 1.0 | 5.0 | 5.00x |" in section


def test_write_section_replaces_its_own_markers_only(tmp_path: Path) -> None:
    from benchmarks.sections import write_section

    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n<!-- a -->\nold a\n<!-- /a -->\n\nkept\n", encoding="utf-8")
    write_section(docs, "<!-- a -->", "<!-- /a -->", "<!-- a -->\nnew a\n<!-- /a -->")
    write_section(docs, "<!-- b -->", "<!-- /b -->", "<!-- b -->\nb\n<!-- /b -->")
    assert docs.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n<!-- a -->\nnew a\n<!-- /a -->\n\nkept\n\n<!-- b -->\nb\n<!-- /b -->\n"
    )
