"""A DOCX's longest table streamed into the file: a year's appendix within seconds and flat memory.

python-docx keeps the whole document as an element tree, and a year's appendix (250,000 rows,
each with a hyperlink and its relationship) costs it minutes and gigabytes. So python-docx lays
out everything else and the appendix table holds only its header row and a marker (an XML
comment: no text or attribute value can produce one, their "<" is escaped). While the saved
package is copied into the final file, word/document.xml is written around the marker with the
rows generated as XML text a chunk at a time, and each row's hyperlink relationship goes to
word/_rels/document.xml.rels (spooled on disk meanwhile: the two parts cannot be written at once).

Same input, same bytes: every member carries the report's own time, never the clock's.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from reports import docx_kit as kit
from reports.files import atomic_path

MARKER = "loa:streamed-rows"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
CHUNK_ROWS = 1000
# Deflate's fastest level: XML this repetitive shrinks almost as much, in a third of the time.
COMPRESS_LEVEL = 1
_REL_ID = re.compile(rb'\sId="([^"]*)"')
# What an attribute value cannot hold as it is: markup, quotes, and any control character (XML
# would turn a tab or a line break into a space, and forbids the others).
_NOT_PLAIN_ATTR = re.compile('[&<>"\x00-\x1f\ud800-\udfff\ufffe\uffff]')


@dataclass
class Streamed:
    """The body rows of the one table that carries `MARKER`, made as the file is written.

    `rows` is given the table's RowXml (its `rid` numbers each hyperlink's relationship) and
    yields each row as UTF-8 XML: `xml(cells).encode()` for each row, or faster, rows filled
    into `xml.template`.
    """

    rows: Callable[[kit.RowXml], Iterable[bytes]]
    widths_mm: Sequence[float]
    numeric: Sequence[int] = ()


def marker() -> Any:
    return etree.Comment(MARKER)


def write(package: IO[bytes], path: Path, streamed: Streamed | None, *, when: datetime) -> None:
    """Copy the python-docx `package` to `path` atomically, `streamed`'s rows in their place.

    `when` (local time) dates every member of the archive, so that the bytes depend on the
    report's inputs only.
    """
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with (
        zipfile.ZipFile(package) as source,
        atomic_path(path) as temporary,
        open(temporary, "wb") as file,
    ):
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as out:
            names = source.namelist()
            for name in names:
                if name == DOCUMENT_RELS:
                    continue
                info = _member(name, stamp)
                if name != DOCUMENT:
                    out.writestr(info, source.read(name))
                    continue
                rels = source.read(DOCUMENT_RELS) if DOCUMENT_RELS in names else _EMPTY_RELS
                with tempfile.TemporaryFile(dir=Path(path).parent) as spool:
                    links = _Relationships(spool, rels)
                    with out.open(info, "w") as member:
                        _document(source.read(DOCUMENT), streamed, links, member)
                    with out.open(_member(DOCUMENT_RELS, stamp), "w") as member:
                        links.finish(member)
        file.flush()
        os.fsync(file.fileno())


def _member(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """A member dated `stamp`, deflated at COMPRESS_LEVEL: ZipFile.open(info, "w") takes the
    level from the ZipInfo, not from the archive (Python 3.13 renames the attribute)."""
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    level = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
    setattr(info, level, COMPRESS_LEVEL)
    return info


def _document(
    document: bytes, streamed: Streamed | None, links: _Relationships, out: IO[bytes]
) -> None:
    mark = f"<!--{MARKER}-->".encode()
    found = document.count(mark)
    if streamed is None:
        if found:
            raise ValueError("the document marks a table to stream but no rows were given")
        out.write(document)
        return
    if found != 1:
        raise ValueError(f"{found} streamed-table markers in the document, expected 1")
    head, tail = document.split(mark)
    twips = [round(w * kit.TWIPS_PER_MM) for w in streamed.widths_mm]
    xml = kit.RowXml(twips, set(streamed.numeric), links.rid)
    with _Compressing(out) as pipe:
        pipe.write(head)
        pending: list[bytes] = []
        for row in streamed.rows(xml):
            pending.append(row)
            if len(pending) >= CHUNK_ROWS:
                pipe.write(b"".join(pending))
                pending.clear()
                links.flush()
        pipe.write(b"".join(pending))
        links.flush()
        pipe.write(tail)


class _Compressing:
    """Chunks handed to a thread that compresses and writes them into the archive's member.

    zlib, the CRC and the file all let go of the GIL, so the next rows are made while the last
    ones are compressed. The queue is short: a few chunks in flight, whatever the table's size.
    """

    def __init__(self, member: IO[bytes]) -> None:
        self.member = member
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="docx-compress", daemon=True)

    def __enter__(self) -> _Compressing:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error

    def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def _run(self) -> None:
        try:
            while (chunk := self.queue.get()) is not None:
                self.member.write(chunk)
        except BaseException as error:  # handed to the writing thread, which raises it
            self.error = error
            while self.queue.get() is not None:  # let the writer finish putting
                pass


class _Relationships:
    """The part's relationships as python-docx wrote them, then one per streamed hyperlink.

    Their ids take a prefix no existing id starts with, so they can never collide.
    """

    def __init__(self, spool: IO[bytes], rels: bytes) -> None:
        self.spool, self.count = spool, 0
        self.pending: list[str] = []
        close = rels.rfind(b"</Relationships>")
        if close < 0:  # no relationship yet: <Relationships .../>
            close = rels.rfind(b"/>")
            self.head, self.tail = rels[:close] + b">", b"</Relationships>"
        else:
            self.head, self.tail = rels[:close], rels[close:]
        taken = [found.decode() for found in _REL_ID.findall(rels)]
        self.prefix = "rIdRow"
        while any(rid.startswith(self.prefix) for rid in taken):
            self.prefix += "x"
        self.line = (
            f'<Relationship Id="{self.prefix}%d" Type={quoteattr(RT.HYPERLINK)} '
            'Target=%s TargetMode="External"/>'
        )

    def rid(self, url: str) -> str:
        self.count = number = self.count + 1
        target = f'"{url}"' if _NOT_PLAIN_ATTR.search(url) is None else quoteattr(kit.clean(url))
        self.pending.append(self.line % (number, target))
        return f"{self.prefix}{number}"

    def flush(self) -> None:
        self.spool.write("".join(self.pending).encode())
        self.pending.clear()

    def finish(self, out: IO[bytes]) -> None:
        self.flush()
        out.write(self.head)
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out, 1 << 20)
        out.write(self.tail)


_EMPTY_RELS = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
)
