"""Filled pauses heard in the audio, joined with the ones the transcript names.

Whisper tiny.en writes down only some of the "um"s and "uh"s, and puts the ones it writes at
rough times (often a zero-length stamp next to the word before). The audio knows better: a filled
pause is a sustained voiced sound of about 0.15-1.5 s whose pitch stays level and whose spectrum
hardly changes (one vowel, or a vowel and an "m"), while a word moves through several sounds and a
breath, a cough or a consonant burst has no steady pitch at all. So:

1. Praat's pitch tracker (via parselmouth) finds the voiced runs and measures how steady they are.
2. Each transcript filler is matched, in order, to the nearest filler-shaped run, which gives its
   time; one with no such sound near it (the prompt makes whisper add "uh" after the last word,
   or read the "a" of "a liner" as one) is a decoding artefact and is dropped.
3. Steady runs left over that no word plausibly covers are cut out and decoded again, alone, with
   the verbatim prompt, where a filler is transcribed well: the ones it names a filler are added
   with `source="audio"`; anything it hears as a word is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from mock_interview.analysis.fillers import canonical_filler
from mock_interview.analysis.model import Filler, Span, Word
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.transcription import normalize_token

if TYPE_CHECKING:
    from mock_interview.transcription import Transcriber

# Labels a filled pause can get; anything else a re-decode says means "this was a word".
FILLED_PAUSE_LABELS = frozenset({"um", "uh", "er", "hmm"})
_FILLED_PAUSE_SPELLINGS = {"erm": "er", "ah": "uh"}

_FRAME_S = 0.01
# Voice range of adult speakers; a wider range lets the tracker jump octaves.
_PITCH_FLOOR_HZ = 60.0
_PITCH_CEILING_HZ = 400.0
# Praat's defaults (0.03, 0.45) call soft, creaky fillers unvoiced when the answer has loud parts.
_SILENCE_THRESHOLD = 0.01
_VOICING_THRESHOLD = 0.35
# Unvoiced gaps shorter than this (a creak, a glottal catch) do not split a run.
_BRIDGE_S = 0.05
# A filled pause is held for at least this long and rarely longer than the upper bound.
_MIN_FILLED_S = 0.1
_MAX_FILLED_S = 1.5
# Level pitch: standard deviation within the run, in semitones.
_MAX_PITCH_SPREAD_ST = 1.0
# One sound: mean distance of the frames' MFCCs (c1-c12) from their median.
_MAX_SPECTRAL_SPREAD = 60.0
# Looser shape that confirms a filler the transcript names ("um" glides from vowel to nasal).
_CONFIRM_PITCH_SPREAD_ST = 1.5
_CONFIRM_SPECTRAL_SPREAD = 90.0
# A transcript filler is matched to a candidate at most this far from its stamp (seconds).
_MATCH_WINDOW_S = 1.0
# A word whose stamp is longer than this (base + per letter) has swallowed a pause or a filler.
_WORD_BASE_S = 0.25
_WORD_PER_LETTER_S = 0.09
# A stretch decoded again reaches at most this far beyond its unexplained sounds (seconds).
_GAP_REACH_S = 1.0
# Slack on word stamps when finding the words around a sound.
_COLLAGE_PAD_S = 0.05


@dataclass(frozen=True)
class VoicedRun:
    """A stretch where the pitch tracker hears voicing, with how steady it is."""

    start_s: float
    end_s: float
    pitch_spread_st: float
    spectral_spread: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def steady(self) -> bool:
        """Shaped like a filled pause: long enough, level pitch, one sound."""
        return self._shaped(_MAX_PITCH_SPREAD_ST, _MAX_SPECTRAL_SPREAD)

    @property
    def filler_like(self) -> bool:
        """Close enough to that shape to confirm a filler the transcript names."""
        return self._shaped(_CONFIRM_PITCH_SPREAD_ST, _CONFIRM_SPECTRAL_SPREAD)

    def _shaped(self, pitch_spread_st: float, spectral_spread: float) -> bool:
        return (
            _MIN_FILLED_S <= self.duration_s <= _MAX_FILLED_S
            and self.pitch_spread_st <= pitch_spread_st
            and self.spectral_spread <= spectral_spread
        )


def voiced_runs(samples: np.ndarray, rate: int = ANALYSIS_RATE) -> list[VoicedRun]:
    """Every run of voiced frames of at least _MIN_FILLED_S, in time order."""
    import parselmouth

    if samples.size < rate * _MIN_FILLED_S:
        return []
    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    pitch = sound.to_pitch_ac(
        time_step=_FRAME_S,
        pitch_floor=_PITCH_FLOOR_HZ,
        pitch_ceiling=_PITCH_CEILING_HZ,
        silence_threshold=_SILENCE_THRESHOLD,
        voicing_threshold=_VOICING_THRESHOLD,
    )
    f0 = pitch.selected_array["frequency"]
    times = pitch.xs()
    mfcc = sound.to_mfcc(number_of_coefficients=12, window_length=0.025, time_step=_FRAME_S)
    cepstra = mfcc.to_array().T[:, 1:]
    cepstra_times = mfcc.xs()
    runs = []
    for first, last in _true_stretches(_bridged(f0 > 0)):
        if (last - first) * _FRAME_S < _MIN_FILLED_S:
            continue
        voiced = f0[first:last][f0[first:last] > 0]
        semitones = 12 * np.log2(voiced / np.median(voiced))
        # robust spread (scaled median absolute deviation): a stray octave jump does not count
        pitch_spread = 1.4826 * float(np.median(np.abs(semitones)))
        lo, hi = np.searchsorted(cepstra_times, [times[first], times[last - 1]])
        frames = cepstra[lo : max(hi, lo + 1)]
        spread = np.linalg.norm(frames - np.median(frames, axis=0), axis=1).mean()
        runs.append(
            VoicedRun(
                round(float(times[first]) - _FRAME_S / 2, 3),
                round(float(times[last - 1]) + _FRAME_S / 2, 3),
                pitch_spread,
                float(spread),
            )
        )
    return runs


def _bridged(voiced: np.ndarray) -> np.ndarray:
    """The voicing mask with short unvoiced gaps inside voicing filled in."""
    bridged = voiced.copy()
    longest = round(_BRIDGE_S / _FRAME_S)
    for first, last in _true_stretches(~voiced):
        if 0 < first and last < voiced.size and last - first <= longest:
            bridged[first:last] = True
    return bridged


def _true_stretches(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) index pairs of the runs of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def filled_pause_candidates(samples: np.ndarray, rate: int = ANALYSIS_RATE) -> list[Span]:
    """The voiced runs shaped like a filled pause."""
    return [Span(run.start_s, run.end_s) for run in voiced_runs(samples, rate) if run.steady]


def place_fillers(
    samples: np.ndarray, words: list[Word], transcriber: Transcriber
) -> tuple[list[Word], list[Filler]]:
    """The words with each filler moved onto the sound it names, and every filler found.

    `words` carry the lexicon's `filler` marks. Transcript fillers with no filler-shaped sound
    near them are dropped; steady voiced sounds no word accounts for become audio fillers when a
    decode of them alone names a filler.
    """
    runs = voiced_runs(samples)
    candidates = [Span(run.start_s, run.end_s) for run in runs if run.filler_like]
    steady = {Span(run.start_s, run.end_s) for run in runs if run.steady}
    filler_indexes = [
        index
        for index, word in enumerate(words)
        if word.filler and canonical_label(word.text) is not None
    ]
    matches = _match_in_order([words[index] for index in filler_indexes], candidates)
    placed = list(words)
    for index, match in zip(filler_indexes, matches, strict=True):
        if match is not None:
            span = candidates[match]
            placed[index] = replace(words[index], start_s=span.start_s, end_s=span.end_s)
    unconfirmed = {index for index, match in zip(filler_indexes, matches, strict=True) if match is None}
    placed = [word for index, word in enumerate(placed) if index not in unconfirmed]
    claimed = {match for match in matches if match is not None}
    unexplained = [
        span
        for index, span in enumerate(candidates)
        if index not in claimed and span in steady and not _covered_by_word(span, placed)
    ]
    audio_fillers = _recover_by_redecoding(samples, unexplained, placed, transcriber)
    return placed, audio_fillers


def canonical_label(text: str) -> str | None:
    """"um", "uh", "er" or "hmm" for a filled-pause spelling; None for any other token."""
    token = canonical_filler(normalize_token(text))
    token = _FILLED_PAUSE_SPELLINGS.get(token, token)
    return token if token in FILLED_PAUSE_LABELS else None


def _match_in_order(fillers: list[Word], candidates: list[Span]) -> list[int | None]:
    """Monotone matching of fillers to candidates: the most pairs, then the least time moved."""
    n, m = len(fillers), len(candidates)
    # best[i][j]: (pairs, -distance) using fillers[i:] and candidates[j:]
    best = [[(0, 0.0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            distance = _distance(fillers[i], candidates[j])
            if distance <= _MATCH_WINDOW_S:
                pairs, cost = best[i + 1][j + 1]
                options.append((pairs + 1, cost - distance))
            best[i][j] = max(options)
    result: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        distance = _distance(fillers[i], candidates[j])
        if distance <= _MATCH_WINDOW_S:
            pairs, cost = best[i + 1][j + 1]
            if best[i][j] == (pairs + 1, cost - distance):
                result[i] = j
                i, j = i + 1, j + 1
                continue
        if best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return result


def _distance(word: Word, span: Span) -> float:
    """Gap between a stamp and a span; 0 when they overlap."""
    return max(0.0, span.start_s - word.end_s, word.start_s - span.end_s)


def _covered_by_word(span: Span, words: list[Word]) -> bool:
    """A plausible-length word stamp overlaps most of the span: the sound is part of a word."""
    for word in words:
        letters = len(normalize_token(word.text))
        plausible = word.end_s - word.start_s <= _WORD_BASE_S + _WORD_PER_LETTER_S * letters
        if plausible and span.overlap_s(word.start_s, word.end_s) >= span.duration_s / 2:
            return True
    return False


def _recover_by_redecoding(
    samples: np.ndarray, spans: list[Span], words: list[Word], transcriber: Transcriber
) -> list[Filler]:
    """Decode each stretch between two words that holds unexplained sounds, alone.

    Heard alone, the fillers of the stretch are written down; every one more than the transcript
    already has there becomes an audio filler on the next unexplained sound, in order.
    """
    fillers: list[Filler] = []
    for gap, inside in _gaps_between_words(spans, words, samples.size / ANALYSIS_RATE):
        lo, hi = int(gap.start_s * ANALYSIS_RATE), int(gap.end_s * ANALYSIS_RATE)
        heard = [
            label
            for word in transcriber.transcribe(samples[lo:hi])
            if (label := canonical_label(word.text)) is not None
        ]
        known = sum(
            word.filler and gap.overlap_s(word.start_s, word.end_s) > 0 for word in words
        )
        for label, span in zip(heard[known:], inside, strict=False):
            fillers.append(Filler(label, span.start_s, span.end_s, source="audio"))
    return fillers


def _gaps_between_words(
    spans: list[Span], words: list[Word], duration_s: float
) -> list[tuple[Span, list[Span]]]:
    """The stretch from the word before to the word after each span, with the spans inside it.

    Stretches are kept to _GAP_REACH_S around their spans so a decode never covers much speech.
    """
    ordinary = [word for word in words if not word.filler]
    gaps: list[tuple[Span, list[Span]]] = []
    for span in spans:
        before = max(
            (w.end_s for w in ordinary if w.end_s <= span.start_s + _COLLAGE_PAD_S), default=0.0
        )
        after = min(
            (w.start_s for w in ordinary if w.start_s >= span.end_s - _COLLAGE_PAD_S),
            default=duration_s,
        )
        gap = Span(max(before, span.start_s - _GAP_REACH_S), min(after, span.end_s + _GAP_REACH_S))
        if gaps and gaps[-1][0].overlap_s(gap.start_s, gap.end_s) > 0:
            merged = Span(gaps[-1][0].start_s, max(gaps[-1][0].end_s, gap.end_s))
            gaps[-1] = (merged, [*gaps[-1][1], span])
        else:
            gaps.append((gap, [span]))
    return gaps


def with_filled_pauses(speech: list[Span], fillers: list[Span]) -> list[Span]:
    """Speech stretches joined with the filled pauses: a hummed "hmm" the VAD missed is not a
    silent pause, and a filler must not be cut out of the answer as silence."""
    merged: list[Span] = []
    for span in sorted([*speech, *fillers], key=lambda span: span.start_s):
        if merged and span.start_s <= merged[-1].end_s:
            merged[-1] = Span(merged[-1].start_s, max(merged[-1].end_s, span.end_s))
        else:
            merged.append(span)
    return merged
