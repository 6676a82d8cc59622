"""The filler lexicon on hand-made word lists: fillers found, ordinary words left alone."""

from __future__ import annotations

import pytest

from mock_interview.asr.fillers import mark_fillers
from mock_interview.core.config import Settings
from mock_interview.core.values import Word


def words_of(text: str) -> list[Word]:
    return [Word(token, index * 0.5, index * 0.5 + 0.4) for index, token in enumerate(text.split())]


def filler_labels(text: str, settings: Settings) -> list[str]:
    return [filler.text for filler in mark_fillers(words_of(text), settings.fillers)[1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, so I set a goal.", ["um"]),
        ("I, uh, hmm, set it. Erm, yes.", ["uh", "hmm", "erm"]),
        ("Umm the plan, you know, slipped.", ["um", "you know"]),
        ("I mean, it was hard.", ["i mean"]),
        ("I kind of rushed it and sort of hoped.", ["kind of", "sort of"]),
        ("It was, like, really hard.", ["like"]),
        ("Like, I didn't know.", ["like"]),
    ],
)
def test_fillers_are_found(text: str, expected: list[str], settings: Settings) -> None:
    assert filler_labels(text, settings) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I told her never to worry.",
        "The error was mine.",
        "I like the team and I would like more.",
        "It felt like a failure.",
        "m f a is like putty.",
        "It was a kind of tool, the sort of thing that helps.",
        "What kind of goal was it?",
    ],
)
def test_ordinary_words_are_not_fillers(text: str, settings: Settings) -> None:
    assert filler_labels(text, settings) == []


def test_filler_words_are_marked_and_timed(settings: Settings) -> None:
    marked, fillers = mark_fillers(words_of("so you know we won"), settings.fillers)
    assert [word.filler for word in marked] == [False, True, True, False, False]
    assert (fillers[0].start_s, fillers[0].end_s) == (0.5, 1.4)
    assert fillers[0].source == "transcript"
