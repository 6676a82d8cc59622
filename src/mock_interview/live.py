"""The live practice engine: speak the question, record the answer, transcribe it as it is spoken.

Event flow for one session (`PracticeEngine.run_session`, blocking: run it in a thread worker).
Every event is a small frozen dataclass passed to the `on_event` callback, on the engine's threads;
the TUI wraps the callback into `post_message`, the CLI prints.

    SessionStarted(session_id, questions)
    for each question:
        QuestionAsked(question, speech_hint)     show the question; hint is None or why it is silent
        QuestionSpoken(question)                 the spoken question finished (or was skipped)
        [waits for start_answer() when settings.practice.auto_start is false]
        RecordingStarted(question, path, sample_rate, target_min_s, target_max_s, source)
        LevelMeasured(rms, peak, elapsed_s)      >= 10 per second while recording
        ChunkTranscribed(words, filler_count, transcribed_until_s)  after each chunk
        RecordingStopped(question, path, duration_s, reason, message)
        ReportReady(question, report, session_id, answer_id, recording_path)
    SessionFinished(session_id, reports)
    EngineFailed(message, recording_path)       instead of the rest, when something broke;
                                                what was recorded is kept (and analysed if possible)

Control from any thread: `stop_answer()` (space / Enter), `start_answer()` (when auto-start is
off), `repeat_question()` (plays the question again), `abandon()` (stop, keep the recording and
its report, skip the remaining questions).

Live transcription: blocks go from the recorder's writer thread to `LiveTranscriber`, which cuts
the growing answer at a pause (>= 0.5 s of quiet) once CHUNK_MIN_S is pending and hands each chunk
to a worker that runs the same VAD and the shared Transcriber with the chunk's offset. At stop only
the last chunk is left; the merged words and speech spans go through the same `build_report` as
`analyze`, so the live report and the saved WAV's report agree.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from mock_interview.analysis.fillers import mark_fillers
from mock_interview.analysis.model import Span, Word
from mock_interview.analysis.report import analyze_file, build_report
from mock_interview.audio.devices import find_device
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.audio.recorder import (
    AudioSource,
    FileSource,
    Level,
    MicrophoneSource,
    Recording,
    RecordingResult,
    StopReason,
    repair_wav,
)
from mock_interview.audio.signal import find_speech
from mock_interview.config import Question, Settings, find_question, load_questions, load_settings
from mock_interview.errors import UserError
from mock_interview.render import clock, render_text
from mock_interview.storage import AnswerRow, Store
from mock_interview.transcription import Transcriber

# A chunk is cut once this much audio is pending, at the latest pause of at least PAUSE_CUT_S.
CHUNK_MIN_S = 12.0
# With no pause at all, cut anyway (at the quietest moment) before whisper's 30 s window is full.
CHUNK_MAX_S = 28.0
PAUSE_CUT_S = 0.5
_CUT_CHECK_EVERY_S = 0.5
_FRAME_S = 0.02
# A frame this close to the pending audio's noise floor is quiet enough to cut in.
_QUIET_ABOVE_FLOOR_DB = 10.0
# Pending audio whose loudest part is below this is all silence; a level spread smaller than
# _MIN_SPREAD_DB between quiet and loud frames means there is no pause to find.
_SILENT_DBFS = -50.0
_MIN_SPREAD_DB = 12.0


@dataclass(frozen=True)
class SessionStarted:
    session_id: int
    questions: list[Question]


@dataclass(frozen=True)
class QuestionAsked:
    question: Question
    speech_hint: str | None


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


@dataclass(frozen=True)
class LevelMeasured:
    rms: float
    peak: float
    elapsed_s: float


@dataclass(frozen=True)
class ChunkTranscribed:
    words: list[Word]  # the whole answer so far, fillers marked
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
    report: dict[str, Any]
    session_id: int
    answer_id: int
    recording_path: Path


@dataclass(frozen=True)
class SessionFinished:
    session_id: int
    reports: list[dict[str, Any]]


@dataclass(frozen=True)
class EngineFailed:
    message: str
    recording_path: Path | None = None


EngineEvent = (
    SessionStarted
    | QuestionAsked
    | QuestionSpoken
    | RecordingStarted
    | LevelMeasured
    | ChunkTranscribed
    | RecordingStopped
    | ReportReady
    | SessionFinished
    | EngineFailed
)
EventSink = Callable[[EngineEvent], None]


class _ToAnalysisRate:
    """int16 blocks at the device rate to float32 at 16 kHz, as `load_audio` decodes the WAV."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._resampler: Any = None
        if rate != ANALYSIS_RATE:
            import av

            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=ANALYSIS_RATE)

    def __call__(self, block: np.ndarray | None) -> np.ndarray:
        """Convert a block; None flushes what the resampler still holds."""
        if self._resampler is None:
            return np.zeros(0, np.float32) if block is None else block.astype(np.float32) / 32768
        import av

        frame = None
        if block is not None:
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = self.rate
        pieces = [out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame)]
        if not pieces:
            return np.zeros(0, np.float32)
        return np.concatenate(pieces).astype(np.float32) / 32768


