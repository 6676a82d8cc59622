"""Filled pauses heard in the audio, joined with the ones the transcript names.

Whisper tiny.en writes down only some of the "um"s and "uh"s, and puts the ones it writes at
rough times (often a zero-length stamp next to the word before). The audio knows better: a filled
pause is a sustained voiced sound of about 0.15-1.5 s whose pitch stays level (or glides evenly)
and whose spectrum hardly changes (one vowel, or a vowel and an "m"), while a word moves through
several sounds and a breath, a cough or a consonant burst has no steady pitch at all. So:

1. Praat's pitch tracker (via parselmouth) finds the voiced runs and measures how steady they are.
2. Each transcript filler is matched, in order, to the nearest filler-shaped run, which gives its
   time (a filler of a chain, to any run between the words around the chain), or at a small cost
   to any voiced run no word's stamp covers: that shape is the development speaker's, and a quick
   "uh" at speed, or another voice, is voice without it (issue 14). One with no voice near it
   (the prompt makes whisper add "uh" in silence) is a decoding artefact and is dropped; after the
   last word only a filler-shaped sound confirms it. The prompt can also make whisper write a
   word as "uh": with `check_without_prompt` the few seconds around a filler whisper was unsure
   of are decoded again without the prompt, and a filler that decode writes as another word, on
   the same sound, is dropped.
3. With `learned_check` (off: it invents fillers in real speech, see the option), every voiced
   run left that no transcript filler took is read by a learned model (asr/filler_model.py,
   `unexplained_runs` below measures its features); those it takes for fillers whisper dropped
   are added with `source="audio"` (issue 14, round 7).
4. With `recover_unwritten` (off: on the tuned-on voices it invented more than it found), steady
   runs left over that no word plausibly covers are decoded again with the stretch between their
   neighbouring words, alone and with the verbatim prompt, where a filler is transcribed well.
   Where that decode hears more fillers than the transcript has there, the extra ones are added
   on those runs with `source="audio"`; a run it hears as a word is left alone. (Decoding the
   runs themselves, cut out, makes whisper call any vowel "uh".)
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from mock_interview.asr.filler_model import CEPSTRA, FEATURES, load_filler_model, model_path
from mock_interview.asr.fillers import filled_pause_label
from mock_interview.audio.contour import bridged, true_stretches
from mock_interview.audio.io import ANALYSIS_RATE
from mock_interview.core.values import Filler, Span, Word, normalize_token

if TYPE_CHECKING:
    from mock_interview.asr.whisper import Transcriber


@dataclass(frozen=True)
class FillerSearchOptions:
    """How filled pauses are looked for in the audio; each comment says what the value trades.

    Defaults were measured with `make eval-fillers`; `scripts/eval_fillers.py --set
    filler_search.FIELD=VALUE` sweeps one.
    """

    # Pitch and MFCC frame step (s): finer finds shorter runs, at more tracking work.
    frame_s: float = 0.01
    # Voice range of adult speakers (Hz); a wider range lets the tracker jump octaves.
    pitch_floor_hz: float = 60.0
    pitch_ceiling_hz: float = 400.0
    # Praat's defaults (0.03, 0.45) call soft, creaky fillers unvoiced when the answer has loud
    # parts; lower values hear those, and more breath noise as voice.
    silence_threshold: float = 0.01
    voicing_threshold: float = 0.35
    # Praat's thresholds are relative to the loudest sound in the window, so in a window that is
    # mostly silence (a short tail decoded while the answer goes on) faint noise sounds voiced.
    # Nothing quieter than this is a voice: the level the chunker calls silence
    # (`ChunkingOptions.silent_dbfs`), not tuned on any speaker.
    min_level_dbfs: float = -50.0
    # Unvoiced gaps shorter than this (a creak, a glottal catch) do not split a run; longer
    # bridges join a filler to the word next to it.
    bridge_s: float = 0.03
    # Voiced runs are listed from this length (s); shorter ones are never a filler.
    min_run_s: float = 0.1
    # A filled pause is held at least this long (about 0.15 s): lower admits short vowels of words.
    min_filled_s: float = 0.14
    # ... and rarely longer than this: higher admits drawn-out words.
    max_filled_s: float = 1.5
    # Level pitch: spread around the run's median pitch (semitones); higher admits words.
    max_pitch_spread_st: float = 1.0
    # Or an even glide (a falling "uh"): spread around the best straight glide (semitones).
    max_glide_wobble_st: float = 0.3
    # One sound: mean distance of the frames' MFCCs (c1-c12) from their median; higher admits
    # words that move through several sounds.
    max_spectral_spread: float = 45.0
    # Looser shape that confirms a filler the transcript names: the pitch may glide evenly (a
    # falling "um") and "um" moves from a vowel to a nasal, so the spectrum may change once.
    # Looser keeps more transcript fillers, and more of whisper's invented ones.
    confirm_pitch_wobble_st: float = 1.5
    confirm_spectral_spread: float = 130.0
    # A transcript filler is matched to a sound at most this far from its stamp (s): wider
    # finds badly stamped fillers, and pairs invented ones with real vowels.
    match_window_s: float = 1.0
    # Whisper stamps a filler at or after its sound (in 14 of 15 measured, 0.5-0.85 s after in
    # 12), so each second a sound lies after the stamp counts this many times.
    late_sound_cost: float = 2.0
    # Whisper stamps a filler late, often with the start of the word after it (on the tuned-on
    # eSpeak voices, half of them 0.3-0.6 s late): its stamp is read this much earlier (s).
    # Chosen on the tuned-on voices (0 to 0.5 swept: 0.2 placed most within 0.3 s).
    stamp_lag_s: float = 0.2
    # A sound this much overlapped by a word's stamp may belong to the word: lower drops more
    # sounds as part of a word, higher re-decodes more of them.
    covered: float = 0.3
    # The longest a word takes to say: base + per letter (slow speech, a lengthened vowel);
    # a longer stamp is taken to have swallowed a pause or a filler.
    word_base_s: float = 0.3
    word_per_letter_s: float = 0.1
    # A stretch decoded again reaches at most this far beyond its unexplained sounds (s): more
    # context helps whisper, more speech in it makes it hear words.
    gap_reach_s: float = 1.0
    # Silence between stretches decoded together (s), so whisper hears each one alone; longer
    # costs decoding time.
    separation_s: float = 1.0
    # Slack on word stamps when finding the words around a sound (s).
    stamp_slack_s: float = 0.05
    # A transcript filler placed on a voiced sound that is not filler-shaped (a short "uh" at
    # speed, a voice whose spectrum moves more) costs this much more (s of distance from its
    # stamp) than one on a filler-shaped sound: lower trusts the stamp, higher the shape.
    unshaped_cost_s: float = 0.3
    # A transcript filler may be a word the verbatim prompt made whisper write as "uh" ("die
    # single and, uh, an image" for "and thine image", on the voiced sound of "thine"). On: the
    # stretch around such a filler is decoded again without the prompt, and a filler opposite a
    # different word of that decode, on that word's sound, is dropped; costs a decode then.
    # Measured (issue 14, round 10): on the tuned-on voices it removes that filler and no true
    # one; held out (eval_fillers.py and a new set of eight voices) it removed three invented
    # fillers and one true one. It costs time: `make bench` (a 145-s answer with fillers, one
    # doubtful) took 13.4 s without it, 15.1 s checking the whole window and 13.1-13.4 s checking
    # the 3 s each side (`check_context_s`), on a 2-core AVX2 machine.
    check_without_prompt: bool = True
    # ... for the fillers whisper gave less than this probability: the one it invented on read
    # speech had 0.004, yet real ones go as low as 0.007 (tuned-on voices), so the limit saves
    # decoding time, not accuracy. 1.0 checks every filler; lower checks fewer windows.
    check_below_probability: float = 0.1
    # ... by decoding this much (s) each side of the fillers' sounds again, not the whole
    # window: a wider stretch costs more decoding (about 0.9 s for 8 s, 2.5 s for a 25-s
    # window on a 2-core machine) and gives whisper more context.
    check_context_s: float = 3.0
    # Look for fillers whisper did not write (decoding steady sounds again, alone): finds some it
    # drops in fluent speech, at a decode per stretch. Off: on the tuned-on voices it added one
    # true filler and six invented ones (recall 0.86 -> 0.84, precision 0.88 -> 0.94 without).
    recover_unwritten: bool = False
    # Look for fillers whisper did not write with the learned check (asr/filler_model.py). Off:
    # on held-out eSpeak voices it raised recall 0.64 -> 0.79 (sealed voices 0.67 -> 0.78), but
    # on held-out real speech (a meeting headset that hears other speakers, a 1961 speech) it
    # invented 11 fillers for 1 found; it learned from eSpeak voices and one real speaker.
    learned_check: bool = False
    # With the check on, a voiced run no word explains is a filler when the check gives it at
    # least this probability: lower finds more and invents more. Chosen by leaving each
    # training voice out (`scripts/train_filler_model.py --validate`), never on a held-out one.
    learned_threshold: float = 0.5


DEFAULTS = FillerSearchOptions()


@dataclass(frozen=True)
class VoicedRun:
    """A stretch where the pitch tracker hears voicing, with how steady it is."""

    start_s: float
    end_s: float
    pitch_spread_st: float  # spread around the run's median pitch, semitones
    pitch_wobble_st: float  # spread around the best straight pitch glide, semitones
    spectral_spread: float
    # What the learned search compares with the rest of the chunk (the speaker's own voice):
    level_dbfs: float = 0.0
    pitch_hz: float = 0.0  # median
    cepstrum: tuple[float, ...] = ()  # mean MFCC c1-c12 of its frames

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def steady(self, options: FillerSearchOptions) -> bool:
        """Shaped like a filled pause: long enough, level or evenly gliding pitch, one sound."""
        return (
            self._held(options)
            and (
                self.pitch_spread_st <= options.max_pitch_spread_st
                or self.pitch_wobble_st <= options.max_glide_wobble_st
            )
            and self.spectral_spread <= options.max_spectral_spread
        )

    def filler_like(self, options: FillerSearchOptions) -> bool:
        """Close enough to that shape to confirm a filler the transcript names."""
        return (
            self._held(options)
            and self.pitch_wobble_st <= options.confirm_pitch_wobble_st
            and self.spectral_spread <= options.confirm_spectral_spread
        )

    def _held(self, options: FillerSearchOptions) -> bool:
        return options.min_filled_s <= self.duration_s <= options.max_filled_s


def voiced_runs(
    samples: np.ndarray, rate: int = ANALYSIS_RATE, options: FillerSearchOptions = DEFAULTS
) -> list[VoicedRun]:
    """Every run of voiced frames of at least `options.min_run_s`, in time order."""
    import parselmouth

    if samples.size < rate * options.min_run_s:
        return []
    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    pitch = sound.to_pitch_ac(
        time_step=options.frame_s,
        pitch_floor=options.pitch_floor_hz,
        pitch_ceiling=options.pitch_ceiling_hz,
        silence_threshold=options.silence_threshold,
        voicing_threshold=options.voicing_threshold,
    )
    f0 = pitch.selected_array["frequency"]
    times = pitch.xs()
    mfcc = sound.to_mfcc(number_of_coefficients=12, window_length=0.025, time_step=options.frame_s)
    cepstra = mfcc.to_array().T[:, 1:]
    cepstra_times = mfcc.xs()
    runs = []
    frame_s = options.frame_s
    for first, last in true_stretches(bridged(f0 > 0, round(options.bridge_s / frame_s))):
        if (last - first) * frame_s < options.min_run_s:
            continue
        level_dbfs = _level_dbfs(samples, rate, times[first], times[last - 1])
        if level_dbfs < options.min_level_dbfs:
            continue
        voiced = f0[first:last] > 0
        semitones = 12 * np.log2(f0[first:last][voiced] / np.median(f0[first:last][voiced]))
        semitones -= 12 * np.round(semitones / 12)  # undo the tracker's octave jumps
        frame_times = times[first:last][voiced]
        glide = np.polyval(np.polyfit(frame_times, semitones, 1), frame_times)
        lo, hi = np.searchsorted(cepstra_times, [times[first], times[last - 1]])
        frames = cepstra[lo : max(hi, lo + 1)]
        spread = np.linalg.norm(frames - np.median(frames, axis=0), axis=1).mean()
        start_s = round(float(times[first]) - frame_s / 2, 3)
        end_s = round(float(times[last - 1]) + frame_s / 2, 3)
        runs.append(
            VoicedRun(
                start_s,
                end_s,
                _robust_spread(semitones),
                _robust_spread(semitones - glide),
                float(spread),
                level_dbfs,
                float(np.median(f0[first:last][voiced])),
                tuple(round(float(value), 2) for value in frames.mean(axis=0)),
            )
        )
    return runs


def _robust_spread(values: np.ndarray) -> float:
    """Scaled median absolute deviation: a stray octave jump of the tracker does not count."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


