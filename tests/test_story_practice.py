"""`practice --story`: answers rendered by eSpeak NG, played as the candidate's part, and checked
against the written story (coverage per field, recitation), then kept with the story."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mock_interview.analysis.story import parse_story_toml
from mock_interview.analysis.story_check import story_text
from mock_interview.cli.entry import main
from story_texts import LESSON, RETOLD, RETOLD_LESSON, SETBACK

FIELDS = ("situation", "goal", "actions", "outcome", "lesson", "since")

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]


def _practise(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str
) -> dict[str, Any]:
    answer = tmp_path / f"{name}.wav"
    # 190 words a minute keeps each answer within 21-27 s (it plays at real time).
    subprocess.run(
        ["espeak-ng", "-s", "190", "-w", str(answer), text], check=True, capture_output=True
    )
    status = main(
        ["practice", "--no-speak", "--story", "1", "--answer-file", str(answer), "--format", "json"]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    [report] = json.loads(captured.out)["answers"]  # the session's report, as `report` prints it
    assert report["question"]["id"] == "goal-missed"
    return dict(report)


def test_practising_a_story_checks_coverage_and_recitation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO((SETBACK + LESSON).encode())))
    assert main(["stories", "add"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody presses Enter
    # The shipped settings, follow-ups on: with one answer file each, a follow-up an answer earns
    # is not asked (no file is left for it), and the story check is the main answer's.

    retold = _practise(capsys, tmp_path, "retold", RETOLD.format(lesson=RETOLD_LESSON))
    story = retold["story"]
    assert story["id"] == 1 and story["title"] == "The marathon I did not finish"
    assert list(story["coverage"]) == list(FIELDS)
    assert all(cover["covered"] for cover in story["coverage"].values()), story
    for cover in story["coverage"].values():  # the evidence is a sentence of the transcript
        assert cover["evidence"] in retold["transcript"]["text"]
    assert story["recited"] is False

    notes = story_text(parse_story_toml(SETBACK + LESSON, "s")).replace("\n", " ")
    recited = _practise(capsys, tmp_path, "recited", notes)
    assert recited["story"]["recited"] is True

    skipped = _practise(capsys, tmp_path, "skipped", RETOLD.format(lesson=""))
    coverage = skipped["story"]["coverage"]
    assert coverage["lesson"] == {"covered": False, "evidence": None}
    assert all(coverage[field]["covered"] for field in FIELDS if field != "lesson")
    assert skipped["story"]["recited"] is False

    # The session report computes the same check from the stored answer and story.
    assert main(["report", str(skipped["session_id"]), "--format", "json"]) == 0
    [answer] = json.loads(capsys.readouterr().out)["answers"]
    assert answer["story"] == skipped["story"]

    # Comfort over time: every attempt, in order, with its figures.
    assert main(["stories", "show", "1", "--format", "json"]) == 0
    attempts = json.loads(capsys.readouterr().out)["attempts"]
    assert [a["recited"] for a in attempts] == [False, True, False]
    assert [a["covered"] for a in attempts] == [6, 6, 5]
    assert [a["score"] for a in attempts] == [
        report["rubric"]["score"] for report in (retold, recited, skipped)
    ]
    assert [a["response_latency_s"] for a in attempts] == [
        report["timing"]["response_latency_s"] for report in (retold, recited, skipped)
    ]
    assert main(["stories", "show", "1"]) == 0
    assert "Practised 3 times:" in capsys.readouterr().out
