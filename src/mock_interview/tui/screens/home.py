"""Home: pick a session, see the last sessions and the score trend, and what the machine offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from mock_interview.core.config import Question
from mock_interview.storage.database import Store
from mock_interview.tui.messages import HistoryRequested, SessionRequested, StoriesRequested
from mock_interview.tui.widgets import fill_table
from mock_interview.views.answer import clock
from mock_interview.views.history import session_means

DEFAULT_SESSION = "default"
RECENT_SESSIONS = 5


@dataclass
class Status:
    """One line each for the model, the microphone and the spoken questions, as Home shows them;
    the app updates it as its probes report and asks Home to show it again."""

    model_line: str = "Speech model: loading in the background…"
    microphone_line: str = "Microphone: looking for one…"
    speech_line: str = "Speech: checking…"
    microphone: str | None = None


class HomeScreen(Screen[None]):
    """The first screen, never closed: its choices go to the app as messages."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start_session", "Start", id="start_session", priority=True),
        Binding("d", "demo", "Demo", id="demo"),
        Binding("h", "history", "History", id="history"),
        Binding("s", "stories", "Stories", id="stories"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        questions: dict[str, Question],
        default_question_ids: list[str],
        store: Store,
        status: Status,
    ) -> None:
        super().__init__()
        self.questions = questions
        self.default_question_ids = default_question_ids
        self.store = store
        self.status = status

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-body"):
            with Vertical(id="questions-panel"):
                yield OptionList(*self._question_options(), id="questions")
            with Vertical(id="recent-panel"):
                yield DataTable(id="recent", cursor_type="none", zebra_stripes=True)
                yield Label("Score over time", id="trend-label")
                yield Sparkline([], id="score-trend")
        with Vertical(id="status"):
            yield Static(id="model-status")
            yield Static(id="mic-status")
            yield Static(id="speech-status")
        yield Footer(compact=True)

    def _question_options(self) -> list[Option | None]:
        bank = self.questions
        defaults = self.default_question_ids
        first = " → ".join(bank[qid].text for qid in defaults if qid in bank)
        options: list[Option | None] = [Option(f"Interview: {first}", id=DEFAULT_SESSION), None]
        for question in bank.values():
            if question.id in defaults:
                continue
            target = f"{clock(question.target_min_s)}–{clock(question.target_max_s)}"
            options.append(Option(f"{question.text} ({target})", id=question.id))
        return options

    def on_mount(self) -> None:
        self.query_one("#questions-panel").border_title = "Practise"
        self.query_one("#recent-panel").border_title = "Last sessions"
        self.query_one("#status").border_title = "Ready?"
        self.query_one(OptionList).highlighted = 0
        self.refresh_status()

    def on_screen_resume(self) -> None:
        self.refresh_recent()

    def refresh_recent(self) -> None:
        """The last sessions (newest first) and the score sparkline (oldest to newest)."""
        means = session_means(self.store.answers())
        recent = list(reversed(means[-RECENT_SESSIONS:]))
        rows = [
            (
                started.astimezone().strftime("%b %d %H:%M"),
                "-" if "score" not in values else f"{values['score']:.0f}",
                "-"
                if "fillers_per_minute" not in values
                else f"{values['fillers_per_minute']:.1f}",
            )
            for _, started, values in recent
        ]
        fill_table(
            self.query_one("#recent", DataTable),
            ["When", "Score", "Fillers/min"],
            rows,
            [str(session_id) for session_id, _, _ in recent],
        )
        scores = [values["score"] for _, _, values in means if "score" in values]
        sparkline = self.query_one("#score-trend", Sparkline)
        sparkline.data = scores
        sparkline.display = len(scores) >= 2
        label = self.query_one("#trend-label", Label)
        if not means:
            label.update("No sessions yet: press enter to start your first one.")
        elif len(scores) < 2:
            label.update("Score over time: appears after two scored sessions.")
        else:
            label.update(f"Score over time ({scores[0]:.0f} → {scores[-1]:.0f})")

    def refresh_status(self) -> None:
        status = self.status
        self.query_one("#model-status", Static).update(status.model_line)
        self.query_one("#mic-status", Static).update(status.microphone_line)
        self.query_one("#speech-status", Static).update(status.speech_line)

    def selected_questions(self) -> list[str]:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id == DEFAULT_SESSION:
            return list(self.default_question_ids)
        return [str(option.id)]

    def action_start_session(self) -> None:
        self.post_message(SessionRequested(self.selected_questions(), demo=False))

    def action_demo(self) -> None:
        self.post_message(SessionRequested(self.selected_questions(), demo=True))

    def action_history(self) -> None:
        self.post_message(HistoryRequested())

    def action_stories(self) -> None:
        self.post_message(StoriesRequested())
