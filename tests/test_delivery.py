"""The voice delivery measured on signals whose truth is known (issue 17, part 1).

A harmonic "voice" is generated from a known F0 contour, so the spread, the monotone verdict and
the final rises are known before anything is measured; eSpeak NG answers rendered with
different pitch settings check the same verdicts on speech. Truths are computed here from the
generated contours, never taken from the code under test.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mock_interview.analysis.answer import Delivery, PitchVariety
from mock_interview.analysis.delivery import measure_delivery
from mock_interview.audio.contour import VoiceContour, track_contour
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.audio.signal import find_speech
from mock_interview.core.config import Settings
from mock_interview.core.values import Span, Word

RATE = ANALYSIS_RATE
LEAD_S = 0.5  # silence before the first statement


def _voice(f0_hz: np.ndarray, amplitude: float = 0.1) -> np.ndarray:
    """A harmonic voice (ten harmonics, falling 1/k) following `f0_hz`, one value per sample."""
    phase = 2 * np.pi * np.cumsum(f0_hz) / RATE
    wave = sum(np.sin(k * phase) / k for k in range(1, 11))
    return np.asarray(amplitude * wave, np.float32)


def _semitones_to_hz(semitones: np.ndarray, base_hz: float) -> np.ndarray:
    return np.asarray(base_hz * 2 ** (semitones / 12))


class Answer:
    """Statements of generated voice with a pause after each; a word every 0.4 s of voice, the
    last ending in a full stop (or the given punctuation)."""

    def __init__(self, gap_s: float = 0.6) -> None:
        self.pieces = [np.zeros(int(LEAD_S * RATE), np.float32)]
        self.time_s = LEAD_S
        self.gap_s = gap_s
        self.words: list[Word] = []
        self.speech: list[Span] = []
        self.sentences: list[list[Word]] = []
        self.voice_times_s: list[np.ndarray] = []
        self.voice_hz: list[np.ndarray] = []
        self.fillers: list[Span] = []

    def say(self, f0_hz: np.ndarray, amplitude: float = 0.1, end: str = ".") -> None:
        length_s = f0_hz.size / RATE
        count = max(1, round(length_s / 0.4))
        step_s = length_s / count
        words = [
            Word(
                f"w{len(self.words) + k}" + (end if k == count - 1 else ""),
                self.time_s + k * step_s,
                self.time_s + (k + 1) * step_s,
            )
            for k in range(count)
        ]
        self.pieces.append(_voice(f0_hz, amplitude))
        self.voice_times_s.append(self.time_s + np.arange(f0_hz.size) / RATE)
        self.voice_hz.append(f0_hz)
        self.speech.append(Span(self.time_s, self.time_s + length_s))
        self.words += words
        self.sentences.append(words)
        self.time_s += length_s
        self.pieces.append(np.zeros(int(self.gap_s * RATE), np.float32))
        self.time_s += self.gap_s

    def true_spread(self, start_s: float = 0.0, end_s: float = math.inf) -> float:
        """The generated F0's 10th-90th percentile spread (semitones) between two times."""
        times, f0 = np.concatenate(self.voice_times_s), np.concatenate(self.voice_hz)
        chosen = (times >= start_s) & (times < end_s)
        return _spread(12 * np.log2(f0[chosen]))

    def say_then_um(self, f0_hz: np.ndarray, um_hz: np.ndarray) -> None:
        """A statement, then 0.15 s later, in the same breath, a filler ("a month, um")."""
        self.say(f0_hz)
        self.pieces.pop()  # no pause after the statement: the filler follows
        um_at_s = self.time_s - self.gap_s + 0.15
        um_end_s = um_at_s + um_hz.size / RATE
        self.pieces += [np.zeros(int(0.15 * RATE), np.float32), _voice(um_hz)]
        self.pieces.append(np.zeros(int(self.gap_s * RATE), np.float32))
        self.fillers.append(Span(um_at_s, um_end_s))
        self.speech[-1] = Span(self.speech[-1].start_s, um_end_s)
        self.time_s = um_end_s + self.gap_s

    @property
    def samples(self) -> np.ndarray:
        return np.concatenate(self.pieces)

    def measure(self, settings: Settings, contour: VoiceContour | None = None) -> Delivery:
        return measure_delivery(
            contour if contour is not None else track_contour(self.samples),
            self.words,
            self.speech,
            self.sentences,
            self.fillers,
            150.0,
            settings.delivery,
        )


