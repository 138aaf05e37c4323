"""The web application: `create_app(services)` returns a FastAPI app ready for uvicorn.

Built by `loa serve` (and the tests) from a `WebServices`; every route gets `csrf_protect`
(see web.auth), every response the security headers (web.security), every refusal a clear
page or a JSON error (web.errors). Page modules (web/pages/) and API modules (web/api/) each
own an `APIRouter`, included below; the shared services they stand on (auth, render, errors,
i18n, services) stay at web/'s top, and each page area's templates sit in web/templates/<area>/.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from web.api import (
    calendar as api_calendar,
)
from web.api import (
    channels as api_channels,
)
from web.api import (
    control as api_control,
)
from web.api import (
    deliveries as api_deliveries,
)
from web.api import (
    me as api_me,
)
from web.api import (
    media as api_media,
)
from web.api import (
    notifications as api_notifications,
)
from web.api import (
    posts as api_posts,
)
from web.api import (
    schema as api_schema,
)
from web.api import (
    stats as api_stats,
)
from web.auth import csrf_protect
from web.errors import install_error_handlers
from web.pages import (
    admin as pages_admin,
)
from web.pages import (
    admin_audit as pages_admin_audit,
)
from web.pages import (
    admin_export as pages_admin_export,
)
from web.pages import (
    admin_import as pages_admin_import,
)
from web.pages import (
    calendar as pages_calendar,
)
from web.pages import (
    channels as pages_channels,
)
from web.pages import (
    compose as pages_compose,
)
from web.pages import (
    connect as pages_connect,
)
from web.pages import (
    feeds as pages_feeds,
)
from web.pages import (
    media as pages_media,
)
from web.pages import (
    media_library as pages_media_library,
)
from web.pages import (
    my_posts as pages_my_posts,
)
from web.pages import (
    notifications as pages_notifications,
)
from web.pages import (
    post_copy as pages_post_copy,
)
from web.pages import (
    posts as pages_posts,
)
from web.pages import (
    reports as pages_reports,
)
from web.pages import (
    review as pages_review,
)
from web.pages import (
    sign_in as pages_auth,
)
from web.pages import (
    tokens as pages_tokens,
)
from web.pages import (
    users as pages_users,
)
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
