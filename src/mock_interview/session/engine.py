"""The live practice engine: speak the question, record the answer, transcribe it as it is spoken.

Event flow for one session (`PracticeEngine.run_session`, blocking: run it in a thread worker).
Every event is a small frozen dataclass passed to the `on_event` callback, on the engine's threads;
the TUI wraps the callback into `post_message`, the CLI prints.

    SessionStarted(session_id, questions)
    for each question:
        QuestionAsked(question, speech_hint)     show the question; hint is None or why it is silent
        QuestionSpoken(question)                 the spoken question finished (or was cut short)
        [waits for start_answer() when settings.practice.auto_start is false]
        RecordingStarted(question, path, sample_rate, target_min_s, target_max_s, source)
        LevelMeasured(rms, peak, elapsed_s)      >= 10 per second while recording
        ChunkTranscribed(words, audio_fillers, filler_count, transcribed_until_s)
                                                 the whole transcript so far, after each chunk
                                                 and at pauses; the last one may come after
                                                 RecordingStopped
        RecordingStopped(question, path, duration_s, reason, message)
        ReportReady(question, report, session_id, answer_id, recording_path)
        then, while `session.follow_up.choose_follow_up` picks one (at most
        practice.max_follow_ups), the same events from QuestionAsked to ReportReady for a
        follow-up: each carries `follow_up` (a `FollowUpLink`: the criterion probed, the text
        asked, the main answer's id; None for a main question), its `question` is the main
        question with the follow-up's text and target band (practice.follow_up_target_*_s),
        and its ReportReady has `score_with_prompt`; FollowUpSkipped(follow_up, reason) instead
        when the answer source has nothing left for it (`NoAnswerSource`: answer files ran out)
    SessionFinished(session_id, reports)        the main answers' reports
    EngineFailed(message, recording_path)       instead of the rest, when something broke (no
                                                microphone, device lost, disk full); what was
                                                recorded is kept, analysed and saved first (the
                                                report then has "recording_error": message)

Control from any thread: `stop_answer()` (space / Enter), `start_answer()` (when auto-start is
off), `repeat_question()` (plays the question again; the microphone's audio is replaced by silence
meanwhile, so the question never enters the answer), `abandon()` (stop, keep the recording and its
report, skip the remaining questions). A stop is never dropped: it goes to what is under way when
it arrives. While the question is being spoken it cuts the question short (the answer is then
recorded); from the moment the question has ended it stops the answer, and if that answer has not
started yet it stops the moment it starts. A stop that arrives after an answer has stopped is
spent on that answer: it never cuts the next question.

The response latency counts from the end of the spoken question when the recording starts as it
ends (speech on, auto-start on), else from the recording's start; the report says which
(`timing.latency_from`).

Whoever records first takes the `session.recovery.RecorderLock` (one recorder per data folder).
An answer's row is marked "recording" only once audio flows: a start
that fails (busy microphone, bad setting) leaves no row and no file.

Demo mode (no microphone): pass `source_factory=lambda question: FileSource(sample_path)`; the
sample plays the candidate's part at real-time pace through the same recorder and transcriber.
On start, `session.recovery.recover_unfinished` repairs, analyses and saves each recording a crash
cut off.

Follow-ups: once an answer's report is ready, `choose_follow_up` decides from its rubric whether
an interviewer would probe a criterion it left unmet (practice.follow_ups). The follow-up is
asked, recorded, analysed (its rubric scored for the main question's kind) and saved like any
answer, linked to its main answer (`Store.add_answer(follow_up=...)`), so a stop, an abandon, a
lost device and crash recovery treat it as any answer. `recovered` is the follow-up's rubric
meeting the probed criterion; the main answer's score with the prompt adds
practice.follow_up_credit of that criterion's share of the score (`score_with_prompt`). The
speech of every follow-up the question may need is rendered while the main answer records, so
the follow-up is spoken as soon as the report is ready.

Live transcription (`asr.chunking.LiveTranscriber`): blocks go from the recorder's writer
thread to a worker that cuts the answer at pauses and analyses each chunk (VAD, the shared
Transcriber, fillers) while the candidate talks, and the uncut tail at each pause, so at stop
little or nothing is left to decode. The analysis comes from `analysis_from_chunks`, as in
`analyze`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mock_interview.analysis.analyze import analysis_from_chunks
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.analysis.coaching import coaching_for_follow_up
from mock_interview.asr.chunking import ChunkedTranscript, LiveTranscriber
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.audio.recorder import (
    AudioSource,
    Level,
    MicrophoneSource,
    Recording,
    RecordingResult,
    StopReason,
)
from mock_interview.core.config import (
    FollowUp,
    Question,
    Settings,
    load_questions,
)
from mock_interview.core.errors import UserError
from mock_interview.core.values import Filler, Word
from mock_interview.rubric.loading import load_rubric
from mock_interview.session.follow_up import (
    check_follow_ups,
    choose_follow_up,
    criteria_met,
    follow_up_candidates,
    follow_up_question,
    score_with_prompt,
)
from mock_interview.storage.database import FollowUpLink, Store


@dataclass(frozen=True)
class SessionStarted:
    session_id: int
    questions: list[Question]


@dataclass(frozen=True)
class QuestionAsked:
    question: Question
    speech_hint: str | None
    follow_up: FollowUpLink | None = None


@dataclass(frozen=True)
class QuestionSpoken:
    question: Question


@dataclass(frozen=True)
class RecordingStarted:
    question: Question
    path: Path
    sample_rate: int
    target_min_s: float
    target_max_s: float
    source: str
    follow_up: FollowUpLink | None = None


@dataclass(frozen=True)
class LevelMeasured:
    rms: float
    peak: float
    elapsed_s: float


@dataclass(frozen=True)
class ChunkTranscribed:
    words: list[Word]  # the whole answer so far, fillers marked
    audio_fillers: list[Filler]  # fillers heard but not transcribed, counted in filler_count
    filler_count: int
    transcribed_until_s: float


@dataclass(frozen=True)
class RecordingStopped:
    question: Question
    path: Path
    duration_s: float
    reason: StopReason
    message: str | None


@dataclass(frozen=True)
class ReportReady:
    question: Question
    report: AnswerAnalysis
    session_id: int
    answer_id: int
    recording_path: Path
    follow_up: FollowUpLink | None = None
    score_with_prompt: int | None = None
    """For a follow-up: the main answer's score with the credit this prompt earned."""


