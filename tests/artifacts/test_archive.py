"""Reading archives: formats by bytes, hostile members, limits, nesting."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from depvet.artifacts.archive import ArchiveArtifact
from depvet.artifacts.interface import Member
from depvet.artifacts.safety import Budget, Format, sanitize, sniff
from depvet.errors import ArtifactError, UnsafeArchive
from depvet.limits import Limits, MiB
from tests.builders import make_sdist, make_wheel, write_tar, write_zip


def read_all(path: Path, limits: Limits | None = None) -> tuple[str, list[Member], Budget]:
    budget = Budget(limits=limits or Limits(), display=str(path))
    with path.open("rb") as handle:
        artifact = ArchiveArtifact(handle, budget=budget)
        members = list(artifact.members())
    return artifact.kind, members, budget


def references(budget: Budget) -> list[str]:
    return [e.reference for e in budget.errors]


def test_wheel_is_recognised_and_every_member_read(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", {"demo/__init__.py": "x = 1\n"})
    kind, members, budget = read_all(wheel)
    assert kind == "wheel"
    paths = {m.path for m in members}
    assert "demo/__init__.py" in paths
    assert "demo-1.0.dist-info/METADATA" in paths
    assert budget.errors == []


def test_sdist_tar_and_zip(tmp_path: Path) -> None:
    tar = make_sdist(tmp_path, "demo", "1.0", {"setup.py": "from setuptools import setup\n"})
    zipped = make_sdist(tmp_path, "demo", "2.0", {"setup.py": "x"}, fmt="zip")
    assert read_all(tar)[0] == "sdist"
    assert read_all(zipped)[0] == "sdist"
    assert "demo-1.0/setup.py" in {m.path for m in read_all(tar)[1]}


@pytest.mark.parametrize("mode", ["w:bz2", "w:xz", "w"])
def test_other_tar_compressions(tmp_path: Path, mode: str) -> None:
    target = write_tar(tmp_path / "demo-1.0.tar", {"demo-1.0/setup.py": b"pass\n"}, mode=mode)
    kind, members, _ = read_all(target)
    assert kind == "sdist"
    assert [m.path for m in members] == ["demo-1.0/setup.py"]


def test_format_comes_from_bytes_not_the_name(tmp_path: Path) -> None:
    # A zip named .tar.gz (about 450 such files exist in the malicious corpus).
    liar = write_zip(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/setup.py": b"pass\n"})
    kind, members, _ = read_all(liar)
    assert kind == "sdist"
    assert [m.path for m in members] == ["demo-1.0/setup.py"]
    # A tar.gz named .whl.
    other = write_tar(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/x.py": b"pass\n"})
    assert read_all(other)[0] == "sdist"


def test_sniff() -> None:
    assert sniff(b"PK\x03\x04rest") is Format.ZIP
    assert sniff(b"\x1f\x8b\x08") is Format.GZIP
    assert sniff(b"BZh9") is Format.BZIP2
    assert sniff(b"\xfd7zXZ\x00") is Format.XZ
    assert sniff(b"\0" * 257 + b"ustar\0") is Format.TAR
    assert sniff(b"<html>") is Format.UNKNOWN
    assert sniff(b"") is Format.UNKNOWN


@pytest.mark.parametrize("content", [b"", b"this is not an archive", b"\x1f\x8b"])
def test_unreadable_files_raise_artifact_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(content)
    with pytest.raises(ArtifactError) as caught:
        read_all(path)
    assert str(path) in caught.value.message


def test_truncated_tar_yields_what_it_can_then_errors(tmp_path: Path) -> None:
    members = {f"demo-1.0/m{i}.py": (f"x = {i}\n" * 2000).encode() for i in range(20)}
    whole = write_tar(tmp_path / "whole.tar.gz", members).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    budget = Budget(limits=Limits(), display="cut.tar.gz")
    read: list[Member] = []
    with cut.open("rb") as handle, pytest.raises(ArtifactError) as caught:
        read.extend(ArchiveArtifact(handle, budget=budget).members())
    assert "truncated or corrupt" in caught.value.message
    assert 0 < len(read) < 20


def test_truncated_zip_is_unreadable(tmp_path: Path) -> None:
    whole = make_wheel(tmp_path, "demo", "1.0", {"demo/a.py": "x" * 5000}).read_bytes()
    cut = tmp_path / "cut.whl"
    cut.write_bytes(whole[:-100])  # the central directory is at the end
    with pytest.raises(ArtifactError):
        read_all(cut)


def test_hostile_member_names_are_reported_and_kept_inside(tmp_path: Path) -> None:
    target = write_tar(
        tmp_path / "evil.tar.gz",
        {"../../etc/passwd": b"root:x:0:0\n", "/abs/path.py": b"x=1\n", "ok/fine.py": b"y=2\n"},
    )
    _, members, budget = read_all(target)
    assert {m.path for m in members} == {"etc/passwd", "abs/path.py", "ok/fine.py"}
    assert references(budget).count("unsafe-member") == 2
    assert all(".." not in m.path and not m.path.startswith("/") for m in members)


def test_sanitize() -> None:
    assert sanitize("a/b.py") == ("a/b.py", False)
    assert sanitize("../../etc/passwd") == ("etc/passwd", True)
    assert sanitize("C:\\Windows\\x.dll") == ("Windows/x.dll", True)
    assert sanitize("./a/./b") == ("a/b", False)
    assert sanitize("/etc/shadow") == ("etc/shadow", True)


def test_links_and_devices_in_tar_are_skipped(tmp_path: Path) -> None:
    target = tmp_path / "links.tar.gz"
    with tarfile.open(target, "w:gz") as tf:
        link = tarfile.TarInfo("demo-1.0/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
        hard = tarfile.TarInfo("demo-1.0/hard")
        hard.type, hard.linkname = tarfile.LNKTYPE, "demo-1.0/setup.py"
        tf.addfile(hard)
        dev = tarfile.TarInfo("demo-1.0/dev")
        dev.type = tarfile.CHRTYPE
        tf.addfile(dev)
        data = b"pass\n"
        info = tarfile.TarInfo("demo-1.0/setup.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    _, members, budget = read_all(target)
    assert [m.path for m in members] == ["demo-1.0/setup.py"]
    assert references(budget).count("unsafe-member") == 3


def test_symlink_in_zip_is_skipped(tmp_path: Path) -> None:
    target = tmp_path / "link.zip"
    with zipfile.ZipFile(target, "w") as zf:
        info = zipfile.ZipInfo("demo/link")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
        zf.writestr("demo/real.py", "x = 1\n")
    _, members, budget = read_all(target)
    assert [m.path for m in members] == ["demo/real.py"]
    assert "unsafe-member" in references(budget)


def test_members_with_no_name_are_skipped_and_the_rest_read(tmp_path: Path) -> None:
    # Test fixtures of zip readers hold members named "" (zipfile's is_dir() fails on them).
    target = tmp_path / "noname.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr(zipfile.ZipInfo(""), b"data")
        zf.writestr(zipfile.ZipInfo("./"), b"")
        zf.writestr("demo/real.py", "x = 1\n")
    _, members, budget = read_all(target)
    assert [m.path for m in members] == ["demo/real.py"]
    assert [e.message for e in budget.errors] == ["member with no name skipped: ''"]
    tarred = tmp_path / "noname.tar"
    with tarfile.open(tarred, "w") as tf:
        for name, data in ((".", b"data"), ("demo-1.0/setup.py", b"pass\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    _, members, budget = read_all(tarred)
    assert [m.path for m in members] == ["demo-1.0/setup.py"]
    assert [e.message for e in budget.errors] == ["member with no name skipped: '.'"]


def test_zip_bomb_member_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    limits = Limits(ratio_floor=1 * MiB, max_ratio=100)
    target = tmp_path / "bomb.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demo/zeros.bin", b"\0" * (8 * MiB))
        zf.writestr("demo/code.py", "x = 1\n")
    _, members, budget = read_all(target, limits)
    assert [m.path for m in members] == ["demo/code.py"]
    assert any("ratio" in e.message for e in budget.errors)


def test_zip_bomb_lying_about_its_size_is_still_bounded(tmp_path: Path) -> None:
    limits = Limits(ratio_floor=1 * MiB, max_ratio=100, max_file_bytes=2 * MiB)
    target = tmp_path / "liar.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("demo/zeros.bin", b"\0" * (8 * MiB))
    raw = bytearray(target.read_bytes())
    # Patch the declared uncompressed size (local header and central directory) to 100 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        raw[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    target.write_bytes(bytes(raw))
    _, members, budget = read_all(target, limits)
    # zipfile stops at the declared size and reports the CRC mismatch: nothing huge is read.
    assert all(len(m.data) <= 2 * MiB for m in members)
    assert budget.bytes <= 2 * MiB


def test_tar_bomb_stops_the_artifact(tmp_path: Path) -> None:
    limits = Limits(ratio_floor=1 * MiB, max_ratio=100)
    target = write_tar(
        tmp_path / "bomb.tar.gz", {f"demo-1.0/z{i}": b"\0" * (2 * MiB) for i in range(4)}
    )
    budget = Budget(limits=limits, display="bomb.tar.gz")
    with target.open("rb") as handle, pytest.raises(UnsafeArchive) as caught:
        list(ArchiveArtifact(handle, budget=budget).members())
    assert "ratio" in caught.value.message


def test_bomb_nested_in_an_sdist_does_not_hide_what_follows_it(tmp_path: Path) -> None:
    limits = Limits(ratio_floor=1 * MiB, max_ratio=100)
    # Each member is under the floor alone; together they pass it at over 100:1.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(4):
            zf.writestr(f"z{i}.npy", b"\0" * (MiB // 2))
    target = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        # The bomb comes first: the code after it must still be read.
        for name, data in (
            ("demo-1.0/data/matrix.npz", bomb.getvalue()),
            ("demo-1.0/setup.py", b"from setuptools import setup\nsetup()\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    _, members, budget = read_all(target, limits)
    paths = [m.path for m in members]
    assert "demo-1.0/setup.py" in paths
    assert "demo-1.0/data/matrix.npz" in paths
    (noted,) = [e for e in budget.errors if e.path == "demo-1.0/data/matrix.npz"]
    assert noted.reference == "unsafe-member" and "ratio" in noted.message


def test_member_and_total_limits(tmp_path: Path) -> None:
    target = write_zip(tmp_path / "many.zip", {f"demo/{i}.py": b"x" for i in range(30)})
    with pytest.raises(UnsafeArchive, match="more than 10 members"):
        read_all(target, Limits(max_members=10))
    big = write_zip(
        tmp_path / "big.zip", {f"demo/{i}.txt": bytes(range(256)) * 400 for i in range(5)}
    )
    with pytest.raises(UnsafeArchive, match="bytes uncompressed"):
        read_all(big, Limits(max_total_bytes=200_000))


def test_oversized_file_is_truncated_and_noted(tmp_path: Path) -> None:
    target = write_zip(tmp_path / "big.zip", {"demo/big.py": b"x = 1\n" * 100_000})
    _, members, budget = read_all(target, Limits(max_file_bytes=1000))
    (member,) = members
    assert member.truncated and len(member.data) == 1000 and member.size == 600_000
    assert references(budget) == ["file-truncated"]


def test_nested_archives_are_opened_to_the_depth_limit(tmp_path: Path) -> None:
    inner_wheel = make_wheel(tmp_path, "inner", "1.0", {"inner/__init__.py": "x = 1\n"})
    middle = write_zip(
        tmp_path / "middle.zip", {"vendor/inner-1.0-py3-none-any.whl": inner_wheel.read_bytes()}
    )
    outer = write_tar(tmp_path / "outer.tar.gz", {"outer-1.0/middle.zip": middle.read_bytes()})
    _, members, _ = read_all(outer)
    nested = {m.path: m.container for m in members}
    deep = "outer-1.0/middle.zip!/vendor/inner-1.0-py3-none-any.whl!/inner/__init__.py"
    assert nested[deep] == "wheel"
    _, shallow, budget = read_all(outer, Limits(max_depth=1))
    assert deep not in {m.path for m in shallow}
    assert any("nested deeper" in e.message for e in budget.errors)


def test_compressed_data_file_is_not_an_error(tmp_path: Path) -> None:
    import gzip

    target = write_zip(tmp_path / "demo.zip", {"demo/data.json.gz": gzip.compress(b"{}")})
    _, members, budget = read_all(target)
    assert [m.path for m in members] == ["demo/data.json.gz"]
    assert budget.errors == []
