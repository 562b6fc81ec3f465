"""The Chinese edition: gettext catalogs of the English book, their checks, and the tools to fill them.

The English pages are the source. Sphinx's gettext builder extracts every
paragraph, heading, list item and table cell of the markdown (code cells are
not extracted) into one template per page (``_config.yml``:
``gettext_compact: false``); ``sphinx-intl`` turns the templates into
``locales/zh_CN/LC_MESSAGES/<page>.po`` catalogs, keeping what was already
translated and marking changed messages fuzzy. CONTRIBUTING.md describes the
workflow.

Commands (``python -m booktools.i18n ...``, or ``python3 scripts/book.py i18n``
for ``update``):

- ``update``: extract the templates and update every catalog from them;
- ``check [PO ...]``: the problems of catalogs (all by default): untranslated,
  fuzzy or obsolete messages, and translations whose markup (inline code,
  roles, link targets, math) differs from the English;
- ``dump PO``: the catalog's messages as JSON (``[{"id", "str", "where"}]``),
  for a translator's editor;
- ``apply PO JSON``: write the ``str`` of a JSON list like ``dump``'s back
  into the catalog (matched by ``id``), clearing their fuzzy flags.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from booktools import ROOT

LANGUAGE = "zh_CN"
LOCALES = ROOT / "locales"
CATALOGS = LOCALES / LANGUAGE / "LC_MESSAGES"
TERMS = LOCALES / LANGUAGE / "terms.tsv"  # English term, Chinese term: the edition's terminology
EXTRACTION = ROOT / "_build" / "i18n"  # its own doctrees: an html build's do not fit the gettext builder
GETTEXT = EXTRACTION / "_build" / "gettext"
BIN = Path(sys.executable).parent

# Markup that a translation must carry over unchanged, as in the English message.
ROLE = re.compile(r"\{(\w+)\}`([^`]*)`")  # {term}`tensor`, {cite}`key`; a title may change: {term}`张量 <tensor>`
CODE = re.compile(r"(?<![}`])`([^`]+)`")  # inline code that is not a role's content
LINK_TARGET = re.compile(r"\]\(([^)\s]*)\)")  # [text](target): the target stays
MATH = re.compile(r"(?<![\\$])\$([^$\n]+)\$")  # $x_i$


def _role_targets(text: str) -> list[tuple[str, str]]:
    targets = []
    for role, content in ROLE.findall(text):
        titled = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content, flags=re.S)
        targets.append((role, titled.group(2) if titled else content))
    return targets


def markup(text: str) -> dict[str, Counter[object]]:
    """What of ``text`` a translation must keep: role targets, inline code, link targets and math."""
    without_roles = ROLE.sub("", text)
    return {
        "roles": Counter(_role_targets(text)),
        "inline code": Counter(CODE.findall(without_roles)),
        "link targets": Counter(LINK_TARGET.findall(text)),
        "math": Counter(MATH.findall(without_roles)),
    }


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """How ``msgstr`` differs from ``msgid`` in the markup it must keep (empty if it does not)."""
    problems = []
    english, chinese = markup(msgid), markup(msgstr)
    for kind, wanted in english.items():
        got = chinese[kind]
        if got != wanted:
            missing, extra = sorted(map(str, wanted - got)), sorted(map(str, got - wanted))
            problems.append(f"{kind} differ: missing {missing}, added {extra}")
    return problems


@dataclass
class Problem:
    catalog: str
    msgid: str
    what: str

    def __str__(self) -> str:
        short = self.msgid if len(self.msgid) <= 70 else self.msgid[:67] + "..."
        return f"{self.catalog}: {self.what}: {short!r}"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def write_catalog(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, width=0)


def check_catalog(path: Path, *, require_complete: bool = True) -> list[Problem]:
    """The problems of one catalog: untranslated, fuzzy, obsolete, markup changed."""
    name = path.relative_to(CATALOGS).as_posix() if path.is_relative_to(CATALOGS) else str(path)
    catalog = read_catalog(path)
    problems = [Problem(name, str(m.id), "obsolete (no longer in the English)") for m in catalog.obsolete.values()]
    for message in catalog:
        if not message.id:
            continue  # the header
        msgid, msgstr = str(message.id), str(message.string or "")
        if message.fuzzy:
            problems.append(Problem(name, msgid, "fuzzy (the English changed; check the translation)"))
        if not msgstr:
            if require_complete:
                problems.append(Problem(name, msgid, "untranslated"))
            continue
        problems += [Problem(name, msgid, what) for what in markup_problems(msgid, msgstr)]
    return problems


def catalogs() -> list[Path]:
    return sorted(CATALOGS.rglob("*.po"))


def extract() -> Path:
    """Build the gettext templates of the English book into _build/gettext; return that folder."""
    shutil.rmtree(EXTRACTION, ignore_errors=True)
    command = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(EXTRACTION),
               "--builder", "custom", "--custom-builder", "gettext"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"gettext build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return GETTEXT


def update() -> None:
    """Extract the templates and update (or create) every catalog of LANGUAGE from them."""
    templates = extract()
    command = [str(BIN / "sphinx-intl"), "update", "-p", str(templates), "-d", str(LOCALES), "-l", LANGUAGE, "-w", "0"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)


def dump(path: Path) -> list[dict[str, object]]:
    return [
        {"id": str(m.id), "str": str(m.string or ""), "where": [f"{f}:{n}" for f, n in m.locations]}
        for m in read_catalog(path)
        if m.id
    ]


def apply(path: Path, entries: list[dict[str, object]]) -> int:
    """Write each entry's ``str`` into the message with its ``id``; return how many were written."""
    catalog = read_catalog(path)
    written = 0
    for entry in entries:
        message = catalog.get(str(entry["id"]))
        if message is None:
            raise KeyError(f"{path.name}: no message {str(entry['id'])[:70]!r}")
        if entry.get("str"):
            message.string = str(entry["str"])
            message.flags.discard("fuzzy")
            written += 1
    write_catalog(path, catalog)
    return written


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"update", "check", "dump", "apply"}:
        print(__doc__.strip())
        return 2
    command, args = argv[0], argv[1:]
    if command == "update":
        update()
        print(f"book.py i18n: {len(catalogs())} catalogs updated in {CATALOGS.relative_to(ROOT)}")
        return 0
    if command == "dump":
        print(json.dumps(dump(Path(args[0])), ensure_ascii=False, indent=1))
        return 0
    if command == "apply":
        count = apply(Path(args[0]), json.loads(Path(args[1]).read_text(encoding="utf-8")))
        print(f"{count} translations written into {args[0]}")
        return 0
    paths = [Path(a).resolve() for a in args] or catalogs()
    problems = [p for path in paths for p in check_catalog(path)]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problems in {len(paths)} catalogs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
