"""`make bench-live`: a ~3-minute sample answer through the live engine at real-time pace.

Prints one JSON line: audio_s, stop_to_report_s (from the end of the audio to the full report),
peak_rss_mb, and after_stop_s: the seconds each stage (decode, redecode_skipped, vad, fillers,
contour, rubric, structure: the STAR timeline, delivery) took between the stop and the report
(the rest is waiting and assembling the report), and after_stop_cpu_s: their CPU seconds.
The audio enters through FileSource, the same recorder and live transcriber path as the
microphone. Targets: stop_to_report_s <= 1.5, peak_rss_mb <= 600.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.recorder import FileSource
from mock_interview.core.config import load_questions, load_settings
from mock_interview.core.paths import samples_dir
from mock_interview.core.stages import stage_cpu_totals, stage_totals, start_timing
from mock_interview.session.engine import RecordingStopped, transcribe_recording

BENCH_ANSWER = "bench_live_answer.ogg"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("audio", nargs="?", type=Path, help=f"answer to feed ({BENCH_ANSWER})")
    parser.add_argument("--pace", type=float, default=1.0, help="1 = real time, 0 = flat out")
    args = parser.parse_args()
    path = args.audio or samples_dir() / BENCH_ANSWER
    settings = load_settings()
    question = load_questions()["goal-achieved"]
    transcriber = Transcriber(settings.transcription)
    stopped_at: list[float] = []
    at_stop: dict[str, float] = {}
    cpu_at_stop: dict[str, float] = {}

    def on_event(event: object) -> None:
        if isinstance(event, RecordingStopped):
            stopped_at.append(time.perf_counter())
            at_stop.update(stage_totals())
            cpu_at_stop.update(stage_cpu_totals())

    start_timing()

    with tempfile.TemporaryDirectory() as folder:
        source = FileSource(path, pace=args.pace)
        result, report = transcribe_recording(
            source, Path(folder) / "answer.wav", question, settings, transcriber, on_event
        )
        done = time.perf_counter()
    after_stop = {
        name: round(seconds - at_stop.get(name, 0.0), 3) for name, seconds in stage_totals().items()
    }
    after_stop_cpu = {
        name: round(seconds - cpu_at_stop.get(name, 0.0), 3)
        for name, seconds in stage_cpu_totals().items()
    }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "audio_s": round(result.duration_s, 2),
                "stop_to_report_s": round(done - stopped_at[0], 3),
                "peak_rss_mb": round(peak_mb, 1),
                "words": len(report.transcript.words),
                "after_stop_s": after_stop,
                "after_stop_cpu_s": after_stop_cpu,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
