"""Reading a capture upload safely: a size cap while reading, plain messages that never echo
the payload (FastAPI's own 422 answer repeats its input: for biometric data it must not),
base64 checks, and the OpenAPI description of the body with examples.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from fastapi import HTTPException, Request
from pydantic import ValidationError

from ektp.recording import capture_rules as rules
from ektp.recording.desk_schemas import CaptureRequest

MAX_CAPTURE_BODY = (
    4 * math.ceil(rules.MAX_IMAGE_BYTES / 3)
    + 4 * math.ceil(rules.MAX_TEMPLATE_BYTES / 3)
    + 16 * 1024
)
"""The largest body read: a full image and template in base64, and room for the JSON around."""
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,80}$")


def check_idempotency_key(key: str | None) -> str | None:
    """Return ``key`` when it is usable (1-80 printable ASCII, no spaces), else raise 422."""
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise HTTPException(
            status_code=422, detail="Idempotency-Key must be 1 to 80 printable ASCII characters"
        )
    return key


async def capture_body(request: Request) -> CaptureRequest:
    """Return the capture payload, read with a size cap and checked without echoing it.

    FastAPI's own 422 answer repeats the input; for a payload of biometric data it must not.
    """
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise HTTPException(status_code=415, detail="send the capture as application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_CAPTURE_BODY:
        raise HTTPException(status_code=413, detail=too_large())
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CAPTURE_BODY:
            raise HTTPException(status_code=413, detail=too_large())
    try:
        data = json.loads(body)
    except ValueError:
        raise HTTPException(status_code=400, detail="the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(status_code=422, detail="the body must be a JSON object")
    try:
        return CaptureRequest.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)
        )
        raise HTTPException(status_code=422, detail=problems) from None


def too_large() -> str:
    return (
        f"the capture is too large: an image holds at most {rules.MAX_IMAGE_BYTES} bytes "
        f"(2 MB) and a template {rules.MAX_TEMPLATE_BYTES}, before base64"
    )


def decode_base64(text: str, field: str, max_bytes: int) -> bytes:
    """Return the bytes of base64 ``text``; 413 when they exceed ``max_bytes``, 422 when it is
    not base64.
    """
    if len(text) > 4 * math.ceil(max_bytes / 3):
        raise HTTPException(status_code=413, detail=too_large())
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise HTTPException(
            status_code=422, detail=f"{field} is not valid base64 (RFC 4648, with padding)"
        ) from None
    if len(raw) > max_bytes:
        raise HTTPException(
            status_code=413,
            detail=f"{field} holds {len(raw)} bytes; at most {max_bytes} are accepted"
            + (" (2 MB)" if max_bytes == rules.MAX_IMAGE_BYTES else ""),
        )
    return raw


CAPTURE_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": CaptureRequest.model_json_schema(),
                "examples": {
                    "fingerprint": {
                        "summary": "A right thumb, good enough",
                        "value": {
                            "modality": "r_thumb",
                            "quality": 72,
                            "template_b64": "Rk1SACAyMAAAAAEIAAABPAFiAMUAxQEAAAAoJ0CNAB2R",
                        },
                    },
                    "photo": {
                        "summary": "The face photo with its JPEG",
                        "value": {
                            "modality": "photo",
                            "quality": 81,
                            "template_b64": "RkFDADAxMAAAAAGQ",
                            "image_b64": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgH",
                        },
                    },
                },
            }
        },
    }
}
