"""Run a command and measure its wall time and the peak memory of its process tree.

Memory is sampled from ``/proc`` (no psutil): every ``interval`` seconds the
resident set of the process and all its descendants is summed, and each
process's own high-water mark (``VmHWM``) is read. ``getrusage`` cannot do
this job: it only sees descendants that were waited for, and a pool's
workers may not be.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True, kw_only=True)
class Measured:
    """The outcome of one measured command."""

    returncode: int
    seconds: float
    peak_tree_rss: int  # bytes: the largest sum of RSS over the tree at one sample
    peak_process_rss: int  # bytes: the largest VmHWM of any one process in the tree
    stdout: str
    stderr: str


def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: parse after the last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from one read of ``/proc``."""
    tree = _children_map()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, ()))
    return found


def _rss_and_hwm(pid: int) -> tuple[int, int]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    rss = hwm = 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
    return rss, hwm


class TreeSampler:
    """Samples the memory of a process tree in a background thread."""

    def __init__(self, pid: int, interval: float = 0.1, rescan: float = 1.0) -> None:
        """Watch ``pid`` and its descendants once started.

        Resident sizes are read every ``interval`` seconds; the list of
        descendants, which costs a read of all of ``/proc``, only every
        ``rescan`` seconds (a pool's workers live long), so the sampler stays
        a small load next to what it measures.
        """
        self.pid = pid
        self.interval = interval
        self.rescan = rescan
        self.peak_tree_rss = 0
        self.peak_process_rss = 0
        self._tree: list[int] = [pid]
        self._scanned = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        now = time.monotonic()
        if now - self._scanned >= self.rescan:
            self._tree = descendants(self.pid)
            self._scanned = now
        total = 0
        for pid in self._tree:
            rss, hwm = _rss_and_hwm(pid)
            total += rss
            self.peak_process_rss = max(self.peak_process_rss, hwm, rss)
        self.peak_tree_rss = max(self.peak_tree_rss, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def start(self) -> None:
        """Start sampling."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop.set()
        self._thread.join()


def run_measured(
    command: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """Run ``command`` to completion, capturing output, time and peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(env) if env is not None else None,
        cwd=cwd,
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        sampler.stop()
    seconds = time.perf_counter() - started
    return Measured(
        returncode=process.returncode,
        seconds=seconds,
        peak_tree_rss=sampler.peak_tree_rss,
        peak_process_rss=sampler.peak_process_rss,
        stdout=stdout,
        stderr=stderr,
    )
