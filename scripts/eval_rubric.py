"""Print the reflection rubric's agreement with hand-labelled answers, per criterion and flag.

Usage: .venv/bin/python scripts/eval_rubric.py [--split development|test|old] [--spoken]
       [--voices N] [--detail]

- development: the blind corpus's development writers (tests/rubric_blind), the only ones tuned on
  (and the learned second opinion's training data);
- test: its test writers, scored once at the end of a piece of work (the figure to report);
- old: the hand-written regression cases (tests/rubric_cases);
- --spoken: the test answers rendered by eSpeak NG and run through the real `analyze` path
  (scripts/eval_rubric_spoken.py; minutes of work);
each typed table also gives the rules' own figure beside the learned second opinion's (the method
comparison of issue 15); then a timing line for a 3-minute (~450-word) answer. Without --split,
every typed table prints.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from mock_interview.rubric import load_rubric, score_answer
from mock_interview.rubric.evaluation import (
    Agreement,
    LabelledAnswer,
    agreement,
    agreement_of,
    format_agreement,
    load_blind,
    load_cases,
    overall,
)
from mock_interview.rubric.loading import Rubric

TESTS = Path(__file__).resolve().parent.parent / "tests"


def answers_of(split: str) -> list[LabelledAnswer]:
    if split == "old":
        return [
            case
            for path in sorted((TESTS / "rubric_cases").glob("*.toml"))
            for case in load_cases(path)
        ]
    return load_blind(TESTS / "rubric_blind", split)


def report(name: str, answers: list[LabelledAnswer], rubric: Rubric, detail: bool) -> None:
    report_table(name, answers, agreement(answers, rubric), detail)
    rules_alone = agreement(answers, replace(rubric, model_path=None))
    print(f"  the rules alone, without the learned second opinion: {overall(rules_alone):.3f}")
    for register in ("typed", "spoken"):
        part = [answer for answer in answers if answer.register == register]
        if part and len(part) < len(answers):
            print(
                f"  written as {register}: {len(part)} answers, "
                f"agreement {overall(agreement(part, rubric)):.3f}"
            )
    print()


def report_table(
    name: str, answers: list[LabelledAnswer], table: dict[str, Agreement], detail: bool
) -> None:
    weakest = min(table, key=lambda label: table[label].rate)
    print(
        f"{name}: {len(answers)} answers, agreement {overall(table):.3f}, "
        f"weakest label {weakest} {table[weakest].rate:.2f}"
    )
    shown = format_agreement(table)
    if not detail:
        shown = "\n".join(line for line in shown.splitlines() if "✗" not in line)
    print(shown)


def timing(answers: list[LabelledAnswer], rubric: Rubric) -> str:
    words = " ".join(answer.text for answer in answers).split()[:450]
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        score_answer(" ".join(words), "missed", rubric=rubric)
        timings.append(time.perf_counter() - started)
    return (
        f"timing: {len(words)}-word answer scored in {1000 * min(timings):.1f} ms (best of 10), "
        f"{1000 * sorted(timings)[5]:.1f} ms median"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("development", "test", "old"))
    parser.add_argument("--spoken", action="store_true", help="also score the test split spoken")
    parser.add_argument("--voices", type=int, default=3, help="eSpeak voices for --spoken")
    parser.add_argument("--detail", action="store_true", help="list every disagreement")
    options = parser.parse_args()
    rubric = load_rubric()
    splits = [options.split] if options.split else ["development", "test", "old"]
    everything = []
    for split in splits:
        answers = answers_of(split)
        everything += answers
        report(split, answers, rubric, options.detail)
    if options.spoken:
        from eval_rubric_spoken import spoken_verdicts  # loads whisper: only when asked

        answers = answers_of("test")
        spoken = agreement_of(answers, spoken_verdicts(answers, options.voices))
        report_table("test, spoken (through analyze)", answers, spoken, options.detail)
    print(timing(everything, rubric))
    return 0


if __name__ == "__main__":
    sys.exit(main())
