"""Audio in and out: decoding files, the energy VAD, recording, playback and speech synthesis."""
