"""Shared fixtures: the whisper model loaded once per run, isolated user dirs, the speech clips."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.asr.whisper import Transcriber
from mock_interview.core.config import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "audio_samples"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own config, data and cache dirs: no test touches the user's files."""
    home = tmp_path / "xdg"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("MOCK_INTERVIEW_CONFIG", raising=False)
    yield home


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def transcriber(settings: Settings) -> Transcriber:
    """The embedded tiny.en model, loaded once for the whole run."""
    return Transcriber(settings.transcription)


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    """The real speech clips beside the repo (../shared/speech); tests skip when it is absent."""
    for candidate in (REPO.parent / "shared" / "speech", REPO.parent.parent / "shared" / "speech"):
        if (candidate / "manifest.jsonl").is_file():
            return candidate
    pytest.skip("../shared/speech is not here")


def sample_audio_files() -> list[Path]:
    """The bundled sample answers that carry a truth sidecar."""
    return sorted(
        path
        for path in SAMPLES.glob("*")
        if path.suffix in {".flac", ".ogg", ".mp3", ".wav"} and path.with_suffix(".json").exists()
    )


@pytest.fixture(scope="session")
def analyzed_samples(
    settings: Settings, transcriber: Transcriber
) -> dict[str, tuple[AnswerAnalysis, dict[str, Any]]]:
    """Each sample analyzed once per run: name -> (analysis, truth sidecar)."""
    from mock_interview.analysis.analyze import analyze_file
    from mock_interview.core.config import load_questions

    bank = load_questions()
    analyzed = {}
    for path in sample_audio_files():
        truth = json.loads(path.with_suffix(".json").read_text())
        question = bank.get(truth.get("question_id", ""))
        analyzed[path.name] = (analyze_file(path, question, settings, transcriber), truth)
    return analyzed


@pytest.fixture(scope="session")
def analysis_of(settings: Settings, transcriber: Transcriber) -> Callable[[Path], AnswerAnalysis]:
    """`analyze` of a recording with no question, run once per recording however many tests
    read it (the read-speech controls are checked for WER and for fillers)."""
    from mock_interview.analysis.analyze import analyze_file

    @cache
    def analysis(path: Path) -> AnswerAnalysis:
        return analyze_file(path, None, settings, transcriber)

    return analysis


def load_script(name: str) -> ModuleType:
    """A script of `scripts/` imported as a module, so its functions can be tested."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