def find_cut(samples: np.ndarray) -> int | None:
    """Where to end a chunk: the middle of the latest pause (quiet for >= PAUSE_CUT_S).

    With no such pause and CHUNK_MAX_S pending, the quietest frame of the last 10 s. None: wait.
    """
    frame = int(_FRAME_S * ANALYSIS_RATE)
    count = samples.size // frame
    if count == 0:
        return None
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    levels = 10 * np.log10(np.maximum(np.mean(frames**2, axis=1), 1e-12))
    floor, loud = np.percentile(levels, 10), np.percentile(levels, 98)
    if loud < _SILENT_DBFS:
        return samples.size  # nothing said: no word to split
    if loud - floor < _MIN_SPREAD_DB:
        quiet = np.zeros(count, dtype=bool)  # steady sound, no pause in it
    else:
        quiet = levels < floor + min(_QUIET_ABOVE_FLOOR_DB, (loud - floor) / 2)
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    # Only a pause with speech on both sides: the VAD of each chunk then sees a whole pause at
    # its edges, as the VAD of the whole recording does.
    inside = (starts > 0) & (ends < count)
    long_enough = inside & ((ends - starts) * _FRAME_S >= PAUSE_CUT_S)
    if long_enough.any():
        start, end = starts[long_enough][-1], ends[long_enough][-1]
        return int((start + end) // 2 * frame)
    if samples.size < CHUNK_MAX_S * ANALYSIS_RATE:
        return None
    recent = max(0, count - int(10 / _FRAME_S))
    return int((recent + int(np.argmin(levels[recent:]))) * frame)


class LiveTranscriber:
    """Transcribes an answer while it grows: chunks cut at pauses, decoded on a worker thread.

    `feed` is called on the recorder's writer thread and stays cheap; `finish` decodes the rest
    and returns every word and speech span of the answer in order.
    """

    def __init__(
        self,
        transcriber: Transcriber,
        source_rate: int,
        filler_settings: Any,
        on_chunk: Callable[[ChunkTranscribed], None] | None = None,
    ) -> None:
        self._transcriber = transcriber
        self._filler_settings = filler_settings
        self._on_chunk = on_chunk
        self._to_analysis = _ToAnalysisRate(source_rate)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._pending_start = 0
        self._unchecked = 0
        self.words: list[Word] = []
        self.speech: list[Span] = []
        self._jobs: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue()
        self._failure: BaseException | None = None
        self._worker = threading.Thread(target=self._work, name="live-transcriber", daemon=True)
        self._worker.start()

    @property
    def total_samples(self) -> int:
        return self._pending_start + self._pending_size

    def feed(self, block: np.ndarray) -> None:
        samples = self._to_analysis(block)
        self._pending.append(samples)
        self._pending_size += samples.size
        self._unchecked += samples.size
        if (
            self._pending_size >= CHUNK_MIN_S * ANALYSIS_RATE
            and self._unchecked >= _CUT_CHECK_EVERY_S * ANALYSIS_RATE
        ):
            self._unchecked = 0
            pending = np.concatenate(self._pending)
            cut = find_cut(pending)
            if cut:
                self._submit(pending[:cut])
                self._pending = [pending[cut:]]
                self._pending_size = pending.size - cut

    def _submit(self, chunk: np.ndarray) -> None:
        self._jobs.put((chunk, self._pending_start))
        self._pending_start += chunk.size

    def finish(self) -> tuple[list[Word], list[Span], int]:
        """Decode what is left; (words, speech spans, samples at 16 kHz) of the whole answer."""
        self._pending.append(self._to_analysis(None))
        pending = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float32)
        self._pending, self._pending_size = [], 0
        if pending.size:
            self._submit(pending)
        self._jobs.put(None)
        self._worker.join()
        if self._failure is not None:
            raise self._failure
        return self.words, self.speech, self._pending_start

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._failure is not None:
                continue
            chunk, start = job
            offset_s = start / ANALYSIS_RATE
            try:
                spans = [
                    Span(span.start_s + offset_s, span.end_s + offset_s)
                    for span in find_speech(chunk)
                ]
                words = self._transcriber.transcribe(chunk, offset_s) if spans else []
            except Exception as exc:  # re-raised by finish(), on the engine's thread
                self._failure = exc
                continue
            self.words.extend(words)
            self.speech.extend(spans)
            if self._on_chunk is not None:
                marked, fillers = mark_fillers(self.words, self._filler_settings)
                until_s = (start + chunk.size) / ANALYSIS_RATE
                self._on_chunk(ChunkTranscribed(list(marked), len(fillers), until_s))


