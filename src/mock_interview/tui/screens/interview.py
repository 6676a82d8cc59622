"""Interview: the question in large type while it is spoken, then the answer recorded with a big
timer, the target band, a level meter, the live transcript and the filler count; the next question
follows by itself, and the report opens when the session ends.

A follow-up the interviewer asks about an answer is shown the same way, marked "Follow-up" with
the criterion it probes, its timer on the follow-up's own target band; it keeps the main
question's number in "Question n of m".
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Digits, Footer, Header, Static

from mock_interview.core.config import Question
from mock_interview.core.errors import UserError
from mock_interview.core.values import Filler, Word
from mock_interview.session import engine as live
from mock_interview.session.recovery import RecorderLock
from mock_interview.storage.database import FollowUpLink
from mock_interview.tui.backend import Engine
from mock_interview.tui.messages import ConfirmRequested, EngineReported
from mock_interview.tui.widgets import LevelMeter, TimerBar, TranscriptView
from mock_interview.views.answer import clock, pieces_from_words

ASKING, CUE, RECORDING, FINISHING, DONE = "asking", "cue", "recording", "finishing", "done"
# The longest the screen waits, as it goes, for the engine to save the answer being recorded
# (its last chunk's decode and the analysis) or for the model it is waiting on.
ENGINE_CLOSE_S = 60.0


class InterviewScreen(Screen[int | None]):
    """One session, start to end; it closes with the session's id when an answer was saved (the
    app then opens its report), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "stop_answer", "Stop answer", id="stop_answer", priority=True),
        Binding("r", "repeat_question", "Repeat question", id="repeat_question"),
        Binding("escape", "abandon", "Abandon", id="abandon"),
    ]

    def __init__(
        self,
        questions: list[Question],
        demo: bool,
        lock: RecorderLock,
        new_engine: Callable[[live.EventSink], Engine],
        auto_start: bool,
        long_pause_s: float,
    ) -> None:
        """`new_engine` is called on a worker thread (it may wait for the model, and raise
        UserError); `lock` is the data folder's recorder lock, released when the session ends."""
        super().__init__()
        self.questions = questions
        self.demo = demo
        self.recorder_lock = lock
        self.new_engine = new_engine
        self.auto_start = auto_start
        self.long_pause_s = long_pause_s
        self.engine: Engine | None = None
        self.leaving = threading.Event()
        self.engine_done = threading.Event()
        self.phase = ASKING
        self.session_id: int | None = None
        self.answers_saved = 0
        self.position = 0
        self.asked: tuple[str, FollowUpLink | None] | None = None

    def compose(self) -> ComposeResult:
        first = self.questions[0]
        yield Header()
        with Vertical(id="interview-body"):
            yield Static(id="progress-line")
            yield Static(id="follow-up-label")
            yield Static(first.text, id="question")
            yield Static("Loading the speech model…", id="phase")
            with Horizontal(id="timer-row"):
                yield Digits("0:00", id="timer")
                yield Static(id="live-figures")
            yield TimerBar(first.target_min_s, first.target_max_s)
            yield LevelMeter()
            with VerticalScroll(id="live-transcript"):
                yield TranscriptView(
                    None,
                    self.long_pause_s,
                    empty="Your words appear here as you speak.",
                    id="live-text",
                )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Demo: a sample answer plays your part" if self.demo else "Interview"
        self.query_one("#live-transcript").border_title = "Live transcript"
        self.query_one("#follow-up-label").display = False
        self.show_progress(self.questions[0])
        self.show_figures(0, 0)
        self.run_engine()

    async def on_unmount(self) -> None:
        """Quitting mid-answer ends the session as abandoning it does, and waits until the
        engine has saved what was recorded: the app would otherwise wait for a thread that goes
        on recording, or close the store under it. An engine still being made (the model still
        loading) starts no session."""
        self.leaving.set()
        if self.engine is not None:
            self.engine.abandon()
        await asyncio.to_thread(self.engine_done.wait, ENGINE_CLOSE_S)

    @work(thread=True, group="engine", exclusive=True)
    def run_engine(self) -> None:
        """The whole session on a worker thread; the engine's events come back as messages."""

        def report(event: object) -> None:
            self.post_message(EngineReported(event))

        try:
            self.engine = self.new_engine(report)
            if not self.leaving.is_set():
                self.engine.run_session(self.questions)
        except UserError as error:
            report(live.EngineFailed(str(error)))
        except Exception as error:  # a bug must still end in a notice, never a traceback
            report(live.EngineFailed(f"unexpected error: {type(error).__name__}: {error}"))
        finally:
            self.recorder_lock.release()
            self.engine_done.set()

    # -- the engine's events -----------------------------------------------------------------

    def on_engine_reported(self, message: EngineReported) -> None:
        event = message.event
        match event:
            case live.SessionStarted(session_id=session_id):
                self.session_id = session_id
            case live.QuestionAsked(question=question, speech_hint=hint, follow_up=link):
                self.ask(question, hint, link)
            case live.QuestionSpoken():
                self.set_phase(CUE)
            case live.RecordingStarted():
                self.start_recording()
            case live.LevelMeasured(rms=rms, peak=peak, elapsed_s=elapsed):
                self.show_level(rms, peak, elapsed)
            case live.ChunkTranscribed(words=words, audio_fillers=heard, filler_count=fillers):
                self.show_words(words, heard, fillers)
            case live.RecordingStopped(message=problem):
                self.set_phase(FINISHING)
                if problem:
                    self.notify(problem, title="Recording stopped", severity="warning", timeout=12)
            case live.ReportReady():
                self.answers_saved += 1
            case live.SessionFinished():
                self.finish()
            case live.EngineFailed(message=problem, recording_path=path):
                self.failed(problem, path)

    def ask(self, question: Question, hint: str | None, follow_up: FollowUpLink | None) -> None:
        """A new question (or a follow-up about the last one) resets the screen; the same one
        again only adds the speech hint."""
        if (question.id, follow_up) != self.asked:
            self.asked = (question.id, follow_up)
            if follow_up is None:
                self.position += 1
            self.show_follow_up(follow_up)
            self.query_one("#question", Static).update(question.text)
            self.query_one("#question").remove_class("recording")
            self.show_progress(question)
            bar = self.query_one(TimerBar)
            bar.target_min_s, bar.target_max_s = question.target_min_s, question.target_max_s
            self.show_level(0.0, 0.0, 0.0)
            self.show_words([], [], 0)
            self.set_phase(ASKING)
        if hint:
            self.notify(hint, title="Question not spoken", severity="warning", timeout=10)

    def show_follow_up(self, follow_up: FollowUpLink | None) -> None:
        """"Follow-up · criterion" above a follow-up's question; nothing above a main one."""
        label = self.query_one("#follow-up-label", Static)
        label.display = follow_up is not None
        if follow_up is not None:
            criterion = follow_up.criterion
            label.update(f"Follow-up · {criterion}" if criterion else "Follow-up")

    def start_recording(self) -> None:
        self.query_one("#question").add_class("recording")
        self.set_phase(RECORDING)

    def show_progress(self, question: Question) -> None:
        number = max(self.position, 1)
        self.query_one("#progress-line", Static).update(
            f"Question {number} of {len(self.questions)} · aim for "
            f"{clock(question.target_min_s)}–{clock(question.target_max_s)}"
        )

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        auto = self.auto_start
        text = {
            ASKING: "Listen: the interviewer is asking…",
            CUE: "Your turn: recording starts now…" if auto else "Press space to start answering",
            RECORDING: "● Recording · press space when you have finished",
            FINISHING: "Finishing the transcript…",
            DONE: "Done: opening your report…",
        }[phase]
        self.query_one("#phase", Static).update(text)
        self.refresh_bindings()

    def show_level(self, rms: float, peak: float, elapsed_s: float) -> None:
        meter = self.query_one(LevelMeter)
        meter.rms, meter.peak = rms, peak
        self.query_one(TimerBar).elapsed_s = elapsed_s
        timer = self.query_one("#timer", Digits)
        timer.update(clock(elapsed_s))
        bar = self.query_one(TimerBar)
        timer.set_class(bar.target_min_s <= elapsed_s <= bar.target_max_s, "in-band")
        timer.set_class(elapsed_s > bar.target_max_s, "over")

    def show_words(self, words: list[Word], audio_fillers: list[Filler], filler_count: int) -> None:
        """The transcript so far, with the fillers heard only in the audio that the count has."""
        pieces = pieces_from_words(words, audio_fillers, pauses=())
        self.query_one(TranscriptView).show_pieces(pieces)
        self.query_one("#live-transcript", VerticalScroll).scroll_end(animate=False)
        self.show_figures(len(words), filler_count)

    def show_figures(self, word_count: int, filler_count: int) -> None:
        self.query_one("#live-figures", Static).update(
            f"Fillers  {filler_count}\nWords    {word_count}"
        )

    def finish(self) -> None:
        self.set_phase(DONE)
        self.dismiss(self.session_id if self.answers_saved else None)

    def failed(self, problem: str, path: object) -> None:
        kept = f" What was recorded is kept in {path}." if path else ""
        self.notify(
            f"{problem}.{kept} Press d on Home to practise with a sample answer, or check the "
            "microphone and start again.",
            title="The session stopped",
            severity="error",
            timeout=20,
        )
        self.finish()

    # -- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_answer":
            return self.phase in (CUE, RECORDING)
        return True

    def call_engine(self, control: object) -> None:
        """Engine controls may wait on a device closing: never on the UI thread."""
        self.run_worker(control, thread=True, group="controls")  # type: ignore[arg-type]

    def action_stop_answer(self) -> None:
        if self.engine is None:
            return
        if self.phase == CUE and not self.auto_start:
            self.call_engine(self.engine.start_answer)
        elif self.phase in (CUE, RECORDING):  # the engine keeps a stop for an answer not begun
            self.set_phase(FINISHING)
            self.call_engine(self.engine.stop_answer)

    def action_repeat_question(self) -> None:
        if self.engine is not None:
            self.call_engine(self.engine.repeat_question)

    def action_abandon(self) -> None:
        def abandon() -> None:
            if self.engine is not None:
                self.call_engine(self.engine.abandon)
            else:
                self.dismiss(None)

        self.post_message(
            ConfirmRequested(
                "Abandon this session? What you have recorded so far is kept and reported.",
                yes="Abandon",
                no="Go on",
                on_yes=abandon,
            )
        )
