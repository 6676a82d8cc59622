"""Peak memory of `analyze` on 2-hour answers and of `import` on bomb zips: `make bench-memory`.

Every run is its own child process, measured with wait4's resource usage (its peak RSS alone).
The answers are generated 16 kHz WAV files: two hours of digital silence, one and two hours of
speech-like babble (syllable-long pieces of a bundled sample answer in shuffled order, at varied
levels, with pauses between phrases: Silero hears speech and whisper decodes every window; plain
modulated noise is rejected by the VAD and would measure nothing). Each measurement is one JSON
line; the exit status is 1 when any peak exceeds LIMIT_MB.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "mock-interview"
LIMIT_MB = 600
RATE = 16000
_VOICE = REPO / "audio_samples" / "goal_missed_weak.flac"
# Generated a minute at a time, so the generator itself stays small.
_BLOCK_S = 60


def _silence(seconds: int) -> Iterator[np.ndarray]:
    for _ in range(seconds // _BLOCK_S):
        yield np.zeros(_BLOCK_S * RATE, np.int16)


def _babble(seconds: int) -> Iterator[np.ndarray]:
    """Shuffled 0.15-0.4 s pieces of real speech; one phrase in ten ends in a 0.4-2 s pause."""
    voice, _ = soundfile.read(_VOICE, dtype="float32")
    rng = np.random.default_rng(12)
    for _ in range(seconds // _BLOCK_S):
        pieces, size = [], 0
        while size < _BLOCK_S * RATE:
            length = int(rng.uniform(0.15, 0.4) * RATE)
            start = int(rng.integers(0, voice.size - length))
            piece = voice[start : start + length] * rng.uniform(0.5, 1.5)
            pause = np.zeros(int(rng.uniform(0.4, 2.0) * RATE) if rng.random() < 0.1 else 0)
            pieces += [piece, pause.astype(np.float32)]
            size += piece.size + pause.size
        block = np.concatenate(pieces)[: _BLOCK_S * RATE]
        yield (np.clip(block, -1, 1) * 32767).astype(np.int16)


def _write(path: Path, blocks: Iterator[np.ndarray]) -> Path:
    with soundfile.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for block in blocks:
            out.write(block)
    return path


def measure(what: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    """Run `command`, print its peak RSS, wall time and outcome; True when within LIMIT_MB."""
    began = time.monotonic()
    with tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        said = stderr.read().decode(errors="replace").strip().splitlines()
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    line = {
        "what": what,
        "peak_rss_mb": round(peak_mb, 1),
        "wall_s": round(time.monotonic() - began, 1),
        "exit": child.returncode,
        "stderr_last_line": said[-1] if said else "",
        "within_limit": peak_mb <= LIMIT_MB,
    }
    print(json.dumps(line), flush=True)
    return peak_mb <= LIMIT_MB


def _analyze(folder: Path, name: str, make: Callable[[int], Iterator[np.ndarray]], s: int) -> bool:
    path = _write(folder / f"{name}.wav", make(s))
    ok = measure(f"analyze {s / 3600:g} h of {name}", [str(CLI), "analyze", str(path)])
    path.unlink()
    return ok


def _bombs(folder: Path) -> list[Path]:
    """The zips of tests/hostile/archive_bombs.py at their full sizes: each `*_bomb(folder)`
    writes one and returns its path."""
    sys.path.insert(0, str(REPO / "tests"))
    import hostile.archive_bombs as archive_bombs

    return [
        make(folder)
        for name, make in inspect.getmembers(archive_bombs, inspect.isfunction)
        if name.endswith("_bomb")
    ]


def _import_bombs(folder: Path) -> bool:
    ok = True
    for bomb in _bombs(folder / "bombs"):
        home = Path(tempfile.mkdtemp(dir=folder))
        env = dict(os.environ, HOME=str(home))
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env[name] = str(home / name.lower())
        env.pop("MOCK_INTERVIEW_CONFIG", None)
        ok &= measure(f"import {bomb.name}", [str(CLI), "import", str(bomb)], env)
    return ok


def main() -> int:
    """All measurements, or those named on the command line (silence, bombs, babble)."""
    parts = set(sys.argv[1:]) or {"silence", "bombs", "babble"}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        folder = Path(tmp)
        (folder / "bombs").mkdir()
        results = []
        if "silence" in parts:
            results.append(_analyze(folder, "silence", _silence, 2 * 3600))
        if "bombs" in parts:
            results.append(_import_bombs(folder))
        if "babble" in parts:
            results.append(_analyze(folder, "babble", _babble, 3600))
            results.append(_analyze(folder, "babble", _babble, 2 * 3600))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
