"""Train the learned filler check (asr/filler_model.py) and write config/filler_model.npz.

It learns only from voices no evaluation holds out: the tuned-on speakers of
`scripts/eval_fillers.py` (`TUNE_SPEAKERS`: the MFA author's timed clip and negative controls,
the project's samples, the tuned-on synthetic voices) and a training corpus of twelve more eSpeak
NG voices (`TRAIN_VOICES`, built-in sentences, seed 11, made here when missing), whose voice
variants no held-out or sealed voice uses. Each clip is analysed as one chunk is in the app:
whisper with the verbatim prompt, the lexicon, the voiced runs and the placement of the
transcript's fillers; then every voiced run no filler took is a training example, a filler when
it overlaps a true one.

    .venv/bin/python scripts/train_filler_model.py              # train on all, write the file
    .venv/bin/python scripts/train_filler_model.py --validate   # leave one voice out, print
    .venv/bin/python scripts/train_filler_model.py --validate --l2 0.01,0.1

The runs' features are kept in `.cache/filler-train-features.npz` (`--refresh` measures again).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from eval_fillers import (
    CORPUS,
    REPO,
    TUNE_SPEAKERS,
    Clip,
    corpus_clips,
    real_clips,
    sample_clips,
    speech_dir,
)
from make_filler_corpus import main as make_corpus
from mock_interview.asr.acoustic_fillers import (
    DEFAULTS,
    place_fillers,
    unexplained_runs,
    voiced_runs,
)
from mock_interview.asr.filler_model import FEATURES, model_path, train_model
from mock_interview.asr.fillers import filled_pause_label, mark_fillers
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import load_audio
from mock_interview.core.config import load_settings
from mock_interview.core.values import Span

TRAIN_CORPUS = REPO / ".cache" / "filler-corpus-train"
# Variants of the two tuned-on accents that no held-out or sealed voice of eval_fillers uses.
TRAIN_VOICES = (
    *("en-us+Andy", "en-us+Annie", "en-us+Michael", "en-us+klatt2", "en-us+Linda", "en-us+Paul"),
    *("en-gb+Alicia", "en-gb+Edward", "en-gb+Steph", "en-gb+klatt3", "en-gb+John", "en-gb+Belinda"),
)
TRAIN_SEED = 11
FEATURE_CACHE = REPO / ".cache" / "filler-train-features.npz"
L2 = 0.003


@dataclass(frozen=True)
class Examples:
    features: np.ndarray
    is_filler: np.ndarray
    is_um: np.ndarray
    voice: np.ndarray
    # true fillers in the clips, and how many of them the transcript's placement already found
    truth_by_voice: dict[str, int]
    placed_by_voice: dict[str, int]


def training_clips() -> list[Clip]:
    """Clips of tuned-on voices whose fillers are timed, or that have none, and the training
    corpus; never a held-out speaker."""
    folder = speech_dir()
    real = real_clips(folder) if folder else []
    clips = [*real, *sample_clips(), *corpus_clips(CORPUS), *corpus_clips(TRAIN_CORPUS)]
    return [
        clip
        for clip in clips
        if (clip.times is not None or clip.count == 0)
        and (clip.speaker in TUNE_SPEAKERS or clip.path.is_relative_to(TRAIN_CORPUS))
    ]


def measure(clips: list[Clip]) -> Examples:
    settings = load_settings()
    transcriber = Transcriber(settings.transcription)
    rows, filler, um, voice = [], [], [], []
    truth_by_voice: dict[str, int] = {}
    placed_by_voice: dict[str, int] = {}
    for clip in clips:
        samples = load_audio(clip.path).samples
        marked, _ = mark_fillers(transcriber.transcribe(samples), settings.fillers)
        runs = voiced_runs(samples)
        placed, _ = place_fillers(samples, marked, transcriber, DEFAULTS, runs)
        claimed = [
            Span(word.start_s, word.end_s) for word in placed if filled_pause_label(word.text)
        ]
        chosen, features = unexplained_runs(runs, placed, claimed, DEFAULTS)
        truth = clip.times or []
        truth_by_voice[clip.speaker] = truth_by_voice.get(clip.speaker, 0) + len(truth)
        placed_by_voice[clip.speaker] = placed_by_voice.get(clip.speaker, 0) + sum(
            any(_overlaps(span.start_s, span.end_s, t[1], t[2]) for span in claimed) for t in truth
        )
        for run, row in zip(chosen, features, strict=True):
            hit = next((t for t in truth if _overlaps(run.start_s, run.end_s, t[1], t[2])), None)
            rows.append(row)
            filler.append(hit is not None)
            um.append(hit is not None and filled_pause_label(hit[0]) == "um")
            voice.append(clip.speaker)
        print(f"  {clip.name}: {len(chosen)} runs, {len(truth)} fillers", file=sys.stderr)
    return Examples(
        np.array(rows).reshape(len(rows), len(FEATURES)),
        np.array(filler),
        np.array(um),
        np.array(voice),
        truth_by_voice,
        placed_by_voice,
    )


def _overlaps(start_s: float, end_s: float, true_start: float, true_end: float) -> bool:
    """Most of the shorter of the two lies inside the other."""
    overlap = min(end_s, true_end) - max(start_s, true_start)
    return overlap >= 0.5 * min(end_s - start_s, true_end - true_start)


def load_examples(refresh: bool) -> Examples:
    if FEATURE_CACHE.is_file() and not refresh:
        with np.load(FEATURE_CACHE, allow_pickle=False) as saved:
            if saved["features"].shape[1] == len(FEATURES):
                counts = saved["counts"]
                names = [str(name) for name in saved["count_voices"]]
                return Examples(
                    saved["features"],
                    saved["is_filler"],
                    saved["is_um"],
                    saved["voice"],
                    dict(zip(names, (int(c) for c in counts[0]), strict=True)),
                    dict(zip(names, (int(c) for c in counts[1]), strict=True)),
                )
    examples = measure(training_clips())
    names = sorted(examples.truth_by_voice)
    FEATURE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        FEATURE_CACHE,
        features=examples.features,
        is_filler=examples.is_filler,
        is_um=examples.is_um,
        voice=examples.voice,
        count_voices=np.array(names),
        counts=np.array(
            [
                [examples.truth_by_voice[name] for name in names],
                [examples.placed_by_voice[name] for name in names],
            ]
        ),
    )
    return examples


def validate(examples: Examples, l2: float, thresholds: list[float]) -> None:
    """Leave one voice out: each voice's runs scored by a model trained on the others. Recall
    is of the fillers the transcript's placement left over; precision of what the model adds."""
    voices = sorted(set(examples.voice.tolist()))
    probability = np.zeros(len(examples.voice))
    for voice in voices:
        left_out = examples.voice == voice
        model = train_model(
            examples.features[~left_out],
            examples.is_filler[~left_out],
            examples.is_um[~left_out],
            (),
            l2,
        )
        if left_out.any():
            probability[left_out] = model.probabilities(examples.features[left_out])
    truth = sum(examples.truth_by_voice.values())
    placed = sum(examples.placed_by_voice.values())
    print(f"l2={l2}: {truth} true fillers, {placed} already placed from the transcript")
    for threshold in thresholds:
        added = probability >= threshold
        hits = int((added & examples.is_filler).sum())
        worst = min(
            (
                (placed_share(examples, voice, added), voice)
                for voice in voices
                if examples.truth_by_voice.get(voice, 0)
            ),
            default=(1.0, "-"),
        )
        print(
            f"  >= {threshold:.2f}: adds {int(added.sum())} ({hits} true), "
            f"recall {(placed + hits) / max(truth, 1):.2f} (from {placed / max(truth, 1):.2f}), "
            f"precision of the added {hits / max(int(added.sum()), 1):.2f}, "
            f"invented {int((added & ~examples.is_filler).sum())}, "
            f"worst voice {worst[1]} {worst[0]:.2f}"
        )


