"""Generate a synthetic corpus of interview answers with filled pauses and exact time truth.

Why: to measure filler ("uh", "um") detection across many voices, we need audio whose filler
times are known, not guessed. Every clip here is built from eSpeak NG syntheses whose word and
phoneme events come from the same synthesis call as the samples, so each spoken token has a
start and end time measured on the audio itself. The fillers are said at natural speed inside
running text ("we cut the, um, backlog"), at a sentence start, right after a long silence and in
chains ("uh, um,"). Each voice also gets a fluent negative-control answer with near-filler words
("her", "a", "under", "umbrella"), long silences and breath/cough bursts, and clips are mixed as
clean, with room noise, or with a quiet second speaker.

Run:
    .venv/bin/python scripts/make_filler_corpus.py [--out DIR] [--voices V1,V2] [--quick]
        [--seed N] [--sentences FILE] [--verify] [--verify-only]

It writes 16 kHz mono FLAC clips and ``truth.jsonl`` (one JSON row per clip) to
``.cache/filler-corpus/`` by default. The corpus is regenerated, never committed: the same seed
gives the same truth and the same audio. ``--verify`` checks afterwards that every truth filler
holds real energy and that the inserted pauses are silent in the clean clips.

Truth: times come from eSpeak's own phoneme and word events (same call as the samples), then
each edge is moved onto the sound (5 ms frames); a filler's edges are where it is within 25 dB
of its loudest frame. eSpeak joins some unstressed words ("for the", "did not"), so such a
group is one `words` entry whose text holds both; a filler is always its own entry.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import hashlib
import itertools
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

SR = 16_000
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / ".cache" / "filler-corpus"
FILLERS = {"uh", "um"}
PUNCT = " ,.;:!?\"'"
FILLER_SPAN_DB = 25.0  # a filler is where it is within this many dB of its own loudest frame
# A clean pause must be this far below speech: the female variants (+f*) leave a breathy tail,
# about 25 dB down, for ~0.1 s after a phrase, so a pause is "near silent", not digital zero.
PAUSE_QUIET_DB = 35.0
DEFAULT_VOICES = [
    "en-us",
    "en-gb",
    "en-gb-x-rp",
    "en-gb-scotland",
    "en-029",
    "en-us-nyc",
    "en-us+f3",
    "en-gb+m3",
    "en+f2",
    "en-gb-x-rp+f4",
    "en-gb-x-gbclan+m7",
    "en-gb-x-gbcwmd+f5",
    "en-us+klatt4",
    "en-029+f1",
    "en-us-nyc+m2",
    "mb-us1",
    "mb-us2",
    "mb-us3",
    "mb-en1",
    "mb-de4-en",
    "mb-fr4-en",
    "mb-pl1-en",
]
# Voices for the second-speaker bleed: plain eSpeak variants, so they never depend on mbrola.
BLEED_VOICES = ["en-us+m3", "en-gb+f2", "en-029+m2", "en-gb-scotland+f4", "en-us-nyc+f1"]

# Interview sentences. "^" marks a mid-clause spot for a filler, "/" a spot where the sentence
# may stop for a long silence and resume. Markers not used in a clip are simply removed.
ACHIEVED = [
    "Last year my main goal was to ^ cut our support backlog / by half before the summer release.",
    "I set out to ^ move our nightly reports / from a spreadsheet into a proper dashboard.",
    "The first thing I did was ^ sit down with each customer / and list every complaint they had.",
    "We agreed on a target of ^ ninety percent uptime, / and we ended the quarter well above it.",
    "I organised a weekly review / where the whole team looked at the ^ open tickets together.",
    "By the end of March we had ^ shipped the new billing page / without a single rollback.",
    "My manager asked me to ^ train two new hires, / and both were working alone in a month.",
    "I wrote a short guide for the ^ deployment process / so nobody had to ask me every time.",
    "We replaced the old build server, / which cut our ^ waiting time from forty minutes to ten.",
    "The goal I am proudest of is ^ getting our test coverage / to a level the team could trust.",
    "I talked to the sales team every week / to make sure we were ^ building what people needed.",
    "We launched the mobile app two weeks early, / mostly because we ^ dropped the extra features.",
    "I volunteered to lead the ^ move to the new database / and we finished it over one weekend.",
    "Our response time to customers / went from two days to ^ about four hours.",
    "I set myself the goal of ^ presenting at the company meeting, / and I did it in front of "
    "two hundred people.",
    "We measured every step of the ^ checkout flow / and removed three screens that slowed "
    "people down.",
    "I built a small tool that ^ checks our invoices / and it caught mistakes worth thousands "
    "of dollars.",
    "The project was handed to me halfway through, / but I still ^ delivered it on the "
    "original date.",
    "I made a plan with clear weekly milestones / so everyone could see ^ where we stood.",
    "In the end we ^ hit every target we had set / for the first half of the year.",
    "I paired with the support lead for a month / and we ^ rewrote the most confusing help pages.",
    "What made it work was ^ talking to people early / instead of waiting for problems to grow.",
]
MISSED = [
    "The goal I missed was ^ learning enough Spanish / to run meetings with our team in Madrid.",
    "I wanted to ^ reduce our cloud costs by a third, / but we only managed about ten percent.",
    "Looking back, I ^ underestimated how long the security review / would take.",
    "We aimed to launch in the spring, / but the ^ payment provider changed their rules late.",
    "I took on too many projects at once / and the ^ documentation work slipped by two months.",
    "My goal was to ^ hire three engineers, / and by the deadline I had only found one.",
    "I did not ask for help early enough, / which is ^ the main thing I would change.",
    "The migration plan looked fine on paper, / but we had not ^ tested it with real data.",
    "We missed the release date by three weeks, / so I ^ wrote to every affected customer myself.",
    "What I learned is to ^ break big goals into smaller steps / that I can check every Friday.",
    "I tried to ^ automate the whole onboarding process, / but the legal team needed more time.",
    "Our target was a ^ rating of four and a half stars, / and we got stuck just below four.",
    "Since then I ^ keep a simple list of risks / and review it with my manager each week.",
    "I assumed the other team would ^ finish their part first, / and I should have checked sooner.",
    "The next time we ran a similar project, / we ^ delivered it on schedule.",
    "I was too optimistic about ^ how fast we could move / with such a small team.",
    "We lost a key engineer in the middle of the project / and I did not ^ adjust the plan "
    "quickly enough.",
    "Missing that goal taught me to ^ say no / to work that does not fit our priorities.",
]
# Fluent negative-control sentences: no filler, but words that sound close to one.
NEGATIVE = [
    "My manager gave her team a clear goal for the summer, / and we never lost sight of it.",
    "We were under a lot of pressure, / or at least it felt that way at the time.",
    "A number of clients were waiting for her report, / so I offered to help.",
    "Our product was the umbrella for three other tools, / and each one had a different owner.",
    "There are two things I would do again, / plan early and ask for feedback often.",
    "I never missed a weekly update, / even when the numbers were under target.",
    "Her team and mine shared a single budget, / which made every other decision harder.",
    "The summer launch was a success, / and the number of support calls went down by a third.",
    "Another goal was to bring the error rate under one percent, / and we are close to it now.",
    "We were asked to finish in a month or less, / and we did it with a week to spare.",
    "I learned that a good plan is never finished, / it is something you revisit every week.",
    "Under her leadership the team grew from four to eleven people, / and all of them are "
    "still here.",
]
BLEED = [
    "Could you move the budget meeting to three tomorrow?",
    "The printer on the second floor is out of paper again.",
    "I will send the updated slides to everyone after lunch.",
    "Please remember to lock the side door when you leave tonight.",
    "The delivery van is parked right outside the main entrance.",
    "We still need two more chairs for the training room.",
    "Has anyone seen the charger for the conference room laptop?",
    "The coffee machine in the kitchen has been fixed at last.",
]
# One cycle of filler placements per voice; "chain" holds two fillers, so over a cycle each
# placement type carries about a quarter of the fillers.
PLACEMENT_CYCLE = [
    *("sentence_start", "mid_clause", "after_pause", "chain"),
    *("sentence_start", "mid_clause", "after_pause"),
]
CONDITIONS = ["clean", "room_noise", "bleed"]


@dataclass(frozen=True)
class Sentences:
    """The sentence pools a corpus is spoken from, with the markers described above."""

    achieved: list[str]
    missed: list[str]
    negative: list[str]


BUILT_IN = Sentences(ACHIEVED, MISSED, NEGATIVE)


def load_sentences(path: Path) -> Sentences:
    """Pools from a JSON file with lists "achieved", "missed" and "negative": a sealed set is
    spoken from sentences written apart from these, so its words are new to every stage too."""
    data = json.loads(path.read_text())
    pools = Sentences(*(list(map(str, data[key])) for key in ("achieved", "missed", "negative")))
    if min(len(pools.achieved), len(pools.missed)) < 12 or len(pools.negative) < 4:
        raise ValueError(f"{path}: needs 12+ achieved, 12+ missed and 4+ negative sentences")
    return pools


# --------------------------------------------------------------------------------------------
# eSpeak NG through ctypes: samples and events from one synthesis call
# --------------------------------------------------------------------------------------------

EV_LIST_TERMINATED, EV_WORD, EV_END, EV_MSG_TERMINATED, EV_PHONEME = 0, 1, 5, 6, 7
AUDIO_OUTPUT_SYNCHRONOUS = 2
INIT_PHONEME_EVENTS, INIT_DONT_EXIT = 0x0001, 0x8000
POS_CHARACTER, CHARS_UTF8 = 1, 1
PARAM_RATE = 1


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass
class Word:
    """A spoken token with times in seconds; `raw_*` keep the eSpeak event times for diagnostics."""

    text: str
    start: float
    end: float
    raw_start: float = 0.0
    raw_end: float = 0.0


@dataclass
class Synth:
    """One synthesis at 16 kHz with its words, already trimmed to the first and last sound."""

    audio: np.ndarray
    words: list[Word]


class Espeak:
    """Synchronous libespeak-ng: collects samples and word/phoneme events in the same callback."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self.lib = ctypes.CDLL(name)
        rate = self.lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INIT_PHONEME_EVENTS | INIT_DONT_EXIT
        )
        if rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, int, bytes]] = []
        self._resolved: dict[str, str] = {}
        self._cb = _SynthCallback(self._on_audio)  # keep a reference: C holds the pointer
        self.lib.espeak_SetSynthCallback(self._cb)

    def _on_audio(self, wav: Any, n: int, events: Any) -> int:
        if wav and n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        i = 0
        while events[i].type != EV_LIST_TERMINATED:
            e = events[i]
            name = bytes(e.id.string).rstrip(b"\0") if e.type == EV_PHONEME else b""
            self._events.append((e.type, e.text_position, e.length, e.sample, name))
            i += 1
        return 0

    def set_voice(self, voice: str) -> bool:
        """Select a voice; False when eSpeak (or mbrola behind it) cannot load it. A language
        name such as "en-gb" (not a voice file name) is looked up as the CLI's -v does."""
        if voice not in self._resolved:
            base, plus, variant = voice.partition("+")
            self._resolved[voice] = voice
            if int(self.lib.espeak_SetVoiceByName(voice.encode())) != 0:
                ident = self._identifier_for_language(base)
                if ident:
                    self._resolved[voice] = ident + plus + variant
        return int(self.lib.espeak_SetVoiceByName(self._resolved[voice].encode())) == 0

    def _identifier_for_language(self, language: str) -> str | None:
        """The voice file whose language list names `language` with the best priority."""
        self.lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        voices = self.lib.espeak_ListVoices(None)
        best: tuple[int, str] | None = None
        i = 0
        while voices[i]:
            v = voices[i].contents
            raw = v.languages
            j = 0
            while raw is not None:
                prio = ctypes.c_ubyte.from_address(raw + j).value
                if prio == 0:
                    break
                lang = ctypes.string_at(raw + j + 1).decode()
                j += len(lang) + 2
                ident = (v.identifier or b"").decode()
                if lang == language and (best is None or prio < best[0]):
                    best = (prio, ident)
            i += 1
        return best[1] if best else None

    def synth(self, voice: str, text: str, wpm: int) -> Synth:
        """Synthesise `text`, resample to 16 kHz and time every word on the audio."""
        if not self.set_voice(voice):
            raise RuntimeError(f"voice {voice!r} not available")
        self.lib.espeak_SetParameter(PARAM_RATE, int(wpm), 0)
        self._chunks, self._events = [], []
        data = text.encode()
        status = self.lib.espeak_Synth(
            data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None
        )
        self.lib.espeak_Synchronize()
        if status != 0 or not self._chunks:
            raise RuntimeError(f"synthesis failed for {voice!r} (status {status})")
        sr_in = int(self.lib.espeak_ng_GetSampleRate())
        raw = np.concatenate(self._chunks).astype(np.float64) / 32768.0
        words = _words_from_events(self._events, text, sr_in, len(raw))
        audio = resample(raw, sr_in, SR)
        return _trim(audio, _refine(audio, words))


