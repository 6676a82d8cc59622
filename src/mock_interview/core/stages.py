"""Seconds spent in each stage of the analysis (decode, VAD, filler search, rubric), for the
benchmarks: `scripts/bench_live.py` reports where the time after a stop goes. Off unless a
benchmark turns it on, and then one dict update per stage run, from any thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_totals: dict[str, float] | None = None


def start_timing() -> None:
    """Start adding up the time of every stage from now (a fresh count)."""
    global _totals
    with _lock:
        _totals = {}


def stage_totals() -> dict[str, float]:
    """Seconds per stage so far (empty when timing is off)."""
    with _lock:
        return dict(_totals or {})


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time the block takes to stage `name`, when timing is on."""
    if _totals is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        with _lock:
            if _totals is not None:
                _totals[name] = _totals.get(name, 0.0) + elapsed