def _level_dbfs(samples: np.ndarray, rate: int, start_s: float, end_s: float) -> float:
    """RMS level of a stretch, in dB below full scale."""
    stretch = samples[int(start_s * rate) : max(int(end_s * rate), int(start_s * rate) + 1)]
    rms = float(np.sqrt(np.mean(np.square(stretch, dtype=np.float64)))) if stretch.size else 0.0
    return 20 * np.log10(max(rms, 1e-10))


def filled_pause_candidates(
    samples: np.ndarray, rate: int = ANALYSIS_RATE, options: FillerSearchOptions = DEFAULTS
) -> list[Span]:
    """The voiced runs shaped like a filled pause."""
    runs = voiced_runs(samples, rate, options)
    return [Span(run.start_s, run.end_s) for run in runs if run.steady(options)]


def place_fillers(
    samples: np.ndarray,
    words: list[Word],
    transcriber: Transcriber,
    options: FillerSearchOptions = DEFAULTS,
    runs: list[VoicedRun] | None = None,
) -> tuple[list[Word], list[Filler]]:
    """The words with each transcript filler moved onto the sound it names, and the fillers
    found only in the audio.

    `words` carry the lexicon's `filler` marks (phrases such as "you know" are left as they are).
    Transcript fillers with no voice near them are dropped. `runs` are `voiced_runs(samples,
    options=options)` when already measured: they need only the audio, so they can be measured
    while whisper decodes it.
    """
    if runs is None:
        runs = voiced_runs(samples, options=options)
    candidates = [Span(run.start_s, run.end_s) for run in runs if run.filler_like(options)]
    filler_indexes = [
        index
        for index, word in enumerate(words)
        if word.filler and filled_pause_label(word.text) is not None
    ]
    candidates = _split_between_stamps(
        candidates, [words[index] for index in filler_indexes], options.min_filled_s
    )
    limits = [_between_neighbours(words, index, options) for index in filler_indexes]
    fillers = [words[index] for index in filler_indexes]
    chain_gaps = _chain_gaps(words, filler_indexes, options)
    shaped = len(candidates)
    candidates += _unshaped_voice(runs, candidates, words, options)
    strict = [not _word_after(words, index, options) for index in filler_indexes]

    def penalty(i: int, j: int) -> float | None:
        if j < shaped:
            return 0.0
        return None if strict[i] else options.unshaped_cost_s

    matches = _match_in_order(fillers, candidates, limits, options, chain_gaps, penalty)
    spans: list[Span | None] = [None if m is None else candidates[m] for m in matches]
    doubtful = {
        index: span
        for index, span in zip(filler_indexes, spans, strict=True)
        if span and words[index].probability < options.check_below_probability
    }
    if options.check_without_prompt and doubtful:
        misheard = _misheard_fillers(words, doubtful, samples, transcriber, options)
        spans = [
            None if index in misheard else span
            for index, span in zip(filler_indexes, spans, strict=True)
        ]
    placed = list(words)
    for index, span in zip(filler_indexes, spans, strict=True):
        if span is not None:
            placed[index] = replace(words[index], start_s=span.start_s, end_s=span.end_s)
    unconfirmed = {index for index, span in zip(filler_indexes, spans, strict=True) if span is None}
    placed = [word for index, word in enumerate(placed) if index not in unconfirmed]
    claimed = [span for span in spans if span is not None]
    heard = _learned_fillers(runs, placed, claimed, options)
    if not options.recover_unwritten:
        return placed, heard
    claimed += [Span(filler.start_s, filler.end_s) for filler in heard]
    unclaimed = [
        Span(run.start_s, run.end_s)
        for run in runs
        if not any(span.overlap_s(run.start_s, run.end_s) > 0 for span in claimed)
    ]
    loose = [
        span
        for span in candidates[:shaped]
        if not any(span.overlap_s(taken.start_s, taken.end_s) > 0 for taken in claimed)
        and not _covered_by_word(span, placed, unclaimed, options)
    ]
    steady = {Span(run.start_s, run.end_s) for run in runs if run.steady(options)}
    recovered = _recover_by_redecoding(samples, loose, steady, placed, transcriber, options)
    return placed, sorted([*heard, *recovered], key=lambda filler: filler.start_s)


