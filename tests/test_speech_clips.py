"""Real human speech from ../shared/speech: WER on read speech, no fillers invented, real pauses.

Skips when the folder is absent. Prints the per-clip table (run with -s to see it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jiwer
import pytest

from mock_interview.analysis.answer import AnswerAnalysis

READ_STYLES = ("read", "public speech")
MAX_READ_WER = 0.35


def normalize(text: str) -> str:
    text = re.sub(r"<[^>]+>|\[[^\]]+\]", " ", text.lower())
    text = re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " "))
    return " ".join(text.split())


def read_clips(speech_dir: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (speech_dir / "manifest.jsonl").read_text().splitlines()]
    return [row for row in rows if row["speech_style"].startswith(READ_STYLES)]


def test_read_speech_wer_and_no_invented_fillers(
    speech_dir: Path, analysis_of: Callable[[Path], AnswerAnalysis]
) -> None:
    rows = read_clips(speech_dir)
    assert rows, "manifest lists no read speech"
    print(f"\n{'clip':<68} {'WER':>6} fillers")
    worst = 0.0
    for row in rows:
        report = analysis_of(speech_dir / row["file"]).to_json()
        hypothesis = normalize(report["transcript"]["text"])
        reference = normalize(row["transcript"])
        wer = jiwer.wer(reference, hypothesis)
        print(f"{row['file']:<68} {wer:6.3f} {report['fillers']['count']}")
        worst = max(worst, wer)
        assert report["fillers"]["count"] == 0, (row["file"], report["fillers"]["items"])
    assert worst <= MAX_READ_WER


def test_jfk_pauses_come_from_the_signal(
    speech_dir: Path, analysis_of: Callable[[Path], AnswerAnalysis]
) -> None:
    """JFK's two long pauses (after "Americans" and after "ask not") are found as pauses."""
    report = analysis_of(speech_dir / "jfk" / "jfk.flac").to_json()
    timing = report["timing"]
    assert timing["response_latency_s"] == pytest.approx(0.3, abs=0.25)
    assert len(timing["pauses"]) == 2
    words = report["transcript"]["words"]
    for pause in timing["pauses"]:
        before = [w["text"] for w in words if w["end_s"] <= pause["start_s"]][-1]
        assert normalize(before) in {"americans", "not"}