def _words_from_events(
    events: list[tuple[int, int, int, int, bytes]], text: str, sr_in: int, n_samples: int
) -> list[Word]:
    """Word spans from the event stream. A span runs from its first non-pause phoneme to the
    next pause phoneme ("_", "_:"...), word event or clause end. eSpeak joins some unstressed
    words to a neighbour ("for the", "did not") and then sends one word event, sometimes with
    a text position inside the previous word; so events are mapped to text tokens in order,
    and a span that covers several tokens becomes one entry whose text holds them all."""
    tokens = [(m.start(), m.group().strip(PUNCT)) for m in re.finditer(r"\S+", text)]
    spans: list[tuple[int, int, int]] = []  # (token index, start sample, end sample)
    current: list[int] | None = None  # [token index, start sample or -1]
    last_index = -1

    def close(at: int) -> None:
        nonlocal current
        if current is not None and current[1] >= 0 and at > current[1]:
            spans.append((current[0], current[1], at))
        current = None

    for etype, pos, length, sample, name in events:
        if etype == EV_WORD and length == 0:
            continue  # after the first call eSpeak sends an empty word event at clause starts
        if etype == EV_WORD:
            close(sample)
            index = max(i for i, (start, _) in enumerate(tokens) if start <= max(pos - 1, 0))
            index = min(max(index, last_index + 1), len(tokens) - 1)
            last_index = index
            current = [index, -1]
        elif etype == EV_PHONEME:
            if name.startswith(b"_"):
                if current is not None and current[1] >= 0:  # a word's own lead-in pause
                    close(sample)  # does not end it: only a pause after its sound does
            elif current is not None and current[1] < 0:
                current[1] = sample
            elif current is None and spans:
                # Sound after a pause with no new word event: a joined group with a pause
                # inside ("at once"), so the previous span goes on.
                index, start, _ = spans.pop()
                current = [index, start]
        elif etype in (EV_END, EV_MSG_TERMINATED):
            close(sample)
    close(n_samples)
    words = []
    for k, (index, start, end) in enumerate(spans):
        upto = spans[k + 1][0] if k + 1 < len(spans) else len(tokens)
        group = " ".join(t for _, t in tokens[index:upto] if t)
        words.append(Word(group, start / sr_in, end / sr_in))
    return [w for w in words if w.text]


