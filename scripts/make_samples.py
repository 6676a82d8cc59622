"""Synthesise the sample answers in `audio_samples/` with eSpeak NG, each with its exact truth.

Every answer is built from short clips (a sentence, a sentence fragment or a filler each) joined by
silences whose lengths we choose, so the JSON sidecar's timings come from the construction, not
from a measurement that could share the analyser's mistakes. Each clip is trimmed to its first and
last audible sample, and eSpeak's own comma pauses are checked to stay well below the 1 s pause
threshold, so every gap of 1 s or more is one we put there. A low pink-noise floor and a faint
mains hum lie over the whole track, as a real microphone would give: silence is never digital zero.

Run `make samples` (or `python scripts/make_samples.py [--only NAME] [--out DIR]`); needs espeak-ng.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from faster_whisper.audio import decode_audio

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "audio_samples"
PAUSE_MIN_S = 1.0  # gaps at least this long are listed as pauses (the analyser's default)
LONG_PAUSE_S = 3.0  # and counted as long pauses from this length
SPEECH_GAP_S = (0.2, 0.6)  # ordinary gap between two sentences
FILLER_GAP_S = (0.15, 0.35)  # gap on either side of a filler
FILLER_RATE_WPM = 110  # fillers are spoken slowly so they are sustained, vowel-like sounds
AUDIBLE = 0.003  # a raw eSpeak sample above this amplitude is sound, not silence
MAX_INNER_GAP_S = 0.7  # eSpeak's own comma/sentence pauses must stay well below PAUSE_MIN_S
HUM_HZ = 50.0
PINK_FROM_HZ = 100.0


@dataclass(frozen=True)
class Filler:
    """A filled pause, synthesised as its own clip so its time is known exactly."""

    word: str


@dataclass(frozen=True)
class Pause:
    """A silence of chosen length between two clips (replaces the ordinary gap)."""

    seconds: float


Piece = str | Filler | Pause


@dataclass(frozen=True)
class Sample:
    name: str
    question_id: str
    pieces: tuple[Piece, ...]
    voice: str  # an espeak-ng voice, e.g. "en-us" or "en+f3"
    rate_wpm: int
    leading_silence_s: float
    trailing_silence_s: float
    seed: int
    sample_rate: int = 16000
    channels: int = 1
    file_format: str = "FLAC"  # soundfile format name; also gives the file extension
    subtype: str = "PCM_16"
    peak_dbfs: float = -3.0
    noise_dbfs: float = -58.0


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str  # "speech" or "filler"
    start: int  # sample index
    end: int


ACHIEVED_STRONG: tuple[Piece, ...] = (
    "Two years ago I was a support engineer at a mid-sized software company, "
    "and our team was drowning in repeat tickets.",
    "About forty percent of everything we handled was the same twenty questions "
    "about billing and logins.",
    "So I set myself a goal for the year: cut our repeat tickets in half by December, "
    "without adding anyone to the team.",
    "Nobody had asked me to do it, so I also had to win the time for it.",
    "First, I spent two weeks tagging every ticket by its cause, "
    "so I knew exactly which problems cost us the most hours.",
    "Then I wrote a proposal for my manager that showed the cost in hours per month, "
    "and I asked for one day a week to work on it.",
    "Once she agreed, I rewrote the twelve worst help articles myself, "
    "and I tested each one with three customers before publishing it.",
    "I also built a small script that suggested the right article "
    "while an agent was typing a reply.",
    "When the billing team pushed back on changing their pages, I sat down with their lead, "
    "walked through the numbers, and offered to draft the changes for them.",
    "Every Friday I posted a one-line update with the repeat ticket count, "
    "so the whole team could see the progress.",
    Pause(1.6),
    "By December, repeat tickets had dropped from about nine hundred a month to three hundred "
    "and eighty, a fall of fifty-eight percent.",
    "Our average first reply time went from six hours to under two, "
    "and customer satisfaction rose from eighty-one to ninety-two percent.",
    "The script is still in use, and two other teams have copied the approach.",
    Pause(1.3),
    "What I learned is that a goal becomes real when you measure it early "
    "and make the progress visible to everyone.",
    "I also learned to bring people the numbers first and my opinion second.",
    "It is one of the projects I am proudest of, "
    "and it is still how I approach any big goal today.",
)

MISSED_WEAK: tuple[Piece, ...] = (
    Filler("um"),
    "So, that would be last year, I guess.",
    Filler("uh"),
    "I wanted to get promoted to senior engineer.",
    Pause(3.6),
    "It didn't really happen, but that wasn't really on me.",
    Filler("um"),
    "My manager changed halfway through the year, "
    "and the new one didn't really know what I was doing.",
    "And the team was",
    Filler("uh"),
    "always changing the priorities on us.",
    Pause(4.2),
    Filler("um"),
    "Honestly, it wasn't a big deal.",
    "Promotions are pretty random anyway.",
    "Everyone else on the team was in the same boat.",
    Filler("uh"),
    "I did most of what I was supposed to do.",
    Pause(1.8),
    "The reviews were late, and nobody in human resources told us the criteria.",
    "And I was helping another team a lot that year, which nobody counted.",
    Pause(3.4),
    Filler("um"),
    "So, yeah, it just didn't work out.",
    "I'll probably get it this year, or",
    Filler("um"),
    "maybe somewhere else.",
    Pause(5.0),
    Filler("uh"),
    "I don't know.",
    "That's about it.",
)

MISSED_STRONG_STORY: tuple[Piece, ...] = (
    "Last year I set a goal to launch offline mode for our mobile app "
    "by the end of June, and I did not make it.",
    "I was leading a team of four engineers, and offline support was the feature "
    "our field customers asked for most.",
    "I committed to the June date, and I gave that date to our biggest customer myself.",
    "I broke the work into six milestones, and we hit the first three on time.",
    "Then,",
    Filler("um"),
    "I made a mistake.",
    "I underestimated how hard it would be to merge changes made on two devices at once, "
    "and I kept telling myself we would catch up instead of raising it.",
    "Looking back, the warning signs were there in April, "
    "when the third milestone took twice as long as we had planned.",
    "By the time I flagged the risk in May, we were already five weeks behind.",
    Pause(1.5),
    "We shipped in the middle of August, seven weeks late, "
    "and about twenty percent of our pilot users hit sync conflicts in the first month.",
    "That cost us a difficult renewal meeting with the customer I had given the date to.",
    "The delay was mine.",
    "The estimate was mine, and so was the decision to wait before telling anyone.",
    "I called the customer myself, explained what had gone wrong, "
    "and sent them a written update every week until the fix was out.",
)

MISSED_STRONG_LESSON: tuple[Piece, ...] = (
    "What I learned is",
    Filler("uh"),
    "to treat an estimate as a guess until the hardest part has been built.",
    "Now I build the riskiest piece first, as a small prototype, before I commit to any date.",
    "I also give a confidence level with every estimate, and I raise a risk in the same week "
    "I see it, not when it has become a crisis.",
    "On the next project, a payments feature, we worked that way.",
    "We found the hard problem in week two, moved the date once, early, "
    "and then delivered on the new date.",
    "That customer renewed, and",
    Filler("um"),
    "they are now one of our references.",
    "So I missed that goal, but it changed the way I plan, and I am a better lead because of it.",
)

ACHIEVED_SHORT: tuple[Piece, ...] = (
    "Last year I set a goal to read twelve books on management, one a month.",
    Filler("um"),
    "I kept a list on my phone and read for twenty minutes every morning.",
    Pause(1.5),
    "I finished the twelfth book in December, and I use three of the ideas with my team today.",
)

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="goal_achieved_strong",
        question_id="goal-achieved",
        pieces=ACHIEVED_STRONG,
        voice="en-us",
        rate_wpm=138,
        leading_silence_s=1.8,
        trailing_silence_s=1.5,
        seed=1,
    ),
    Sample(
        name="goal_missed_weak",
        question_id="goal-missed",
        pieces=MISSED_WEAK,
        voice="en+m3",
        rate_wpm=125,
        leading_silence_s=6.0,
        trailing_silence_s=2.0,
        seed=2,
        peak_dbfs=-9.0,
        noise_dbfs=-56.0,
    ),
    # Written at 22.05 kHz stereo so the loader's resampling and mixdown are exercised.
    Sample(
        name="goal_missed_strong",
        question_id="goal-missed",
        pieces=(*MISSED_STRONG_STORY, Pause(1.4), *MISSED_STRONG_LESSON),
        voice="en-gb",
        rate_wpm=128,
        leading_silence_s=2.5,
        trailing_silence_s=1.5,
        seed=3,
        sample_rate=22050,
        channels=2,
        noise_dbfs=-60.0,
    ),
    # An answer far below the target length, as MP3, to exercise the "short" verdict and the format.
    Sample(
        name="goal_achieved_short",
        question_id="goal-achieved",
        pieces=ACHIEVED_SHORT,
        voice="en+f3",
        rate_wpm=160,
        leading_silence_s=1.2,
        trailing_silence_s=1.0,
        seed=4,
        file_format="MP3",
        subtype="MPEG_LAYER_III",
    ),
    # About three minutes for the live-practice benchmark, as OGG Vorbis to keep the folder small.
    Sample(
        name="bench_live_answer",
        question_id="goal-achieved",
        pieces=(*ACHIEVED_STRONG, Pause(2.2), *MISSED_STRONG_STORY),
        voice="en-us+f2",
        rate_wpm=175,
        leading_silence_s=2.0,
        trailing_silence_s=1.5,
        seed=5,
        file_format="OGG",
        subtype="VORBIS",
    ),
)


def synthesise(text: str, voice: str, rate_wpm: int, sample_rate: int) -> np.ndarray:
    """One eSpeak NG clip, trimmed to its first and last audible sample."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate_wpm), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    audio = decode_audio(io.BytesIO(wav), sampling_rate=sample_rate)
    audible = np.flatnonzero(np.abs(audio) > AUDIBLE)
    if audible.size == 0:
        raise SystemExit(f"make_samples: eSpeak NG produced no sound for {text!r}")
    clip = audio[audible[0] : audible[-1] + 1]
    inner_gap = longest_quiet_run_s(clip, sample_rate)
    if inner_gap > MAX_INNER_GAP_S:
        raise SystemExit(
            f"make_samples: eSpeak NG paused {inner_gap:.2f} s inside {text!r}; split the sentence"
        )
    return clip


