"""Every failure an adapter can report says so in Vietnamese (with its diacritics) and in
English, with the platform's own words kept apart and no secret in any of them.

Two walks: every place in channels/ that builds an error of the tree, read from the source
(a new raise site without a Vietnamese sentence fails here), and every case of the tables that
map platform answers onto the tree (Facebook codes, Zalo codes, WordPress and YouTube answers,
transport failures), run for real.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httplib2
import pytest
import requests
from googleapiclient.errors import HttpError

from channels import errors
from channels.errors import ChannelError, Step
from channels.facebook.errors import RATE_CODES, TOKEN_SUBCODES, GraphFault
from channels.facebook.errors import classify as facebook_classify
from channels.http import transport_error, unreadable_answer
from channels.wordpress.api import PERMANENT_CODES, error_for
from channels.youtube.client import (
    AUTH_REASONS,
    QUOTA_REASONS,
    RATE_REASONS,
    SCOPE_REASONS,
)
from channels.youtube.client import classify as youtube_classify
from channels.zalo.errors import (
    BAD_CODE,
    REAUTHORISE,
    REJECTIONS,
    TOKEN_ERRORS,
    oauth_error,
    zalo_error,
)

CHANNELS = Path(errors.__file__).parent
VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)
SECRET = "EAAB-secret-token-123"
STEP = Step("publishing the post", "đăng bài")


def error_classes() -> set[str]:
    """The tree's classes and every subclass defined in channels/ (_Gone, StillProcessing...)."""
    names = {cls.__name__ for cls in errors.ERROR_CLASSES}
    grew = True
    while grew:
        grew = False
        for tree in trees():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def sources() -> list[Path]:
    """The adapters' modules: channels/ and each platform's package, not the sandbox."""
    return sorted(
        path for path in CHANNELS.rglob("*.py") if "sandbox" not in path.relative_to(CHANNELS).parts
    )


