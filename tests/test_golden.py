"""`analyze` of every bundled sample gives exactly the report it gave before the streaming decode.

tests/golden/ holds `mock-interview analyze FILE --question Q --format json` (and
`.noquestion.json` without --question) made before the decode and the chunked analysis were
streamed window by window; any change to a figure, word or time shows up here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import sample_audio_files
from mock_interview.analysis.analyze import analyze_file
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.asr.whisper import Transcriber
from mock_interview.core.config import Settings

GOLDEN = Path(__file__).parent / "golden"

pytestmark = pytest.mark.model


def _golden(name: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((GOLDEN / name).read_text())
    report["audio"].pop("path")  # the path as it was given on the command line
    return report


def _as_printed(report: AnswerAnalysis) -> dict[str, Any]:
    """The report as `--format json` prints it, without the path."""
    printed: dict[str, Any] = json.loads(json.dumps(report.to_json()))
    printed["audio"].pop("path")
    return printed


def test_every_sample_has_golden_reports() -> None:
    names = {path.name for path in GOLDEN.glob("*.json")}
    for path in sample_audio_files():
        assert {f"{path.stem}.json", f"{path.stem}.noquestion.json"} <= names


@pytest.mark.parametrize("path", sample_audio_files(), ids=lambda path: path.name)
def test_report_with_question_is_unchanged(
    path: Path, analyzed_samples: dict[str, tuple[AnswerAnalysis, dict[str, Any]]]
) -> None:
    report, _ = analyzed_samples[path.name]
    assert report.audio.path == str(path)
    assert _as_printed(report) == _golden(f"{path.stem}.json")


@pytest.mark.parametrize("path", sample_audio_files(), ids=lambda path: path.name)
def test_report_without_question_is_unchanged(
    path: Path, settings: Settings, transcriber: Transcriber
) -> None:
    report = analyze_file(path, None, settings, transcriber)
    assert _as_printed(report) == _golden(f"{path.stem}.noquestion.json")