def _frame_db(x: np.ndarray, hop: int) -> np.ndarray:
    """Frame RMS in dB (frames of `hop` samples), for energy-based trimming."""
    n = len(x) // hop
    if n == 0:
        return np.full(1, -120.0)
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-6))


def _refine(audio: np.ndarray, words: list[Word]) -> list[Word]:
    """Move each word's edges to where its sound starts and ends (5 ms frames, -40 dB re the
    synthesis level), so a stop closure or a decaying tail never counts as the word."""
    hop = SR // 200
    db = _frame_db(audio, hop)
    thr = float(np.percentile(db[db > -100], 95)) - 40.0 if np.any(db > -100) else -60.0
    out = []
    for w in words:
        a, b = int(w.start * SR) // hop, int(np.ceil(w.end * SR / hop))
        loud = np.nonzero(db[a:b] > thr)[0]
        if w.text.lower() in FILLERS and len(loud):
            # A filler is one vowel (plus "m"): a breathy tail 25 dB down is not the filler.
            seg = db[a:b]
            loud = np.nonzero(seg > max(thr, float(seg.max()) - FILLER_SPAN_DB))[0]
        start, end = (w.start, w.end)
        if len(loud):
            start = max(w.start, (a + loud[0]) * hop / SR)
            end = min(w.end, (a + loud[-1] + 1) * hop / SR)
        out.append(Word(w.text, start, end, w.start, w.end))
    return out


