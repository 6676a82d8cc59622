"""Settings, paths, errors and the small value types (spans, words, fillers) every layer shares."""
