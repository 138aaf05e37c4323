"""Moves the hand-made word tables into the gettext catalogue: `python -m web.i18n_migrate`.

Every literal entry of a page module's `add_messages({...})` and of `web/i18n.py`'s `MESSAGES`
goes to `web/locale/vi/LC_MESSAGES/loa.po` (msgctxt the key, msgid the English, msgstr the
Vietnamese) and leaves the source; an entry computed in code (an f-string, a `**{...}`) stays
where it is. The statements are found with `ast`, whole lines are cut, and `ruff format` tidies
the files it changed. Running it again changes nothing. Paths given on the command line limit
it to those files (say, the ones nobody is editing); `--dry-run` only counts.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog

from web import i18n_catalog

WEB_DIR = Path(__file__).parent
RUFF = Path(sys.executable).parent / "ruff"

Words = dict[str, tuple[str, str]]


@dataclass
class Moved:
    words: Words = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    kept: dict[Path, int] = field(default_factory=dict)  # entries computed in code, left in place


def _literal_word(key: ast.expr | None, value: ast.expr) -> tuple[str, tuple[str, str]] | None:
    if key is None:
        return None
    try:
        name, texts = ast.literal_eval(key), ast.literal_eval(value)
    except ValueError:
        return None
    pair = isinstance(texts, tuple) and len(texts) == 2
    if isinstance(name, str) and pair and all(isinstance(text, str) for text in texts):
        return name, (texts[0], texts[1])
    return None


def _table_of(statement: ast.stmt) -> ast.Dict | None:
    """The dict literal of an `add_messages({...})` or a `MESSAGES = {...}` statement."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        named = isinstance(call.func, ast.Name) and call.func.id == "add_messages"
        if named and len(call.args) == 1 and isinstance(call.args[0], ast.Dict):
            return call.args[0]
    if isinstance(statement, ast.AnnAssign | ast.Assign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        named = any(isinstance(t, ast.Name) and t.id == "MESSAGES" for t in targets)
        if named and isinstance(statement.value, ast.Dict) and statement.value.keys:
            return statement.value
    return None


def _replacement(source: str, statement: ast.stmt, table: ast.Dict, kept: list[int]) -> list[str]:
    """The lines that take the statement's place once its literal entries are moved."""
    if isinstance(statement, ast.AnnAssign | ast.Assign):
        head = source.splitlines()[statement.lineno - 1].split("=")[0].rstrip()
        entries = [_entry_text(source, table, index) for index in kept]
        return [f"{head} = {{" + ", ".join(entries) + "}"] if entries else [f"{head} = {{}}"]
    if not kept:
        return []
    lines = ["add_messages(", "    {"]
    lines += [f"        {_entry_text(source, table, index)}," for index in kept]
    return [*lines, "    }", ")"]


def _entry_text(source: str, table: ast.Dict, index: int) -> str:
    key, value = table.keys[index], table.values[index]
    value_text = ast.get_source_segment(source, value, padded=True) or ""
    if key is None:
        return f"**{value_text}"
    return f"{ast.get_source_segment(source, key)}: {value_text}"


def _drop_import(source: str) -> str:
    """`add_messages` out of `from web.i18n import ...` once nothing calls it."""
    tree = ast.parse(source)
    used = any(isinstance(node, ast.Name) and node.id == "add_messages" for node in ast.walk(tree))
    if used:
        return source
    lines = source.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "web.i18n":
            names = [alias for alias in node.names if alias.name != "add_messages"]
            if len(names) == len(node.names):
                continue
            kept = ", ".join(ast.unparse(alias) for alias in names)
            new = [f"from web.i18n import {kept}\n"] if names else []
            lines[node.lineno - 1 : node.end_lineno] = new
            break
    return "".join(lines)


def convert_source(source: str) -> tuple[str, Words, int]:
    """The source without its literal word tables, the words taken out, and how many stayed."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    words: Words = {}
    stayed = 0
    for statement in reversed(tree.body):
        table = _table_of(statement)
        if table is None:
            continue
        kept: list[int] = []
        for index, (key, value) in enumerate(zip(table.keys, table.values, strict=True)):
            word = _literal_word(key, value)
            if word is None:
                kept.append(index)
            else:
                words[word[0]] = word[1]
        if len(kept) == len(table.keys):
            continue
        stayed += len(kept)
        new = [line + "\n" for line in _replacement(source, statement, table, kept)]
        first = statement.lineno - 1
        end = statement.end_lineno or statement.lineno
        if not new:  # the comment that introduced the table goes with it
            while first > 0 and lines[first - 1].lstrip().startswith("#"):
                first -= 1
        lines[first:end] = new
    if not words:
        return source, {}, stayed
    return _drop_import("".join(lines)), words, stayed


def merge_into_catalogue(words: Words, path: Path) -> int:
    """Adds the words (key sorted) to the .po; a key already there takes the source's texts."""
    old = i18n_catalog.read_catalogue(path) if path.exists() else i18n_catalog.new_catalogue()
    keyed: dict[str, tuple[str, str]] = {}
    plain = []
    for message in old:
        if not message.id:
            continue
        if message.context and isinstance(message.id, str):
            keyed[message.context] = (str(message.string or ""), message.id)
        else:
            plain.append(message)
    changed = sum(1 for key, texts in words.items() if keyed.get(key) != texts)
    keyed.update(words)
    new = Catalog(locale=old.locale, domain=old.domain, fuzzy=old.fuzzy)
    new.header_comment = old.header_comment
    new.mime_headers = old.mime_headers
    for key in sorted(keyed):
        vi, en = keyed[key]
        flags = [] if "{" not in en else ["python-brace-format"]
        new.add(en, vi, context=key, flags=flags)
    for message in plain:
        new[message.id] = message
    i18n_catalog.write_catalogue(new, path)
    return changed


def migrate(paths: list[Path], *, dry_run: bool = False) -> Moved:
    moved = Moved()
    for path in paths:
        source = path.read_text(encoding="utf-8")
        converted, words, stayed = convert_source(source)
        if stayed:
            moved.kept[path] = stayed
        if not words:
            continue
        clash = set(words) & set(moved.words)
        if clash:
            raise SystemExit(f"{path}: keys defined twice: {sorted(clash)}")
        moved.words.update(words)
        moved.files.append(path)
        if not dry_run:
            path.write_text(converted, encoding="utf-8")
    if moved.files and not dry_run:
        merge_into_catalogue(moved.words, i18n_catalog.po_path("vi"))
        subprocess.run([str(RUFF), "format", "--quiet", *map(str, moved.files)], check=True)
        i18n_catalog.update()
    return moved


def page_modules() -> list[Path]:
    own = {Path(__file__).resolve(), (WEB_DIR / "i18n_catalog.py").resolve()}
    return [p for p in sorted(WEB_DIR.rglob("*.py")) if p.resolve() not in own]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.i18n_migrate", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help="only these files (default: web/)")
    parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
    options = parser.parse_args(argv)
    moved = migrate(options.paths or page_modules(), dry_run=options.dry_run)
    verb = "would move" if options.dry_run else "moved"
    print(f"{verb} {len(moved.words)} words out of {len(moved.files)} files")
    for path in moved.files:
        print(f"  {path}")
    for path, count in moved.kept.items():
        print(f"  kept {count} computed entries in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