def _spread(semitones: np.ndarray) -> float:
    low, high = np.percentile(semitones, [10, 90])
    return float(high - low)


def _flat(seconds: float, base_hz: float) -> np.ndarray:
    return np.full(int(seconds * RATE), base_hz)


@pytest.mark.parametrize("base_hz", [100.0, 210.0])
def test_a_flat_voice_is_monotone(base_hz: float, settings: Settings) -> None:
    answer = Answer()
    for _ in range(12):
        answer.say(_flat(2.0, base_hz))
    pitch = answer.measure(settings).pitch
    assert pitch.monotone
    assert abs(pitch.median_hz - base_hz) < base_hz * 0.01
    assert pitch.spread_st < 0.5  # the truth is 0
    assert len(pitch.windows) == 3 and all(window.spread_st < 0.5 for window in pitch.windows)


@pytest.mark.parametrize(
    ("base_hz", "depth_st", "period_s"),
    [(100.0, 4.0, 3.0), (210.0, 4.0, 2.5), (120.0, 4.0, 5.0), (150.0, 2.5, 3.0)],
)
def test_a_gliding_voice_is_not_monotone_and_its_spread_is_measured(
    base_hz: float, depth_st: float, period_s: float, settings: Settings
) -> None:
    """F0 glides ±depth semitones (a sine) every few seconds; the truth is the generated
    contour's own 10th-90th percentile spread over its voiced samples, for the answer and for
    each 10-s window."""
    answer = Answer()
    for index in range(12):
        times = np.arange(int(2.0 * RATE)) / RATE + index * 2.0
        semitones = depth_st * np.sin(2 * np.pi * times / period_s)
        answer.say(_semitones_to_hz(semitones, base_hz))
    pitch = answer.measure(settings).pitch
    assert not pitch.monotone
    assert abs(pitch.spread_st - answer.true_spread()) <= 0.5
    assert len(pitch.windows) == 3
    for window in pitch.windows:
        truth = answer.true_spread(window.start_s, window.end_s)
        assert abs(window.spread_st - truth) <= 0.5
        assert window.spread_st >= settings.delivery.monotone_st
    assert pitch.median_hz == pytest.approx(base_hz, rel=0.02)


def test_a_voice_flat_for_most_of_the_answer_is_monotone(settings: Settings) -> None:
    """Two flat windows of three: "most of the answer" (the documented share) is flat."""
    answer = Answer(gap_s=0.5)
    for index in range(12):
        times = np.arange(int(2.0 * RATE)) / RATE
        lively = index >= 8  # the last 10 s window glides ±4 st
        semitones = 4 * np.sin(2 * np.pi * times / 2.0) if lively else np.zeros(times.size)
        answer.say(_semitones_to_hz(semitones, 120.0))
    pitch = answer.measure(settings).pitch
    assert [window.spread_st < settings.delivery.monotone_st for window in pitch.windows] == [
        True,
        True,
        False,
    ]
    assert pitch.monotone


def _statement(final_st: float, base_hz: float = 120.0) -> np.ndarray:
    """1.5 s level, then 0.4 s gliding `final_st` semitones up (or down)."""
    glide = np.linspace(0.0, final_st, int(0.4 * RATE))
    return np.concatenate((_flat(1.5, base_hz), _semitones_to_hz(glide, base_hz)))


@pytest.mark.parametrize("base_hz", [110.0, 220.0])
def test_uptalk_is_counted_exactly(base_hz: float, settings: Settings) -> None:
    """Statements 1, 4 and 7 end in a 5-semitone rise, the others in a 5-semitone fall."""
    answer = Answer()
    rising_at = {0, 3, 6}
    for index in range(8):
        answer.say(_statement(5.0 if index in rising_at else -5.0, base_hz))
    uptalk = answer.measure(settings).uptalk
    assert (uptalk.statements, uptalk.rising) == (8, 3)
    rising_ends = [answer.sentences[index][-1].end_s for index in sorted(rising_at)]
    for item, end_s in zip(uptalk.items, rising_ends, strict=True):
        assert abs(item.end_s - end_s) < 0.05
        assert abs(item.rise_st - 5.0) <= 0.5


