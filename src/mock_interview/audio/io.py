"""Decode any common audio file (WAV, FLAC, MP3, OGG, ...) to 16 kHz mono float32 for analysis.

PyAV (FFmpeg, already a faster-whisper dependency) does the decoding, resampling and mixdown; this
module turns every way a file can be bad into one line the user can act on.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from mock_interview.errors import UserError

ANALYSIS_RATE = 16000
# A file whose header promises noticeably more audio than it holds was cut short.
_TRUNCATION_TOLERANCE = 0.98


@dataclass(frozen=True)
class LoadedAudio:
    samples: np.ndarray  # float32, mono, ANALYSIS_RATE
    source_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / ANALYSIS_RATE


def load_audio(path: Path) -> LoadedAudio:
    """The whole file as 16 kHz mono; raises UserError for anything that is not usable audio."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a directory, not an audio file")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: empty file (0 bytes)")
    try:
        samples, source_rate, declared_s = _decode(path)
    except av.error.FFmpegError as exc:
        raise UserError(f"{path}: not readable audio ({_reason(exc)})") from None
    if samples.size == 0:
        raise UserError(f"{path}: contains no audio (zero length)")
    decoded_s = samples.size / ANALYSIS_RATE
    declared_s = _wav_header_seconds(path) or declared_s
    if declared_s and decoded_s < declared_s * _TRUNCATION_TOLERANCE:
        raise UserError(
            f"{path}: truncated file "
            f"(header says {declared_s:.1f} s, only {decoded_s:.1f} s present)"
        )
    return LoadedAudio(samples=samples, source_rate=source_rate)


def _wav_header_seconds(path: Path) -> float | None:
    """What a PCM WAV header promises; FFmpeg reports what is there, so a cut file looks whole."""
    try:
        with wave.open(str(path)) as header:
            return header.getnframes() / header.getframerate()
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        return None


def _reason(exc: av.error.FFmpegError) -> str:
    return str(exc.strerror or exc).rstrip(".").lower()


def _decode(path: Path) -> tuple[np.ndarray, int, float | None]:
    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise UserError(f"{path}: has no audio stream")
        stream = container.streams.audio[0]
        source_rate = int(stream.rate or ANALYSIS_RATE)
        declared_s = None
        if stream.duration is not None and stream.time_base is not None:
            declared_s = float(stream.duration * stream.time_base)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=ANALYSIS_RATE)
        pieces: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                pieces.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
        except av.error.InvalidDataError:
            if not pieces:
                raise
            decoded_s = sum(piece.size for piece in pieces) / ANALYSIS_RATE
            raise UserError(f"{path}: truncated or corrupt after {decoded_s:.1f} s") from None
        pieces.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    if not pieces:
        return np.zeros(0, dtype=np.float32), source_rate, declared_s
    samples = np.concatenate(pieces).astype(np.float32) / 32768.0
    return samples, source_rate, declared_s
