"""What a perekaman captures and when it is complete (pure): modalities, quality thresholds,
bounded retakes, exceptions.

A recording holds fourteen modalities: the photo, the signature, ten fingerprints and two
irises. Each capture carries the device's quality score (0-100, higher is better; the scale
of NFIQ 2 for fingerprints, mapped by the device SDK for the others). A capture at or above
its modality's threshold is accepted; below it the operator retakes, at most ``MAX_ATTEMPTS``
times in all. A modality that the resident cannot give (missing fingers, a blind eye, no
hand to sign) is excepted with a reason instead. The recording is complete when every
modality is accepted or excepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PHOTO = "photo"
SIGNATURE = "signature"
FINGERS = (
    "r_thumb",
    "r_index",
    "r_middle",
    "r_ring",
    "r_little",
    "l_thumb",
    "l_index",
    "l_middle",
    "l_ring",
    "l_little",
)
IRISES = ("r_iris", "l_iris")
MODALITIES = (PHOTO, SIGNATURE, *FINGERS, *IRISES)
"""Every modality, in the order the desk captures them."""

QUALITY_MIN = 0
QUALITY_MAX = 100
THRESHOLDS: Mapping[str, int] = {
    PHOTO: 50,
    SIGNATURE: 40,
    **{finger: 40 for finger in FINGERS},
    **{iris: 60 for iris in IRISES},
}
"""The lowest quality accepted per modality."""

MAX_ATTEMPTS = 4
"""Captures per modality: the first take and at most three retakes."""
MAX_RETAKES = MAX_ATTEMPTS - 1

MAX_IMAGE_BYTES = 2 * 1024 * 1024
"""An image larger than this (decoded) is refused: a 600 dpi JPEG face photo is far smaller."""
MAX_TEMPLATE_BYTES = 64 * 1024
"""ISO/IEC 19794 templates are a few kilobytes; more is not a template."""
MAX_REASON_LENGTH = 200
NOT_EXCEPTABLE = frozenset({PHOTO})
"""A card needs a face: a recording without a photo fails instead."""

PENDING = "pending"
ACCEPTED = "accepted"
RETAKE = "retake"
EXHAUSTED = "exhausted"
EXCEPTED = "excepted"


class CaptureRuleError(ValueError):
    """Raised when a capture or exception breaks a rule; the message says which, plainly.

    ``conflict`` is true when the payload is well formed but the recording's state refuses
    it (the modality is already accepted, its retakes are used up): HTTP 409, not 422.
    """

    def __init__(self, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


@dataclass(frozen=True)
class Attempt:
    """One stored capture attempt, without its biometric data."""

    modality: str
    attempt: int
    quality: int
    accepted: bool


@dataclass(frozen=True)
class ModalityProgress:
    """Where one modality stands: its status, attempts so far, best quality, the reason of
    an exception.
    """

    modality: str
    status: str
    attempts: int
    best_quality: int | None
    threshold: int
    retakes_left: int
    exception: str | None

    @property
    def done(self) -> bool:
        """Return whether the modality no longer holds up completion."""
        return self.status in (ACCEPTED, EXCEPTED)


def check_modality(modality: str) -> str:
    """Return ``modality`` when it is one of MODALITIES, else raise CaptureRuleError."""
    if modality not in THRESHOLDS:
        raise CaptureRuleError(
            f"unknown modality {modality!r}; modalities: {', '.join(MODALITIES)}"
        )
    return modality


def check_quality(quality: int) -> int:
    """Return ``quality`` when it lies in 0-100, else raise CaptureRuleError."""
    if isinstance(quality, bool) or not isinstance(quality, int):
        raise CaptureRuleError(
            f"quality must be a whole number from {QUALITY_MIN} to {QUALITY_MAX}"
        )
    if not QUALITY_MIN <= quality <= QUALITY_MAX:
        raise CaptureRuleError(f"quality {quality} is outside {QUALITY_MIN}-{QUALITY_MAX}")
    return quality


def check_sizes(*, template_bytes: int, image_bytes: int | None) -> None:
    """Raise CaptureRuleError for an empty or oversized template or an oversized image."""
    if template_bytes <= 0:
        raise CaptureRuleError("the template is empty")
    if template_bytes > MAX_TEMPLATE_BYTES:
        raise CaptureRuleError(
            f"the template has {template_bytes} bytes; at most {MAX_TEMPLATE_BYTES} are accepted"
        )
    if image_bytes is not None and image_bytes == 0:
        raise CaptureRuleError("the image is empty; leave it out instead")
    if image_bytes is not None and image_bytes > MAX_IMAGE_BYTES:
        raise CaptureRuleError(
            f"the image has {image_bytes} bytes; at most {MAX_IMAGE_BYTES} (2 MB) are accepted"
        )


def is_accepted(modality: str, quality: int) -> bool:
    """Return whether a capture of ``quality`` meets ``modality``'s threshold."""
    return quality >= THRESHOLDS[check_modality(modality)]


