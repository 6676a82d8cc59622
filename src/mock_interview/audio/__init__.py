"""Audio in and out: decoding files (streamed), speech detection, recording, playback, speech."""
