"""Scoring the pipeline on a question set: `rag eval`."""
