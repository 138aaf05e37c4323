"""The web application: `create_app(services)` returns a FastAPI app ready for uvicorn.

Built by `loa serve` (and the tests) from a `WebServices`; every route gets `csrf_protect`
(see web.auth), every response the security headers (web.security), every refusal a clear
page or a JSON error (web.errors). Page modules each own an `APIRouter`, included below.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from web import (
    api_calendar,
    api_channels,
    api_control,
    api_deliveries,
    api_me,
    api_media,
    api_notifications,
    api_posts,
    api_schema,
    api_stats,
    pages_admin,
    pages_admin_audit,
    pages_admin_export,
    pages_admin_import,
    pages_auth,
    pages_calendar,
    pages_channels,
    pages_compose,
    pages_connect,
    pages_feeds,
    pages_media,
    pages_media_library,
    pages_my_posts,
    pages_notifications,
    pages_post_copy,
    pages_posts,
    pages_reports,
    pages_review,
    pages_tokens,
    pages_users,
)
from web.auth import csrf_protect
from web.errors import install_error_handlers
from web.render import STATIC_DIR, make_environment
from web.security import SecurityHeaders
from web.services import WebServices

ROUTERS = (
    pages_auth.router,
    pages_calendar.router,
    pages_feeds.router,
    pages_compose.router,
    pages_posts.router,
    pages_post_copy.router,
    pages_review.router,
    pages_my_posts.router,
    pages_media.router,
    pages_media_library.router,
    pages_channels.router,
    pages_reports.router,
    pages_connect.router,
    pages_users.router,
    pages_admin.router,
    pages_admin_export.router,
    pages_admin_import.router,
    pages_admin_audit.router,
    pages_tokens.router,
    pages_notifications.router,
    api_me.router,
    api_notifications.router,
    api_posts.router,
    api_deliveries.router,
    api_media.router,
    api_channels.router,
    api_calendar.router,
    api_control.router,
    api_stats.router,
)


def create_app(services: WebServices) -> FastAPI:
    app = FastAPI(
        title="Loa",
        summary="Lịch đăng bài ASEAN / ASEAN publishing calendar",
        version="1",
        docs_url=None,  # Swagger UI needs inline script and a CDN; the CSP forbids both
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(csrf_protect)],
    )
    app.state.services = services
    app.state.templates = make_environment()
    pages_notifications.install(app.state.templates)
    app.add_middleware(SecurityHeaders, services=services)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    api_schema.install(app, services)
    return app
