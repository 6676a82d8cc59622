"""The practice session: the engine that asks, records and analyses, and crash recovery."""
