"""The question, spoken: pyttsx3 (eSpeak NG on Linux) renders it to a WAV that is played like audio.

Rendering to a file rather than speaking directly lets the player interrupt it, replay it and send
it to the chosen output device, and lets tests check what came out. Files are cached per text,
voice and rate. Where pyttsx3 or its speech engine is missing, the caller gets None and one line
saying how to get speech; the question is then shown as text only.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_interview.config import SpeechSettings
from mock_interview.paths import cache_dir

SPEECH_HINT = (
    "Speech unavailable ({reason}): install it with `sudo apt-get install espeak-ng` "
    "and `pip install pyttsx3`; questions are shown as text"
)
_render_lock = threading.Lock()
_engine: Any = None


@dataclass(frozen=True)
class SpeechResult:
    """The rendered question (`path`), or None and a `hint` saying why speech is unavailable."""

    path: Path | None
    hint: str | None = None


def speech_file(text: str, voice: str, rate: int) -> Path:
    key = hashlib.sha256(f"{voice}\n{rate}\n{text}".encode()).hexdigest()[:24]
    return cache_dir() / "speech" / f"{key}.wav"


def render_speech(text: str, settings: SpeechSettings) -> SpeechResult:
    """The question as a WAV in the cache (rendered once); never raises for missing speech."""
    target = speech_file(text, settings.voice, settings.rate)
    if target.is_file():
        return SpeechResult(target)
    with _render_lock:  # pyttsx3 has one engine per process and is not thread-safe
        try:
            engine = _speech_engine()
            _select_voice(engine, settings.voice)
            engine.setProperty("rate", settings.rate)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = target.with_suffix(f".{os.getpid()}.part.wav")
            engine.save_to_file(text, str(partial))
            with contextlib.redirect_stdout(io.StringIO()):  # it prints "Audio saved to ..."
                engine.runAndWait()
        except LookupError as exc:
            return SpeechResult(None, f"Speech unavailable: {exc}; questions are shown as text")
        except (ImportError, OSError, RuntimeError) as exc:
            return SpeechResult(None, SPEECH_HINT.format(reason=_reason(exc)))
    if not partial.is_file() or partial.stat().st_size <= 44:
        partial.unlink(missing_ok=True)
        return SpeechResult(None, SPEECH_HINT.format(reason="the speech engine wrote no audio"))
    partial.replace(target)
    return SpeechResult(target)


def _speech_engine() -> Any:
    global _engine
    if _engine is None:
        import pyttsx3

        _engine = pyttsx3.init()
    return _engine


def _select_voice(engine: Any, wanted: str) -> None:
    """A voice by id or a fragment of its name; empty keeps the engine's default."""
    if not wanted:
        return
    for voice in engine.getProperty("voices"):
        if wanted == voice.id or wanted.lower() in str(voice.name).lower():
            engine.setProperty("voice", voice.id)
            return
    raise LookupError(f"no voice matches '{wanted}' (setting speech.voice)")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ImportError):
        return "pyttsx3 is not installed"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text
