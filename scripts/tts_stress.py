"""Renders distinct questions in a row while busy loops load every core: is speech reliable?

pyttsx3's eSpeak driver used to return before the WAV was written (nateshmbhat/pyttsx3#219), which
showed up on a loaded machine. Every text is new (an empty cache), and every result is read back
here as audio. Prints one JSON line: renders, successes, failures (their hints), total_s,
slowest_s; exits 1 unless every render succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import soundfile

from mock_interview.audio.tts import render_speech
from mock_interview.core.config import load_settings


@contextmanager
def busy_loops(count: int) -> Iterator[None]:
    """`count` processes spinning on a core each until the block ends."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--load", type=int, default=os.cpu_count() or 2, help="busy processes")
    args = parser.parse_args()
    settings = load_settings().speech
    failures: list[str] = []
    slowest_s = 0.0
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache
        started = time.perf_counter()
        with busy_loops(args.load):
            for number in range(args.renders):
                text = f"Question {number + 1}: tell me about goal {number + 1} you set and met."
                begun = time.perf_counter()
                result = render_speech(text, settings)
                slowest_s = max(slowest_s, time.perf_counter() - begun)
                if result.path is None:
                    failures.append(result.hint or "no path and no hint")
                elif soundfile.info(result.path).duration < 1.0:
                    failures.append(f"{result.path.name}: shorter than expected")
        total_s = time.perf_counter() - started
    summary = {
        "renders": args.renders,
        "successes": args.renders - len(failures),
        "failures": failures,
        "load_processes": args.load,
        "total_s": round(total_s, 2),
        "slowest_s": round(slowest_s, 2),
    }
    print(json.dumps(summary))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
