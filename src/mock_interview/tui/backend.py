"""The audio boundary of the TUI: the model, the sound devices, the engine and the player.

The app talks to sound and the model only through a `Backend`, so tests swap in fakes with the
same interface here and nowhere else; `RealBackend` hands each call to the core.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mock_interview.core.config import Question, Settings
from mock_interview.storage.database import Store

if TYPE_CHECKING:  # the engine pulls in the audio stack: not needed to paint Home
    from mock_interview.asr.whisper import Transcriber
    from mock_interview.session.engine import EventSink


class Player(Protocol):
    """Playback on the output device (as `audio.playback.Player`): non-blocking controls."""

    @property
    def position_s(self) -> float: ...

    @property
    def duration_s(self) -> float: ...

    @property
    def playing(self) -> bool: ...

    def play_file(self, path: Path, start_s: float = 0.0) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def seek(self, position_s: float) -> None: ...

    def stop(self) -> None: ...


class Engine(Protocol):
    """The practice engine's controls (`session.engine.PracticeEngine`), from any thread."""

    def run_session(self, questions: list[Question]) -> int | None: ...

    def start_answer(self) -> None: ...

    def stop_answer(self) -> None: ...

    def repeat_question(self) -> None: ...

    def abandon(self) -> None: ...


class Backend(Protocol):
    def load_transcriber(self, settings: Settings) -> Transcriber: ...

    def microphone(self, settings: Settings) -> str:
        """The input device's description; raises UserError when there is none."""
        ...

    def speech_problem(self, text: str, settings: Settings) -> str | None:
        """Why `text` cannot be spoken aloud (and how to fix it), or None when it can."""
        ...

    def open_player(self, settings: Settings) -> Player:
        """The output device, ready to play; raises UserError when there is none."""
        ...

    def speak(self, text: str, settings: Settings) -> None:
        """Say `text` on the output device; blocks until it has been heard."""
        ...

    def engine(
        self,
        settings: Settings,
        transcriber: Transcriber,
        store: Store,
        on_event: EventSink,
        demo: bool,
    ) -> Engine:
        """The engine for one session; in demo mode a sample answer is the candidate."""
        ...