def _trim(audio: np.ndarray, words: list[Word]) -> Synth:
    """Cut the synthesis to its sound (frames within 50 dB of its level), never inside a word,
    and shift word times to match; sound before the first word event stays, so checks can see
    it."""
    if not words:
        return Synth(audio[:0], [])
    hop = SR // 200
    db = _frame_db(audio, hop)
    loud = np.nonzero(db > np.percentile(db[db > -100], 95) - 50)[0]
    a = min(round(words[0].start * SR), int(loud[0]) * hop)
    b = max(round(words[-1].end * SR), min(len(audio), (int(loud[-1]) + 1) * hop))
    off = a / SR
    shifted = [
        Word(w.text, w.start - off, w.end - off, w.raw_start - off, w.raw_end - off) for w in words
    ]
    return Synth(audio[a:b].copy(), shifted)


def resample(x: np.ndarray, sr_in: int, sr_out: int, half: int = 32) -> np.ndarray:
    """Windowed-sinc (Kaiser) resampling with zero delay: output sample n sits at input time
    n/sr_out, so event times stay valid. Polyphase table, numpy only, deterministic."""
    if sr_in == sr_out:
        return x.copy()
    ratio = Fraction(sr_in, sr_out)  # input samples per output sample, e.g. 441/320
    up, down = ratio.denominator, ratio.numerator
    n_out = round(len(x) * sr_out / sr_in)
    cutoff = 0.94 * min(1.0, sr_out / sr_in)
    offsets = np.arange(-half, half + 1)
    d = (np.arange(up) / up)[:, None] - offsets[None, :]  # phase x tap distance
    win = np.i0(8.0 * np.sqrt(np.clip(1 - (d / (half + 1)) ** 2, 0, None))) / np.i0(8.0)
    table = cutoff * np.sinc(cutoff * d) * win
    padded = np.concatenate([np.zeros(half), x, np.zeros(half + 2)])
    n = np.arange(n_out, dtype=np.int64)
    base, phase = (n * down) // up, (n * down) % up
    out = np.empty(n_out)
    step = 16384
    for s in range(0, n_out, step):
        sl = slice(s, s + step)
        idx = base[sl, None] + offsets[None, :] + half
        out[sl] = np.sum(padded[idx] * table[phase[sl]], axis=1)
    return out


# --------------------------------------------------------------------------------------------
# Clip plans
# --------------------------------------------------------------------------------------------


@dataclass
class Speech:
    """A piece of text synthesised in one call; `placements` name its fillers in order."""

    text: str
    placements: list[str] = field(default_factory=list)


@dataclass
class Silence:
    """Inserted silence; `event` puts a breath or cough burst inside it."""

    seconds: float
    event: str | None = None


Item = Speech | Silence