def trees() -> Iterator[ast.Module]:
    for path in sources():
        yield ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def literal_text(node: ast.expr) -> str | None:
    """The constant words of a string expression ("..." f"..." a + b); None for a variable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_text(node.left), literal_text(node.right)
        return None if left is None and right is None else (left or "") + (right or "")
    return None


def construction_sites() -> list[tuple[str, int, ast.Call]]:
    """Calls of the tree's classes; for a subclass that words its own message (its own
    `__init__`), the `super().__init__(...)` inside it instead of its callers."""
    names = error_classes()
    sites = []
    for path in sources():
        if path == CHANNELS / "errors.py":
            continue  # the tree itself
        name = path.relative_to(CHANNELS).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wording = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and node.name in names
            and any(isinstance(f, ast.FunctionDef) and f.name == "__init__" for f in node.body)
        }  # fmt: skip
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in names and func.id not in wording:
                sites.append((name, node.lineno, node))
        for cls in wording.values():
            for node in ast.walk(cls):
                func = node.func if isinstance(node, ast.Call) else None
                if isinstance(func, ast.Attribute) and func.attr == "__init__":
                    sites.append((name, node.lineno, node))  # type: ignore[arg-type]
    return sites


def test_every_raise_site_in_channels_words_its_error_in_vietnamese_and_english() -> None:
    sites = construction_sites()
    assert len(sites) > 100  # the walk found the adapters' raise sites
    lacking = []
    for name, line, call in sites:
        args = call.args
        if any(isinstance(arg, ast.Starred) for arg in args[:2]):
            continue  # a (vi, en) pair from a table: the table is walked below
        if len(args) < 2:
            lacking.append(f"{name}:{line}: no separate Vietnamese and English")
            continue
        vi, en = literal_text(args[0]), literal_text(args[1])
        if vi is not None and not VIETNAMESE.search(vi):
            lacking.append(f"{name}:{line}: the Vietnamese lacks diacritics: {vi!r}")
        if en is not None and VIETNAMESE.search(en):
            lacking.append(f"{name}:{line}: the English is Vietnamese: {en!r}")
    assert not lacking, "\n".join(lacking)


def test_every_step_is_named_in_both_languages() -> None:
    steps = [
        (node.lineno, node)
        for tree in trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "Step"
    ]  # fmt: skip
    assert len(steps) > 40
    for line, call in steps:
        en, vi = (literal_text(arg) for arg in call.args)
        assert en and vi and VIETNAMESE.search(vi) and not VIETNAMESE.search(en), line


def assert_bilingual(error: ChannelError) -> None:
    assert VIETNAMESE.search(error.vi), error.vi
    assert error.en and not VIETNAMESE.search(error.en.replace(STEP, "")), error.en
    assert error.vi != error.en
    assert error.vi.startswith("Đăng bài: ") and error.en.startswith("publishing the post: ")
    for text in (error.vi, error.en, error.detail, str(error)):
        assert SECRET not in text
    reason = error.reason
    assert (reason.vi, reason.en, reason.detail) == (error.vi, error.en, error.detail)
    assert str(error).startswith(error.vi) and error.en in str(error)


FACEBOOK_CASES = [
    *[{"code": code} for code in sorted(RATE_CODES)],
    {"code": 2, "is_transient": True},
    {"code": 1},
    {"code": 368},
    {"code": 190},
    {"code": 102},
    *[{"code": 190, "error_subcode": sub} for sub in sorted(TOKEN_SUBCODES)],
    {"code": 100, "error_subcode": 1609005},
    {"code": 10},
    {"code": 200},
    {"code": 100},
    {"code": 506},
    {"code": 9999},
]


@pytest.mark.parametrize("status", [400, 500])
@pytest.mark.parametrize("fields", FACEBOOK_CASES)
def test_every_facebook_answer_is_worded_in_both_languages(
    fields: dict[str, object], status: int
) -> None:
    message = f"(#{fields['code']}) said with access_token={SECRET}"
    fault = GraphFault.parse({"error": {"message": message, "fbtrace_id": "T", **fields}})
    assert fault is not None
    error = facebook_classify(fault, what=STEP, status=status, headers={})
    assert_bilingual(error)
    assert f"code {fields['code']}" in error.detail  # Facebook's own words, beside


ZALO_CODES = sorted({*TOKEN_ERRORS, -32, -214, -211, -234, *REJECTIONS, -99999})


@pytest.mark.parametrize("code", ZALO_CODES)
def test_every_zalo_code_is_worded_in_both_languages(code: int) -> None:
    error = zalo_error(code, f"refresh_token={SECRET} refused", STEP, "zalo-hue")
    assert_bilingual(error)
    assert f"Zalo error {code}" in error.detail


@pytest.mark.parametrize("code", sorted({*REAUTHORISE, *BAD_CODE, -32, -99999}))
def test_every_zalo_token_answer_is_worded_in_both_languages(code: int) -> None:
    assert_bilingual(oauth_error(code, "no", STEP, "zalo-hue"))


def wordpress_answer(
    status: int, body: object, kind: str = "application/json"
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = kind
    response._content = json.dumps(body).encode()
    return response


WORDPRESS_CASES = [
    (429, None, "text/html"),
    (413, None, "text/html"),
    (502, None, "text/html"),
    (429, {"code": "too_many"}, "application/json"),
    (401, {"code": "incorrect_password", "message": "invalid application password"}, "json"),
    (403, {"code": "rest_forbidden"}, "json"),
    (400, {"code": "rest_invalid_param", "data": {"params": {"status": "bad"}}}, "json"),
    *[(500, {"code": code}, "json") for code in sorted(PERMANENT_CODES)],
    (500, {"code": "db_insert_error"}, "json"),
    (404, {"code": "rest_no_route"}, "json"),
    (400, {"code": "something_new"}, "json"),
]


@pytest.mark.parametrize(("status", "body", "kind"), WORDPRESS_CASES)
def test_every_wordpress_answer_is_worded_in_both_languages(
    status: int, body: object, kind: str
) -> None:
    answer = wordpress_answer(status, body, kind if "/" in kind else "application/json")
    assert_bilingual(error_for(answer, body, "POST", STEP, "web-hue"))


def youtube_answer(status: int, reason: str, kind: str = "application/json") -> HttpError:
    content = {
        "error": {"code": status, "message": f"no (key={SECRET})", "errors": [{"reason": reason}]}
    }
    response = httplib2.Response({"status": status, "content-type": kind})
    return HttpError(response, json.dumps(content).encode(), uri="https://youtube.test")


YOUTUBE_CASES = [
    *[(403, reason) for reason in sorted(QUOTA_REASONS)],
    (403, "uploadLimitExceeded"),
    *[(403, reason) for reason in sorted(RATE_REASONS)],
    (429, ""),
    (503, "backendError"),
    (401, "authError"),
    *[(403, reason) for reason in sorted(AUTH_REASONS | SCOPE_REASONS)],
    (400, "invalidTitle"),
]


@pytest.mark.parametrize("may_have_landed", [False, True])
@pytest.mark.parametrize(("status", "reason"), YOUTUBE_CASES)
def test_every_youtube_answer_is_worded_in_both_languages(
    status: int, reason: str, may_have_landed: bool
) -> None:
    error = youtube_classify(youtube_answer(status, reason), STEP, may_have_landed=may_have_landed)
    assert_bilingual(error)


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionRefusedError("refused"),
        httplib2.ServerNotFoundError("no such host"),
        TimeoutError("read timed out"),
        ValueError("not JSON"),
        RuntimeError("something else"),
    ],
)
@pytest.mark.parametrize("may_have_landed", [False, True])
def test_every_youtube_transport_failure_is_worded_in_both_languages(
    failure: Exception, may_have_landed: bool
) -> None:
    assert_bilingual(youtube_classify(failure, STEP, may_have_landed=may_have_landed))


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectTimeout("connect timed out"),
        requests.ConnectionError("Connection refused"),
        requests.ConnectionError("Connection reset by peer"),
        requests.ReadTimeout("read timed out"),
    ],
)
def test_every_transport_failure_is_worded_in_both_languages(
    failure: Exception, method: str
) -> None:
    assert_bilingual(transport_error(failure, method, STEP))
    page = wordpress_answer(502, "<html>", "text/html")
    assert_bilingual(unreadable_answer(page, method, STEP))
