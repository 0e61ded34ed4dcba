"""JSON routes of accounts: log in and out with the same session cookie as the pages."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ektp.auth import service as auth_service
from ektp.auth.schemas import LoginRequest, UserView
from ektp.web.deps import CurrentUser, DbSession, client_address, log_in, log_out

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=UserView,
    responses={401: {"description": "Wrong credentials"}, 423: {"description": "Locked"}},
)
def login(body: LoginRequest, request: Request, session: DbSession) -> Response:
    """Return the user and set the session cookie when the credentials are right."""
    result = auth_service.authenticate(
        session=session,
        username=body.username,
        password=body.password,
        now=dt.datetime.now(dt.UTC),
    )
    if result.user is None:
        auth_service.record_audit(
            session=session,
            username=body.username.strip().lower()[:60],
            action="auth.login_failed",
            subject=None,
            detail="locked" if result.locked else None,
            client=client_address(request),
        )
        # Returned, not raised, so that the failure count is committed.
        if result.locked_until is not None:
            return JSONResponse(
                {"detail": "account locked", "locked_until": result.locked_until.isoformat()},
                status_code=423,
            )
        return JSONResponse({"detail": "wrong username or password"}, status_code=401)
    log_in(request, result.user)
    auth_service.record_audit(
        session=session,
        username=result.user.username,
        action="auth.login",
        subject=None,
        detail="api",
        client=client_address(request),
    )
    return JSONResponse(UserView.model_validate(result.user).model_dump())


@router.post("/logout", status_code=204)
def logout(request: Request) -> Response:
    """End the session."""
    log_out(request)
    return Response(status_code=204)


@router.get("/me", response_model=UserView)
def me(user: CurrentUser) -> UserView:
    """Return the logged-in user."""
    return UserView.model_validate(user)
