"""`mock-interview practice`: the whole loop in a plain terminal, progress on stderr, reports on
stdout."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import replace
from typing import Any

from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.devices import find_device
from mock_interview.audio.recorder import FileSource
from mock_interview.core.config import (
    StructureSettings,
    find_question,
    load_questions,
    load_settings,
)
from mock_interview.session.engine import (
    EngineEvent,
    EngineFailed,
    PracticeEngine,
    QuestionAsked,
    RecordingStarted,
    RecordingStopped,
    ReportReady,
    SourceFactory,
)
from mock_interview.session.recovery import RecorderLock, recover_unfinished
from mock_interview.storage.database import Store
from mock_interview.views.answer import clock, render_text


class _ConsoleReporter:
    """`mock-interview practice` in a plain terminal: progress on stderr, reports on stdout."""

    def __init__(self, output_format: str, targets: StructureSettings) -> None:
        self.output_format = output_format
        self.targets = targets
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
            self.reports.append(
                {
                    **event.report.to_json(),
                    "session_id": event.session_id,
                    "recording_path": str(event.recording_path),
                }
            )
            if self.output_format == "text":
                print(render_text(event.report, self.targets), flush=True)
        elif isinstance(event, EngineFailed):
            self.failure = event.message


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def practice_command(args: argparse.Namespace) -> int:
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
    reporter = _ConsoleReporter(args.format, settings.structure)
    # The lock first: a second recorder is told at once, before the model loads.
    with Store.open_default() as store, RecorderLock(store) as lock:
        transcriber = Transcriber(settings.transcription)
        for recovered in recover_unfinished(lock, store, bank, settings, transcriber):
            _say(
                f"Recovered the unfinished recording {recovered.row.recording_path}: "
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
