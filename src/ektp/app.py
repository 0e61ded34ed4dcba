"""The web application: JSON API under /api/v1, server-rendered pages, static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.web.ratelimit import SlidingWindowLimiter

API_PREFIX = "/api/v1"
SESSION_COOKIE = "ektp_session"
# One working day: an office PC left logged in overnight asks for the password again.
SESSION_MAX_AGE = 10 * 3600


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """Return the application wired to ``settings`` (or to an existing ``runtime``)."""
    from ektp.auth.api import router as auth_api
    from ektp.regions.api import router as regions_api
    from ektp.residents.api import router as residents_api
    from ektp.scheduling.api import router as schedule_api
    from ektp.scheduling.turns_api import router as turns_api
    from ektp.web import auth_pages, pages, plan_pages, resident_pages
    from ektp.web.render import STATIC_DIR, make_templates

    owned = runtime is None
    app_runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            app_runtime.dispose()

    app = FastAPI(
        title="ektp",
        summary="Run a city's e-KTP campaign.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
    )
    app.state.runtime = app_runtime
    app.state.templates = make_templates()
    # Public endpoints keyed by NIK: 10 attempts per client address per 10 minutes.
    app.state.public_limiter = SlidingWindowLimiter(limit=10, window_seconds=600)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    from ektp.web.write_gate import WRITERS, RequestGate

    # SQLite has one writer: more than one writing request inside would only wait for it.
    app.add_middleware(RequestGate, writers=1 if app_runtime.single_writer else WRITERS)
    from ektp.recording.api import router as recording_api
    from ektp.recording.queue_api import router as queue_api
    from ektp.web import desk_pages, queue_pages

    # Routes are matched in order: the recording day's device and screen calls, by far the
    # most frequent, come first. The queue goes before the device API, whose
    # /recording/{recording_id} would otherwise catch /recording/queue.
    app.include_router(queue_api, prefix=API_PREFIX)
    app.include_router(recording_api, prefix=API_PREFIX)
    for router in (auth_api, regions_api, residents_api, schedule_api, turns_api):
        app.include_router(router, prefix=API_PREFIX)
    for router in (auth_pages.router, pages.router, resident_pages.router, plan_pages.router):
        app.include_router(router)
    from ektp.web import report_pages

    app.include_router(report_pages.router)
    app.include_router(queue_pages.router)
    app.include_router(desk_pages.router)
    # Cards, monitoring and planning: one block per module, each added by its owner.
    # (cards)
    from ektp.cards.pipeline_api import router as pipeline_api
    from ektp.web import pipeline_pages

    app.include_router(pipeline_api, prefix=API_PREFIX)
    app.include_router(pipeline_pages.router)
    from ektp.cards.shipping_api import router as shipping_api
    from ektp.web import shipment_pages

    app.include_router(shipping_api, prefix=API_PREFIX)
    app.include_router(shipment_pages.router)
    from ektp.cards.batch_api import router as batch_api
    from ektp.web import centre_pages

    app.include_router(batch_api, prefix=API_PREFIX)
    app.include_router(centre_pages.router)
    from ektp.cards.lookup_api import router as status_api
    from ektp.web import handover_pages, status_pages

    app.include_router(status_api, prefix=API_PREFIX)
    app.include_router(status_pages.router)
    app.include_router(handover_pages.router)
    # (monitoring)
    from ektp.monitoring.api import router as monitoring_api
    from ektp.web import dashboard_pages

    app.include_router(monitoring_api, prefix=API_PREFIX)
    app.include_router(dashboard_pages.router)
    from ektp.monitoring.jobs import install_evening_loop
    from ektp.web import sekda_pages

    app.include_router(sekda_pages.router)
    install_evening_loop(app, app_runtime)
    # (planning)
    from ektp.planning.api import router as planning_api
    from ektp.web import equipment_pages

    app.include_router(planning_api, prefix=API_PREFIX)
    app.include_router(equipment_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    return app


def app_from_environment() -> FastAPI:
    """Return the application configured from ``EKTP_*`` variables (``serve --workers``)."""
    from ektp.settings import get_settings

    return create_app(get_settings())


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX + "/") or request.url.path == API_PREFIX


def _install_error_handlers(app: FastAPI) -> None:
    from ektp.web.deps import LoginRequired
    from ektp.web.render import render, translate

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "log in first"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = "/login?" + urlencode({"next": target})
        if request.headers.get("HX-Request"):
            # htmx would follow a redirect inside the page; ask it to load the login instead.
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return _error_page(request, error.status_code)

    @app.exception_handler(PermissionError)
    async def permission_error(request: Request, _error: PermissionError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "forbidden"}, status_code=403)
        return _error_page(request, 403)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if _is_api(request):
            return await request_validation_exception_handler(request, error)
        return _error_page(request, 400)

    def _error_page(request: Request, status_code: int) -> Response:
        known = status_code in (403, 404)
        heading = translate(request, f"error.{status_code}" if known else "error.400")
        message = translate(request, f"error.{status_code}.text" if known else "error.other.text")
        return render(
            request,
            "error.html",
            {"heading": heading, "message": message},
            status_code=status_code,
        )