@dataclass(frozen=True)
class SessionFinished:
    session_id: int
    reports: list[AnswerAnalysis]


@dataclass(frozen=True)
class EngineFailed:
    message: str
    recording_path: Path | None = None


@dataclass(frozen=True)
class FollowUpSkipped:
    follow_up: FollowUpLink
    reason: str


class NoAnswerSource(UserError):
    """The source factory has nothing for this question (the answer files ran out): a follow-up
    is then skipped, while a main question still ends the session with this message."""


EngineEvent = (
    SessionStarted
    | QuestionAsked
    | QuestionSpoken
    | RecordingStarted
    | LevelMeasured
    | ChunkTranscribed
    | RecordingStopped
    | ReportReady
    | FollowUpSkipped
    | SessionFinished
    | EngineFailed
)
EventSink = Callable[[EngineEvent], None]


def transcribe_recording(
    source: AudioSource,
    path: Path,
    question: Question,
    settings: Settings,
    transcriber: Transcriber,
    on_event: EventSink,
    on_started: Callable[[Recording], None] | None = None,
    follow_up: FollowUpLink | None = None,
    question_ended_at: float | None = None,
) -> tuple[RecordingResult, AnswerAnalysis]:
    """Record one answer from `source` to `path`, transcribing live; returns its analysis too.

    `on_started(recording)` runs once audio flows, before RecordingStarted; if the start fails
    (or `on_started` does), nothing is left behind and the UserError goes on.
    `question_ended_at` (`time.monotonic()`) is when the spoken question ended, when the
    recording starts because it ended: the latency then counts from there."""
    started_at: list[float] = []

    def on_progress(transcript: ChunkedTranscript) -> None:
        until_s = transcript.samples / ANALYSIS_RATE
        on_event(
            ChunkTranscribed(
                transcript.words, transcript.audio_fillers, transcript.filler_count, until_s
            )
        )

    def started() -> None:
        started_at.append(time.monotonic())
        if on_started is not None:
            on_started(recording)
        on_event(
            RecordingStarted(
                question,
                path,
                source.sample_rate,
                question.target_min_s,
                question.target_max_s,
                source.description,
                follow_up,
            )
        )

    live = LiveTranscriber(transcriber, settings.fillers, source.sample_rate, on_progress)
    try:
        recording = Recording(
            source,
            path,
            max_answer_s=settings.recording.max_answer_s,
            auto_stop_silence_s=settings.recording.auto_stop_silence_s,
            on_block=live.feed,
            on_level=lambda level: on_event(_level_event(level)),
        )
        recording.start(started)
    except UserError:
        live.finish()  # nothing was recorded; let the worker go
        raise
    result = recording.wait()
    assert result is not None
    on_event(RecordingStopped(question, path, result.duration_s, result.reason, result.error))
    question_ended_before_s = (
        None if question_ended_at is None else max(0.0, started_at[0] - question_ended_at)
    )
    report = analysis_from_chunks(
        live.finish(), result.sample_rate, result.path, question, settings, question_ended_before_s
    )
    if result.input_overflows:
        report = replace(report, input_overflows=result.input_overflows)
    return result, report


