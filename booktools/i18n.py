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
  into the catalog (matched by ``id``), clearing their fuzzy flags;
- ``site``: build the Chinese website into ``_build/html/zh`` (after the
  English one: ``python3 scripts/book.py build`` runs both);
- ``notebooks``: write the Chinese notebooks (``zh/chapters/*.ipynb``,
  ``zh/front/*.ipynb``): the English notebook with
  its markdown cells translated by the page's catalog; code cells and stored
  outputs unchanged (program output is real output, in English). Pages listed
  in ``locales/zh_CN/complete.txt`` must be translated completely.
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

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from markdown_it import MarkdownIt

from booktools import ROOT

LANGUAGE = "zh_CN"
LOCALES = ROOT / "locales"
CATALOGS = LOCALES / LANGUAGE / "LC_MESSAGES"
TERMS = LOCALES / LANGUAGE / "terms.tsv"  # English term, Chinese term: the edition's terminology
EXTRACTION = ROOT / "_build" / "i18n"  # its own doctrees: an html build's do not fit the gettext builder
GETTEXT = EXTRACTION / "_build" / "gettext"
COMPLETE = LOCALES / LANGUAGE / "complete.txt"  # the pages whose translation is finished (and must stay so)
NOTEBOOKS = ROOT / "zh"  # the Chinese notebooks, at the English ones' paths below it (Colab opens them there)
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


_RENDER = MarkdownIt("commonmark")


def _literal_stars(text: str) -> int:
    """How many ``*`` the rendered ``text`` shows as characters (emphasis that did not close), code left out."""
    html = re.sub(r"<code>.*?</code>", "", _RENDER.render(text), flags=re.S)
    return html.count("*")


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """How ``msgstr`` differs from ``msgid`` in the markup it must keep (empty if it does not)."""
    problems = []
    if _literal_stars(msgstr) > _literal_stars(msgid):
        problems.append("emphasis not closed: a '*' or '**' shows as text (after full-width punctuation, add a space)")
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
    command = [
        str(BIN / "jupyter-book"),
        "build",
        str(ROOT),
        "--path-output",
        str(EXTRACTION),
        "--builder",
        "custom",
        "--custom-builder",
        "gettext",
    ]
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


# -- Chinese notebooks ------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark").enable("table")


def translations(page: str) -> dict[str, str]:
    """The finished translations of a page's catalog (``page``: e.g. ``chapters/01_tensors``), by message."""
    path = CATALOGS / f"{page}.po"
    if not path.is_file():
        return {}
    return {str(m.id): str(m.string) for m in read_catalog(path) if m.id and m.string and not m.fuzzy}


def _replace_in_row(line: str, key: str, text: str) -> str:
    cells = line.split("|")
    return "|".join(f" {text} " if cell.strip() == key else cell for cell in cells)


def translate_markdown(source: str, translated: dict[str, str]) -> tuple[str, list[str]]:
    """``source`` with each paragraph, heading, list item and table cell replaced by its translation.

    Messages are matched as Sphinx's gettext builder extracts them: the
    block's inline source with line breaks as spaces. A translated block
    becomes one line, after the block's prefix (``## ``, ``- ``, ``> ``).
    Returns the new source and the blocks left in English (no translation).
    """
    lines = source.split("\n")
    blocks: list[tuple[int, int, str]] = []
    in_table, missing = False, []
    for token in _MARKDOWN.parse(source):
        if token.type in ("table_open", "table_close"):
            in_table = token.type == "table_open"
        if token.type != "inline" or token.map is None:
            continue
        key = token.content.replace("\n", " ").strip()
        if key not in translated:
            if re.search(r"[A-Za-z]{2}", ROLE.sub("", CODE.sub("", key))):
                missing.append(key)
            continue
        start, end = token.map
        if in_table:
            lines[start] = _replace_in_row(lines[start], key, translated[key])
        else:
            blocks.append((start, end, key))
    for start, end, key in sorted(blocks, reverse=True):
        first = key.split(" ")[0]
        prefix = lines[start][: max(lines[start].find(first), 0)]
        lines[start:end] = [prefix + translated[key]]
    return "\n".join(lines), missing


def translate_notebook(path: Path) -> tuple[nbformat.NotebookNode, list[str]]:
    """The Chinese notebook of the English notebook ``path``, and the blocks its catalog left in English."""
    page = path.resolve().relative_to(ROOT).with_suffix("").as_posix()
    translated = translations(page)
    notebook = nbformat.read(path, as_version=4)
    missing: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source, left = translate_markdown(cell.source, translated)
            missing += left
    return notebook, missing


def complete_pages() -> list[str]:
    if not COMPLETE.is_file():
        return []
    lines = (line.strip() for line in COMPLETE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def chinese_notebook_path(page: str) -> Path:
    return NOTEBOOKS / f"{page}.ipynb"


def english_notebooks() -> list[Path]:
    return sorted([*(ROOT / "chapters").glob("*.ipynb"), *(ROOT / "front").glob("*.ipynb")])


def write_notebooks() -> list[Path]:
    """Write the Chinese notebook of every English notebook; return their paths.

    A page listed in complete.txt must have a translation for every block.
    The others keep the blocks that are not translated yet in English.
    """
    complete, written = set(complete_pages()), []
    for english in english_notebooks():
        page = english.relative_to(ROOT).with_suffix("").as_posix()
        notebook, missing = translate_notebook(english)
        if missing and page in complete:
            raise ValueError(f"{page}: {len(missing)} blocks have no translation, first {missing[0][:70]!r}")
        target = chinese_notebook_path(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


# -- The Chinese website -------------------------------------------------------------

SITE_SUBFOLDER = "zh"  # the Chinese pages live at <site>/zh/, next to the English ones
TITLE = "可执行的 PyTorch"  # intro.po's translation of the English title


def chinese_config(source: Path, target: Path) -> Path:
    """Write the Chinese edition's _config.yml (the English one, in zh_CN) to ``target``; return it."""
    import yaml

    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = TITLE
    config["sphinx"]["config"]["language"] = LANGUAGE
    config["repository"]["path_to_book"] = SITE_SUBFOLDER  # Colab opens zh/<page>.ipynb
    extensions = config["sphinx"]["local_extensions"]  # relative to the config file: make them absolute
    config["sphinx"]["local_extensions"] = {name: str(source / path) for name, path in extensions.items()}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def chinese_toc(source: Path, target: Path) -> Path:
    """Write _toc.yml with its part captions translated (by intro's catalog) to ``target``; return it.

    The sidebar takes the captions from the table of contents itself, which
    the catalogs do not reach.
    """
    import yaml

    toc = yaml.safe_load((source / "_toc.yml").read_text(encoding="utf-8"))
    captions = translations("intro")
    for part in toc.get("parts", []):
        part["caption"] = captions.get(part["caption"], part["caption"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def build_chinese_site(source: Path, out: Path, html: Path) -> Path:
    """Build the Chinese edition of the book in ``source`` (work folder ``out``) into ``html``/zh; return it.

    Its download buttons give the Chinese notebooks: their copies replace the
    English ones among the page sources.
    """
    config = chinese_config(source, out / "_config.zh.yml")
    toc = chinese_toc(source, out / "_toc.zh.yml")
    command = [
        str(BIN / "jupyter-book"),
        "build",
        str(source),
        "--config",
        str(config),
        "--toc",
        str(toc),
        "--path-output",
        str(out),
        "--warningiserror",
        "--keep-going",
    ]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"jupyter-book build (zh_CN) failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr}"
        )
    target = html / SITE_SUBFOLDER
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(out / "_build" / "html"), target)
    for notebook in (source / SITE_SUBFOLDER).rglob("*.ipynb"):
        page = notebook.relative_to(source / SITE_SUBFOLDER)
        if (target / "_sources" / page).is_file():
            shutil.copyfile(notebook, target / "_sources" / page)
    return target


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"update", "check", "dump", "apply", "notebooks", "site"}:
        print(__doc__.strip())
        return 2
    command, args = argv[0], argv[1:]
    if command == "update":
        update()
        print(f"book.py i18n: {len(catalogs())} catalogs updated in {CATALOGS.relative_to(ROOT)}")
        return 0
    if command == "site":
        build_chinese_site(ROOT, ROOT / "_build" / "zh_CN", ROOT / "_build" / "html")
        return 0
    if command == "notebooks":
        for path in write_notebooks():
            print("written:", path.relative_to(ROOT))
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
