"""Where a run's time goes, stage by stage: landing, parsing, validation, loading, dbt build, publishing.

The pipeline marks each stage's work with `stage(name)`; nothing is recorded unless a `Recording` is active in
the process (the benchmark, `python -m tools.benchmark`, starts one around an in-process run). A
recording keeps every stage's intervals and rows, and samples the resident memory of the process and its
children (dbt runs as one) so that each stage's peak can be read off afterwards.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

STAGES = ("landing", "parsing", "validation", "loading", "dbt build", "publishing")


@dataclass
class Interval:
    stage: str
    start: float
    end: float = 0.0
    rows: int = 0


@dataclass
class StageFigures:
    seconds: float
    peak_bytes: int
    rows: int


@dataclass
class Recording:
    """Stage intervals and memory samples (monotonic seconds, bytes) of one measured stretch of work."""

    sample_every: float = 0.05
    intervals: list[Interval] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), _tree_rss(process)))
            self._stop.wait(self.sample_every)

    def figures(self) -> dict[str, StageFigures]:
        """Per stage: wall time (its intervals summed), the peak memory sampled inside them, the rows they saw."""
        figures: dict[str, StageFigures] = {}
        times = [t for t, _ in self.samples]  # in time order: appended by one thread
        for name in dict.fromkeys(i.stage for i in self.intervals):
            spans = [i for i in self.intervals if i.stage == name]
            peak = max(self._peak_during(s, times) for s in spans)
            seconds = sum(s.end - s.start for s in spans)
            figures[name] = StageFigures(seconds, peak, sum(s.rows for s in spans))
        return figures

    def _peak_during(self, span: Interval, times: list[float]) -> int:
        """The highest sample inside the interval; one shorter than the sampling period gets the sample before."""
        first, last = bisect.bisect_left(times, span.start), bisect.bisect_right(times, span.end)
        inside = [rss for _, rss in self.samples[max(first - 1, 0) if first == last else first : last]]
        return max(inside, default=0)

    @property
    def peak_bytes(self) -> int:
        return max((rss for _, rss in self.samples), default=0)


_active: Recording | None = None


@contextmanager
def recording(sample_every: float = 0.05) -> Iterator[Recording]:
    """Record every stage run in this process until the block ends."""
    global _active
    record = Recording(sample_every)
    sampler = threading.Thread(target=record._sample, name="memory-sampler", daemon=True)
    _active = record
    sampler.start()
    try:
        yield record
    finally:
        _active = None
        record._stop.set()
        sampler.join()


@contextmanager
def stage(name: str) -> Iterator[Interval]:
    """Mark a stage's work; set `.rows` on the yielded interval to say how many rows it handled."""
    interval = Interval(name, time.monotonic())
    try:
        yield interval
    finally:
        interval.end = time.monotonic()
        if _active is not None:
            _active.intervals.append(interval)


def _tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and its live children (a child that exits between calls counts nothing)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total
