"""`mock-interview import` of hostile archives (issue 12, item 2), through the real CLI.

Each attack runs against a data folder that already holds one imported session, beside decoy
folders an attacker would aim at (a site-packages and an autostart folder). Every attack must end
in one line on stderr and exit 2, with the database byte-identical, the data folder's files
unchanged and nothing outside the data folder written, created or chmod'ed.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hostile.archive_bombs import (
    HTML,
    MIB,
    RECORDING,
    REPORT,
    SAMPLE_REPORT,
    deep_json_bomb,
    huge_manifest_bomb,
    huge_recording_bomb,
    lying_recording_bomb,
    many_members_bomb,
    ratio_bomb,
    session_archive,
    unlisted_member_bomb,
)

OTHER_UID = "fedcba9876543210fedcba9876543210"


class Home:
    """A user's home for the CLI: XDG folders, decoys outside the data folder, one session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = dict(os.environ, HOME=str(root))
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            self.env[name] = str(root / name.lower())
        self.env.pop("MOCK_INTERVIEW_CONFIG", None)
        self.data = root / "xdg_data_home" / "mock-interview"
        self.database = self.data / "sessions.db"
        self.site_packages = root / "lib" / "site-packages"
        self.autostart = root / "xdg_config_home" / "autostart"
        for decoy in (self.site_packages, self.autostart):
            decoy.mkdir(parents=True)
            (decoy / "keep.txt").write_text("decoy")
            os.chmod(decoy, 0o755)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mock_interview", *args],
            capture_output=True, text=True, env=self.env, check=False, timeout=120,
        )

    def outside_data(self) -> dict[str, tuple[int, int]]:
        """Every path under the home except the data folder: its mode and size."""
        return {
            str(path.relative_to(self.root)): (path.lstat().st_mode, path.lstat().st_size)
            for path in self.root.rglob("*")
            if not path.is_relative_to(self.data)
        }

    def data_files(self) -> dict[str, bytes]:
        return {
            str(path.relative_to(self.data)): path.read_bytes()
            for path in self.data.rglob("*")
            if path.is_file()
        }


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A home whose data folder holds one session imported from a well-formed archive."""
    home = Home(tmp_path / "home")
    seed = session_archive(tmp_path / "seed", edit=with_uid(OTHER_UID))
    imported = home.run("import", str(seed))
    assert (imported.returncode, imported.stderr) == (0, "")
    return home


def with_uid(uid: str) -> Callable[[dict[str, Any]], None]:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["sessions"][0]["uid"] = uid

    return edit


def assert_refused(home: Home, archive: Path, message: str) -> str:
    """Import `archive`: one line, exit 2, and nothing anywhere changed."""
    outside, files = home.outside_data(), home.data_files()
    result = home.run("import", str(archive))
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("mock-interview: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert message in lines[0]
    assert home.data_files() == files  # the database byte-identical, no recording added
    assert home.outside_data() == outside
    return lines[0]


# -- the path escape ------------------------------------------------------------------------


def _escape(question_id: str) -> Callable[[dict[str, Any]], None]:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["sessions"][0]["question_ids"] = [question_id]
        manifest["sessions"][0]["answers"][0]["question_id"] = question_id

    return edit


def test_question_ids_that_climb_or_are_absolute_never_reach_a_path(
    home: Home, tmp_path: Path
) -> None:
    climb = os.path.relpath(home.site_packages / "evil", home.data / "recordings" / "session-1")
    attacks = [
        (climb, f"{RECORDING[:-4]}.pth"),
        (str(home.site_packages / "evil"), f"{RECORDING[:-4]}.pth"),
        (str(home.autostart / "evil"), f"{RECORDING[:-4]}.desktop"),
    ]
    for index, (question_id, recording) in enumerate(attacks):
        archive = session_archive(
            tmp_path / "attack", f"escape-{index}.zip", _escape(question_id), recording=recording
        )
        assert_refused(home, archive, "not a question id")
    assert sorted(p.name for p in home.site_packages.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in home.autostart.iterdir()) == ["keep.txt"]


# -- malformed manifests --------------------------------------------------------------------


def _session(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["sessions"][0]


def _answer(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["sessions"][0]["answers"][0]


def _set(pick: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any):
    def edit(manifest: dict[str, Any]) -> None:
        pick(manifest)[key] = value

    return edit


def _drop(pick: Callable[[dict[str, Any]], dict[str, Any]], key: str):
    def edit(manifest: dict[str, Any]) -> None:
        del pick(manifest)[key]

    return edit


def _top(key: str, value: Any):
    return _set(lambda manifest: manifest, key, value)


def _twice(manifest: dict[str, Any]) -> None:
    manifest["sessions"].append(json.loads(json.dumps(manifest["sessions"][0])))


MALFORMED = {
    "question id not a string": (_set(_answer, "question_id", 42), "not a question id"),
    "question id with NUL": (_set(_answer, "question_id", "goal\x00x"), "not a question id"),
    "question ids a string": (_set(_session, "question_ids", "goal-achieved"), "question_ids"),
    "question ids hold null": (_set(_session, "question_ids", [None]), "not a question id"),
    "id a boolean": (_set(_session, "id", True), "sessions[0].id"),
    "id past 64 bits": (_set(_session, "id", 2**70), "sessions[0].id"),
    "id a string": (_set(_session, "id", "1"), "sessions[0].id"),
    "id negative": (_set(_session, "id", -1), "sessions[0].id"),
    "date not a date": (_set(_session, "started_at", "yesterday"), "started_at"),
    "date a number": (_set(_session, "started_at", 12), "started_at"),
    "date year 1 without zone": (_set(_session, "started_at", "0001-01-01T00:00:00"), "started_at"),
    "date year 9999": (_set(_session, "started_at", "9999-12-31T23:59:59+00:00"), "started_at"),
    "position a string": (_set(_answer, "position", "1"), "position"),
    "position enormous": (_set(_answer, "position", 10**30), "position"),
    "status recording": (_set(_answer, "status", "recording"), "not a finished answer"),
    "status missing": (_drop(_answer, "status"), "status is missing"),
    "report climbs": (_set(_answer, "report", "../../evil.json"), "not a safe member name"),
    "report absolute": (_set(_answer, "report", "/etc/passwd"), "not a safe member name"),
    "report backslash": (_set(_answer, "report", "..\\evil.json"), "not a safe member name"),
    "report unlisted": (_set(_answer, "report", "sessions/x.json"), "not in the file list"),
    "uid climbs": (_set(_session, "uid", "../../../x"), "uid"),
    "same session twice": (_twice, "a session uid appears twice"),
    "sessions an object": (_top("sessions", {}), "sessions"),
    "session a string": (_top("sessions", ["x"]), "sessions[0] is not an object"),
    "answers a string": (_set(_session, "answers", "x"), "answers"),
    "answer a number": (_set(_session, "answers", [1]), "answers[0] is not an object"),
    "files a list": (_top("files", []), "files"),
    "checksum a number": (_top("files", {RECORDING: 5, REPORT: 5, HTML: 5}), "SHA-256"),
    "html missing": (_drop(_session, "html"), "html is missing"),
    "version a string": (_top("version", "1"), "export version '1'"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_manifest_is_one_line_and_changes_nothing(
    home: Home, tmp_path: Path, case: str
) -> None:
    edit, message = MALFORMED[case]
    archive = session_archive(tmp_path / "attack", edit=edit)
    assert_refused(home, archive, message)


def test_a_manifest_that_is_not_an_object_or_not_json(home: Home, tmp_path: Path) -> None:
    for index, text in enumerate(["[]", "null", "{", "\xff"]):
        archive = tmp_path / f"bare-{index}.zip"
        with zipfile.ZipFile(archive, "w") as opened:
            opened.writestr("manifest.json", text)
        assert_refused(home, archive, "manifest.json")


# -- malformed reports ----------------------------------------------------------------------


def _report(change: Callable[[dict[str, Any]], None]) -> dict[str, bytes]:
    report = copy.deepcopy(SAMPLE_REPORT)
    change(report)
    return {REPORT: json.dumps(report).encode()}


def _timing(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(report: dict[str, Any]) -> None:
        report["timing"][key] = value

    return change


BAD_REPORTS = {
    "length not a number": (_report(_timing("answer_length_s", "abc")), "answer_length_s"),
    "empty timing": (_report(lambda report: report.update(timing={})), "timing"),
    "a list": ({REPORT: b"[]"}, "not an answer report"),
    "not JSON": ({REPORT: b"{"}, "not valid JSON"),
    "nested too deeply": ({REPORT: b"[" * 200_000 + b"]" * 200_000}, "nested too deeply"),
    "over 1 MB": ({REPORT: b" " * (MIB + 1)}, "over its limit"),
}


@pytest.mark.parametrize("case", BAD_REPORTS, ids=list(BAD_REPORTS))
def test_a_bad_report_is_refused_before_it_can_break_history(
    home: Home, tmp_path: Path, case: str
) -> None:
    members, message = BAD_REPORTS[case]
    archive = session_archive(tmp_path / "attack", members=members)
    assert_refused(home, archive, message)
    assert home.run("history").returncode == 0


# -- bombs ----------------------------------------------------------------------------------


def test_an_unlisted_member_is_refused_without_being_unpacked(home: Home, tmp_path: Path) -> None:
    """Its deflate stream is broken mid-way: unpacking it would say "damaged", not "unlisted"."""
    archive = unlisted_member_bomb(tmp_path / "bombs", size=8 * MIB)
    with zipfile.ZipFile(archive) as opened:
        info = opened.getinfo("extra/bomb.bin")
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 2000] = bytes(range(256)) * 7 + bytes(range(142))
    archive.write_bytes(bytes(data))
    assert_refused(home, archive, "member 'extra/bomb.bin' is not listed")


BOMBS = {
    "recording over max_answer_s": (
        lambda folder: huge_recording_bomb(folder, size=300 * MIB),
        "more than an answer of [recording] max_answer_s can be",
    ),
    "whole archive 100x its size": (
        lambda folder: ratio_bomb(folder, size=80 * MIB), "more than 100 times its size"
    ),
    "recording that lies about its size": (
        lambda folder: lying_recording_bomb(folder, size=32 * MIB), "Bad CRC-32"
    ),
    "manifest over 1 MB": (
        lambda folder: huge_manifest_bomb(folder, size=16 * MIB), "manifest.json declares"
    ),
    "manifest nested too deeply": (deep_json_bomb, "nested too deeply"),
    "too many members": (
        lambda folder: many_members_bomb(folder, count=50_001), "at most 50000 members"
    ),
}


@pytest.mark.parametrize("case", BOMBS, ids=list(BOMBS))
def test_a_bomb_is_one_line_and_writes_nothing(home: Home, tmp_path: Path, case: str) -> None:
    make, message = BOMBS[case]
    assert_refused(home, make(tmp_path / "bombs"), message)


def test_a_recording_within_a_longer_max_answer_is_accepted(home: Home, tmp_path: Path) -> None:
    """The recording limit follows the setting: raising max_answer_s lets a long answer in."""
    archive = session_archive(tmp_path / "long", zero_recording_bytes=3 * MIB)
    config = home.root / "xdg_config_home" / "mock-interview" / "settings.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[recording]\nmax_answer_s = 5.0\n")
    assert_refused(home, archive, "max_answer_s")
    config.write_text("[recording]\nmax_answer_s = 600.0\n")
    assert home.run("import", str(archive)).returncode == 0
    assert len(json.loads(home.run("history", "--format", "json").stdout)["answers"]) == 2
