"""Filler recall and precision on real speech: ours beside plain faster-whisper, in one run.

`make eval-fillers`. The development set is every clip of ../shared/speech/manifest.jsonl whose
reference marks filled pauses (um, uh, hm), every negative control (where "like", "her" or "er"
are ordinary words, or the speech is read aloud) and a long answer made by joining development
clips with pauses, reported per 30-second stretch. A found filler matches a reference one of the
same clip by order and count, so a clip with 3 reference fillers and 4 found has 3 matched.
Plain faster-whisper is the same model with beam 5 and word timestamps and nothing else.

`--set GROUP.FIELD=VALUE` (repeatable) overrides a tuning option of ours for a sweep, e.g.
`--set chunking.window_s=25 --set filler_search.min_filled_s=0.12`; groups are decode,
chunking, speech and filler_search (`mock_interview.asr.tuning`).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mock_interview.analysis.analyze import analysis_from_chunks
from mock_interview.asr.chunking import ChunkingOptions, transcribe_in_chunks
from mock_interview.asr.fillers import filled_pause_label, mark_fillers
from mock_interview.asr.tuning import GROUPS, Tuning, with_override
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, load_audio
from mock_interview.core.config import Settings, load_settings
from mock_interview.core.values import Word

REPO = Path(__file__).resolve().parent.parent
STRETCH_S = 30.0
JOIN_PAUSE_S = 1.5
# Clips of the long answer, one group per 30-second stretch; each stretch holds fillers.
LONG_ANSWER_STRETCHES = [
    ["mfa/acoustic_corpus.wav"],
    ["mfa/mfa_uhum.flac", "mfa/mfa_words.flac", "mfa/mfa_uh.flac"],
    ["mfa/mfa_uhuh.flac", "mfa/mfa_thoughts.flac", "mfa/mfa_um.flac"],
    [
        "librivox_pocketsphinx/sense_and_sensibility_01_austen_64kb-0880.wav",
        "mfa/mfa_uhum.flac",
        "mfa/mfa_uh.flac",
    ],
    [
        "mfa/mfa_um.flac",
        "librivox_pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav",
        "mfa/mfa_uhuh.flac",
    ],
]
# Clips where "er" or "her" is an ordinary word.
_ER_WORD_CLIPS = {"mfa/mfa_er.flac", "mfa/mfa_erpause.flac", "mfa/mfa_her.flac"}


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
    return [row for row in manifest(folder) if row["filled_pauses"] or is_negative_control(row)]


@dataclass
class ClipResult:
    """One clip: reference filled pauses, ours and plain's, and any other filler ours found."""

    file: str
    reference: int
    ours: list[tuple[str, float, float]]  # (label, start, end) of filled pauses
    plain: int
    ours_other: list[str]  # fillers that are not filled pauses ("like", "you know")
    plain_other: list[str]

    @property
    def ours_matched(self) -> int:
        return min(self.reference, len(self.ours))

    @property
    def plain_matched(self) -> int:
        return min(self.reference, self.plain)


def plain_words(transcriber: Transcriber, samples: np.ndarray) -> list[Word]:
    """Plain faster-whisper: the same model, beam 5, word timestamps, default everything else."""
    segments, _ = transcriber.model.transcribe(
        samples, language="en", beam_size=5, word_timestamps=True
    )
    return [
        Word(word.word.strip(), word.start, word.end)
        for segment in segments
        for word in segment.words or []
    ]


def split_fillers(items: list[tuple[str, float, float]]) -> tuple[list[Any], list[str]]:
    """(filled pauses as (label, start, end), other fillers' texts)."""
    filled = [item for item in items if item[0] == "filler" or filled_pause_label(item[0])]
    return filled, [item[0] for item in items if item not in filled]


def ours_fillers(
    samples: np.ndarray,
    settings: Settings,
    transcriber: Transcriber,
    chunking: ChunkingOptions | None = None,
) -> list[tuple[str, float, float]]:
    """What `analyze` reports (`analyze_samples`), with `chunking` options if given."""
    transcript = transcribe_in_chunks(
        [samples], transcriber, settings.fillers, chunking or ChunkingOptions()
    )
    report = analysis_from_chunks(transcript, ANALYSIS_RATE, Path("clip"), None, settings)
    return [(item.text, item.start_s, item.end_s) for item in report.fillers.items]


