"""How an answer opens: a thinking phrase, a filler, or straight into the story."""

from __future__ import annotations

import pytest

from mock_interview.analysis.opening import classify_opening
from mock_interview.core.config import Settings
from mock_interview.core.values import Filler, Word


def words(text: str, start_s: float = 1.0, fillers: tuple[str, ...] = ()) -> list[Word]:
    """One word every 0.3 s from `start_s`; words listed in `fillers` marked as fillers."""
    return [
        Word(token, start_s + 0.3 * index, start_s + 0.3 * index + 0.25, token in fillers)
        for index, token in enumerate(text.split())
    ]


@pytest.mark.parametrize(
    ("text", "fillers", "kind", "quoted"),
    [
        ("Let me think. In 2021 I set out to", (), "thinking_phrase", "Let me think."),
        ("That's a great question. In 2021 I", (), "thinking_phrase", "That's a great question."),
        ("That\u2019s a good question, so", (), "thinking_phrase", "That\u2019s a good question,"),
        ("Um, let me think of one. My", ("Um,",), "thinking_phrase", "let me think"),
        ("Well, okay, good question. Last year", (), "thinking_phrase", "good question."),
        ("Um, so last year I decided to", ("Um,",), "filler", "um"),
        ("In 2021 I set out to run a marathon", (), "story", "In 2021 I set out"),
        ("So last year my goal was to grow our", (), "story", "So last year my goal"),
        # A phrase well into the story is not a signpost for the wait before it.
        ("Last year I wanted to run. Let me think", (), "story", "Last year I wanted to"),
    ],
)
def test_openings(
    settings: Settings, text: str, fillers: tuple[str, ...], kind: str, quoted: str
) -> None:
    opening = classify_opening(words(text, fillers=fillers), [], settings.analysis.thinking_phrases)
    assert opening is not None
    assert (opening.kind, opening.text) == (kind, quoted)


def test_a_filler_heard_only_in_the_audio_before_the_first_word_opens_the_answer(
    settings: Settings,
) -> None:
    said = words("Last year I set a goal", start_s=2.0)
    hummed = [Filler("um", 1.2, 1.6, "audio")]
    opening = classify_opening(said, hummed, settings.analysis.thinking_phrases)
    assert opening is not None and (opening.kind, opening.text) == ("filler", "um")
    later = [Filler("um", 2.7, 3.0, "audio")]
    opening = classify_opening(said, later, settings.analysis.thinking_phrases)
    assert opening is not None and opening.kind == "story"


def test_nothing_said_has_no_opening(settings: Settings) -> None:
    assert classify_opening([], [], settings.analysis.thinking_phrases) is None
