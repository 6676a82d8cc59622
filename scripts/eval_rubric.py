"""Print the reflection rubric's agreement with the hand-labelled answers, per criterion and flag.

Usage: .venv/bin/python scripts/eval_rubric.py [CASES.toml ...]
(default: every file in tests/rubric_cases/), then a timing line for a 3-minute (~450-word) answer.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mock_interview.rubric import load_rubric, score_answer
from mock_interview.rubric.evaluation import agreement, format_agreement, load_cases

CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "rubric_cases"


def main(paths: list[Path]) -> int:
    rubric = load_rubric()
    every_case = []
    for path in paths:
        cases = load_cases(path)
        every_case += cases
        print(f"{path.name}: {len(cases)} answers")
        print(format_agreement(agreement(cases, rubric)), end="\n\n")
    words = " ".join(case.text for case in every_case).split()[:450]
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        score_answer(" ".join(words), "missed", rubric=rubric)
        timings.append(time.perf_counter() - started)
    print(
        f"timing: {len(words)}-word answer scored in {1000 * min(timings):.1f} ms (best of 10), "
        f"{1000 * sorted(timings)[5]:.1f} ms median"
    )
    return 0


if __name__ == "__main__":
    chosen = [Path(arg) for arg in sys.argv[1:]] or sorted(CASES_DIR.glob("*.toml"))
    sys.exit(main(chosen))
