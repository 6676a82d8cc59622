"""The review commands end to end through `main()`, on a database in the isolated data dir."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crafted_reports import crafted_analysis
from file_modes import mode, user_file_mode
from mock_interview.cli.entry import main
from mock_interview.storage.database import Store

START = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def saved() -> list[int]:
    """Three sessions in the default data dir, each with a recording."""
    ids = []
    with Store.open_default() as store:
        for day in range(3):
            session_id = store.create_session(["goal-achieved"],
                                              started_at=START + timedelta(days=day))
            path = store.new_recording_path(session_id, "goal-achieved")
            path.write_bytes(b"RIFF" + bytes(100))
            store.add_answer(session_id, "goal-achieved", path,
                             crafted_analysis("I set a goal um and met it.", score=60 + day))
            ids.append(session_id)
    return ids


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_history_formats_and_filters(saved: list[int], capsys) -> None:
    status, out, _ = run(capsys, "history")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()[2:5]] == ["3", "2", "1"]
    assert "Score 60 → 62 (better)" in out.splitlines()[-1]
    status, out, _ = run(capsys, "history", "--format", "json", "--since", "2024-07-02")
    assert [a["session_id"] for a in json.loads(out)["answers"]] == [3, 2]
    status, out, _ = run(capsys, "history", "--format", "csv", "--question", "goal-missed")
    assert out.strip().splitlines() == [out.strip()]


def test_report_to_a_file_in_each_format(saved: list[int], capsys, tmp_path: Path) -> None:
    for report_format, marker in (("markdown", "# Mock interview: session 2"),
                                  ("html", "<!DOCTYPE html>"), ("json", '"session"')):
        target = tmp_path / f"report.{report_format}"
        status, out, _ = run(capsys, "report", "2", "--format", report_format, "-o", str(target))
        assert status == 0 and out.strip() == f"Wrote {target}"
        assert marker in target.read_text()
        assert mode(target) == user_file_mode()  # the user named it: their umask, not 0600
    status, out, _ = run(capsys, "report", "1")
    assert out.startswith("# Mock interview: session 1")


def test_delete_removes_the_session_and_its_recording(saved: list[int], capsys) -> None:
    with Store.open_default() as store:
        recording = store.session(2).answers[0].row.recording_path
    assert recording is not None and recording.exists()
    status, out, _ = run(capsys, "delete", "2")
    assert (status, out.strip()) == (0, "Deleted session 2 and 1 recording(s).")
    assert not recording.exists()
    status, _, err = run(capsys, "report", "2")
    assert status == 2
    assert err == "mock-interview: no session 2 (see `mock-interview history`)\n"


def test_export_then_import_elsewhere(
    saved: list[int], capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "backup.zip"
    status, out, _ = run(capsys, "export", "--all", "-o", str(archive))
    assert (status, out.strip()) == (0, f"Exported 3 session(s) to {archive}")
    _, history_before, _ = run(capsys, "history")

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    status, out, _ = run(capsys, "import", str(archive))
    assert (status, out.strip()) == (0, "Imported 3 session(s).")
    _, history_after, _ = run(capsys, "history")
    assert history_after == history_before
    status, out, _ = run(capsys, "import", str(archive))
    assert out.strip() == "Imported 0 session(s); 3 already here, skipped."


def test_user_errors_are_one_line_with_exit_2(capsys, tmp_path: Path) -> None:
    cases = [
        (("export", "-o", str(tmp_path / "x.zip")), "export: name SESSION_IDs or use --all"),
        (("export", "--all", "-o", str(tmp_path / "x.zip")), "there are no saved sessions"),
        (("import", str(tmp_path / "none.zip")), "no such file"),
        (("history", "--since", "yesterday"), "--since: 'yesterday'"),
        (("delete", "9"), "no session 9"),
    ]
    for argv, message in cases:
        status, _, err = run(capsys, *argv)
        assert status == 2, argv
        assert err.startswith("mock-interview: ") and message in err
        assert err.count("\n") == 1
