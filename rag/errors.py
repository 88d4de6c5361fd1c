"""Errors a user can act on. Each message says what was expected, what was found, and what fixes it."""


class RagError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(RagError):
    """Bad input from the user: an empty question, a path that does not exist, an unknown mode."""


class StoreError(RagError):
    """The vector store is missing, empty, or was built with another embedding model."""


class ModelError(RagError):
    """A generator model is unknown, missing from disk, or failed to load."""
