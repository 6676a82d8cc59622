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
from mock_interview.tui.messages import ExportRequested, ReplayRequested
from mock_interview.tui.widgets import (
    MeasuresView,
    RubricView,
    StructureBand,
    Timeline,
    TranscriptView,
)
from mock_interview.views.history import METRICS
from mock_interview.views.session import unanalysed_note

SUMMARY_TAB = "summary"


def answer_tab_id(answer: StoredAnswer) -> str:
    return f"answer-{answer.row.id}"


class AnswerReport(VerticalScroll):
    """One answer, top to bottom in the order a candidate reads it."""

    def __init__(self, answer: StoredAnswer, question_text: str, long_pause_s: float) -> None:
        super().__init__(classes="answer-report")
        self.answer = answer
        self.question_text = question_text
        self.long_pause_s = long_pause_s

    def compose(self) -> ComposeResult:
        yield Label(self.question_text, classes="question-title")
        analysis = self.answer.report
        if analysis is None:
            yield Static(unanalysed_note(self.answer))
            return
        yield MeasuresView(analysis)
        yield Label("Timeline (█ speech, ▁ pause, ▼ filler)", classes="heading")
        yield Timeline(analysis, self.long_pause_s)
        if analysis.structure is not None and analysis.structure.parts:
            yield StructureBand(analysis)
        yield Label("Transcript", classes="heading")
        yield TranscriptView(analysis, self.long_pause_s)
        yield Label("Rubric", classes="heading")
        yield RubricView(analysis.rubric)


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
    advice = [
        f"{answer.row.question_id}: {advice}"
        for answer in session.answers
        for advice in _advice(answer.report)
    ]
    if advice:
        text.append("\n\nTo work on next", "bold")
        for line in advice:
            text.append(f"\n  → {line}")
    return text


def _advice(analysis: AnswerAnalysis | None) -> list[str]:
    """The advice of the rubric's unmet criteria and of its flags, in the rubric's order."""
    rubric = analysis.rubric if analysis else None
    if rubric is None:
        return []
    advice = [c.advice for c in rubric.criteria if not c.met]
    advice += [flag.advice for flag in rubric.red_flags]
    advice += [flag.advice for flag in rubric.delivery_flags if flag.advice is not None]
    return [text for text in advice if text]


class ReportScreen(Screen[None]):
    """One session's report; replay and export go to the app as messages."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "replay", "Replay", id="replay"),
        Binding("n", "next_question", "Next question", id="next_question"),
        Binding("e", "export", "Export", id="export"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(
        self,
        session: StoredSession,
        question_text: Callable[[str], str],
        long_pause_s: float,
        started: str,
        answer_id: int | None = None,
    ) -> None:
        """`started` is when the session began, as the user reads times; the tab of `answer_id`
        (else the first answer's) is shown first."""
        super().__init__()
        self.session = session
        self.session_id = session.id
        self.question_text = question_text
        self.long_pause_s = long_pause_s
        self.started = started
        self.first_answer_id = answer_id

    def compose(self) -> ComposeResult:
        session = self.session
        yield Header()
        with TabbedContent(id="answers"):
            for answer in session.answers:
                question = self.question_text(answer.row.question_id)
                title = f"{answer.row.position}. {answer.row.question_id}"
                with TabPane(title, id=answer_tab_id(answer)):
                    yield AnswerReport(answer, question, self.long_pause_s)
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

    def action_export(self) -> None:
        self.post_message(ExportRequested(self.session_id))

    def action_back(self) -> None:
        self.dismiss()
