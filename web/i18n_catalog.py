"""The gettext catalogue of the pages' words, read from its .po file at start-up.

`web/locale/vi/LC_MESSAGES/loa.po` is what translators edit (Poedit, or any .po editor):
- keyed entries: `msgctxt` is the key templates and code pass to `t()`, `msgid` the English,
  `msgstr` the Vietnamese;
- plain entries (no `msgctxt`): the English of a `{{ _("...") }}` or `{% trans %}` in a template.
The .po is compiled in memory when the process starts, so no .mo file can fall out of date.

`python -m web.i18n_catalog update` rewrites `web/locale/loa.pot` (the keyed entries plus what
`pybabel extract` finds with pyproject.toml's [tool.babel] mappings) and merges it into each
language's .po, as `pybabel update` would; docs/translating.md says how to use it.
"""

from __future__ import annotations

import gettext
import sys
import tomllib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAIN = "loa"
LOCALE_DIR = Path(__file__).parent / "locale"
TEMPLATE_PATH = LOCALE_DIR / f"{DOMAIN}.pot"
TRANSLATED = ("vi",)  # English is the source language: its words are the msgids themselves
PROJECT_ROOT = Path(__file__).parent.parent
WIDTH = 100  # the .po lines' width, as the code's: fewer wrapped lines in reviews


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Loaded:
    """One language's catalogue: the keyed words and a gettext object for the plain ones."""

    keyed: dict[str, tuple[str, str]]  # key -> (Vietnamese, English)
    translations: gettext.NullTranslations


def read_catalogue(path: Path, lang: str = "vi") -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    # No locations: the keys say where a word is used, and line numbers would churn every diff.
    write_po(buffer, catalogue, width=WIDTH, no_location=True)
    path.write_bytes(buffer.getvalue())


def keyed_words(catalogue: Catalog) -> dict[str, tuple[str, str]]:
    """key -> (Vietnamese, English); an untranslated or fuzzy entry shows its English."""
    words: dict[str, tuple[str, str]] = {}
    for message in catalogue:
        english, vietnamese = message.id, message.string
        if not english or not message.context or not isinstance(english, str):
            continue
        translated = isinstance(vietnamese, str) and vietnamese and not message.fuzzy
        words[message.context] = (str(vietnamese) if translated else english, english)
    return words


def compiled(catalogue: Catalog) -> gettext.GNUTranslations:
    """The catalogue as the standard library's gettext reads a .mo file, built in memory."""
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load(lang: str = "vi") -> Loaded:
    path = po_path(lang)
    if not path.exists():
        return Loaded({}, gettext.NullTranslations())
    catalogue = read_catalogue(path, lang)
    return Loaded(keyed_words(catalogue), compiled(catalogue))


def new_catalogue(lang: str | None = "vi") -> Catalog:
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment="# The words of Loa's pages: see docs/translating.md.\n#",
        project="Loa",
        version="1",
        copyright_holder="Loa",
        fuzzy=False,
    )


def _babel_mappings() -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as source:
        config = tomllib.load(source)["tool"]["babel"]
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, Any]] = {}
    for mapping in config["mappings"]:
        options = {k: v for k, v in mapping.items() if k not in ("method", "pattern")}
        method_map.append((mapping["pattern"], mapping["method"]))
        options_map[mapping["pattern"]] = options
    return method_map, options_map


def build_template() -> Catalog:
    """The keyed entries of the Vietnamese .po plus every `_()` the templates and code hold."""
    template = new_catalogue(None)
    for message in read_catalogue(po_path("vi")):
        if message.id and message.context:
            template.add(message.id, context=message.context, auto_comments=message.auto_comments)
    method_map, options_map = _babel_mappings()
    for filename, lineno, text, comments, context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map
    ):
        template.add(text, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return template


def update() -> None:
    template = build_template()
    write_catalogue(template, TEMPLATE_PATH)
    for lang in TRANSLATED:
        catalogue = read_catalogue(po_path(lang), lang)
        catalogue.update(template)
        write_catalogue(catalogue, po_path(lang))


def main(argv: list[str]) -> int:
    if argv != ["update"]:
        print("usage: python -m web.i18n_catalog update", file=sys.stderr)
        return 2
    update()
    print(f"updated {TEMPLATE_PATH.relative_to(PROJECT_ROOT)} and {len(TRANSLATED)} catalogue(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
