"""Safety limits for reading hostile archives, all configurable from the CLI."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on what one artifact may make depvet read.

    A member over ``max_file_bytes`` is read only that far (its head is still
    scanned, and the result says so). Going over ``max_members``,
    ``max_total_bytes`` or ``max_ratio`` stops reading the artifact with an
    ``unsafe-archive`` error; what was read until then is still judged.
    """

    max_members: int = 50_000
    max_total_bytes: int = 4096 * MiB
    max_file_bytes: int = 64 * MiB
    max_ratio: int = 200  # uncompressed / compressed, checked once past ratio_floor bytes
    ratio_floor: int = 16 * MiB
    max_depth: int = 3  # archives inside archives
    file_seconds: float = 10.0  # detector time budget per file
    max_parse_bytes: int = 5 * MiB  # larger Python sources get byte rules only

    def bomb(self, uncompressed: int, compressed: int) -> bool:
        """Whether ``uncompressed`` bytes from ``compressed`` pass the ratio a bomb is known by."""
        return uncompressed > self.ratio_floor and uncompressed > self.max_ratio * max(
            compressed, 1
        )