def _misheard_fillers(
    words: list[Word],
    placed_on: dict[int, Span],
    samples: np.ndarray,
    transcriber: Transcriber,
    options: FillerSearchOptions,
) -> set[int]:
    """The indexes in `placed_on` (a transcript filler and the sound it was placed on) where a
    decode without the prompt heard a word instead.

    Only the stretch around those sounds is decoded again (`_clip_around`). The two transcripts
    are aligned word by word. Where they differ around a filler, the filler took a word's place
    when the plain decode has more heard words there than the prompted one has besides the
    filler, and the middle of one of them lies on the filler's sound. A plain decode that leaves
    a real filler out stretches a neighbour's stamp over it (so a stamp longer than its word
    takes to say is no evidence), and words piled onto one instant (no length) were not heard
    at all."""
    start_s, end_s = _clip_around(
        words, list(placed_on.values()), samples.size / ANALYSIS_RATE, options.check_context_s
    )
    clip = samples[int(start_s * ANALYSIS_RATE) : int(end_s * ANALYSIS_RATE)]
    plain = [word.shifted(start_s) for word in transcriber.transcribe(clip, prompt="")]
    inside = [i for i, word in enumerate(words) if start_s <= _middle(word) <= end_s]
    offset = inside[0] if inside else 0
    prompted = words[offset : offset + len(inside)]
    aligned = difflib.SequenceMatcher(
        None,
        [normalize_token(word.text) for word in prompted],
        [normalize_token(word.text) for word in plain],
        autojunk=False,
    )
    misheard = set()
    for kind, first, last, plain_first, plain_last in aligned.get_opcodes():
        if kind != "replace":
            continue
        heard = [word for word in plain[plain_first:plain_last] if _heard_word(word)]
        kept = [word for word in prompted[first:last] if _heard_word(word)]
        if len(heard) <= len(kept):
            continue
        said = [word for word in heard if word.end_s - word.start_s <= _plausible_s(word, options)]
        for index in range(offset + first, offset + last):
            span = placed_on.get(index)
            if span is not None and any(
                span.start_s <= _middle(word) <= span.end_s for word in said
            ):
                misheard.add(index)
    return misheard