def test_a_question_is_not_a_statement(settings: Settings) -> None:
    answer = Answer()
    answer.say(_statement(5.0), end="?")
    answer.say(_statement(-5.0))
    answer.say(_statement(5.0))
    uptalk = answer.measure(settings).uptalk
    assert (uptalk.statements, uptalk.rising) == (2, 1)


def test_a_wide_final_fall_is_not_uptalk(settings: Settings) -> None:
    """A fall of 9.5 semitones (eSpeak NG ends statements so) stays a fall: it is not mistaken
    for an octave error of the tracker and folded into a rise."""
    answer = Answer()
    for _ in range(4):
        peak = np.linspace(0.0, 3.0, int(0.25 * RATE))  # up to the accent ...
        fall = np.linspace(3.0, -9.5, int(0.5 * RATE))  # ... then down, wider than 6 st
        contour = np.concatenate((np.zeros(int(1.2 * RATE)), peak, fall))
        answer.say(_semitones_to_hz(contour, 230.0))
    uptalk = answer.measure(settings).uptalk
    assert (uptalk.statements, uptalk.rising) == (4, 0)


def test_a_filler_after_a_statement_is_not_its_end(settings: Settings) -> None:
    """Falling statements, each followed in the same breath by an "um" rising 5 semitones."""
    answer = Answer()
    for _ in range(3):
        answer.say_then_um(_statement(-5.0), _semitones_to_hz(np.linspace(0, 5, 6400), 120.0))
    uptalk = answer.measure(settings).uptalk
    assert (uptalk.statements, uptalk.rising) == (3, 0)


def test_a_small_final_movement_is_not_uptalk(settings: Settings) -> None:
    """A 1.5-semitone lift stays under the documented 3 semitones."""
    answer = Answer()
    for _ in range(4):
        answer.say(_statement(1.5))
    assert answer.measure(settings).uptalk.rising == 0


def _words_with_levels(levels_db: list[float]) -> Answer:
    """One 0.4-s word per level (dB relative to the 0.1-amplitude voice), a 0.3-s pause after
    each: each its own run."""
    answer = Answer(gap_s=0.3)
    for level_db in levels_db:
        answer.say(_flat(0.4, 150.0), amplitude=0.1 * 10 ** (level_db / 20))
    return answer


def test_loudness_spread_and_flags(settings: Settings) -> None:
    even = _words_with_levels([0.0] * 30).measure(settings).loudness
    assert even.spread_db < 0.5 and even.flags == ("flat_loudness",)
    # Every third word stressed 8 dB louder: the spread is 8 dB, not flat.
    stressed = _words_with_levels([8.0 if k % 3 == 0 else 0.0 for k in range(30)])
    loudness = stressed.measure(settings).loudness
    assert abs(loudness.spread_db - 8.0) < 0.5 and loudness.flags == ()
    # The voice fades by 10 dB from start to end, evenly.
    fading = _words_with_levels(list(np.linspace(0.0, -10.0, 30))).measure(settings).loudness
    assert "fading" in fading.flags and "flat_loudness" not in fading.flags
    # Fading by 3 dB is not "markedly quieter".
    slight = _words_with_levels(list(np.linspace(0.0, -3.0, 30))).measure(settings).loudness
    assert "fading" not in slight.flags


