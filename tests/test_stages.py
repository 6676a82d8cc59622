"""The benchmarks' stage timer: silent until started, then adds up each stage from any thread."""

from __future__ import annotations

import threading
import time

from mock_interview.core import stages


def test_stages_are_timed_only_once_timing_starts() -> None:
    stages._totals = None  # as at import: no benchmark asked
    with stages.stage("decode"):
        time.sleep(0.01)
    assert stages.stage_totals() == {}
    stages.start_timing()
    try:

        def decode_twice() -> None:
            for _ in range(2):
                with stages.stage("decode"):
                    time.sleep(0.02)

        worker = threading.Thread(target=decode_twice)
        worker.start()
        with stages.stage("vad"):
            time.sleep(0.01)
        worker.join()
        totals = stages.stage_totals()
        assert set(totals) == {"decode", "vad"}
        assert 0.04 <= totals["decode"] < 0.5
        assert 0.01 <= totals["vad"] < 0.5
    finally:
        stages._totals = None


def test_stage_cpu_counts_the_work_not_the_waiting() -> None:
    stages.start_timing()
    try:
        with stages.stage("contour"):
            time.sleep(0.05)
            deadline = time.thread_time() + 0.03
            while time.thread_time() < deadline:
                pass
        cpu = stages.stage_cpu_totals()["contour"]
        assert 0.03 <= cpu < 0.05 <= stages.stage_totals()["contour"]
    finally:
        stages._totals = None
    assert stages.stage_cpu_totals() == {}
