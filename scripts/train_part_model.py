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

With `--spoken N`, the model also learns from what whisper made of each set's answers in its
first N voices (make_structure_answers.py renders them): the clauses `analyze` cuts at pauses,
each given the part of the written sentence it overlaps most in time, so the model sees the
mishearings and the clause cuts it will read. `make parts-model` gives 4 since round 9 (leaving
each fresh set out, its spoken boundaries in every voice: 0.849 learnt from two voices, 0.850
from four). The transcripts are cached in `.cache/structure-spoken/` (the first run renders and
decodes every clip, about 5 s each); `--validate` then also prints, per set left out, the share
of its spoken clauses read right.
"""

from __future__ import annotations

import argparse
import json
import sys
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, fields, replace
from itertools import accumulate
from typing import Any, cast
from unittest.mock import patch

import mock_interview.analysis.analyze as analyze
from make_structure_answers import CACHE, SEALED, SETS, Clip, clips, load_answers
from mock_interview.core.config import find_question, load_questions, load_settings
from mock_interview.core.paths import shipped_config_dir
from mock_interview.core.values import StoryPart, Word
from mock_interview.rubric import load_rubric
from mock_interview.rubric.judging import read_answer
from mock_interview.rubric.learned import PartModel, PartModelOptions, part_features, train_parts
from mock_interview.rubric.loading import PartReading, load_part_reading
from mock_interview.rubric.parts import best_sequence, part_claims, with_model

TRAINING_SETS = tuple(name for name in SETS if name not in SEALED)
# Written blind to the code after the cues were last tuned (scored6 was scored once at round 5's
# end; train8a-c were written for round 6, scored7 scored once in it, scored8 at its end): the
# cues' figures on them are held-out figures.
FRESH = ("scored6", "train8a", "train8b", "train8c", "scored7", "scored8")


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
    config = load_part_reading(load_rubric().matching.quantity.pattern)
    read = []
    for name in names:
        for answer in load_answers(name):
            text = "\n".join(sentence for _, sentence in answer.sentences)
            parts = [part for part, _ in answer.sentences]
            read.append(_read(name, answer.kind, text, parts, config))
    return [answer for answer in read if answer is not None]


def _read(
    name: str, kind: str, text: str, parts: list[str], config: PartReading
) -> ReadAnswer | None:
    """An answer's text as the rubric reads it, with its true parts; None when the rubric cuts
    it into other sentences than the parts are given for."""
    reading = read_answer(text, load_rubric())
    if len(reading.sentences) != len(parts):
        return None
    return ReadAnswer(
        name,
        kind,
        [sentence.plain for sentence in reading.sentences],
        part_claims(reading, config),
        set(reading.matching(config.continuing)),
        [cast(StoryPart, part) for part in parts],
    )


QUESTION_FOR_KIND = {"achieved": "goal-achieved", "missed": "goal-missed"}
SPOKEN_CACHE = CACHE.parent / "structure-spoken"


def spoken_sets(names: tuple[str, ...], voices: int) -> list[ReadAnswer]:
    """Each set's answers as whisper heard them in its first `voices` voices: the rubric's text
    of the transcript (clauses cut at pauses, as `analyze` reads them) and each clause's part."""
    config = load_part_reading(load_rubric().matching.quantity.pattern)
    read = []
    for name in names:
        for clip in clips(name, voices):
            heard = _heard(clip)
            read.append(_read(name, clip.kind, heard["text"], heard["parts"], config))
    return [answer for answer in read if answer is not None]


def _heard(clip: Clip) -> dict[str, Any]:
    """The rubric's text of the clip's analysis and the true part of each of its sentences
    (cached beside the clip's name)."""
    cached = SPOKEN_CACHE / f"{clip.path.stem}.json"
    if cached.is_file():
        heard: dict[str, Any] = json.loads(cached.read_text())
        return heard
    question = find_question(load_questions(), QUESTION_FOR_KIND[clip.kind])
    with (
        patch.object(analyze, "read_answer", wraps=analyze.read_answer) as reading,
        patch.object(analyze, "measure_structure", wraps=analyze.measure_structure) as measuring,
    ):
        analyze.analyze_file(clip.path, question, load_settings(), _transcriber())
    seen = {"text": reading.call_args.args[0], "words": measuring.call_args.args[0]}
    heard = {"text": seen.get("text", ""), "parts": _clause_parts(clip, seen)}
    SPOKEN_CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(heard))
    return heard


def _clause_parts(clip: Clip, seen: dict[str, Any]) -> list[str]:
    """Per sentence of the rubric's text, the part of the written sentence its words overlap
    most in time (the words are indexed as analysis/structure.py indexes them)."""
    words: list[Word] = seen.get("words", [])
    if not words:
        return []
    offsets = list(accumulate((len(word.text) + 1 for word in words[:-1]), initial=0))
    parts = []
    for sentence in read_answer(seen["text"], load_rubric()).sentences:
        first = bisect_left(offsets, sentence.start)
        last = max(first, bisect_right(offsets, sentence.end - 1) - 1)
        begin, end = words[first].start_s, words[min(last, len(words) - 1)].end_s
        overlap = [
            min(end, float(item["end_s"])) - max(begin, float(item["start_s"]))
            for item in clip.truth
        ]
        parts.append(str(clip.truth[overlap.index(max(overlap))]["part"]))
    return parts


_LOADED: list[Any] = []


def _transcriber() -> Any:
    if not _LOADED:
        from mock_interview.asr.whisper import Transcriber

        _LOADED.append(Transcriber(load_settings().transcription))
    return _LOADED[0]


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
    parser.add_argument("--spoken", type=int, default=0, metavar="N", help="learn from N voices")
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
    written = read_sets(TRAINING_SETS)
    spoken = spoken_sets(TRAINING_SETS, args.spoken) if args.spoken else []
    config = load_part_reading(load_rubric().matching.quantity.pattern)
    if args.validate:
        labels = ("written alone", "written model", "spoken alone", "spoken model")
        means = dict.fromkeys(labels, 0.0)
        for name in TRAINING_SETS:
            model = fit([a for a in written + spoken if a.answer_set != name], options)
            line = f"{'*' if name in FRESH else ' '}{name:<8}"
            for label, answers in (("written", written), ("spoken", spoken)):
                held = [answer for answer in answers if answer.answer_set == name]
                if not held:
                    continue
                (alone_s, alone_b), (model_s, model_b) = (
                    figures(held, config, None),
                    figures(held, config, model),
                )
                line += (
                    f" | {label}: claims alone {alone_s:.3f}/{alone_b:.3f},"
                    f" with the model {model_s:.3f}/{model_b:.3f}"
                )
                if name in FRESH:
                    means[f"{label} alone"] += alone_b / len(FRESH)
                    means[f"{label} model"] += model_b / len(FRESH)
            print(line)
        print(
            "(sentences/boundaries read right) * mean boundaries, left out in turn: "
            + ", ".join(f"{label} {value:.3f}" for label, value in means.items())
            + f" ({options})"
        )
        return 0
    model = fit(written + spoken, options)
    path = shipped_config_dir() / "parts_model.npz"
    model.save(path)
    print(
        f"trained on {len(written)} written and {len(spoken)} spoken answers of "
        f"{', '.join(TRAINING_SETS)}; wrote {path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