def live_report(
    recording: RecordingResult,
    live: LiveTranscriber,
    question: Question | None,
    settings: Settings,
) -> dict[str, Any]:
    """The answer's report from the chunks: only the last chunk is decoded now."""
    words, speech, samples = live.finish()
    # build_report reads only the length of the signal; zeros are not materialised by the OS.
    length_only = np.zeros(samples, dtype=np.int8)
    return build_report(
        length_only, recording.sample_rate, recording.path, question, settings, words, speech
    )


def transcribe_recording(
    source: AudioSource,
    path: Path,
    question: Question | None,
    settings: Settings,
    transcriber: Transcriber,
    on_event: EventSink,
    controls: _AnswerControls | None = None,
) -> tuple[RecordingResult, dict[str, Any]]:
    """Record one answer from `source` to `path`, transcribing live; returns the report too."""
    live = LiveTranscriber(transcriber, source.sample_rate, settings.fillers, on_event)
    recording = Recording(
        source,
        path,
        max_answer_s=settings.recording.max_answer_s,
        auto_stop_silence_s=settings.recording.auto_stop_silence_s,
        on_block=live.feed,
        on_level=lambda level: on_event(_level_event(level)),
    )
    recording.start()
    if controls is not None:
        controls.recording = recording
        if controls.stopped.is_set():
            recording.stop()
    if question is not None:
        on_event(
            RecordingStarted(
                question,
                path,
                source.sample_rate,
                question.target_min_s,
                question.target_max_s,
                source.description,
            )
        )
    result = recording.wait()
    assert result is not None
    if question is not None:
        on_event(
            RecordingStopped(question, path, result.duration_s, result.reason, result.error)
        )
    return result, live_report(result, live, question, settings)


def _level_event(level: Level) -> LevelMeasured:
    return LevelMeasured(level.rms, level.peak, level.elapsed_s)


class _AnswerControls:
    """What another thread can do to the answer in progress."""

    def __init__(self) -> None:
        self.recording: Recording | None = None
        self.start = threading.Event()
        self.stopped = threading.Event()
        self.abandoned = threading.Event()


