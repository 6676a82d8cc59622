"""The voice's pitch and level, frame by frame: what the delivery measures (pitch variety,
uptalk, loudness) are read from.

Tracked per chunk while the answer is recorded (`asr/chunking.py`), so at the stop only the last
chunk is left to track (a 30-s chunk costs about 0.1 s of CPU; a whole 3-minute answer tracked
at once would cost 0.5-0.8 s), and `analyze` gets the same frames from the same chunks without
reading the file twice. Frames are `FRAME_S` apart; the contour keeps their times, so chunks of
any length join without drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mock_interview.audio.io import ANALYSIS_RATE

FRAME_S = 0.01
"""Frame step (s): fine enough for a final rise of 0.2 s (20 frames)."""
PITCH_FLOOR_HZ = 75.0
"""Praat's default floor for speech; lower costs a longer analysis window (slower tracking)."""
PITCH_CEILING_HZ = 500.0
"""High enough for raised voices and children; a higher ceiling invites octave errors."""


@dataclass(frozen=True, eq=False)
class VoiceContour:
    """Per frame: its centre in recording time, F0 in Hz (0 where unvoiced) and the mean signal
    power (mean square of the samples, for levels in dB). Compared by identity: arrays have no
    single truth value."""

    times_s: np.ndarray
    f0_hz: np.ndarray
    power: np.ndarray

    def then(self, later: VoiceContour) -> VoiceContour:
        return VoiceContour(
            np.concatenate((self.times_s, later.times_s)),
            np.concatenate((self.f0_hz, later.f0_hz)),
            np.concatenate((self.power, later.power)),
        )

    @property
    def voiced(self) -> np.ndarray:
        return np.asarray(self.f0_hz > 0)


EMPTY_CONTOUR = VoiceContour(np.zeros(0), np.zeros(0, np.float32), np.zeros(0, np.float32))


def track_contour(samples: np.ndarray, offset_s: float = 0.0) -> VoiceContour:
    """The contour of 16 kHz float samples that start `offset_s` into the recording.

    Praat's autocorrelation pitch tracker (its defaults for speech otherwise), read at each
    frame's centre from the nearest pitch frame.
    """
    import parselmouth

    step = round(FRAME_S * ANALYSIS_RATE)
    count = samples.size // step
    if count == 0:
        return EMPTY_CONTOUR
    frames = samples[: count * step].reshape(count, step).astype(np.float64)
    power = np.mean(frames**2, axis=1).astype(np.float32)
    centres = (np.arange(count) + 0.5) * FRAME_S
    f0 = np.zeros(count, np.float32)
    # Praat needs a few analysis windows (3 periods of the floor each) to track anything.
    if samples.size / ANALYSIS_RATE >= 6 / PITCH_FLOOR_HZ:
        sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=ANALYSIS_RATE)
        pitch = sound.to_pitch_ac(
            time_step=FRAME_S, pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ
        )
        tracked = pitch.selected_array["frequency"]
        nearest = np.rint((centres - pitch.x1) / pitch.dx).astype(np.int64)
        inside = (nearest >= 0) & (nearest < tracked.size)
        f0[inside] = tracked[nearest[inside]]
    return VoiceContour(centres + offset_s, f0, power)


def true_stretches(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) index pairs of the runs of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def bridged(mask: np.ndarray, longest: int) -> np.ndarray:
    """The mask with gaps of up to `longest` False frames inside runs of True filled in."""
    filled = mask.copy()
    for first, last in true_stretches(~mask):
        if first > 0 and last < mask.size and last - first <= longest:
            filled[first:last] = True
    return filled