def test_rate_counts_words_runs_and_windows(settings: Settings) -> None:
    """Four statements of 2 s (5 words each), 0.6 s apart, then one of 10 s after a pause."""
    answer = Answer()
    for _ in range(4):
        answer.say(_flat(2.0, 120.0))
    answer.say(_flat(10.0, 120.0))
    rate = answer.measure(settings).rate
    words = 4 * 5 + 25
    answer_s = 4 * 2.6 + 10.0  # from the first speech to the last
    assert rate.speech_wpm == pytest.approx(words / answer_s * 60, abs=0.1)
    assert rate.articulation_wpm == 150.0
    assert rate.mean_length_of_run == pytest.approx(words / 5)
    # 15-s windows: the first holds 4x5 words and 4.6 s of the last statement (11.5 words ->
    # 11 whose middles fall inside); the last 5.4 s holds the rest.
    assert [window.start_s for window in rate.windows] == [LEAD_S, LEAD_S + 15.0]
    assert rate.windows[0].wpm == pytest.approx((20 + 11) / 15 * 60, abs=0.1)
    assert rate.windows[1].wpm == pytest.approx(14 / 5.4 * 60, abs=0.1)


def test_silence_has_no_delivery_figures(settings: Settings) -> None:
    contour = track_contour(np.zeros(RATE * 3, np.float32))
    delivery = measure_delivery(contour, [], [], [], [], 0.0, settings.delivery)
    assert delivery.pitch.windows == () and not delivery.pitch.monotone
    assert delivery.uptalk.statements == 0 and delivery.loudness.flags == ()


def test_chunks_tracked_apart_join_without_drift(settings: Settings) -> None:
    """The live engine tracks each chunk on its own; joined, the frames keep their times (the
    second chunk's frame grid is 7.7 ms off the whole file's, so figures differ by that much)."""
    answer = Answer()
    for index in range(6):
        answer.say(_statement(5.0 if index % 2 else -5.0))
    samples = answer.samples
    cut = 5 * RATE + 123  # not on a frame boundary
    joined = track_contour(samples[:cut]).then(track_contour(samples[cut:], cut / RATE))
    whole = answer.measure(settings)
    apart = answer.measure(settings, joined)
    assert (apart.uptalk.statements, apart.uptalk.rising) == (6, 3)
    for chunked, tracked in zip(apart.uptalk.items, whole.uptalk.items, strict=True):
        assert abs(chunked.end_s - tracked.end_s) < 0.01
        assert abs(chunked.rise_st - tracked.rise_st) < 0.1
    assert abs(apart.pitch.spread_st - whole.pitch.spread_st) < 0.1


TEXT = (
    "I set a goal to cut our release time in half. We measured every step of the pipeline. "
    "After three months the release took two days instead of five. I learned to measure before "
    "I change anything. The team still uses that dashboard today."
)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def _espeak(tmp_path: Path, name: str, *options: str, range_: str | None = None) -> Path:
    path = tmp_path / f"{name}.wav"
    text = TEXT if range_ is None else f'<speak><prosody range="{range_}">{TEXT}</prosody></speak>'
    markup = ["-m"] if range_ is not None else []
    subprocess.run(["espeak-ng", *markup, *options, "-w", str(path), text], check=True)
    return path


def _pitch_of_file(path: Path, settings: Settings) -> PitchVariety:
    samples = load_audio(path).samples
    speech = find_speech(samples)
    contour = track_contour(samples)
    return measure_delivery(contour, [], speech, [], [], 0.0, settings.delivery).pitch


@needs_espeak
def test_espeak_pitch_range_decides_monotone(tmp_path: Path, settings: Settings) -> None:
    """SSML prosody range: 0 and x-low are monotone, the default range and wider ones are not,
    and the measured spread grows with the range asked for."""
    spreads = {}
    for range_ in ["0", "x-low", "low", "medium", "high", "x-high"]:
        pitch = _pitch_of_file(_espeak(tmp_path, range_, range_=range_), settings)
        assert pitch.monotone == (range_ in {"0", "x-low"}), (range_, pitch)
        spreads[range_] = pitch.spread_st
    ordered = [spreads[name] for name in ["0", "x-low", "low", "medium", "high"]]
    assert ordered == sorted(ordered)


@needs_espeak
def test_espeak_base_pitch_moves_the_median_not_the_verdict(
    tmp_path: Path, settings: Settings
) -> None:
    low = _pitch_of_file(_espeak(tmp_path, "p20", "-p", "20"), settings)
    high = _pitch_of_file(_espeak(tmp_path, "p80", "-p", "80"), settings)
    assert low.median_hz < high.median_hz
    assert not low.monotone and not high.monotone
