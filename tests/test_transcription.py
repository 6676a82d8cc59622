"""Whisper's output cleaned up: decoding loops cut, repeated fillers kept."""

from __future__ import annotations

from mock_interview.analysis.model import Word
from mock_interview.transcription import drop_repetition_loops


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
