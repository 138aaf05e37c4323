"""Rendering pages: one Jinja environment (autoescaping everything) and what every page gets.

Every template receives, besides its own values:
`request`, `lang`, `t` (words: `t("nav.calendar")`; or `{{ _("English words") }}` and
`{% trans %}`, Jinja's i18n extension, in the request's language), `user` (a `UserInfo` or None),
`actor`, `csrf_token`, `nav` (the menu for this user's role), `lang_url` (the same page in the
other language), `fmt_datetime(value)`, `fmt_date(day)`, `fmt_time(value)`, `zone`, `services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from content.errors import FieldProblem, InvalidInput
from content.labels import platform_name, zone_label
from content.models import Role
from content.reasons import shown
from web import i18n
from web.security import LANG_COOKIE
from web.services import services_of

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

ALL_ROLES = frozenset({Role.officer, Role.editor, Role.admin})
REVIEWERS = frozenset({Role.editor, Role.admin})


@dataclass(frozen=True)
class NavItem:
    path: str
    key: str  # an i18n key
    roles: frozenset[str] = ALL_ROLES


# The menu, in order. A page module appends its own entry if it adds a top-level page.
NAV: list[NavItem] = [
    NavItem("/calendar", "nav.calendar"),
    NavItem("/compose", "nav.compose"),
    NavItem("/media", "nav.media"),  # web/pages/media_library.py
    NavItem("/review", "nav.review", REVIEWERS),
    NavItem("/channels", "nav.channels", REVIEWERS),
    NavItem("/reports", "nav.reports"),  # web/pages/reports.py
    NavItem("/admin/users", "nav.users", frozenset({Role.admin})),
]


def make_environment() -> Environment:
    # Autoescaping for every template, whatever its name: officers' text must never run.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # One environment serves every language: each call reads the page's own `lang`.
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True, pgettext=_pgettext
    )
    return environment


@pass_context
def _gettext(context: Context, message: str) -> str:
    return i18n.gettext_for(context["lang"]).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return i18n.gettext_for(context["lang"]).ngettext(singular, plural, count)


@pass_context
def _pgettext(context: Context, message_context: str, message: str) -> str:
    return i18n.gettext_for(context["lang"]).pgettext(message_context, message)


def lang_of(request: Request) -> str:
    """?lang= first, then (API only) Accept-Language, the lang cookie, the session's, Vietnamese."""
    chosen = request.query_params.get("lang")
    if chosen not in i18n.LANGS and request.url.path.startswith("/api/"):
        chosen = i18n.from_accept_language(request.headers.get("accept-language", ""))
    chosen = chosen if chosen in i18n.LANGS else request.cookies.get(LANG_COOKIE)
    if chosen in i18n.LANGS:
        return chosen
    session = getattr(request.state, "session_info", None)
    return i18n.pick(session.lang if session is not None else None)


def base_context(request: Request) -> dict[str, Any]:
    services = services_of(request)
    lang = lang_of(request)
    session = getattr(request.state, "session_info", None)
    user = getattr(request.state, "user", None) or (session.user if session else None)
    zone = services.zone
    path = request.url.path
    return {
        "request": request,
        "services": services,
        "lang": lang,
        "t": i18n.translator(lang),
        "user": user,
        "actor": user.actor if user is not None else None,
        "csrf_token": session.csrf_token if session is not None else "",
        "nav": [
            {"path": item.path, "label": i18n.t(item.key, lang), "current": path == item.path}
            for item in NAV
            if user is not None and user.role in item.roles
        ],
        "lang_url": _switch_url(request, "en" if lang == "vi" else "vi"),
        "zone": zone,
        "status_title": i18n.status_title,
        "fmt_datetime": partial(_fmt_datetime, lang=lang, zone=zone),
        "fmt_date": partial(i18n.format_date, lang=lang),
        "fmt_time": partial(i18n.format_time, zone=zone),
        "reason": partial(shown, lang=lang),  # a stored failure reason, reader's language first
        "zone_label": zone_label(zone, lang),  # "giờ Việt Nam (GMT+7)", never the IANA name
        "platform_name": platform_name,  # "Trang web", never "wordpress"
    }


def _switch_url(request: Request, lang: str) -> str:
    """This page in the other language, as a path (the host is the browser's business)."""
    target = request.url.include_query_params(lang=lang)
    return f"{target.path}?{target.query}"


def _fmt_datetime(value: Any, *, lang: str, zone: Any, with_weekday: bool = True) -> str:
    return i18n.format_datetime(value, lang, zone, with_weekday=with_weekday)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page from `web/templates/`, with the shared context (see the module docstring)."""
    environment: Environment = request.app.state.templates
    values = base_context(request)
    values.update(context or {})
    html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def field_errors(error: InvalidInput, lang: str) -> dict[str, list[str]]:
    """An `InvalidInput`'s problems by field, for showing each beside its input."""
    return problems_by_field(error.problems, lang)


def problems_by_field(problems: Iterable[FieldProblem], lang: str) -> dict[str, list[str]]:
    """Problems by field, in `lang`, for showing each beside its input."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.field, []).append(problem.vi if lang == "vi" else problem.en)
    return found
