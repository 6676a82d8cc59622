"""The tuning options: their defaults are the values the modules used as globals (commit 2f54465),
and an override reaches the code it tunes, observably."""

from __future__ import annotations

import itertools
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from mock_interview.asr.acoustic_fillers import FillerSearchOptions, voiced_runs
from mock_interview.asr.chunking import ChunkedTranscript, ChunkingOptions, LiveTranscriber
from mock_interview.asr.tuning import Tuning, with_override
from mock_interview.asr.whisper import DecodeOptions, Transcriber, drop_repetition_loops
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.audio.signal import SpeechDetectionOptions, find_speech
from mock_interview.core.config import Settings
from mock_interview.core.values import Span, Word

SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"
# 18 s; its truth sidecar has a pause at 10.61-12.11 s and an "um" at 5.72-6.25 s.
SHORT_ANSWER = SAMPLES / "goal_achieved_short.mp3"
# 86 s: long enough for several chunks.
LONG_ANSWER = SAMPLES / "goal_missed_weak.flac"


def test_decode_defaults_are_the_former_module_values() -> None:
    assert asdict(DecodeOptions()) == {
        "loop_repeats": 3,
        "loop_max_phrase_words": 6,
        "temperature": 0.0,
        "no_speech_prob": 0.6,
        "low_logprob": -1.0,
        "residue_s": 1.0,
        "loop_compression_ratio": 5.0,
        "piled_words": 3,
        "tokens_base": 24,
        "tokens_per_s": 8,
        "window_max_tokens": 220,
    }


def test_speech_detection_defaults_are_the_former_module_values() -> None:
    assert asdict(SpeechDetectionOptions()) == {
        "min_silence_ms": 250,
        "min_speech_ms": 100,
        "speech_pad_ms": 30,
        "faint_below_db": 20.0,  # issue 14: a second voice in the room is not the candidate
    }


def test_chunking_defaults_are_the_chosen_values() -> None:
    options = asdict(ChunkingOptions())
    assert options.pop("speech") == asdict(SpeechDetectionOptions())
    assert options.pop("filler_search") == asdict(FillerSearchOptions())
    assert options == {
        "window_s": 30.0,
        "lookahead_s": 2.0,
        "heard_after_cut_s": 1.0,  # issue 19: what follows a cut is not decoded twice
        "chunk_min_s": 20.0,  # issue 19: fewer windows, chosen on the tuned-on voices
        "pause_cut_s": 0.5,
        "idle_poll_s": 0.1,
        "guess_every_s": 0.25,
        "guess_period_s": 3.0,
        "guess_margin_s": 0.2,
        "settle_silence_ms": 100,  # issue 19: a fluent answer's tail settles at short pauses
        "heard_before_settled_s": 6.0,  # issue 19: a settled tail's rest is decoded in context
        "frame_s": 0.02,
        "quiet_above_floor_db": 10.0,
        "silent_dbfs": -50.0,
        "min_spread_db": 12.0,
        "file_queued_windows": 2,
        "unheard_speech_s": 2.0,  # issue 14: speech whisper skipped is decoded again
        "longest_word_s": 1.0,  # issue 15: speech under a stretched stamp too
    }


def test_filler_search_defaults_are_the_chosen_values() -> None:
    assert asdict(FillerSearchOptions()) == {
        "frame_s": 0.01,
        "pitch_floor_hz": 60.0,
        "pitch_ceiling_hz": 400.0,
        "silence_threshold": 0.01,
        "voicing_threshold": 0.35,
        "min_level_dbfs": -50.0,  # new with the options: the chunker's silence level
        "bridge_s": 0.03,
        "min_run_s": 0.1,
        "min_filled_s": 0.14,
        "max_filled_s": 1.5,
        "max_pitch_spread_st": 1.0,
        "max_glide_wobble_st": 0.3,
        "max_spectral_spread": 45.0,
        "confirm_pitch_wobble_st": 1.5,
        "confirm_spectral_spread": 130.0,
        "match_window_s": 1.0,
        "late_sound_cost": 2.0,
        "covered": 0.3,
        "word_base_s": 0.3,
        "word_per_letter_s": 0.1,
        "gap_reach_s": 1.0,
        "separation_s": 1.0,
        "stamp_slack_s": 0.05,
        # issue 14, chosen on the tuned-on voices of scripts/eval_fillers.py
        "stamp_lag_s": 0.2,
        "unshaped_cost_s": 0.3,
        "recover_unwritten": False,
        # issue 14 round 10: a filler the decode without the prompt writes as a word is dropped
        "check_without_prompt": True,
        "check_below_probability": 0.1,
        # issue 14 round 11: only the 3 s each side of the doubtful fillers, to save time
        "check_context_s": 3.0,
        # issue 14 round 7: off, it invented fillers in held-out real speech; its threshold
        # chosen leaving each training voice out (train_filler_model.py)
        "learned_check": False,
        "learned_threshold": 0.5,
    }