def _seed(*parts: object) -> int:
    """Stable seed from names (Python's hash() is salted per process)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _plain(sentence: str) -> str:
    return " ".join(sentence.replace("^", " ").replace("/", " ").split())


def _lower_first(text: str) -> str:
    return text if text.startswith("I ") else text[:1].lower() + text[1:]


def _filler(rng: np.random.Generator) -> str:
    return "uh" if rng.random() < 0.5 else "um"


def _chain(rng: np.random.Generator) -> list[str]:
    return ["uh", "um"] if rng.random() < 0.5 else ["um", "uh"]


def _sentence_items(
    sentence: str, placement: str | None, rng: np.random.Generator, opening: bool
) -> tuple[list[Item], float]:
    """Items for one sentence with at most one filler placement; returns the gap to put before
    the sentence (long for an after-pause filler between sentences, short otherwise)."""
    gap = float(rng.uniform(0.25, 0.45))
    before, _, after = sentence.partition("/")
    if placement == "sentence_start" or (placement == "chain" and rng.random() < 0.5):
        labels = [_filler(rng)] if placement == "sentence_start" else _chain(rng)
        prefix = ", ".join(labels).capitalize() + ", "
        return [Speech(prefix + _lower_first(_plain(sentence)), [placement] * len(labels))], gap
    if placement in ("mid_clause", "chain"):
        labels = [_filler(rng)] if placement == "mid_clause" else _chain(rng)
        text = _plain(sentence.replace(" ^ ", " ^, " + ", ".join(labels) + ", ", 1))
        text = text.replace(" ,", ",")
        return [Speech(text, [placement] * len(labels))], gap
    if placement == "after_pause":
        label = _filler(rng)
        pause = float(rng.uniform(0.6, 2.0))
        if not opening and rng.random() < 0.3:  # the long silence falls between sentences
            text = label.capitalize() + ", " + _lower_first(_plain(sentence))
            return [Speech(text, ["after_pause"])], pause
        first = _plain(before).rstrip(",") + ","
        second = label + ", " + _plain(after)
        return [Speech(first), Silence(pause), Speech(second, ["after_pause"])], gap
    if rng.random() < 0.3:  # a long silence with no filler after it
        first = _plain(before).rstrip(",") + ","
        return [Speech(first), Silence(float(rng.uniform(0.6, 1.5))), Speech(_plain(after))], gap
    return [Speech(_plain(sentence))], gap


def answer_plan(
    sentences: list[str], placements: list[str], rng: np.random.Generator
) -> list[Item]:
    """An answer: sentences in order, the placements spread over distinct sentences."""
    slots = sorted(rng.choice(len(sentences), size=len(placements), replace=False).tolist())
    chosen: dict[int, str] = dict(zip(slots, placements, strict=True))
    items: list[Item] = []
    for i, sentence in enumerate(sentences):
        sub, gap = _sentence_items(sentence, chosen.get(i), rng, opening=i == 0)
        if i:
            items.append(Silence(gap))
        items.extend(sub)
    return items


def negative_plan(sentences: list[str], rng: np.random.Generator) -> list[Item]:
    """A fluent answer with no filler: two sentences stop for 1-2 s, one with a breath and one
    with a cough inside the silence; a third long silence sits between sentences."""
    events = ["breath", "cough"]
    split = set(rng.choice(len(sentences), size=2, replace=False).tolist())
    long_gap = int(rng.integers(1, len(sentences)))
    items: list[Item] = []
    for i, sentence in enumerate(sentences):
        if i:
            seconds = rng.uniform(1.0, 1.6) if i == long_gap else rng.uniform(0.25, 0.45)
            items.append(Silence(float(seconds)))
        if i in split:
            before, _, after = sentence.partition("/")
            items.append(Speech(_plain(before).rstrip(",") + ","))
            items.append(Silence(float(rng.uniform(1.2, 2.0)), events.pop(0)))
            items.append(Speech(_plain(after)))
        else:
            items.append(Speech(_plain(sentence)))
    return items


# --------------------------------------------------------------------------------------------
# Signals: noise, breath, cough, mixing
# --------------------------------------------------------------------------------------------


def _shaped_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power falling as 1/f**exponent (1 pink, 2 brown), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    spec *= 1.0 / np.maximum(freqs, 20.0) ** (exponent / 2)
    spec[freqs < 20] = 0
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def _band_noise(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    """White noise kept between lo and hi Hz (soft edges), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    spec *= 1 / (1 + (lo / np.maximum(freqs, 1.0)) ** 4) / (1 + (freqs / hi) ** 4)
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def breath(rng: np.random.Generator, level: float) -> np.ndarray:
    """An inhale-like burst: 0.3-0.5 s of band noise with a slow rise and quicker fall."""
    n = int(rng.uniform(0.3, 0.5) * SR)
    t = np.linspace(0, 1, n)
    env = np.sin(np.pi * t**0.7) ** 2
    return level * _band_noise(rng, n, 500, 2500) * env


def cough(rng: np.random.Generator, level: float) -> np.ndarray:
    """A cough-like event: one or two sharp-attack broadband bursts."""
    parts = []
    for k in range(int(rng.integers(1, 3))):
        n = int(rng.uniform(0.12, 0.2) * SR)
        t = np.arange(n) / SR
        env = (1 - np.exp(-t / 0.004)) * np.exp(-t / rng.uniform(0.04, 0.07))
        parts.append(_band_noise(rng, n, 200, 4000) * env / env.max() * (1.0 if k == 0 else 0.7))
        parts.append(np.zeros(int(rng.uniform(0.06, 0.1) * SR)))
    return level * 2.5 * np.concatenate(parts[:-1])


