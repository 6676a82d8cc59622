"""Filled pauses heard in the audio, joined with the ones the transcript names.

Whisper tiny.en writes down only some of the "um"s and "uh"s, and puts the ones it writes at
rough times (often a zero-length stamp next to the word before). The audio knows better: a filled
pause is a sustained voiced sound of about 0.15-1.5 s whose pitch stays level (or glides evenly)
and whose spectrum hardly changes (one vowel, or a vowel and an "m"), while a word moves through
several sounds and a breath, a cough or a consonant burst has no steady pitch at all. So:

1. Praat's pitch tracker (via parselmouth) finds the voiced runs and measures how steady they are.
2. Each transcript filler is matched, in order, to the nearest filler-shaped run, which gives its
   time (a filler of a chain, to any run between the words around the chain); one with no such
   sound near it (the prompt makes whisper add "uh" after the last word, or read the "a" of
   "a liner" as one) is a decoding artefact and is dropped.
3. Steady runs left over that no word plausibly covers are decoded again with the stretch between
   their neighbouring words, alone and with the verbatim prompt, where a filler is transcribed
   well. Where that decode hears more fillers than the transcript has there, the extra ones are
   added on those runs with `source="audio"`; a run it hears as a word is left alone.
   (Decoding the runs themselves, cut out, makes whisper call any vowel "uh".)
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from mock_interview.asr.fillers import canonical_filler
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.core.values import Filler, Span, Word, normalize_token

if TYPE_CHECKING:
    from mock_interview.asr.whisper import Transcriber

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
_BRIDGE_S = 0.03
# A filled pause is held for at least this long (about 0.15 s) and rarely longer than the upper
# bound; voiced runs are listed from _MIN_RUN_S.
_MIN_RUN_S = 0.1
_MIN_FILLED_S = 0.14
_MAX_FILLED_S = 1.5
# Level pitch: spread around the run's median pitch, in semitones; or an even glide (a falling
# "uh"): spread around the best straight glide.
_MAX_PITCH_SPREAD_ST = 1.0
_MAX_GLIDE_WOBBLE_ST = 0.3
# One sound: mean distance of the frames' MFCCs (c1-c12) from their median.
_MAX_SPECTRAL_SPREAD = 45.0
# Looser shape that confirms a filler the transcript names: the pitch may glide evenly (a
# falling "um"), so what counts is how far it strays from a straight glide, and "um" moves from
# a vowel to a nasal, so the spectrum may change once.
_CONFIRM_PITCH_WOBBLE_ST = 1.5
_CONFIRM_SPECTRAL_SPREAD = 130.0
# A transcript filler is matched to a candidate at most this far from its stamp (seconds).
_MATCH_WINDOW_S = 1.0
# Whisper stamps a filler at or after its sound (in 14 of 15 measured, 0.5-0.85 s after in 12),
# so each second a candidate lies after the stamp counts this many times.
_LATE_SOUND_COST = 2.0
# A sound this much overlapped by a word's stamp may belong to the word.
_COVERED = 0.3
# The longest a word takes to say: base + per letter (slow speech, a lengthened vowel).
_WORD_BASE_S = 0.3
_WORD_PER_LETTER_S = 0.1
# A stretch decoded again reaches at most this far beyond its unexplained sounds (seconds).
_GAP_REACH_S = 1.0
# Silence between stretches decoded together, so whisper hears each one alone.
_SEPARATION_S = 1.0
# Slack on word stamps when finding the words around a sound.
_STAMP_SLACK_S = 0.05


@dataclass(frozen=True)
class VoicedRun:
    """A stretch where the pitch tracker hears voicing, with how steady it is."""

    start_s: float
    end_s: float
    pitch_spread_st: float  # spread around the run's median pitch, semitones
    pitch_wobble_st: float  # spread around the best straight pitch glide, semitones
    spectral_spread: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def steady(self) -> bool:
        """Shaped like a filled pause: long enough, level or evenly gliding pitch, one sound."""
        return (
            self._held()
            and (
                self.pitch_spread_st <= _MAX_PITCH_SPREAD_ST
                or self.pitch_wobble_st <= _MAX_GLIDE_WOBBLE_ST
            )
            and self.spectral_spread <= _MAX_SPECTRAL_SPREAD
        )

    @property
    def filler_like(self) -> bool:
        """Close enough to that shape to confirm a filler the transcript names."""
        return (
            self._held()
            and self.pitch_wobble_st <= _CONFIRM_PITCH_WOBBLE_ST
            and self.spectral_spread <= _CONFIRM_SPECTRAL_SPREAD
        )

    def _held(self) -> bool:
        return _MIN_FILLED_S <= self.duration_s <= _MAX_FILLED_S


def voiced_runs(samples: np.ndarray, rate: int = ANALYSIS_RATE) -> list[VoicedRun]:
    """Every run of voiced frames of at least _MIN_RUN_S, in time order."""
    import parselmouth

    if samples.size < rate * _MIN_RUN_S:
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
        if (last - first) * _FRAME_S < _MIN_RUN_S:
            continue
        voiced = f0[first:last] > 0
        semitones = 12 * np.log2(f0[first:last][voiced] / np.median(f0[first:last][voiced]))
        semitones -= 12 * np.round(semitones / 12)  # undo the tracker's octave jumps
        frame_times = times[first:last][voiced]
        glide = np.polyval(np.polyfit(frame_times, semitones, 1), frame_times)
        lo, hi = np.searchsorted(cepstra_times, [times[first], times[last - 1]])
        frames = cepstra[lo : max(hi, lo + 1)]
        spread = np.linalg.norm(frames - np.median(frames, axis=0), axis=1).mean()
        runs.append(
            VoicedRun(
                round(float(times[first]) - _FRAME_S / 2, 3),
                round(float(times[last - 1]) + _FRAME_S / 2, 3),
                _robust_spread(semitones),
                _robust_spread(semitones - glide),
                float(spread),
            )
        )
    return runs


def _robust_spread(values: np.ndarray) -> float:
    """Scaled median absolute deviation: a stray octave jump of the tracker does not count."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


