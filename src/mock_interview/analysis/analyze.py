"""One answer's analysis (`AnswerAnalysis`, the typed model every view renders) from its audio.

`analyze_file` is `mock-interview analyze`. It transcribes the saved audio in the same chunks as
the live engine does while the answer is recorded, so both give the same words and figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np

from mock_interview.analysis.answer import (
    AnswerAnalysis,
    AnswerTiming,
    AudioInfo,
    Delivery,
    FillerSummary,
    QuestionInfo,
    RubricResult,
    Transcript,
)
from mock_interview.analysis.coaching import coach
from mock_interview.analysis.delivery import measure_delivery
from mock_interview.analysis.opening import classify_opening
from mock_interview.analysis.structure import measure_structure
from mock_interview.analysis.timing import align_words, answer_speech, measure_timing, verdict
from mock_interview.asr.chunking import DEFAULTS as CHUNKING_DEFAULTS
from mock_interview.asr.chunking import ChunkedTranscript, ChunkingOptions, transcribe_in_chunks
from mock_interview.asr.fillers import mark_fillers
from mock_interview.asr.whisper import Transcriber
from mock_interview.audio.contour import VoiceContour
from mock_interview.audio.io import ANALYSIS_RATE, open_audio, to_float
from mock_interview.core.config import ProbingQuestion, Question, Settings
from mock_interview.core.stages import stage
from mock_interview.core.values import Filler, Span, Word
from mock_interview.rubric import DeliveryFacts, load_rubric, score_answer
from mock_interview.rubric.judging import read_answer
from mock_interview.rubric.parts import sentence_parts
from mock_interview.rubric.sentences import SENTENCE_END


def analyze_file(
    path: Path,
    question: Question | None,
    settings: Settings,
    transcriber: Transcriber,
    chunking: ChunkingOptions = CHUNKING_DEFAULTS,
) -> AnswerAnalysis:
    """The analysis of an audio file, decoded and analysed window by window (bounded memory);
    `chunking` is for the evaluations that sweep its options."""
    audio = open_audio(path)
    blocks = map(to_float, audio.blocks())
    transcript = transcribe_in_chunks(blocks, transcriber, settings.fillers, chunking)
    return analysis_from_chunks(transcript, audio.source_rate, path, question, settings)


def analyze_samples(
    samples: np.ndarray,
    source_rate: int,
    path: Path,
    question: Question | None,
    settings: Settings,
    transcriber: Transcriber,
    chunking: ChunkingOptions = CHUNKING_DEFAULTS,
) -> AnswerAnalysis:
    """Transcribe the answer in the chunks the live engine cuts, so both give the same words.

    Transcript fillers move to the sound they name (`place_fillers`, per chunk).
    """
    transcript = transcribe_in_chunks([samples], transcriber, settings.fillers, chunking)
    return analysis_from_chunks(transcript, source_rate, path, question, settings)


def analysis_from_chunks(
    transcript: ChunkedTranscript,
    source_rate: int,
    path: Path,
    question: Question | None,
    settings: Settings,
    question_ended_before_s: float | None = None,
) -> AnswerAnalysis:
    return build_analysis(
        transcript.samples / ANALYSIS_RATE,
        source_rate,
        path,
        question,
        settings,
        transcript.words,
        transcript.speech,
        transcript.audio_fillers,
        question_ended_before_s,
        transcript.contour if transcript.contour.times_s.size else None,
    )


def build_analysis(
    duration_s: float,
    source_rate: int,
    path: Path,
    question: Question | None,
    settings: Settings,
    words: list[Word],
    speech: list[Span],
    audio_fillers: list[Filler],
    question_ended_before_s: float | None = None,
    contour: VoiceContour | None = None,
) -> AnswerAnalysis:
    """The analysis of `words` and the fillers heard only in the audio (`audio_fillers`), and,
    given the voice's `contour`, of its delivery (None: a transcript without its audio).

    `question_ended_before_s`: how long before the recording began the spoken question ended,
    when the recording began as it ended; the latency then counts from the question's end.
    None (a file, a silent question, a manual start): it counts from the recording's start.

    `speech` must already include the filled pauses, so a hummed "hmm" is not a silent pause.
    Figures are rounded here as the JSON rounds them, so an analysis renders and scores the same
    before and after it is stored.
    """
    aligned = align_words(words, speech)
    marked, transcript_fillers = mark_fillers(aligned, settings.fillers)
    fillers = sorted(transcript_fillers + audio_fillers, key=lambda filler: filler.start_s)
    marks = [Span(word.start_s, word.end_s) for word in marked]
    marks += [Span(filler.start_s, filler.end_s) for filler in audio_fillers]
    answer = answer_speech(speech, marks)
    measured = measure_timing(answer, duration_s, settings.analysis.pause_min_s)
    if question is not None:
        target = (float(question.target_min_s), float(question.target_max_s))
    else:
        target = (settings.analysis.default_target_min_s, settings.analysis.default_target_max_s)
    spoken_words = [word for word in marked if not word.filler]
    speaking_min = measured.speaking_s / 60
    answer_min = measured.answer_length_s / 60
    long_pause_s = settings.analysis.long_pause_s
    offset_s = round(question_ended_before_s or 0.0, 3)
    timing = AnswerTiming(
        response_latency_s=round(measured.response_latency_s + offset_s, 3),
        answer_length_s=measured.answer_length_s,
        target_min_s=target[0],
        target_max_s=target[1],
        verdict=verdict(measured.answer_length_s, *target),
        words_per_minute=round(len(spoken_words) / speaking_min, 1) if speaking_min else 0.0,
        pauses=tuple(measured.pauses),
        long_pause_count=sum(pause.duration_s >= long_pause_s for pause in measured.pauses),
        speech_detected=bool(answer),
        latency_from="recording_start" if question_ended_before_s is None else "question_end",
        recording_started_after_s=offset_s,
        opening=classify_opening(marked, audio_fillers, settings.analysis.thinking_phrases),
    )
    filler_summary = FillerSummary(
        count=len(fillers),
        per_minute=round(len(fillers) / answer_min, 2) if answer_min else 0.0,
        by_word=tuple(Counter(filler.text for filler in fillers).most_common()),
        items=tuple(
            Filler(filler.text, round(filler.start_s, 3), round(filler.end_s, 3), filler.source)
            for filler in fillers
        ),
    )
    transcript = Transcript(text=" ".join(word.text for word in marked), words=tuple(marked))
    delivery = delivery_facts(timing, filler_summary)
    kind = question.kind if question else "general"
    sentences = _pause_sentences(marked, answer, settings.analysis.sentence_pause_s)
    rubric_text = _rubric_text(sentences)
    rules = load_rubric(settings=settings)
    with stage("rubric"):
        reading = read_answer(rubric_text, rules)  # the timeline reads the same matches
        probed = question.probes if isinstance(question, ProbingQuestion) else None
        scored = score_answer(rubric_text, kind, delivery, rules, reading, probed)
        rubric = RubricResult.from_json(scored)
    with stage("structure"):
        structure = measure_structure(
            marked,
            sentence_parts(reading, kind),
            Span(answer[0].start_s, answer[-1].end_s) if answer else None,
            kind,
            settings.structure,
        )
        if isinstance(question, ProbingQuestion):  # a reply tells no whole story: no shape flags
            structure = replace(structure, flags=())
    voice = (
        None
        if contour is None
        else _delivery(contour, sentences, answer, timing, filler_summary, settings)
    )
    return AnswerAnalysis(
        audio=AudioInfo(path=str(path), duration_s=round(duration_s, 3), sample_rate=source_rate),
        question=None
        if question is None
        else QuestionInfo(id=question.id, kind=question.kind, text=question.text),
        timing=timing,
        transcript=transcript,
        fillers=filler_summary,
        rubric=rubric,
        structure=structure,
        delivery=voice,
        coaching=coach(
            timing,
            transcript,
            filler_summary,
            rubric,
            rules,
            settings.analysis.long_pause_s,
            voice,
        ),
    )


def delivery_facts(timing: AnswerTiming, fillers: FillerSummary) -> DeliveryFacts:
    """What the rubric's delivery flags judge, taken from the answer's timing and fillers."""
    return DeliveryFacts(
        verdict=timing.verdict,
        answer_length_s=timing.answer_length_s,
        target_min_s=timing.target_min_s,
        target_max_s=timing.target_max_s,
        response_latency_s=timing.response_latency_s,
        fillers_per_minute=fillers.per_minute,
        filler_counts=fillers.by_word,
        signposted=timing.opening is not None and timing.opening.kind == "thinking_phrase",
        latency_from_question=timing.latency_from == "question_end",
    )


def _delivery(
    contour: VoiceContour,
    sentences: list[tuple[list[Word], bool]],
    answer: list[Span],
    timing: AnswerTiming,
    fillers: FillerSummary,
    settings: Settings,
) -> Delivery:
    """The delivery of the spoken words (fillers left out), sentence by sentence."""
    spoken = [[word for word in words if not word.filler] for words, _ in sentences]
    with stage("delivery"):
        return measure_delivery(
            contour,
            [word for words in spoken for word in words],
            answer,
            [words for words in spoken if words],
            [Span(filler.start_s, filler.end_s) for filler in fillers.items],
            timing.words_per_minute,
            settings.delivery,
        )


def _rubric_text(sentences: list[tuple[list[Word], bool]]) -> str:
    """The words as text, with a line break (a sentence end to the rubric) where a pause ended a
    sentence without a full stop."""
    return "".join(
        ("\n" if paused else " ") * bool(index) + " ".join(word.text for word in words)
        for index, (words, paused) in enumerate(sentences)
    )


def _pause_sentences(
    words: list[Word], speech: list[Span], sentence_pause_s: float
) -> list[tuple[list[Word], bool]]:
    """The words in sentences, each with whether a pause (not a full stop) ended the one before:
    a sentence ends at a full stop, and at every silence of `sentence_pause_s` or more that has
    no full stop before it (the rubric reads that as a line break). Silences come from the speech
    stretches, not word times, which whisper stretches across pauses."""
    silences = [
        (before.end_s + after.start_s) / 2
        for before, after in pairwise(speech)
        if after.start_s - before.end_s >= sentence_pause_s
    ]
    sentences: list[tuple[list[Word], bool]] = []
    for index, word in enumerate(words):
        previous = words[index - 1] if index else None
        if previous is None:
            sentences.append(([word], False))
        elif any(previous.start_s < middle <= word.start_s for middle in silences):
            sentences.append(([word], not SENTENCE_END.search(previous.text)))
        elif SENTENCE_END.search(previous.text):
            sentences.append(([word], False))
        else:
            sentences[-1][0].append(word)
    return sentences
