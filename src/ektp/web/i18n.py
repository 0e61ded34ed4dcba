"""Every visible label of the web pages in Bahasa Indonesia (first) and English (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ektp.web import (
    labels_batches,
    labels_handover,
    labels_monitoring,
    labels_pipeline,
    labels_planning,
    labels_planning_tools,
    labels_recording,
    labels_registry,
    labels_reports,
    labels_shipping,
)

LANGUAGES = ("id", "en")
LANGUAGE_COOKIE = "ektp_lang"

# key -> (Bahasa Indonesia, English), gathered from each area's label module.
MESSAGES: dict[str, tuple[str, str]] = {
    **labels_registry.LABELS,
    **labels_planning.LABELS,
    **labels_recording.LABELS,
    **labels_batches.LABELS,
    **labels_shipping.LABELS,
    **labels_handover.LABELS,
    **labels_pipeline.LABELS,
    **labels_monitoring.LABELS,
    **labels_planning_tools.LABELS,
    **labels_reports.LABELS,
}

_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def pick_language(*candidates: str | None, default: str = "id") -> str:
    """Return the first candidate that is a supported language code, else ``default``."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return default if default in LANGUAGES else LANGUAGES[0]


def translate(lang: str, key: str, **params: object) -> str:
    """Return the text of ``key`` in ``lang``; an unknown key shows as itself (easy to spot)."""
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts[LANGUAGES.index(lang)] if lang in LANGUAGES else texts[0]
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    """Return ``t(key, **params)`` bound to ``lang``, for templates."""

    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    return t


def format_number(lang: str, value: int) -> str:
    """Return ``value`` with thousands grouped: ``1.234.567`` (id) or ``1,234,567`` (en)."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "id" else grouped


def format_date(lang: str, value: dt.date) -> str:
    """Return a date the way readers of ``lang`` write it: ``17 Agustus 1945``."""
    month = _MONTHS["en" if lang == "en" else "id"][value.month - 1]
    return f"{value.day} {month} {value.year}"


def format_datetime(lang: str, value: dt.datetime) -> str:
    """Return a moment in UTC to the second, e.g. ``17 Agustus 1945 03:00:00 UTC``."""
    # SQLite returns stored UTC moments without a zone; PostgreSQL returns them aware.
    utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    return f"{format_date(lang, utc.date())} {utc:%H:%M:%S} UTC"


def format_day_month(lang: str, value: dt.date) -> str:
    """Return a short day and month for chart axes: ``3 Okt`` (id) or ``3 Oct`` (en)."""
    month = _MONTHS["en" if lang == "en" else "id"][value.month - 1]
    return f"{value.day} {month[:3]}"
