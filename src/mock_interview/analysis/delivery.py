"""How the answer sounded: pitch variety, uptalk, loudness and rate (issue 17, part 1).

Everything is read from the voice's contour (`audio/contour.py`: F0 and level every 10 ms,
tracked per chunk as the answer is transcribed), the words and the speech stretches, and only
inside the answer's speech: the question heard through the speaker, and the silence around the
answer, never count. Each threshold is a `DeliverySettings` value with its source in
`config/settings.toml`.

- Pitch variety: the spread of F0 from its 10th to its 90th percentile in semitones, over the
  answer and per window. Monotone when most windows are flat; medium variety is rated best by
  listeners, so there is no reward for more.
- Uptalk: each statement's last voiced stretch, rising from its lowest point to its end.
- Loudness: each word's RMS level; flat when stressed words stand out no more than the rest,
  fading when the last third is markedly quieter than the first.
- Rate: words per minute of the answer and of its speaking time, words per run between
  pauses, and words per minute window by window.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from mock_interview.analysis.answer import (
    Delivery,
    Loudness,
    LoudnessFlag,
    PaceWindow,
    PitchVariety,
    PitchWindow,
    RisingEnd,
    SpeechRate,
    Uptalk,
)
from mock_interview.audio.contour import FRAME_S, VoiceContour, bridged, true_stretches
from mock_interview.audio.signal import DEFAULTS as SPEECH_DEFAULTS
from mock_interview.core.config import DeliverySettings
from mock_interview.core.values import Span, Word

# Unvoiced gaps up to this many frames (a stop consonant, a creak) do not end a voiced stretch.
_BRIDGED_FRAMES = 3
# A voiced stretch shorter than this many frames is too short to carry a pitch movement.
_MIN_STRETCH_FRAMES = 5
# Frames in the running median that steadies a stretch's pitch before its rise is read: one
# stray frame at the voice's offset (a creak) must not make or hide a rise.
_STEADY_FRAMES = 5


def measure_delivery(
    contour: VoiceContour,
    words: list[Word],
    speech: list[Span],
    sentences: list[list[Word]],
    fillers: list[Span],
    articulation_wpm: float,
    options: DeliverySettings,
) -> Delivery:
    """The delivery of the answer spoken in `speech` (its stretches, fillers included).

    `words` are the spoken words without fillers; `sentences` the same words in sentences
    (split at full stops and at pauses); those ending in "?" are questions, not statements.
    `fillers` are where the fillers were heard: an "um" after a statement is not its end.
    `articulation_wpm` is the answer's words per minute of speaking time, already measured.
    """
    if not speech:
        empty_rate = SpeechRate(0.0, 0.0, 0.0, ())
        return Delivery(
            PitchVariety(0.0, 0.0, (), False), Uptalk(0, 0, ()), Loudness(0.0, ()), empty_rate
        )
    start_s, end_s = speech[0].start_s, speech[-1].end_s
    in_speech = _inside(contour.times_s, speech)
    statements = [sentence for sentence in sentences if not sentence[-1].text.endswith("?")]
    return Delivery(
        pitch=_pitch_variety(contour, in_speech, start_s, end_s, options),
        uptalk=_uptalk(contour, statements, speech, fillers, options),
        loudness=_loudness(contour, words, start_s, end_s, options),
        rate=_rate(words, speech, articulation_wpm, options),
    )


def _inside(times_s: np.ndarray, spans: list[Span]) -> np.ndarray:
    """Which times lie inside one of the (sorted, disjoint) spans."""
    starts = np.array([span.start_s for span in spans])
    ends = np.array([span.end_s for span in spans])
    index = np.searchsorted(starts, times_s, side="right") - 1
    return np.asarray((index >= 0) & (times_s < ends[np.maximum(index, 0)]))


def _spread(values: np.ndarray) -> float:
    """The 10th-90th percentile spread."""
    low, high = np.percentile(values, [10, 90])
    return float(high - low)


def _windows(start_s: float, end_s: float, length_s: float) -> list[tuple[float, float]]:
    """Consecutive windows from `start_s`, the last one ending at `end_s`."""
    count = max(1, math.ceil((end_s - start_s) / length_s - 1e-9))
    return [
        (start_s + k * length_s, min(start_s + (k + 1) * length_s, end_s)) for k in range(count)
    ]


def _pitch_variety(
    contour: VoiceContour,
    in_speech: np.ndarray,
    start_s: float,
    end_s: float,
    options: DeliverySettings,
) -> PitchVariety:
    voiced = contour.voiced & in_speech
    if not voiced.any():
        return PitchVariety(0.0, 0.0, (), False)
    f0 = contour.f0_hz[voiced].astype(np.float64)
    times = contour.times_s[voiced]
    median_hz = float(np.median(f0))
    semitones = 12 * np.log2(f0 / median_hz)
    windows = []
    for window_start, window_end in _windows(start_s, end_s, options.pitch_window_s):
        chosen = (times >= window_start) & (times < window_end)
        if chosen.sum() * FRAME_S >= options.min_voiced_s:
            spread = round(_spread(semitones[chosen]), 2)
            windows.append(PitchWindow(round(window_start, 3), round(window_end, 3), spread))
    flat = sum(window.spread_st < options.monotone_st for window in windows)
    return PitchVariety(
        median_hz=round(median_hz, 1),
        spread_st=round(_spread(semitones), 2),
        windows=tuple(windows),
        monotone=bool(windows) and flat / len(windows) >= options.monotone_share,
    )


def _uptalk(
    contour: VoiceContour,
    statements: list[list[Word]],
    speech: list[Span],
    fillers: list[Span],
    options: DeliverySettings,
) -> Uptalk:
    """Statements whose last voiced stretch rises more than `options.uptalk_rise_st`.

    A statement's sound ends where the speech stretch under its last word ends (word stamps are
    rough), but never after the next statement, or a filler, begins (a full stop with no pause
    after it; "...a month, um").
    """
    measured = 0
    rising = []
    for index, statement in enumerate(statements):
        last = statement[-1]
        middle_s = (last.start_s + last.end_s) / 2
        sound_end_s = next(
            (span.end_s for span in speech if span.start_s <= middle_s <= span.end_s), last.end_s
        )
        after = [filler.start_s for filler in fillers if filler.start_s >= middle_s]
        if index + 1 < len(statements):
            after.append(statements[index + 1][0].start_s)
        sound_end_s = min([sound_end_s, *after])
        end = _final_rise(contour, statement[0].start_s, max(sound_end_s, last.end_s), options)
        if end is None:
            continue
        measured += 1
        if end.rise_st > options.uptalk_rise_st:
            rising.append(end)
    return Uptalk(measured, len(rising), tuple(rising))


def _final_rise(
    contour: VoiceContour, start_s: float, end_s: float, options: DeliverySettings
) -> RisingEnd | None:
    """The rise over the last `options.final_rise_s` of the last voiced stretch between
    `start_s` and `end_s`: its end (steadied) above its lowest point, in semitones; None when
    there is no voiced stretch to measure."""
    lo, hi = np.searchsorted(contour.times_s, [start_s, end_s])
    voiced = contour.voiced[lo:hi]
    stretches = [
        (first, last)
        for first, last in true_stretches(bridged(voiced, _BRIDGED_FRAMES))
        if last - first >= _MIN_STRETCH_FRAMES
    ]
    if not stretches:
        return None
    first, last = stretches[-1]
    first = max(first, last - round(options.final_rise_s / FRAME_S))
    frames = np.arange(lo + first, lo + last)
    frames = frames[contour.f0_hz[frames] > 0]
    f0 = contour.f0_hz[frames].astype(np.float64)
    # An octave jump of the tracker moves the pitch 12 semitones from one frame to the next,
    # which no voice does: jumps over 6 semitones are taken back by whole octaves. (Folding
    # every frame to within 6 semitones of the median would also fold a real, wide fall.)
    semitones = np.unwrap(12 * np.log2(f0), discont=6.0, period=12.0)
    steady = _running_median(semitones, _STEADY_FRAMES)
    rise = max(0.0, float(steady[-1] - steady.min()))
    times = contour.times_s[frames]
    return RisingEnd(
        round(float(times[0]) - FRAME_S / 2, 3),
        round(float(times[-1]) + FRAME_S / 2, 3),
        round(rise, 2),
    )


def _running_median(values: np.ndarray, width: int) -> np.ndarray:
    """Each value's median with its neighbours (fewer at the edges)."""
    half = width // 2
    return np.array(
        [np.median(values[max(0, i - half) : i + half + 1]) for i in range(values.size)]
    )