def _clip_around(
    words: list[Word], sounds: list[Span], duration_s: float, context_s: float
) -> tuple[float, float]:
    """From the last gap between two words at least `context_s` before the first sound to the
    first gap as far after the last (the window's edges when there is none).

    Whisper pads any stretch to 30 s, so a decode costs by the words it writes, and it reads a
    word from the few seconds around it; a cut between words leaves none of them half heard."""
    before = min(sound.start_s for sound in sounds) - context_s
    after = max(sound.end_s for sound in sounds) + context_s
    gaps = [(word.end_s + following.start_s) / 2 for word, following in itertools.pairwise(words)]
    start_s = max((gap for gap in gaps if gap <= before), default=0.0)
    end_s = min((gap for gap in gaps if gap >= after), default=duration_s)
    return start_s, end_s


def _middle(word: Word) -> float:
    return (word.start_s + word.end_s) / 2


def _heard_word(word: Word) -> bool:
    """An ordinary word with a stamp of some length."""
    return filled_pause_label(word.text) is None and word.end_s > word.start_s


def _learned_fillers(
    runs: list[VoicedRun], words: list[Word], claimed: list[Span], options: FillerSearchOptions
) -> list[Filler]:
    """The voiced runs no word explains that the learned check (asr/filler_model.py) takes for
    fillers whisper did not write."""
    model = load_filler_model(model_path()) if options.learned_check else None
    if model is None:
        return []
    chosen, features = unexplained_runs(runs, words, claimed, options)
    if not chosen:
        return []
    likely = model.probabilities(features) >= options.learned_threshold
    says_um = model.says_um(features)
    return [
        Filler("um" if um else "uh", run.start_s, run.end_s, source="audio")
        for run, found, um in zip(chosen, likely, says_um, strict=True)
        if found
    ]


