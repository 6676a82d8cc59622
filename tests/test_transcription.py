"""Whisper's output cleaned up: decoding loops cut, repeated fillers kept, a stuck decode
replaced by one without the prompt."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from mock_interview.asr.whisper import Transcriber, drop_repetition_loops
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.core.config import Settings
from mock_interview.core.values import Word


def words_of(text: str) -> list[Word]:
    tokens = text.split()
    return [Word(token, index * 0.3, index * 0.3 + 0.25) for index, token in enumerate(tokens)]


def texts(words: list[Word]) -> str:
    return " ".join(word.text for word in words)


def test_a_phrase_repeated_three_times_is_a_loop_and_kept_once() -> None:
    words = words_of("we shipped it on time. on time. on time. on time. and then")
    assert texts(drop_repetition_loops(words)) == "we shipped it on time. and then"


def test_a_chain_of_fillers_is_kept_however_long() -> None:
    words = words_of("Montreal, uh, uh, uh, uh, uh, uh, uh, forced aligner")
    assert drop_repetition_loops(words) == words


def test_a_short_word_said_three_times_is_kept() -> None:
    words = words_of("no, no, no, that was my call")
    assert drop_repetition_loops(words) == words


def segment(pieces: list[tuple[str, float, float]], compression_ratio: float = 1.5) -> Any:
    """A faster-whisper segment with word pieces, as the model yields it."""
    return SimpleNamespace(
        start=pieces[0][1],
        end=pieces[-1][2],
        words=[
            SimpleNamespace(word=" " + text, start=start, end=end, probability=0.9)
            for text, start, end in pieces
        ],
        compression_ratio=compression_ratio,
        no_speech_prob=0.0,
        avg_logprob=-0.2,
    )


class ScriptedModel:
    """Decodes with the prompt into one thing and without it into another."""

    def __init__(self, prompted: list[Any], plain: list[Any]) -> None:
        self.prompted, self.plain = prompted, plain

    def transcribe(self, samples: np.ndarray, hotwords: str | None, **_: Any) -> Any:
        return iter(self.prompted if hotwords else self.plain), None


def scripted_transcriber(settings: Settings, model: ScriptedModel) -> Transcriber:
    class Scripted(Transcriber):
        def _load(self, model_path: str) -> Any:
            return model

    return Scripted(settings.transcription)


def test_words_piled_on_one_instant_are_decoded_again_without_the_prompt(
    settings: Settings,
) -> None:
    """The prompt locked the second segment into "uh, uh, ..." stamped at the window's end, and
    the words after the fillers were lost; that segment comes from the plain decode."""
    piled = [("uh,", 19.98, 19.98)] * 6
    prompted = [
        segment([("we", 0.5, 0.7), ("shipped", 0.7, 1.1)]),
        segment([("Montreal,", 11.3, 11.8), ("uh,", 12.9, 12.9), *piled]),
    ]
    plain = [
        segment([("we", 0.5, 0.7), ("shipped", 0.7, 1.2)]),
        segment([("Montreal,", 11.3, 11.8), ("uh,", 12.5, 12.7), ("forced", 16.2, 16.6)]),
    ]
    transcriber = scripted_transcriber(settings, ScriptedModel(prompted, plain))
    words = transcriber.transcribe(np.zeros(20 * ANALYSIS_RATE, dtype=np.float32))
    assert [(word.text, word.end_s) for word in words] == [
        ("we", 0.7),
        ("shipped", 1.1),
        ("Montreal,", 11.8),
        ("uh,", 12.7),
        ("forced", 16.6),
    ]


def test_a_decode_with_stamped_words_is_kept(settings: Settings) -> None:
    prompted = [segment([("Montreal,", 11.3, 11.8), ("uh,", 12.9, 12.9), ("uh,", 13.4, 13.4)])]
    transcriber = scripted_transcriber(settings, ScriptedModel(prompted, []))
    words = transcriber.transcribe(np.zeros(20 * ANALYSIS_RATE, dtype=np.float32))
    assert [word.text for word in words] == ["Montreal,", "uh,", "uh,"]