class _Deaf:
    """A transcriber that hears no words: chunks are cut and analysed without the model."""

    def transcribe(self, samples: np.ndarray, **_: Any) -> list[Word]:
        return []


def _chunk_lengths_s(options: ChunkingOptions, settings: Settings) -> list[float]:
    ends: list[int] = []

    def on_progress(transcript: ChunkedTranscript) -> None:
        ends.append(transcript.samples)

    live = LiveTranscriber(
        cast(Transcriber, _Deaf()),
        settings.fillers,
        on_progress=on_progress,
        guess_tail=False,
        options=options,
    )
    live.feed_analysis_samples(load_audio(LONG_ANSWER).samples)
    live.finish()
    starts = [0, *ends[:-1]]
    return [(end - start) / ANALYSIS_RATE for start, end in zip(starts, ends, strict=True)]


def test_the_window_option_moves_the_cuts(settings: Settings) -> None:
    """Every chunk but the last is cut between `chunk_min_s` and `window_s - lookahead_s`."""
    default = _chunk_lengths_s(ChunkingOptions(), settings)
    shorter = _chunk_lengths_s(ChunkingOptions(window_s=16.0), settings)
    assert all(10.0 <= length <= 28.0 for length in default[:-1])
    assert all(10.0 <= length <= 14.0 for length in shorter[:-1])
    assert len(shorter) > len(default)
    assert sum(shorter) == pytest.approx(sum(default))


def _gap_covers(speech: list[Span], start_s: float, end_s: float) -> bool:
    """Some silence between two stretches of speech covers start_s..end_s."""
    return any(
        before.end_s <= start_s and end_s <= after.start_s
        for before, after in itertools.pairwise(speech)
    )


def test_the_speech_detection_option_reaches_the_vad() -> None:
    samples = load_audio(SHORT_ANSWER).samples
    assert _gap_covers(find_speech(samples), 11.0, 11.7)
    joined = find_speech(samples, options=SpeechDetectionOptions(min_silence_ms=2000))
    assert not _gap_covers(joined, 11.0, 11.7)


def _um_confirmed(options: FillerSearchOptions) -> bool:
    """A voiced run on the sample's "um" is shaped enough to confirm a transcript filler."""
    samples = load_audio(SHORT_ANSWER).samples
    return any(
        run.filler_like(options) and Span(run.start_s, run.end_s).overlap_s(5.72, 6.25) > 0
        for run in voiced_runs(samples, options=options)
    )


def test_the_filler_search_options_reach_the_pitch_runs() -> None:
    """The synthetic "um" is confirmed; not when no run may be held as long as a filled pause."""
    assert _um_confirmed(FillerSearchOptions())
    assert not _um_confirmed(FillerSearchOptions(max_filled_s=0.1))


def test_the_decode_option_reaches_the_loop_cutter() -> None:
    words = [
        Word(text, index * 0.3, index * 0.3 + 0.2)
        for index, text in enumerate(["we", "shipped", "it", "we", "shipped", "it", "on", "time"])
    ]
    assert len(drop_repetition_loops(words)) == 8  # said twice: speech, by default
    assert [word.text for word in drop_repetition_loops(words, DecodeOptions(loop_repeats=2))] == [
        "we",
        "shipped",
        "it",
        "on",
        "time",
    ]


def test_overrides_parse_by_group_and_field() -> None:
    tuning = with_override(Tuning(), "chunking.window_s=25")
    tuning = with_override(tuning, "filler_search.min_filled_s=0.12")
    tuning = with_override(tuning, "decode.loop_repeats=4")
    assert tuning.chunking.window_s == 25.0
    assert tuning.chunking.filler_search.min_filled_s == 0.12
    assert tuning.chunking.lookahead_s == 2.0  # the rest stay at their defaults
    assert tuning.decode.loop_repeats == 4


@pytest.mark.parametrize(
    "assignment",
    [
        "chunking.window_s",
        "window_s=25",
        "vad.min_silence_ms=1",
        "chunking.nope=1",
        "chunking.speech=1",
        "decode.loop_repeats=2.5",
    ],
)
def test_a_bad_override_is_refused(assignment: str) -> None:
    with pytest.raises(ValueError):
        with_override(Tuning(), assignment)