def placed_share(examples: Examples, voice: str, added: np.ndarray) -> float:
    mine = examples.voice == voice
    hits = int((added & examples.is_filler & mine).sum())
    return (examples.placed_by_voice[voice] + hits) / examples.truth_by_voice[voice]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate", action="store_true", help="leave one voice out, print")
    parser.add_argument("--l2", default=str(L2), help="regularisation (comma list to sweep)")
    parser.add_argument("--refresh", action="store_true", help="measure the runs again")
    args = parser.parse_args(argv)
    if not corpus_clips(TRAIN_CORPUS):
        voices = ",".join(TRAIN_VOICES)
        seed = str(TRAIN_SEED)
        make_corpus(["--out", str(TRAIN_CORPUS), "--seed", seed, "--voices", voices])
    examples = load_examples(args.refresh)
    if args.validate:
        for l2 in (float(value) for value in args.l2.split(",")):
            validate(examples, l2, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        return 0
    learned_from = tuple(sorted(set(examples.voice.tolist())))
    model = train_model(
        examples.features, examples.is_filler, examples.is_um, learned_from, float(args.l2)
    )
    model.save(model_path())
    print(f"wrote {model_path()}: {len(examples.voice)} runs from {len(learned_from)} voices")
    return 0


if __name__ == "__main__":
    sys.exit(main())
