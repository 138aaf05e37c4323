"""The OpenAPI description at /api/v1/openapi.json: the REST API only, with config's lists.

The pages are left out (they answer HTML to browsers, not JSON to programs). Topics and pillars
are config.yaml's controlled lists, so they become enums here, from the `PostService`'s
vocabulary, wherever a schema carries the `x-loa-vocabulary` mark (see web.api.models).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from content.timeutil import EARLIEST, LATEST
from web.api.models import EXAMPLE_AT
from web.services import WebServices

DESCRIPTION = f"""\
Loa's REST API: posts, media, deliveries, channels, the calendar window and the publishing
pause, with the same permissions as the pages (officers: their department's posts; editors:
review everything; admins: everything).

**Authentication**: `Authorization: Bearer loa_...`, a personal token made with
`loa users token create USERNAME --name NAME` or on the page /account/tokens.

**Times**: every `*_at` is UTC (ISO 8601); `*_at_local` is the same instant in the configured
zone with its offset. Times sent may carry an offset (`{EXAMPLE_AT}`, `...Z`);
a time without one is a wall-clock time in the configured zone (Asia/Ho_Chi_Minh by default).
Times go from {EARLIEST.year} to the end of {LATEST.year - 1}; one outside is refused (422).

**Errors**: `{{"error": {{"code", "message", "field", "problems"?}}}}`; `message` in Vietnamese,
or English with `?lang=en` or `Accept-Language: en`.

**Why a delivery failed**: `reason` (on a delivery, an attempt; `last_failure_reason` on a
channel) is `{{"vi", "en", "detail"}}`: what happened in Vietnamese and in English, and in
`detail` the platform's own words (its error code and message; never a secret). It is null when
nothing failed. `last_error`, `error_message` and `last_failure` keep the English text (with the
detail in brackets) for older clients; a reason recorded before reasons were bilingual has only
`en`, with `vi` empty.
"""
MARK = "x-loa-vocabulary"
API = "/api/"


def with_vocabulary(node: Any, lists: dict[str, list[str]]) -> Any:
    """`node` with every schema marked `x-loa-vocabulary: NAME` given that list as its enum."""
    if isinstance(node, dict):
        found = {key: with_vocabulary(value, lists) for key, value in node.items()}
        name = found.pop(MARK, None)
        if name in lists:
            found["enum"] = lists[name]
        return found
    if isinstance(node, list):
        return [with_vocabulary(item, lists) for item in node]
    return node


def api_only(document: dict[str, Any]) -> dict[str, Any]:
    """The description without the pages' paths, nor the schemas only they used."""
    paths = {path: item for path, item in document.get("paths", {}).items() if path.startswith(API)}
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    kept: set[str] = set()
    waiting = refs_in(paths)
    while waiting:
        name = waiting.pop()
        if name not in kept and name in schemas:
            kept.add(name)
            waiting |= refs_in(schemas[name])
    components = dict(document.get("components", {}))
    components["schemas"] = {name: schemas[name] for name in sorted(kept)}
    return {**document, "paths": paths, "components": components}


def refs_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= refs_in(value)
        return found
    if isinstance(node, list):
        return set().union(*(refs_in(item) for item in node)) if node else set()
    return set()


def install(app: FastAPI, services: WebServices) -> None:
    """Serve the API's own description (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title="Loa REST API",
                version="1",
                summary="Lịch đăng bài ASEAN / ASEAN publishing calendar",
                description=DESCRIPTION,
                routes=app.routes,
            )
            vocabulary = services.posts.vocabulary
            lists = {"topics": sorted(vocabulary.topics), "pillars": sorted(vocabulary.pillars)}
            app.openapi_schema = with_vocabulary(api_only(document), lists)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