def _bridged(voiced: np.ndarray) -> np.ndarray:
    """The voicing mask with short unvoiced gaps inside voicing filled in."""
    bridged = voiced.copy()
    longest = round(_BRIDGE_S / _FRAME_S)
    for first, last in _true_stretches(~voiced):
        if first > 0 and last < voiced.size and last - first <= longest:
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
    """The words with each transcript filler moved onto the sound it names, and the fillers
    found only in the audio.

    `words` carry the lexicon's `filler` marks (phrases such as "you know" are left as they are).
    Transcript fillers with no filler-shaped sound near them are dropped.
    """
    runs = voiced_runs(samples)
    candidates = [Span(run.start_s, run.end_s) for run in runs if run.filler_like]
    steady = {Span(run.start_s, run.end_s) for run in runs if run.steady}
    filler_indexes = [
        index
        for index, word in enumerate(words)
        if word.filler and canonical_label(word.text) is not None
    ]
    candidates = _split_between_stamps(candidates, [words[index] for index in filler_indexes])
    limits = [_between_neighbours(words, index) for index in filler_indexes]
    matches = _match_in_order(
        [words[index] for index in filler_indexes],
        candidates,
        limits,
        _chain_gaps(words, filler_indexes),
    )
    placed = list(words)
    for index, match in zip(filler_indexes, matches, strict=True):
        if match is not None:
            span = candidates[match]
            placed[index] = replace(words[index], start_s=span.start_s, end_s=span.end_s)
    unconfirmed = {
        index for index, match in zip(filler_indexes, matches, strict=True) if match is None
    }
    placed = [word for index, word in enumerate(placed) if index not in unconfirmed]
    claimed = {match for match in matches if match is not None}
    unclaimed = [
        Span(run.start_s, run.end_s)
        for run in runs
        if not any(candidates[match].overlap_s(run.start_s, run.end_s) > 0 for match in claimed)
    ]
    loose = [
        span
        for index, span in enumerate(candidates)
        if index not in claimed and not _covered_by_word(span, placed, unclaimed)
    ]
    return placed, _recover_by_redecoding(samples, loose, steady, placed, transcriber)


def _split_between_stamps(candidates: list[Span], fillers: list[Word]) -> list[Span]:
    """Each run cut between the transcript fillers stamped inside it: "uh-uh" said with no
    unvoiced break between is one voiced run, but two fillers."""
    pieces: list[Span] = []
    for span in candidates:
        middles = sorted(
            middle
            for middle in ((word.start_s + word.end_s) / 2 for word in fillers)
            if span.start_s < middle < span.end_s
        )
        edges = [span.start_s]
        edges += [(before + after) / 2 for before, after in itertools.pairwise(middles)]
        edges.append(span.end_s)
        parts = [Span(start, end) for start, end in itertools.pairwise(edges)]
        if all(part.duration_s >= _MIN_FILLED_S for part in parts):
            pieces += parts
        else:
            pieces.append(span)
    return pieces


def _chain_gaps(words: list[Word], filler_indexes: list[int]) -> list[Span | None]:
    """For each filler of a chain (fillers said one after another, no word between), the gap
    between the words around the chain; None for a filler said alone.

    Whisper stamps a chain of "uh"s badly, often piling several onto one instant, so only their
    order and the words around the chain say where they are.
    """
    indexes = set(filler_indexes)
    return [
        _between_neighbours(words, index, inner=True)
        if index - 1 in indexes or index + 1 in indexes
        else None
        for index in filler_indexes
    ]


