"""Print how often the rubric hears a follow-up answer supply what the probe asked for.

Usage: .venv/bin/python scripts/eval_follow_ups.py [--split SPLIT] [--spoken] [--voices N]
       [--detail]

Each exchange of the blind corpus (tests/rubric_blind/follow_ups) is a main answer, the probe an
interviewer asked about the criterion it left out, and the candidate's short reply, labelled by
its writer (and a second reader) as supplying the criterion or not. The reply is judged as the
engine judges a follow-up (`recovered` in a report); the table gives agreement per probed
criterion, the replies wrongly heard as recovering (false recoveries) and those missed.
- development: the writers tuned on; test: the writers scored once, at the end of a round;
  mixed-development, mixed-test: the same for replies that both turn the probe away and engage
  with it (round 3);
- --spoken: the replies rendered by eSpeak NG and run through `analyze`, as eval_rubric --spoken.
The typed replies are also judged as whole answers (no [probes] in config/rubric.toml), the
baseline the probes are measured against.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from mock_interview.rubric import load_rubric
from mock_interview.rubric.evaluation import FOLLOW_UP_SPLITS, FollowUpExchange, load_follow_ups
from mock_interview.rubric.judging import judge_answer
from mock_interview.rubric.loading import Rubric

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "rubric_blind" / "follow_ups"


def typed_verdict(exchange: FollowUpExchange, rubric: Rubric, as_reply: bool = True) -> bool:
    """Whether the typed reply recovers the probed criterion, as a follow-up's report says
    (`as_reply` False: judged as a whole answer, as before config/rubric.toml had [probes])."""
    probed = exchange.criterion if as_reply else None
    judgement = judge_answer(exchange.answer, exchange.kind, rubric, probed=probed)
    return judgement.criterion_met(exchange.criterion)


def spoken_verdicts(exchanges: list[FollowUpExchange], voices: int) -> dict[str, bool]:
    """Whether each reply, read aloud by eSpeak NG (voices and rates in turn, as
    eval_rubric_spoken) and analysed as the engine analyses a follow-up, recovers its criterion."""
    from eval_rubric_spoken import QUESTION_FOR_KIND, render, voice_and_rate  # loads whisper
    from mock_interview.analysis.analyze import analyze_file
    from mock_interview.asr.whisper import Transcriber
    from mock_interview.core.config import load_questions, load_settings
    from mock_interview.rubric.evaluation import LabelledAnswer
    from mock_interview.session.follow_up import follow_up_question

    settings = load_settings()
    bank = load_questions()
    transcriber = Transcriber(settings.transcription)
    verdicts = {}
    for index, exchange in enumerate(exchanges):
        reply = LabelledAnswer(
            exchange.id, exchange.kind, exchange.answer, frozenset(), frozenset()
        )
        path = render(reply, *voice_and_rate(index, voices))
        question = follow_up_question(
            bank[QUESTION_FOR_KIND[exchange.kind]],
            exchange.probe,
            exchange.criterion,
            settings.practice,
        )
        analysis = analyze_file(path, question, settings, transcriber)
        verdicts[exchange.id] = analysis.criterion_met(exchange.criterion)
    return verdicts


def print_table(
    name: str, exchanges: list[FollowUpExchange], verdicts: dict[str, bool], detail: bool
) -> None:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # agreed, total, false+, false-
    misses = []
    for exchange in exchanges:
        key = f"{exchange.kind}/{exchange.criterion}"
        verdict = verdicts[exchange.id]
        for row in (rows[key], rows[f"{exchange.register} (all criteria)"], rows["all"]):
            row[1] += 1
            row[0] += verdict == exchange.recovered
            row[2] += verdict and not exchange.recovered
            row[3] += exchange.recovered and not verdict
        if verdict != exchange.recovered:
            misses.append(
                f"    ✗ {exchange.id} {key} labelled {'yes' if exchange.recovered else 'no'}: "
                f"{exchange.answer[:150]!r}"
            )
    print(f"{name}: {len(exchanges)} exchanges")
    print(f"  {'probe':<28} {'agree':>7} {'rate':>6} {'false rec.':>10} {'missed':>7}")
    for key in sorted(rows, key=lambda k: (k == "all", "(" in k, k)):
        agreed, total, false_yes, false_no = rows[key]
        print(
            f"  {key:<28} {agreed:>3}/{total:<3} {agreed / total:>6.3f} {false_yes:>10} "
            f"{false_no:>7}"
        )
    if detail:
        print("\n".join(misses))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=tuple(FOLLOW_UP_SPLITS), default="development")
    parser.add_argument("--spoken", action="store_true", help="also judge the replies spoken")
    parser.add_argument("--voices", type=int, default=3, help="eSpeak voices for --spoken")
    parser.add_argument("--detail", action="store_true", help="list every disagreement")
    options = parser.parse_args()
    rubric = load_rubric()
    exchanges = load_follow_ups(FOLDER, options.split)
    typed = {exchange.id: typed_verdict(exchange, rubric) for exchange in exchanges}
    print_table(f"{options.split}, typed", exchanges, typed, options.detail)
    whole = {exchange.id: typed_verdict(exchange, rubric, False) for exchange in exchanges}
    print_table(
        f"{options.split}, typed, each reply judged as a whole answer",
        exchanges,
        whole,
        detail=False,
    )
    if options.spoken:
        spoken = spoken_verdicts(exchanges, options.voices)
        print_table(f"{options.split}, spoken (through analyze)", exchanges, spoken, options.detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
