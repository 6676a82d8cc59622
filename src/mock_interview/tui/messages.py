"""Messages posted from worker threads to the UI: small dataclasses named for what happened."""

from __future__ import annotations

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
    """An event of the live engine (`live.EngineEvent`: QuestionAsked, LevelMeasured, …),
    carried from the engine's threads to the interview screen as it happened."""

    event: object
