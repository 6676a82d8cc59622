"""Where the candidate is speaking, from the signal itself.

Whisper's word timestamps stretch across silences and often put the first word at 0.0 s, so
latency and pauses are measured on the audio and the words are aligned to it afterwards. The
detector is Silero VAD, which ships inside faster-whisper (no download): on real recordings with a
noise floor only ~20 dB under the speech, an energy threshold cut soft words out of the answer,
while Silero found every pause edge within 0.1 s of the forced alignment. Silero also hears a
second voice in the room (a colleague, a television), which would start the answer early and
fill its pauses: `own_speech` drops the stretches far fainter than the candidate's voice.
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
    # Speech this far (dB) under the loud part of the candidate's (the 95th percentile of its
    # 20-ms frames in the chunk), for `min_silence_ms` or longer, is another voice in the room (a
    # colleague, a television): it neither starts the answer nor fills a pause. Chosen on the
    # filler model's training voices with a second voice at -25 dB (every value from 12 to 23
    # placed every pause); lower cuts a candidate's soft words, higher lets the far voice in.
    faint_below_db: float = 20.0


DEFAULTS = SpeechDetectionOptions()


FRAME_S = 0.02
LOUD_PERCENTILE = 95


def frame_levels(samples: np.ndarray, frame_s: float) -> np.ndarray:
    """The level (dBFS) of each whole `frame_s` frame of 16 kHz `samples`."""
    frame = int(frame_s * ANALYSIS_RATE)
    count = samples.size // frame
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    return np.asarray(10 * np.log10(np.maximum(np.mean(frames**2, axis=1), 1e-12)))


def own_speech(
    samples: np.ndarray, speech: list[Span], options: SpeechDetectionOptions = DEFAULTS
) -> list[Span]:
    """`speech` (Silero's, in `samples`) without the stretches too faint to be the candidate's:
    a second voice at -25 dB is speech to Silero, and would fill every pause."""
    levels = frame_levels(samples, FRAME_S)
    if not speech or not levels.size:
        return speech
    inside = np.zeros(levels.size, dtype=bool)
    for span in speech:
        inside[int(span.start_s / FRAME_S) : int(np.ceil(span.end_s / FRAME_S))] = True
    if not inside.any():
        return speech
    faint = levels < np.percentile(levels[inside], LOUD_PERCENTILE) - options.faint_below_db
    shortest_faint = options.min_silence_ms / 1000 / FRAME_S
    kept: list[Span] = []
    for span in speech:
        start_s = span.start_s
        for first, last in _runs(faint, int(span.start_s / FRAME_S), int(span.end_s / FRAME_S)):
            if last - first >= shortest_faint:
                kept.append(Span(start_s, round(first * FRAME_S, 3)))
                start_s = round(last * FRAME_S, 3)
        kept.append(Span(start_s, span.end_s))
    shortest_s = options.min_speech_ms / 1000
    return [span for span in kept if span.duration_s >= shortest_s]


def _runs(flags: np.ndarray, first: int, last: int) -> list[tuple[int, int]]:
    """The runs of set flags within `flags[first:last]`, as (start, end) frame indices."""
    padded = np.r_[False, flags[first:last], False].astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(first + int(a), first + int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


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
