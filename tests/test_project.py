"""Facts about the project that must agree across its files."""

import ast
import re
import tomllib

from notebook_checks import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_python_floor_is_the_same_everywhere():
    # tomllib (used by the tests and the tooling) needs Python 3.11.
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py311"
    book = (ROOT / "scripts" / "book.py").read_text()
    assert "sys.version_info < (3, 11)" in book and "Python 3.11 or newer" in book
    assert re.search(r"Needs only Python 3\.11\+", book)
    for doc in ("README.md", "front/how_to_use.md"):
        mentioned = set(re.findall(r"Python (3\.\d+)", (ROOT / doc).read_text()))
        assert mentioned == {"3.11"}, (doc, mentioned)


def test_book_py_runs_every_cpu_variant_of_utils():
    from utils import CPU_VARIANTS as variants
    from utils import kernel_env

    book = (ROOT / "scripts" / "book.py").read_text()
    listed = re.search(r"^CPU_VARIANTS = (\{[^}]*\})", book, re.MULTILINE)
    assert listed, "scripts/book.py lists no CPU_VARIANTS"
    threads = ast.literal_eval(listed.group(1))
    assert list(threads) == list(variants)
    assert all(threads[v] == int(kernel_env(v)["OMP_NUM_THREADS"]) for v in variants), threads


def test_landing_page_names_the_pinned_and_the_newer_torch():
    pins = dict(
        line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line
    )
    newer = re.search(r'^NEWER_TORCH = "([^"]+)"', (ROOT / "scripts" / "book.py").read_text(), re.MULTILINE)
    intro = " ".join((ROOT / "intro.md").read_text().split())
    assert f"made with PyTorch {pins['torch']} and pytorch-lightning {pins['pytorch-lightning']}" in intro
    assert newer and f"last run on PyTorch {newer.group(1)}" in intro


def test_one_cell_timeout_everywhere():
    from notebook_checks import CELL_TIMEOUT_S

    addopts = PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
    assert f"--nbval-cell-timeout={CELL_TIMEOUT_S}" in addopts
    for script in ("scripts/execute_notebooks.py", "scripts/compat_notebooks.py", "tests/test_colab.py"):
        source = (ROOT / script).read_text()
        assert "timeout=CELL_TIMEOUT_S" in source and not re.search(r"timeout=\d", source), script


def test_colours_are_written_once_in_the_palette():
    for module in ("utils/plotting.py", "utils/graph.py", "utils/training.py"):
        source = (ROOT / module).read_text()
        assert not re.findall(r"#[0-9a-fA-F]{6}\b", source), f"{module} writes a colour itself: use utils/_palette.py"