def _unshaped_voice(
    runs: list[VoicedRun], shaped: list[Span], words: list[Word], options: FillerSearchOptions
) -> list[Span]:
    """Voiced sounds not shaped like a filled pause that no word's stamp covers: where a
    transcript filler may be after all.

    How level and steady a filled pause sounds depends on the speaker: a short "uh" said at
    speed, or a voice whose spectrum moves more than the development speaker's, fails the shape
    test, yet whisper heard it, and voice that no ordinary word claims is the evidence it was
    said. Such a sound costs `options.unshaped_cost_s` more than a filler-shaped one, and a
    filler after the last word may not take one: there the verbatim prompt makes whisper write
    "uh" for breath or noise.
    """
    free = [
        Span(run.start_s, run.end_s)
        for run in runs
        if run.duration_s <= options.max_filled_s
        and not any(span.overlap_s(run.start_s, run.end_s) > 0 for span in shaped)
    ]
    return [span for span in free if not _covered_by_word(span, words, free, options)]


def _word_after(words: list[Word], index: int, options: FillerSearchOptions) -> bool:
    """An ordinary word with a real stamp follows words[index]."""
    return any(_timed_word(word, options.stamp_slack_s) for word in words[index + 1 :])


def _split_between_stamps(
    candidates: list[Span], fillers: list[Word], min_filled_s: float
) -> list[Span]:
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
        if all(part.duration_s >= min_filled_s for part in parts):
            pieces += parts
        else:
            pieces.append(span)
    return pieces


