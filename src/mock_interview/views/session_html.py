"""The session report (and the comparison of two attempts) as one self-contained HTML page: no
scripts, no network, prints cleanly.

The page is the Jinja2 template `templates/session.html.j2` with its style `templates/session.css`
inlined, so its look changes without touching Python. Autoescape is on, so nothing printed into
the page can be left unescaped; a Content-Security-Policy of `default-src 'none'` (inline styles
only) makes the no-network promise hold in the browser too, not just in the markup we write.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.config import StructureSettings
from mock_interview.storage.database import StoredAnswer, StoredFollowUp
from mock_interview.views.answer import (
    PART_COLOURS,
    STRUCTURE_HEADER,
    Piece,
    coaching_lines,
    delivery_advice,
    follow_up_heading,
    measure_lines,
    structure_advice,
    structure_rows,
    transcript_pieces,
)
from mock_interview.views.compare import (
    AnswerComparison,
    attempts_line,
    criteria_lines,
    figure_rows,
)
from mock_interview.views.history import (
    HISTORY_HEADER,
    compute_trend,
    history_table,
    session_means,
    trend_line,
)
from mock_interview.views.rubric import item_title
from mock_interview.views.session import (
    FOLLOW_UP_UNANALYSED_NOTE,
    SessionReport,
    follow_up_outcome_line,
    session_coaching,
    session_heading,
    unanalysed_note,
    usual_for,
)
from mock_interview.views.svg import line_chart_svg, pitch_strip_svg, timeline_svg

# StrictUndefined: a misspelt name in the template fails the render instead of printing nothing.
_TEMPLATES = Environment(
    loader=PackageLoader("mock_interview.views", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_TEMPLATES.filters["item_title"] = item_title


@dataclass(frozen=True)
class _FollowUp:
    """A follow-up under its main answer: the heading names the question asked; `outcome` is
    whether it recovered the criterion and the score with the prompt (None while unanalysed,
    with `note` instead of measures and transcript)."""

    heading: str
    measures: list[tuple[str, str]]
    transcript: list[tuple[Piece, bool]]
    outcome: str | None
    note: str | None


@dataclass(frozen=True)
class _AnalysedAnswer:
    """What the template shows for an analysed answer, worked out from its analysis."""

    position: int
    question: str
    analysis: AnswerAnalysis
    measures: list[tuple[str, str]]
    coaching: list[tuple[str, str]]
    timeline: Markup
    pitch_strip: Markup | None
    """None when the answer was analysed without its voice (saved before the delivery)."""
    delivery_advice: list[str]
    transcript: list[tuple[Piece, bool]]
    """Each piece in time order, and whether it is a long pause."""
    follow_ups: list[_FollowUp]
    structure: list[tuple[str, str, str, str]]
    """The STAR table's rows (empty without a timeline), and its flags' advice."""
    structure_advice: list[tuple[str, str]]


@dataclass(frozen=True)
class _UnanalysedAnswer:
    position: int
    note: str
    follow_ups: list[_FollowUp]


def _transcript(analysis: AnswerAnalysis, long_pause_s: float) -> list[tuple[Piece, bool]]:
    return [
        (piece, piece.kind == "pause" and piece.end_s - piece.start_s >= long_pause_s)
        for piece in transcript_pieces(analysis)
    ]


def _follow_up(answer: StoredAnswer, follow_up: StoredFollowUp, long_pause_s: float) -> _FollowUp:
    heading = follow_up_heading(follow_up.link.criterion, follow_up.link.question)
    analysis = follow_up.report
    if analysis is None:
        return _FollowUp(heading, [], [], None, FOLLOW_UP_UNANALYSED_NOTE)
    return _FollowUp(
        heading,
        measures=measure_lines(analysis),
        transcript=_transcript(analysis, long_pause_s),
        outcome=follow_up_outcome_line(answer, follow_up),
        note=None,
    )


def _answer(
    answer: StoredAnswer,
    long_pause_s: float,
    usual: dict[str, str],
    targets: StructureSettings | None,
) -> _AnalysedAnswer | _UnanalysedAnswer:
    analysis = answer.report
    position = answer.row.position
    follow_ups = [_follow_up(answer, follow_up, long_pause_s) for follow_up in answer.follow_ups]
    if analysis is None:
        return _UnanalysedAnswer(position, unanalysed_note(answer), follow_ups)
    return _AnalysedAnswer(
        position=position,
        question=answer.row.question_id if analysis.question is None else analysis.question.text,
        analysis=analysis,
        measures=measure_lines(analysis, usual),
        coaching=coaching_lines(analysis),
        # Markup only for the SVG: views/svg.py builds it from numbers and escapes its own text.
        timeline=Markup(timeline_svg(analysis, long_pause_s)),
        pitch_strip=None
        if analysis.delivery is None
        else Markup(pitch_strip_svg(analysis, analysis.delivery)),
        delivery_advice=[] if analysis.delivery is None else delivery_advice(analysis.delivery),
        transcript=_transcript(analysis, long_pause_s),
        follow_ups=follow_ups,
        structure=structure_rows(analysis.structure, targets)
        if analysis.structure is not None and analysis.structure.parts
        else [],
        structure_advice=structure_advice(analysis.structure) if analysis.structure else [],
    )


def _trend_charts(report: SessionReport) -> list[Markup]:
    means = session_means(report.history)
    ids = [session_id for session_id, _, _ in means]
    current = ids.index(report.session.id) if report.session.id in ids else None
    return [
        # Markup only for the SVG: views/svg.py builds it from numbers and escapes the title.
        Markup(line_chart_svg(title, [m.get(key) for _, _, m in means], current, y_max))
        for title, key, y_max in (
            ("Rubric score", "score", 100.0),
            ("Fillers per minute", "fillers_per_minute", None),
        )
    ]


def render_session_html(
    report: SessionReport, long_pause_s: float = 3.0, targets: StructureSettings | None = None
) -> str:
    """The page; `targets` fill the STAR table's target column."""
    session = report.session
    title, subtitle = session_heading(session)
    return _TEMPLATES.get_template("session.html.j2").render(
        title=title,
        subtitle=subtitle,
        summary_header=HISTORY_HEADER,
        summary_rows=history_table(
            [answer.row for answer in session.answers if answer.report is not None]
        ),
        focus=session_coaching(session),
        answers=[
            _answer(answer, long_pause_s, usual_for(report, answer), targets)
            for answer in session.answers
        ],
        part_colours=[(part.capitalize(), colour) for part, colour in PART_COLOURS.items()],
        structure_header=STRUCTURE_HEADER,
        trend=trend_line(compute_trend(report.history)),
        charts=_trend_charts(report),
    )


def render_compare_html(comparisons: list[AnswerComparison]) -> str:
    """The comparison as one self-contained page, in the session report's style."""
    return _TEMPLATES.get_template("compare.html.j2").render(
        comparisons=[
            {
                "comparison": comparison,
                "attempts": attempts_line(comparison),
                "rows": figure_rows(comparison),
                "criteria": criteria_lines(comparison),
            }
            for comparison in comparisons
        ]
    )
