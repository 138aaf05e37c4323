"""Reading an import file into rows: its encoding, its CSV, Excel workbook (read as the CSV it
holds, `content.import_xlsx`) or YAML, and the limits that keep a hostile file from costing more
than a refusal.

Encodings read: UTF-8 with or without Excel's BOM, UTF-16 with its BOM (Excel's "Unicode text")
and Windows Vietnamese (cp1258, what older Vietnamese Windows and Excel write), told apart by
the BOM, by whether the bytes are valid UTF-8, and by cp1258 only when the text then holds
Vietnamese letters; or named with `encoding` (`loa import --encoding`). Anything else is one
clear problem, never a traceback.

YAML is read as events first, which neither builds nor expands anything: a file with an alias
(`*name`) or anchor (`&name`) is refused at once, because a few hundred bytes of nested aliases
("billion laughs") expand to gigabytes; so is nesting deeper than any post needs, which would
otherwise exhaust the recursion of the YAML composer.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from content.errors import FieldProblem, InvalidInput

COLUMNS = (
    "title", "body", "link", "hashtags", "topic", "pillar", "audience", "department", "author",
    "channels", "at", "next_slot", "missed", "grace_minutes", "media", "media_alt", "state",
)  # fmt: skip
REQUIRED = ("title", "topic", "department", "channels")
OVERRIDE_COLUMN = re.compile(r"^override\.(?P<channel>[a-z0-9-]+)\.(?P<field>[a-z_]+)$")
# A post is a list of mappings holding lists of mappings: nothing legitimate goes deeper.
MAX_YAML_DEPTH = 8
# Characters a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Letters and tone marks of Vietnamese that cp1258 has and Western encodings show otherwise.
_VIETNAMESE = frozenset("ĂăĐđƠơƯư\u0300\u0301\u0303\u0309\u0323")


@dataclass(frozen=True)
class Row:
    where: str  # "row 7" (CSV, counting the header as row 1) or "posts[3] (line 42)"
    values: Mapping[str, Any]


def neutralise_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula, made text by one leading apostrophe."""
    return "'" + value if FORMULA_START.match(value) else value


def restore_formula(value: str) -> str:
    """What `neutralise_formula` wrote, back as it was (one apostrophe off, nothing else)."""
    return value[1:] if value.startswith("'") and FORMULA_START.match(value) else value