def canonical_label(text: str) -> str | None:
    """The filled-pause label ("um", "uh", "er", "hmm") a token spells; None for other tokens."""
    token = canonical_filler(normalize_token(text))
    token = _FILLED_PAUSE_SPELLINGS.get(token, token)
    return token if token in FILLED_PAUSE_LABELS else None


def _between_neighbours(words: list[Word], index: int, inner: bool = False) -> Span:
    """From the start of the ordinary word before words[index] to the end of the one after:
    a filler stays between the words it was said between. `inner`: from the end of the word
    before to the start of the one after."""
    before = [word.end_s if inner else word.start_s for word in words[:index] if _timed_word(word)]
    after = [
        word.start_s if inner else word.end_s for word in words[index + 1 :] if _timed_word(word)
    ]
    return Span(before[-1] if before else 0.0, after[0] if after else float("inf"))


def _timed_word(word: Word) -> bool:
    """An ordinary word whose stamp says where it is (a zero-length stamp says nothing)."""
    return not word.filler and word.end_s - word.start_s >= _STAMP_SLACK_S


def _match_in_order(
    fillers: list[Word],
    candidates: list[Span],
    limits: list[Span],
    chain_gaps: list[Span | None] | None = None,
) -> list[int | None]:
    """Each filler's candidate (or None), keeping time order and each filler inside its limits:
    within _MATCH_WINDOW_S of its stamp, or for a filler of a chain, in its chain's gap."""

    def moved(i: int, j: int) -> float | None:
        span, limit, word = candidates[j], limits[i], fillers[i]
        if span.start_s < limit.start_s or span.end_s > limit.end_s:
            return None
        early = max(0.0, word.start_s - span.end_s)  # the sound ends before the stamp
        late = max(0.0, span.start_s - word.end_s)  # the sound starts after it: a worse fit
        cost = early + _LATE_SOUND_COST * late
        gap = chain_gaps[i] if chain_gaps else None
        if gap is not None:
            middle = (span.start_s + span.end_s) / 2
            return cost if gap.start_s <= middle <= gap.end_s else None
        return cost if early + late <= _MATCH_WINDOW_S else None

    return _best_pairs(len(fillers), len(candidates), moved)