def _level_db(power: np.ndarray) -> float:
    return 10 * math.log10(max(float(np.mean(power)), 1e-20))


def _loudness(
    contour: VoiceContour,
    words: list[Word],
    start_s: float,
    end_s: float,
    options: DeliverySettings,
) -> Loudness:
    """Each word's level (RMS over its span) and the flags they raise."""
    levels: list[float] = []
    middles: list[float] = []
    for word in words:
        lo, hi = np.searchsorted(contour.times_s, [word.start_s, word.end_s])
        if hi > lo:
            levels.append(_level_db(contour.power[lo:hi]))
            middles.append((word.start_s + word.end_s) / 2)
    if len(levels) < 2:
        return Loudness(0.0, ())
    spread = _spread(np.array(levels))
    flags: list[LoudnessFlag] = []
    if spread < options.flat_loudness_db:
        flags.append("flat_loudness")
    third_s = (end_s - start_s) / 3
    first = [level for level, at in zip(levels, middles, strict=True) if at < start_s + third_s]
    final = [level for level, at in zip(levels, middles, strict=True) if at >= end_s - third_s]
    if first and final and np.mean(first) - np.mean(final) >= options.fading_db:
        flags.append("fading")
    return Loudness(round(spread, 2), tuple(flags))


def _rate(
    words: list[Word], speech: list[Span], articulation_wpm: float, options: DeliverySettings
) -> SpeechRate:
    start_s, end_s = speech[0].start_s, speech[-1].end_s
    middles = np.array([(word.start_s + word.end_s) / 2 for word in words])
    answer_s = end_s - start_s
    # Runs of words between silences of at least run_pause_s in the speech stretches; the VAD
    # pads each stretch, so its gaps are that much shorter than the silence heard.
    padding_s = 2 * SPEECH_DEFAULTS.speech_pad_ms / 1000
    run_starts = [speech[0].start_s] + [
        after.start_s
        for before, after in pairwise(speech)
        if after.start_s - before.end_s + padding_s >= options.run_pause_s
    ]
    runs = np.searchsorted(np.array(run_starts), middles, side="right")
    spoken_runs = len(set(runs.tolist()))
    windows = []
    for window_start, window_end in _windows(start_s, end_s, options.pace_window_s):
        length_s = window_end - window_start
        if length_s >= options.pace_window_s / 3 or window_start == start_s:
            count = int(((middles >= window_start) & (middles < window_end)).sum())
            windows.append(PaceWindow(round(window_start, 3), round(count / length_s * 60, 1)))
    return SpeechRate(
        speech_wpm=round(len(words) / answer_s * 60, 1) if answer_s > 0 else 0.0,
        articulation_wpm=round(articulation_wpm, 1),
        mean_length_of_run=round(len(words) / spoken_runs, 2) if spoken_runs else 0.0,
        windows=tuple(windows),
    )
