"""Two attempts at the same question side by side: every figure with its change, the criteria
gained and lost, and what was said differently, word by word.

`compare_sessions` pairs the answers two saved sessions gave to the same question (the earlier
session first) and `compare_answers` compares one pair; the text, JSON, Markdown and HTML forms
(and the TUI's comparison screen) all render the one `AnswerComparison`, so they state the same
facts. "Better" means what it means for each figure: a lower latency, fewer fillers, a length
closer to the target band, a higher score.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.errors import UserError
from mock_interview.core.values import normalize_token
from mock_interview.storage.database import StoredAnswer, StoredSession
from mock_interview.views.answer import clock
from mock_interview.views.rubric import item_title

Direction = Literal["lower", "higher", "target"] | None
"""What an improvement is: lower, higher, closer to the question's target band, or neither."""
Verdict = Literal["better", "worse", "same", "changed"]

SAME_SHARE = 0.02
"""A change within 2% of the earlier value (or of 1 for values under 1) counts as the same, as
in the history's trend."""


@dataclass(frozen=True)
class Figure:
    """A number every analysed answer has, how to show it, and which way is better."""

    key: str
    label: str
    direction: Direction
    value: Callable[[AnswerAnalysis], float | None]
    shown: Callable[[float], str]


def _criteria_met(analysis: AnswerAnalysis) -> float | None:
    rubric = analysis.rubric
    return None if rubric is None else float(sum(c.met for c in rubric.criteria))


def _score(analysis: AnswerAnalysis) -> float | None:
    return None if analysis.rubric is None else float(analysis.rubric.score)


def _red_flags(analysis: AnswerAnalysis) -> float | None:
    return None if analysis.rubric is None else float(len(analysis.rubric.red_flags))


def _count(value: float) -> str:
    return f"{value:.0f}"


FIGURES: tuple[Figure, ...] = (
    Figure("score", "Rubric score", "higher", _score, _count),
    Figure("criteria_met", "Criteria met", "higher", _criteria_met, _count),
    Figure("red_flags", "Red flags", "lower", _red_flags, _count),
    Figure("answer_length_s", "Answer length", "target", lambda a: a.timing.answer_length_s, clock),
    Figure(
        "response_latency_s",
        "Response latency",
        "lower",
        lambda a: a.timing.response_latency_s,
        lambda v: f"{v:.1f} s",
    ),
    Figure("words_per_minute", "Pace (wpm)", None, lambda a: a.timing.words_per_minute, _count),
    Figure("filler_count", "Fillers", "lower", lambda a: float(a.fillers.count), _count),
    Figure(
        "fillers_per_minute",
        "Fillers per minute",
        "lower",
        lambda a: a.fillers.per_minute,
        lambda v: f"{v:.1f}",
    ),
    Figure("pause_count", "Pauses", None, lambda a: float(len(a.timing.pauses)), _count),
    Figure(
        "long_pause_count",
        "Long pauses",
        "lower",
        lambda a: float(a.timing.long_pause_count),
        _count,
    ),
)


@dataclass(frozen=True)
class FigureChange:
    key: str
    label: str
    before: float | None
    after: float | None
    before_shown: str
    after_shown: str
    change: float | None
    verdict: Verdict | None  # None when either answer lacks the figure


@dataclass(frozen=True)
class DiffPiece:
    """A run of words both answers share ("same"), or that only one of them has."""

    op: Literal["same", "removed", "added"]
    text: str


@dataclass(frozen=True)
class AttemptInfo:
    session_id: int
    answer_id: int
    started_at: str


@dataclass(frozen=True)
class AnswerComparison:
    question_id: str
    question: str
    before: AttemptInfo
    after: AttemptInfo
    figures: tuple[FigureChange, ...]
    criteria_gained: tuple[str, ...]
    criteria_lost: tuple[str, ...]
    criteria_still_missing: tuple[str, ...]
    red_flags_gained: tuple[str, ...]
    red_flags_dropped: tuple[str, ...]
    transcript_diff: tuple[DiffPiece, ...]


