"""Where the candidate is speaking, from the signal itself.

Whisper's word timestamps stretch across silences and often put the first word at 0.0 s, so
latency and pauses are measured on the audio and the words are aligned to it afterwards. The
detector is Silero VAD, which ships inside faster-whisper (no download): on real recordings with a
noise floor only ~20 dB under the speech, an energy threshold cut soft words out of the answer,
while Silero found every pause edge within 0.1 s of the forced alignment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.core.values import Span


@dataclass(frozen=True)
class SpeechDetectionOptions:
    """What Silero VAD calls speech (faster-whisper's `VadOptions`, the fields this app tunes).

    They decide where pauses are measured and where chunks are cut, so changing one changes
    the reports; `scripts/eval_fillers.py --set speech.FIELD=VALUE` sweeps one.
    """

    # Silence shorter than this (ms) stays inside one stretch of speech (stops, breaths between
    # words): lower splits words apart, higher hides short pauses.
    min_silence_ms: int = 250
    # Bursts shorter than this (ms) are clicks, not speech; higher drops short words ("so").
    min_speech_ms: int = 100
    # Padding Silero adds around speech (ms); small, so pause edges stay where the voice stops,
    # at the risk of clipping a soft word's ends.
    speech_pad_ms: int = 30


DEFAULTS = SpeechDetectionOptions()


def find_speech(
    samples: np.ndarray, rate: int = ANALYSIS_RATE, options: SpeechDetectionOptions = DEFAULTS
) -> list[Span]:
    """Stretches of speech in time order; empty for silence or steady noise."""
    # onnxruntime, which runs Silero VAD, would send usage telemetry from native code and keep an
    # events database under ~/.cache/Microsoft; it reads this before creating its environment.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if rate != ANALYSIS_RATE:
        raise ValueError(f"find_speech needs {ANALYSIS_RATE} Hz audio, got {rate}")
    if samples.size == 0:
        return []
    vad = VadOptions(
        min_silence_duration_ms=options.min_silence_ms,
        min_speech_duration_ms=options.min_speech_ms,
        speech_pad_ms=options.speech_pad_ms,
    )
    stamps = get_speech_timestamps(samples, vad)
    return [
        Span(round(stamp["start"] / rate, 3), round(stamp["end"] / rate, 3)) for stamp in stamps
    ]
