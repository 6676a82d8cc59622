"""A saved session's full report, shareable as Markdown, a self-contained HTML page, or JSON.

`SessionReport` gathers what every format shows (the session, each answer's stored report and
the candidate's history for the trend), so the three formats present the same facts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mock_interview.analysis.answer import COACHING_SOURCES, MAX_COACHING
from mock_interview.storage.database import (
    AnswerRow,
    Store,
    StoredAnswer,
    StoredFollowUp,
    StoredSession,
)
from mock_interview.views.answer import coaching_lines, follow_up_outcome
from mock_interview.views.history import compute_trend, personal_baseline, usual_figures
from mock_interview.views.stories import answer_story_checks


@dataclass(frozen=True)
class SessionReport:
    session: StoredSession
    history: list[AnswerRow]
    """Every stored answer (newest first), for the trend across sessions."""
    story_checks: dict[int, dict[str, Any]] = field(default_factory=dict)
    """answer id -> the story check of an answer practised from a story."""


def load_session_report(store: Store, session_id: int) -> SessionReport:
    session = store.session(session_id)
    answers = [(answer.row.id, answer.report) for answer in session.answers]
    return SessionReport(session, store.answers(), answer_story_checks(store, answers))


def session_json(report: SessionReport) -> dict[str, Any]:
    """The session with each answer's analysis report (as `analyze` prints it) and the trend.

    Each answer has `follow_up` (its first follow-up, or None) and `later_follow_ups` (the others,
    when practice.max_follow_ups allows more than one)."""
    session = report.session
    trend = compute_trend(report.history)
    return {
        "session": {
            "id": session.id,
            "uid": session.uid,
            "started_at": session.started_at.isoformat(),
            "question_ids": session.question_ids,
        },
        "answers": [
            {
                **({} if answer.report is None else answer.report.to_json()),
                "session_id": session.id,
                "answer_id": answer.row.id,
                "position": answer.row.position,
                "question_id": answer.row.question_id,
                "status": answer.row.status,
                "recording_path": _path_text(answer.row),
                "follow_up": None if answer.follow_up is None else follow_up_json(answer.follow_up),
                "later_follow_ups": [follow_up_json(f) for f in answer.follow_ups[1:]],
                **(
                    {"story": report.story_checks[answer.row.id]}
                    if answer.row.id in report.story_checks
                    else {}
                ),
            }
            for answer in session.answers
        ],
        "trend": None if trend is None else asdict(trend),
    }


def usual_for(report: SessionReport, answer: StoredAnswer) -> dict[str, str]:
    """The candidate's own baseline beside this answer's figures (empty for a first attempt)."""
    return usual_figures(personal_baseline(report.history, answer.row))


def session_coaching(session: StoredSession) -> list[tuple[str, str, str]]:
    """The session's three things to work on, ranked across its answers the way each answer's
    own are (by source, then each answer's order): (question id, finding with times, advice)."""
    ranked = []
    for position, answer in enumerate(session.answers):
        analysis = answer.report
        if analysis is None or not analysis.coaching:
            continue
        for index, (item, (finding, advice)) in enumerate(
            zip(analysis.coaching, coaching_lines(analysis), strict=True)
        ):
            rank = (COACHING_SOURCES.index(item.source), index, position)
            ranked.append((rank, (answer.row.question_id, finding, advice)))
    ranked.sort(key=lambda entry: entry[0])
    return [line for _, line in ranked[:MAX_COACHING]]


def follow_up_json(follow_up: StoredFollowUp) -> dict[str, Any]:
    """A follow-up under its main answer: what was asked, the answer's report (as `analyze`
    prints it; None while unanalysed), whether it recovered the criterion it probed, and the main
    answer's score with the credit the prompt earned."""
    return {
        "criterion": follow_up.link.criterion,
        "question": follow_up.link.question,
        "answer_id": follow_up.row.id,
        "status": follow_up.row.status,
        "recording_path": _path_text(follow_up.row),
        "report": None if follow_up.report is None else follow_up.report.to_json(),
        "recovered": follow_up.recovered,
        "score_with_prompt": follow_up.row.score_with_prompt,
    }


FOLLOW_UP_UNANALYSED_NOTE = (
    "Recorded but not analysed yet; it is offered for analysis on the next start."
)


def follow_up_outcome_line(answer: StoredAnswer, follow_up: StoredFollowUp) -> str:
    """Whether `follow_up` recovered what it probed, and the score with the prompt beside the
    main answer's own score, as every view of the session says it."""
    main = answer.report
    main_score = None if main is None or main.rubric is None else main.rubric.score
    return follow_up_outcome(
        follow_up.link.criterion, follow_up.recovered, main_score, follow_up.row.score_with_prompt
    )


def _path_text(row: AnswerRow) -> str | None:
    return None if row.recording_path is None else str(row.recording_path)


def session_heading(session: StoredSession) -> tuple[str, str]:
    """(title, subtitle) shared by the Markdown and HTML reports."""
    when = session.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"Mock interview: session {session.id}",
        f"Recorded {when} · questions: {', '.join(session.question_ids)}",
    )


def unanalysed_note(answer: StoredAnswer) -> str:
    return (
        f"Answer {answer.row.position} ({answer.row.question_id}) was recorded but not analysed "
        "yet; it is offered for analysis the next time the app starts."
    )
