"""`make bench-live-sweep`: stop→report latency as a distribution over where the answer stops.

One lucky stopping point says little: the work left after a stop depends on how much audio lies
after the last cut, whether the speaker had just paused, and how long the answer is. This stops
the sample answer at `--points` moments spread evenly over `--from`–`--to` seconds (not chosen
to avoid cuts), runs `scripts/bench_live.py` on each (a fresh process: the live engine fed at
`--pace`), and prints one JSON line with every point, `p50_s`, `p95_s`, `max_s` and the peak
memory. At real-time pace the default sweep takes about 35 minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile

from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.paths import samples_dir

BENCH_LIVE = Path(__file__).resolve().parent / "bench_live.py"
BENCH_ANSWER = "bench_live_answer.ogg"


def stop_points(first_s: float, last_s: float, count: int) -> list[float]:
    return [round(float(at), 1) for at in np.linspace(first_s, last_s, count)]


def percentile(values: list[float], share: float) -> float:
    return round(float(np.percentile(values, 100 * share)), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", nargs="?", type=Path, help=f"answer to cut ({BENCH_ANSWER})")
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--from", dest="first_s", type=float, default=15.0)
    parser.add_argument("--to", dest="last_s", type=float, default=180.0)
    parser.add_argument("--pace", type=float, default=1.0, help="1 = real time, 0 = flat out")
    args = parser.parse_args()
    samples = load_audio(args.audio or samples_dir() / BENCH_ANSWER).samples
    length_s = samples.size / ANALYSIS_RATE
    points = []
    with tempfile.TemporaryDirectory() as folder:
        for stop_s in stop_points(args.first_s, min(args.last_s, length_s), args.points):
            cut = Path(folder) / f"stop-{stop_s:.1f}.wav"
            soundfile.write(cut, samples[: int(stop_s * ANALYSIS_RATE)], ANALYSIS_RATE)
            run = subprocess.run(
                [sys.executable, str(BENCH_LIVE), str(cut), "--pace", str(args.pace)],
                check=True,
                capture_output=True,
                text=True,
            )
            measured = json.loads(run.stdout.strip().splitlines()[-1])
            points.append({"stop_s": stop_s, **measured})
            print(json.dumps(points[-1]), file=sys.stderr)
    latencies = [point["stop_to_report_s"] for point in points]
    print(
        json.dumps(
            {
                "points": points,
                "p50_s": percentile(latencies, 0.5),
                "p95_s": percentile(latencies, 0.95),
                "max_s": max(latencies),
                "peak_rss_mb": max(point["peak_rss_mb"] for point in points),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
