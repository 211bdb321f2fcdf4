"""Open a target as the right kind of artifact, judged by its bytes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from depvet.artifacts.archive import ArchiveArtifact
from depvet.artifacts.filesystem import DirectoryArtifact, InstalledArtifact, LooseArtifact
from depvet.artifacts.interface import Artifact
from depvet.artifacts.safety import Budget
from depvet.errors import ArtifactError
from depvet.model import Target, TargetKind


@contextmanager
def open_artifact(target: Target, budget: Budget) -> Iterator[Artifact]:
    """Open ``target`` for reading; raise ArtifactError when it cannot be read at all."""
    if target.kind is TargetKind.INSTALLED:
        yield InstalledArtifact(target.path, budget=budget)
    elif target.kind is TargetKind.LOOSE:
        yield LooseArtifact(target.path, target.files, budget=budget)
    elif target.kind is TargetKind.DIRECTORY:
        yield DirectoryArtifact(target.path, budget=budget)
    else:
        try:
            handle = target.path.open("rb")
        except OSError as exc:
            raise ArtifactError(f"{target.display}: cannot open: {exc.strerror}") from exc
        with handle:
            yield ArchiveArtifact(handle, budget=budget)
