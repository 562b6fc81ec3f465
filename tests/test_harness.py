"""The regression harness can fail: break what it guards and watch it catch it.

A copy of a chapter with one stored number changed must fail nbval, while the
unchanged copy passes; a copy with its outputs stripped (which nbval alone
would pass) must fail the structural checks.
"""

import os
import re
import subprocess
import sys

import nbformat
import pytest

from booktools import ROOT
from booktools.checks import check_notebook, is_exempt

CHAPTER = ROOT / "chapters" / "01_tensors.ipynb"
SANITIZE = ROOT / "tests" / "sanitize.cfg"


def first_checked_number(nb) -> tuple[int, int]:
    """Index of the first checked code cell after the setup cell whose output has a digit, and that output."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for i in code[1:]:
        cell = nb.cells[i]
        if is_exempt(cell) or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for k, out in enumerate(cell.outputs):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            if re.search(r"\d", text):
                return i, k
    raise AssertionError("no checked output with a number in the chapter")


def bump_first_digit(text: str) -> str:
    return re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), text, count=1)


def test_changed_number_fails_nbval_and_unchanged_copy_passes(tmp_path):
    nb = nbformat.read(CHAPTER, as_version=4)
    index, k = first_checked_number(nb)
    nb.cells = nb.cells[: index + 1]  # the chapter up to that cell: enough, and quick
    nbformat.write(nb, tmp_path / "unchanged.ipynb")

    out = nb.cells[index].outputs[k]
    if "text" in out:
        out.text = bump_first_digit(out.text)
    else:
        out.data["text/plain"] = bump_first_digit(out.data["text/plain"])
    nbformat.write(nb, tmp_path / "changed.ipynb")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "--nbval-current-env",
            f"--nbval-sanitize-with={SANITIZE}",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "-rf",
            "unchanged.ipynb",
            "changed.ipynb",
        ],
        cwd=tmp_path,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    failed = re.findall(r"^FAILED (\S+)", report, re.MULTILINE)
    assert len(failed) == 1 and failed[0].startswith("changed.ipynb"), report
    assert re.search(r"\b1 failed\b", report), report


def test_stripped_outputs_fail_the_structural_check(tmp_path):
    nb = nbformat.read(CHAPTER, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, tmp_path / "stripped.ipynb")
    problems = check_notebook(tmp_path / "stripped.ipynb")
    assert any("not all executed" in p for p in problems), problems


def test_out_of_order_execution_fails_the_structural_check(tmp_path):
    nb = nbformat.read(CHAPTER, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[1].execution_count, code[2].execution_count = code[2].execution_count, code[1].execution_count
    nbformat.write(nb, tmp_path / "shuffled.ipynb")
    assert any("in order" in p for p in check_notebook(tmp_path / "shuffled.ipynb"))


def test_untagged_error_and_stray_stderr_fail_the_structural_check(tmp_path):
    nb = nbformat.read(CHAPTER, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[1].outputs.append(nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[]))
    code[2].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="UserWarning: careful\n"))
    nbformat.write(nb, tmp_path / "broken.ipynb")
    problems = check_notebook(tmp_path / "broken.ipynb")
    assert any("not tagged raises-exception" in p for p in problems), problems
    assert any("stderr" in p for p in problems), problems


def test_foreign_setup_cell_fails_the_structural_check(tmp_path):
    nb = nbformat.read(CHAPTER, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    setup.source = setup.source.replace("github.com/", "example.org/")
    nbformat.write(nb, tmp_path / "foreign.ipynb")
    problems = check_notebook(tmp_path / "foreign.ipynb")
    assert any("BOOK_REPO" in p for p in problems), problems


@pytest.mark.parametrize(
    "marker", ["# NBVAL_IGNORE_OUTPUT\n", "pass\n# NBVAL_IGNORE_OUTPUT\n"], ids=["first-line", "below-line-1"]
)
def test_too_many_exempt_cells_fail_the_structural_check(tmp_path, marker):
    nb = nbformat.read(CHAPTER, as_version=4)
    for cell in [c for c in nb.cells if c.cell_type == "code"][1::2]:
        cell.source = marker + cell.source
    nbformat.write(nb, tmp_path / "lax.ipynb")
    problems = check_notebook(tmp_path / "lax.ipynb")
    assert any("exempt from output checks" in p for p in problems), problems


@pytest.mark.parametrize(
    ("source", "tags", "exempt"),
    [
        ("# NBVAL_IGNORE_OUTPUT\nprint(1)", [], True),
        ("import time\n# NBVAL_IGNORE_OUTPUT\nprint(time.time())", [], True),  # a marker on line 2
        ("x = 1\n    #   NBVAL_SKIP  \n", [], True),
        ("# PYTEST_VALIDATE_IGNORE_OUTPUT\nprint(1)", [], True),  # nbval's old name
        ("print(1)", ["nbval-ignore-output"], True),
        ("print(1)", ["nbval-skip"], True),
        ("# NBVAL_CHECK_OUTPUT\nprint(1)", ["nbval-ignore-output"], False),  # the comment wins over the tag
        ("print(1)  # NBVAL_IGNORE_OUTPUT", [], False),  # not a comment line: nbval checks the cell
        ("print(1)", ["raises-exception"], False),  # compared (error name and value)
        ("print(1)", [], False),
    ],
)
def test_exempt_means_exactly_what_nbval_skips(source, tags, exempt):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
    assert is_exempt(cell) is exempt


def test_an_object_address_in_an_output_fails_the_structural_check(tmp_path):
    nb = nbformat.read(CHAPTER, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[2].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="<Net object at 0x7f3b2c1d0e50>\n"))
    nbformat.write(nb, tmp_path / "address.ipynb")
    problems = check_notebook(tmp_path / "address.ipynb")
    assert any("object address" in p for p in problems), problems


def test_the_checks_command_fails_on_a_broken_notebook_only(tmp_path):
    """`python -m booktools.checks NOTEBOOK ...` (the pre-commit hook): exit 1 and the problem, for a bad notebook."""
    nb = nbformat.read(CHAPTER, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, tmp_path / "stripped.ipynb")
    front = sorted((ROOT / "front").glob("*.ipynb"))  # held to the rules of front matter: no exercises needed
    command = [sys.executable, "-m", "booktools.checks", str(CHAPTER), *map(str, front)]
    good = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert good.returncode == 0 and not good.stdout, good.stdout + good.stderr
    bad = subprocess.run([*command, "stripped.ipynb"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.startswith("stripped.ipynb: code cells were not all executed"), bad.stdout
    assert all(line.startswith("stripped.ipynb: ") for line in bad.stdout.splitlines()), bad.stdout


def exercises_changed(tmp_path, change) -> list[str]:
    """The structural problems of the Tensors chapter after `change(exercise_cells, solutions)`."""
    nb = nbformat.read(CHAPTER, as_version=4)
    start = next(i for i, c in enumerate(nb.cells) if "## Exercises" in c.source.splitlines())
    text = [c for c in nb.cells[start:] if c.cell_type == "markdown"]
    solutions = [c for c in nb.cells[start:] if "hide-cell" in c.metadata.get("tags", [])]
    change(text, solutions)
    nbformat.write(nb, tmp_path / "changed.ipynb")
    return check_notebook(tmp_path / "changed.ipynb")


def test_the_chapter_passes_the_exercise_checks(tmp_path):
    assert exercises_changed(tmp_path, lambda text, solutions: None) == []


def test_an_unfolded_solution_fails_the_structural_check(tmp_path):
    problems = exercises_changed(tmp_path, lambda text, solutions: solutions[2].metadata.pop("jupyter"))
    assert problems == ["exercise solution 3 is not folded in JupyterLab (metadata jupyter.source_hidden)"]


def test_an_exercise_without_tier_fails_the_structural_check(tmp_path):
    def drop_first_tier(text, solutions):
        cell = next(c for c in text if re.search(r"^\*\*2\. ★+ ", c.source, re.M))
        cell.source = re.sub(r"^\*\*2\. ★+ ", "**2. ", cell.source, flags=re.M)

    problems = exercises_changed(tmp_path, drop_first_tier)
    assert len(problems) == 1 and problems[0].startswith("exercise 2 has no tier"), problems


def test_misnumbered_and_open_ended_exercises_fail_the_structural_check(tmp_path):
    def break_numbers(text, solutions):
        for cell in text:
            cell.source = cell.source.replace("**3. ", "**4. ").replace("Open-ended:", "Open:")

    problems = exercises_changed(tmp_path, break_numbers)
    assert any("numbered [1, 2, 4, 4" in p for p in problems), problems
    assert any("0 open-ended exercises" in p for p in problems), problems