def plain_fillers(
    samples: np.ndarray, settings: Settings, transcriber: Transcriber
) -> list[tuple[str, float, float]]:
    _, fillers = mark_fillers(plain_words(transcriber, samples), settings.fillers)
    return [(filler.text, filler.start_s, filler.end_s) for filler in fillers]


def evaluate_clip(
    file: str, reference: int, samples: np.ndarray, settings: Settings, transcriber: Transcriber
) -> ClipResult:
    ours, ours_other = split_fillers(ours_fillers(samples, settings, transcriber))
    plain, plain_other = split_fillers(plain_fillers(samples, settings, transcriber))
    return ClipResult(file, reference, ours, len(plain), ours_other, plain_other)


def recall_precision(results: list[ClipResult], ours: bool) -> tuple[float, float]:
    reference = sum(result.reference for result in results)
    if ours:
        found = sum(len(result.ours) for result in results)
        matched = sum(result.ours_matched for result in results)
    else:
        found = sum(result.plain for result in results)
        matched = sum(result.plain_matched for result in results)
    return (matched / reference if reference else 1.0, matched / found if found else 1.0)


@dataclass
class LongAnswer:
    samples: np.ndarray
    clips: list[tuple[str, float, float, int]]  # file, start, end, reference fillers


def long_answer(folder: Path) -> LongAnswer:
    """Development clips joined with pauses; every stretch starts on a 30-second mark."""
    references = {row["file"]: row["filled_pauses"] for row in manifest(folder)}
    pause = np.zeros(int(JOIN_PAUSE_S * ANALYSIS_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    clips = []
    for index, group in enumerate(LONG_ANSWER_STRETCHES):
        stretch_start = index * STRETCH_S
        cursor = stretch_start + JOIN_PAUSE_S
        pieces.append(pause)
        for file in group:
            samples = load_audio(folder / file).samples
            clips.append((file, cursor, cursor + samples.size / ANALYSIS_RATE, references[file]))
            pieces += [samples, pause]
            cursor += samples.size / ANALYSIS_RATE + JOIN_PAUSE_S
        if cursor > stretch_start + STRETCH_S:
            raise ValueError(f"stretch {index + 1} is longer than {STRETCH_S} s")
        filled = sum(piece.size for piece in pieces)
        pieces.append(
            np.zeros(int((stretch_start + STRETCH_S) * ANALYSIS_RATE) - filled, np.float32)
        )
    return LongAnswer(np.concatenate(pieces), clips)


def per_stretch(
    answer: LongAnswer, found: list[tuple[str, float, float]]
) -> list[tuple[int, int, int]]:
    """(reference, found, matched) per 30-second stretch; a found filler counts for its clip."""
    rows = []
    for index in range(len(LONG_ANSWER_STRETCHES)):
        reference = found_count = matched = 0
        for _file, start, end, clip_reference in answer.clips:
            if not index * STRETCH_S <= start < (index + 1) * STRETCH_S:
                continue
            in_clip = sum(
                start - JOIN_PAUSE_S / 2 <= item[1] < end + JOIN_PAUSE_S / 2 for item in found
            )
            reference += clip_reference
            found_count += in_clip
            matched += min(in_clip, clip_reference)
        rows.append((reference, found_count, matched))
    return rows


def textgrid_fillers(path: Path) -> list[tuple[str, float, float]]:
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


def time_errors(
    reference: list[tuple[str, float, float]], found: list[tuple[str, float, float]]
) -> list[float]:
    """For each reference filler, how far the nearest found filler's start is from its start."""
    return [
        min((abs(item[1] - ref[1]) for item in found), default=float("inf")) for ref in reference
    ]


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def _count_controls(results: list[ClipResult]) -> str:
    controls = [result for result in results if result.reference == 0]
    ours = sum(bool(result.ours or result.ours_other) for result in controls)
    plain = sum(bool(result.plain or result.plain_other) for result in controls)
    total = len(controls)
    return f"negative controls with any filler: ours {ours}/{total}, plain {plain}/{total}"


def _clip_table(
    folder: Path, settings: Settings, transcriber: Transcriber, chunking: ChunkingOptions
) -> list[ClipResult]:
    results = []
    ours_tuned = functools.partial(ours_fillers, chunking=chunking)
    seconds = {"ours": 0.0, "plain": 0.0}
    print(f"{'clip':<44} {'ref':>4} {'ours':>5} {'match':>5} {'plain':>5} {'match':>5}  notes")
    for row in development_set(folder):
        samples = load_audio(folder / row["file"]).samples
        found = {}
        for name, finder in (("ours", ours_tuned), ("plain", plain_fillers)):
            started = time.perf_counter()
            found[name] = split_fillers(finder(samples, settings, transcriber))
            seconds[name] += time.perf_counter() - started
        (ours, ours_other), (plain, plain_other) = found["ours"], found["plain"]
        result = ClipResult(
            row["file"], row["filled_pauses"], ours, len(plain), ours_other, plain_other
        )
        results.append(result)
        notes = ["negative control"] if is_negative_control(row) else []
        notes += [f"ours also: {', '.join(ours_other)}"] if ours_other else []
        notes += [f"plain also: {', '.join(plain_other)}"] if plain_other else []
        counts = (
            f"{result.reference:>4} {len(result.ours):>5} {result.ours_matched:>5} "
            f"{result.plain:>5} {result.plain_matched:>5}"
        )
        print(f"{Path(row['file']).name[:44]:<44} {counts}  {'; '.join(notes)}")
    print()
    for name in ("ours", "plain"):
        recall, precision = recall_precision(results, ours=name == "ours")
        figures = f"recall {recall:.2f}  precision {precision:.2f}"
        print(f"overall {name:<5}: {figures}  ({seconds[name]:.1f} s)")
    print(_count_controls(results))
    return results


def _stretch_table(
    folder: Path, settings: Settings, transcriber: Transcriber, chunking: ChunkingOptions
) -> None:
    answer = long_answer(folder)
    print(f"\nlong answer: {answer.samples.size / ANALYSIS_RATE:.1f} s of joined development clips")
    ours, _ = split_fillers(ours_fillers(answer.samples, settings, transcriber, chunking))
    plain, _ = split_fillers(plain_fillers(answer.samples, settings, transcriber))
    print(f"{'stretch':<12} {'ref':>4} {'ours':>5} {'recall':>6} {'plain':>5} {'recall':>6}")
    rows = zip(per_stretch(answer, ours), per_stretch(answer, plain), strict=True)
    for index, (ours_row, plain_row) in enumerate(rows):
        span = f"{index * STRETCH_S:.0f}-{(index + 1) * STRETCH_S:.0f} s"
        print(
            f"{span:<12} {ours_row[0]:>4} {ours_row[1]:>5} {_ratio(ours_row[2], ours_row[0]):>6} "
            f"{plain_row[1]:>5} {_ratio(plain_row[2], plain_row[0]):>6}"
        )


def tuning_from_args(argv: list[str] | None = None) -> Tuning:
    """The tuning options with the command line's `--set GROUP.FIELD=VALUE` applied in order."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="GROUP.FIELD=VALUE",
        help=f"override a tuning option; groups: {', '.join(GROUPS)}",
    )
    tuning = Tuning()
    for assignment in parser.parse_args(argv).set:
        try:
            tuning = with_override(tuning, assignment)
        except ValueError as exc:
            parser.error(str(exc))
    return tuning


def main() -> int:
    tuning = tuning_from_args()
    folder = speech_dir()
    if folder is None:
        print("../shared/speech is not here: nothing to measure", file=sys.stderr)
        return 1
    settings = load_settings()
    transcriber = Transcriber(settings.transcription, options=tuning.decode)
    results = _clip_table(folder, settings, transcriber, tuning.chunking)
    corpus = next(result for result in results if result.file == "mfa/acoustic_corpus.wav")
    errors = time_errors(textgrid_fillers(folder / "mfa" / "acoustic_corpus.TextGrid"), corpus.ours)
    print("acoustic_corpus: filler start vs TextGrid, s: " + ", ".join(f"{e:.2f}" for e in errors))
    _stretch_table(folder, settings, transcriber, tuning.chunking)
    return 0


if __name__ == "__main__":
    sys.exit(main())
