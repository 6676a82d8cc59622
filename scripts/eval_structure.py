"""How close the STAR timeline's part boundaries come to the truth, on generated answers.

Each answer of `tests/structure_answers/` is rendered by `make_structure_answers.py` (eSpeak NG
sentences of known part joined with known silences, several voices) and analysed as
`mock-interview analyze` would. A true boundary is where one part gives way to another, in the
middle of the silence between them; it is found when the timeline has a boundary between the
same two parts within 1.0 s of it. Printed per set: the share of true boundaries found (the
figure the issue asks for), the share of the timeline's boundaries that are true (so a timeline
cut everywhere does not score), of the true boundaries the timeline has between the same two
parts at any distance the share placed within 1.0 s (the timing alone, apart from the reading
of the parts), and the share of sentences given their true part.

With `--text`, each written answer is read as text instead (its sentences one a line, as
pauses cut a spoken answer; no speech, no whisper): the share of sentences the part reading gets
right and of true boundaries whose both sides it gets right, in seconds rather than minutes. It
tells the reading's errors from whisper's and the cutting's.

Round 1 tuned on `tuning` and scored the held-out `scored` once; round 2 tuned on both and
scored `scored2`, written before round 1's errors were read, once. Round 3 tunes on those and
`tuning3` and scores `scored3` once; both were written blind to the code by separate helpers.
Round 3 changed the reading (rubric/parts.py: the whole answer read at once, with the cues of
config/parts.toml) and added `--text`; it was scored once on `scored3` (51%) and on `scored4`
(57%), written later.
Round 4 tuned on every set but `scored5` (the misses of `scored3` and `scored4`, read as text and
as whisper heard them): criterion cues that name something else withdrawn, "I also" continuing
the part, an aside keeping the story's place, and cues for asides, outcomes and lessons that
survive whisper's common mishearings (rubric/parts.py). Text: scored3 68% to 96%, scored4 72%
to 99%, tuning3 92% to 94%; audio: scored3 51% to 78%, scored4 57% to 87%, tuning3 81% to 85%,
scored2 91% to 95% (all tuned on, so none is a held-out figure). Scored once at the end of the
round on `scored5` (written blind, four voices no round had used): 59% within 1.0 s (text 71%),
so the cues lifted from the tuned-on sets carried over only in part. `scored6` (20 answers
written blind after that, in four voices no round had used) was sealed for the next round.
Round 5 tuned on every set but `scored6`, leaning on what any story shares rather than on its
words (rubric/parts.py): where a claimed sentence stands in the answer (a table of each part's
share of each fifth of an answer, counted on the sets), a cost for passing over the actions, and
three cues of kinds `scored5` showed (an aside's closing tag, who the speaker was, "the goal I
set was to"). The position table, counted leaving out the set scored, with round 4's cues: text
scored5 71% to 77%, tuning3 94% to 98%, scored3 96% and scored4 99% unchanged; with the new cues,
scored5 88%. Audio: scored5 59% to 74% (timeline boundaries that are true 71% to 81%, placed
within 1.0 s 93% to 90%, sentences in their part 80% to 86%), scored4 87% to 90%, scored3 78% to
83% (none held out any longer). Scored once at the end of the round on `scored6`: 72% within
1.0 s (text 80%; timeline boundaries that are true 79%, recognised ones placed within 1.0 s 92%,
sentences in their part 85%), worst voice en-gb-x-gbcwmd+f2 58%.
Round 6 added a learned sentence model that weighs the cues' claims (rubric/parts.py, trained by
scripts/train_part_model.py on the sets' written answers and on whisper's transcripts of them in
two voices), with three sets written blind for it (train8a-c). Scored once on `scored7` (written
with them): 74% within 1.0 s (text 90%); the model then learnt to read the sentences no cue
claims (leaving each set out, the fresh sets' spoken boundaries 0.859 to 0.876) and was scored
once on `scored8`, written blind after that, in four voices no round had used: 86% within 1.0 s
(text 99%; timeline boundaries that are true 90%, recognised ones placed within 1.0 s 96%,
sentences in their part 93%), worst voice en-029+f4 79%.
Round 9 sealed `scored9` (20 answers written blind, more of them told out of order) before any
tuning, and changed the model only (rubric/learned.py `neighbour_scale`: the parts claimed for
the sentences on either side; learning from four voices a set; scored8 trained on), chosen
leaving each of six fresh sets out (spoken boundaries 0.850 to 0.875). Scored once on `scored9`
in four voices no round had used: 78% within 1.0 s (text 85%; timeline boundaries that are true
82%, recognised ones placed within 1.0 s 90%, sentences in their part 86%), worst voice
en-029+f5 73%; round 8's model on the same clips 75% (text 83%).
Round 10 changed no code: it retrained the model with scored9 and two sets written blind for it
(train10a-b: answers told in more shapes, which even trained on read at 89% as text), and sealed
`scored10` (written blind with them, by another writer). Scored once on `scored10` in four voices
no round had used: 71% within 1.0 s (text 80%; timeline boundaries that are true 81%, recognised
ones placed within 1.0 s 87%, sentences in their part 86%), worst voice en-gb-x-gbcwmd+m3 67%;
round 9's model on the same clips 68% (text 76%; worst voice en-029+m5 62%). The retrained model
read "several of them now come every week, which I never expected" as a reflection, where a test
pins a result, so round 9's model stays shipped (its figure on scored10 is the held-out one).
Round 11 changed no code either: it retrained the model with scored10 and `train11` (written
blind for it), and scored `scored11` (written blind at the same time, by another writer, sealed
until then) once, in four voices no round had used. Round 9's model, still shipped: 57% within
1.0 s (text 67%; timeline boundaries that are true 71%, recognised ones placed within 1.0 s 87%,
sentences in their part 78%), worst voice en-gb-x-gbclan+f4 50%. The retrained model: 61% (text
73%; 76%, 89%, 80%), worst voice en-029+f3 and en-gb-x-gbclan+f4 54%. The retrained model again
read the pinned "several of them now come every week, which I never expected" as a reflection,
so it is not shipped, by the rule fixed before scoring (ship only if every test passes).
Round 12 sealed `scored12` (written blind by a writer who saw no other set) before trying a
sentence encoder (rubric/learned.py `PartModelOptions`: not kept), and scored it once with round
9's model, still shipped, in four voices no round had used: 61% within 1.0 s (text 66%; timeline
boundaries that are true 74%, recognised ones placed within 1.0 s 85%, sentences in their part
81%), worst voice en-gb-x-gbcwmd+f4 56%. Two readers blind to the code and to the labels (helpers
told to read each answer and label its sentences themselves) agreed with the writers of scored9-11
on 98.5% and 99.3% of the boundaries as text: the labels can be read; the reading here is what
falls short. Nothing is sealed now.

Run:
    .venv/bin/python scripts/eval_structure.py [--set NAME|all] [--voices N] [--text] [-v]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from itertools import pairwise

from make_structure_answers import SEALED, SETS, Clip, WrittenAnswer, clips, load_answers
from mock_interview.analysis.analyze import analyze_file
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.asr.whisper import Transcriber
from mock_interview.core.config import find_question, load_questions, load_settings
from mock_interview.rubric import load_rubric
from mock_interview.rubric.judging import read_answer
from mock_interview.rubric.parts import sentence_parts

TOLERANCE_S = 1.0
QUESTION_FOR_KIND = {"achieved": "goal-achieved", "missed": "goal-missed"}

Boundary = tuple[float, str, str]  # time, part before, part after


@dataclass
class Score:
    truth: int = 0
    found: int = 0
    paired: int = 0  # true boundaries the timeline has between the same parts, at any distance
    predicted: int = 0
    true_predicted: int = 0
    sentences: int = 0
    sentences_right: int = 0

    def add(self, other: Score) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def placement(self) -> float:
        """Of the true boundaries the timeline recognises, the share placed within 1.0 s."""
        return self.found / self.paired if self.paired else 1.0

    @property
    def precision(self) -> float:
        return self.true_predicted / self.predicted if self.predicted else 1.0

    @property
    def sentence_rate(self) -> float:
        return self.sentences_right / self.sentences if self.sentences else 1.0


def true_boundaries(clip: Clip) -> list[Boundary]:
    found = []
    for before, after in pairwise(clip.truth):
        if before["part"] != after["part"]:
            middle = (float(before["end_s"]) + float(after["start_s"])) / 2
            found.append((middle, str(before["part"]), str(after["part"])))
    return found


def timeline_boundaries(analysis: AnswerAnalysis) -> list[Boundary]:
    assert analysis.structure is not None
    return [
        (after.start_s, before.part, after.part)
        for before, after in pairwise(analysis.structure.parts)
    ]


def _part_at(analysis: AnswerAnalysis, seconds: float) -> str:
    assert analysis.structure is not None
    for part in analysis.structure.parts:
        if part.start_s <= seconds < part.end_s:
            return part.part
    return "none"


def score(clip: Clip, analysis: AnswerAnalysis) -> Score:
    truth, predicted = true_boundaries(clip), timeline_boundaries(analysis)

    def near(boundary: Boundary, others: list[Boundary], tolerance_s: float = TOLERANCE_S) -> bool:
        at, before, after = boundary
        return any(
            abs(at - other_at) <= tolerance_s and (before, after) == (other_before, other_after)
            for other_at, other_before, other_after in others
        )

    middles = [
        (float(item["start_s"]) + float(item["end_s"])) / 2
        for item in clip.truth
    ]
    return Score(
        truth=len(truth),
        found=sum(near(item, predicted) for item in truth),
        paired=sum(near(item, predicted, float("inf")) for item in truth),
        predicted=len(predicted),
        true_predicted=sum(near(item, truth) for item in predicted),
        sentences=len(clip.truth),
        sentences_right=sum(
            _part_at(analysis, middle) == item["part"]
            for middle, item in zip(middles, clip.truth, strict=True)
        ),
    )


def evaluate(
    rendered: list[Clip], transcriber: Transcriber, verbose: bool = False
) -> tuple[Score, dict[str, Score]]:
    """The score over all clips, and per voice."""
    settings = load_settings()
    bank = load_questions()
    total, by_voice = Score(), dict[str, Score]()
    for clip in rendered:
        question = find_question(bank, QUESTION_FOR_KIND[clip.kind])
        analysis = analyze_file(clip.path, question, settings, transcriber)
        result = score(clip, analysis)
        total.add(result)
        by_voice.setdefault(clip.voice, Score()).add(result)
        if verbose:
            _show(clip, analysis, result)
    return total, by_voice


def read_as_text(answers: list[WrittenAnswer], verbose: bool = False) -> Score:
    """Each answer's sentences read as text, one a line: `sentences_right` counts those whose
    every clause takes the true part, `found` the true boundaries with both sides right."""
    rubric = load_rubric()
    total = Score()
    for answer in answers:
        text = "\n".join(sentence for _, sentence in answer.sentences)
        parts = sentence_parts(read_answer(text, rubric), answer.kind)
        read: list[set[str]] = []
        start = 0
        for part, sentence in answer.sentences:
            end = start + len(sentence)
            read.append({item.part for item in parts if item.start < end and item.end > start})
            start = end + 1
            if verbose and read[-1] != {part}:
                print(f"{answer.id}: {part} read as {'/'.join(sorted(read[-1]))}: {sentence}")
        truth = [part for part, _ in answer.sentences]
        total.sentences += len(truth)
        total.sentences_right += sum(got == {part} for got, part in zip(read, truth, strict=True))
        for index in range(1, len(truth)):
            if truth[index] != truth[index - 1]:
                total.truth += 1
                both = read[index - 1] == {truth[index - 1]} and read[index] == {truth[index]}
                total.found += both
    return total


def _show(clip: Clip, analysis: AnswerAnalysis, result: Score) -> None:
    print(f"{clip.path.name}: {result.found}/{result.truth} boundaries found")
    print("  truth:   " + _line(true_boundaries(clip)))
    print("  timeline:" + _line(timeline_boundaries(analysis)))


def _line(boundaries: list[Boundary]) -> str:
    return " ".join(f"{at:.1f}:{before[:4]}>{after[:4]}" for at, before, after in boundaries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="tuning", dest="answer_set")
    parser.add_argument("--voices", type=int, default=None)
    parser.add_argument("--text", action="store_true", help="read the written answers, no audio")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    chosen = [args.answer_set]
    if args.answer_set == "all":
        chosen = [name for name in SETS if name not in SEALED]
    if args.text:
        for answer_set in chosen:
            total = read_as_text(load_answers(answer_set), args.verbose)
            print(
                f"{answer_set} as text: sentences in their part {total.sentences_right}/"
                f"{total.sentences} = {100 * total.sentence_rate:.0f}%; boundaries with both "
                f"sides read right {total.found}/{total.truth} = {100 * total.recall:.0f}%"
            )
        return 0
    transcriber = Transcriber(load_settings().transcription)
    for answer_set in chosen:
        total, by_voice = evaluate(clips(answer_set, args.voices), transcriber, args.verbose)
        print(
            f"{answer_set}: boundaries within {TOLERANCE_S:g} s {total.found}/{total.truth} "
            f"= {100 * total.recall:.0f}%; timeline boundaries that are true "
            f"{total.true_predicted}/{total.predicted} = {100 * total.precision:.0f}%; "
            f"recognised boundaries placed within {TOLERANCE_S:g} s {total.found}/{total.paired} "
            f"= {100 * total.placement:.0f}%; sentences in their part "
            f"{100 * total.sentence_rate:.0f}%"
        )
        for voice, result in by_voice.items():
            print(f"    {voice:<16} {result.found}/{result.truth} = {100 * result.recall:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
