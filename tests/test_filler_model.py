"""The learned filler check: it learned from no voice an evaluation holds out, and in speech of
several voices it finds the "uh" a transcript left out without taking an ordinary word for one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, load_script
from mock_interview.asr.acoustic_fillers import (
    FillerSearchOptions,
    place_fillers,
    voiced_runs,
)
from mock_interview.asr.filler_model import load_filler_model, model_path
from mock_interview.asr.fillers import filled_pause_label
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import load_audio

evaluation = load_script("eval_fillers")
corpus = load_script("make_filler_corpus")
training = load_script("train_filler_model")


def _variant(voice: str) -> str:
    return voice.partition("+")[2]


def _sealed_voices() -> list[str]:
    line = re.search(r"^SEALED_VOICES := (.+)$", (REPO / "Makefile").read_text(), re.M)
    assert line is not None
    return line.group(1).split(",")


def test_shipped_model_learned_only_from_voices_no_evaluation_holds_out() -> None:
    model = load_filler_model(model_path())
    assert model is not None
    allowed = evaluation.TUNE_SPEAKERS | set(training.TRAIN_VOICES)
    assert set(model.voices) <= allowed
    assert set(training.TRAIN_VOICES) & set(model.voices)  # the training corpus was used
    held_out = [v for v in corpus.DEFAULT_VOICES if v not in evaluation.TUNE_SPEAKERS]
    scored = [*held_out, *_sealed_voices()]
    # no training voice shares its variant (pitch and formants) with a voice that is scored
    assert not {_variant(v) for v in training.TRAIN_VOICES} & {_variant(v) for v in scored}
    assert not set(training.TRAIN_VOICES) & set(scored)


def _speak(text: str, voice: str, wpm: int, folder: Path) -> np.ndarray:
    path = folder / f"{voice.replace('+', '_')}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text], check=True)
    return load_audio(path).samples


# The check switched on (it is off by default: it invents fillers in real speech).
CHECKING = FillerSearchOptions(learned_check=True)
# Voices the model never trained on, two of them held out from the evaluation too.
VOICES = [("en-us", 150), ("en-gb-x-rp", 175), ("en-us+f2", 165)]


def _unwritten_fillers(text: str, voice: str, wpm: int, folder: Path, transcriber: Transcriber):
    """What the check adds to whisper's words for `text` in `voice`, every filled pause whisper
    wrote taken out of them (as if it had dropped them all), and those words."""
    samples = _speak(text, voice, wpm, folder)
    heard = [w for w in transcriber.transcribe(samples) if not filled_pause_label(w.text)]
    _, found = place_fillers(samples, heard, transcriber, CHECKING, voiced_runs(samples))
    return found, heard


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_an_unwritten_uh_is_found_and_ordinary_words_are_not(
    tmp_path: Path, transcriber: Transcriber
) -> None:
    found_in = []
    for voice, wpm in VOICES:
        text = "We cut the support backlog, uh, by half before the summer."
        found, heard = _unwritten_fillers(text, voice, wpm, tmp_path, transcriber)
        support = next(w for w in heard if w.text.strip(",.").lower() == "support")
        before = next(w for w in heard if w.text.strip(",.").lower() == "before")
        assert len(found) <= 1
        if found:
            assert support.end_s < found[0].start_s < before.start_s
            found_in.append(voice)
        fluent = "Her team was under a lot of pressure, and another number went up."
        assert _unwritten_fillers(fluent, voice, wpm, tmp_path, transcriber)[0] == []
    assert len(found_in) >= 2, found_in