def longest_quiet_run_s(clip: np.ndarray, sample_rate: int) -> float:
    """The longest stretch of 10 ms frames with no audible sample."""
    frame = sample_rate // 100
    frames = len(clip) // frame
    quiet = np.abs(clip[: frames * frame]).reshape(frames, frame).max(axis=1) <= AUDIBLE
    longest = run = 0
    for is_quiet in quiet:
        run = run + 1 if is_quiet else 0
        longest = max(longest, run)
    return longest * frame / sample_rate


def assemble(sample: Sample) -> tuple[np.ndarray, list[Segment]]:
    """The clean speech track and where each clip sits in it."""
    rng = np.random.default_rng(sample.seed)
    rate = sample.sample_rate
    parts = [np.zeros(round(sample.leading_silence_s * rate), dtype=np.float32)]
    segments: list[Segment] = []
    cursor = len(parts[0])
    chosen_gap: float | None = None
    previous_kind: str | None = None
    for piece in sample.pieces:
        if isinstance(piece, Pause):
            chosen_gap = piece.seconds
            continue
        kind = "filler" if isinstance(piece, Filler) else "speech"
        if previous_kind is not None:
            gap_range = FILLER_GAP_S if "filler" in (kind, previous_kind) else SPEECH_GAP_S
            gap_s = chosen_gap if chosen_gap is not None else float(rng.uniform(*gap_range))
            gap = np.zeros(round(gap_s * rate), dtype=np.float32)
            parts.append(gap)
            cursor += len(gap)
        if isinstance(piece, Filler):
            text, clip = piece.word, synthesise(piece.word, sample.voice, FILLER_RATE_WPM, rate)
        else:
            text, clip = piece, synthesise(piece, sample.voice, sample.rate_wpm, rate)
        parts.append(clip)
        segments.append(Segment(text, kind, cursor, cursor + len(clip)))
        cursor += len(clip)
        chosen_gap, previous_kind = None, kind
    parts.append(np.zeros(round(sample.trailing_silence_s * rate), dtype=np.float32))
    speech = np.concatenate(parts)
    speech *= 10 ** (sample.peak_dbfs / 20) / np.abs(speech).max()
    return speech, segments