def _active_rms(x: np.ndarray) -> float:
    """RMS over 10 ms frames within 40 dB of the loudest: the level of speech, not silence."""
    db = _frame_db(x, SR // 100)
    keep = db > db.max() - 40
    rms = 10 ** (db[keep] / 20)
    return float(np.sqrt(np.mean(rms**2)))


# --------------------------------------------------------------------------------------------
# Building clips
# --------------------------------------------------------------------------------------------


@dataclass
class ClipSpec:
    """What to build: the plan, the voice and rate, the condition and where to write it."""

    name: str
    voice: str
    wpm: int
    condition: str
    negative: bool
    items: list[Item]
    seed: int


def _r(x: float) -> float:
    return round(float(x), 3)


def build_clip(engine: Espeak, spec: ClipSpec, out_dir: Path) -> dict[str, Any]:
    """Render a clip and return its truth row; the audio goes to out_dir/spec.name."""
    rng = np.random.default_rng(spec.seed)
    lead = float(rng.uniform(0.3, 1.5))
    tail = float(rng.uniform(0.4, 0.8))
    pieces: list[np.ndarray] = [np.zeros(round(lead * SR))]
    cursor = len(pieces[0])
    words: list[dict[str, Any]] = []
    fillers: list[dict[str, Any]] = []
    event_slots: list[tuple[str, int, int]] = []
    texts: list[str] = []
    deltas: list[float] = []
    for item in spec.items:
        if isinstance(item, Silence):
            n = round(item.seconds * SR)
            if item.event:
                event_slots.append((item.event, cursor, cursor + n))
            pieces.append(np.zeros(n))
            cursor += n
            continue
        syn = engine.synth(spec.voice, item.text, spec.wpm)
        texts.append(item.text)
        off = cursor / SR
        placements = list(item.placements)
        for w in syn.words:
            row = {"text": w.text, "start_s": _r(off + w.start), "end_s": _r(off + w.end)}
            words.append(row)
            if w.text.lower() in FILLERS:
                place = placements.pop(0) if placements else "unplanned"
                fillers.append({"label": w.text.lower(), **row, "placement": place})
                fillers[-1].pop("text")
                deltas += [w.start - w.raw_start, w.raw_end - w.end]
        if placements:
            raise RuntimeError(f"{spec.voice}: filler lost in {item.text!r}")
        pieces.append(syn.audio)
        cursor += len(syn.audio)
    pieces.append(np.zeros(round(tail * SR)))
    main = np.concatenate(pieces)
    main *= 0.1 / _active_rms(main)  # speech at about -20 dBFS
    speech_level = 0.1

    noise_events = []
    for kind, a, b in event_slots:
        burst = (breath if kind == "breath" else cough)(
            rng, speech_level * 10 ** (rng.uniform(-24, -18 if kind == "breath" else -4) / 20)
        )
        room = (b - a) - len(burst)
        start = a + int(room * rng.uniform(0.3, 0.7))
        main[start : start + len(burst)] += burst
        noise_events.append(
            {"kind": kind, "start_s": _r(start / SR), "end_s": _r((start + len(burst)) / SR)}
        )

    mix = main.copy()
    extra: dict[str, Any] = {
        "bleed_text": None,
        "bleed_voice": None,
        "bleed_db": None,
        "snr_db": None,
        "noise_color": None,
    }
    if spec.condition == "room_noise":
        snr = float(rng.uniform(25, 35))
        color = "pink" if rng.random() < 0.5 else "brown"
        noise = _shaped_noise(rng, len(mix), 1.0 if color == "pink" else 2.0)
        mix += noise * speech_level * 10 ** (-snr / 20)
        extra.update(snr_db=round(snr, 1), noise_color=color)
    elif spec.condition == "bleed":
        choices = [v for v in BLEED_VOICES if v.split("+")[0] != spec.voice.split("+")[0]]
        bleed_voice = choices[int(rng.integers(len(choices)))]
        order = rng.permutation(len(BLEED))
        track = np.zeros(len(mix))
        pos = int(rng.uniform(0.0, 2.0) * SR)
        said = []
        for k in order:
            if pos >= len(track):
                break
            syn = engine.synth(bleed_voice, BLEED[k], int(rng.integers(140, 180)))
            seg = syn.audio[: len(track) - pos]
            track[pos : pos + len(seg)] += seg
            said.append(BLEED[k] if len(seg) == len(syn.audio) else BLEED[k] + " (cut off)")
            pos += len(seg) + int(rng.uniform(0.4, 1.2) * SR)
        mix += track * (speech_level * 10 ** (-25 / 20)) / _active_rms(track)
        extra.update(bleed_text=" ".join(said), bleed_voice=bleed_voice, bleed_db=-25.0)
    peak = float(np.max(np.abs(mix)))
    if peak > 0.95:
        mix *= 0.95 / peak
    path = out_dir / spec.name
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, mix.astype(np.float32), SR, subtype="PCM_16", format="FLAC")

    pauses = [
        {"start_s": a["end_s"], "end_s": b["start_s"]}
        for a, b in itertools.pairwise(words)
        if b["start_s"] - a["end_s"] >= 0.5
    ]
    return {
        "file": spec.name,
        "voice": spec.voice,
        "rate_wpm": spec.wpm,
        "condition": spec.condition,
        "negative": spec.negative,
        "text": " ".join(texts),
        "fillers": fillers,
        "words": words,
        "speech_onset_s": words[0]["start_s"] if words else None,
        "pauses": pauses,
        "noise_events": noise_events,
        **extra,
        "duration_s": _r(len(mix) / SR),
        "_deltas": deltas,
    }


