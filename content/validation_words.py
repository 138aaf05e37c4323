"""Pydantic's validation errors told Vietnamese first, English second.

Pydantic words its errors as English sentences ("Field required"). Each error is worded here from
its machine-readable parts (its `type` and `ctx`), not by translating Pydantic's sentence, so a
Pydantic release that rewords its messages changes nothing here. A type not listed still gets a
bilingual sentence naming the field, with Pydantic's own sentence as the English. Errors raised
by Loa's own validators (`value_error`) that already carry Vietnamese are kept as they are.

Used by the REST API and the pages (web.errors) and by the configuration check (loa.config).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping
from typing import Any

Words = tuple[str, str]  # (Vietnamese, English)

# The Vietnamese a person reads for a field's JSON name (the API's, the pages' form fields).
FIELD_LABELS: dict[str, str] = {
    "action": "Thao tác", "all": "Tất cả", "alt_text": "Mô tả ảnh", "at": "Thời điểm",
    "audience": "Đối tượng", "body": "Nội dung", "by": "Người thực hiện",
    "channel": "Kênh", "channel_id": "Kênh", "channels": "Các kênh", "code": "Mã",
    "comment": "Nhận xét", "csrf_token": "Mã chống giả mạo", "delivery_id": "Mã lượt đăng",
    "delivery_state": "Trạng thái lượt đăng", "department": "Đơn vị", "done": "Đã xong",
    "email": "Thư điện tử", "email_shown": "Thư điện tử hiển thị",
    "expected_version": "Phiên bản mong đợi", "expires": "Hạn của địa chỉ", "file": "Tệp",
    "from": "Từ",
    "full_name": "Họ tên", "grace_minutes": "Số phút cho phép trễ", "hashtag": "Hashtag",
    "hashtags": "Hashtag", "ids": "Các mã", "lang": "Ngôn ngữ", "limit": "Số dòng tối đa",
    "link": "Liên kết", "media": "Ảnh, video", "missed_policy": "Cách xử lý khi lỡ giờ",
    "name": "Tên", "next": "Trang tiếp theo", "next_slot": "Khung giờ trống kế tiếp",
    "notification_id": "Mã thông báo", "offset": "Vị trí bắt đầu",
    "overrides": "Nội dung riêng theo kênh",
    "page": "Trang", "password": "Mật khẩu", "password2": "Nhập lại mật khẩu",
    "paused": "Tạm dừng", "pillar": "Trụ cột", "post": "Bài", "post_id": "Mã bài",
    "posts": "Các bài", "q": "Từ khóa tìm kiếm", "reason": "Lý do", "request": "Yêu cầu",
    "retried": "Đã thử lại", "role": "Vai trò", "saved": "Đã lưu",
    "scheduled_at": "Thời điểm đăng", "scope": "Phạm vi", "secret": "Mã bí mật",
    "series": "Loạt bài", "signature": "Chữ ký của địa chỉ", "sha": "Mã tệp",
    "sha256": "Mã tệp", "state": "Trạng thái",
    "states": "Các trạng thái", "summary": "Tóm tắt", "title": "Tiêu đề", "to": "Đến",
    "token": "Mã truy cập", "token_id": "Mã truy cập", "topic": "Chủ đề", "unread": "Chưa đọc",
    "until": "Đến ngày", "username": "Tên đăng nhập", "who": "Người",
}  # fmt: skip

_DATE_FORM = "YYYY-MM-DDTHH:MM+07:00"
_ANY_DATE = ("không đọc được ngày giờ: cần dạng ISO 8601 ({form})",
             "cannot read the date and time ({error}): write ISO 8601 ({form})")  # fmt: skip
_LIST = ("phải là một danh sách", "should be a list")
_OBJECT = ("phải là một đối tượng JSON ({{…}})", "should be a JSON object ({{...}})")
_INTEGER = ("phải là một số nguyên", "should be a whole number")
_NUMBER = ("phải là một số", "should be a number")
_TEXT = ("phải là chữ (chuỗi ký tự)", "should be text (a string)")
_URL = ("phải là một địa chỉ web (URL) hợp lệ", "should be a valid web address (URL)")
_DECIMAL = ("phải là một số thập phân", "should be a decimal number")
_ARGUMENTS = ("tham số không đúng", "wrong arguments")

# Placeholders are `ctx` keys of the error; `{form}` is the date form above.
PHRASES: dict[str, Words] = {
    "missing": ("bắt buộc phải có", "required"),
    "extra_forbidden": ("không có trường này (tên gõ sai?)", "no such field (misspelt?)"),
    "json_invalid": ("không phải JSON đọc được ({error})", "not readable JSON ({error})"),
    "json_type": ("phải là JSON (chuỗi hoặc byte)", "should be JSON (a string or bytes)"),
    "string_type": _TEXT,
    "string_unicode": ("phải là chữ mã hóa UTF-8", "should be UTF-8 text"),
    "string_too_short": ("cần ít nhất {min_length} ký tự",
                         "should have at least {min_length} characters"),
    "string_too_long": ("tối đa {max_length} ký tự", "should have at most {max_length} characters"),
    "string_pattern_mismatch": ("không đúng dạng yêu cầu (mẫu {pattern})",
                                "does not match the form {pattern}"),
    "string_not_ascii": ("chỉ được dùng ký tự ASCII (không dấu)",
                         "should hold ASCII characters only"),
    "too_short": ("cần ít nhất {min_length} mục", "should have at least {min_length} items"),
    "too_long": ("tối đa {max_length} mục", "should have at most {max_length} items"),
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": ("phải là số nguyên, không có phần thập phân",
                       "should be a whole number, without a fractional part"),
    "int_parsing_size": ("số quá lớn", "the number is too large"),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": ("phải là một số hữu hạn", "should be a finite number"),
    "greater_than": ("phải lớn hơn {gt}", "should be greater than {gt}"),
    "greater_than_equal": ("phải từ {ge} trở lên", "should be {ge} or more"),
    "less_than": ("phải nhỏ hơn {lt}", "should be less than {lt}"),
    "less_than_equal": ("tối đa là {le}", "should be {le} or less"),
    "multiple_of": ("phải là bội số của {multiple_of}", "should be a multiple of {multiple_of}"),
    "bool_type": ("phải là true hoặc false", "should be true or false"),
    "bool_parsing": ("phải là true hoặc false", "should be true or false"),
    "literal_error": ("phải là một trong: {expected_vi}", "should be one of {expected}"),
    "enum": ("phải là một trong: {expected_vi}", "should be one of {expected}"),
    "none_required": ("phải để trống (null)", "should be null"),
    "list_type": _LIST, "tuple_type": _LIST, "set_type": _LIST, "frozen_set_type": _LIST,
    "deque_type": _LIST, "iterable_type": _LIST,
    "iteration_error": ("không đọc hết được danh sách ({error})", "cannot read the list ({error})"),
    "set_item_not_hashable": ("các mục không so sánh được", "items should be hashable"),
    "dict_type": _OBJECT, "model_type": _OBJECT, "model_attributes_type": _OBJECT,
    "mapping_type": _OBJECT, "frozen_dict_type": _OBJECT, "ordered_dict_type": _OBJECT,
    "counter_type": _OBJECT, "dataclass_type": _OBJECT, "dataclass_exact_type": _OBJECT,
    "named_tuple_type": _OBJECT,
    "invalid_key": ("tên khóa phải là chữ", "keys should be strings"),
    "date_type": ("phải là một ngày (YYYY-MM-DD)", "should be a date (YYYY-MM-DD)"),
    "date_parsing": ("không đọc được ngày: cần dạng YYYY-MM-DD",
                     "cannot read the date ({error}): write YYYY-MM-DD"),
    "date_from_datetime_parsing": ("không đọc được ngày: cần dạng YYYY-MM-DD",
                                   "cannot read the date ({error}): write YYYY-MM-DD"),
    "date_from_datetime_inexact": ("chỉ ghi ngày, không kèm giờ", "a date only, without a time"),
    "date_past": ("phải là một ngày đã qua", "should be a date in the past"),
    "date_future": ("phải là một ngày sắp tới", "should be a date in the future"),
    "time_type": ("phải là giờ (HH:MM)", "should be a time of day (HH:MM)"),
    "time_parsing": ("không đọc được giờ: cần dạng HH:MM",
                     "cannot read the time ({error}): write HH:MM"),
    "datetime_type": ("phải là ngày giờ dạng ISO 8601 ({form})",
                      "should be a date and time in ISO 8601 ({form})"),
    "datetime_parsing": _ANY_DATE, "datetime_from_date_parsing": _ANY_DATE,
    "datetime_object_invalid": _ANY_DATE,
    "datetime_past": ("phải là thời điểm đã qua", "should be in the past"),
    "datetime_future": ("phải là thời điểm sắp tới", "should be in the future"),
    "timezone_naive": ("không được ghi múi giờ", "should have no time zone"),
    "timezone_aware": ("phải ghi múi giờ, ví dụ +07:00", "should have a time zone, e.g. +07:00"),
    "timezone_offset": ("phải theo múi giờ lệch {tz_expected} giây",
                        "should have the offset of {tz_expected} seconds"),
    "time_delta_type": ("phải là một khoảng thời gian", "should be a duration"),
    "time_delta_parsing": ("không đọc được khoảng thời gian", "cannot read the duration ({error})"),
    "url_type": _URL,
    "url_parsing": _URL, "url_syntax_violation": _URL,
    "url_too_long": ("địa chỉ web dài quá {max_length} ký tự",
                     "the web address is longer than {max_length} characters"),
    "url_scheme": ("địa chỉ web phải bắt đầu bằng {expected_schemes}",
                   "the web address should start with {expected_schemes}"),
    "uuid_type": ("phải là một mã UUID", "should be a UUID"),
    "uuid_parsing": ("phải là một mã UUID", "should be a UUID"),
    "uuid_version": ("phải là mã UUID phiên bản {expected_version}",
                     "should be a version {expected_version} UUID"),
    "decimal_type": _DECIMAL, "decimal_parsing": _DECIMAL,
    "decimal_max_digits": ("tối đa {max_digits} chữ số", "at most {max_digits} digits"),
    "decimal_max_places": ("tối đa {decimal_places} chữ số sau dấu phẩy",
                           "at most {decimal_places} decimal places"),
    "decimal_whole_digits": ("tối đa {whole_digits} chữ số trước dấu phẩy",
                             "at most {whole_digits} digits before the decimal point"),
    "bytes_type": ("phải là dữ liệu nhị phân", "should be bytes"),
    "bytes_too_short": ("cần ít nhất {min_length} byte", "should have at least {min_length} bytes"),
    "bytes_too_long": ("tối đa {max_length} byte", "should have at most {max_length} bytes"),
    "bytes_invalid_encoding": ("không đúng mã hóa {encoding}", "not valid {encoding}"),
    "fraction_type": _NUMBER, "fraction_parsing": _NUMBER,
    "complex_type": _NUMBER, "complex_str_parsing": _NUMBER,
    "frozen_field": ("không được thay đổi", "cannot be changed"),
    "frozen_instance": ("không được thay đổi", "cannot be changed"),
    "union_tag_invalid": ("loại {tag} không có; chọn một trong: {expected_tags}",
                          "no such kind {tag}; choose one of {expected_tags}"),
    "union_tag_not_found": ("thiếu trường {discriminator} cho biết loại",
                            "the field {discriminator} saying which kind is missing"),
    "arguments_type": _ARGUMENTS,
    "missing_argument": ("thiếu tham số bắt buộc", "required argument missing"),
    "missing_keyword_only_argument": ("thiếu tham số bắt buộc", "required argument missing"),
    "missing_positional_only_argument": ("thiếu tham số bắt buộc", "required argument missing"),
    "unexpected_keyword_argument": ("không có tham số này", "no such argument"),
    "unexpected_positional_argument": ("thừa tham số", "one argument too many"),
    "multiple_argument_values": ("tham số được cho nhiều lần", "argument given more than once"),
}  # fmt: skip
FALLBACK: Words = ("giá trị không hợp lệ", "{msg}")
OWN_ERRORS = ("value_error", "assertion_error")  # raised by Loa's validators: their own words


def has_vietnamese(text: str) -> bool:
    """Whether a text is written with Vietnamese letters (a diacritic, or đ)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in decomposed.casefold() or any(unicodedata.combining(c) for c in decomposed)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"  # a context Pydantic left out must not turn a refusal into a crash


