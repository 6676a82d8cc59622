"""Filled pauses measured as `make eval-fillers` measures them, on real speech (../shared/speech,
skipped when absent) and on eSpeak voices made for the test (scripts/make_filler_corpus.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import load_script
from mock_interview.analysis.answer import AnswerAnalysis

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parent.parent
# Voices of several kinds, tuned-on and held-out ones alike (scripts/eval_fillers.py).
VOICES = "en-us,en-gb-x-rp,en-029+f1,en-us-nyc+m2,en-gb-x-gbcwmd+f5"


evaluation = load_script("eval_fillers")


def _total(clips: list[Any], analysis_of: Callable[[Path], AnswerAnalysis]) -> Any:
    """The eval script's `Score` summed over the clips (its module is loaded from scripts/)."""
    total = evaluation.Score()
    for clip in clips:
        found = evaluation.reported_fillers(analysis_of(clip.path))
        score = evaluation.score_clip(clip, found)
        print(f"{clip.name}: {score.matched}/{score.reference} matched, {score.found} found")
        total.add(score)
    return total


def test_the_development_speaker_and_the_negative_controls(
    speech_dir: Path, analysis_of: Callable[[Path], AnswerAnalysis]
) -> None:
    """The MFA author's clips (the development speaker since issue 3) and every negative control
    of ../shared/speech: fillers found where the transcript has them, none where it has none."""
    clips = [
        clip for clip in evaluation.real_clips(speech_dir) if clip.speaker == "mfa" or clip.strict
    ]
    total = _total(clips, analysis_of)
    assert total.recall >= 0.9
    assert total.precision >= 0.85
    # mfa_pooty: whisper hears "m f a is like pooty" as "feel as, like, moody" on some CPUs
    assert total.controls_with_filler <= 1


def test_fillers_sit_where_they_are_spoken(
    speech_dir: Path, analysis_of: Callable[[Path], AnswerAnalysis]
) -> None:
    """Within 0.3 s of the word-level TextGrid of acoustic_corpus, so replay can jump to them."""
    reference = evaluation.textgrid_fillers(speech_dir / "mfa" / "acoustic_corpus.TextGrid")
    analysis = analysis_of(speech_dir / "mfa" / "acoustic_corpus.wav")
    found = evaluation.filled_pauses(evaluation.reported_fillers(analysis))
    assert reference
    for _, start, _ in reference:
        assert min(abs(item[1] - start) for item in found) <= 0.3, (reference, found)


def test_fillers_said_at_speed_by_several_voices(
    tmp_path: Path, analysis_of: Callable[[Path], AnswerAnalysis]
) -> None:
    """eSpeak voices saying "uh," and "um," at normal speed in running text, each filler's time
    known from the synthesis: found within 0.3 s of where it is said."""
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "make_filler_corpus.py"),
            "--out",
            str(tmp_path),
            "--voices",
            VOICES,
            "--quick",
        ],
        check=True,
        capture_output=True,
    )
    clips = evaluation.corpus_clips(tmp_path)
    assert len({clip.speaker for clip in clips}) == len(VOICES.split(","))
    total = _total(clips, analysis_of)
    assert total.reference >= 10
    # Measured 9 of 15 (b48cf7b: 4 of 15, and one invented): whisper tiny.en writes no more of
    # these, and the audio-only search invented more than it found on the tuned-on voices.
    # Found 9, 10 or 11: CTranslate2's sums differ with its thread count, and a full CI run once
    # heard an "um" more in one voice (9/11). The verbatim prompt's decode alone finds 9 of 12
    # (0.75) and places 55% of them; the plain decode finds 3 of 15.
    assert total.recall >= 0.55
    assert total.precision >= 0.8
    assert total.placed_share >= 0.85


def test_a_sealed_corpus_is_spoken_from_its_own_sentences(tmp_path: Path) -> None:
    """`--sentences` replaces the built-in pools (round 7's sealed voices speak sentences written
    blind); a file with too few of them is refused with one line and exit 2."""
    pools = REPO / "scripts" / "filler_sentences" / "round7.json"
    script = [sys.executable, str(REPO / "scripts" / "make_filler_corpus.py")]
    out = tmp_path / "corpus"
    common = ["--out", str(out), "--voices", "en-us", "--quick"]
    subprocess.run([*script, *common, "--sentences", str(pools)], check=True, capture_output=True)
    written = json.loads(pools.read_text())
    spoken = [json.loads(line)["text"] for line in (out / "truth.jsonl").read_text().splitlines()]
    vocabulary = set(_words(" ".join(written["achieved"] + written["missed"])))
    assert spoken
    for text in spoken:
        assert set(_words(text)) - {"uh", "um"} <= vocabulary, text
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"achieved": ["a ^ b / c"], "missed": [], "negative": []}))
    refused = subprocess.run([*script, *common, "--sentences", str(short)], capture_output=True)
    assert refused.returncode == 2
    assert len(refused.stderr.decode().strip().splitlines()) == 1


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())