def voice_specs(voice: str, seed: int, quick: bool, pools: Sentences = BUILT_IN) -> list[ClipSpec]:
    """The clips of one voice: answers with fillers plus a negative control, mixed conditions,
    rates spread over 130-190 wpm. Seeded by voice name so voices do not shift each other."""
    rng = np.random.default_rng(_seed(seed, voice))
    slug = voice.replace("+", "_")
    achieved = [pools.achieved[i] for i in rng.permutation(len(pools.achieved))]
    missed = [pools.missed[i] for i in rng.permutation(len(pools.missed))]
    cycle = [PLACEMENT_CYCLE[i] for i in rng.permutation(len(PLACEMENT_CYCLE))]
    if quick:
        items = answer_plan([achieved[0], missed[0]], ["chain", "after_pause"], rng)
        wpm = int(rng.integers(130, 191))
        return [
            ClipSpec(f"{slug}/quick.flac", voice, wpm, "clean", False, items, _seed(seed, voice, 0))
        ]
    n_answers = 3
    conditions = [*CONDITIONS, CONDITIONS[int(rng.integers(3))]]
    conditions = [conditions[i] for i in rng.permutation(4)]
    rates = [int(130 + 60 * (k + rng.random()) / 4) for k in range(4)]
    rates = [rates[i] for i in rng.permutation(4)]
    specs = []
    pos = 0
    for k in range(n_answers):
        n_ach = int(rng.integers(1, 4))
        sentences = achieved[k * 3 : k * 3 + n_ach] + missed[k * 3 : k * 3 + 4 - n_ach]
        n_events = int(rng.integers(3, 5))
        placements = [cycle[(pos + j) % len(cycle)] for j in range(n_events)]
        pos += n_events
        items = answer_plan(sentences, placements, rng)
        specs.append(
            ClipSpec(
                f"{slug}/answer-{k + 1}.flac",
                voice,
                rates[k],
                conditions[k],
                False,
                items,
                _seed(seed, voice, k),
            )
        )
    neg = [pools.negative[i] for i in rng.permutation(len(pools.negative))[:4]]
    specs.append(
        ClipSpec(
            f"{slug}/negative.flac",
            voice,
            rates[3],
            conditions[3],
            True,
            negative_plan(neg, rng),
            _seed(seed, voice, "negative"),
        )
    )
    return specs


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


def _rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(max(float(np.sqrt(np.mean(x**2))) if len(x) else 0.0, 1e-6)))


