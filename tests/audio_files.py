"""Small audio files the tests write for themselves: tones and silence in several formats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

_SUBTYPES = {".wav": "PCM_16", ".flac": "PCM_16", ".ogg": "VORBIS", ".mp3": "MPEG_LAYER_III"}


def tone(seconds: float, rate: int = 16000, freq: float = 220.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_audio(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    """Write in the format the suffix names (.wav, .flac, .ogg, .mp3)."""
    soundfile.write(path, samples, rate, subtype=_SUBTYPES[path.suffix])
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
