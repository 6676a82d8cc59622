"""`mock-interview practice`: the whole loop in a plain terminal, progress on stderr, reports on
stdout.

`--answer-file` (repeatable) plays recordings as the candidate, one per answer in the order they
are asked, follow-ups included: two questions and one follow-up take three files. They play as
fast as they are transcribed (nobody hears them, and cuts depend only on the audio, so the report
is the one real-time playback gives); `--answer-pace 1` plays them at speaking pace instead, to
watch the live transcript as it would run. When the files run out at a follow-up, the follow-up is
not asked (said on stderr); when they run out before a main question, that is said in one line and
the exit status is 2; what was recorded is kept. With `--format json` the
output is what `report SESSION_ID --format json` prints for the session just recorded.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import replace
from pathlib import Path

from mock_interview.analysis.story import Story
from mock_interview.analysis.story_check import SpokenCheck
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.devices import find_device
from mock_interview.audio.recorder import AudioSource, FileSource
from mock_interview.core.config import (
    Question,
    Settings,
    StructureSettings,
    find_question,
    load_questions,
    load_settings,
)
from mock_interview.core.errors import UserError
from mock_interview.rubric import load_rubric
from mock_interview.session.engine import (
    EngineEvent,
    EngineFailed,
    FollowUpSkipped,
    NoAnswerSource,
    PracticeEngine,
    QuestionAsked,
    RecordingStarted,
    RecordingStopped,
    ReportReady,
    SourceFactory,
)
from mock_interview.session.follow_up import check_follow_ups
from mock_interview.session.recovery import RecorderLock, recover_unfinished
from mock_interview.storage.database import Store
from mock_interview.storage.stories import link_answer, story
from mock_interview.views.answer import clock, follow_up_heading, follow_up_outcome, render_text
from mock_interview.views.session import load_session_report, session_json
from mock_interview.views.stories import StoryChecker, render_spoken_text


class _ConsoleReporter:
    """`mock-interview practice` in a plain terminal: progress on stderr, reports on stdout.
    With a story, each answer is linked to it and gains its story check."""

    def __init__(
        self,
        output_format: str,
        targets: StructureSettings,
        practice: _StoryPractice | None = None,
    ) -> None:
        self.output_format = output_format
        self.targets = targets
        self.practice = practice
        self.failure: str | None = None
        self._main_scores: dict[int, int | None] = {}

    def __call__(self, event: EngineEvent) -> None:
        if isinstance(event, QuestionAsked):
            link = event.follow_up
            asked = (
                f"Question: {event.question.text}"
                if link is None
                else follow_up_heading(link.criterion, link.question)
            )
            _say(f"\n{asked}")
            if event.speech_hint:
                _say(event.speech_hint)
        elif isinstance(event, RecordingStarted):
            target = f"{clock(event.target_min_s)}–{clock(event.target_max_s)}"
            _say(f"Recording ({event.source}); target {target}. Press Enter to stop.")
        elif isinstance(event, RecordingStopped):
            _say(f"Stopped after {clock(event.duration_s)}; finishing the transcript ...")
        elif isinstance(event, ReportReady):
            rubric = event.report.rubric
            story_text = None
            if event.follow_up is None:
                self._main_scores[event.answer_id] = None if rubric is None else rubric.score
                if self.practice is not None:  # the story is told in the main answer
                    check = self.practice.answered(event)
                    story_text = render_spoken_text(self.practice.told, check)
            if self.output_format == "text":
                if event.follow_up is None:
                    print(render_text(event.report, self.targets), flush=True)
                else:  # a 20-60 s reply is no story: no story targets, only what it was asked
                    print(render_text(event.report, probed=event.follow_up.criterion), flush=True)
                    print(self._outcome(event), flush=True)
                if story_text is not None:
                    print(story_text, flush=True)
        elif isinstance(event, FollowUpSkipped):
            _say(f"Follow-up ({event.follow_up.criterion}) not asked: {event.reason}")
        elif isinstance(event, EngineFailed):
            self.failure = event.message

    def _outcome(self, event: ReportReady) -> str:
        assert event.follow_up is not None
        criterion = event.follow_up.criterion
        recovered = event.report.criterion_met(criterion)
        main_score = self._main_scores.get(event.follow_up.main_answer_id)
        return "\n" + follow_up_outcome(criterion, recovered, main_score, event.score_with_prompt)


def _answer_files(paths: list[Path], pace: float) -> SourceFactory:
    """One recording per answer, in order (follow-ups included), fed at `pace` (1 = speaking
    pace, 0 = as fast as it is transcribed); running out is one line."""
    for path in paths:
        FileSource(path)  # a bad file fails here, before the model loads
    remaining = iter(paths)

    def next_file(question: Question) -> AudioSource:
        path = next(remaining, None)
        if path is None:
            raise NoAnswerSource(
                f"no --answer-file left for \"{question.text}\" ({len(paths)} given: one per "
                "answer, follow-ups included)"
            )
        return FileSource(path, pace)

    return next_file


class _StoryPractice:
    """The story being told: each answer is linked to it and checked against it."""

    def __init__(self, store: Store, told: Story, settings: Settings) -> None:
        self.store = store
        self.told = told
        self.checker = StoryChecker.from_settings(settings)

    def answered(self, event: ReportReady) -> SpokenCheck:
        link_answer(self.store, event.answer_id, self.told.id)
        return self.checker.spoken(self.told, event.report)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def practice_command(args: argparse.Namespace) -> int:
    """Handler of `mock-interview practice`: the whole loop without the TUI."""
    settings = load_settings()
    bank = load_questions()
    told = None
    if args.story is not None:
        with Store.open_default() as store:
            told = story(store, args.story)
    chosen = args.question or (
        [told.question_id] if told else settings.practice.default_questions
    )
    questions = [find_question(bank, question_id) for question_id in chosen]
    if told is not None:
        for question in questions:
            if question.kind != told.kind:
                raise UserError(
                    f"story {told.id} is a goal {told.kind}; question {question.id} asks for"
                    f" {question.kind} (leave out --question to use {told.question_id})"
                )
    recording = settings.recording
    if args.max_seconds is not None:
        recording = replace(recording, max_answer_s=args.max_seconds)
    if args.input_device is not None:
        recording = replace(recording, input_device=args.input_device)
    settings = replace(settings, recording=recording)
    check_follow_ups(settings.practice, bank, load_rubric(settings=settings))  # before the model
    source_factory: SourceFactory | None = None
    if args.answer_file:
        source_factory = _answer_files(args.answer_file, args.answer_pace)
    else:
        find_device(recording.input_device, "input")  # no microphone: exit 2 before anything else
    # The lock first: a second recorder is told at once, before the model loads.
    with Store.open_default() as store, RecorderLock(store) as lock:
        reporter = _ConsoleReporter(
            args.format,
            settings.structure,
            None if told is None else _StoryPractice(store, told, settings),
        )
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
        session_id = engine.run_session(questions)
        if args.format == "json" and session_id is not None:
            print(json.dumps(session_json(load_session_report(store, session_id)), indent=2))
    if reporter.failure:
        print(f"mock-interview: {reporter.failure}", file=sys.stderr)
        return 2
    return 0


def _stop_on_enter(engine: PracticeEngine) -> None:
    """Each Enter stops the answer being recorded; end of input (no terminal) does nothing."""
    for _line in sys.stdin:
        engine.stop_answer()
