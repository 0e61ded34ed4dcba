"""Why a residents use case refused: each error's message says why in plain words."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file cannot be imported at all (missing, unreadable, empty, no usable header)."""


class GenerateError(ValueError):
    """Raised when a city cannot be generated as asked; the message says why and what to do."""
