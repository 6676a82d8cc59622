"""The rubric's agreement with the labels when the answers are spoken, not typed.

Usage: .venv/bin/python scripts/eval_rubric_spoken.py [--split development|test] [--voices N]
       [--detail] [--limit N] [--show ID]

The typed tables (scripts/eval_rubric.py) judge the text as written; a real answer reaches the
rubric only through whisper's transcript (no writer's punctuation, misheard words, fillers). So
each labelled answer is read aloud by eSpeak NG, in a voice and at a rate (140-185 wpm) taken in
turn from a fixed list, and run through the real `analyze` path (`analyze_file`, the embedded
model loaded once); the report's criteria and red flags are its verdicts, as `verdicts()` gives
them for typed text, so both tables compare. The WAVs are cached in `.cache/rubric-spoken/`
(keyed by answer id, voice, rate and text), so a rerun only analyses again.

A full development run (85 answers, 38 minutes of speech) takes about 3.5 minutes on two cores,
nearly all of it whisper: rendering every WAV adds seconds, so a rerun takes as long.
The test split is scored once, at the end of a piece of work (tests/rubric_blind/README.md);
`eval_rubric.py --spoken` does that.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from eval_rubric import report_table
from mock_interview.analysis.analyze import analyze_file
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.asr.whisper import Transcriber
from mock_interview.core.config import find_question, load_questions, load_settings
from mock_interview.rubric import load_rubric
from mock_interview.rubric.evaluation import (
    SPLITS,
    LabelledAnswer,
    agreement_of,
    load_blind,
)
from mock_interview.rubric.judging import verdicts_of
from mock_interview.rubric.loading import Rubric

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "rubric-spoken"
BLIND = REPO / "tests" / "rubric_blind"
# Different accents and sexes, so no one voice's quirks decide the figure.
VOICES = ("en-us", "en-gb-x-rp+f3", "en+m3", "en-gb", "en-us+f2", "en-029")
# Five rates: a count prime to every number of voices, so voice and rate pair up differently.
RATES = (140, 150, 160, 175, 185)
# The question each kind of answer was written for (config/questions.toml).
QUESTION_FOR_KIND = {
    "achieved": "goal-achieved",
    "missed": "goal-missed",
    "general": "critical-feedback",
}
PROGRESS_EVERY = 10


def voice_and_rate(index: int, voices: int) -> tuple[str, int]:
    """The `index`th answer's voice and rate, in turn over the first `voices` voices."""
    return VOICES[index % voices], RATES[index % len(RATES)]


def render(answer: LabelledAnswer, voice: str, rate: int) -> Path:
    """The answer read aloud as a WAV, made once: the cache key holds everything the sound
    depends on, so an edited text or another voice gets its own file."""
    digest = hashlib.sha256(answer.text.encode()).hexdigest()[:16]
    path = CACHE / f"{answer.id}-{voice}-{rate}-{digest}.wav"
    if not path.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")  # renamed when whole: no truncated WAV in the cache
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(partial)],
            input=answer.text.encode(),
            check=True,
        )
        partial.rename(path)
    return path


def spoken_analyses(answers: list[LabelledAnswer], voices: int) -> dict[str, AnswerAnalysis]:
    """Each answer's analysis, by id, from its spoken rendering."""
    if not 1 <= voices <= len(VOICES):
        raise ValueError(f"voices must be 1 to {len(VOICES)}, not {voices}")
    settings = load_settings()
    bank = load_questions()
    transcriber = Transcriber(settings.transcription)
    started = time.perf_counter()
    analyses = {}
    for index, answer in enumerate(answers):
        path = render(answer, *voice_and_rate(index, voices))
        question = find_question(bank, QUESTION_FOR_KIND[answer.kind])
        analyses[answer.id] = analyze_file(path, question, settings, transcriber)
        if (index + 1) % PROGRESS_EVERY == 0:
            elapsed = time.perf_counter() - started
            print(f"  {index + 1}/{len(answers)} answers, {elapsed:.0f} s", file=sys.stderr)
    return analyses


def report_verdicts(analysis: AnswerAnalysis, kind: str, rubric: Rubric) -> dict[str, bool]:
    """The report's verdicts, shaped as typed ones are (`evaluation.verdicts_of`)."""
    if analysis.rubric is None:
        raise ValueError(f"{analysis.audio.path}: the analysis has no rubric result")
    met = {criterion.id: criterion.met for criterion in analysis.rubric.criteria}
    return verdicts_of(met, {flag.id for flag in analysis.rubric.red_flags}, kind, rubric)


def verdicts_by_id(
    answers: list[LabelledAnswer], analyses: dict[str, AnswerAnalysis]
) -> dict[str, dict[str, bool]]:
    rubric = load_rubric()
    return {
        answer.id: report_verdicts(analyses[answer.id], answer.kind, rubric) for answer in answers
    }


def spoken_verdicts(answers: list[LabelledAnswer], voices: int = 3) -> dict[str, dict[str, bool]]:
    """Each answer's verdicts, by id, as the analysis of its spoken rendering reports them."""
    return verdicts_by_id(answers, spoken_analyses(answers, voices))


def show(answer: LabelledAnswer, analysis: AnswerAnalysis) -> None:
    """The text as written beside what whisper heard, to tell a rubric miss from an ASR one."""
    print(f"{answer.id} ({answer.kind}, written {answer.register}), {analysis.audio.path}")
    for label, text in (("written", answer.text), ("heard", analysis.transcript.text)):
        print(textwrap.fill(text, 100, initial_indent=f"{label:>8}: ", subsequent_indent=" " * 10))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=tuple(SPLITS), default="development")
    parser.add_argument(
        "--voices", type=int, choices=range(1, len(VOICES) + 1), default=3, help="voices in turn"
    )
    parser.add_argument("--detail", action="store_true", help="list every disagreement")
    parser.add_argument("--limit", type=int, help="only the first N answers (a quick check)")
    parser.add_argument("--show", metavar="ID", help="print this answer's transcript and text")
    options = parser.parse_args()
    answers = load_blind(BLIND, options.split)[: options.limit]
    by_id = {answer.id: answer for answer in answers}
    if options.show and options.show not in by_id:
        parser.error(f"--show {options.show}: no such answer among the {len(answers)} chosen")
    started = time.perf_counter()
    analyses = spoken_analyses(answers, options.voices)
    seconds = sum(analysis.audio.duration_s for analysis in analyses.values())
    print(f"{len(answers)} answers, {seconds:.0f} s of audio, {options.voices} voices")
    table = agreement_of(answers, verdicts_by_id(answers, analyses))
    report_table(f"{options.split}, spoken (through analyze)", answers, table, options.detail)
    if options.show:
        print()
        show(by_id[options.show], analyses[options.show])
    print(f"\nwall time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
