"""What is kept: the SQLite database of sessions and answers, and the export archive."""
