"""Speech to words: whisper, 30-s chunking, the filler lexicon, fillers found in the audio."""
