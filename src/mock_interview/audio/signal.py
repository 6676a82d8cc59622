"""Where the candidate is speaking, from the signal itself.

Whisper's word timestamps stretch across silences and often put the first word at 0.0 s, so
latency and pauses are measured on the audio and the words are aligned to it afterwards. The
detector is Silero VAD, which ships inside faster-whisper (no download): on real recordings with a
noise floor only ~20 dB under the speech, an energy threshold cut soft words out of the answer,
while Silero found every pause edge within 0.1 s of the forced alignment.
"""

from __future__ import annotations

import os

import numpy as np

from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.core.values import Span

# Silence shorter than this stays inside one stretch of speech (stops, breaths between words).
_MIN_SILENCE_MS = 250
# Bursts shorter than this are clicks, not speech.
_MIN_SPEECH_MS = 100
# Padding Silero adds around speech; small, so pause edges stay where the voice stops.
_SPEECH_PAD_MS = 30


def find_speech(samples: np.ndarray, rate: int = ANALYSIS_RATE) -> list[Span]:
    """Stretches of speech in time order; empty for silence or steady noise."""
    # onnxruntime, which runs Silero VAD, would send usage telemetry from native code and keep an
    # events database under ~/.cache/Microsoft; it reads this before creating its environment.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if rate != ANALYSIS_RATE:
        raise ValueError(f"find_speech needs {ANALYSIS_RATE} Hz audio, got {rate}")
    if samples.size == 0:
        return []
    options = VadOptions(
        min_silence_duration_ms=_MIN_SILENCE_MS,
        min_speech_duration_ms=_MIN_SPEECH_MS,
        speech_pad_ms=_SPEECH_PAD_MS,
    )
    stamps = get_speech_timestamps(samples, options)
    return [
        Span(round(stamp["start"] / rate, 3), round(stamp["end"] / rate, 3)) for stamp in stamps
    ]
