"""The practice room app and `make_app`, the one factory the CLI and the tests share.

The app is the one router: it owns the store, the backend and the export folder, gives each screen
what it needs when it pushes it, and reacts to what screens ask for (messages) and return
(`dismiss` results); no screen knows the app. Startup paints Home at once; the whisper model
loads and the sound devices are probed in thread workers that report back with messages, so
every key is answered while they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.core.config import Question, Settings, load_questions, load_settings
from mock_interview.core.errors import UserError
from mock_interview.core.paths import write_user_file
from mock_interview.storage.database import Store, StoredAnswer
from mock_interview.storage.stories import link_answer, story
from mock_interview.tui.backend import Backend
from mock_interview.tui.messages import (
    CompareRequested,
    ConfirmRequested,
    DevicesProbed,
    ExportRequested,
    HistoryRequested,
    ModelFailed,
    ModelLoaded,
    QuestionAudioRequested,
    ReplayRequested,
    ReportRequested,
    SessionRequested,
    StoriesRequested,
)
from mock_interview.tui.screens.compare import CompareScreen
from mock_interview.tui.screens.confirm import ConfirmScreen
from mock_interview.tui.screens.history import HistoryScreen
from mock_interview.tui.screens.home import HomeScreen, Status
from mock_interview.tui.screens.replay import ReplayScreen
from mock_interview.tui.screens.report import ReportScreen
from mock_interview.tui.screens.stories import StoriesScreen
from mock_interview.views.compare import compare_answers
from mock_interview.views.history import earlier_attempts
from mock_interview.views.session import load_session_report, usual_for
from mock_interview.views.session_html import render_session_html
from mock_interview.views.stories import StoryChecker, spoken_summary

if TYPE_CHECKING:  # numpy and the model stack load in the background, not before Home
    from mock_interview.asr.whisper import Transcriber
    from mock_interview.session.engine import EventSink
    from mock_interview.session.recovery import RecorderLock
    from mock_interview.tui.backend import Engine

NO_MICROPHONE_HINT = "press d to practise with a sample answer"
RECOVER_COMMAND = "Analyse cut-off answers"


class PracticeApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "mock-interview"
    SUB_TITLE = "practice room"

    def __init__(
        self,
        settings: Settings,
        questions: dict[str, Question],
        store: Store,
        backend: Backend,
        export_dir: Path,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.questions = questions
        self.store = store
        self.backend = backend
        self.export_dir = export_dir
        self.status = Status()
        self.transcriber: Future[Transcriber] = Future()

    @property
    def long_pause_s(self) -> float:
        return self.settings.analysis.long_pause_s

    def question_text(self, question_id: str) -> str:
        question = self.questions.get(question_id)
        return question.text if question else question_id

    def format_time(self, moment: datetime) -> str:
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")

    # -- startup -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_keymap(self.settings.keys)
        home = HomeScreen(
            self.questions, self.settings.practice.default_questions, self.store, self.status
        )
        self.push_screen(home)
        self.call_after_refresh(self.load_model)
        self.call_after_refresh(self.probe_devices)

    @work(thread=True, group="model")
    def load_model(self) -> None:
        try:
            transcriber = self.backend.load_transcriber(self.settings)
        except UserError as error:
            self.transcriber.set_exception(error)
            self.post_message(ModelFailed(str(error)))
            return
        self.transcriber.set_result(transcriber)
        self.post_message(ModelLoaded(transcriber.model_name))

    @work(thread=True, group="probe")
    def probe_devices(self) -> None:
        microphone, problem = None, None
        try:
            microphone = self.backend.microphone(self.settings)
        except UserError as error:
            problem = str(error)
        first = self.settings.practice.default_questions[0]
        speech = self.backend.speech_problem(self.question_text(first), self.settings)
        self.post_message(DevicesProbed(microphone, problem, speech))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        self.status.model_line = f"Speech model: {message.description} ready"
        self._show_status()
        cut_off = len(self.store.unfinished_recordings())
        if cut_off and self._no_one_records():
            self.notify(
                f"{cut_off} answer{'s were' if cut_off > 1 else ' was'} cut off last time and "
                f"kept. Press ctrl+p and choose “{RECOVER_COMMAND}” to analyse "
                f"{'them' if cut_off > 1 else 'it'}.",
                title="Recording kept",
                timeout=20,
            )

    def can_recover(self) -> bool:
        """Cut-off answers exist and no session is recording (its answer is unfinished too)."""
        interviewing = any(w.group == "engine" and w.is_running for w in self.workers)
        return not interviewing and bool(self.store.unfinished_recordings())

    def _no_one_records(self) -> bool:
        """No recorder holds this data folder: its unfinished answers were really cut off."""
        from mock_interview.session.recovery import RecorderLock

        try:
            RecorderLock(self.store).acquire().release()
        except UserError:
            return False
        return True

    def take_recorder_lock(self) -> RecorderLock | None:
        """The data folder's recorder lock, or None (and a notice) when another recorder has it."""
        from mock_interview.session.recovery import RecorderLock

        try:
            return RecorderLock(self.store).acquire()
        except UserError as error:
            self.notify(str(error), title="Already recording", severity="warning", timeout=10)
            return None

    @work(thread=True, group="recover", exclusive=True)
    def recover_answers(self) -> None:
        """Repair and analyse every answer a crash cut off, saying what became of each."""
        from mock_interview.session.recovery import recover_unfinished

        transcriber = self.transcriber.result()
        lock = self.call_from_thread(self.take_recorder_lock)
        if lock is None:
            return
        try:
            for result in recover_unfinished(
                lock, self.store, self.questions, self.settings, transcriber
            ):
                row = result.row
                if result.problem:
                    self.call_from_thread(self.notify, result.problem, severity="error", timeout=15)
                else:
                    self.call_from_thread(
                        self.notify, f"Answer {row.id} ({row.question_id}) analysed: see History."
                    )
        finally:
            lock.release()
        self.call_from_thread(self._refresh_home)

    def _refresh_home(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_recent()

    def on_model_failed(self, message: ModelFailed) -> None:
        self.status.model_line = f"Speech model: {message.message}"
        self._show_status()
        self.notify(message.message, title="Model not loaded", severity="error", timeout=10)

    def on_devices_probed(self, message: DevicesProbed) -> None:
        self.status.microphone = message.microphone
        if message.microphone:
            self.status.microphone_line = f"Microphone: {message.microphone}"
        else:
            self.status.microphone_line = f"No microphone found: {NO_MICROPHONE_HINT}"
        self.status.speech_line = (
            f"Speech: {message.speech_problem}"
            if message.speech_problem
            else "Speech: questions are read aloud"
        )
        self._show_status()

    def _show_status(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_status()

    # -- navigation: what screens ask for, and what they return ------------------------------

    def on_session_requested(self, message: SessionRequested) -> None:
        self.start_session(message.question_ids, message.demo)

    def on_history_requested(self, message: HistoryRequested) -> None:
        self.push_screen(HistoryScreen(self.store))

    def on_stories_requested(self, message: StoriesRequested) -> None:
        checker = StoryChecker.from_settings(self.settings)
        self.push_screen(StoriesScreen(self.store, checker), self.practise_story)

    def practise_story(self, story_id: int | None) -> None:
        """The Stories screen closed: practise the story it names with its kind's question."""
        if story_id is not None:
            self.start_session([story(self.store, story_id).question_id], False, story_id)

    def on_report_requested(self, message: ReportRequested) -> None:
        self.open_report(message.session_id, message.answer_id)

    def on_replay_requested(self, message: ReplayRequested) -> None:
        self.open_replay(self.store.answer(message.answer_id))

    def on_compare_requested(self, message: CompareRequested) -> None:
        self.open_comparison(message.answer_id, message.earlier_id)

    def on_export_requested(self, message: ExportRequested) -> None:
        self.export_session(message.session_id)

    def on_question_audio_requested(self, message: QuestionAudioRequested) -> None:
        self.speak_question(message.question_id)

    def on_confirm_requested(self, message: ConfirmRequested) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                message.on_yes()

        self.push_screen(ConfirmScreen(message.question, message.yes, message.no), answered)

    def start_session(
        self, question_ids: list[str], demo: bool, story_id: int | None = None
    ) -> None:
        """Run an interview; with `story_id` its answers are kept as tellings of that story."""
        # Imported here: the engine brings the whole audio stack, not needed to paint Home.
        from mock_interview.tui.screens.interview import InterviewScreen

        if not demo and self.status.microphone is None:
            self.notify(
                f"{self.status.microphone_line}.", title="No microphone", severity="warning"
            )
            return
        lock = self.take_recorder_lock()  # held until the interview's session ends
        if lock is None:
            return
        interview = InterviewScreen(
            [self.questions[question_id] for question_id in question_ids],
            demo,
            lock,
            partial(self.new_engine, demo=demo),
            self.settings.practice.auto_start,
            self.long_pause_s,
        )
        self.push_screen(interview, partial(self.interview_ended, story_id=story_id))

    def new_engine(self, on_event: EventSink, demo: bool) -> Engine:
        """The engine for one session, once the model is loaded: called on the engine's worker."""
        return self.backend.engine(
            self.settings, self.transcriber.result(), self.store, on_event, demo
        )

    def interview_ended(self, session_id: int | None, story_id: int | None = None) -> None:
        """The interview closed: its report opens in its place when an answer was saved."""
        if session_id is not None:
            if story_id is not None:
                self.link_story(session_id, story_id)
            self.open_report(session_id)

    def link_story(self, session_id: int, story_id: int) -> None:
        """Keep the session's answers as tellings of the story, and say how each told it."""
        told = story(self.store, story_id)
        checker = StoryChecker.from_settings(self.settings)
        for answer in self.store.session(session_id).answers:
            link_answer(self.store, answer.row.id, story_id)
            if answer.report is not None:
                summary = spoken_summary(checker.spoken(told, answer.report))
                self.notify(summary, title=f"Story check: {told.title}", timeout=15)

    def open_report(self, session_id: int, answer_id: int | None = None) -> None:
        report = load_session_report(self.store, session_id)
        session = report.session
        started = self.format_time(session.started_at)
        usual = {answer.row.id: usual_for(report, answer) for answer in session.answers}
        self.push_screen(
            ReportScreen(session, self.question_text, self.long_pause_s, started, answer_id, usual)
        )

    def open_comparison(self, answer_id: int, earlier_id: int | None) -> None:
        """Two attempts side by side; without `earlier_id`, the attempt before `answer_id`."""
        answer = self.store.answer(answer_id)
        if earlier_id is None:
            history = self.store.answers(question_id=answer.row.question_id)
            earlier = earlier_attempts(history, answer.row)
            if not earlier:
                self.notify("This is your first attempt at this question: nothing to compare.")
                return
            earlier_id = earlier[-1].id
        try:
            comparison = compare_answers(self.store.answer(earlier_id), answer)
        except UserError as error:
            self.notify(str(error), severity="warning")
            return
        self.push_screen(CompareScreen([comparison]))

    def open_replay(self, answer: StoredAnswer) -> None:
        path = answer.row.recording_path
        if answer.report is None or path is None or not path.is_file():
            self.notify(
                "This answer's recording is missing, so it cannot be replayed.",
                severity="warning",
            )
            return
        self.prepare_replay(answer, answer.report, path)

    @work(thread=True, group="player", exclusive=True)
    def prepare_replay(self, answer: StoredAnswer, analysis: AnswerAnalysis, path: Path) -> None:
        """Opening the output device can take a moment: do it off the UI thread."""
        try:
            player = self.backend.open_player(self.settings)
            player.play_file(path)
        except UserError as error:
            self.call_from_thread(
                self.notify, str(error), title="Cannot replay", severity="error", timeout=10
            )
            return
        replay = ReplayScreen(
            answer.row,
            analysis,
            path,
            player,
            self.question_text(answer.row.question_id),
            self.long_pause_s,
        )
        self.call_from_thread(self.push_screen, replay)

    @work(thread=True, group="speaker", exclusive=True)
    def speak_question(self, question_id: str) -> None:
        try:
            self.backend.speak(self.question_text(question_id), self.settings)
        except UserError as error:
            self.call_from_thread(self.notify, str(error), severity="warning")

    def export_session(self, session_id: int) -> None:
        path = self.export_dir / f"mock-interview-session-{session_id}.html"
        try:
            report = load_session_report(self.store, session_id)
            html = render_session_html(report, self.long_pause_s, self.settings.structure)
            write_user_file(path, html)
        except (UserError, OSError) as error:
            self.notify(f"Export failed: {error}", severity="error", timeout=10)
            return
        self.notify(f"Saved {path}", title="Report exported", timeout=8)

    # -- command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action the footer shows for the screen under the palette, then Textual's own
        (theme, keys, screenshot …); widget-internal bindings such as cursor moves stay out."""
        textual_own = list(super().get_system_commands(screen))
        seen = {command.title for command in textual_own}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            shown = binding.show and binding.description and active.enabled
            if not shown or binding.description in seen:
                continue
            seen.add(binding.description)
            yield SystemCommand(
                binding.description,
                f"{binding.description} (key: {self.get_key_display(binding) or key})",
                partial(self.call_later, self.run_action, binding.action, active.node),
            )
        if self.can_recover():
            yield SystemCommand(
                RECOVER_COMMAND, "Repair and analyse answers a crash cut off", self.recover_answers
            )
        yield from textual_own


def make_app(
    settings: Settings | None = None,
    questions: dict[str, Question] | None = None,
    store: Store | None = None,
    backend: Backend | None = None,
    export_dir: Path | None = None,
) -> PracticeApp:
    """The app with the user's config and data unless given (tests pass theirs and fakes)."""
    if backend is None:
        from mock_interview.tui.real_backend import RealBackend

        backend = RealBackend()
    return PracticeApp(
        settings=settings or load_settings(),
        questions=questions or load_questions(),
        store=store or Store.open_default(),
        backend=backend,
        export_dir=export_dir or Path.cwd(),
    )
