"""The rubric's learned second opinion (rubric/learned.py): shipped as training on the development
split makes it, never reading the test split; overturning a rule's verdict only with a quote."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from conftest import load_script
from mock_interview.core.paths import shipped_config_dir
from mock_interview.rubric import load_rubric
from mock_interview.rubric.evaluation import SPLITS, load_blind
from mock_interview.rubric.judging import (
    judge_answer,
    judge_by_rules,
    judgement_verdicts,
    read_answer,
)
from mock_interview.rubric.learned import LearnedOptions, load_model
from mock_interview.rubric.loading import Rubric

BLIND = Path(__file__).parent / "rubric_blind"
BLIND_ID = re.compile(r"w([a-z])-\d+")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="module")
def trainer() -> ModuleType:
    return load_script("train_rubric_model")


def test_the_shipped_model_is_what_training_on_the_development_split_makes(
    trainer: ModuleType,
) -> None:
    answers = trainer.training_answers()
    # Checked by the writer in each id, so the sealed test split is never opened here.
    writers = {found[1] for answer in answers if (found := BLIND_ID.fullmatch(answer.id))}
    assert writers == set(SPLITS["development"]) and not writers & set(SPLITS["test"])
    model = trainer.fit(answers, load_rubric(), LearnedOptions())
    shipped = load_model(shipped_config_dir() / "rubric_model.npz")
    assert shipped is not None and shipped.options == LearnedOptions()
    np.testing.assert_allclose(shipped.weights, model.weights, atol=1e-4)
    np.testing.assert_allclose(shipped.bias, model.bias, atol=1e-4)


def test_an_overturned_verdict_quotes_the_answer_and_an_overturned_flag_drops_its_quote(
    rubric: Rubric,
) -> None:
    to_met = to_unmet = 0
    for answer in load_blind(BLIND, "development"):
        reading = read_answer(answer.text, rubric)  # one reading for the rules and the model
        by_rules = judge_by_rules(answer.text, answer.kind, rubric, reading)
        judged = judge_answer(answer.text, answer.kind, rubric, reading)
        rules = judgement_verdicts(by_rules, answer.kind, rubric)
        findings = {finding.id: finding for finding in [*judged.criteria, *judged.red_flags]}
        for label, was in rules.items():
            finding = findings.get(label)
            now = finding is not None and finding.met
            if now and not was:
                to_met += 1
                assert finding is not None and len(finding.evidence) == 1
                assert finding.evidence[0] in answer.text
                if label == "positive_close":  # only the closing sentence can close well
                    assert finding.evidence == reading.quote(reading.where(label))
            to_unmet += was and not now
    # The model corrects the rules both ways on the answers it learned from, and not wholesale.
    assert to_met >= 10 and to_unmet >= 10
    assert to_met + to_unmet < 0.1 * len(load_blind(BLIND, "development")) * 13


def test_a_plain_outcome_with_a_figure_is_a_measurable_result(rubric: Rubric) -> None:
    """No outcome verb ("reached", "hit", "raised"): the result is told as what came of it."""
    text = (
        "Last spring I ran the cake stall at my son's school fair, and I set out to make four "
        "hundred pounds for the new playground. I baked with three other parents for two "
        "weekends, and I put posters up in every shop on the high street. Four hundred and "
        "eighty pounds by the end of the afternoon. I learnt that asking people early is half "
        "the work, and I have run the stall that way ever since."
    )
    judged = {f.id: f for f in judge_answer(text, "achieved", rubric).criteria}
    assert judged["measurable_result"].evidence == [
        "Four hundred and eighty pounds by the end of the afternoon."
    ]


def test_a_rubric_without_a_model_beside_it_is_judged_by_its_rules_alone(
    tmp_path: Path, rubric: Rubric
) -> None:
    shutil.copy(shipped_config_dir() / "rubric.toml", tmp_path / "rubric.toml")
    own = load_rubric(tmp_path / "rubric.toml")
    overturned = 0
    for answer in load_blind(BLIND, "development")[:120]:
        assert judge_answer(answer.text, answer.kind, own) == judge_by_rules(
            answer.text, answer.kind, own
        )
        overturned += judge_answer(answer.text, answer.kind, rubric) != judge_answer(
            answer.text, answer.kind, own
        )
    assert overturned > 0  # the shipped rubric's model does change some of these
