"""The Chinese edition cannot lag behind the English one (booktools/i18n.py; CONTRIBUTING.md, "The Chinese edition").

- Every catalog in locales/zh_CN holds exactly the messages that the English
  pages give today (none missing, none obsolete), each translated, none fuzzy,
  with the markup of its English message.
- Every Chinese notebook in zh/ is what the English notebook and its catalog
  produce: translated markdown, the English code cells and stored outputs.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from booktools import ROOT, i18n

TOC_PAGES = sorted(
    line.split("file:")[1].strip()
    for line in (ROOT / "_toc.yml").read_text(encoding="utf-8").splitlines()
    if "file:" in line
) + ["intro"]


@pytest.fixture(scope="module")
def templates():
    """The English book's messages, page by page, extracted now (the gettext build, about 10 s)."""
    folder = i18n.extract()
    return {
        path.relative_to(folder).with_suffix("").as_posix(): i18n.read_catalog(path) for path in folder.rglob("*.pot")
    }


def test_every_page_is_translated_completely():
    assert sorted(i18n.complete_pages()) == sorted(TOC_PAGES), "locales/zh_CN/complete.txt must list every page"
    problems = [str(p) for path in i18n.catalogs() for p in i18n.check_catalog(path)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_catalogs_hold_the_messages_of_the_english_pages(templates):
    catalogs = {path.relative_to(i18n.CATALOGS).with_suffix("").as_posix(): path for path in i18n.catalogs()}
    assert sorted(catalogs) == sorted(templates), "run `python3 scripts/book.py i18n` (see CONTRIBUTING.md)"
    stale = []
    for page, template in templates.items():
        english = {str(m.id) for m in template if m.id}
        translated = {str(m.id) for m in i18n.read_catalog(catalogs[page]) if m.id}
        stale += [f"{page}: new English message, not in the catalog: {m[:70]!r}" for m in sorted(english - translated)]
        stale += [f"{page}: obsolete message: {m[:70]!r}" for m in sorted(translated - english)]
    assert not stale, "the English changed: run `python3 scripts/book.py i18n`, then translate\n" + "\n".join(stale)


def test_terms_file_is_a_two_column_list():
    rows = [line.split("\t") for line in i18n.TERMS.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    assert len(rows) > 100
    assert all(len(row) in (2, 3) and row[0] and row[1] for row in rows), [row for row in rows if len(row) < 2]
    english = [row[0] for row in rows]
    assert len(english) == len(set(english)), "a term is listed twice"


@pytest.mark.parametrize("english", i18n.english_notebooks(), ids=lambda p: p.stem)
def test_chinese_notebook_is_made_from_the_english_one(english):
    page = english.relative_to(ROOT).with_suffix("").as_posix()
    stored = nbformat.read(i18n.chinese_notebook_path(page), as_version=4)
    made, missing = i18n.translate_notebook(english)
    assert not missing, f"blocks without a translation: {missing[:3]}"
    assert json.dumps(stored, sort_keys=True) == json.dumps(made, sort_keys=True), (
        f"zh/{page}.ipynb is stale: run `python3 -m booktools.i18n notebooks`"
    )
    source = nbformat.read(english, as_version=4)
    assert [c.cell_type for c in stored.cells] == [c.cell_type for c in source.cells]
    for chinese_cell, english_cell in zip(stored.cells, source.cells, strict=True):
        if english_cell.cell_type == "code":
            assert chinese_cell == english_cell  # code, outputs and metadata: the English notebook's
        else:
            assert chinese_cell.source != english_cell.source or not any(c.isalpha() for c in english_cell.source)


def test_no_chinese_notebook_without_an_english_one():
    english = {p.relative_to(ROOT).with_suffix("").as_posix() for p in i18n.english_notebooks()}
    chinese = {p.relative_to(i18n.NOTEBOOKS).with_suffix("").as_posix() for p in i18n.NOTEBOOKS.rglob("*.ipynb")}
    assert chinese == english


# -- The tools themselves ------------------------------------------------------------------


def test_markup_must_be_kept():
    assert i18n.markup_problems("see `x` and [a](b.ipynb#c)", "见 `x` 和 [甲](b.ipynb#c)") == []
    assert i18n.markup_problems("{term}`tensor` $x_i$", "{term}`张量 <tensor>` $x_i$") == []
    assert i18n.markup_problems("{cite}`paszke2019`", "{cite}`paszke2019`") == []
    wrong = {
        "`x` here": "`y` 这里",
        "[a](b.ipynb#c)": "[甲](b.ipynb#d)",
        "{term}`tensor`": "{term}`张量`",
        "$x_i$ is": "$x_j$ 是",
        "**1. ★ Title.** text": "**1. ★ 标题。**正文",
    }
    for english, chinese in wrong.items():
        assert i18n.markup_problems(english, chinese), (english, chinese)


def test_translate_markdown_replaces_every_kind_of_block():
    source = (
        "## Title\n\nA paragraph\non two lines.\n\n- item one\n  continues;\n- item two\n\n"
        "| a | b |\n|---|---|\n| x | y |\n"
    )
    table = {
        "Title": "标题",
        "A paragraph on two lines.": "一段。",
        "item one continues;": "第一项；",
        "item two": "第二项",
        "a": "甲",
        "b": "乙",
        "x": "丙",
        "y": "丁",
    }
    translated, missing = i18n.translate_markdown(source, table)
    assert missing == []
    assert translated == "## 标题\n\n一段。\n\n- 第一项；\n- 第二项\n\n| 甲 | 乙 |\n|---|---|\n| 丙 | 丁 |\n"
    _, missing = i18n.translate_markdown(source, {k: v for k, v in table.items() if k != "item two"})
    assert missing == ["item two"]
