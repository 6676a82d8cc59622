"""The session report in Markdown: a summary table, each answer's report, and the trend."""

from __future__ import annotations

from collections.abc import Sequence

from mock_interview.core.config import StructureSettings
from mock_interview.views.answer import render_markdown
from mock_interview.views.history import HISTORY_HEADER, METRICS, compute_trend, history_table
from mock_interview.views.session import SessionReport, session_heading, unanalysed_note


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


def render_session_markdown(
    report: SessionReport, targets: StructureSettings | None = None
) -> str:
    session = report.session
    title, subtitle = session_heading(session)
    analysed = [answer.row for answer in session.answers if answer.report is not None]
    lines = [f"# {title}", "", subtitle, "", "## Summary", ""]
    lines += _table(HISTORY_HEADER, history_table(analysed)) if analysed else ["No answers."]
    for answer in session.answers:
        lines.append("")
        if answer.report is None:
            lines += [f"## Answer {answer.row.position}", "", unanalysed_note(answer)]
        else:
            answer_markdown = render_markdown(answer.report, heading_level=2, targets=targets)
            lines.append(answer_markdown.rstrip("\n"))
    lines += ["", "## Progress across sessions", "", *trend_table(report)]
    return "\n".join(lines) + "\n"