def _fill(template: str, values: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Blank(values))


def phrase(error: Mapping[str, Any], forms: Mapping[str, Words] | None = None) -> Words:
    """The bilingual phrase for one Pydantic error (an item of `ValidationError.errors()`),
    without the field: ("tối đa 200 ký tự", "should have at most 200 characters"). `forms`
    says in words what a regular expression asks for, instead of showing it."""
    kind = str(error.get("type", ""))
    message = str(error.get("msg", "")).strip()
    if kind in OWN_ERRORS:
        return own_words(message)
    ctx = dict(error.get("ctx") or {})
    if kind == "string_pattern_mismatch" and str(ctx.get("pattern")) in (forms or {}):
        return (forms or {})[str(ctx["pattern"])]
    expected = str(ctx.get("expected", ""))
    values = {**ctx, "msg": message, "form": _DATE_FORM, "expected_vi": _or_in_vietnamese(expected)}
    vi, en = PHRASES.get(kind, FALLBACK)
    return _fill(vi, values), _fill(en, values)


def own_words(message: str) -> Words:
    """A message of Loa's own validators: kept when it has Vietnamese ("vi / en" is split),
    else told as an invalid value with the validator's English."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if not has_vietnamese(message):
        return "giá trị không hợp lệ", message
    vi, slash, en = message.partition(" / ")
    return (vi, en) if slash and not has_vietnamese(en) else (message, message)


def _or_in_vietnamese(expected: str) -> str:
    # Pydantic lists the choices as "'a', 'b' or 'c'".
    head, sep, last = expected.rpartition(" or ")
    return f"{head} hoặc {last}" if sep else expected


def both(words: Words) -> str:
    """Vietnamese, then English: "bắt buộc phải có / required" (once when they are one text)."""
    vi, en = words
    return vi if vi == en else f"{vi} / {en}"


def field_name(field: str) -> str:
    """The JSON name a field path ends with: `media.0.sha256` -> `sha256`."""
    parts = [p for p in field.split(".") if p and not p.isdigit() and not p.startswith("[")]
    return parts[-1] if parts else field


def named(field: str) -> str:
    """A field as people read it: its Vietnamese label and its JSON path, "Tiêu đề (title)"."""
    label = FIELD_LABELS.get(field_name(field))
    return f"{label} ({field})" if label else field


def field_words(
    field: str, error: Mapping[str, Any], forms: Mapping[str, Words] | None = None
) -> Words:
    """One problem of one field: ("Tiêu đề (title): bắt buộc phải có / title: required",
    "title: required"). The Vietnamese carries the English after it: a client that shows the
    default message shows both."""
    if error.get("type") == "json_invalid":
        field = "request"  # Pydantic's location is a character position, not a field
    vi, en = phrase(error, forms)
    english = f"{field}: {en}"
    vietnamese = f"{named(field)}: {vi}"
    return f"{vietnamese} / {english}", english
