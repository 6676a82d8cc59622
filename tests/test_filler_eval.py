"""Filler recall, precision and timing on real speech (../shared/speech), as `make eval-fillers`
measures them; skipped when the clips are not there."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import load_audio
from mock_interview.core.config import Settings

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parent.parent


def _eval_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "eval_fillers", REPO / "scripts" / "eval_fillers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


evaluation = _eval_script()


def test_recall_and_precision_on_the_development_clips(
    speech_dir: Path, settings: Settings, transcriber: Transcriber
) -> None:
    """Clips with fillers and the MFA negative controls; read speech is tested elsewhere."""
    rows = [row for row in evaluation.development_set(speech_dir) if row["file"].startswith("mfa/")]
    results = []
    for row in rows:
        samples = load_audio(speech_dir / row["file"]).samples
        found, other = evaluation.split_fillers(
            evaluation.ours_fillers(samples, settings, transcriber)
        )
        results.append(
            evaluation.ClipResult(row["file"], row["filled_pauses"], found, 0, other, [])
        )
    recall, precision = evaluation.recall_precision(results, ours=True)
    print(f"\nfiller recall {recall:.2f}, precision {precision:.2f}")
    assert recall >= 0.85
    assert precision >= 0.85
    invented = {
        r.file: r.ours + r.ours_other
        for r in results
        if not r.reference and (r.ours or r.ours_other)
    }
    assert invented == {}


def test_fillers_sit_where_they_are_spoken(
    speech_dir: Path, settings: Settings, transcriber: Transcriber
) -> None:
    """Within 0.3 s of the word-level TextGrid of acoustic_corpus, so replay can jump to them."""
    reference = evaluation.textgrid_fillers(speech_dir / "mfa" / "acoustic_corpus.TextGrid")
    samples = load_audio(speech_dir / "mfa" / "acoustic_corpus.wav").samples
    found, _ = evaluation.split_fillers(evaluation.ours_fillers(samples, settings, transcriber))
    assert reference
    assert max(evaluation.time_errors(reference, found)) <= 0.3, (reference, found)


def test_a_long_answer_keeps_its_recall_in_every_stretch(
    speech_dir: Path, settings: Settings, transcriber: Transcriber
) -> None:
    """Over two minutes of joined clips: every 30-second stretch as good as the first."""
    answer = evaluation.long_answer(speech_dir)
    assert answer.samples.size / 16000 > 120
    found, _ = evaluation.split_fillers(
        evaluation.ours_fillers(answer.samples, settings, transcriber)
    )
    rows = evaluation.per_stretch(answer, found)
    recalls = [matched / reference for reference, _, matched in rows]
    print("\nrecall per 30-s stretch:", ", ".join(f"{recall:.2f}" for recall in recalls))
    assert all(reference for reference, _, _ in rows)
    assert min(recalls) >= min(0.85, recalls[0])
    assert sum(matched for *_, matched in rows) / sum(ref for ref, *_ in rows) >= 0.85
    assert sum(found for _, found, _ in rows) <= sum(ref for ref, *_ in rows) / 0.85
