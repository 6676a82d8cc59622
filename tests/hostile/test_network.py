"""Nothing leaves the machine, as the kernel sees it (issue 12, item 3).

A Python audit hook cannot see native code: onnxruntime (Silero VAD) looked up
mobile.events.data.microsoft.com from its own threads and kept an events database under
~/.cache/Microsoft. Here `strace -f` records the network system calls of the whole process tree
(child processes and native threads included) while `analyze`, `practice` and the TUI start run
for real. strace must work: where it is missing or may not trace, these tests fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alsa_device import AlsaDevice
from conftest import SAMPLES

ANSWER = SAMPLES / "goal_achieved_short.mp3"
# An internet socket of either family, or anything addressed to a DNS server.
LEAVES_THE_MACHINE = re.compile(r"AF_INET6?\b|htons\(53\)")
# Follow every process and thread; stop only on network calls (so the programs run at speed).
WATCH_THE_NETWORK = ["-f", "-qq", "--seccomp-bpf", "-e", "trace=network"]

START_THE_TUI = """
import asyncio, time
from mock_interview.tui.app import make_app

app = make_app()

async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + 120
        while not (app.transcriber.done() and app.status.microphone and app.status.speech_line):
            if time.monotonic() > deadline:
                raise SystemExit(f"the app did not finish starting: {app.status}")
            await pilot.pause(0.05)
        print("started;", app.status.speech_line)

asyncio.run(main())
"""


def traced(device: AlsaDevice, *python_args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run Python with `python_args` under strace in the device's HOME; its output and the log."""
    strace = shutil.which("strace")
    assert strace, "strace is needed to watch the network (apt-get install strace)"
    log = device.home.parent / "strace.log"
    run = subprocess.run(
        [strace, *WATCH_THE_NETWORK, "-o", str(log), sys.executable, *python_args],
        env=device.env,
        cwd=device.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert log.is_file(), f"strace wrote no log: {run.stderr.strip()}"
    return run, log.read_text()


def leaving_the_machine(log: str) -> list[str]:
    return [line for line in log.splitlines() if LEAVES_THE_MACHINE.search(line)]


def assert_stayed_home(device: AlsaDevice, log: str) -> None:
    assert leaving_the_machine(log) == []
    assert list(device.home.rglob("Microsoft")) == []


def test_the_watch_sees_an_internet_socket_and_a_dns_server(tmp_path: Path) -> None:
    """The check itself: a UDP socket pointed at port 53 on this machine (connect sends nothing)
    is seen, from a thread of a child process, so a quiet log means a quiet program."""
    device = AlsaDevice(tmp_path)
    script = tmp_path / "lookup.py"
    script.write_text(
        textwrap.dedent(
            """
            import socket, subprocess, sys, threading
            def lookup():
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.connect(("127.0.0.1", 53))
            if sys.argv[1:] == ["child"]:
                thread = threading.Thread(target=lookup)
                thread.start()
                thread.join()
            else:
                subprocess.run([sys.executable, __file__, "child"], check=True)
            """
        )
    )
    run, log = traced(device, str(script))
    assert run.returncode == 0, run.stderr
    found = leaving_the_machine(log)
    assert any("socket(AF_INET," in line for line in found), log
    assert any("connect(" in line and "htons(53)" in line for line in found), log


def test_analyze_stays_on_the_machine(tmp_path: Path) -> None:
    device = AlsaDevice(tmp_path)
    run, log = traced(device, "-m", "mock_interview", "analyze", str(ANSWER), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["transcript"]["words"]
    assert_stayed_home(device, log)


def test_practice_stays_on_the_machine(tmp_path: Path) -> None:
    device = AlsaDevice(tmp_path)
    run, log = traced(
        device, "-m", "mock_interview", "practice", "--no-speak", "--question", "goal-achieved",
        "--answer-file", str(ANSWER), "--answer-file", str(ANSWER), "--format", "json",
    )  # fmt: skip  (the second answer file answers a follow-up, if one is asked)
    assert run.returncode == 0, run.stderr
    [report] = json.loads(run.stdout)["answers"]
    assert report["transcript"]["words"]
    assert_stayed_home(device, log)


@pytest.mark.alsa
def test_tui_start_stays_on_the_machine(tmp_path: Path) -> None:
    """The start loads the model, finds the microphone and renders the first question's speech."""
    device = AlsaDevice(tmp_path)
    run, log = traced(device, "-c", START_THE_TUI)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("started;")
    assert_stayed_home(device, log)
