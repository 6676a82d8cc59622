"""A reply to a follow-up is judged as the answer to the one thing it was asked
(config/rubric.toml [probes]), and the blind follow-up corpus (tests/rubric_blind/follow_ups)
holds the agreement the closing note reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_interview.core.paths import shipped_config_dir
from mock_interview.rubric import load_rubric, score_answer
from mock_interview.rubric.evaluation import (
    FOLLOW_UP_SPLITS,
    FollowUpExchange,
    load_follow_ups,
)
from mock_interview.rubric.judging import judge_answer
from mock_interview.rubric.loading import Rubric

FOLDER = Path(__file__).resolve().parent / "rubric_blind" / "follow_ups"
PROBED_KINDS = {
    "ownership": {"missed"},
    "forward_momentum": {"missed"},
    "reflection": {"achieved", "missed"},
    "measurable_result": {"achieved", "missed"},
}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


def met(text: str, kind: str, criterion: str, rubric: Rubric, probed: str | None) -> bool:
    return judge_answer(text, kind, rubric, probed=probed).criterion_met(criterion)


# Replies that supply what was asked only because of the question they answer: read as a whole
# answer, nothing in them names a lesson, a part of one's own or a change kept.
ANSWERS_TO_THE_PROBE = [
    (
        "ownership",
        "missed",
        "Most of it, if I'm honest. The sponsor list was mine and I sat on it for a month while "
        "the other volunteers waited for names.",
    ),
    (
        "reflection",
        "missed",
        "I'd book the venue before printing a single flyer, and get the price in writing.",
    ),
    (
        "reflection",
        "achieved",
        "That I was trying to fix a rota problem with more overtime, when the rota itself was "
        "the thing to change.",
    ),
    (
        "forward_momentum",
        "missed",
        "What we changed was the handover: a checklist sits on the ward door and every nurse "
        "signs it.",
    ),
]


@pytest.mark.parametrize(("criterion", "kind", "reply"), ANSWERS_TO_THE_PROBE)
def test_a_reply_meets_what_it_was_asked(
    criterion: str, kind: str, reply: str, rubric: Rubric
) -> None:
    assert not met(reply, kind, criterion, rubric, probed=None)  # as a whole answer: not met
    assert met(reply, kind, criterion, rubric, probed=criterion)
    # Only the probed criterion is read as the reply.
    other = "reflection" if criterion != "reflection" else "ownership"
    if other in {c.id for c in rubric.kind_criteria(kind)}:
        assert met(reply, kind, other, rubric, None) == met(reply, kind, other, rubric, criterion)


# Replies that end turned away from the question, though a phrase in them meets the criterion in
# an answer.
REFUSALS = [
    (
        "ownership",
        "I think we did everything we could. We should have picked another month, people said "
        "afterwards, but nobody can control the weather in April.",
    ),
    (
        "forward_momentum",
        "I haven't had the chance to use it yet; nothing that size has come up since. Next time "
        "I will cost the packaging before I say yes.",
    ),
    # An answer taken back: what the reply ends on decides.
    (  # as whisper wrote a real run's reply: a pause splits the concession from its "but"
        "ownership",
        "maybe I could have chased the local businesses sooner. Fine, but the council held the "
        "grant back twice, and the school would not move the fair.",
    ),
    (
        "ownership",
        "Maybe I should have chased the printers sooner, fine, but I was covering two jobs and "
        "nobody else would pick up the phone.",
    ),
    (
        "reflection",
        "I would book the hall earlier, I suppose. But honestly I'm not sure there is a lesson in "
        "it; the council changed the rules on us.",
    ),
    (  # the choice made everyone's, then effort offered as the part that was mine
        "ownership",
        "I said yes to the March date, but anyone would have agreed to it; the client was paying "
        "double. And I did not slack for a single day after that.",
    ),
]


@pytest.mark.parametrize(("criterion", "reply"), REFUSALS)
def test_a_reply_that_ends_turned_away_does_not_recover(
    criterion: str, reply: str, rubric: Rubric
) -> None:
    judgement = judge_answer(reply, "missed", rubric, probed=criterion)
    assert not judgement.criterion_met(criterion) and judgement.refused == criterion


# The probe said back, then an excuse or an answer: the question itself answers nothing.
QUESTION_SAID_BACK = [
    (
        "ownership",
        "What part was mine? Honestly, the council pulled the funding in May and there was "
        "nothing anyone could do after that.",
        "",
    ),
    (
        "ownership",
        "Which part was mine? I should have chased the suppliers in March instead of waiting.",
        "I should have chased the suppliers in March instead of waiting.",
    ),
    (
        "reflection",
        "What did I take from it? Well, the timing was bad, the market turned that spring.",
        "",
    ),
]


@pytest.mark.parametrize(("criterion", "reply", "evidence"), QUESTION_SAID_BACK)
def test_the_question_said_back_answers_nothing(
    criterion: str, reply: str, evidence: str, rubric: Rubric
) -> None:
    judgement = judge_answer(reply, "missed", rubric, probed=criterion)
    [finding] = [finding for finding in judgement.criteria if finding.id == criterion]
    assert finding.evidence == ([evidence] if evidence else [])


# Replies that push the probe away and engage with it: what the reply ends on decides.
ANSWERED_AFTER_A_REFUSAL = [
    (
        "ownership",
        "It was out of my hands, mostly: the supplier folded in March. But the bit that was mine "
        "was the backup plan. I never made one.",
    ),
    (
        "forward_momentum",
        "I haven't had the chance to run another appeal that size. But since then I have put a "
        "weekly check on every smaller one I run, and it goes out every Friday now.",
    ),
    (  # "okay" and "sure" open answers too: only a hedge ("maybe", "fine") takes one back
        "ownership",
        "Okay, so I should have asked for help in March, but I also never told anyone we were "
        "behind.",
    ),
    ("ownership", "Sure, but the part that was mine was the budget: I never checked it after May."),
]


@pytest.mark.parametrize(("criterion", "reply"), ANSWERED_AFTER_A_REFUSAL)
def test_a_reply_that_answers_after_turning_away_recovers(
    criterion: str, reply: str, rubric: Rubric
) -> None:
    judgement = judge_answer(reply, "missed", rubric, probed=criterion)
    assert judgement.criterion_met(criterion) and judgement.refused is None


def test_a_rubric_without_probes_judges_a_reply_as_a_whole_answer(
    rubric: Rubric, tmp_path: Path
) -> None:
    shipped = (shipped_config_dir() / "rubric.toml").read_text(encoding="utf-8")
    start = shipped.index("[probes.ownership]")
    end = shipped.index("[red_flags.blame_external]")
    own = tmp_path / "rubric.toml"
    own.write_text(shipped[:start] + shipped[end:], encoding="utf-8")
    without = load_rubric(own)
    assert without.probes == {} and rubric.probes
    reply = "The bit that was mine was the paperwork: I got slack with the fridge logs."
    assert met(reply, "missed", "ownership", rubric, probed="ownership")
    assert not met(reply, "missed", "ownership", without, probed="ownership")


def test_a_refusal_is_told_it_turned_the_question_away(rubric: Rubric) -> None:
    """The coaching line a refused probe shows is the probe's own, not the criterion's."""
    refused = score_answer(REFUSALS[0][1], "missed", rubric=rubric, probed="ownership")
    unanswered = score_answer(
        "The grant came late and the fair was moved.", "missed", rubric=rubric, probed="ownership"
    )
    [from_refusal] = [c["advice"] for c in refused["criteria"] if c["id"] == "ownership"]
    [from_silence] = [c["advice"] for c in unanswered["criteria"] if c["id"] == "ownership"]
    assert from_refusal == rubric.probes["ownership"].refused_advice
    assert from_silence == rubric.criteria["ownership"].advice != from_refusal


def test_blame_that_comes_with_an_owned_part_is_not_flagged(rubric: Rubric) -> None:
    reply = (
        "The council delayed the grant twice, but the bit that was mine was the follow-up: "
        "I left the business letters until June."
    )
    judgement = judge_answer(reply, "missed", rubric, probed="ownership")
    assert {found.id for found in judgement.criteria if found.met} >= {"ownership"}
    assert "blame_external" not in {flag.id for flag in judgement.red_flags}


# -- the blind corpus -------------------------------------------------------------------------


def all_exchanges() -> list[FollowUpExchange]:
    return [exchange for split in FOLLOW_UP_SPLITS for exchange in load_follow_ups(FOLDER, split)]


def test_every_exchange_is_well_formed_and_read_twice() -> None:
    exchanges = all_exchanges()
    assert len({exchange.id for exchange in exchanges}) == len(exchanges) == 380
    for exchange in exchanges:
        assert exchange.kind in PROBED_KINDS[exchange.criterion], exchange.id
        assert exchange.register in {"typed", "spoken"}, exchange.id
    second = {}
    for path in sorted(FOLDER.glob("second_reading_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            second[row["id"]] = row["recovered"]
    assert second.keys() == {exchange.id for exchange in exchanges}
    disputed = [e.id for e in exchanges if second[e.id] != e.recovered]
    assert not disputed, f"the second reading disagrees with the writer on {disputed}"


@pytest.mark.parametrize(
    ("split", "floor"),
    [("development", 0.95), ("test", 0.85), ("mixed-development", 0.9), ("mixed-test", 0.8)],
)
def test_agreement_on_the_follow_up_corpus_holds_its_floor(
    split: str, floor: float, rubric: Rubric
) -> None:
    exchanges = load_follow_ups(FOLDER, split)
    agreed = sum(
        met(e.answer, e.kind, e.criterion, rubric, probed=e.criterion) == e.recovered
        for e in exchanges
    )
    assert agreed / len(exchanges) >= floor
