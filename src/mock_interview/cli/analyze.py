"""`mock-interview analyze`: measure a recorded answer and print its report."""

from __future__ import annotations

import argparse
import json

from mock_interview.analysis.analyze import analyze_file
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import check_audio
from mock_interview.core.config import find_question, load_questions, load_settings
from mock_interview.views.answer import render_markdown, render_text


def analyze_command(args: argparse.Namespace) -> int:
    """Handler of `mock-interview analyze`: one recorded answer, measured and printed."""

    settings = load_settings()
    question = find_question(load_questions(), args.question) if args.question else None
    check_audio(args.audio)  # reject a bad file before paying for the model load
    transcriber = Transcriber(settings.transcription, args.model)
    analysis = analyze_file(args.audio, question, settings, transcriber)
    if args.format == "json":
        print(json.dumps(analysis.to_json(), indent=2))
    elif args.format == "markdown":
        print(render_markdown(analysis, targets=settings.structure), end="")
    else:
        print(render_text(analysis, settings.structure))
    return 0