def progress_of(
    modality: str, attempts: Iterable[Attempt], exception: str | None = None
) -> ModalityProgress:
    """Return where ``modality`` stands after ``attempts`` (any modality's; others ignored)."""
    own = [attempt for attempt in attempts if attempt.modality == modality]
    count = len(own)
    best = max((attempt.quality for attempt in own), default=None)
    if exception is not None:
        status = EXCEPTED
    elif any(attempt.accepted for attempt in own):
        status = ACCEPTED
    elif count == 0:
        status = PENDING
    elif count >= MAX_ATTEMPTS:
        status = EXHAUSTED
    else:
        status = RETAKE
    return ModalityProgress(
        modality=modality,
        status=status,
        attempts=count,
        best_quality=best,
        threshold=THRESHOLDS[modality],
        retakes_left=max(MAX_ATTEMPTS - max(count, 1), 0) if status != ACCEPTED else 0,
        exception=exception,
    )


def progress(attempts: Iterable[Attempt], exceptions: Mapping[str, str]) -> list[ModalityProgress]:
    """Return every modality's progress, in capture order."""
    stored = list(attempts)
    return [progress_of(modality, stored, exceptions.get(modality)) for modality in MODALITIES]


def missing(attempts: Iterable[Attempt], exceptions: Mapping[str, str]) -> list[str]:
    """Return the modalities neither accepted nor excepted, in capture order."""
    return [item.modality for item in progress(attempts, exceptions) if not item.done]


def next_attempt(modality: str, attempts: Iterable[Attempt], exceptions: Mapping[str, str]) -> int:
    """Return the number (from 1) of the next capture of ``modality``.

    Raises CaptureRuleError (a conflict) when the modality is already accepted or excepted,
    or when its retakes are used up.
    """
    state = progress_of(check_modality(modality), attempts, exceptions.get(modality))
    if state.status == ACCEPTED:
        raise CaptureRuleError(f"{modality} is already accepted", conflict=True)
    if state.status == EXCEPTED:
        raise CaptureRuleError(
            f"{modality} is excepted ({state.exception}); it takes no captures", conflict=True
        )
    if state.status == EXHAUSTED:
        raise CaptureRuleError(
            f"{modality} has had {MAX_ATTEMPTS} captures, none good enough; note an exception "
            "or fail the recording",
            conflict=True,
        )
    return state.attempts + 1


def check_exception(
    modality: str, reason: str, attempts: Iterable[Attempt], exceptions: Mapping[str, str]
) -> str:
    """Return the cleaned reason for excepting ``modality``.

    Raises CaptureRuleError for an unknown modality, one that cannot be excepted (the
    photo), an empty or overlong reason, or a modality already accepted.
    """
    check_modality(modality)
    if modality in NOT_EXCEPTABLE:
        raise CaptureRuleError(
            f"{modality} cannot be excepted: a card needs it; fail the recording instead"
        )
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise CaptureRuleError("give the reason of the exception (e.g. 'jari hilang')")
    if len(cleaned) > MAX_REASON_LENGTH:
        raise CaptureRuleError(f"the reason is longer than {MAX_REASON_LENGTH} characters")
    state = progress_of(modality, attempts, exceptions.get(modality))
    if state.status == ACCEPTED:
        raise CaptureRuleError(
            f"{modality} is already accepted; it needs no exception", conflict=True
        )
    return cleaned


def check_complete(attempts: Iterable[Attempt], exceptions: Mapping[str, str]) -> None:
    """Raise CaptureRuleError (a conflict) naming the modalities that still hold up completion."""
    left = missing(attempts, exceptions)
    if left:
        raise CaptureRuleError(
            f"the recording is not complete: {', '.join(left)} neither accepted nor excepted",
            conflict=True,
        )


def check_failure_reason(reason: str) -> str:
    """Return the cleaned reason of a failed recording, or raise CaptureRuleError."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise CaptureRuleError("give the reason the recording failed")
    if len(cleaned) > MAX_REASON_LENGTH:
        raise CaptureRuleError(f"the reason is longer than {MAX_REASON_LENGTH} characters")
    return cleaned