SourceFactory = Callable[[Question], AudioSource]


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
        self._player: Any = None
        self._speech_path: Path | None = None

    def _microphone(self, question: Question) -> AudioSource:
        recording = self.settings.recording
        return MicrophoneSource(recording.input_device, recording.sample_rate)

    # -- control, from any thread -----------------------------------------------------------

    def start_answer(self) -> None:
        self._controls.start.set()

    def stop_answer(self) -> None:
        self._controls.start.set()
        self._controls.stopped.set()
        if self._controls.recording is not None:
            self._controls.recording.stop()
        if self._player is not None:
            self._player.stop()

    def abandon(self) -> None:
        self._controls.abandoned.set()
        self.stop_answer()

    def repeat_question(self) -> None:
        if self._player is not None and self._speech_path is not None:
            self._player.play_file(self._speech_path)

    # -- the session, blocking ----------------------------------------------------------------

    def run_session(self, questions: list[Question]) -> int | None:
        """Ask, record and report each question in turn; the session id, or None if none began."""
        try:
            session_id = self.store.create_session([question.id for question in questions])
        except UserError as exc:
            self.on_event(EngineFailed(str(exc)))
            return None
        self.on_event(SessionStarted(session_id, questions))
        reports = []
        for question in questions:
            if self._controls.abandoned.is_set():
                break
            try:
                ready = self.run_answer(session_id, question)
            except UserError as exc:
                self.on_event(EngineFailed(str(exc)))
                return session_id
            reports.append(ready.report)
            self.on_event(ready)
            if ready.report.get("recording_error"):
                self.on_event(EngineFailed(ready.report["recording_error"], ready.recording_path))
                return session_id
        self.on_event(SessionFinished(session_id, reports))
        return session_id

    def run_answer(self, session_id: int, question: Question) -> ReportReady:
        """Speak the question, record and transcribe the answer, save it; the report event."""
        self._controls = _AnswerControls()
        source = self.source_factory(question)  # fails (no microphone) before anything is said
        self._ask(question)
        if not self.settings.practice.auto_start:
            self._controls.start.wait()
        path = self.store.new_recording_path(session_id, question.id)
        self.store.mark_recording_started(session_id, question.id, path)
        self._controls.stopped.clear()  # a stop while the question was spoken only cut it short
        result, report = transcribe_recording(
            source, path, question, self.settings, self.transcriber, self.on_event, self._controls
        )
        if result.error:
            report["recording_error"] = result.error
        answer_id = self.store.add_answer(session_id, question.id, path, report)
        return ReportReady(question, report, session_id, answer_id, path)

    def _ask(self, question: Question) -> None:
        hint = None
        self._speech_path = None
        if self.speak:
            from mock_interview.audio.tts import render_speech

            spoken = render_speech(question.text, self.settings.speech)
            self._speech_path, hint = spoken.path, spoken.hint
        self.on_event(QuestionAsked(question, hint))
        if self._speech_path is not None:
            try:
                self._play(self._speech_path)
            except UserError as exc:
                self.on_event(QuestionAsked(question, f"question not spoken: {exc}"))
        self.on_event(QuestionSpoken(question))

    def _play(self, path: Path) -> None:
        from mock_interview.audio.playback import Player

        if self._player is None:
            self._player = Player(self.settings.recording.output_device)
        self._player.play_file(path)
        self._player.wait()


@dataclass(frozen=True)
class RecoveredAnswer:
    """An answer whose recording was cut off (crash, kill): repaired and analysed, or why not."""

    row: AnswerRow
    report: dict[str, Any] | None
    problem: str | None


def unfinished_answers(store: Store) -> list[AnswerRow]:
    """Answers left recording by a crash, their WAV headers repaired; offer them to the user."""
    rows = store.unfinished_recordings()
    for row in rows:
        if row.recording_path is not None and row.recording_path.is_file():
            repair_wav(row.recording_path)
    return rows


