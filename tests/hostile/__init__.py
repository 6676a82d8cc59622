"""Hostile-input tests; a package, so pytest puts tests/ on sys.path and its helpers import."""
