"""The static subpage never serves half a page: every file is replaced whole, a crash in the
middle of a publication leaves whole pages (the old ones, or the old and some new ones that the
next run completes), and two workers writing one site lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from channels.static_site import store
from tests.channels.test_static_site import found, listed_titles, parse, post, site_in

ROOT = Path(__file__).resolve().parents[2]


class Crash(BaseException):
    """The process dying where it stands (not an error any code would catch and handle)."""


def whole(path: Path, data: bytes | None = None) -> None:
    """The file parses as what it is: HTML strictly and ending with </html>, XML, JSON."""
    data = path.read_bytes() if data is None else data
    if path.name.endswith(".html"):
        assert data.rstrip().endswith(b"</html>"), path
        parse(data)
    elif path.name.endswith(".xml"):
        etree.fromstring(data)
    elif path.name.endswith(".json"):
        json.loads(data)


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if store.TEMP_MARK in p.name]


def test_at_every_swap_the_old_and_the_new_file_are_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page is written beside its place, synced, then renamed over the old one: at the
    instant of the rename both files are complete and in the same folder."""
    site = site_in(tmp_path / "site", page_size=2)
    site.publish(post(1))
    rename = os.replace
    swaps: list[str] = []

    def checked(source: Any, target: Any) -> None:
        source, target = Path(source), Path(target)
        assert source.parent == target.parent and store.TEMP_MARK in source.name
        whole(target if target.exists() else source)
        whole(target, source.read_bytes())
        swaps.append(target.name)
        rename(source, target)

    monkeypatch.setattr(os, "replace", checked)
    for number in range(2, 6):
        site.publish(post(number))
    site.update(post(3, title="Bài 3 đã sửa"), found(site, post(3)))
    site.remove(found(site, post(2)))
    assert {"index.html", "trang-2.html", "atom.xml", "rss.xml", "manifest.json"} <= set(swaps)
    assert swaps.count("manifest.json") == 6 and swaps[-1] == "manifest.json"  # the index last


def test_a_reader_reading_all_along_never_sees_a_partial_file(tmp_path: Path) -> None:
    site = site_in(tmp_path / "site", page_size=3)
    site.publish(post(1))
    root = tmp_path / "site"
    watched = [root / name for name in ("index.html", "trang-2.html", "atom.xml", "rss.xml")]
    watched += [root / "sitemap.xml", root / "chu-de/i.html", root / store.MANIFEST]
    done = threading.Event()
    reads: list[int] = []
    failures: list[BaseException] = []

    def reader() -> None:
        count = 0
        while not done.is_set() or count == 0:
            for path in watched:
                try:
                    data = path.read_bytes()
                except FileNotFoundError:
                    continue  # trang-2.html before there are four posts
                try:
                    whole(path, data)
                except BaseException as error:  # reported in the main thread
                    failures.append(error)
                    return
                count += 1
        reads.append(count)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for number in range(2, 22):
            site.publish(post(number))
    finally:
        done.set()
        thread.join()
    assert failures == []
    assert reads and reads[0] > 0
    assert len(listed_titles(site, "index.html")) == 3


def test_a_crash_while_writing_leaves_every_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_in(tmp_path / "site")
    for number in range(1, 4):
        site.publish(post(number))
    root = tmp_path / "site"
    before = files(root)
    staged = store.stage
    calls = iter(range(1000))

    def dies_on_the_fifth(path: Path, data: bytes) -> Path:
        if next(calls) == 4:
            raise Crash
        return staged(path, data)

    monkeypatch.setattr(store, "stage", dies_on_the_fifth)
    with pytest.raises(Crash):
        site.publish(post(4))
    assert files(root) == before  # the old pages, the old index: nothing of post 4
    assert leftovers(root) == []
    assert site.find(post(4), found(site, post(1)).published_at) is None


def test_a_crash_between_renames_leaves_whole_pages_and_the_retry_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_in(tmp_path / "site")
    for number in range(1, 4):
        site.publish(post(number))
    root = tmp_path / "site"
    manifest = (root / store.MANIFEST).read_bytes()
    rename = os.replace
    renames = iter(range(1000))

    def dies_on_the_third(source: Any, target: Any) -> None:
        if "media" not in str(target) and next(renames) == 2:
            raise Crash
        rename(source, target)

    monkeypatch.setattr(os, "replace", dies_on_the_third)
    with pytest.raises(Crash):
        site.publish(post(4))
    monkeypatch.setattr(os, "replace", rename)
    for path in root.rglob("*"):
        if path.is_file() and store.TEMP_MARK not in path.name:
            whole(path)
    assert (root / store.MANIFEST).read_bytes() == manifest  # not recorded as published
    assert site.find(post(4), found(site, post(1)).published_at) is None
    # A real crash leaves its staged files behind; the next writer sweeps them.
    (root / f".index.html{store.TEMP_MARK}dead").write_bytes(b"<!DOCTYPE html><p>half")
    receipt = site.publish(post(4))  # the worker's retry
    assert leftovers(root) == []
    assert listed_titles(site, "index.html")[0] == post(4).title
    assert found(site, post(4)) == receipt
    assert len(json.loads((root / store.MANIFEST).read_text("utf-8"))["posts"]) == 4


def test_two_threads_publishing_to_one_site_lose_nothing(tmp_path: Path) -> None:
    failures: list[BaseException] = []

    def worker(first: int) -> None:
        site = site_in(tmp_path / "site", page_size=50)  # its own adapter, as each worker has
        try:
            for number in range(first, first + 8):
                site.publish(post(number))
        except BaseException as error:  # reported in the main thread
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(first,)) for first in (1, 101)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    site = site_in(tmp_path / "site", page_size=50)
    titles = listed_titles(site, "index.html")
    assert sorted(titles) == sorted(post(n).title for n in [*range(1, 9), *range(101, 109)])


WORKER = """
import sys
from pathlib import Path
from tests.channels.test_static_site import post, site_in
site = site_in(Path(sys.argv[1]), page_size=50)
for number in range(int(sys.argv[2]), int(sys.argv[2]) + 6):
    site.publish(post(number))
"""


def test_two_processes_publishing_to_one_site_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(folder), str(first)], cwd=ROOT)
        for first in (1, 201)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    manifest = json.loads((folder / store.MANIFEST).read_text("utf-8"))
    assert sorted(p["post_id"] for p in manifest["posts"].values()) == [
        *range(1, 7),
        *range(201, 207),
    ]
    assert len(listed_titles(site_in(folder, page_size=50), "index.html")) == 12