def _chain_gaps(
    words: list[Word], filler_indexes: list[int], options: FillerSearchOptions
) -> list[Span | None]:
    """For each filler of a chain (fillers said one after another, no word between), the gap
    between the words around the chain; None for a filler said alone.

    Whisper stamps a chain of "uh"s badly, often piling several onto one instant, so only their
    order and the words around the chain say where they are.
    """
    indexes = set(filler_indexes)
    return [
        _between_neighbours(words, index, options, inner=True)
        if index - 1 in indexes or index + 1 in indexes
        else None
        for index in filler_indexes
    ]


def _between_neighbours(
    words: list[Word], index: int, options: FillerSearchOptions, inner: bool = False
) -> Span:
    """From the start of the ordinary word before words[index] to the end of the one after:
    a filler stays between the words it was said between. `inner`: from the end of the word
    before to the start of the one after."""
    slack_s = options.stamp_slack_s
    before = [
        word.end_s if inner else word.start_s
        for word in words[:index]
        if _timed_word(word, slack_s)
    ]
    after = [
        word.start_s if inner else word.end_s
        for word in words[index + 1 :]
        if _timed_word(word, slack_s)
    ]
    return Span(before[-1] if before else 0.0, after[0] if after else float("inf"))


def _timed_word(word: Word, stamp_slack_s: float) -> bool:
    """An ordinary word whose stamp says where it is (a zero-length stamp says nothing)."""
    return not word.filler and word.end_s - word.start_s >= stamp_slack_s


def _match_in_order(
    fillers: list[Word],
    candidates: list[Span],
    limits: list[Span],
    options: FillerSearchOptions,
    chain_gaps: list[Span | None] | None = None,
    penalty: Callable[[int, int], float | None] | None = None,
) -> list[int | None]:
    """Each filler's candidate (or None), keeping time order and each filler inside its limits:
    within `options.match_window_s` of its stamp, or for a filler of a chain, in its chain's
    gap. `penalty(i, j)` adds to the cost of a pair, or forbids it (None)."""

    def moved(i: int, j: int) -> float | None:
        span, limit, word = candidates[j], limits[i], fillers[i]
        extra = penalty(i, j) if penalty else 0.0
        if extra is None or span.start_s < limit.start_s or span.end_s > limit.end_s:
            return None
        start_s, end_s = word.start_s - options.stamp_lag_s, word.end_s - options.stamp_lag_s
        early = max(0.0, start_s - span.end_s)  # the sound ends before the stamp
        late = max(0.0, span.start_s - end_s)  # the sound starts after it: a worse fit
        cost = early + options.late_sound_cost * late + extra
        gap = chain_gaps[i] if chain_gaps else None
        if gap is not None:
            middle = (span.start_s + span.end_s) / 2
            return cost if gap.start_s <= middle <= gap.end_s else None
        return cost if early + late <= options.match_window_s else None

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


def _plausible_s(word: Word, options: FillerSearchOptions) -> float:
    """The longest `word` takes to say (a slow speaker, a lengthened vowel): a longer stamp has
    swallowed a pause or a filler."""
    return options.word_base_s + options.word_per_letter_s * len(normalize_token(word.text))


def _covered_by_word(
    span: Span, words: list[Word], sounds: list[Span], options: FillerSearchOptions
) -> bool:
    """A word's stamp overlaps a good part of the span: the sound may be part of that word.

    A stamp longer than the word could take to say has swallowed a pause or a filler. It covers
    the span only when the span is the one sound in it (of `sounds`, the voiced runs no
    transcript filler has taken): a word is said somewhere, and a drawn-out "or" is as steady
    as an "um". The first word's stamp is the exception: whisper starts it at the start of the
    audio, so the word itself is the end of its stamp.
    """
    ordinary = [word for word in words if not word.filler]
    for index, word in enumerate(ordinary):
        plausible_s = _plausible_s(word, options)
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
        if span.overlap_s(start_s, word.end_s) >= options.covered * span.duration_s:
            return True
    return False


