"""Labels of the batches pages: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {}
