"""Progress across sessions: one row per stored answer and a first-vs-last trend per metric.

Every figure comes from the stored reports' summary columns, never from anything recomputed here,
so history, the HTML trend chart and the TUI agree with the reports a candidate already saw.
The rows are main answers only (follow-ups are not answers to the question asked), so the trend
is too; each row says how many follow-ups its answer needed (`AnswerRow.follow_up_count`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from statistics import fmean, median
from typing import Any, Literal

from mock_interview.core.errors import UserError
from mock_interview.storage.database import AnswerRow
from mock_interview.views.answer import clock

TREND_WINDOW = 5
BASELINE_ANSWERS = 5
"""A figure's personal baseline is its median over this many earlier answers to the question."""

Better = Literal["lower", "higher"] | None


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    better: Better
    formatter: Callable[[float], str]
    short: str  # the column heading where width is scarce (the TUI at 80 columns)
    unit: str = ""  # after the value where no column heading names it ("your usual 2.1/min")


METRICS: tuple[Metric, ...] = (
    Metric("answer_length_s", "Answer length", None, clock, "Length"),
    Metric("response_latency_s", "Latency", "lower", lambda v: f"{v:.1f} s", "Latency"),
    Metric("words_per_minute", "WPM", None, lambda v: f"{v:.0f}", "WPM"),
    Metric(
        "fillers_per_minute", "Fillers/min", "lower", lambda v: f"{v:.1f}", "Fill/min", "/min"
    ),
    Metric(
        "long_pause_count",
        "Long pauses",
        "lower",
        lambda v: f"{v:.1f}".removesuffix(".0"),
        "Long",
        " long",
    ),
    Metric("score", "Score", "higher", lambda v: f"{v:.0f}", "Score"),
)


@dataclass(frozen=True)
class MetricTrend:
    key: str
    label: str
    first: float
    last: float
    change: float
    verdict: Literal["better", "worse", "same", "changed"]


@dataclass(frozen=True)
class Trend:
    """Mean of each metric over the first `window` sessions against the last `window`."""

    session_count: int
    window: int
    metrics: list[MetricTrend]


def session_means(rows: list[AnswerRow]) -> list[tuple[int, datetime, dict[str, float]]]:
    """Per session (oldest first): the mean of each metric over its answers that have it."""
    grouped: dict[int, list[AnswerRow]] = {}
    for row in rows:
        grouped.setdefault(row.session_id, []).append(row)
    result = []
    for session_id, answers in grouped.items():
        means = {}
        for metric in METRICS:
            values = [getattr(a, metric.key) for a in answers if getattr(a, metric.key) is not None]
            if values:
                means[metric.key] = fmean(values)
        result.append((session_id, answers[0].session_started_at, means))
    result.sort(key=lambda item: (item[1], item[0]))
    return result


