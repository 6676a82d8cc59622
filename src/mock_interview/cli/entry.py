"""The `mock-interview` command: the TUI with no arguments, headless subcommands otherwise.

Every failure the user can fix is a UserError: one line on stderr, exit status 2, no traceback.
Anything else is a bug: one line naming a crash log that holds the traceback, exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from mock_interview.cli.review import add_review_commands
from mock_interview.cli.rubric import add_rubric_arguments, run_rubric_command
from mock_interview.cli.stories import add_stories_commands
from mock_interview.core.errors import UserError
from mock_interview.core.memory import return_freed_memory
from mock_interview.core.paths import make_private_file, state_dir

Handler = Callable[[argparse.Namespace], int]


def _analyze(args: argparse.Namespace) -> int:
    from mock_interview.cli.analyze import analyze_command

    return analyze_command(args)


def _practice(args: argparse.Namespace) -> int:
    from mock_interview.cli.practice import practice_command

    return practice_command(args)


def _devices(args: argparse.Namespace) -> int:
    from mock_interview.audio.devices import devices_command

    return devices_command()


def _pace(text: str) -> float:
    """A playback pace from 0 (flat out) to 100 times speaking pace."""
    try:
        pace = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= pace <= 100:
        raise argparse.ArgumentTypeError(f"{text} is outside 0..100")
    return pace


def _add_practice_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    practice = commands.add_parser(
        "practice", help="the whole loop in the terminal: ask, record, report, save"
    )
    practice.add_argument(
        "--question", metavar="ID", action="append", help="question id (repeat for several)"
    )
    practice.add_argument("--no-speak", action="store_true", help="show questions, do not speak")
    practice.add_argument("--max-seconds", type=float, metavar="N", help="stop each answer at N s")
    practice.add_argument("--format", choices=["text", "json"], default="text")
    practice.add_argument("--input-device", metavar="ID_OR_NAME", help="microphone to use")
    practice.add_argument(
        "--story", type=int, metavar="ID", help="tell this story from your bank (stories list)"
    )
    practice.add_argument(
        "--answer-file",
        type=Path,
        metavar="AUDIO",
        action="append",
        help="play this recording as an answer instead of the microphone; repeat it, one per "
        "answer in order, follow-ups included",
    )
    practice.add_argument(
        "--answer-pace",
        type=_pace,
        default=0.0,
        metavar="FACTOR",
        help="how fast answer files play: 0 (default) as fast as they are transcribed, "
        "1 at speaking pace",
    )
    practice.set_defaults(handler=_practice)
    devices = commands.add_parser("devices", help="list microphones and speakers with their ids")
    devices.set_defaults(handler=_devices)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock-interview",
        description="Offline voice coach for 'a goal you achieved, and one you did not'. "
        "With no command, opens the practice room (TUI).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = commands.add_parser("analyze", help="measure a recorded answer and print a report")
    analyze.add_argument("audio", type=Path, help="WAV, FLAC, MP3, OGG ... any sample rate")
    analyze.add_argument("--question", metavar="ID", help="question id from config/questions.toml")
    analyze.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    analyze.add_argument(
        "--model", metavar="NAME_OR_PATH", help="whisper model (default: the embedded tiny.en)"
    )
    analyze.set_defaults(handler=_analyze)

    rubric = commands.add_parser(
        "rubric", help="score a typed answer against the reflection rubric (--text-file F or -)"
    )
    add_rubric_arguments(rubric)
    rubric.set_defaults(handler=run_rubric_command)

    add_review_commands(commands)
    add_stories_commands(commands)
    _add_practice_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    return_freed_memory()
    try:
        if handler is None:
            from mock_interview.tui.app import make_app

            make_app().run()
            return 0
        return handler(args)
    except UserError as exc:
        print(f"mock-interview: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mock-interview: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`history | head`): not a crash, and nothing more can be printed.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        print(f"mock-interview: {_crash_line(exc)}", file=sys.stderr)
        return 1


def _crash_line(exc: Exception) -> str:
    """The last line of defence: a bug is one line naming a crash log that holds the traceback."""
    summary = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    try:
        log = write_crash_log("".join(traceback.format_exception(exc)))
    except (OSError, UserError) as error:
        return f"unexpected error ({summary}); the crash log could not be written ({error})"
    return f"unexpected error ({summary}); the details are in {log}"


def write_crash_log(text: str) -> Path:
    """A user-only crash-<timestamp>.log in the state folder: a traceback can quote a transcript."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log = state_dir() / f"crash-{stamp}-{os.getpid()}.log"
    make_private_file(log)
    log.write_text(text, encoding="utf-8")
    return log
