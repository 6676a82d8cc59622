"""The practice room: a Textual app over the live engine, the analysis core and the store.

Nothing here measures or decides anything the core owns; screens render reports and store rows,
and every blocking call (model load, recording, transcription, playback) runs in a thread worker.
"""