def compute_trend(rows: list[AnswerRow], window: int = TREND_WINDOW) -> Trend | None:
    """First vs last `window` sessions; with fewer than 2*window, each half of them (no overlap).

    None when there are fewer than two sessions: one point is not a trend.
    """
    sessions = session_means(rows)
    size = min(window, len(sessions) // 2)
    if size == 0:
        return None
    first, last = sessions[:size], sessions[-size:]
    metrics = []
    for metric in METRICS:
        before = [means[metric.key] for _, _, means in first if metric.key in means]
        after = [means[metric.key] for _, _, means in last if metric.key in means]
        if not before or not after:
            continue
        start, end = fmean(before), fmean(after)
        change = end - start
        metrics.append(
            MetricTrend(
                metric.key,
                metric.label,
                round(start, 2),
                round(end, 2),
                round(change, 2),
                _verdict(metric.better, change, start),
            )
        )
    return Trend(session_count=len(sessions), window=size, metrics=metrics)


def _verdict(
    better: Better, change: float, start: float
) -> Literal["better", "worse", "same", "changed"]:
    if abs(change) <= max(abs(start), 1.0) * 0.02:
        return "same"
    if better is None:
        return "changed"
    improved = change < 0 if better == "lower" else change > 0
    return "better" if improved else "worse"


def earlier_attempts(history: list[AnswerRow], answer: AnswerRow) -> list[AnswerRow]:
    """The candidate's answers to the same question before `answer`, oldest first."""
    return sorted(
        (
            row
            for row in history
            if row.question_id == answer.question_id
            and (row.session_started_at, row.id) < (answer.session_started_at, answer.id)
        ),
        key=lambda row: (row.session_started_at, row.id),
    )


def personal_baseline(history: list[AnswerRow], answer: AnswerRow) -> dict[str, float]:
    """Each metric's median over the candidate's last `BASELINE_ANSWERS` answers to the same
    question before `answer`: progress measured against themselves, not against a norm."""
    earlier = earlier_attempts(history, answer)[-BASELINE_ANSWERS:]
    baseline = {}
    for metric in METRICS:
        values = [getattr(row, metric.key) for row in earlier]
        known = [value for value in values if value is not None]
        if known:
            baseline[metric.key] = float(median(known))
    return baseline


def usual_figures(baseline: dict[str, float]) -> dict[str, str]:
    """A baseline formatted as the history shows each metric ("your usual" in the reports)."""
    return {
        metric.key: metric.formatter(baseline[metric.key]) + metric.unit
        for metric in METRICS
        if metric.key in baseline
    }


def parse_since(text: str) -> date | datetime:
    """`--since` takes a date (2024-05-01) or a date and time (2024-05-01T09:30)."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--since: {text!r} is not a date like 2024-05-01") from None


def _cell(metric: Metric, value: float | None) -> str:
    return "-" if value is None else metric.formatter(value)


HISTORY_HEADER = ("Session", "Date", "Question", *(m.label for m in METRICS))
COMPACT_HEADER = ("#", "Date", "Question", *(m.short for m in METRICS))
COMPACT_DATE = "%d %b %H:%M"


def history_table(
    rows: list[AnswerRow], date_format: str = "%Y-%m-%d %H:%M"
) -> list[tuple[str, ...]]:
    """The history as display strings, newest first (also what the TUI's table shows)."""
    return [
        (
            str(row.session_id),
            row.session_started_at.astimezone().strftime(date_format),
            row.question_id,
            *(_cell(metric, getattr(row, metric.key)) for metric in METRICS),
        )
        for row in rows
    ]


def trend_line(trend: Trend | None) -> str:
    if trend is None:
        return "Trend: needs at least two sessions."
    parts = []
    for item in trend.metrics:
        metric = next(m for m in METRICS if m.key == item.key)
        note = "" if item.verdict == "changed" else f" ({item.verdict})"
        parts.append(
            f"{item.label} {metric.formatter(item.first)} → {metric.formatter(item.last)}{note}"
        )
    return (
        f"Trend, first {trend.window} vs last {trend.window} of {trend.session_count} "
        f"sessions: " + "; ".join(parts)
    )


def needed_follow_up(rows: list[AnswerRow]) -> int:
    """How many of the answers needed a follow-up (the interviewer probed what they left out)."""
    return sum(1 for row in rows if row.follow_up_count)


def follow_up_note(rows: list[AnswerRow]) -> str | None:
    """"2 of 9 answers needed a follow-up", or None when none did."""
    needed = needed_follow_up(rows)
    return f"{needed} of {len(rows)} answers needed a follow-up" if needed else None


def render_history_text(rows: list[AnswerRow]) -> str:
    if not rows:
        return "No saved answers yet: run `mock-interview practice` to record one."
    table = [HISTORY_HEADER, *history_table(rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HISTORY_HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    note = follow_up_note(rows)
    if note:
        lines += ["", f"{note}."]
    return "\n".join([*lines, "", trend_line(compute_trend(rows))])


RECORD_FIELDS = (
    "session_id", "position", "started_at", "question_id",
    *(metric.key for metric in METRICS),
    "follow_up_count",
)


def _row_record(row: AnswerRow) -> dict[str, Any]:
    return {
        "session_id": row.session_id,
        "position": row.position,
        "started_at": row.session_started_at.isoformat(),
        "question_id": row.question_id,
        **{metric.key: getattr(row, metric.key) for metric in METRICS},
        "follow_up_count": row.follow_up_count,
    }


def render_history_json(rows: list[AnswerRow]) -> str:
    trend = compute_trend(rows)
    return json.dumps(
        {
            "answers": [_row_record(row) for row in rows],
            "answers_needing_follow_up": needed_follow_up(rows),
            "trend": None if trend is None else asdict(trend),
        },
        indent=2,
    )


def render_history_csv(rows: list[AnswerRow]) -> str:
    """Rows only: a trailing trend line would break spreadsheet imports (use text or json)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RECORD_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_row_record(row) for row in rows)
    return buffer.getvalue()