def _best_pairs(n: int, m: int, moved: Callable[[int, int], float | None]) -> list[int | None]:
    """Order-keeping pairing of n items with m places: the most pairs, then the least total
    move; `moved` is None for a pair that may not be made. For each item its place or None."""
    # best[i][j]: (pairs, -total move) using items i.. and places j..
    best = [[(0, 0.0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], _paired(best, moved, i, j))
    result: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if best[i][j] == _paired(best, moved, i, j):
            result[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return result


def _paired(
    best: list[list[tuple[int, float]]],
    moved: Callable[[int, int], float | None],
    i: int,
    j: int,
) -> tuple[int, float]:
    """The score of pairing item i with place j; worse than anything when it may not be made."""
    distance = moved(i, j)
    if distance is None:
        return (-1, 0.0)
    pairs, cost = best[i + 1][j + 1]
    return (pairs + 1, cost - distance)


def _covered_by_word(span: Span, words: list[Word], sounds: list[Span]) -> bool:
    """A word's stamp overlaps a good part of the span: the sound may be part of that word.

    A stamp longer than the word could take to say has swallowed a pause or a filler. It covers
    the span only when the span is the one sound in it (of `sounds`, the voiced runs no
    transcript filler has taken): a word is said somewhere, and a drawn-out "or" is as steady
    as an "um". The first word's stamp is the exception: whisper starts it at the start of the
    audio, so the word itself is the end of its stamp.
    """
    ordinary = [word for word in words if not word.filler]
    for index, word in enumerate(ordinary):
        plausible_s = _WORD_BASE_S + _WORD_PER_LETTER_S * len(normalize_token(word.text))
        start_s = word.start_s
        if word.end_s - word.start_s > plausible_s:
            if not index:
                start_s = word.end_s - plausible_s
            elif any(
                sound.overlap_s(word.start_s, word.end_s) > 0
                and sound.overlap_s(span.start_s, span.end_s) == 0
                for sound in sounds
            ):
                continue
        if span.overlap_s(start_s, word.end_s) >= _COVERED * span.duration_s:
            return True
    return False


def _recover_by_redecoding(
    samples: np.ndarray,
    loose: list[Span],
    steady: set[Span],
    words: list[Word],
    transcriber: Transcriber,
) -> list[Filler]:
    """Decode each stretch between two words that holds unexplained sounds, alone.

    `loose` are the filler-shaped sounds no word explains; the steady ones are looked at. Heard
    alone, the fillers of the stretch are written down. When that is all there is among the
    unexplained sounds, every one of them is a filler (whisper writes "uh, uh" for a chain of
    six), and so is every loose sound between them (a repeated "uh" is not always held at a
    level pitch). Around a chain of several such sounds, words heard wholly before the first or
    after the last are neighbouring words reaching into the stretch (whisper often stamps the
    next word late, so the stretch can hold its start) and do not count; next to a single sound
    they do, as the filler heard may then be one the transcript already has. Otherwise the
    fillers heard are paired in order with the filler-shaped sounds there, and those paired with
    an unexplained sound beyond the transcript's count become audio fillers.
    """
    fillers: list[Filler] = []
    gaps = _gaps_between_words([span for span in loose if span in steady], words)
    heard_in_gaps = _decode_alone(samples, [gap for gap, _ in gaps], transcriber)
    for (gap, inside), heard_words in zip(gaps, heard_in_gaps, strict=True):
        heard = [word for word in heard_words if canonical_label(word.text) is not None]
        known = [
            Span(word.start_s, word.end_s)
            for word in words
            if word.filler and gap.overlap_s(word.start_s, word.end_s) > 0
        ]
        among = Span(inside[0].start_s, inside[-1].end_s)
        spoken_among = [
            word
            for word in heard_words
            if canonical_label(word.text) is None
            and (len(inside) == 1 or (word.end_s > among.start_s and word.start_s < among.end_s))
        ]
        if heard and not spoken_among:
            # nothing but fillers among the unexplained sounds: every one of them is a filler
            label = Counter(str(canonical_label(word.text)) for word in heard).most_common(1)[0][0]
            chain = [
                span
                for span in loose
                if among.start_s <= span.start_s and span.end_s <= among.end_s
            ]
            fillers += [Filler(label, span.start_s, span.end_s, source="audio") for span in chain]
            continue
        extra = len(heard) - len(known)
        if extra <= 0:  # what was heard there is what the transcript has
            continue
        places = sorted([*known, *inside], key=lambda span: span.start_s)
        reach = Span(min(span.start_s for span in places), max(span.end_s for span in places))
        pairs = _match_in_order(heard, places, [reach] * len(heard))
        new = [
            (word, places[place])
            for word, place in zip(heard, pairs, strict=True)
            if place is not None and places[place] in inside
        ]
        for word, span in new[:extra]:
            label = str(canonical_label(word.text))
            fillers.append(Filler(label, span.start_s, span.end_s, source="audio"))
    return fillers


def _decode_alone(
    samples: np.ndarray, stretches: list[Span], transcriber: Transcriber
) -> list[list[Word]]:
    """The words heard in each stretch decoded on its own, with the verbatim prompt.

    The stretches are decoded in one pass, laid end to end with silence between them (one
    encoder pass per 30 s rather than one per stretch); each word goes back to its stretch.
    """
    silence = np.zeros(int(_SEPARATION_S * ANALYSIS_RATE), dtype=np.float32)
    pieces = [silence]
    starts = []  # where each stretch begins in the joined audio
    cursor_s = _SEPARATION_S
    for stretch in stretches:
        piece = samples[int(stretch.start_s * ANALYSIS_RATE) : int(stretch.end_s * ANALYSIS_RATE)]
        starts.append(cursor_s)
        pieces += [piece.astype(np.float32), silence]
        cursor_s += piece.size / ANALYSIS_RATE + _SEPARATION_S
    heard: list[list[Word]] = [[] for _ in stretches]
    if not stretches:
        return heard
    for word in transcriber.transcribe(np.concatenate(pieces)):
        middle = (word.start_s + word.end_s) / 2
        index = max(0, int(np.searchsorted(starts, middle + _SEPARATION_S / 2)) - 1)
        heard[index].append(word.shifted(stretches[index].start_s - starts[index]))
    return heard


def _gaps_between_words(spans: list[Span], words: list[Word]) -> list[tuple[Span, list[Span]]]:
    """The stretch from the word before to the word after each span, with the spans inside it.

    Stretches are kept to _GAP_REACH_S around their spans so a decode never covers much speech;
    sounds after the last word get none.
    """
    ordinary = [word for word in words if _timed_word(word)]
    gaps: list[tuple[Span, list[Span]]] = []
    for span in spans:
        before = max(
            (w.end_s for w in ordinary if w.end_s <= span.start_s + _STAMP_SLACK_S), default=0.0
        )
        after = min(
            (w.start_s for w in ordinary if w.start_s >= span.end_s - _STAMP_SLACK_S),
            default=None,
        )
        if after is None:  # after the last word, the prompt makes whisper hear "uh" in any noise
            continue
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
