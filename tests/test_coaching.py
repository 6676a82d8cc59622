"""Three things to work on: observed facts with their times, ranked by what would change an
interviewer's impression most, on crafted answers and on every bundled sample."""

from __future__ import annotations

from typing import Any

import pytest

from crafted_reports import crafted_analysis
from mock_interview.analysis.analyze import delivery_facts
from mock_interview.analysis.answer import COACHING_SOURCES, AnswerAnalysis, RubricResult
from mock_interview.analysis.coaching import coach, coaching_for_follow_up
from mock_interview.core.config import Settings
from mock_interview.rubric import load_rubric, score_answer

BLAMING = (
    "Last year I wanted to get promoted to senior engineer. It did not happen. "
    "My manager changed halfway through and the team kept changing priorities on us. "
    "Honestly it was not a big deal, promotions are random anyway."
)
STRONG = (
    "Two years ago I was leading support at a small software company. "
    "My goal was to cut our first reply time from nine hours to under two hours within a quarter. "
    "I mapped every ticket type, I wrote twenty reply templates, and I set up a rota. "
    "By the end of the quarter our first reply time was one hour forty minutes. "
    "What I learned is that a process beats heroics. "
    "Next time I set a goal like that, I will measure it from the first week."
)
TRAITS = ("confiden", "nervous", "lazy", "shy", "arrogant", "personality")


def analysed(
    text: str, settings: Settings, kind: str = "missed", **crafted: Any
) -> AnswerAnalysis:
    """A crafted answer with the real rubric's verdicts (and its delivery flags)."""
    analysis = crafted_analysis(text, kind=kind, score=None, **crafted)
    timing = analysis.timing
    delivery = delivery_facts(timing, analysis.fillers)
    rubric = RubricResult.from_json(
        score_answer(text, kind, delivery, load_rubric(settings=settings))
    )
    items = coach(
        timing,
        analysis.transcript,
        analysis.fillers,
        rubric,
        load_rubric(settings=settings),
        settings.analysis.long_pause_s,
    )
    return AnswerAnalysis(
        analysis.audio, analysis.question, timing, analysis.transcript, analysis.fillers,
        rubric, items,
    )


def test_a_weak_answer_gets_its_heaviest_gaps_first_with_their_times(settings: Settings) -> None:
    answer = analysed(BLAMING, settings, pauses={20: 4.0})
    items = answer.coaching
    assert items is not None and 1 <= len(items) <= 3
    assert [item.source for item in items] == ["rubric"] * 3  # gaps outrank the long pause
    rules = load_rubric(settings=settings)
    unmet = {c.id for c in answer.rubric.criteria if not c.met} if answer.rubric else set()
    assert {"action", "reflection", "ownership"} <= unmet
    # The heaviest unmet criteria lead: action and reflection (16 each), then ownership (14).
    assert rules.criteria["action"].weight == rules.criteria["reflection"].weight == 16
    assert rules.criteria["ownership"].weight == 14
    assert items[0].finding.startswith("No step you took yourself")
    assert items[1].finding.startswith("No lesson is named")
    assert items[2].finding.startswith("Nothing says which part of the miss was yours")
    # The missing lesson is shown where the answer closes: its last sentence.
    first_word = "Honestly"
    word = next(w for w in answer.transcript.words if w.text == first_word)
    assert items[1].evidence_s == (word.start_s,)
    # The missing ownership is shown at the outcome the answer states.
    outcome = next(w for w in answer.transcript.words if w.text == "It")
    assert items[2].evidence_s == (outcome.start_s,)
    for item in items:
        assert not any(trait in item.finding.lower() for trait in TRAITS)


def test_an_answer_that_meets_everything_still_gets_one_observed_item(settings: Settings) -> None:
    """On target, every criterion met, no flag: its longest pause is the one thing to check;
    without any pause or filler, the strength to keep."""
    paused = analysed(STRONG, settings, kind="achieved", word_s=1.4, pauses={30: 1.6})
    assert paused.rubric is not None and paused.rubric.delivery_flags == ()
    assert all(c.met for c in paused.rubric.criteria) and paused.rubric.red_flags == ()
    assert paused.coaching is not None and len(paused.coaching) == 1
    [item] = paused.coaching
    assert (item.source, item.finding) == ("hesitation", "Longest pause 1.6 s")
    assert item.evidence_s == (paused.timing.pauses[0].start_s,)

    fluent = analysed(STRONG, settings, kind="achieved", word_s=1.4)
    assert fluent.coaching is not None and [i.source for i in fluent.coaching] == ["strength"]
    assert fluent.coaching[0].finding.startswith("Keep this: “")


def test_red_flags_come_after_gaps_and_before_hesitation(settings: Settings) -> None:
    answer = analysed(BLAMING, settings, pauses={20: 4.0})
    assert answer.coaching is not None
    order = [COACHING_SOURCES.index(item.source) for item in answer.coaching]
    assert order == sorted(order)


@pytest.mark.model
def test_every_sample_gets_one_to_three_items_with_times_inside_the_answer(
    analyzed_samples: dict[str, Any],
) -> None:
    for name, (analysis, _truth) in analyzed_samples.items():
        items = analysis.coaching
        assert items is not None and 1 <= len(items) <= 3, name
        timing = analysis.timing
        start = timing.first_speech_s
        end = start + timing.answer_length_s
        for item in items:
            assert item.evidence_s, (name, item)
            for time_s in item.evidence_s:
                assert start - 0.01 <= time_s <= end + 0.01, (name, item)


FOLLOW_UP = (
    "Looking back, part of it was on me. I never agreed a fixed scope with the design team, so "
    "I let the changes pile up. What I learned is to agree the scope in writing at the start."
)


def test_a_follow_up_is_coached_on_the_criterion_it_probes(settings: Settings) -> None:
    """Judged as a whole story the short follow-up misses the actions and the outcome; as the
    answer to "what part was yours?" it only had to own a part, which it does."""
    answer = analysed(FOLLOW_UP, settings, word_s=0.4)
    rules = load_rubric(settings=settings)
    assert answer.coaching is not None
    assert [item.source for item in answer.coaching] == ["rubric"] * 3
    assert answer.criterion_met("ownership") and not answer.criterion_met("result")

    owned = coaching_for_follow_up(answer, "ownership", rules, settings.analysis.long_pause_s)
    assert owned.coaching is not None and owned.rubric == answer.rubric  # the score stays
    assert all(item.source != "rubric" for item in owned.coaching)
    assert [item.source for item in owned.coaching] == ["length"]  # under the 2:00 band

    momentum = coaching_for_follow_up(
        answer, "forward_momentum", rules, settings.analysis.long_pause_s
    )
    assert momentum.coaching is not None
    assert momentum.coaching[0].finding.startswith("Nothing says what you do differently now")
    assert [item.source for item in momentum.coaching] == ["rubric", "length"]
