"""After a stop the live engine decodes only the audio after its last final chunk (issue 19):
what was cut before the stop is final and is never decoded again, whatever the answer's length."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from mock_interview.asr.chunking import ChunkedTranscript, LiveTranscriber
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.config import Settings
from mock_interview.core.values import Word

SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"
ANSWER = SAMPLES / "goal_missed_strong.flac"


class CountingTranscriber:
    """Hears a word a second of whatever it is given, and records how much audio each call got."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def transcribe(
        self, samples: np.ndarray, prompt: str | None = None, until_s: float | None = None
    ) -> list[Word]:
        self.calls.append(samples.size)
        seconds = samples.size / ANALYSIS_RATE
        return [Word("word", at, at + 0.3) for at in np.arange(0.2, seconds - 0.3, 1.0)]


def test_a_stop_decodes_only_the_audio_after_the_last_final_chunk(settings: Settings) -> None:
    samples = load_audio(ANSWER).samples[: 70 * ANALYSIS_RATE]
    model = CountingTranscriber()
    final: list[int] = []  # where each final chunk ends (samples), as the worker reports them
    two_final = threading.Event()

    def on_progress(transcript: ChunkedTranscript) -> None:
        final.append(transcript.samples)
        if len(final) == 2:
            two_final.set()

    live = LiveTranscriber(
        cast(Transcriber, model), settings.fillers, on_progress=on_progress, guess_tail=False
    )
    live.feed_analysis_samples(samples)  # 70 s: two 30-s windows are cut while it is fed
    assert two_final.wait(timeout=120)
    before_stop = len(model.calls)
    transcript = live.finish()

    tail = samples.size - final[1]
    after_stop = model.calls[before_stop:]
    assert transcript.samples == samples.size
    assert 0 < tail < 30 * ANALYSIS_RATE
    assert after_stop, "the tail is decoded at the stop"
    assert after_stop[0] == tail  # the tail itself, nothing cut before it
    assert all(size <= tail for size in after_stop)  # a re-decode of skipped speech stays in it



@pytest.mark.parametrize("name", ["goal_achieved_strong.flac", "bench_live_answer.ogg"])
def test_a_window_cut_after_a_guess_decodes_only_what_the_guess_left_unsettled(
    settings: Settings, name: str
) -> None:
    """While the candidate speaks, the idle worker guesses the tail; when the window is then cut,
    the words the guess settled are kept and at most the audio after them is decoded again."""
    samples = load_audio(SAMPLES / name).samples[: 40 * ANALYSIS_RATE]
    model = CountingTranscriber()
    reports: list[int] = []
    reported = threading.Condition()

    def on_progress(transcript: ChunkedTranscript) -> None:
        with reported:
            reports.append(transcript.samples)
            reported.notify_all()

    live = LiveTranscriber(cast(Transcriber, model), settings.fillers, on_progress=on_progress)
    live.feed_analysis_samples(samples[: 20 * ANALYSIS_RATE])
    with reported:  # the idle worker guesses the 20 s tail (both samples pause in it)
        assert reported.wait_for(lambda: reports, timeout=60)
    guessed_calls = len(model.calls)
    live.feed_analysis_samples(samples[20 * ANALYSIS_RATE :])  # 40 s: the first window is cut
    with reported:
        assert reported.wait_for(lambda: len(reports) >= 2, timeout=60)
    cut = reports[1]
    cut_decodes = model.calls[guessed_calls : len(model.calls)]
    live.close()

    assert model.calls[0] == 20 * ANALYSIS_RATE  # the guess heard the whole tail
    assert 10 * ANALYSIS_RATE <= cut <= 28 * ANALYSIS_RATE  # a final chunk, not another guess
    # Decoded afresh, the cut would cost a decode of the whole 30 s window; from the guess, at
    # most the window after the point the guess settled (a pause before 18 s).
    assert sum(cut_decodes) <= 15 * ANALYSIS_RATE, cut_decodes