def read_rows(path: Path, encoding: str | None = None) -> tuple[list[Row], list[FieldProblem]]:
    """The rows of a file, and the problems of the file as a whole (its CSV header)."""
    if not path.is_file():
        raise _refuse("file", "Không tìm thấy tệp.", "file not found", str(path))
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".yaml", ".yml"):
        raise _refuse(
            "file",
            "Chỉ nhận tệp .csv, .xlsx, .yaml hoặc .yml.",
            "use a .csv, .xlsx, .yaml or .yml file",
            path.name,
        )
    if suffix == ".xlsx":
        from content.import_xlsx import xlsx_as_csv  # openpyxl is loaded only for a workbook

        return _read_csv(xlsx_as_csv(path), path.name)
    text = decode(path.read_bytes(), path.name, encoding)
    if suffix == ".csv":
        return _read_csv(text, path.name)
    return _read_yaml(text, path.name), []


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """The text of a file, in the encoding given or the one its bytes show."""
    if encoding is not None:
        return _decode_as(data, name, encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, name, codec)
    if b"\x00" in data:
        raise _refuse(
            "encoding",
            "Tệp chứa byte 0, không phải chữ ở bảng mã nào Loa đọc: có lẽ là bảng tính Excel"
            " (.xlsx) hoặc UTF-16 không có BOM; hãy lưu lại thành “CSV UTF-8”.",
            "the file holds zero bytes: perhaps an Excel workbook (.xlsx) or UTF-16 without"
            " a BOM; save it again as 'CSV UTF-8'",
            name,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if _VIETNAMESE.intersection(text) and not any(_stray_control(char) for char in text):
        # cp1258 writes tone marks as separate combining characters: compose them, as typed.
        return unicodedata.normalize("NFC", text)
    raise _refuse(
        "encoding",
        "Không nhận ra bảng mã của tệp (Loa đọc UTF-8, UTF-16 có BOM và Windows-1258); hãy lưu"
        " lại thành “CSV UTF-8”, hoặc ghi bảng mã bằng --encoding.",
        "cannot tell the file's encoding (Loa reads UTF-8, UTF-16 with a BOM and Windows-1258);"
        " save it again as 'CSV UTF-8', or name the encoding with --encoding",
        name,
    )


def _decode_as(data: bytes, name: str, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise _refuse(
            "encoding",
            f"Không có bảng mã “{encoding}”; ví dụ: utf-8, utf-16, cp1258.",
            f"unknown encoding {encoding!r}; for example utf-8, utf-16, cp1258",
            name,
        ) from None
    except UnicodeError as error:
        offset = error.start if isinstance(error, UnicodeDecodeError) else 0
        line = data[:offset].count(b"\n") + 1
        raise _refuse(
            "encoding",
            f"Tệp không phải bảng mã {encoding}: byte không đọc được ở dòng {line}; hãy lưu lại"
            " thành “CSV UTF-8” hoặc ghi đúng bảng mã bằng --encoding.",
            f"the file is not {encoding}: unreadable bytes on line {line}; save it again as"
            " 'CSV UTF-8' or name its encoding with --encoding",
            name,
        ) from None
    text = text.removeprefix("\ufeff")  # a BOM read through a codec that keeps it
    return unicodedata.normalize("NFC", text) if codecs.lookup(encoding).name == "cp1258" else text


def _stray_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in "\t\r\n"


def _read_csv(text: str, name: str) -> tuple[list[Row], list[FieldProblem]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        unknown = {column for column in header if not known_key(column)}
        problems = [unknown_key(column, "header") for column in header if column in unknown]
        missing = [column for column in REQUIRED if column not in header]
        problems += [
            FieldProblem(column, "Thiếu cột bắt buộc.", "required column missing", "header")
            for column in missing
        ]
        if missing:  # without its required columns no row can be checked meaningfully
            return [], problems
        # Unknown columns are reported once, for the header, and every row is still checked.
        rows = [
            Row(
                f"row {number}",
                {
                    k: restore_formula(v) if isinstance(v, str) else v
                    for k, v in record.items()
                    if k is not None and k not in unknown
                },
            )
            for number, record in enumerate(reader, start=2)
        ]
    except csv.Error as error:
        limit = csv.field_size_limit()
        limit_vi = f"{limit:,}".replace(",", ".")
        raise _refuse(
            "csv",
            f"CSV không đọc được ở dòng {reader.line_num} ({error}): một ô dài quá"
            f" {limit_vi} ký tự hoặc dấu ngoặc kép không đóng.",
            f"unreadable CSV on line {reader.line_num} ({error}): a cell over {limit:,}"
            " characters, or a quote left open",
            name,
        ) from None
    return rows, problems


def _read_yaml(text: str, name: str) -> list[Row]:
    loader: yaml.SafeLoader | None = None
    try:
        _check_events(text, name)
        # Built inside the try: its reader refuses control characters at once (ReaderError).
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else "file"
        raise _refuse(
            "yaml", f"Lỗi cú pháp YAML: {error}", f"YAML syntax error: {error}", line
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if isinstance(document, dict) and "posts" in document and root is not None:
        document = document["posts"]
        root = next(value for key, value in root.value if key.value == "posts")
    if not isinstance(document, list) or root is None:
        raise _refuse(
            "posts",
            "Tệp YAML cần một danh sách bài (hoặc khóa posts: chứa danh sách).",
            "the YAML file must hold a list of posts (or a `posts:` list)",
            name,
        )
    rows = []
    for index, (item, node) in enumerate(zip(document, root.value, strict=True)):
        where = f"posts[{index}] (line {node.start_mark.line + 1})"
        if not isinstance(item, dict):
            raise _refuse(
                "post", "Mỗi bài là một bảng khóa: giá trị.", "each post must be a mapping", where
            )
        rows.append(Row(where, item))
    return rows


def _check_events(text: str, name: str) -> None:
    """Refuse aliases, anchors and deep nesting before anything is built from the file."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = f"line {event.start_mark.line + 1}" if event.start_mark else name
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _refuse(
                "yaml",
                "Tệp YAML dùng neo/bí danh (&, *); Loa không nhận chúng (một tệp nhỏ có thể bung"
                " ra hàng gigabyte); hãy viết đầy đủ từng giá trị.",
                "the YAML file uses anchors or aliases (&, *), which Loa refuses (a small file"
                " can expand to gigabytes); write each value out",
                line,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise _refuse(
                    "yaml",
                    f"Tệp YAML lồng sâu quá {MAX_YAML_DEPTH} cấp; một bài không cần sâu như vậy.",
                    f"the YAML file nests deeper than {MAX_YAML_DEPTH} levels; no post needs that",
                    line,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def known_key(name: str) -> bool:
    return name in COLUMNS or name == "overrides" or bool(OVERRIDE_COLUMN.match(name))


def unknown_key(name: str, where: str) -> FieldProblem:
    close = difflib.get_close_matches(name, COLUMNS, n=1)
    hint_en = f"; did you mean {close[0]!r}?" if close else ""
    hint_vi = f"; có phải “{close[0]}”?" if close else ""
    return FieldProblem(name, f"Cột/khóa không có{hint_vi}", f"unknown column{hint_en}", where)


def _refuse(field: str, vi: str, en: str, where: str) -> InvalidInput:
    return InvalidInput([FieldProblem(field, vi, en, where)])
