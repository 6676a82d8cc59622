"""After a stop the live engine decodes only the audio after its last final chunk (issue 19):
what was cut before the stop is final and is never decoded again, whatever the answer's length."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from mock_interview.asr.chunking import (
    DEFAULTS,
    ChunkedTranscript,
    ChunkingOptions,
    LiveTranscriber,
    transcribe_in_chunks,
    words_after,
)
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.config import Settings
from mock_interview.core.values import Word, normalize_token

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


def _decodes_after_a_guess(
    samples: np.ndarray, settings: Settings, options: ChunkingOptions
) -> tuple[list[int], ChunkedTranscript]:
    """How much audio each decode after the idle worker's first guess of the tail got (12 s fed,
    guessed, then the last second fed and the answer stopped), and the transcript."""
    model = CountingTranscriber()
    guessed = threading.Event()
    live = LiveTranscriber(
        cast(Transcriber, model),
        settings.fillers,
        on_progress=lambda _: guessed.set(),
        options=options,
    )
    live.feed_analysis_samples(samples[: 12 * ANALYSIS_RATE])  # less than a window: no cut
    assert guessed.wait(timeout=60), "the idle worker did not guess the tail"
    guess_calls = len(model.calls)
    live.feed_analysis_samples(samples[12 * ANALYSIS_RATE :])
    transcript = live.finish()
    assert model.calls[0] <= 12 * ANALYSIS_RATE  # the guess heard the tail fed so far
    return model.calls[guess_calls:], transcript


def test_a_stop_after_a_guess_decodes_only_what_the_guess_left_unsettled(
    settings: Settings,
) -> None:
    """While the candidate speaks, the idle worker guesses the uncut tail and settles its words
    up to a pause; a stop then decodes what follows that pause, never the whole tail again, and
    hears only `heard_before_settled_s` of the settled audio before it."""
    samples = load_audio(ANSWER).samples[: 13 * ANALYSIS_RATE]
    unheard_before = replace(DEFAULTS, heard_before_settled_s=0.0)
    after_guess, transcript = _decodes_after_a_guess(samples, settings, unheard_before)
    assert after_guess, "the second after the guess is decoded at the stop"
    assert all(size < 10 * ANALYSIS_RATE for size in after_guess)  # not the whole 13-s tail
    assert transcript.samples == samples.size
    assert transcript.words[0].start_s < 1.0  # what the guess settled is kept

    heard_before = replace(DEFAULTS, heard_before_settled_s=2.0)
    with_context, _ = _decodes_after_a_guess(samples, settings, heard_before)
    assert with_context[0] == after_guess[0] + 2 * ANALYSIS_RATE


def _texts(words: list[Word]) -> list[str]:
    return [word.text for word in words]


def test_a_word_both_decodes_heard_at_a_junction_is_kept_once() -> None:
    """Measured on the weak sample fed at speaking pace: the chunk's decode stamped "me" ending
    before the cut at 21.36 s, the tail guess's "me." ending after it, and the live transcript
    read "on me me" where `analyze` read "on me"."""
    earlier = [Word("on", 20.88, 21.16), Word("me", 21.16, 21.40)]
    later = [Word("me.", 21.16, 21.65), Word("Um,", 21.70, 21.92), Word("my", 22.5, 22.6)]
    assert _texts(words_after(earlier, later, 21.36)) == ["Um,", "my"]


def test_a_word_each_decode_put_on_the_other_side_of_a_junction_is_kept() -> None:
    """The first decode's "year" lies mostly after the junction and the second's mostly before
    it: deciding by each word's middle alone would drop it from both."""
    earlier = [Word("through", 24.1, 24.5), Word("the", 24.5, 24.7)]  # its "year" was 24.9-25.5
    later = [Word("year,", 24.74, 25.14), Word("and", 25.48, 25.78)]
    assert _texts(words_after(earlier, later, 25.0)) == ["year,", "and"]


def test_a_word_said_twice_at_a_junction_is_kept_twice() -> None:
    """A real repetition has two sounds: stamps that follow each other do not overlap."""
    earlier = [Word("no,", 3.0, 3.3)]
    later = [Word("no,", 3.3, 3.6), Word("wait", 3.7, 4.0)]
    assert _texts(words_after(earlier, later, 3.3)) == ["no,", "wait"]


def test_a_word_reaching_back_over_a_heard_word_is_not_kept() -> None:
    """Whisper heard the same sound as another word ("on us" / "of us"): the earlier decode's
    word stands, and a later word before the junction over it is a second reading of it."""
    earlier = [Word("of", 30.0, 30.3)]
    later = [Word("on", 30.05, 30.35), Word("us", 30.4, 30.6)]
    assert _texts(words_after(earlier, later, 30.32)) == ["us"]


@pytest.mark.model
def test_a_chunk_cut_inside_a_guess_keeps_the_word_at_the_cut_once(
    settings: Settings, transcriber: Transcriber
) -> None:
    """The weak sample's first 29 s are guessed (settled to 25.15 s), then 7 s more fill the
    window and it is cut at 21.36 s, between "on me" and "um". The chunk's decode stamps "me"
    before the cut and the guess's after it; the live transcript read "on me, me. Um," where
    `analyze` of the same 36 s reads "on me, um," and now reads the same words as `analyze`."""
    samples = load_audio(SAMPLES / "goal_missed_weak.flac").samples[: 36 * ANALYSIS_RATE]
    guessed = threading.Event()
    shown: list[ChunkedTranscript] = []

    def progress(transcript: ChunkedTranscript) -> None:
        shown.append(transcript)
        guessed.set()

    live = LiveTranscriber(transcriber, settings.fillers, on_progress=progress)
    live.feed_analysis_samples(samples[: 29 * ANALYSIS_RATE])  # under a window: no cut yet
    assert guessed.wait(timeout=60), "the idle worker did not guess the tail"
    live.feed_analysis_samples(samples[29 * ANALYSIS_RATE :])
    heard_live = [normalize_token(word.text) for word in live.finish().words]
    whole = transcribe_in_chunks([samples], transcriber, settings.fillers)
    assert heard_live == [normalize_token(word.text) for word in whole.words]
    # What the guess showed past the cut stays shown when the chunk is cut (it went back to
    # 21.36 s, and its words vanished until the next guess).
    guess, at_cut = shown[0], shown[1]
    assert guess.samples == 29 * ANALYSIS_RATE and guess.words[-1].end_s > 27.0
    assert at_cut.samples >= guess.samples
    assert at_cut.words[-1].end_s >= guess.words[-1].end_s - 0.5
    assert [item.samples for item in shown] == sorted(item.samples for item in shown)
