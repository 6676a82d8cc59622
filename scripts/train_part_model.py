"""Train the STAR timeline's sentence model (rubric/learned.py `PartModel`) on the written answers
of every structure set but the sealed ones, and write config/parts_model.npz.

    .venv/bin/python scripts/train_part_model.py               # train on the sets, write the file
    .venv/bin/python scripts/train_part_model.py --validate    # leave one set out, print figures
    .venv/bin/python scripts/train_part_model.py --validate --set word_scale=6

`--validate` reads each set's written answers as text (one sentence a line, as eval_structure.py
`--text`), trained on the other sets, and prints beside the claims alone (config/parts.toml's cues
and the rubric's criteria) the share of sentences given their part and of true boundaries with
both sides read right, and the mean over the sets the cues were never tuned on (FRESH): a choice
is made by that mean, never on a sealed set (make_structure_answers.SEALED, not even read here).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, fields, replace
from typing import cast

from make_structure_answers import SEALED, SETS, load_answers
from mock_interview.core.paths import shipped_config_dir
from mock_interview.core.values import StoryPart
from mock_interview.rubric import load_rubric
from mock_interview.rubric.judging import read_answer
from mock_interview.rubric.learned import PartModel, PartModelOptions, part_features, train_parts
from mock_interview.rubric.loading import PartReading, load_part_reading
from mock_interview.rubric.parts import best_sequence, part_claims, with_model

TRAINING_SETS = tuple(name for name in SETS if name not in SEALED)
# Written blind to the code after the cues were last tuned (scored6 was scored once at round 5's
# end; train8a-c were written for round 6): the cues' figures on them are held-out figures.
FRESH = ("scored6", "train8a", "train8b", "train8c")


@dataclass(frozen=True)
class ReadAnswer:
    answer_set: str
    kind: str
    sentences: list[str]
    claims: list[dict[StoryPart, float]]
    continuing: set[int]
    parts: list[StoryPart]


def read_sets(names: tuple[str, ...]) -> list[ReadAnswer]:
    """Each written answer of the sets, read as text one sentence a line; an answer the rubric
    cuts into other sentences than were written (none today) is left out."""
    rubric = load_rubric()
    config = load_part_reading(rubric.matching.quantity.pattern)
    read = []
    for name in names:
        for answer in load_answers(name):
            reading = read_answer("\n".join(text for _, text in answer.sentences), rubric)
            if len(reading.sentences) == len(answer.sentences):
                read.append(
                    ReadAnswer(
                        name,
                        answer.kind,
                        [sentence.plain for sentence in reading.sentences],
                        part_claims(reading, config),
                        set(reading.matching(config.continuing)),
                        [cast(StoryPart, part) for part, _ in answer.sentences],
                    )
                )
    return read


def fit(answers: list[ReadAnswer], options: PartModelOptions) -> PartModel:
    return train_parts(
        [(part_features(a.sentences, a.claims, a.kind, options), a.parts) for a in answers],
        options,
    )


def figures(
    answers: list[ReadAnswer], config: PartReading, model: PartModel | None
) -> tuple[float, float]:
    """(share of sentences read right, share of true boundaries with both sides right)."""
    right = total = found = boundaries = 0
    for answer in answers:
        claims = answer.claims
        if model is not None:
            claims = with_model(model, answer.sentences, claims, answer.kind)
        read = best_sequence(claims, answer.continuing, config)
        right += sum(a == b for a, b in zip(read, answer.parts, strict=True))
        total += len(read)
        for index in range(1, len(read)):
            if answer.parts[index] != answer.parts[index - 1]:
                boundaries += 1
                found += read[index - 1 : index + 1] == answer.parts[index - 1 : index + 1]
    return right / total, found / boundaries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--validate", action="store_true")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a PartModelOptions field"
    )
    args = parser.parse_args()
    options = PartModelOptions()
    known = {field.name for field in fields(PartModelOptions)}
    for setting in args.set:
        name, _, value = setting.partition("=")
        if name not in known:
            parser.error(f"unknown option {name!r}")
        options = replace(options, **{name: type(getattr(options, name))(value)})
    answers = read_sets(TRAINING_SETS)
    config = load_part_reading(load_rubric().matching.quantity.pattern)
    if args.validate:
        fresh = {"claims alone": 0.0, "with the model": 0.0}
        for name in TRAINING_SETS:
            held = [answer for answer in answers if answer.answer_set == name]
            model = fit([answer for answer in answers if answer.answer_set != name], options)
            (alone_s, alone_b), (model_s, model_b) = (
                figures(held, config, None),
                figures(held, config, model),
            )
            mark = "*" if name in FRESH else " "
            print(
                f"{mark}{name:<8} claims alone: sentences {alone_s:.3f} boundaries {alone_b:.3f}"
                f" | with the model: sentences {model_s:.3f} boundaries {model_b:.3f}"
            )
            if name in FRESH:
                fresh["claims alone"] += alone_b / len(FRESH)
                fresh["with the model"] += model_b / len(FRESH)
        print(
            f"* mean boundaries, left out in turn: claims alone {fresh['claims alone']:.3f}, "
            f"with the model {fresh['with the model']:.3f} ({options})"
        )
        return 0
    model = fit(answers, options)
    path = shipped_config_dir() / "parts_model.npz"
    model.save(path)
    print(f"trained on {len(answers)} answers of {', '.join(TRAINING_SETS)}; wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
