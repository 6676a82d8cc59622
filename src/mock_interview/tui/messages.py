"""Messages to the app, small dataclasses named for what happened: worker threads report what they
found, and screens that stay open say what the user asked for. Only the app handles them (it is
the one router); a screen that closes returns its result with `dismiss` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message


@dataclass
class ModelLoaded(Message):
    """The whisper model is in memory; sessions can be transcribed."""

    description: str


@dataclass
class ModelFailed(Message):
    message: str


@dataclass
class DevicesProbed(Message):
    """What the machine offers: a line each for the microphone and the spoken questions."""

    microphone: str | None
    microphone_problem: str | None
    speech_problem: str | None


@dataclass
class EngineReported(Message):
    """An event of the live engine (`session.engine.EngineEvent`: QuestionAsked, LevelMeasured, …),
    carried from the engine's threads to the interview screen as it happened."""

    event: object


@dataclass
class SessionRequested(Message):
    """Home: the user chose questions to answer, with the microphone or a sample answer."""

    question_ids: list[str]
    demo: bool


@dataclass
class HistoryRequested(Message):
    """Home: the user asked for every past answer."""


@dataclass
class StoriesRequested(Message):
    """Home: the user opened their story bank."""


@dataclass
class ReportRequested(Message):
    """History: the user opened a session's report, at one answer's tab when given."""

    session_id: int
    answer_id: int | None = None


@dataclass
class ReplayRequested(Message):
    """History or Report: the user asked to hear an answer again."""

    answer_id: int


@dataclass
class CompareRequested(Message):
    """History: the user marked two answers to compare; Report: the user asked to compare an
    answer with the previous attempt at its question (`earlier_id` None)."""

    answer_id: int
    earlier_id: int | None = None


@dataclass
class ExportRequested(Message):
    """Report: the user asked for the session as one HTML file."""

    session_id: int


@dataclass
class QuestionAudioRequested(Message):
    """Replay: the user asked to hear the question again."""

    question_id: str


@dataclass
class ConfirmRequested(Message):
    """A screen asked the user a yes/no question; `on_yes` runs only when the answer is yes."""

    question: str
    yes: str
    no: str
    on_yes: Callable[[], None]
