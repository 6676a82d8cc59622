"""The filler lexicon on hand-made word lists: fillers found, ordinary words left alone."""

from __future__ import annotations

import pytest

from mock_interview.asr.fillers import filled_pause_label, mark_fillers
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
        # one spelling table: "erm" is counted as "er", the sample truths' spelling
        ("I, uh, hmm, set it. Erm, yes.", ["uh", "hmm", "er"]),
        ("Ah, well.", ["uh"]),
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


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Um,", "um"),
        ("uh.", "uh"),
        ("Hmm", "hmm"),
        ("mm", "hmm"),
        ("erm", "er"),
        ("ah", "uh"),
        ("like,", None),
    ],
)
def test_filled_pause_labels(text: str, label: str | None) -> None:
    assert filled_pause_label(text) == label


def test_lexicon_and_filled_pauses_spell_a_sound_alike(settings: Settings) -> None:
    """Every single-word filler of the lexicon that names a filled pause is counted under the
    label the acoustic search gives it, so the two never disagree (they did on "erm")."""
    for word in settings.fillers.words:
        label = filled_pause_label(word)
        if label is not None:
            assert filler_labels(word, settings) == [label], word
