"""A spoken answer transcribed as one run-on is cut into sentences where the speaker paused, so
the rubric judges (and quotes) what was said between pauses (issue 15)."""

from __future__ import annotations

from pathlib import Path

from crafted_reports import spoken_phrases
from mock_interview.analysis.analyze import build_analysis
from mock_interview.core.config import Question, Settings

QUESTION = Question(
    id="goal-achieved",
    kind="achieved",
    text="Tell me about a goal you set and achieved.",
    target_min_s=120,
    target_max_s=180,
    follow_ups=(),
)


def _evidence(settings: Settings, phrases: list[tuple[str, float]], criterion: str) -> list[str]:
    words, speech = spoken_phrases(phrases)
    analysis = build_analysis(
        words[-1].end_s + 1.0, 16000, Path("answer.wav"), QUESTION, settings, words, speech, []
    )
    assert analysis.rubric is not None
    found = {item.id: item for item in analysis.rubric.criteria}
    return list(found[criterion].evidence)


def test_a_pause_without_a_full_stop_ends_a_sentence(settings: Settings) -> None:
    phrases = [
        ("last year at my old job i wanted to run a marathon", 0.8),
        ("i trained every morning", 0.1),
        ("and i joined a running club", 0.9),
        ("i finished in three hours fifty", 0.0),
    ]
    assert _evidence(settings, phrases, "measurable_result") == ["i finished in three hours fifty"]
    assert _evidence(settings, phrases, "action") == [
        "i trained every morning and i joined a running club"
    ]


def test_a_short_breath_does_not_end_a_sentence(settings: Settings) -> None:
    phrases = [
        ("last year at my old job i wanted to run a marathon", 0.3),
        ("i trained every morning and i joined a club", 0.3),
        ("i finished in three hours fifty", 0.0),
    ]
    whole = " ".join(phrase for phrase, _ in phrases)
    assert _evidence(settings, phrases, "measurable_result") == [whole]
