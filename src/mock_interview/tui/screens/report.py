"""Report: each answer's measures, timeline, transcript and rubric, and a session summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static, TabbedContent, TabPane

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.storage.database import StoredAnswer, StoredSession
from mock_interview.tui.messages import CompareRequested, ExportRequested, ReplayRequested
from mock_interview.tui.widgets import (
    MeasuresView,
    PitchStrip,
    RubricView,
    StructureBand,
    Timeline,
    TranscriptView,
)
from mock_interview.views.answer import coaching_lines, delivery_advice, follow_up_heading
from mock_interview.views.history import METRICS
from mock_interview.views.session import (
    FOLLOW_UP_UNANALYSED_NOTE,
    follow_up_outcome_line,
    session_coaching,
    unanalysed_note,
)

SUMMARY_TAB = "summary"


def answer_tab_id(answer: StoredAnswer) -> str:
    return f"answer-{answer.row.id}"


class AnswerReport(VerticalScroll):
    """One answer, top to bottom in the order a candidate reads it."""

    def __init__(
        self,
        answer: StoredAnswer,
        question_text: str,
        long_pause_s: float,
        usual: dict[str, str] | None = None,
    ) -> None:
        """`usual`: the candidate's own baseline beside the figures (`views.session.usual_for`)."""
        super().__init__(classes="answer-report")
        self.answer = answer
        self.question_text = question_text
        self.long_pause_s = long_pause_s
        self.usual = usual

    def compose(self) -> ComposeResult:
        yield Label(self.question_text, classes="question-title")
        analysis = self.answer.report
        if analysis is None:
            yield Static(unanalysed_note(self.answer))
            yield from self.follow_up_parts()
            return
        yield MeasuresView(analysis, self.usual)
        yield Label("Timeline (█ speech, ▁ pause, ▼ filler)", classes="heading")
        yield Timeline(analysis, self.long_pause_s)
        if analysis.structure is not None and analysis.structure.parts:
            yield StructureBand(analysis)
        if analysis.delivery is not None:
            yield Label("Pitch variety (▁ flat → █ lively, ▲ rising end)", classes="heading")
            yield PitchStrip(analysis, analysis.delivery)
            advice = delivery_advice(analysis.delivery)
            if advice:
                lines = "\n".join(f"→ {line}" for line in advice)
                yield Static(lines, classes="delivery-advice", markup=False)
        yield Label("Transcript", classes="heading")
        yield TranscriptView(analysis, self.long_pause_s)
        yield Label("Rubric", classes="heading")
        yield RubricView(analysis.rubric)
        if analysis.coaching:
            yield Label("Three things to work on", classes="heading")
            yield Static(coaching_text(analysis), classes="coaching")
        yield from self.follow_up_parts()

    def follow_up_parts(self) -> ComposeResult:
        """Each follow-up under its main answer: the question asked, its measures and
        transcript, whether it recovered the criterion and the score with the prompt."""
        for follow_up in self.answer.follow_ups:
            link = follow_up.link
            yield Label(
                follow_up_heading(link.criterion, link.question), classes="heading follow-up-title"
            )
            if follow_up.report is None:
                yield Static(FOLLOW_UP_UNANALYSED_NOTE)
                continue
            yield MeasuresView(follow_up.report)
            yield TranscriptView(follow_up.report, self.long_pause_s)
            outcome = follow_up_outcome_line(self.answer, follow_up)
            yield Static(outcome, classes="follow-up-outcome")


def coaching_text(analysis: AnswerAnalysis) -> Text:
    """Each finding with its times, and what to do about it."""
    text = Text()
    for number, (finding, advice) in enumerate(coaching_lines(analysis), start=1):
        text.append(f"{'' if number == 1 else chr(10)}{number}. {finding}", "bold")
        text.append(f"\n   → {advice}")
    return text


