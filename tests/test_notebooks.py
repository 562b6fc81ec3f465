"""Structure of the book: the table of contents and every chapter notebook.

nbval (run by the same test command over chapters/) checks that each stored
output is what the code produces today; these tests check what nbval cannot.
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from booktools import ROOT
from booktools.checks import SETUP_TEMPLATE, book_ref, check_notebook, repository_url

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
FRONT = sorted((ROOT / "front").glob("*.ipynb"))  # front and back matter with code


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    return files


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks in chapters/"


def test_toc_lists_exactly_the_chapter_notebooks():
    listed = [f for f in toc_files() if f.startswith("chapters/")]
    on_disk = [str(p.relative_to(ROOT).with_suffix("")) for p in CHAPTERS]
    assert sorted(listed) == on_disk, "_toc.yml and chapters/ disagree"
    assert len(listed) == len(set(listed)), "_toc.yml lists a chapter twice"
    assert listed == sorted(listed), "chapters are not listed in file-name order"


def test_toc_files_exist():
    for name in toc_files():
        assert any((ROOT / (name + ext)).exists() for ext in (".md", ".ipynb")), f"{name} in _toc.yml is missing"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_structure(path: Path):
    problems = check_notebook(path)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", FRONT, ids=lambda p: p.name)
def test_front_matter_notebook_structure(path: Path):
    problems = check_notebook(path, chapter=False)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_every_notebook_is_in_the_table_of_contents():
    listed = set(toc_files())
    for path in [*CHAPTERS, *FRONT]:
        assert str(path.relative_to(ROOT).with_suffix("")) in listed, f"{path.name} is not in _toc.yml"


def test_build_output_is_never_collected(tmp_path):
    """A site build copies notebooks into _build/; pytest must not test those copies."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "sanitize.cfg", tmp_path / "tests")
    chapter = next(iter(CHAPTERS))
    for folder in ("chapters", "_build/jupyter_execute", "_build/html/_sources/chapters"):
        (tmp_path / folder).mkdir(parents=True)
        shutil.copy(chapter, tmp_path / folder)
    for where in ([], ["."]):  # the configured test paths, and the whole tree
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", *where],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        collected = [line for line in result.stdout.splitlines() if "::" in line]
        assert collected, result.stdout + result.stderr
        assert all(line.startswith("chapters/") for line in collected), result.stdout


def test_repository_url_is_the_configured_one_everywhere():
    """Pages and notebooks name the book's repository exactly as _config.yml does.

    A GitHub address with the book's owner or the book's repository name is a
    mention of the book (perhaps a stale one); other projects' addresses are fine.
    """
    url = repository_url()
    owner, name = url.removeprefix("https://github.com/").split("/")
    pattern = re.compile(r"github\.com/([\w.-]+)/([\w.-]+?)(?:\.git|/|\"|\)|\s|$)")
    files = [*ROOT.glob("*.md"), *CHAPTERS, SETUP_TEMPLATE]
    mentions = 0
    for path in files:
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
        else:
            text = path.read_text()
        for found_owner, found_name in pattern.findall(text):
            if found_owner == owner or found_name == name:
                mentions += 1
                assert (found_owner, found_name) == (owner, name), (
                    f"{path.name} names github.com/{found_owner}/{found_name}, _config.yml says {url}"
                )
    assert mentions >= 1 + len(CHAPTERS), "expected the setup cells and the landing page to name the repository"


def test_landing_page_links_every_chapter():
    intro = (ROOT / "intro.md").read_text()
    for path in CHAPTERS:
        assert f"(chapters/{path.name})" in intro, f"intro.md does not link {path.name}"


def test_the_version_is_written_once():
    import importlib.metadata
    import tomllib

    import utils

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "utils.__version__"}
    assert importlib.metadata.version("pytorch-book-utils") == utils.__version__  # what pip installed
    assert book_ref() == "v" + utils.__version__
    assert 'BOOK_REF = "vX.Y.Z"' in (SETUP_TEMPLATE).read_text()  # a placeholder, not a copy


def test_execute_sets_book_ref_from_the_version():
    from booktools.checks import with_book_ref

    cell = 'BOOK_REPO = "x"\nBOOK_REF = "v0.0.1"  # the release\nprint(BOOK_REF)\n'
    assert with_book_ref(cell) == f'BOOK_REPO = "x"\nBOOK_REF = "{book_ref()}"  # the release\nprint(BOOK_REF)\n'


def test_setup_cell_installs_the_pinned_versions():
    """What the setup cell installs in Colab has the versions requirements.txt pins."""
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith(("#", "-"))
    )
    pip_line = next(line for line in (SETUP_TEMPLATE).read_text().splitlines() if "%pip" in line)
    quoted = [arg for arg in shlex.split(pip_line.split("install", 1)[1]) if not arg.startswith(("-", "{"))]
    assert quoted, "the setup cell installs no pinned package"
    for requirement in quoted:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement!r} in the setup cell has no pinned version"
        assert name != "torch", "the setup cell must never install torch"
        assert pins.get(name) == version, f"setup cell pins {requirement}, requirements.txt says {pins.get(name)}"