def _recover_by_redecoding(
    samples: np.ndarray,
    loose: list[Span],
    steady: set[Span],
    words: list[Word],
    transcriber: Transcriber,
    options: FillerSearchOptions,
) -> list[Filler]:
    """Decode each stretch between two words that holds unexplained sounds, alone.

    `loose` are the filler-shaped sounds no word explains; the steady ones are looked at. Heard
    alone, the fillers of the stretch are written down (those stamped in the silence laid beside
    it are not in it). When that is all there is among the unexplained sounds, and more than the
    transcript has in the stretch (else it may be the transcript's own), every one of them is a
    filler (whisper writes "uh, uh" for a chain of six), and so is every loose sound between
    them (a repeated "uh" is not always held at a level pitch). Around a chain of several such
    sounds, words heard wholly before the first or after the last are neighbouring words
    reaching into the stretch (whisper often stamps the next word late, so the stretch can hold
    its start) and do not count; next to a single sound they do, as the filler heard may then
    be one the transcript already has. Otherwise the
    fillers heard are paired in order with the filler-shaped sounds there, and those paired with
    an unexplained sound beyond the transcript's count become audio fillers.
    """
    fillers: list[Filler] = []
    gaps = _gaps_between_words([span for span in loose if span in steady], words, options)
    heard_in_gaps = _decode_alone(samples, [gap for gap, _ in gaps], transcriber, options)
    for (gap, inside), heard_words in zip(gaps, heard_in_gaps, strict=True):
        # a filler stamped in the silence laid beside the stretch was not heard in it: with the
        # verbatim prompt whisper writes "uh" for silence, or for the cut-off start of a word
        heard = [
            word
            for word in heard_words
            if filled_pause_label(word.text) is not None
            and gap.overlap_s(word.start_s, word.end_s) > options.stamp_slack_s
        ]
        slack_s = options.stamp_slack_s
        known = [
            Span(word.start_s, word.end_s)
            for word in words
            if word.filler
            and (
                gap.overlap_s(word.start_s - slack_s, word.end_s + slack_s) > 0
                or gap.start_s - slack_s <= word.start_s <= gap.end_s + slack_s
            )
        ]
        among = Span(inside[0].start_s, inside[-1].end_s)
        spoken_among = [
            word
            for word in heard_words
            if filled_pause_label(word.text) is None
            and (len(inside) == 1 or (word.end_s > among.start_s and word.start_s < among.end_s))
        ]
        if len(heard) > len(known) and not spoken_among:
            # nothing but fillers among the unexplained sounds: every one of them is a filler
            labels = Counter(str(filled_pause_label(word.text)) for word in heard)
            label = labels.most_common(1)[0][0]
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
        pairs = _match_in_order(heard, places, [reach] * len(heard), options)
        new = [
            (word, places[place])
            for word, place in zip(heard, pairs, strict=True)
            if place is not None and places[place] in inside
        ]
        for word, span in new[:extra]:
            label = str(filled_pause_label(word.text))
            fillers.append(Filler(label, span.start_s, span.end_s, source="audio"))
    return fillers


def _decode_alone(
    samples: np.ndarray,
    stretches: list[Span],
    transcriber: Transcriber,
    options: FillerSearchOptions,
) -> list[list[Word]]:
    """The words heard in each stretch decoded on its own, with the verbatim prompt.

    The stretches are decoded in one pass, laid end to end with silence between them (one
    encoder pass per 30 s rather than one per stretch); each word goes back to its stretch.
    """
    separation_s = options.separation_s
    silence = np.zeros(int(separation_s * ANALYSIS_RATE), dtype=np.float32)
    pieces = [silence]
    starts = []  # where each stretch begins in the joined audio
    cursor_s = separation_s
    for stretch in stretches:
        piece = samples[int(stretch.start_s * ANALYSIS_RATE) : int(stretch.end_s * ANALYSIS_RATE)]
        starts.append(cursor_s)
        pieces += [piece.astype(np.float32), silence]
        cursor_s += piece.size / ANALYSIS_RATE + separation_s
    heard: list[list[Word]] = [[] for _ in stretches]
    if not stretches:
        return heard
    for word in transcriber.transcribe(np.concatenate(pieces)):
        middle = (word.start_s + word.end_s) / 2
        index = max(0, int(np.searchsorted(starts, middle + separation_s / 2)) - 1)
        heard[index].append(word.shifted(stretches[index].start_s - starts[index]))
    return heard


def _gaps_between_words(
    spans: list[Span], words: list[Word], options: FillerSearchOptions
) -> list[tuple[Span, list[Span]]]:
    """The stretch from the word before to the word after each span, with the spans inside it.

    Stretches are kept to `options.gap_reach_s` around their spans so a decode never covers much
    speech; sounds after the last word get none.
    """
    ordinary = [word for word in words if _timed_word(word, options.stamp_slack_s)]
    slack_s, reach_s = options.stamp_slack_s, options.gap_reach_s
    gaps: list[tuple[Span, list[Span]]] = []
    for span in spans:
        before = max((w.end_s for w in ordinary if w.end_s <= span.start_s + slack_s), default=0.0)
        after = min(
            (w.start_s for w in ordinary if w.start_s >= span.end_s - slack_s),
            default=None,
        )
        if after is None:  # after the last word, the prompt makes whisper hear "uh" in any noise
            continue
        gap = Span(max(before, span.start_s - reach_s), min(after, span.end_s + reach_s))
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