def _level_event(level: Level) -> LevelMeasured:
    return LevelMeasured(level.rms, level.peak, level.elapsed_s)


class _AnswerControls:
    """What another thread can do to one question and its answer; `lock` orders a stop or a
    repeat against the question's playback starting and the recording starting."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.asking = True  # until the question has been spoken (or cut short)
        self.question_cut = False
        self.recording: Recording | None = None
        self.start = threading.Event()
        self.stopped = threading.Event()


SourceFactory = Callable[[Question], AudioSource]
# How long the microphone may still hear the question after its last sample went to the speaker:
# the output buffer and the room's echo.
SPEAKER_TAIL_S = 0.5


class PracticeEngine:
    """One practice session at a time; see the module docstring for the events."""

    def __init__(
        self,
        settings: Settings,
        transcriber: Transcriber,
        store: Store,
        on_event: EventSink,
        *,
        speak: bool = True,
        source_factory: SourceFactory | None = None,
    ) -> None:
        self.settings = settings
        self.transcriber = transcriber
        self.store = store
        self.on_event = on_event
        self.speak = speak and settings.speech.enabled
        self.source_factory = source_factory or self._microphone
        self._controls = _AnswerControls()
        self._abandoned = threading.Event()
        self._player: Any = None
        self._speech_path: Path | None = None
        self._question_ended_at: float | None = None
        self._speech_renders: threading.Thread | None = None
        self._rubric = load_rubric(settings=settings)

    def _microphone(self, question: Question) -> AudioSource:
        recording = self.settings.recording
        return MicrophoneSource(recording.input_device, recording.sample_rate)

    # -- control, from any thread -----------------------------------------------------------

    def start_answer(self) -> None:
        self._controls.start.set()

    def stop_answer(self) -> None:
        """Cut the question short while it is spoken, else stop the answer (now or as it starts)."""
        controls = self._controls
        controls.start.set()
        with controls.lock:
            if controls.asking:
                controls.question_cut = True
            else:
                controls.stopped.set()
            recording = controls.recording
            if self._player is not None:
                self._player.stop()
        if recording is not None:
            recording.stop()

    def abandon(self) -> None:
        self._abandoned.set()
        self.stop_answer()

    def repeat_question(self) -> None:
        """Play the question again; while it plays the answer records silence, not the speaker."""
        controls = self._controls
        with controls.lock:
            if self._player is None or self._speech_path is None:
                return
            self._player.play_file(self._speech_path)
            if controls.recording is not None:
                controls.recording.mute_for(self._player.duration_s + SPEAKER_TAIL_S)

    # -- the session, blocking ----------------------------------------------------------------

    def run_session(self, questions: list[Question]) -> int | None:
        """Ask, record and report each question in turn; the session id, or None if none began."""
        self._abandoned.clear()
        try:
            check_follow_ups(self.settings.practice, load_questions(), self._rubric)
            session_id = self.store.create_session([question.id for question in questions])
        except UserError as exc:
            self.on_event(EngineFailed(str(exc)))
            return None
        self.on_event(SessionStarted(session_id, questions))
        reports = []
        for question in questions:
            if self._abandoned.is_set():
                break
            try:
                ready = self.run_answer(session_id, question)
            except UserError as exc:
                self.on_event(EngineFailed(str(exc)))
                return session_id
            if ready is None:
                break
            reports.append(ready.report)
            if not self._reported(ready) or not self._ask_follow_ups(session_id, question, ready):
                return session_id
        self.on_event(SessionFinished(session_id, reports))
        return session_id

    def _reported(self, ready: ReportReady) -> bool:
        """Send the report; False (after EngineFailed) when its recording broke off."""
        self.on_event(ready)
        if ready.report.recording_error:
            self.on_event(EngineFailed(ready.report.recording_error, ready.recording_path))
            return False
        return True

    def _ask_follow_ups(self, session_id: int, question: Question, main: ReportReady) -> bool:
        """Probe what the answer left out, one follow-up at a time; False when the session ends
        in a failure (already reported)."""
        met = criteria_met(main.report)
        asked: list[FollowUp] = []
        probed: list[tuple[str | None, bool]] = []
        main_score = main.report.rubric.score if main.report.rubric is not None else 0
        while not self._abandoned.is_set():
            chosen = choose_follow_up(question, self.settings.practice, met, asked)
            if chosen is None:
                break
            asked.append(chosen)
            link = FollowUpLink(main.answer_id, chosen.criterion, chosen.text)
            try:
                ready = self.run_answer(session_id, question, link)
            except NoAnswerSource as exc:
                self.on_event(FollowUpSkipped(link, str(exc)))
                break
            except UserError as exc:
                self.on_event(EngineFailed(str(exc)))
                return False
            if ready is None:
                break
            answered = criteria_met(ready.report)
            met = {
                name: met.get(name, False) or answered.get(name, False)
                for name in {*met, *answered}
            }
            probed.append((chosen.criterion, ready.report.criterion_met(chosen.criterion)))
            credit = self.settings.practice.follow_up_credit
            score = score_with_prompt(main_score, probed, question.kind, self._rubric, credit)
            try:
                self.store.set_score_with_prompt(ready.answer_id, score)
            except UserError as exc:
                self.on_event(EngineFailed(str(exc)))
                return False
            if not self._reported(replace(ready, score_with_prompt=score)):
                return False
        return True

    def run_answer(
        self, session_id: int, main_question: Question, follow_up: FollowUpLink | None = None
    ) -> ReportReady | None:
        """Speak the question (or `follow_up` about it), record and transcribe the answer, save
        it; the report event (None when the session was abandoned before the answer began)."""
        controls = self._controls = _AnswerControls()
        question = main_question
        if follow_up is not None:
            question = follow_up_question(
                main_question, follow_up.question, follow_up.criterion, self.settings.practice
            )
        source = self.source_factory(question)  # fails (no microphone) before anything is said
        self._ask(question, follow_up)
        if not self.settings.practice.auto_start:
            controls.start.wait()
            self._question_ended_at = None  # the candidate chose when to start
        if self._abandoned.is_set():
            return None
        path = self.store.new_recording_path(session_id, question.id)

        def started(recording: Recording) -> None:
            """Audio flows: only now is the answer marked as being recorded."""
            self.store.mark_recording_started(session_id, question.id, path, follow_up)
            if follow_up is None:
                self._prepare_follow_up_speech(question)
            with controls.lock:
                controls.recording = recording
                if controls.stopped.is_set():
                    recording.stop()
                if self._player is not None and self._player.playing:  # repeated before the start
                    left_s = self._player.duration_s - self._player.position_s
                    recording.mute_for(left_s + SPEAKER_TAIL_S)

        try:
            result, report = transcribe_recording(
                source,
                path,
                question,
                self.settings,
                self.transcriber,
                self.on_event,
                started,
                follow_up,
                self._question_ended_at,
            )
        except UserError:
            self.store.prune_recordings_dir(session_id)
            raise
        if result.error:
            report = replace(report, recording_error=result.error)
        if follow_up is not None:
            long_pause_s = self.settings.analysis.long_pause_s
            report = coaching_for_follow_up(report, follow_up.criterion, self._rubric, long_pause_s)
        try:
            answer_id = self.store.add_answer(session_id, question.id, path, report, follow_up)
        except UserError as exc:
            raise UserError(
                f"{exc}; the recording is kept in {path} and analysed again on the next start"
            ) from None
        return ReportReady(question, report, session_id, answer_id, path, follow_up)

    def _prepare_follow_up_speech(self, question: Question) -> None:
        """Render every follow-up this question may need while its answer records (eSpeak takes
        a second or so per sentence), so the chosen one is spoken the moment the report is ready.
        """
        texts = [f.text for f in follow_up_candidates(question, self.settings.practice)]
        if not self.speak or not texts:
            return
        from mock_interview.audio.tts import render_speech

        speech = self.settings.speech
        self._speech_renders = threading.Thread(
            target=lambda: [render_speech(text, speech) for text in texts], daemon=True
        )
        self._speech_renders.start()

    def _ask(self, question: Question, follow_up: FollowUpLink | None = None) -> None:
        """Show and speak the question; `_question_ended_at` is set when it was heard."""
        hint = None
        self._speech_path = None
        self._question_ended_at = None
        if self.speak:
            from mock_interview.audio.tts import render_speech

            if follow_up is not None and self._speech_renders is not None:
                self._speech_renders.join()  # rendered meanwhile: render_speech finds it cached
            spoken = render_speech(question.text, self.settings.speech)
            self._speech_path, hint = spoken.path, spoken.hint
        self.on_event(QuestionAsked(question, hint, follow_up))
        if self._speech_path is not None:
            try:
                self._play_question(self._speech_path)
                self._question_ended_at = time.monotonic()
            except UserError as exc:
                self.on_event(QuestionAsked(question, f"question not spoken: {exc}", follow_up))
        with self._controls.lock:
            self._controls.asking = False
        self.on_event(QuestionSpoken(question))

    def _play_question(self, path: Path) -> None:
        """Play the question unless a stop already cut it short; wait until it has been heard."""
        from mock_interview.audio.playback import Player

        if self._player is None:
            self._player = Player(self.settings.recording.output_device)
        with self._controls.lock:
            if self._controls.question_cut:
                return
            self._player.play_file(path)
        self._player.wait()
