"""Crash recovery under one recorder per data folder.

Whoever records (`practice`, the TUI's interview) first takes the `RecorderLock`, an flock the OS
drops when the holder dies, even by kill -9. Only its holder may repair cut-off answers
(`recover_unfinished`), so a recording another process is still writing is never taken for a
crashed one. A cut-off follow-up is analysed with its own question and target band, and
its score with the prompt is saved as the engine would have.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self

from mock_interview.analysis.analyze import analyze_file
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.analysis.coaching import coaching_for_follow_up
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.recorder import repair_wav
from mock_interview.core.config import Question, Settings
from mock_interview.core.errors import UserError
from mock_interview.rubric.loading import load_rubric
from mock_interview.session.follow_up import follow_up_question, score_with_prompt
from mock_interview.storage.database import AnswerRow, FollowUpLink, Store

RECORDER_LOCK_NAME = "recorder.lock"


class RecorderLock:
    """The right to record into one data folder (and to repair its cut-off answers): an exclusive
    flock on a file there. The OS drops it when the holder exits, however it ends (kill -9 too),
    so a lock never outlives its recorder and needs no cleaning up."""

    def __init__(self, store: Store) -> None:
        self.path = store.db_path.parent / RECORDER_LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> Self:
        """Take the lock at once, or say (as a UserError) that another recorder has it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise UserError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UserError(
                f"another mock-interview is recording into {self.path.parent}; "
                "finish or close it first"
            ) from None
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class RecoveredAnswer:
    """An answer whose recording was cut off (crash, kill): repaired and analysed, or why not."""

    row: AnswerRow
    report: AnswerAnalysis | None
    problem: str | None


def unfinished_answers(store: Store) -> list[AnswerRow]:
    """Answers left recording by a crash, their WAV headers repaired; offer them to the user."""
    rows = store.unfinished_recordings()
    for row in rows:
        if row.recording_path is not None and row.recording_path.is_file():
            repair_wav(row.recording_path)
    return rows


def recover_unfinished(
    lock: RecorderLock,
    store: Store,
    questions: dict[str, Question],
    settings: Settings,
    transcriber: Transcriber,
) -> Iterator[RecoveredAnswer]:
    """Repair, analyse and save each answer a crash cut off, one by one (the CLI's and the TUI's
    one recovery loop). Only the recorder lock's holder may: another recorder's answer is unfinished
    because it is still being written."""
    if not lock.held:
        raise UserError("cut-off answers are repaired only by the one recorder of a data folder")
    for row in unfinished_answers(store):
        yield recover_answer(store, row, questions, settings, transcriber)


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
    question = questions.get(row.question_id)
    if question is not None and row.follow_up is not None:
        question = follow_up_question(
            question, row.follow_up.question, row.follow_up.criterion, settings.practice
        )
    try:
        repair_wav(row.recording_path)
        report = analyze_file(row.recording_path, question, settings, transcriber)
        if row.follow_up is not None:
            rules = load_rubric(settings=settings)
            long_pause_s = settings.analysis.long_pause_s
            report = coaching_for_follow_up(report, row.follow_up.criterion, rules, long_pause_s)
        store.update_answer_report(row.id, report)
        if row.follow_up is not None:
            _save_score_with_prompt(store, row.id, row.follow_up, report, settings)
    except UserError as exc:
        return RecoveredAnswer(row, None, str(exc))
    return RecoveredAnswer(row, report, None)


def _save_score_with_prompt(
    store: Store, answer_id: int, link: FollowUpLink, report: AnswerAnalysis, settings: Settings
) -> None:
    """A recovered follow-up's credit, as the engine would have given it (for this follow-up
    alone: an earlier follow-up of the same answer is not counted again)."""
    main = store.answer(link.main_answer_id)
    if main.report is None or main.report.rubric is None or main.report.question is None:
        return
    score = score_with_prompt(
        main.report.rubric.score,
        [(link.criterion, report.criterion_met(link.criterion))],
        main.report.question.kind,
        load_rubric(settings=settings),
        settings.practice.follow_up_credit,
    )
    store.set_score_with_prompt(answer_id, score)