# The learned check's features (asr/filler_model.py says what each tells). Silences and
# distances are capped at a second: beyond it they say nothing more; runs and words are counted
# within `_AROUND_S` either side of a run (a word or two).
_FAR_S = 1.0
_AROUND_S = 0.75


def unexplained_runs(
    runs: list[VoicedRun], words: list[Word], claimed: list[Span], options: FillerSearchOptions
) -> tuple[list[VoicedRun], np.ndarray]:
    """The runs no transcript filler has taken, of a filler's length, and their features."""
    if not runs:
        return [], np.zeros((0, len(FEATURES)))
    weights = np.array([run.duration_s for run in runs])
    cepstra = np.array([run.cepstrum or (0.0,) * CEPSTRA for run in runs])
    voice_cepstrum = weights @ cepstra / weights.sum()
    voice_level = float(np.median([run.level_dbfs for run in runs]))
    voice_pitch = float(np.median([run.pitch_hz for run in runs if run.pitch_hz > 0] or [1.0]))
    fillers = [word for word in words if word.filler]
    owners = _words_owning(runs, [word for word in words if not word.filler])
    chosen: list[VoicedRun] = []
    rows = []
    for index, run in enumerate(runs):
        if not options.min_run_s <= run.duration_s <= options.max_filled_s:
            continue
        if any(span.overlap_s(run.start_s, run.end_s) > 0 for span in claimed):
            continue
        before = run.start_s - runs[index - 1].end_s if index else _FAR_S
        after = runs[index + 1].start_s - run.end_s if index + 1 < len(runs) else _FAR_S
        covered, overrun = _stamp_cover(run, words, options)
        near = min((_distance(run, word) for word in fillers), default=_FAR_S)
        around = Span(run.start_s - _AROUND_S, run.end_s + _AROUND_S)
        spare = sum(around.overlap_s(other.start_s, other.end_s) > 0 for other in runs) - sum(
            around.overlap_s(word.start_s, word.end_s) > 0 for word in words if not word.filler
        )
        rows.append(
            [
                run.duration_s,
                min(run.pitch_spread_st, 6.0),
                min(run.pitch_wobble_st, 6.0),
                run.spectral_spread / 100,
                min(before, _FAR_S),
                min(after, _FAR_S),
                (run.level_dbfs - voice_level) / 10,
                float(np.log2(max(run.pitch_hz, 1.0) / voice_pitch)),
                covered,
                overrun,
                min(near, _FAR_S),
                float(np.clip(spare, -3, 3)),
                min(owners[index], 2),
                *((cepstra[index] - voice_cepstrum) / 20),
            ]
        )
        chosen.append(run)
    return chosen, np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def _stamp_cover(
    run: VoicedRun, words: list[Word], options: FillerSearchOptions
) -> tuple[float, float]:
    """How much of the run ordinary words' stamps cover, and the most any of those stamps runs
    past the time its word takes to say (s, capped at a second either way)."""
    covered = 0.0
    overrun = -_FAR_S
    for word in words:
        if word.filler:
            continue
        overlap = Span(run.start_s, run.end_s).overlap_s(word.start_s, word.end_s)
        if overlap <= 0:
            continue
        covered += overlap
        overrun = max(overrun, word.end_s - word.start_s - _plausible_s(word, options))
    return min(covered / max(run.duration_s, 1e-3), 1.0), float(np.clip(overrun, -_FAR_S, _FAR_S))


def _words_owning(runs: list[VoicedRun], words: list[Word]) -> list[int]:
    """For each run, how many of `words` overlap it more than they overlap any other run."""
    owned = [0] * len(runs)
    spans = [Span(run.start_s, run.end_s) for run in runs]
    for word in words:
        overlaps = [span.overlap_s(word.start_s, word.end_s) for span in spans]
        best = int(np.argmax(overlaps)) if overlaps else -1
        if best >= 0 and overlaps[best] > 0:
            owned[best] += 1
    return owned


def _distance(run: VoicedRun, word: Word) -> float:
    return max(0.0, word.start_s - run.end_s, run.start_s - word.end_s)
