"""Decoding: every common format, any rate, stereo mixed down; every bad file is one clear error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from audio_files import tone, write_audio, write_bytes
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.errors import UserError


@pytest.mark.parametrize(
    ("suffix", "rate"), [(".wav", 8000), (".flac", 44100), (".mp3", 22050), (".ogg", 48000)]
)
def test_formats_and_rates_decode_to_16k_mono(tmp_path: Path, suffix: str, rate: int) -> None:
    audio = load_audio(write_audio(tmp_path / f"a{suffix}", tone(2.0, rate=rate), rate))
    assert audio.source_rate == rate
    assert audio.samples.dtype == np.float32
    assert audio.duration_s == pytest.approx(2.0, abs=0.08)
    assert np.abs(audio.samples).max() == pytest.approx(0.3, abs=0.05)


def test_stereo_is_mixed_down(tmp_path: Path) -> None:
    left = tone(1.0, freq=220.0)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    audio = load_audio(write_audio(tmp_path / "s.wav", stereo))
    assert audio.samples.ndim == 1
    assert len(audio.samples) == ANALYSIS_RATE
    # Mixdown averages the channels: a signal in one channel only comes out at half level.
    assert np.abs(audio.samples).max() == pytest.approx(0.15, abs=0.02)


def _truncated(directory: Path) -> Path:
    whole = write_audio(directory / "whole.wav", tone(4.0)).read_bytes()
    return write_bytes(directory / "cut.wav", whole[: len(whole) // 3])


def _truncated_flac(directory: Path) -> Path:
    whole = write_audio(directory / "whole.flac", tone(4.0) + tone(4.0, freq=331)).read_bytes()
    return write_bytes(directory / "cut.flac", whole[: len(whole) // 3])


BAD_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing", lambda d: d / "missing.wav", "no such file"),
    ("directory", lambda d: d, "is a directory"),
    ("empty", lambda d: write_bytes(d / "empty.wav", b""), "empty file"),
    ("zero-length", lambda d: write_audio(d / "zero.wav", np.zeros(0, np.float32)), "zero length"),
    ("non-audio", lambda d: write_bytes(d / "junk.wav", b"not audio " * 100), "not readable audio"),
    ("truncated-wav", _truncated, "truncated"),
    ("truncated-flac", _truncated_flac, "truncated"),
]


@pytest.mark.parametrize(
    ("make", "message"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_files_raise_one_line_errors(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    with pytest.raises(UserError) as caught:
        load_audio(make(tmp_path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