def _verdict(
    direction: Direction, before: float, after: float, band: tuple[float, float]
) -> Verdict:
    if direction == "target":
        before, after = _distance(before, band), _distance(after, band)
        direction = "lower"
    change = after - before
    if abs(change) <= max(abs(before), 1.0) * SAME_SHARE:
        return "same"
    if direction is None:
        return "changed"
    return "better" if (change < 0) == (direction == "lower") else "worse"


def _distance(value: float, band: tuple[float, float]) -> float:
    """How far a length lies outside the target band (0 inside it)."""
    return max(band[0] - value, value - band[1], 0.0)


def _figure_change(figure: Figure, before: AnswerAnalysis, after: AnswerAnalysis) -> FigureChange:
    old, new = figure.value(before), figure.value(after)
    change: float | None = None
    verdict: Verdict | None = None
    if old is not None and new is not None:
        band = (after.timing.target_min_s, after.timing.target_max_s)
        change, verdict = round(new - old, 3), _verdict(figure.direction, old, new, band)
    return FigureChange(
        key=figure.key,
        label=figure.label,
        before=old,
        after=new,
        before_shown="-" if old is None else figure.shown(old),
        after_shown="-" if new is None else figure.shown(new),
        change=change,
        verdict=verdict,
    )


def transcript_diff(before: AnswerAnalysis, after: AnswerAnalysis) -> tuple[DiffPiece, ...]:
    """Word-level differences (case and punctuation ignored; fillers count as words)."""
    old = [word.text for word in before.transcript.words]
    new = [word.text for word in after.transcript.words]
    matcher = difflib.SequenceMatcher(
        a=[normalize_token(w) for w in old], b=[normalize_token(w) for w in new], autojunk=False
    )
    pieces: list[DiffPiece] = []
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", " ".join(new[b_start:b_end])))
            continue
        if a_end > a_start:
            pieces.append(DiffPiece("removed", " ".join(old[a_start:a_end])))
        if b_end > b_start:
            pieces.append(DiffPiece("added", " ".join(new[b_start:b_end])))
    return tuple(pieces)


def compare_answers(first: StoredAnswer, second: StoredAnswer) -> AnswerComparison:
    """Two attempts at one question, the earlier one first whichever order they come in; both
    must have been analysed."""
    before, after = sorted((first, second), key=lambda a: (a.row.session_started_at, a.row.id))
    if before.row.question_id != after.row.question_id:
        raise UserError("compare: the two answers are to different questions")
    old, new = before.report, after.report
    if old is None or new is None:
        raise UserError("compare: an answer has not been analysed yet; start the app to analyse it")
    old_met = _met(old)
    new_met = _met(new)
    criteria = [c.id for c in new.rubric.criteria] if new.rubric else []
    old_flags = {flag.id for flag in old.rubric.red_flags} if old.rubric else set()
    new_flags = {flag.id for flag in new.rubric.red_flags} if new.rubric else set()
    question = new.question.text if new.question else after.row.question_id
    return AnswerComparison(
        question_id=after.row.question_id,
        question=question,
        before=_attempt(before),
        after=_attempt(after),
        figures=tuple(_figure_change(figure, old, new) for figure in FIGURES),
        criteria_gained=tuple(c for c in criteria if c in new_met and c not in old_met),
        criteria_lost=tuple(c for c in criteria if c in old_met and c not in new_met),
        criteria_still_missing=tuple(c for c in criteria if c not in new_met and c not in old_met),
        red_flags_gained=tuple(sorted(new_flags - old_flags)),
        red_flags_dropped=tuple(sorted(old_flags - new_flags)),
        transcript_diff=transcript_diff(old, new),
    )


def _attempt(answer: StoredAnswer) -> AttemptInfo:
    row = answer.row
    return AttemptInfo(row.session_id, row.id, row.session_started_at.isoformat())


def _met(analysis: AnswerAnalysis) -> set[str]:
    return {c.id for c in analysis.rubric.criteria if c.met} if analysis.rubric else set()


