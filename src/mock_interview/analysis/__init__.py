"""Measuring an answer: timing from the signal, words from whisper, fillers from both."""
