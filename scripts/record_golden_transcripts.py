"""Record what whisper, the VAD and the filler search make of every bundled sample on this
machine (`tests/golden/transcripts/`), the input `tests/test_golden.py` feeds the analysis.

Decoding differs slightly between CPUs, so the golden test starts after it: from these recorded
transcripts, everything above the speech recogniser (timing, fillers, rubric, the JSON) must give
exactly the golden reports. Rerun this only together with the golden reports, on one machine:

    .venv/bin/python scripts/record_golden_transcripts.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import sample_audio_files  # noqa: E402
from mock_interview.asr.chunking import transcribe_in_chunks  # noqa: E402
from mock_interview.asr.whisper import Transcriber  # noqa: E402
from mock_interview.audio.io import open_audio, to_float  # noqa: E402
from mock_interview.core.config import load_settings  # noqa: E402

RECORDED = REPO / "tests" / "golden" / "transcripts"


def main() -> int:
    settings = load_settings()
    transcriber = Transcriber(settings.transcription)
    for path in sample_audio_files():
        audio = open_audio(path)
        transcript = transcribe_in_chunks(
            map(to_float, audio.blocks()), transcriber, settings.fillers
        )
        recorded = {
            "source_rate": audio.source_rate,
            "samples": transcript.samples,
            "words": [vars(word) for word in transcript.words],
            "speech": [vars(span) for span in transcript.speech],
            "audio_fillers": [vars(filler) for filler in transcript.audio_fillers],
        }
        out = RECORDED / f"{path.stem}.json"
        out.write_text(json.dumps(recorded, indent=1) + "\n")
        print(out.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