def recover_answer(
    store: Store,
    row: AnswerRow,
    questions: dict[str, Question],
    settings: Settings,
    transcriber: Transcriber,
) -> RecoveredAnswer:
    """Analyse a repaired recording and complete its answer; a problem is said, never dropped."""
    if row.recording_path is None or not row.recording_path.is_file():
        return RecoveredAnswer(row, None, f"the recording of answer {row.id} is missing")
    try:
        repair_wav(row.recording_path)
        report = analyze_file(
            row.recording_path, questions.get(row.question_id), settings, transcriber
        )
    except UserError as exc:
        return RecoveredAnswer(row, None, str(exc))
    store.update_answer_report(row.id, report)
    return RecoveredAnswer(row, report, None)


class _ConsoleReporter:
    """`mock-interview practice` in a plain terminal: progress on stderr, reports on stdout."""

    def __init__(self, output_format: str) -> None:
        self.output_format = output_format
        self.reports: list[dict[str, Any]] = []
        self.failure: str | None = None

    def __call__(self, event: EngineEvent) -> None:
        if isinstance(event, QuestionAsked):
            _say(f"\nQuestion: {event.question.text}")
            if event.speech_hint:
                _say(event.speech_hint)
        elif isinstance(event, RecordingStarted):
            target = f"{clock(event.target_min_s)}–{clock(event.target_max_s)}"
            _say(f"Recording ({event.source}); target {target}. Press Enter to stop.")
        elif isinstance(event, RecordingStopped):
            _say(f"Stopped after {clock(event.duration_s)}; finishing the transcript ...")
        elif isinstance(event, ReportReady):
            report = {
                **event.report,
                "session_id": event.session_id,
                "recording_path": str(event.recording_path),
            }
            self.reports.append(report)
            if self.output_format == "text":
                print(render_text(report), flush=True)
        elif isinstance(event, EngineFailed):
            self.failure = event.message


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def practice_command(args: Any) -> int:
    """Handler of `mock-interview practice`: the whole loop without the TUI."""
    settings = load_settings()
    bank = load_questions()
    chosen = args.question or settings.practice.default_questions
    questions = [find_question(bank, question_id) for question_id in chosen]
    recording = settings.recording
    if args.max_seconds is not None:
        recording = replace(recording, max_answer_s=args.max_seconds)
    if args.input_device is not None:
        recording = replace(recording, input_device=args.input_device)
    settings = replace(settings, recording=recording)
    source_factory: SourceFactory | None = None
    if args.answer_file is not None:
        answer_file = args.answer_file
        FileSource(answer_file)  # a bad file fails here, before the model loads
        source_factory = lambda question: FileSource(answer_file)  # noqa: E731
    else:
        find_device(recording.input_device, "input")  # no microphone: exit 2 before anything else
    transcriber = Transcriber(settings.transcription)
    reporter = _ConsoleReporter(args.format)
    with Store.open_default() as store:
        for row in unfinished_answers(store):
            recovered = recover_answer(store, row, bank, settings, transcriber)
            _say(
                f"Recovered the unfinished recording {row.recording_path}: "
                + (recovered.problem or "repaired, analysed and saved")
            )
        engine = PracticeEngine(
            settings, transcriber, store, reporter, speak=not args.no_speak,
            source_factory=source_factory,
        )
        threading.Thread(target=_stop_on_enter, args=(engine,), daemon=True).start()
        engine.run_session(questions)
    if args.format == "json":
        print(json.dumps(reporter.reports, indent=2))
    if reporter.failure:
        print(f"mock-interview: {reporter.failure}", file=sys.stderr)
        return 2
    return 0


def _stop_on_enter(engine: PracticeEngine) -> None:
    """Each Enter stops the answer being recorded; end of input (no terminal) does nothing."""
    for _line in sys.stdin:
        engine.stop_answer()
