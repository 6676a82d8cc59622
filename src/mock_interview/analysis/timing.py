"""Answer timing from the signal, with the words aligned to it.

Latency, answer length and pauses come from the energy VAD; the words are then clipped into the
speech they overlap, so a pause never sits inside a word and a word never spans a pause.
Words over silence (whisper hallucinating "Thank you." on an empty stretch) are dropped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Literal

from mock_interview.asr.fillers import filled_pause_label
from mock_interview.core.values import Span, Word

Verdict = Literal["short", "on_target", "long"]


@dataclass(frozen=True)
class Timing:
    response_latency_s: float
    answer_length_s: float
    speaking_s: float
    pauses: list[Span]


def align_words(words: list[Word], speech: list[Span]) -> list[Word]:
    """Each word clipped into the speech stretch it overlaps most; words over silence dropped.

    Filled pauses carry the times of their sounds (`place_fillers`), ordinary words whisper's
    looser stamps, so where they overlap the filler keeps its time: the words said before it end
    where it starts. Whisper can even stamp a word said before a filler after the filler's sound
    ("and," at 134.66 s, then "um," placed on its sound at 133.83-134.27 s); such a word then
    keeps no length, at the filler's start, rather than the filler losing its sound. A filler
    phrase ("you know") keeps whisper's stamps, so it only trims a word that starts before it.
    """
    aligned: list[Word] = []
    for word in words:
        best = max(speech, key=lambda span: span.overlap_s(word.start_s, word.end_s), default=None)
        if best is None or not _touches(best, word):
            continue
        start = max(word.start_s, best.start_s)
        end = min(word.end_s, best.end_s)
        if aligned and start < aligned[-1].end_s:  # keep words in order, never overlapping
            previous = aligned[-1]
            on_its_sound = filled_pause_label(word.text) is not None  # placed by place_fillers
            if word.filler and not previous.filler and (previous.start_s < start or on_its_sound):
                _end_words_before(aligned, round(start, 3))
            else:
                start = min(previous.end_s, end)
        aligned.append(replace(word, start_s=round(start, 3), end_s=round(end, 3)))
    return aligned


def _end_words_before(aligned: list[Word], filler_start_s: float) -> None:
    """The ordinary words at the end of `aligned` clipped to end by `filler_start_s`: a filler
    sits on its own sound, and the stamps of the words said before it ran over that sound (or, out
    of order, lie wholly after it)."""
    for index in range(len(aligned) - 1, -1, -1):
        word = aligned[index]
        if word.filler or word.end_s <= filler_start_s:
            break
        start_s = min(word.start_s, filler_start_s)
        aligned[index] = replace(word, start_s=start_s, end_s=filler_start_s)


def _touches(span: Span, word: Word) -> bool:
    """The word lies at least partly in the span; whisper gives some words no length at all."""
    if word.end_s <= word.start_s:
        return span.start_s <= word.start_s <= span.end_s
    return span.overlap_s(word.start_s, word.end_s) > 0


def answer_speech(speech: list[Span], marks: list[Span]) -> list[Span]:
    """The speech stretches of the answer: from the first one holding a word or filler to the last.

    A click or a cough before the first word is not the start of the answer.
    """
    holding = [
        index
        for index, span in enumerate(speech)
        if any(span.overlap_s(mark.start_s, mark.end_s) > 0 for mark in marks)
    ]
    if not holding:
        return []
    return speech[holding[0] : holding[-1] + 1]


def measure_timing(speech: list[Span], duration_s: float, pause_min_s: float) -> Timing:
    """Latency to the first speech, length to the last, and every gap of `pause_min_s` or more."""
    if not speech:
        return Timing(duration_s, 0.0, 0.0, [])
    pauses = [
        Span(round(before.end_s, 3), round(after.start_s, 3))
        for before, after in itertools.pairwise(speech)
        if after.start_s - before.end_s >= pause_min_s
    ]
    length = speech[-1].end_s - speech[0].start_s
    speaking = length - sum(pause.duration_s for pause in pauses)
    return Timing(round(speech[0].start_s, 3), round(length, 3), round(speaking, 3), pauses)


def verdict(length_s: float, target_min_s: float, target_max_s: float) -> Verdict:
    if length_s < target_min_s:
        return "short"
    if length_s > target_max_s:
        return "long"
    return "on_target"
