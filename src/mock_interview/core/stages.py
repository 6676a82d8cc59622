"""Seconds spent in each stage of the analysis (decode, VAD, filler search, contour, rubric,
delivery), for the benchmarks: `scripts/bench_live.py` reports where the time after a stop goes.
Off unless a benchmark turns it on, and then one dict update per stage run, from any thread.
Each stage's CPU seconds (of the thread that ran it) are added up too: on a shared machine they
are less disturbed by other work than wall time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_totals: dict[str, float] | None = None
_cpu_totals: dict[str, float] = {}


def start_timing() -> None:
    """Start adding up the time of every stage from now (a fresh count)."""
    global _totals
    with _lock:
        _totals = {}
        _cpu_totals.clear()


def stage_totals() -> dict[str, float]:
    """Seconds per stage so far (empty when timing is off)."""
    with _lock:
        return dict(_totals or {})


def stage_cpu_totals() -> dict[str, float]:
    """CPU seconds per stage so far, of the threads that ran them (empty when timing is off)."""
    with _lock:
        return dict(_cpu_totals) if _totals is not None else {}


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time the block takes to stage `name`, when timing is on."""
    if _totals is None:
        yield
        return
    started, started_cpu = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        cpu = time.thread_time() - started_cpu
        with _lock:
            if _totals is not None:
                _totals[name] = _totals.get(name, 0.0) + elapsed
                _cpu_totals[name] = _cpu_totals.get(name, 0.0) + cpu
