"""The session report in Markdown: a summary table, each answer's report, and the trend."""

from __future__ import annotations

from collections.abc import Sequence

from mock_interview.core.config import StructureSettings
from mock_interview.storage.database import StoredAnswer, StoredFollowUp
from mock_interview.views.answer import follow_up_heading, inline_transcript, render_markdown
from mock_interview.views.history import HISTORY_HEADER, METRICS, compute_trend, history_table
from mock_interview.views.session import (
    FOLLOW_UP_UNANALYSED_NOTE,
    SessionReport,
    follow_up_outcome_line,
    session_coaching,
    session_heading,
    unanalysed_note,
    usual_for,
)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def trend_table(report: SessionReport) -> list[str]:
    trend = compute_trend(report.history)
    if trend is None:
        return ["Progress appears after two sessions."]
    formats = {metric.key: metric.formatter for metric in METRICS}
    rows = [
        (item.label, formats[item.key](item.first), formats[item.key](item.last), item.verdict)
        for item in trend.metrics
    ]
    header = ("Metric", f"First {trend.window} sessions", f"Last {trend.window} sessions", "")
    return [
        f"Mean per session, first {trend.window} vs last {trend.window} "
        f"of {trend.session_count} sessions.",
        "",
        *_table(header, rows),
    ]


def _follow_up_lines(follow_up: StoredFollowUp, answer: StoredAnswer) -> list[str]:
    """A follow-up under its main answer: the question, the answer's transcript, whether it
    recovered the criterion and the score with the prompt."""
    link = follow_up.link
    lines = [f"### {follow_up_heading(link.criterion, link.question)}", ""]
    if follow_up.report is None:
        return [*lines, FOLLOW_UP_UNANALYSED_NOTE]
    text = inline_transcript(follow_up.report, lambda f: f"**{f}**", lambda p: f"*[{p}]*")
    return [*lines, text or "*(no words)*", "", follow_up_outcome_line(answer, follow_up)]


def render_session_markdown(
    report: SessionReport, targets: StructureSettings | None = None
) -> str:
    session = report.session
    title, subtitle = session_heading(session)
    analysed = [answer.row for answer in session.answers if answer.report is not None]
    lines = [f"# {title}", "", subtitle, "", "## Summary", ""]
    lines += _table(HISTORY_HEADER, history_table(analysed)) if analysed else ["No answers."]
    focus = session_coaching(session)
    if focus:
        lines += ["", "### Three things to work on", ""]
        lines += [
            f"{number}. {question_id}: {finding}. {advice}"
            for number, (question_id, finding, advice) in enumerate(focus, start=1)
        ]
    for answer in session.answers:
        lines.append("")
        if answer.report is None:
            lines += [f"## Answer {answer.row.position}", "", unanalysed_note(answer)]
        else:
            usual = usual_for(report, answer)
            lines.append(render_markdown(answer.report, 2, usual, targets).rstrip("\n"))
        for follow_up in answer.follow_ups:
            lines += ["", *_follow_up_lines(follow_up, answer)]
    lines += ["", "## Progress across sessions", "", *trend_table(report)]
    return "\n".join(lines) + "\n"
