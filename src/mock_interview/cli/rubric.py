"""`mock-interview rubric`: score a typed or pasted answer (or written prep notes)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mock_interview.analysis.answer import ReportFormatError, RubricResult
from mock_interview.core.config import find_question, load_questions, load_settings
from mock_interview.core.errors import UserError
from mock_interview.rubric.judging import score_answer
from mock_interview.rubric.loading import Rubric, load_rubric
from mock_interview.views.rubric import render_rubric_text


def add_rubric_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--question", metavar="ID", required=True, help="question id from config/questions.toml"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--text-file", metavar="F", type=Path, help="the answer as a UTF-8 text file"
    )
    source.add_argument(
        "stdin", nargs="?", choices=["-"], metavar="-", help="read the answer from standard input"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")


def run_rubric_command(args: argparse.Namespace) -> int:
    question = find_question(load_questions(), args.question)
    text = _read_answer(args.text_file)
    rubric = load_rubric(settings=load_settings())
    result = score_answer(text, question.kind, rubric=rubric)
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        try:
            typed = RubricResult.from_json(result)
        except ReportFormatError as error:  # a quote holding a control character, say
            message = f"cannot show the rubric as text ({error}); use --format json"
            raise UserError(message) from None
        print(render_rubric_text(typed, labels=_labels(rubric)))
    return 0


def _read_answer(path: Path | None) -> str:
    if path is None:
        return sys.stdin.read()
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a directory, not a text file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None


def _labels(rubric: Rubric) -> dict[str, str]:
    return {
        **{c.id: c.label for c in rubric.criteria.values()},
        **{f.id: f.label for f in rubric.red_flags.values()},
    }
