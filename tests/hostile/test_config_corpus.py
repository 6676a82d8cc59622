"""Broken and hostile settings files: one line naming the file, the key and the reason, exit 2.

Every file is generated here. The command is `rubric`, which loads the settings and the question
bank and needs no model, so each case costs only the config load.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mock_interview.cli.entry import main
from mock_interview.core.config import load_questions
from mock_interview.core.errors import UserError
from mock_interview.core.paths import user_config_file

# (name, file content, the key the error must name or None for the whole file, reason fragment)
BAD_SETTINGS: list[tuple[str, bytes, str | None, str]] = [
    ("invalid utf-8", b"[analysis]\npause_min_s = 1.0 # caf\xe9\n", None, "not UTF-8"),
    ("toml syntax", b"[analysis\npause_min_s = 1\n", None, "not valid TOML"),
    ("nested too deep", b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", None, "not valid TOML"),
    ("huge file", b"# " + b"x" * 1_100_000 + b"\n", None, "larger than"),
    ("inf", b"[recording]\nmax_answer_s = inf\n", "recording.max_answer_s", "finite"),
    ("nan", b"[analysis]\ndefault_target_max_s = nan\n", "analysis.default_target_max_s",
     "finite"),
    ("overflowing float", b"[analysis]\nfiller_rate_max = 1e309\n", "analysis.filler_rate_max",
     "finite"),
    ("int64 beam", b"[transcription]\nbeam_size = 9223372036854775807\n",
     "transcription.beam_size", "at most 20"),
    ("100000 threads", b"[transcription]\ncpu_threads = 100000\n", "transcription.cpu_threads",
     "at most 64"),
    ("negative threads", b"[transcription]\ncpu_threads = -1\n", "transcription.cpu_threads",
     "at least 0"),
    ("huge int for a float", b"[analysis]\npause_min_s = 99999999999999999999999999999\n",
     "analysis.pause_min_s", "at most 60"),
    ("zero pause", b"[analysis]\nslow_start_s = 0\n", "analysis.slow_start_s", "greater than 0"),
    ("zero rate", b"[recording]\nsample_rate = 0\n", "recording.sample_rate", "at least 8000"),
    ("negative silence", b"[recording]\nauto_stop_silence_s = -1\n",
     "recording.auto_stop_silence_s", "at least 0"),
    ("float for an int", b"[speech]\nrate = 1e9\n", "speech.rate", "whole number"),
    ("bool for an int", b"[transcription]\nbeam_size = true\n", "transcription.beam_size",
     "whole number"),
    ("bool for a float", b"[analysis]\npause_min_s = true\n", "analysis.pause_min_s",
     "must be a number"),
    ("string for a number", b'[analysis]\npause_min_s = "1.0"\n', "analysis.pause_min_s",
     "must be a number"),
    ("string for a bool", b'[speech]\nenabled = "yes"\n', "speech.enabled", "true or false"),
    ("number for a string", b"[transcription]\nverbatim_prompt = 5\n",
     "transcription.verbatim_prompt", "must be a string"),
    ("string for a list", b'[fillers]\nwords = "um"\n', "fillers.words", "list of strings"),
    ("numbers in a list", b"[fillers]\nwords = [1, 2]\n", "fillers.words", "list of strings"),
    ("typo'd key", b"[analysis]\npause_minimum = 1\n", "analysis.pause_minimum",
     "unknown setting"),
    ("typo'd section", b"[analyis]\npause_min_s = 1\n", "analyis", "unknown section"),
    ("section not a table", b"analysis = 3\n", "analysis", "[section] table"),
    ("typo'd key binding", b'[keys]\nstop_anwser = "s"\n', "keys.stop_anwser",
     "unknown key binding"),
    ("empty key", b'[keys]\nstop_answer = ""\n', "keys.stop_answer", "key names"),
    ("key with a space", b'[keys]\nstop_answer = "a b"\n', "keys.stop_answer", "key names"),
    ("empty key in a list", b'[keys]\ndelete_session = "x,,delete"\n', "keys.delete_session",
     "key names"),
    ("number for a key", b"[keys]\nquit = 5\n", "keys.quit", "key names"),
    ("unknown default question", b'[practice]\ndefault_questions = ["nope"]\n',
     "practice.default_questions", "unknown question id 'nope'"),
    ("no default question", b"[practice]\ndefault_questions = []\n",
     "practice.default_questions", "must name a question"),
    ("target min over the shipped max", b"[analysis]\ndefault_target_min_s = 500\n",
     "analysis.default_target_min_s", "less than analysis.default_target_max_s"),
]


@pytest.fixture
def answer_file(tmp_path: Path) -> Path:
    path = tmp_path / "answer.txt"
    path.write_text("I set a goal to ship the app by March and we shipped it in February.\n")
    return path


def rubric(answer_file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["rubric", "--question", "goal-achieved", "--text-file", str(answer_file)])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_config_error(status: int, out: str, err: str, names: list[str]) -> None:
    assert status == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("mock-interview: config error: "), err
    for name in names:
        assert name in err, f"{name!r} not in {err!r}"


def write_user_config(content: bytes) -> Path:
    path = user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD_SETTINGS) >= 25


def test_a_valid_override_is_accepted(answer_file: Path, capsys) -> None:
    """The control: the command and an override file work, so each error below is the content's."""
    write_user_config(b'[analysis]\npause_min_s = 1.5\n[keys]\nstop_answer = "s,ctrl+s"\n')
    status, out, err = rubric(answer_file, capsys)
    assert (status, err) == (0, "") and out


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [case[1:] for case in BAD_SETTINGS],
    ids=[case[0] for case in BAD_SETTINGS],
)
def test_bad_user_file_is_one_line_naming_file_key_and_reason(
    content: bytes, key: str | None, reason: str, answer_file: Path, capsys
) -> None:
    path = write_user_config(content)
    status, out, err = rubric(answer_file, capsys)
    assert_one_config_error(status, out, err, [str(path), reason, *([f"'{key}'"] if key else [])])


