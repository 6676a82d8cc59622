"""Files the user names keep their folder's permissions; only the data folder is made private.

The user's folder here is a sticky world-writable one (mode 1777, like /tmp) made in tmp_path:
`report -o` and `export -o` into it must leave it 1777 and give the file the user's umask.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crafted_reports import crafted_analysis
from file_modes import mode
from mock_interview.cli.entry import main
from mock_interview.core.errors import UserError
from mock_interview.core.paths import data_dir, make_private_dir, open_user_file
from mock_interview.storage.database import Store

SHARED_MODE = 0o1777


@pytest.fixture(params=[0o022, 0o027], ids=["umask 022", "umask 027"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


@pytest.fixture
def shared_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, SHARED_MODE)
    assert mode(folder) == SHARED_MODE
    return folder


@pytest.fixture
def one_session() -> int:
    """A saved session with a recording, in the isolated default data folder."""
    with Store.open_default() as store:
        session_id = store.create_session(
            ["goal-achieved"], started_at=datetime(2024, 7, 1, 9, tzinfo=UTC)
        )
        path = store.new_recording_path(session_id, "goal-achieved")
        path.write_bytes(b"RIFF" + bytes(100))
        store.add_answer(session_id, "goal-achieved", path, crafted_analysis("I met it.", score=60))
    return session_id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_report_and_export_into_a_shared_folder_keep_its_mode(
    umask: int, shared_folder: Path, one_session: int, capsys
) -> None:
    report = shared_folder / "report.html"
    archive = shared_folder / "all.zip"
    assert run(capsys, "report", str(one_session), "--format", "html", "-o", str(report))[0] == 0
    assert run(capsys, "export", "--all", "-o", str(archive))[0] == 0
    assert mode(shared_folder) == SHARED_MODE
    expected = 0o666 & ~umask
    assert (mode(report), mode(archive)) == (expected, expected)
    assert sorted(path.name for path in shared_folder.iterdir()) == ["all.zip", "report.html"]


def test_the_data_folder_stays_private_whatever_the_umask(
    umask: int, shared_folder: Path, one_session: int, tmp_path: Path, capsys, monkeypatch
) -> None:
    """Export, then import into a fresh data folder: every folder 0700, every file 0600."""
    archive = shared_folder / "all.zip"
    assert run(capsys, "export", "--all", "-o", str(archive))[0] == 0
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh"))
    assert run(capsys, "import", str(archive))[0] == 0
    folder = data_dir()
    entries = [folder, *folder.rglob("*")]
    recordings = [path for path in entries if path.suffix == ".wav"]
    assert recordings, "the import brought back no recording"
    for path in entries:
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) == expected, f"{path} is {oct(mode(path))}"
    assert mode(shared_folder) == SHARED_MODE


def test_report_into_a_missing_folder_is_one_line_and_creates_nothing(
    shared_folder: Path, one_session: int, capsys
) -> None:
    target = shared_folder / "no-such-folder" / "report.html"
    status, out, err = run(capsys, "report", str(one_session), "-o", str(target))
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and str(target) in err and "Traceback" not in err
    assert list(shared_folder.iterdir()) == []


def test_an_interrupted_write_leaves_the_old_file_and_no_fragment(shared_folder: Path) -> None:
    target = shared_folder / "report.html"
    target.write_text("the earlier report")
    with pytest.raises(KeyboardInterrupt), open_user_file(target) as handle:
        handle.write(b"half of the new rep")
        raise KeyboardInterrupt
    assert target.read_text() == "the earlier report"
    assert [path.name for path in shared_folder.iterdir()] == ["report.html"]


def test_a_symlink_planted_at_the_target_is_replaced_not_followed(shared_folder: Path,
                                                                   tmp_path: Path) -> None:
    """In a shared folder another user may plant a link where the report will go."""
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    target = shared_folder / "report.html"
    target.symlink_to(victim)
    with open_user_file(target) as handle:
        handle.write(b"the report")
    assert victim.read_text() == "untouched"
    assert not target.is_symlink() and target.read_text() == "the report"


def test_private_folders_are_only_made_inside_the_data_folder(tmp_path: Path) -> None:
    """The folder holding the data folder keeps its mode; a path out of it is refused."""
    os.chmod(tmp_path, 0o755)
    data = tmp_path / "data"
    with pytest.raises(UserError, match="outside the data folder"):
        make_private_dir(data / ".." / "elsewhere", data_folder=data)
    assert not (tmp_path / "elsewhere").exists()
    session = data / "recordings" / "session-00001"
    make_private_dir(session, data_folder=data)
    assert mode(tmp_path) == 0o755
    assert [mode(data), mode(data / "recordings"), mode(session)] == [0o700, 0o700, 0o700]
