"""The blind-written rubric corpus (tests/rubric_blind, issue 15) is whole and well labelled, and
the rubric keeps its measured agreement on both splits and catches every red flag."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mock_interview.core.config import Settings
from mock_interview.rubric import load_rubric
from mock_interview.rubric.evaluation import (
    SPLITS,
    agreement,
    format_agreement,
    load_blind,
    overall,
    verdicts,
)
from mock_interview.rubric.loading import Rubric

BLIND = Path(__file__).resolve().parent / "rubric_blind"
ACHIEVED = {"situation", "task", "action", "result", "measurable_result", "reflection"}
ACHIEVED |= {"positive_close"}
CRITERIA = {"achieved": ACHIEVED, "general": ACHIEVED}
CRITERIA["missed"] = ACHIEVED | {"ownership", "forward_momentum"}
FLAGS = {"blame_external", "minimizing", "disguised_success", "excessive_apology"}
WRITERS = tuple("abcdefghijklmnopq")


@pytest.fixture(scope="module")
def rubric(settings: Settings) -> Rubric:
    return load_rubric(settings=settings)


def _answers() -> list[dict[str, Any]]:
    answers = []
    for writer in WRITERS:
        answers += tomllib.loads((BLIND / f"writer_{writer}.toml").read_text())["answers"]
    return answers


def test_every_answer_has_a_unique_id_and_labels_its_kind_allows() -> None:
    answers = _answers()
    assert len(answers) >= 765
    assert len({answer["id"] for answer in answers}) == len(answers)
    for answer in answers:
        assert set(answer["met"]) <= CRITERIA[str(answer["kind"])], answer["id"]
        assert set(answer["flags"]) <= FLAGS, answer["id"]
    spoken = sum(answer["register"] == "spoken" for answer in answers)
    assert spoken >= len(answers) / 3


def test_the_second_reading_covers_every_answer_and_disputes_are_decided() -> None:
    answers = {str(answer["id"]): answer for answer in _answers()}
    second = {}
    for writer in WRITERS:
        for line in (BLIND / f"second_reading_{writer}.jsonl").read_text().splitlines():
            row = json.loads(line)
            second[row["id"]] = set(row["met"]) | set(row["flags"])
    assert second.keys() == answers.keys()
    decided = {
        (row["id"], row["item"])
        for row in tomllib.loads((BLIND / "adjudicated.toml").read_text())["labels"]
    }
    for answer_id, answer in answers.items():
        first = set(answer["met"]) | set(answer["flags"])
        for item in first ^ second[answer_id]:
            assert (answer_id, item) in decided, (answer_id, item)


def test_every_red_flag_has_several_wordings_in_the_test_split() -> None:
    test_split = [answer for answer in _answers() if str(answer["id"])[1] in SPLITS["test"]]
    for flag in FLAGS:
        assert sum(flag in answer["flags"] for answer in test_split) >= 3, flag


# Floors under the figures measured when each split was scored (tests/rubric_blind/README.md):
# the development writers A-M were tuned on (0.991 overall, weakest label 0.97); the test
# writers N and O were scored once at the end of round 7 (0.964, weakest 0.92), P and Q once in
# round 8 with the same rubric (0.954, weakest forward momentum 0.87): N-Q together 0.960,
# weakest 0.92. A change that loses agreement on either fails here; one that gains should raise
# the floor.
FLOORS = {"development": (0.98, 0.95), "test": (0.95, 0.90)}


@pytest.mark.parametrize("split", FLOORS)
def test_agreement_on_the_blind_corpus_holds_its_floor(split: str, rubric: Rubric) -> None:
    table = agreement(load_blind(BLIND, split), rubric)
    overall_floor, label_floor = FLOORS[split]
    printed = format_agreement(table)
    assert overall(table) >= overall_floor, printed
    assert min(row.rate for row in table.values()) >= label_floor, printed


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_every_red_flag_is_caught_in_three_test_answers(flag: str, rubric: Rubric) -> None:
    flagged = [answer for answer in load_blind(BLIND, "test") if flag in answer.flags]
    caught = [answer.id for answer in flagged if verdicts(answer.text, answer.kind, rubric)[flag]]
    assert len(caught) >= 3, (flag, caught)
