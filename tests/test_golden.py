"""Everything above the speech recogniser gives exactly the reports it gave before the refactors.

tests/golden/ holds `mock-interview analyze FILE --question Q --format json` (and
`.noquestion.json` without --question) for every bundled sample, made before the streamed decode,
the layered layout and the typed model (issues 12 and 13), and `transcripts/`: what whisper,
the VAD and the filler search made of each sample on the same machine
(`scripts/record_golden_transcripts.py`). Decoding differs slightly between CPUs, so these tests
start from the recorded transcript: timing, fillers, rubric and the JSON must come out to the
letter. That the decode itself gave the same transcript before and after was checked on the
machine the goldens were made on (issue 13's closing note). Issue 15 changed only the rubric block
in them (pause-bounded sentences, new cues: the strong sample now closes on how the speaker
works today), from these same recorded transcripts.

Issue 17 added the `delivery` block, which also needs the voice: its contour is tracked from the
sample's audio in the chunks `analyze` cuts (a transcriber that hears nothing cuts them the same
way, as cuts depend only on the audio), so the golden reports come out as `analyze` makes them.
Praat's tracker does the same arithmetic on any CPU, and the figures are rounded to 0.01.
Round 3 of the STAR timeline (issue 16) changed only the `structure` block in them, from these
same recorded transcripts. The rubric's learned second opinion (issue 15, round 4) changed only
the `rubric` and `coaching` blocks of `bench_live_answer`: its closing sentence (calling the
customer with weekly updates) now counts as a positive close. Round 5 of the STAR timeline
changed only the `structure` block of `goal_missed_weak`: the late reviews and the help given to
another team are read as its actions, and only "it just didn't work out" onward as the outcome.
Round 6 (the learned sentence model weighing the claims) changed only the `structure` blocks,
and so did round 9 (the model reading the parts claimed for the sentences on either side).
Stop 32 changed only the `result` evidence of `bench_live_answer` and `goal_missed_strong`: the
goal's own sentence is quoted as the result only when no other sentence tells the outcome.
"""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from conftest import sample_audio_files
from mock_interview.analysis.analyze import analysis_from_chunks
from mock_interview.asr.chunking import ChunkedTranscript, transcribe_in_chunks
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.contour import VoiceContour
from mock_interview.audio.io import open_audio, to_float
from mock_interview.core.config import Settings, load_questions, load_settings
from mock_interview.core.values import Filler, Span, Word

GOLDEN = Path(__file__).parent / "golden"
RECORDED = GOLDEN / "transcripts"


def _golden(name: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((GOLDEN / name).read_text())
    return report


def _recorded(stem: str) -> tuple[ChunkedTranscript, int]:
    data = json.loads((RECORDED / f"{stem}.json").read_text())
    transcript = ChunkedTranscript(
        words=[Word(**word) for word in data["words"]],
        speech=[Span(**span) for span in data["speech"]],
        audio_fillers=[Filler(**filler) for filler in data["audio_fillers"]],
        samples=data["samples"],
    )
    return transcript, data["source_rate"]


class _Deaf:
    """A transcriber that hears no words: the chunks are cut and tracked without the model."""

    def transcribe(self, samples: np.ndarray, **_: Any) -> list[Word]:
        return []


@functools.cache
def sample_contour(path: Path) -> VoiceContour:
    """The voice's contour as `analyze` tracks it from the sample, chunk by chunk (the filler
    settings only mark words, and no word is heard)."""
    audio = open_audio(path)
    blocks = map(to_float, audio.blocks())
    return transcribe_in_chunks(blocks, cast(Transcriber, _Deaf()), load_settings().fillers).contour


def test_every_sample_has_golden_reports_and_a_recorded_transcript() -> None:
    names = {path.name for path in GOLDEN.glob("*.json")}
    for path in sample_audio_files():
        assert {f"{path.stem}.json", f"{path.stem}.noquestion.json"} <= names
        assert (RECORDED / f"{path.stem}.json").is_file()


@pytest.mark.parametrize("path", sample_audio_files(), ids=lambda path: path.name)
@pytest.mark.parametrize("with_question", [True, False], ids=["question", "no-question"])
def test_the_analysis_of_the_recorded_transcript_is_unchanged(
    path: Path, with_question: bool, settings: Settings
) -> None:
    golden = _golden(f"{path.stem}.json" if with_question else f"{path.stem}.noquestion.json")
    question = load_questions()[golden["question"]["id"]] if with_question else None
    transcript, source_rate = _recorded(path.stem)
    transcript = replace(transcript, contour=sample_contour(path))
    given_path = Path(golden["audio"]["path"])  # as it was given on the command line
    analysis = analysis_from_chunks(transcript, source_rate, given_path, question, settings)
    assert json.loads(json.dumps(analysis.to_json())) == golden
