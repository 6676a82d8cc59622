"""`make bench`: what our full `analyze` costs beside plain faster-whisper, in the same run.

Prints one JSON line: audio_s, baseline_s (plain faster-whisper `transcribe` on the file with the
same model, beam 5, word timestamps), analyze_s (our whole analysis of the file), overhead_ratio
and peak_rss_mb. The machine may be shared, so the two are run alternately ROUNDS times and each
keeps its fastest run; CPU seconds are printed too, being less disturbed by other work, and
stage_cpu_s: the CPU seconds of each stage of one more analysis (the voice delivery is `contour`,
its pitch tracking, plus `delivery`).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mock_interview.analysis.analyze import analyze_file
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import load_audio
from mock_interview.core.config import load_settings
from mock_interview.core.stages import stage_cpu_totals, start_timing

REPO = Path(__file__).resolve().parent.parent
# The ~2.5-minute benchmark answer: its own file once made, else the sample README names.
BENCH_SAMPLES = ("bench_answer.flac", "goal_missed_strong.flac")
ROUNDS = 3


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = next(
        (
            REPO / "audio_samples" / name
            for name in BENCH_SAMPLES
            if (REPO / "audio_samples" / name).is_file()
        ),
        REPO / "audio_samples" / BENCH_SAMPLES[0],
    )
    parser.add_argument("audio", nargs="?", type=Path, default=default)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    if not args.audio.is_file():
        print(f"bench: {args.audio}: no such file (run `make samples`)", file=sys.stderr)
        return 2
    settings = load_settings()
    transcriber = Transcriber(settings.transcription)
    audio_s = load_audio(args.audio).duration_s

    def baseline() -> None:
        segments, _ = transcriber.model.transcribe(
            str(args.audio), language="en", beam_size=5, word_timestamps=True
        )
        for _ in segments:  # decoding happens as the segments are read
            pass

    def analyze() -> None:
        analyze_file(args.audio, None, settings, transcriber)

    baseline_runs, analyze_runs = [], []
    for _ in range(args.rounds):
        baseline_runs.append(timed(baseline))
        analyze_runs.append(timed(analyze))
    start_timing()
    analyze()
    stage_cpu = {name: round(seconds, 3) for name, seconds in stage_cpu_totals().items()}
    baseline_s, baseline_cpu = min(baseline_runs)
    analyze_s, analyze_cpu = min(analyze_runs)
    print(
        json.dumps(
            {
                "audio": str(
                    args.audio.relative_to(REPO) if args.audio.is_relative_to(REPO) else args.audio
                ),
                "audio_s": round(audio_s, 2),
                "baseline_s": round(baseline_s, 2),
                "analyze_s": round(analyze_s, 2),
                "overhead_ratio": round(analyze_s / baseline_s, 3),
                "baseline_cpu_s": round(baseline_cpu, 2),
                "analyze_cpu_s": round(analyze_cpu, 2),
                "cpu_overhead_ratio": round(analyze_cpu / baseline_cpu, 3),
                "stage_cpu_s": stage_cpu,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
