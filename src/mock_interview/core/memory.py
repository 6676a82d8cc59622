"""Freed audio goes back to the system, so a long recording peaks like a short one.

The analysis allocates and frees arrays of a few MB per chunk (its audio, its pitch track) on two
threads. glibc's malloc raises its mmap threshold after the first such array is freed, so later
ones come from the heap, where each thread's arena keeps them after they are freed: over 40
minutes of audio the peak grew 40-66 MB for nothing (measured with
`tests/hostile/test_long_audio.py`; 19 MB with the threshold held). Holding the threshold makes
every array over 128 KB its own mapping, returned when freed.
"""

from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_TRIM_THRESHOLD_BYTES = 1 << 20  # free memory above this at the heap's top is given back


def return_freed_memory() -> None:
    """Hold glibc's thresholds (which stops their growth); nothing to do on other systems.

    The C library is already loaded in the process: `CDLL(None)` finds `mallopt` there, where
    `ctypes.util.find_library` would run `ldconfig` at every start."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