def room_noise(length: int, rate: int, level_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    """Pink noise at `level_dbfs` RMS and a mains hum 8 dB below it: a quiet room and microphone."""
    spectrum = np.fft.rfft(rng.standard_normal(length))
    freqs = np.fft.rfftfreq(length, 1 / rate)
    # 1/f above PINK_FROM_HZ and flat below it, so no slow drift dominates; nothing below 20 Hz.
    spectrum /= np.sqrt(np.maximum(freqs, PINK_FROM_HZ))
    spectrum[freqs < 20] = 0
    pink = np.fft.irfft(spectrum, length)
    pink *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(pink**2))
    t = np.arange(length) / rate
    hum_amplitude = 10 ** ((level_dbfs - 8) / 20) * np.sqrt(2)
    hum = hum_amplitude * (
        np.sin(2 * np.pi * HUM_HZ * t) + 0.5 * np.sin(2 * np.pi * 3 * HUM_HZ * t)
    )
    return (pink + hum).astype(np.float32)


def truth(sample: Sample, segments: list[Segment], length: int) -> dict[str, object]:
    """The sidecar: every figure comes from where the clips were placed."""
    rate = sample.sample_rate

    def seconds(index: int) -> float:
        return round(index / rate, 4)

    pauses = [
        {"start_s": seconds(before.end), "end_s": seconds(after.start)}
        for before, after in itertools.pairwise(segments)
        if (after.start - before.end) / rate >= PAUSE_MIN_S
    ]
    fillers = [
        {"text": s.text, "start_s": seconds(s.start), "end_s": seconds(s.end)}
        for s in segments
        if s.kind == "filler"
    ]
    text = " ".join(s.text for s in segments)
    first, last = segments[0].start, segments[-1].end
    return {
        "question_id": sample.question_id,
        "text": text,
        "duration_s": seconds(length),
        "sample_rate": rate,
        "channels": sample.channels,
        "format": sample.file_format,
        "leading_silence_s": seconds(first),
        "speech_end_s": seconds(last),
        "answer_length_s": seconds(last - first),
        "pauses": pauses,
        "long_pause_count": sum(1 for p in pauses if p["end_s"] - p["start_s"] >= LONG_PAUSE_S),
        "fillers": fillers,
        "filler_count": len(fillers),
        "words": len(text.split()),
        "words_without_fillers": len(text.split()) - len(fillers),
        "segments": [
            {"text": s.text, "kind": s.kind, "start_s": seconds(s.start), "end_s": seconds(s.end)}
            for s in segments
        ],
        "voice": f"espeak-ng {sample.voice} at {sample.rate_wpm} wpm",
        "noise_floor_dbfs": sample.noise_dbfs,
    }


