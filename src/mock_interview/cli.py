"""The `mock-interview` command: the TUI with no arguments, headless subcommands otherwise.

Every failure the user can fix is a UserError: one line on stderr, exit status 2, no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mock_interview.config import find_question, load_questions, load_settings
from mock_interview.errors import UserError

Handler = Callable[[argparse.Namespace], int]


def _analyze(args: argparse.Namespace) -> int:
    from mock_interview.analysis.report import analyze_file
    from mock_interview.audio.io import load_audio
    from mock_interview.render import render_markdown, render_text
    from mock_interview.transcription import Transcriber

    settings = load_settings()
    question = find_question(load_questions(), args.question) if args.question else None
    load_audio(args.audio)  # reject a bad file before paying for the model load
    transcriber = Transcriber(settings.transcription, args.model)
    report = analyze_file(args.audio, question, settings, transcriber)
    if args.format == "json":
        print(json.dumps(report, indent=2))
    elif args.format == "markdown":
        print(render_markdown(report), end="")
    else:
        print(render_text(report))
    return 0


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    try:
        if handler is None:
            parser.print_help()
            return 0
        return handler(args)
    except UserError as exc:
        print(f"mock-interview: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mock-interview: interrupted", file=sys.stderr)
        return 130