def summary_text(session: StoredSession) -> Text:
    """Each measure side by side for every answer of the session."""
    answers = [answer.row for answer in session.answers]
    width = max(len(metric.label) for metric in METRICS)
    text = Text()
    text.append(f"{'':<{width}}  " + "".join(f"{row.question_id:<16}" for row in answers), "bold")
    for metric in METRICS:
        cells = []
        for row in answers:
            value = getattr(row, metric.key)
            cells.append(f"{'-' if value is None else metric.formatter(value):<16}")
        text.append(f"\n{metric.label:<{width}}  ", "bold")
        text.append("".join(cells))
    focus = session_coaching(session)
    if focus:
        text.append("\n\nThree things to work on", "bold")
        for number, (question_id, finding, advice) in enumerate(focus, start=1):
            text.append(f"\n  {number}. {question_id}: {finding}")
            text.append(f"\n     → {advice}")
    return text


class ReportScreen(Screen[None]):
    """One session's report; replay and export go to the app as messages."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "replay", "Replay", id="replay"),
        Binding("n", "next_question", "Next question", id="next_question"),
        Binding("e", "export", "Export", id="export"),
        Binding("c", "compare_previous", "Compare with previous", id="compare_previous"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(
        self,
        session: StoredSession,
        question_text: Callable[[str], str],
        long_pause_s: float,
        started: str,
        answer_id: int | None = None,
        usual: dict[int, dict[str, str]] | None = None,
    ) -> None:
        """`started` is when the session began, as the user reads times; the tab of `answer_id`
        (else the first answer's) is shown first; `usual` holds each answer's baseline by id."""
        super().__init__()
        self.session = session
        self.session_id = session.id
        self.question_text = question_text
        self.long_pause_s = long_pause_s
        self.started = started
        self.first_answer_id = answer_id
        self.usual = usual or {}

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        with TabbedContent(id="answers"):
            for answer in session.answers:
                question = self.question_text(answer.row.question_id)
                title = f"{answer.row.position}. {answer.row.question_id}"
                with TabPane(title, id=answer_tab_id(answer)):
                    usual = self.usual.get(answer.row.id)
                    yield AnswerReport(answer, question, self.long_pause_s, usual)
            if len(session.answers) > 1:
                with TabPane("Session summary", id=SUMMARY_TAB), VerticalScroll():
                    yield Static(summary_text(session), id="summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"Session {self.session_id} · {self.started}"
        if self.first_answer_id is not None:
            answer = next(a for a in self.session.answers if a.row.id == self.first_answer_id)
            self.query_one(TabbedContent).active = answer_tab_id(answer)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Focus the pane's content, so the arrow and page keys scroll it at once."""
        for scroller in event.pane.query(VerticalScroll).results():
            scroller.focus()
            break

    def current_answer(self) -> StoredAnswer | None:
        active = self.query_one(TabbedContent).active
        return next((a for a in self.session.answers if answer_tab_id(a) == active), None)

    def action_replay(self) -> None:
        answer = self.current_answer() or (
            self.session.answers[0] if self.session.answers else None
        )
        if answer is None:
            self.notify("This session has no recording to replay.", severity="warning")
            return
        self.post_message(ReplayRequested(answer.row.id))

    def action_next_question(self) -> None:
        tabs = [answer_tab_id(a) for a in self.session.answers]
        if len(tabs) > 1:
            tabs.append(SUMMARY_TAB)
        if len(tabs) < 2:
            self.notify("This session has one answer.")
            return
        content = self.query_one(TabbedContent)
        content.active = tabs[(tabs.index(content.active) + 1) % len(tabs)]

    def action_compare_previous(self) -> None:
        answer = self.current_answer()
        if answer is None:
            self.notify("Open an answer's tab to compare it with your previous attempt.")
            return
        self.post_message(CompareRequested(answer.row.id))

    def action_export(self) -> None:
        self.post_message(ExportRequested(self.session_id))

    def action_back(self) -> None:
        self.dismiss()
