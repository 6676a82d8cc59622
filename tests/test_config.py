"""Settings: shipped defaults, user overrides, errors naming the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_interview.core.config import load_questions, load_settings
from mock_interview.core.errors import UserError
from mock_interview.core.paths import user_config_file


def write_user_config(text: str) -> Path:
    path = user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_load_and_core_questions_exist() -> None:
    settings = load_settings()
    assert settings.analysis.pause_min_s == 1.0
    assert settings.analysis.long_pause_s == 3.0
    bank = load_questions()
    for question_id, kind in [("goal-achieved", "achieved"), ("goal-missed", "missed")]:
        question = bank[question_id]
        assert question.kind == kind
        assert (question.target_min_s, question.target_max_s) == (120, 180)
    assert len(bank) >= 8
    assert bank["goal-achieved"].text == "Tell me about a goal you set for yourself and achieved."
    assert bank["goal-missed"].text == "Now tell me about a goal you set and did not achieve."


def test_user_file_then_environment_file_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_user_config("[analysis]\npause_min_s = 1.5\nlong_pause_s = 4\n")
    named = tmp_path / "mine.toml"
    named.write_text("[analysis]\npause_min_s = 2.0\n")
    monkeypatch.setenv("MOCK_INTERVIEW_CONFIG", str(named))
    settings = load_settings()
    assert settings.analysis.pause_min_s == 2.0
    assert settings.analysis.long_pause_s == 4.0


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[analysis]\npause_min_s = "long"\n', "analysis.pause_min_s", "must be a number"),
        ("[analysis]\npause_min_s = -1\n", "analysis.pause_min_s", "greater than 0"),
        ("[analysis]\npause_minimum = 1\n", "analysis.pause_minimum", "unknown setting"),
        ("[speech]\nenabled = 1\n", "speech.enabled", "true or false"),
        ("[recording]\nsample_rate = 1.5\n", "recording.sample_rate", "whole number"),
        ("[colours]\nx = 1\n", "colours", "unknown section"),
        ("[analysis]\ndefault_target_max_s = 60\n", "analysis.default_target_max_s", "greater"),
        ("[delivery]\nmonotone_share = 1.5\n", "delivery.monotone_share", "at most 1"),
        ("[delivery]\nuptalk_rise_st = 0\n", "delivery.uptalk_rise_st", "greater than 0"),
    ],
)
def test_bad_values_name_file_key_and_reason(text: str, key: str, reason: str) -> None:
    path = write_user_config(text)
    with pytest.raises(UserError) as caught:
        load_settings()
    message = str(caught.value)
    assert str(path) in message and f"'{key}'" in message and reason in message


def test_broken_toml_names_the_file() -> None:
    path = write_user_config("[analysis\n")
    with pytest.raises(UserError, match="not valid TOML") as caught:
        load_settings()
    assert str(path) in str(caught.value)


def test_bad_question_bank_names_the_entry(tmp_path: Path) -> None:
    bank = tmp_path / "questions.toml"
    bank.write_text(
        '[[questions]]\nid = "x"\nkind = "other"\ntext = "?"\n'
        "target_min_s = 1\ntarget_max_s = 2\nfollow_ups = []\n"
    )
    with pytest.raises(UserError, match=r"questions\[0\]\.kind.*must be one of"):
        load_questions(bank)
