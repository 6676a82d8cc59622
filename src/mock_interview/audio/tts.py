"""The question, spoken: pyttsx3 (eSpeak NG on Linux) renders it to a WAV that is played like audio.

Rendering to a file rather than speaking directly lets the player interrupt it, replay it and send
it to the chosen output device, and lets tests check what came out. Each rendering runs in a
child process (see `_render`), and its WAV is read back before it is used: a render that wrote no
audio is tried again, a few times. Files are cached per text, voice and rate. Where pyttsx3 or its
speech engine is missing or keeps failing, the caller gets None and one line saying why; the
question is then shown as text only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import wave
from dataclasses import dataclass
from pathlib import Path

from mock_interview.core.config import SpeechSettings
from mock_interview.core.paths import cache_dir

SPEECH_HINT = (
    "Speech unavailable ({reason}): install it with `sudo apt-get install espeak-ng` "
    "and `pip install pyttsx3`; questions are shown as text"
)
RENDER_FAILED_HINT = "Speech failed ({reason}, {attempts} tries); the question is shown as text"
RENDER_ATTEMPTS = 3
_RENDER_TIMEOUT_S = 30.0
_POLL_S = 0.05
_NO_ENGINE = 1
_NO_SUCH_VOICE = 3


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
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part.wav")
    voice, rate = settings.voice, str(settings.rate)
    command = [sys.executable, "-m", __name__, text, voice, rate, str(partial)]
    reason = "the speech engine wrote no audio"
    for _ in range(RENDER_ATTEMPTS):
        partial.unlink(missing_ok=True)
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=_RENDER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            reason = "the speech engine did not answer"
            continue
        said = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "it failed"
        if run.returncode == _NO_SUCH_VOICE:
            return SpeechResult(None, f"Speech unavailable: {said}; questions are shown as text")
        if run.returncode == _NO_ENGINE:
            return SpeechResult(None, SPEECH_HINT.format(reason=said))
        if run.returncode == 0 and _has_audio(partial):
            partial.replace(target)
            return SpeechResult(target)
        reason = said if run.returncode != 0 else "the speech engine wrote no audio"
    partial.unlink(missing_ok=True)
    return SpeechResult(None, RENDER_FAILED_HINT.format(reason=reason, attempts=RENDER_ATTEMPTS))


def _has_audio(path: Path) -> bool:
    """True for a complete WAV holding sound: every frame its header counts is there, not all 0."""
    try:
        with wave.open(str(path), "rb") as wav:
            expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
            data = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error):
        return False
    return expected > 0 and len(data) == expected and bool(data.strip(b"\0"))


def _render(text: str, voice: str, rate: int, path: str) -> int:
    """In a child process: pyttsx3 keeps one engine per process, which misbehaves when reused
    (settings not applied, files not finished), and a stuck engine can be killed from outside."""
    try:
        import pyttsx3

        engine = pyttsx3.init()
    except ImportError:
        print("pyttsx3 is not installed", file=sys.stderr)
        return _NO_ENGINE
    except (OSError, RuntimeError) as exc:
        print(str(exc).strip() or "no speech engine", file=sys.stderr)
        return _NO_ENGINE
    if voice:
        matches = [
            candidate.id
            for candidate in engine.getProperty("voices")
            if voice == candidate.id or voice.lower() in str(candidate.name).lower()
        ]
        if not matches:
            print(f"no voice matches '{voice}' (setting speech.voice)", file=sys.stderr)
            return _NO_SUCH_VOICE
        engine.setProperty("voice", matches[0])
    engine.setProperty("rate", rate)
    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    engine.save_to_file(text, path)
    engine.runAndWait()
    # The eSpeak driver returns from runAndWait while eSpeak still speaks in its own thread
    # (nateshmbhat/pyttsx3#219) and writes the file just before it reports the utterance
    # finished; other drivers may write it without reporting. The parent's timeout bounds this.
    while not finished.wait(_POLL_S) and not _has_audio(Path(path)):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(_render(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
