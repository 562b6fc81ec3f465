"""Facts about the project that must agree across its files."""

import re
import subprocess
import sys
import tomllib

from booktools import ROOT, cli
from booktools.checks import CELL_TIMEOUT_S
from utils import CPU_VARIANTS, kernel_env

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_python_floor_is_the_same_everywhere():
    # tomllib (used by the tests and the tooling) needs Python 3.11.
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py311"
    book = (ROOT / "scripts" / "book.py").read_text()  # the entry point checks, before booktools is imported
    assert "sys.version_info < (3, 11)" in book and "Python 3.11 or newer" in book
    assert re.search(r"Needs only Python 3\.11\+", book)
    for doc in ("README.md", "front/how_to_use.md"):
        mentioned = set(re.findall(r"Python (3\.\d+)", (ROOT / doc).read_text()))
        assert mentioned == {"3.11"}, (doc, mentioned)


def test_book_py_runs_every_cpu_variant_of_utils():
    threads = cli.CPU_VARIANTS  # written out there: the commands run before .venv (torch) exists
    assert list(threads) == list(CPU_VARIANTS)
    assert all(threads[v] == int(kernel_env(v)["OMP_NUM_THREADS"]) for v in CPU_VARIANTS), threads


def test_landing_page_names_the_pinned_and_the_newer_torch():
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    intro = " ".join((ROOT / "intro.md").read_text().split())
    assert f"made with PyTorch {pins['torch']} and pytorch-lightning {pins['pytorch-lightning']}" in intro
    assert f"last run on PyTorch {cli.NEWER_TORCH}" in intro


def test_one_cell_timeout_everywhere():
    addopts = PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
    assert f"--nbval-cell-timeout={CELL_TIMEOUT_S}" in addopts
    for script in ("booktools/execute.py", "booktools/compat.py", "tests/test_colab.py"):
        source = (ROOT / script).read_text()
        assert "timeout=CELL_TIMEOUT_S" in source and not re.search(r"timeout=\d", source), script


def test_colours_are_written_once_in_the_palette():
    for module in ("utils/plotting.py", "utils/graph.py", "utils/training.py"):
        source = (ROOT / module).read_text()
        assert not re.findall(r"#[0-9a-fA-F]{6}\b", source), f"{module} writes a colour itself: use utils/_palette.py"


def test_the_commands_need_only_the_standard_library(tmp_path):
    """scripts/book.py runs booktools.cli before .venv exists: without site-packages, it must still start."""
    # -S: no site-packages (no torch, no nbformat, not even the editable install); -E: no PYTHONPATH.
    direct = subprocess.run([sys.executable, "-S", "-E", "-m", "booktools"], cwd=ROOT, capture_output=True, text=True)
    assert direct.returncode == 2 and "python3 scripts/book.py lint" in direct.stdout, direct.stdout + direct.stderr
    # The entry point, from another folder: it starts the package from the repository root.
    entry = subprocess.run([sys.executable, ROOT / "scripts" / "book.py"], cwd=tmp_path, capture_output=True, text=True)
    assert entry.returncode == 2 and entry.stdout == direct.stdout, entry.stdout + entry.stderr


def test_no_module_is_found_by_path_tricks():
    """The tooling is one importable package (booktools): no edit of the module search path, no load by file path."""
    tricks = re.compile(r"\bsys\.path\b|spec_from_file_locatio[n]|SourceFileLoade[r]|\brunpy\b")
    skip = {".venv", ".venv-compat", "_build", "node_modules", "build", ".git"}
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ROOT.rglob("*.py"))
        if not skip.intersection(path.relative_to(ROOT).parts)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if tricks.search(line)
    ]
    assert not found, "\n".join(found)
