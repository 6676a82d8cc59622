"""Timing on hand-made spans and words: latency, pauses, alignment, verdicts."""

from __future__ import annotations

import itertools

import pytest

from mock_interview.analysis.timing import align_words, answer_speech, measure_timing, verdict
from mock_interview.core.values import Span, Word


def test_whisper_first_word_at_zero_is_moved_to_the_speech() -> None:
    speech = [Span(2.4, 5.0)]
    words = [Word("Well", 0.0, 2.9), Word("then", 3.0, 3.3)]
    aligned = align_words(words, speech)
    assert aligned[0].start_s == 2.4
    assert [w.text for w in aligned] == ["Well", "then"]


def test_word_stretched_across_a_pause_is_clipped_to_one_side() -> None:
    speech = [Span(1.0, 3.0), Span(5.5, 8.0)]
    words = [Word("goal", 2.6, 5.8), Word("next", 5.8, 6.2)]
    aligned = align_words(words, speech)
    # 0.4 s of "goal" lies in the first stretch, 0.3 s in the second: it stays before the pause.
    assert (aligned[0].start_s, aligned[0].end_s) == (2.6, 3.0)
    pause = Span(3.0, 5.5)
    for word in aligned:
        assert pause.overlap_s(word.start_s, word.end_s) == 0


def test_words_over_silence_are_dropped_as_hallucinations() -> None:
    speech = [Span(1.0, 2.0)]
    words = [Word("Hello", 1.1, 1.6), Word("Thank", 10.0, 10.3), Word("you.", 10.3, 10.6)]
    assert [w.text for w in align_words(words, speech)] == ["Hello"]


def test_aligned_words_never_overlap() -> None:
    speech = [Span(0.0, 4.0)]
    words = [Word("a", 1.0, 2.0), Word("b", 1.5, 2.5), Word("c", 2.5, 3.0)]
    aligned = align_words(words, speech)
    for before, after in itertools.pairwise(aligned):
        assert before.end_s <= after.start_s


def test_a_filler_keeps_its_time_when_the_word_before_ran_over_it() -> None:
    """"me." stamped 21.17-22.21 swallows the "um" placed on its sound at 21.51-21.91."""
    speech = [Span(20.0, 23.0)]
    words = [Word("me.", 21.17, 22.21), Word("Um,", 21.51, 21.91, filler=True)]
    aligned = align_words(words, speech)
    assert [(w.start_s, w.end_s) for w in aligned] == [(21.17, 21.51), (21.51, 21.91)]


def test_pauses_latency_and_length() -> None:
    speech = [Span(1.5, 10.0), Span(10.5, 20.0), Span(23.2, 30.0), Span(31.1, 40.0)]
    timing = measure_timing(speech, duration_s=45.0, pause_min_s=1.0)
    assert timing.response_latency_s == 1.5
    assert timing.answer_length_s == pytest.approx(38.5)
    assert [(p.start_s, p.end_s) for p in timing.pauses] == [(20.0, 23.2), (30.0, 31.1)]
    assert timing.speaking_s == pytest.approx(38.5 - 3.2 - 1.1)


def test_silence_gives_latency_equal_to_duration() -> None:
    timing = measure_timing([], duration_s=12.0, pause_min_s=1.0)
    assert (timing.response_latency_s, timing.answer_length_s, timing.pauses) == (12.0, 0.0, [])


def test_noise_before_the_first_word_is_not_the_start_of_the_answer() -> None:
    speech = [Span(0.2, 0.5), Span(3.0, 9.0), Span(12.0, 12.4)]
    marks = [Span(3.1, 3.4), Span(8.0, 8.8)]
    assert answer_speech(speech, marks) == [Span(3.0, 9.0)]


@pytest.mark.parametrize(
    ("length", "expected"),
    [(119.9, "short"), (120.0, "on_target"), (180.0, "on_target"), (181, "long")],
)
def test_verdict(length: float, expected: str) -> None:
    assert verdict(length, 120.0, 180.0) == expected


def test_zero_length_word_inside_speech_is_kept() -> None:
    speech = [Span(1.0, 3.0)]
    words = [Word("so", 1.2, 1.5), Word("um", 2.0, 2.0), Word("ghost", 5.0, 5.0)]
    assert [w.text for w in align_words(words, speech)] == ["so", "um"]


def test_whisper_word_pieces_are_joined_into_written_words() -> None:
    from types import SimpleNamespace

    from mock_interview.asr.whisper import join_word_pieces

    pieces = [
        SimpleNamespace(word=text, start=start, end=start + 0.2, probability=probability)
        for text, start, probability in [
            (" a", 0.0, 0.9),
            (" mid", 0.3, 0.8),
            ("-sized", 0.5, 0.4),
            (" 40", 1.0, 0.7),
            ("%", 1.2, 0.95),
        ]
    ]
    words = join_word_pieces(pieces)
    assert [w.text for w in words] == ["a", "mid-sized", "40%"]
    assert (words[1].start_s, words[1].end_s) == (0.3, 0.7)
    # a joined word is as certain as its least certain piece
    assert [w.probability for w in words] == [0.9, 0.4, 0.7]


def test_a_filler_keeps_its_sound_when_the_word_before_is_stamped_after_it() -> None:
    """goal_missed_strong: "and," said before the "um" is stamped 134.656-134.676, after the
    "um" placed on its sound at 133.826-134.266; the "um" keeps its sound, "and," ends there."""
    speech = [Span(131.5, 134.346), Span(134.606, 136.842)]
    words = [
        Word("renewed,", 132.496, 133.136),
        Word("and,", 134.656, 134.676),
        Word("um,", 133.826, 134.266, filler=True),
        Word("I", 134.936, 134.976),
    ]
    aligned = align_words(words, speech)
    assert [(w.text, w.start_s, w.end_s) for w in aligned] == [
        ("renewed,", 132.496, 133.136),
        ("and,", 133.826, 133.826),
        ("um,", 133.826, 134.266),
        ("I", 134.936, 134.976),
    ]
