"""Which follow-up an interviewer asks after an answer, and what a recovered criterion earns.

Pure judgement, no audio: the engine asks `choose_follow_up` after each report (and after each
follow-up's report, up to `practice.max_follow_ups`), and `score_with_prompt` says what the main
answer scores once a follow-up drew out what it left unsaid.

- "off" (or `max_follow_ups = 0`): never.
- "missing": the first criterion of the kind's list (`practice.follow_up_criteria_*`, most
  important first) that is still unmet, if any.
- "always": that, else the first listed criterion not yet probed; a plain-string follow-up
  (which probes no criterion) only when no listed criterion is left.

A criterion counts as met when the main answer or an earlier follow-up met it, and none is probed
twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.config import FollowUp, PracticeSettings, ProbingQuestion, Question
from mock_interview.core.errors import UserError
from mock_interview.rubric.loading import Rubric


def criteria_met(report: AnswerAnalysis) -> dict[str, bool]:
    """Each rubric criterion of the report, met or not (empty for a report without a rubric)."""
    if report.rubric is None:
        return {}
    return {criterion.id: criterion.met for criterion in report.rubric.criteria}


def choose_follow_up(
    question: Question,
    practice: PracticeSettings,
    met: Mapping[str, bool],
    asked: Sequence[FollowUp] = (),
) -> FollowUp | None:
    """The next follow-up to ask about an answer to `question`, or None.

    `met`: whether each criterion is met so far (the main answer, then each follow-up's answer);
    `asked`: the follow-ups already asked about this answer.
    """
    if practice.follow_ups == "off" or len(asked) >= practice.max_follow_ups:
        return None
    probed = {follow_up.criterion for follow_up in asked}
    listed = [c for c in practice.follow_up_criteria(question.kind) if c not in probed]
    target = next((criterion for criterion in listed if not met.get(criterion, False)), None)
    if target is None and practice.follow_ups == "always":
        if listed:
            target = listed[0]
        else:
            plain = [f for f in question.follow_ups if f.criterion is None and f not in asked]
            return plain[0] if plain else None
    if target is None:
        return None
    for follow_up in question.follow_ups:
        if follow_up.criterion == target:
            return follow_up
    raise UserError(
        f"config error: question '{question.id}' has no follow-up for '{target}' and "
        f"config/questions.toml has no default_follow_ups for {question.kind} questions on it"
    )


def follow_up_candidates(question: Question, practice: PracticeSettings) -> list[FollowUp]:
    """The follow-ups `choose_follow_up` may pick for `question`, the likeliest first (so their
    speech can be rendered ahead)."""
    if practice.follow_ups == "off" or practice.max_follow_ups == 0:
        return []
    listed = practice.follow_up_criteria(question.kind)
    by_criterion = {f.criterion: f for f in reversed(question.follow_ups)}  # the first one wins
    candidates = [by_criterion[criterion] for criterion in listed if criterion in by_criterion]
    if practice.follow_ups == "always":
        candidates += [f for f in question.follow_ups if f.criterion is None]
    return candidates


def follow_up_question(
    question: Question, text: str, criterion: str | None, practice: PracticeSettings
) -> ProbingQuestion:
    """The question as a follow-up asks it: its id and kind (the answer is judged as one to the
    main question, and as the reply to a probe of `criterion`), the follow-up's words and the
    follow-up's own target band."""
    return ProbingQuestion(
        id=question.id,
        kind=question.kind,
        text=text,
        target_min_s=practice.follow_up_target_min_s,
        target_max_s=practice.follow_up_target_max_s,
        follow_ups=question.follow_ups,
        probes=criterion,
    )


def score_with_prompt(
    main_score: int,
    probed: Sequence[tuple[str | None, bool]],
    kind: str,
    rubric: Rubric,
    credit: float,
) -> int:
    """The main answer's score plus, for each criterion a follow-up recovered (`probed`: the
    criterion and whether it was recovered), `credit` times its share of the score, at most 100.
    """
    earned = sum(
        round(credit * rubric.weight_share(kind, criterion) * 100)
        for criterion, recovered in probed
        if recovered and criterion is not None
    )
    return min(100, main_score + earned)


def check_follow_ups(
    practice: PracticeSettings, bank: Mapping[str, Question], rubric: Rubric
) -> None:
    """Every criterion the settings and the question bank name exists in the rubric for the kind
    it is used with, and every listed criterion has a follow-up to ask: one line otherwise."""
    for kind in ("achieved", "missed"):
        known = [criterion.id for criterion in rubric.kind_criteria(kind)]
        for criterion in practice.follow_up_criteria(kind):
            if criterion not in known:
                raise UserError(
                    f"config error: key 'practice.follow_up_criteria_{kind}': '{criterion}' is "
                    f"not a criterion of {kind} answers (known: {', '.join(known)})"
                )
    for question in bank.values():
        known = [criterion.id for criterion in rubric.kind_criteria(question.kind)]
        offered = {follow_up.criterion for follow_up in question.follow_ups}
        for follow_up in question.follow_ups:
            if follow_up.criterion is not None and follow_up.criterion not in known:
                raise UserError(
                    f"config error: question '{question.id}': follow-up criterion "
                    f"'{follow_up.criterion}' is not a criterion of {question.kind} answers "
                    f"(known: {', '.join(known)})"
                )
        missing = [c for c in practice.follow_up_criteria(question.kind) if c not in offered]
        if missing:
            raise UserError(
                f"config error: question '{question.id}' has no follow-up for '{missing[0]}' "
                f"(add one, or a [[default_follow_ups]] for {question.kind} questions)"
            )
