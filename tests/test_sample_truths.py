"""`analyze` against the exact truth of every bundled sample answer (issue 2's bar)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import sample_audio_files
from mock_interview.analysis.answer import AnswerAnalysis

TOLERANCE_S = 0.25
# Replay jumps to a filler: it must be where it is said.
FILLER_TOLERANCE_S = 0.3

pytestmark = pytest.mark.skipif(not sample_audio_files(), reason="audio_samples not generated")

Analyzed = dict[str, tuple[AnswerAnalysis, dict[str, Any]]]


def _printed(analyzed_samples: Analyzed) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each sample's report as `analyze --format json` prints it, with its truth."""
    return {name: (report.to_json(), truth) for name, (report, truth) in analyzed_samples.items()}


def test_every_sample_matches_its_truth(analyzed_samples: Analyzed) -> None:
    for name, (report, truth) in _printed(analyzed_samples).items():
        timing = report["timing"]
        assert report["audio"]["duration_s"] == pytest.approx(truth["duration_s"], abs=0.05), name
        assert report["audio"]["sample_rate"] == truth["sample_rate"], name
        assert timing["response_latency_s"] == pytest.approx(
            truth["leading_silence_s"], abs=TOLERANCE_S
        ), name
        assert timing["answer_length_s"] == pytest.approx(
            truth["answer_length_s"], abs=2 * TOLERANCE_S
        ), name
        found = [(p["start_s"], p["end_s"]) for p in timing["pauses"]]
        expected = [(p["start_s"], p["end_s"]) for p in truth["pauses"]]
        assert len(found) == len(expected), (name, found, expected)
        for (start, end), (true_start, true_end) in zip(found, expected, strict=True):
            assert start == pytest.approx(true_start, abs=TOLERANCE_S), (name, start, true_start)
            assert end == pytest.approx(true_end, abs=TOLERANCE_S), (name, end, true_end)


def test_every_filler_found_was_said_there_and_few_are_missed(analyzed_samples: Analyzed) -> None:
    """Each filler reported is a true one, within 0.3 s of where it is said; of all the samples'
    fillers at most one is missed (whisper drops the odd one the audio search no longer
    re-decodes, issue 14: that search invented more than it found on the tuned-on voices)."""
    missed = []
    for name, (report, truth) in _printed(analyzed_samples).items():
        expected = [filler["start_s"] for filler in truth["fillers"]]
        for item in report["fillers"]["items"]:
            nearest = min(expected, key=lambda start: abs(start - item["start_s"]), default=None)
            assert nearest is not None, (name, item)
            assert abs(nearest - item["start_s"]) <= FILLER_TOLERANCE_S, (name, item, expected)
            expected.remove(nearest)
        missed += [(name, start) for start in expected]
    assert len(missed) <= 1, missed


def test_no_pause_sits_inside_a_word(analyzed_samples: Analyzed) -> None:
    for name, (report, _) in _printed(analyzed_samples).items():
        for pause in report["timing"]["pauses"]:
            for word in report["transcript"]["words"]:
                inside = min(pause["end_s"], word["end_s"]) - max(pause["start_s"], word["start_s"])
                assert inside <= 0, (name, pause, word)
