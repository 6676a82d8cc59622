"""A long answer costs no more memory than a short one: the decode and the analysis stream.

Whole-file decoding grew the peak by about 8 MB a minute of audio (1 h of silence peaked at
739 MB, one second at 258 MB): 40 minutes would add over 300 MB. Silence keeps the run quick (the
VAD finds nothing for whisper to decode); `scripts/bench_memory.py` measures two hours of babble.
Twenty minutes is enough to tell the two apart (about 160 MB of growth against the limit's 60).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile

RATE = 16000
# What 20 minutes may add to the peak: allocator noise, nothing that grows with the audio.
GROWTH_LIMIT_MB = 60


def _silence(path: Path, minutes: int) -> Path:
    with soundfile.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for _ in range(minutes):
            out.write(np.zeros(60 * RATE, np.int16))
    return path


def _peak_rss_mb(audio: Path) -> float:
    cli = Path(sys.executable).parent / "mock-interview"
    child = subprocess.Popen(
        [str(cli), "analyze", str(audio), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.stderr is not None
    assert child.returncode == 0, child.stderr.read()
    return usage.ru_maxrss / 1024


def test_twenty_minutes_peak_like_one(tmp_path: Path) -> None:
    short = _peak_rss_mb(_silence(tmp_path / "short.wav", 1))
    long = _peak_rss_mb(_silence(tmp_path / "long.wav", 20))
    assert long - short < GROWTH_LIMIT_MB, (short, long)
