"""Agreement between the rubric and hand-labelled answers (tests/rubric_cases/*.toml).

Shared by the test that guards the ≥ 90 % bar and by scripts/eval_rubric.py, which prints the table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from mock_interview.rubric.judging import judge_answer
from mock_interview.rubric.loading import FLAG_KINDS, Rubric


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    kind: str
    text: str
    met: frozenset[str]
    flags: frozenset[str]


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


def agreement(cases: list[LabelledAnswer], rubric: Rubric) -> dict[str, Agreement]:
    """Per criterion and red flag, over the cases whose kind it applies to."""
    table = {name: Agreement(disagreements=[]) for name in [*rubric.criteria, *rubric.red_flags]}
    for case in cases:
        judgement = judge_answer(case.text, case.kind, rubric)
        verdicts = {found.id: found.met for found in judgement.criteria}
        shown = {flag.id for flag in judgement.red_flags}
        verdicts |= {f.id: f.id in shown for f in rubric.red_flags.values() if case.kind in f.kinds}
        unknown = (case.met - verdicts.keys()) | (case.flags - verdicts.keys())
        if unknown:
            raise ValueError(f"case {case.id}: labels {sorted(unknown)} do not apply to its kind")
        for name, verdict in verdicts.items():
            expected = name in case.met or name in case.flags
            row = table[name]
            row.total += 1
            if verdict == expected:
                row.agreed += 1
            else:
                assert row.disagreements is not None
                row.disagreements.append(f"{case.id} (labelled {'yes' if expected else 'no'})")
    return table


def format_agreement(table: dict[str, Agreement]) -> str:
    lines = [f"{'criterion / flag':<20} {'agree':>7} {'rate':>6}"]
    for name, row in table.items():
        lines.append(f"{name:<20} {row.agreed:>3}/{row.total:<3} {100 * row.rate:>5.0f}%")
        lines += [f"    ✗ {miss}" for miss in row.disagreements or []]
    return "\n".join(lines)
