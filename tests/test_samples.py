"""The bundled sample answers agree with their truth sidecars, checked on the signal itself.

Other tests measure `analyze` against these sidecars, so a sidecar that drifted from its audio (a
pause marked where someone speaks, a wrong duration) would make them pass or fail for the wrong
reason. No whisper here: only the file header and the signal's energy.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from conftest import SAMPLES, sample_audio_files
from mock_interview.core.config import load_questions

FRAME_S = 0.02
EDGE_S = 0.06  # lossy codecs smear a little sound past a clip's edge
NEIGHBOURHOOD_S = 0.25  # how far either side of a pause we look for speech
QUIET_ABOVE_FLOOR_DB = 8.0  # a quiet frame is at most this far above the sample's noise floor
SPEECH_ABOVE_FLOOR_DB = 20.0  # speech reaches at least this far above it
PAUSE_MIN_S = 1.0
LONG_PAUSE_S = 3.0
SIZE_LIMIT_BYTES = 10_000_000

pytestmark = pytest.mark.skipif(not sample_audio_files(), reason="audio_samples not generated")


def sample_ids() -> list[str]:
    return [path.name for path in sample_audio_files()]


@pytest.fixture(params=sample_audio_files(), ids=sample_ids())
def sample(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    path: Path = request.param
    return path, json.loads(path.with_suffix(".json").read_text())


def frame_levels_dbfs(path: Path) -> tuple[np.ndarray, int]:
    """RMS level of each 20 ms frame of the mixed-down signal, and the frames per second."""
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    frame = round(FRAME_S * rate)
    count = len(mono) // frame
    rms = np.sqrt(np.mean(mono[: count * frame].reshape(count, frame) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9)), round(1 / FRAME_S)


def frames_between(levels: np.ndarray, per_s: int, start_s: float, end_s: float) -> np.ndarray:
    return levels[max(0, round(start_s * per_s)) : max(0, round(end_s * per_s))]


def test_header_matches_sidecar(sample: tuple[Path, dict[str, Any]]) -> None:
    path, truth = sample
    info = sf.info(path)
    assert info.samplerate == truth["sample_rate"]
    assert info.channels == truth["channels"]
    assert info.duration == pytest.approx(truth["duration_s"], abs=0.01)


def test_sidecar_is_consistent_with_itself(sample: tuple[Path, dict[str, Any]]) -> None:
    _, truth = sample
    segments = truth["segments"]
    assert truth["question_id"] in load_questions()
    assert truth["leading_silence_s"] == segments[0]["start_s"]
    assert truth["speech_end_s"] == segments[-1]["end_s"]
    assert truth["answer_length_s"] == pytest.approx(
        truth["speech_end_s"] - truth["leading_silence_s"], abs=1e-3
    )
    assert truth["speech_end_s"] < truth["duration_s"]
    assert truth["text"] == " ".join(s["text"] for s in segments)
    assert truth["words"] == len(truth["text"].split())
    gaps = [
        {"start_s": before["end_s"], "end_s": after["start_s"]}
        for before, after in itertools.pairwise(segments)
    ]
    assert all(gap["end_s"] > gap["start_s"] for gap in gaps)
    assert truth["pauses"] == [g for g in gaps if g["end_s"] - g["start_s"] >= PAUSE_MIN_S]
    assert truth["long_pause_count"] == sum(
        1 for p in truth["pauses"] if p["end_s"] - p["start_s"] >= LONG_PAUSE_S
    )
    fillers = [
        {"text": s["text"], "start_s": s["start_s"], "end_s": s["end_s"]}
        for s in segments
        if s["kind"] == "filler"
    ]
    assert truth["fillers"] == fillers
    assert truth["filler_count"] == len(fillers)


def test_silences_are_quiet_and_speech_is_loud_around_them(
    sample: tuple[Path, dict[str, Any]],
) -> None:
    path, truth = sample
    levels, per_s = frame_levels_dbfs(path)
    floor = truth["noise_floor_dbfs"]
    silences = [
        (0.0, truth["leading_silence_s"]),
        *[(p["start_s"], p["end_s"]) for p in truth["pauses"]],
        (truth["speech_end_s"], truth["duration_s"]),
    ]
    for start, end in silences:
        inside = frames_between(levels, per_s, start + EDGE_S, end - EDGE_S)
        assert inside.max() <= floor + QUIET_ABOVE_FLOOR_DB, (start, end, inside.max())
    for pause in truth["pauses"]:
        before = frames_between(levels, per_s, pause["start_s"] - NEIGHBOURHOOD_S, pause["start_s"])
        after = frames_between(levels, per_s, pause["end_s"], pause["end_s"] + NEIGHBOURHOOD_S)
        assert before.max() >= floor + SPEECH_ABOVE_FLOOR_DB, pause
        assert after.max() >= floor + SPEECH_ABOVE_FLOOR_DB, pause


def test_every_clip_is_sound_without_an_unmarked_pause(
    sample: tuple[Path, dict[str, Any]],
) -> None:
    """Each speech or filler clip is loud, and no quiet stretch of a pause's length hides in one."""
    path, truth = sample
    levels, per_s = frame_levels_dbfs(path)
    quiet_limit = truth["noise_floor_dbfs"] + QUIET_ABOVE_FLOOR_DB
    longest_allowed = round(PAUSE_MIN_S * per_s) - 1
    for segment in truth["segments"]:
        clip = frames_between(levels, per_s, segment["start_s"], segment["end_s"])
        assert clip.max() >= truth["noise_floor_dbfs"] + SPEECH_ABOVE_FLOOR_DB, segment
        quiet_run = longest = 0
        for level in clip:
            quiet_run = quiet_run + 1 if level <= quiet_limit else 0
            longest = max(longest, quiet_run)
        assert longest < longest_allowed, segment


def test_samples_cover_the_issue_and_stay_small() -> None:
    truths = {
        path.stem: json.loads(path.with_suffix(".json").read_text())
        for path in sample_audio_files()
    }
    assert truths["goal_achieved_strong"]["question_id"] == "goal-achieved"
    weak = truths["goal_missed_weak"]
    assert weak["question_id"] == "goal-missed"
    assert weak["filler_count"] >= 5 and weak["long_pause_count"] >= 3
    rates_and_channels = {(t["sample_rate"], t["channels"]) for t in truths.values()}
    assert any(rate != 16000 and channels == 2 for rate, channels in rates_and_channels)
    assert sum(path.stat().st_size for path in SAMPLES.iterdir()) < SIZE_LIMIT_BYTES