def compare_sessions(
    first: StoredSession, second: StoredSession, question_id: str | None = None
) -> list[AnswerComparison]:
    """Each question both sessions answered (or only `question_id`), the earlier session first.
    A question answered twice in one session is compared by its last answer."""
    if first.started_at > second.started_at:
        first, second = second, first
    earlier, later = _by_question(first), _by_question(second)
    shared = [qid for qid in later if qid in earlier and question_id in (None, qid)]
    if not shared:
        what = f"question {question_id!r}" if question_id else "any question"
        raise UserError(f"compare: sessions {first.id} and {second.id} did not both answer {what}")
    return [compare_answers(earlier[qid], later[qid]) for qid in shared]


def _by_question(session: StoredSession) -> dict[str, StoredAnswer]:
    return {answer.row.question_id: answer for answer in session.answers}


_ARROWS = {"better": "▲ better", "worse": "▼ worse", "same": "= same", "changed": "changed"}


def figure_rows(comparison: AnswerComparison) -> list[tuple[str, str, str, str]]:
    """(figure, earlier, later, verdict) as every table form shows them."""
    return [
        (
            change.label,
            change.before_shown,
            change.after_shown,
            "" if change.verdict is None else _ARROWS[change.verdict],
        )
        for change in comparison.figures
    ]


def criteria_lines(comparison: AnswerComparison) -> list[str]:
    """What changed in the rubric, one line per kind of change that happened."""
    lines = []
    for label, ids in (
        ("Criteria gained", comparison.criteria_gained),
        ("Criteria lost", comparison.criteria_lost),
        ("Still missing", comparison.criteria_still_missing),
        ("New red flags", comparison.red_flags_gained),
        ("Red flags gone", comparison.red_flags_dropped),
    ):
        if ids:
            lines.append(f"{label}: " + ", ".join(item_title(i) for i in ids))
    return lines or ["The same criteria were met both times."]


def attempts_line(comparison: AnswerComparison) -> str:
    before, after = comparison.before, comparison.after
    return (
        f"Session {before.session_id} ({before.started_at[:16].replace('T', ' ')}) → "
        f"session {after.session_id} ({after.started_at[:16].replace('T', ' ')})"
    )


def diff_text(
    comparison: AnswerComparison,
    removed: Callable[[str], str],
    added: Callable[[str], str],
) -> str:
    """The word diff as one line, each form marking what only one attempt said its own way."""
    marks = {"same": lambda text: text, "removed": removed, "added": added}
    return " ".join(marks[piece.op](piece.text) for piece in comparison.transcript_diff)


def render_compare_text(comparisons: list[AnswerComparison]) -> str:
    blocks = []
    for comparison in comparisons:
        rows = [("Figure", "Earlier", "Later", ""), *figure_rows(comparison)]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        table = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        ]
        diff = diff_text(comparison, lambda text: f"[-{text}-]", lambda text: f"{{+{text}+}}")
        blocks.append(
            "\n".join(
                [
                    f"Question: {comparison.question}",
                    attempts_line(comparison),
                    "",
                    *table,
                    "",
                    *criteria_lines(comparison),
                    "",
                    "What you said differently ([-earlier only-] {+later only+}):",
                    diff or "(no words either time)",
                ]
            )
        )
    return "\n\n".join(blocks) + "\n"


def render_compare_markdown(comparisons: list[AnswerComparison]) -> str:
    lines = ["# Comparing two attempts"]
    for comparison in comparisons:
        lines += ["", f"## {comparison.question}", "", attempts_line(comparison), ""]
        lines += ["| Figure | Earlier | Later | |", "| --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(row)} |" for row in figure_rows(comparison)]
        lines += ["", *(f"- {line}" for line in criteria_lines(comparison)), ""]
        lines.append("### What you said differently")
        lines.append("")
        diff = diff_text(comparison, lambda text: f"~~{text}~~", lambda text: f"**{text}**")
        lines.append(diff or "(no words either time)")
    return "\n".join(lines) + "\n"


def compare_json(comparisons: list[AnswerComparison]) -> dict[str, Any]:
    return {"comparisons": [asdict(comparison) for comparison in comparisons]}


def render_compare_json(comparisons: list[AnswerComparison]) -> str:
    return json.dumps(compare_json(comparisons), indent=2) + "\n"