def make(sample: Sample, out_dir: Path) -> Path:
    speech, segments = assemble(sample)
    rng = np.random.default_rng(sample.seed + 1000)
    noise = room_noise(len(speech), sample.sample_rate, sample.noise_dbfs, rng)
    mono = speech + noise
    # Both channels carry the same signal: a second, different channel would double the file size.
    audio = np.stack([mono, mono], axis=1) if sample.channels == 2 else mono
    path = out_dir / f"{sample.name}.{sample.file_format.lower()}"
    # Written block by block: libsndfile 1.2 crashes on one long Vorbis write.
    with sf.SoundFile(
        path,
        "w",
        sample.sample_rate,
        sample.channels,
        sample.subtype,
        format=sample.file_format,
        compression_level=1.0 if sample.file_format == "FLAC" else None,
    ) as out:
        for start in range(0, len(audio), sample.sample_rate):
            out.write(audio[start : start + sample.sample_rate])
    sidecar = truth(sample, segments, len(speech))
    (out_dir / f"{sample.name}.json").write_text(json.dumps(sidecar, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[s.name for s in SAMPLES], action="append")
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR)
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("make_samples: espeak-ng is not installed (sudo apt-get install espeak-ng)")
    args.out.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES:
        if args.only and sample.name not in args.only:
            continue
        path = make(sample, args.out)
        info = sf.info(path)
        print(f"{path.name}: {info.duration:.2f} s, {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
