"""The real audio boundary: the whisper model, PortAudio devices, eSpeak NG and the live engine.

Imported only when the app runs for real, so tests with fakes never touch a sound device.
"""

from __future__ import annotations

from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.devices import find_device
from mock_interview.audio.playback import Player
from mock_interview.audio.recorder import AudioSource, FileSource
from mock_interview.audio.tts import render_speech
from mock_interview.core.config import Question, Settings
from mock_interview.core.errors import UserError
from mock_interview.core.paths import samples_dir
from mock_interview.session.engine import EventSink, PracticeEngine
from mock_interview.storage.database import Store

# The sample answer that plays the candidate's part in demo mode, by question kind: a strong
# answer for a goal achieved, a hesitant one for a goal missed, so the reports differ visibly.
DEMO_SAMPLES = {
    "achieved": "goal_achieved_strong.flac",
    "missed": "goal_missed_weak.flac",
    "general": "goal_achieved_short.mp3",
}


def demo_source(question: Question) -> AudioSource:
    """A sample answer fed at real-time pace through the same path as the microphone."""
    path = samples_dir() / DEMO_SAMPLES[question.kind]
    if not path.is_file():
        raise UserError(f"demo sample {path} is missing; reinstall mock-interview")
    return FileSource(path, pace=1.0)


class RealBackend:
    def load_transcriber(self, settings: Settings) -> Transcriber:
        return Transcriber(settings.transcription)

    def microphone(self, settings: Settings) -> str:
        return find_device(settings.recording.input_device, "input").name

    def speech_problem(self, text: str, settings: Settings) -> str | None:
        """Renders `text` (the first question, so it is cached) and looks for a speaker."""
        if not settings.speech.enabled:
            return "off (speech.enabled = false in the settings); questions are shown as text"
        hint = render_speech(text, settings.speech).hint
        if hint:
            return hint
        try:
            find_device(settings.recording.output_device, "output")
        except UserError as error:
            return f"{error}; questions are shown as text"
        return None

    def open_player(self, settings: Settings) -> Player:
        return Player(settings.recording.output_device)

    def speak(self, text: str, settings: Settings) -> None:
        spoken = render_speech(text, settings.speech)
        if spoken.path is None:
            raise UserError(spoken.hint or "speech is unavailable")
        player = self.open_player(settings)
        player.play_file(spoken.path)
        player.wait()

    def engine(
        self,
        settings: Settings,
        transcriber: Transcriber,
        store: Store,
        on_event: EventSink,
        demo: bool,
    ) -> PracticeEngine:
        return PracticeEngine(
            settings,
            transcriber,
            store,
            on_event,
            source_factory=demo_source if demo else None,
        )
