"""The answer report: one JSON-shaped dict (schema 1) that every view renders.

`analyze_file` is `mock-interview analyze`. It transcribes the saved audio in the same chunks as
the live engine does while the answer is recorded, so both give the same words and figures.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from mock_interview.analysis.timing import align_words, answer_speech, measure_timing, verdict
from mock_interview.asr.chunking import ChunkedTranscript, transcribe_in_chunks
from mock_interview.asr.fillers import mark_fillers
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.io import ANALYSIS_RATE, open_audio, to_float
from mock_interview.core.config import Question, Settings
from mock_interview.core.values import Filler, Span, Word
from mock_interview.rubric import load_rubric, score_answer

SCHEMA_VERSION = 1


def analyze_file(
    path: Path, question: Question | None, settings: Settings, transcriber: Transcriber
) -> dict[str, Any]:
    """The report for an audio file, decoded and analysed window by window (bounded memory)."""
    audio = open_audio(path)
    transcript = transcribe_in_chunks(map(to_float, audio.blocks()), transcriber, settings.fillers)
    return report_from_chunks(transcript, audio.source_rate, path, question, settings)


def analyze_samples(
    samples: np.ndarray,
    source_rate: int,
    path: Path,
    question: Question | None,
    settings: Settings,
    transcriber: Transcriber,
) -> dict[str, Any]:
    """Transcribe the answer in the chunks the live engine cuts, so both give the same words.

    Transcript fillers move to the sound they name, and fillers whisper dropped are recovered by
    decoding them again alone (`place_fillers`, per chunk).
    """
    transcript = transcribe_in_chunks([samples], transcriber, settings.fillers)
    return report_from_chunks(transcript, source_rate, path, question, settings)


def report_from_chunks(
    transcript: ChunkedTranscript,
    source_rate: int,
    path: Path,
    question: Question | None,
    settings: Settings,
) -> dict[str, Any]:
    return build_report(
        transcript.samples / ANALYSIS_RATE,
        source_rate,
        path,
        question,
        settings,
        transcript.words,
        transcript.speech,
        transcript.audio_fillers,
    )


def build_report(
    duration_s: float,
    source_rate: int,
    path: Path,
    question: Question | None,
    settings: Settings,
    words: list[Word],
    speech: list[Span],
    audio_fillers: list[Filler],
) -> dict[str, Any]:
    """The report for `words` and the fillers heard only in the audio (`audio_fillers`).

    `speech` must already include the filled pauses, so a hummed "hmm" is not a silent pause.
    """
    aligned = align_words(words, speech)
    marked, transcript_fillers = mark_fillers(aligned, settings.fillers)
    fillers = sorted(transcript_fillers + audio_fillers, key=lambda filler: filler.start_s)
    marks = [Span(word.start_s, word.end_s) for word in marked]
    marks += [Span(filler.start_s, filler.end_s) for filler in audio_fillers]
    answer = answer_speech(speech, marks)
    timing = measure_timing(answer, duration_s, settings.analysis.pause_min_s)
    if question is not None:
        target = (float(question.target_min_s), float(question.target_max_s))
    else:
        target = (settings.analysis.default_target_min_s, settings.analysis.default_target_max_s)
    spoken_words = [word for word in marked if not word.filler]
    speaking_min = timing.speaking_s / 60
    answer_min = timing.answer_length_s / 60
    long_pause_s = settings.analysis.long_pause_s
    report: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "audio": {
            "path": str(path),
            "duration_s": round(duration_s, 3),
            "sample_rate": source_rate,
        },
        "question": None
        if question is None
        else {"id": question.id, "kind": question.kind, "text": question.text},
        "timing": {
            "response_latency_s": timing.response_latency_s,
            "answer_length_s": timing.answer_length_s,
            "target_min_s": target[0],
            "target_max_s": target[1],
            "verdict": verdict(timing.answer_length_s, *target),
            "words_per_minute": round(len(spoken_words) / speaking_min, 1) if speaking_min else 0.0,
            "pauses": [_span_json(pause) for pause in timing.pauses],
            "long_pause_count": sum(pause.duration_s >= long_pause_s for pause in timing.pauses),
            "speech_detected": bool(answer),
        },
        "transcript": {
            "text": " ".join(word.text for word in marked),
            "words": [
                {"text": w.text, "start_s": w.start_s, "end_s": w.end_s, "filler": w.filler}
                for w in marked
            ],
        },
        "fillers": {
            "count": len(fillers),
            "per_minute": round(len(fillers) / answer_min, 2) if answer_min else 0.0,
            "by_word": dict(Counter(filler.text for filler in fillers).most_common()),
            "items": [_filler_json(filler) for filler in fillers],
        },
    }
    report["rubric"] = score_answer(
        report["transcript"]["text"],
        question.kind if question else "general",
        {"timing": report["timing"], "fillers": report["fillers"]},
        load_rubric(settings=settings),
    )
    return report


def _span_json(span: Span) -> dict[str, float]:
    return {"start_s": span.start_s, "end_s": span.end_s, "duration_s": round(span.duration_s, 3)}


def _filler_json(filler: Filler) -> dict[str, Any]:
    return {
        "text": filler.text,
        "start_s": round(filler.start_s, 3),
        "end_s": round(filler.end_s, 3),
        "source": filler.source,
    }