def test_the_file_that_set_the_bad_value_is_named(
    tmp_path: Path, answer_file: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid user file and a bad MOCK_INTERVIEW_CONFIG: the error names the latter only."""
    user_file = write_user_config(b"[recording]\nmax_answer_s = 100\n")
    named = tmp_path / "override.toml"
    named.write_bytes(b"[recording]\nmax_answer_s = inf\n")
    monkeypatch.setenv("MOCK_INTERVIEW_CONFIG", str(named))
    status, out, err = rubric(answer_file, capsys)
    assert_one_config_error(status, out, err, [str(named), "'recording.max_answer_s'", "finite"])
    assert str(user_file) not in err and "config/settings.toml" not in err


@pytest.mark.parametrize("kind", ["folder", "fifo"])
@pytest.mark.parametrize("where", ["user file", "MOCK_INTERVIEW_CONFIG"])
def test_a_config_path_that_is_no_regular_file_is_an_error(
    kind: str, where: str, tmp_path: Path, answer_file: Path, capsys, monkeypatch
) -> None:
    """A folder was silently ignored; a FIFO would have blocked the read for ever."""
    path = user_config_file() if where == "user file" else tmp_path / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    monkeypatch.setenv("MOCK_INTERVIEW_CONFIG", str(path) if where != "user file" else "")
    status, out, err = rubric(answer_file, capsys)
    assert_one_config_error(status, out, err, [str(path)])


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"[transcription]\ncpu_threads = 100000\n", "at most 64"), (b"\xff\xfe[\n", "not UTF-8")],
    ids=["segfaulting threads", "invalid utf-8"],
)
def test_the_installed_command_prints_one_line(
    content: bytes, reason: str, answer_file: Path
) -> None:
    """The real entry point in its own process: exit 2, one line, no traceback, no crash."""
    path = write_user_config(content)
    run = subprocess.run(
        [sys.executable, "-m", "mock_interview", "rubric", "--question", "goal-achieved",
         "--text-file", str(answer_file)],
        capture_output=True, text=True, env=os.environ.copy(), timeout=120,
    )
    assert_one_config_error(run.returncode, run.stdout, run.stderr, [str(path), reason])


QUESTION = (
    'id = "{id}"\nkind = "achieved"\ntext = "Tell me."\n'
    "target_min_s = {low}\ntarget_max_s = 180\nfollow_ups = []\n"
)
BAD_QUESTION_BANKS: list[tuple[str, str, str, str]] = [
    ("no questions", "title = 'bank'\n", "questions", "must be a list"),
    ("entry not a table", "questions = [1, 2]\n", "questions[0]", "must be a table"),
    ("unknown field", "[[questions]]\n" + QUESTION.format(id="a", low=60) + "colour = 1\n",
     "questions[0].colour", "unknown field"),
    ("missing field", '[[questions]]\nid = "a"\n', "questions[0].kind", "missing"),
    ("path in the id", "[[questions]]\n" + QUESTION.format(id="../../evil", low=60),
     "questions[0].id", "slug"),
    ("id used twice", "[[questions]]\n" + QUESTION.format(id="a", low=60)
     + "[[questions]]\n" + QUESTION.format(id="a", low=60), "questions[1].id", "used twice"),
    ("infinite target", "[[questions]]\n" + QUESTION.format(id="a", low="-inf"),
     "questions[0].target_min_s", "finite"),
    ("bool target", "[[questions]]\n" + QUESTION.format(id="a", low="true"),
     "questions[0].target_min_s", "must be a number"),
]


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [case[1:] for case in BAD_QUESTION_BANKS],
    ids=[case[0] for case in BAD_QUESTION_BANKS],
)
def test_bad_question_bank_is_one_line_naming_file_and_key(
    content: str, key: str, reason: str, tmp_path: Path
) -> None:
    bank = tmp_path / "questions.toml"
    bank.write_text(content)
    with pytest.raises(UserError) as caught:
        load_questions(bank)
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert str(bank) in message and f"'{key}'" in message and reason in message, message
