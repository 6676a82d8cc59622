"""Hostile-input tests reuse the helpers in tests/ (audio_files, crafted_reports, ...)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent.parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
