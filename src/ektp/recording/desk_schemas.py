"""Pydantic shapes of the device API: what a recording set sends and what it gets back.

No answer carries a template or an image: they go in, encrypted, and never come out here.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from ektp.recording import capture_rules as rules

_MODALITY_HELP = "One of: " + ", ".join(rules.MODALITIES) + "."


class StartRequest(BaseModel):
    """Start recording the ticket called to this set."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ticket_id": 17, "set_no": 1}]}
    )

    ticket_id: int = Field(gt=0)
    set_no: int = Field(ge=1, le=99)


class NextRequest(BaseModel):
    """Take the next resident at this set: the one already called to it, else the next waiting."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"site_code": "16.71.06", "set_no": 1}]}
    )

    site_code: str = Field(min_length=1, max_length=40)
    set_no: int = Field(ge=1, le=99)


class CaptureRequest(BaseModel):
    """One capture from the device SDK: modality, quality score, template, optional image.

    ``template_b64`` and ``image_b64`` are standard base64 (RFC 4648 with padding); the image
    is at most 2 MB decoded, the template at most 64 KiB. Send a fresh ``Idempotency-Key``
    header per capture and the same one when retrying it.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "modality": "r_thumb",
                    "quality": 72,
                    "template_b64": "Rk1SACAyMAAAAAEIAAABPAFiAMUAxQEAAAAoJ0CNAB2R",
                    "image_b64": None,
                }
            ]
        },
    )

    modality: str = Field(description=_MODALITY_HELP, max_length=16)
    quality: int = Field(description="Quality score 0-100 as the device SDK reports it.")
    template_b64: str = Field(description="The biometric template, base64.")
    image_b64: str | None = Field(default=None, description="The image (JPEG/PNG/WSQ), base64.")


class CaptureView(BaseModel):
    """A stored capture as the device sees it: never its template or image."""

    capture_id: int
    recording_id: int
    modality: str
    attempt: int = Field(description="1 for the first take, then each retake.")
    quality: int
    accepted: bool = Field(description="Whether the quality met the modality's threshold.")
    threshold: int
    retakes_left: int


class ExceptionRequest(BaseModel):
    """A modality the resident cannot give, and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"modality": "l_little", "reason": "jari kelingking kiri hilang"}]
        },
    )

    modality: str = Field(description=_MODALITY_HELP, max_length=16)
    reason: str = Field(min_length=1, max_length=rules.MAX_REASON_LENGTH)


class FailRequest(BaseModel):
    """Why the recording failed; the resident is re-invited."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "sidik jari tidak terbaca"}]}
    )

    reason: str = Field(min_length=1, max_length=rules.MAX_REASON_LENGTH)


class ModalityView(BaseModel):
    """Where one modality stands: pending, retake, accepted, exhausted or excepted."""

    modality: str
    status: str
    attempts: int
    best_quality: int | None
    threshold: int
    retakes_left: int
    exception: str | None


class ResidentBrief(BaseModel):
    """Who is being recorded: what the set prints on its screen and keys templates by."""

    nik: str
    nama: str


class RecordingView(BaseModel):
    """A recording's state, with each modality's progress and no biometric data."""

    id: int
    ticket_id: int
    number: int | None
    site_code: str
    tanggal: dt.date
    set_no: int
    status: str = Field(description="in_progress, completed or failed.")
    started_at: dt.datetime
    finished_at: dt.datetime | None
    failure_reason: str | None
    resident: ResidentBrief
    modalities: list[ModalityView]
    missing: list[str] = Field(description="Modalities neither accepted nor excepted.")


class DeskView(BaseModel):
    """The set's current resident: the called ticket and its recording, if any."""

    site_code: str
    set_no: int
    ticket_id: int | None
    number: int | None
    recording_id: int | None
    recording_status: str | None