def _edge_errors(audio: np.ndarray, start: float, end: float) -> list[float]:
    """Truth edges minus the sound edges found in the written file: the first and last 5 ms
    frame within 25 dB of the filler's loudest, searched 0.1 s beyond the truth span (clean
    clips only, where every filler sits between pauses)."""
    hop = SR // 200
    a = max(0, int((start - 0.1) * SR) // hop)
    db = _frame_db(audio[a * hop : int((end + 0.1) * SR)], hop)
    loud = np.nonzero(db > db.max() - FILLER_SPAN_DB)[0]
    return [start - (a + loud[0]) * hop / SR, end - (a + loud[-1] + 1) * hop / SR]


def verify(out_dir: Path) -> bool:
    """Check the written audio against truth: each filler span is loud (>= 15 dB over the
    clip's noise floor, within 25 dB of its speech level, with sound in its first and last
    20 ms); in clean clips the 30 ms just outside each filler is 20 dB below it (every filler
    sits between pauses) and every pause is 35 dB below speech, breath and cough aside."""
    rows = [json.loads(line) for line in (out_dir / "truth.jsonl").read_text().splitlines()]
    n_fill = n_fill_ok = n_edge = n_edge_ok = n_pause = n_pause_ok = 0
    failures: list[str] = []
    durations: dict[str, list[float]] = {"uh": [], "um": []}
    edge_errors: list[float] = []
    for row in rows:
        audio, sr = sf.read(out_dir / row["file"], dtype="float64")
        assert sr == SR and audio.ndim == 1

        def seg(a: float, b: float, x: np.ndarray = audio) -> np.ndarray:
            return x[max(0, int(a * SR)) : max(0, int(b * SR))]

        speech = np.concatenate([seg(w["start_s"], w["end_s"]) for w in row["words"]])
        speech_db = _rms_db(speech)
        lead = seg(0.0, row["speech_onset_s"] - 0.05)
        floor_db = _rms_db(lead) if len(lead) > 0.1 * SR else -120.0
        if row["negative"] and row["fillers"]:
            failures.append(f"{row['file']}: negative clip has fillers")
        for f in row["fillers"]:
            n_fill += 1
            durations[f["label"]].append(f["end_s"] - f["start_s"])
            body = _rms_db(seg(f["start_s"], f["end_s"]))
            head = _rms_db(seg(f["start_s"], f["start_s"] + 0.02))
            tail = _rms_db(seg(f["end_s"] - 0.02, f["end_s"]))
            ok = body >= max(floor_db + 15, speech_db - 25) and min(head, tail) >= floor_db + 6
            n_fill_ok += ok
            if not ok:
                failures.append(
                    f"{row['file']} {f['label']}@{f['start_s']}: body {body:.0f} head {head:.0f} "
                    f"tail {tail:.0f} floor {floor_db:.0f} speech {speech_db:.0f} dB"
                )
            if row["condition"] == "clean":
                edge_errors += _edge_errors(audio, f["start_s"], f["end_s"])
                n_edge += 1
                before = _rms_db(seg(f["start_s"] - 0.035, f["start_s"] - 0.005))
                after = _rms_db(seg(f["end_s"] + 0.005, f["end_s"] + 0.035))
                edge_ok = max(before, after) <= body - 20
                n_edge_ok += edge_ok
                if not edge_ok:
                    failures.append(
                        f"{row['file']} {f['label']}@{f['start_s']}: sound just outside "
                        f"(before {before:.0f}, after {after:.0f}, speech {speech_db:.0f} dB)"
                    )
        if row["condition"] != "clean":
            continue
        for p in row["pauses"]:
            n_pause += 1
            mask = np.ones(round((p["end_s"] - p["start_s"]) * SR), dtype=bool)
            for e in row["noise_events"]:
                a = int((e["start_s"] - p["start_s"] - 0.01) * SR)
                b = int((e["end_s"] - p["start_s"] + 0.01) * SR)
                mask[max(0, a) : max(0, b)] = False
            quiet = seg(p["start_s"], p["end_s"])[: len(mask)]
            level = _rms_db(quiet[mask[: len(quiet)]])
            n_pause_ok += level <= speech_db - PAUSE_QUIET_DB
            if level > speech_db - PAUSE_QUIET_DB:
                failures.append(f"{row['file']} pause@{p['start_s']}: {level:.0f} dB")
    print(f"verify: fillers with energy {n_fill_ok}/{n_fill}")
    print(f"verify: clean fillers with silence just outside both edges {n_edge_ok}/{n_edge}")
    print(f"verify: clean pauses silent {n_pause_ok}/{n_pause}")
    if edge_errors:
        q = np.percentile(np.abs(edge_errors), [50, 90, 100])
        print(
            f"verify: clean filler edge vs sound edge in the file (s): median {q[0]:.3f} "
            f"p90 {q[1]:.3f} max {q[2]:.3f}"
        )
    for label, d in durations.items():
        if d:
            q = np.percentile(d, [0, 10, 50, 90, 100])
            print(
                f"verify: {label} duration s (n={len(d)}) min {q[0]:.3f} p10 {q[1]:.3f} "
                f"median {q[2]:.3f} p90 {q[3]:.3f} max {q[4]:.3f}"
            )
    for line in failures[:20]:
        print("  FAIL", line)
    return not failures


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--voices", help="comma-separated eSpeak NG voice names")
    ap.add_argument("--quick", action="store_true", help="one short clean clip per voice")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sentences", type=Path, help="JSON sentence pools instead of the built-in")
    ap.add_argument("--verify", action="store_true", help="check the corpus after writing it")
    ap.add_argument("--verify-only", action="store_true", help="check an existing corpus")
    args = ap.parse_args(argv)
    if args.verify_only:
        return 0 if verify(args.out) else 1

    t0 = time.monotonic()
    voices = args.voices.split(",") if args.voices else DEFAULT_VOICES
    try:
        sentences = load_sentences(args.sentences) if args.sentences else BUILT_IN
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"make_filler_corpus: {exc}", file=sys.stderr)
        return 2
    engine = Espeak()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    rows: list[dict[str, Any]] = []
    working: list[str] = []
    for voice in voices:
        try:
            engine.synth(voice, "Hello.", 160)
        except RuntimeError as exc:
            print(f"warning: skipping voice {voice!r}: {exc}", file=sys.stderr)
            continue
        working.append(voice)
        specs = voice_specs(voice, args.seed, args.quick, sentences)
        rows += [build_clip(engine, spec, args.out) for spec in specs]
    deltas = np.abs(np.concatenate([r.pop("_deltas") for r in rows] or [np.zeros(0)]))
    with (args.out / "truth.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")

    total = sum(r["duration_s"] for r in rows)
    print(f"wrote {len(rows)} clips, {total:.1f} s of audio, to {args.out}")
    print(f"voices ({len(working)}): {', '.join(working)}")
    for voice in working:
        mine = [r for r in rows if r["voice"] == voice]
        n = sum(len(r["fillers"]) for r in mine)
        secs = sum(r["duration_s"] for r in mine)
        print(f"  {voice:20s} clips {len(mine)}  {secs:6.1f} s  fillers {n}")
    if len(deltas):
        q = np.percentile(deltas, [50, 90, 100])
        print(
            f"filler edge moves from eSpeak event to sound (s): median {q[0]:.3f} "
            f"p90 {q[1]:.3f} max {q[2]:.3f}"
        )
    print(f"took {time.monotonic() - t0:.1f} s")
    if args.verify:
        return 0 if verify(args.out) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
