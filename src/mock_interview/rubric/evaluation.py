"""Agreement between the rubric and hand-labelled answers: the old cases (tests/rubric_cases) and
the corpus written blind to the rules (tests/rubric_blind, split by writer before any tuning).

Shared by the tests that pin the bars and by scripts/eval_rubric.py, which prints the tables.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_interview.rubric.judging import judge_answer, judgement_verdicts
from mock_interview.rubric.loading import CRITERIA, FLAG_KINDS, RED_FLAGS, Rubric

# The blind corpus's split (tests/rubric_blind/README.md), fixed before the rules of each round
# changed: tune on the development writers only; score the test writers once, at the end of the
# round. Round 1 tested on writers B and C, round 2 on D and E, round 3 on F and G, round 4 on H
# and I; round 5 on A-I, tested on J and K; round 6 on A-K, tested on L and M; round 7 on A-M,
# tested on N and O. Round 8 changed nothing (tests/rubric_blind/README.md): the shipped
# rubric is round 7's, tuned and trained on A-M, so every writer from N on is one it never saw.
SPLITS = {
    "development": tuple("abcdefghijklm"),
    "test": ("n", "o", "p", "q"),
}

# Follow-up exchanges (tests/rubric_blind/follow_ups): a main answer, the probe an interviewer
# asked about the criterion it left out, and the candidate's short reply, labelled by whether
# the reply supplies it. Split by writer before any was written (README there): round 1 tuned on
# R and S and scored T and U once; round 2 tunes on R to U and scores V and W once.
FOLLOW_UP_SPLITS = {
    "development": ("r", "s", "t", "u"),
    "test": ("v", "w"),
    # Every reply both pushes the probe away and engages with it (round 3).
    "mixed-development": ("x",),
    "mixed-test": ("y",),
}


@dataclass(frozen=True)
class FollowUpExchange:
    id: str
    kind: str
    register: str
    main_answer: str
    criterion: str
    probe: str
    answer: str
    recovered: bool


def load_follow_ups(folder: Path, split: str) -> list[FollowUpExchange]:
    """The follow-up exchanges of one split's writers (their second reading agrees with every
    label: tests/test_follow_up_replies.py)."""
    exchanges = []
    for writer in FOLLOW_UP_SPLITS[split]:
        with (folder / f"writer_{writer}.toml").open("rb") as handle:
            for entry in tomllib.load(handle)["exchanges"]:
                exchanges.append(
                    FollowUpExchange(
                        entry["id"],
                        entry["kind"],
                        entry["register"],
                        entry["main_answer"],
                        entry["criterion"],
                        entry["probe"],
                        entry["answer"],
                        entry["recovered"],
                    )
                )
    return exchanges


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    kind: str
    text: str
    met: frozenset[str]
    flags: frozenset[str]
    register: str = "typed"  # "spoken" answers are written as raw speech transcripts


@dataclass
class Agreement:
    """How often the rubric's verdict on one criterion or flag matched the label."""

    agreed: int = 0
    total: int = 0
    disagreements: list[str] | None = None

    @property
    def rate(self) -> float:
        return self.agreed / self.total if self.total else 1.0


def load_cases(path: Path) -> list[LabelledAnswer]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)["cases"]
    cases = []
    for entry in raw:
        if entry["kind"] not in FLAG_KINDS:
            raise ValueError(f"{path}: case {entry['id']}: unknown kind {entry['kind']!r}")
        cases.append(
            LabelledAnswer(
                entry["id"],
                entry["kind"],
                entry["text"],
                frozenset(entry["met"]),
                frozenset(entry["flags"]),
            )
        )
    return cases


def load_blind(folder: Path, split: str) -> list[LabelledAnswer]:
    """The blind-written answers of one split, with the third reading's decisions applied."""
    with (folder / "adjudicated.toml").open("rb") as handle:
        decided: dict[str, list[dict[str, Any]]] = {}
        for row in tomllib.load(handle)["labels"]:
            decided.setdefault(row["id"], []).append(row)
    answers = []
    for writer in SPLITS[split]:
        with (folder / f"writer_{writer}.toml").open("rb") as handle:
            entries = tomllib.load(handle)["answers"]
        for entry in entries:
            labels = {"met": set(entry["met"]), "flags": set(entry["flags"])}
            for row in decided.get(entry["id"], []):
                group = labels["flags" if row["item"] in RED_FLAGS else "met"]
                if row["holds"]:
                    group.add(row["item"])
                else:
                    group.discard(row["item"])
            answers.append(
                LabelledAnswer(
                    entry["id"],
                    entry["kind"],
                    entry["text"],
                    frozenset(labels["met"]),
                    frozenset(labels["flags"]),
                    entry["register"],
                )
            )
    return answers


def agreement(cases: list[LabelledAnswer], rubric: Rubric) -> dict[str, Agreement]:
    """Per criterion and red flag, over the cases whose kind it applies to."""
    return agreement_of(cases, {case.id: verdicts(case.text, case.kind, rubric) for case in cases})


def verdicts(text: str, kind: str, rubric: Rubric) -> dict[str, bool]:
    """Every criterion and red flag that applies to `kind`: met (or shown) or not."""
    return judgement_verdicts(judge_answer(text, kind, rubric), kind, rubric)


def agreement_of(
    cases: list[LabelledAnswer], verdicts_by_id: dict[str, dict[str, bool]]
) -> dict[str, Agreement]:
    """Agreement of verdicts reached any way (typed, or a spoken answer's report) with the labels;
    each case's verdicts must cover every label of its kind."""
    table: dict[str, Agreement] = {}
    for case in cases:
        case_verdicts = verdicts_by_id[case.id]
        unknown = (case.met | case.flags) - case_verdicts.keys()
        if unknown:
            raise ValueError(f"case {case.id}: labels {sorted(unknown)} do not apply to its kind")
        for name, verdict in case_verdicts.items():
            expected = name in case.met or name in case.flags
            row = table.setdefault(name, Agreement(disagreements=[]))
            row.total += 1
            if verdict == expected:
                row.agreed += 1
            else:
                assert row.disagreements is not None
                row.disagreements.append(f"{case.id} (labelled {'yes' if expected else 'no'})")
    order = {name: index for index, name in enumerate([*CRITERIA, *RED_FLAGS])}
    return dict(sorted(table.items(), key=lambda item: order[item[0]]))


def overall(table: dict[str, Agreement]) -> float:
    """Agreement over every label of every answer (each criterion and flag counted once each)."""
    total = sum(row.total for row in table.values())
    return sum(row.agreed for row in table.values()) / total if total else 1.0


def format_agreement(table: dict[str, Agreement]) -> str:
    lines = [f"{'criterion / flag':<20} {'agree':>7} {'rate':>6}"]
    for name, row in table.items():
        lines.append(f"{name:<20} {row.agreed:>3}/{row.total:<3} {100 * row.rate:>5.0f}%")
        lines += [f"    ✗ {miss}" for miss in row.disagreements or []]
    return "\n".join(lines)
