"""Speech whisper skips (its first timestamp jumps ahead) is decoded again, not lost."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pytest

from mock_interview.asr.chunking import ChunkingOptions, transcribe_in_chunks
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.config import Settings
from mock_interview.core.values import Word

ANSWER = Path(__file__).resolve().parent.parent / "audio_samples" / "goal_missed_strong.flac"


class JumpingTranscriber:
    """With the verbatim prompt, hears only the last 3 s of anything (as whisper does when its
    first timestamp jumps); without it, a word a second. Records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str | None]] = []

    def transcribe(
        self, samples: np.ndarray, prompt: str | None = None, until_s: float | None = None
    ) -> list[Word]:
        seconds = samples.size / ANALYSIS_RATE
        self.calls.append((seconds, prompt))
        first = max(0.0, seconds - 3.0) if prompt is None else 0.0
        return [Word("word", at, at + 0.3) for at in np.arange(first, seconds - 0.3, 1.0)]


def _first_word_s(options: ChunkingOptions, settings: Settings) -> tuple[float, int]:
    transcriber = JumpingTranscriber()
    samples = load_audio(ANSWER).samples[: 28 * ANALYSIS_RATE]
    transcript = transcribe_in_chunks(
        [samples], cast(Transcriber, transcriber), settings.fillers, options
    )
    return transcript.words[0].start_s, len(transcriber.calls)


def test_speech_no_word_touches_is_decoded_again(settings: Settings) -> None:
    first_s, calls = _first_word_s(ChunkingOptions(), settings)
    assert first_s < 8.0  # speech starts at 2.5 s; the jump, at 25 s
    assert calls >= 3  # the window, the skipped stretch with the prompt, then without it


def test_the_words_after_a_stretch_decoded_again_keep_their_length(settings: Settings) -> None:
    """The words whisper heard after the skipped stretch are kept whole: cut at the stretch's
    start they kept no length, and the analysis dropped them as said over silence (an answer's
    last sentence was lost so)."""
    samples = load_audio(ANSWER).samples[: 28 * ANALYSIS_RATE]
    transcript = transcribe_in_chunks(
        [samples], cast(Transcriber, JumpingTranscriber()), settings.fillers
    )
    late = [word for word in transcript.words if word.start_s > 25.0]
    assert late, "the words heard at the window's end are kept"
    assert all(word.end_s - word.start_s == pytest.approx(0.3) for word in late)


def test_the_option_sets_how_much_skipped_speech_is_decoded_again(settings: Settings) -> None:
    first_s, calls = _first_word_s(ChunkingOptions(unheard_speech_s=60.0), settings)
    assert first_s > 20.0
    assert calls == 1


class StretchingTranscriber:
    """Ends the first window's text early, as whisper can: "to" stamped over the rest of the
    speech and two words piled up at its end; any later decode hears a word a second."""

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(
        self, samples: np.ndarray, prompt: str | None = None, until_s: float | None = None
    ) -> list[Word]:
        seconds = samples.size / ANALYSIS_RATE
        self.calls += 1
        if self.calls == 1:
            said = [
                Word(text, 2.5 + 0.4 * at, 2.8 + 0.4 * at)
                for at, text in enumerate(["my", "goal", "was"])
            ]
            piled = [
                Word("get", seconds - 0.5, seconds - 0.5),
                Word("like,", seconds - 0.5, seconds - 0.5),
            ]
            return [*said, Word("to", 3.7, seconds - 0.5), *piled]
        return [Word("heard", at, at + 0.3) for at in np.arange(0.0, seconds - 0.3, 1.0)]


def test_speech_under_a_stretched_stamp_is_decoded_again(settings: Settings) -> None:
    samples = load_audio(ANSWER).samples[: 28 * ANALYSIS_RATE]
    transcript = transcribe_in_chunks(
        [samples], cast(Transcriber, StretchingTranscriber()), settings.fillers, ChunkingOptions()
    )
    texts = [word.text for word in transcript.words]
    assert texts[:4] == ["my", "goal", "was", "to"]
    assert texts.count("heard") >= 15  # the 20-odd seconds of speech under "to" are heard
    assert "like," not in texts and "get" not in texts  # the piled words were never said
    assert transcript.words[3].end_s <= transcript.words[4].start_s  # "to" no longer covers them
