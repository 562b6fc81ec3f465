"""Structural checks of a chapter notebook, shared by the tests, the execute command and the pre-commit hook.

nbval compares stored outputs with fresh ones, but it silently passes a code
cell that was never executed (no stored output, ``execution_count: null``).
These checks close that gap and hold every chapter to the book's shape.
``check_notebook`` returns a list of problems; an empty list means the
notebook is fine. From the command line (the pre-commit hook does this)::

    python -m booktools.checks chapters/01_tensors.ipynb front/context.ipynb
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import nbformat
import yaml
from nbformat import NotebookNode
from nbval.plugin import find_comment_markers, find_metadata_tags

from booktools import ROOT

#: The setup cell every notebook starts with, with a placeholder for a chapter's imports.
SETUP_TEMPLATE = Path(__file__).with_name("setup_cell.txt")
CHAPTER_IMPORTS = "# CHAPTER IMPORTS"

#: The longest one notebook cell may run, in seconds: under nbval (pyproject's
#: --nbval-cell-timeout, a test checks), `book.py execute`, `book.py compat`
#: and the Colab simulation alike.
CELL_TIMEOUT_S = 600
#: Share of code cells that may be exempt from output comparison.
MAX_EXEMPT_SHARE = 0.15
#: A stored notebook larger than this is too heavy for readers and diffs.
MAX_NOTEBOOK_BYTES = 1_000_000
MIN_EXERCISES = 5


#: Text that must never appear in a stored output: machine-specific paths
#: (a warning prints the kernel's temporary file; a traceback prints where
#: packages are installed) and object addresses, which change every run.
FORBIDDEN_OUTPUT = [
    (re.compile(r"/tmp/ipykernel_\d+"), "a kernel temp path (a warning?)"),
    (re.compile(r"(/tmp/|/work/|/home/|/root/|/Users/|/usr/|/opt/|[\w-]/site-packages)"), "a machine-specific path"),
    (re.compile(r"\bat 0x[0-9a-fA-F]+>"), "an object address in a repr"),
]
#: Source patterns the book forbids: the book runs offline, and loading a
#: pickle without ``weights_only=True`` runs whatever code the file holds.
FORBIDDEN_SOURCE = [
    (
        re.compile(r"(download\s*=\s*True|urlretrieve|requests\.get|wget |curl |hf_hub_download|from_pretrained)"),
        "downloads at run time (the book runs offline)",
    ),
    (re.compile(r"torch\.load\((?![^)]*weights_only\s*=\s*True)"), "calls torch.load without weights_only=True"),
]
#: The value of a cell's last expression must not be a plotting call's return
#: value (``Text(0.5, 1.0, 'title')``, ``[<matplotlib.lines.Line2D ...>]``):
#: end plotting cells with ``plt.show()``.
PLOT_RESULT = re.compile(r"^(\[?<matplotlib\.|Text\(|<Figure size|<Axes)")


def repository_url() -> str:
    """The repository URL, written once in _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return str(config["repository"]["url"])


def repository_branch() -> str:
    """The branch the website's launch buttons point at, written once in _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return str(config["repository"]["branch"])


def book_version() -> str:
    """The version of `utils`, written once: ``__version__`` in utils/__init__.py (pyproject reads it too)."""
    found = re.search(r'^__version__ = "([^"]+)"', (ROOT / "utils" / "__init__.py").read_text(), re.MULTILINE)
    if not found:
        raise ValueError('utils/__init__.py has no __version__ = "..." line')
    return found.group(1)


def book_ref() -> str:
    """The git ref the setup cell installs `utils` from in Colab: ``v`` + the package version."""
    return "v" + book_version()


_BOOK_REF_VALUE = re.compile(r'^(BOOK_REF = )"[^"]*"', re.MULTILINE)


def with_book_ref(source: str) -> str:
    """``source`` with its ``BOOK_REF = "..."`` set to :func:`book_ref` (as `book.py execute` sets setup cells)."""
    return _BOOK_REF_VALUE.sub(lambda m: f'{m.group(1)}"{book_ref()}"', source, count=1)


def nbval_options(cell: NotebookNode) -> dict[str, bool]:
    """The options nbval (strict ``--nbval``) runs a code cell with, parsed by nbval itself.

    nbval reads markers on any comment line (``# NBVAL_IGNORE_OUTPUT``,
    ``# NBVAL_SKIP``, ...) and their lower-case dashed forms as cell tags;
    comments win over tags. This mirrors ``IPyNbFile.collect`` in nbval 0.11.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbval warns about conflicting markers; the options are what counts
        options = dict(find_metadata_tags(cell.metadata))
        options.update(find_comment_markers(cell.source))
    options.setdefault("check", True)  # strict mode: every unmarked cell is compared
    return options


def is_exempt(cell: NotebookNode) -> bool:
    """True if nbval does not compare this code cell's output (it is ignored or skipped)."""
    options = nbval_options(cell)
    return not options["check"] or options.get("skip", False)


def _output_texts(cell: NotebookNode) -> Iterator[str]:
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif out.output_type in ("execute_result", "display_data"):
            yield out.get("data", {}).get("text/plain", "")
        elif out.output_type == "error":
            yield "\n".join(out.traceback)


def check_setup_cell(source: str) -> list[str]:
    """Problems of a first code cell compared with booktools/setup_cell.txt."""
    head, tail = with_book_ref(SETUP_TEMPLATE.read_text()).rstrip("\n").split(CHAPTER_IMPORTS)
    tail = tail.split("\n", 1)[1]  # drop the rest of the placeholder line
    problems = []
    if not source.startswith(head) or not source.rstrip("\n").endswith(tail):
        problems.append("the first code cell is not the shared setup cell (booktools/setup_cell.txt)")
    else:
        middle = source[len(head) : len(source.rstrip("\n")) - len(tail)]
        extra = [ln for ln in middle.splitlines() if ln.strip() and not re.match(r"(import|from) \w", ln)]
        if extra:
            problems.append(f"the setup cell adds lines other than imports: {extra}")
    url = re.search(r'^BOOK_REPO = "([^"]+)"', source, re.MULTILINE)
    if not url or url.group(1) != repository_url():
        found = url.group(1) if url else None
        problems.append(f"setup cell BOOK_REPO is {found!r}, _config.yml says {repository_url()!r}")
    ref = re.search(r'^BOOK_REF = "([^"]+)"', source, re.MULTILINE)
    if not ref or ref.group(1) != book_ref():
        found = ref.group(1) if ref else None
        problems.append(
            f"setup cell BOOK_REF is {found!r}, utils.__version__ says {book_ref()!r} (book.py execute sets it)"
        )
    return problems


def _check_file(path: Path, nb: NotebookNode) -> list[str]:
    problems = []
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        problems.append(f"notebook is {path.stat().st_size} bytes, more than {MAX_NOTEBOOK_BYTES}")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        problems.append(f"invalid notebook: {err.message}")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec name is not 'python3'")
    cells = nb.cells
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.startswith("# "):
        problems.append("the first cell is not a markdown '# Title' cell")
    return problems


def _check_execution(code: list[NotebookNode]) -> list[str]:
    """Executed, in order, top to bottom: execution counts are exactly 1..n; the setup cell comes first."""
    problems = []
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        unexecuted = sum(c is None for c in counts)
        problems.append(
            f"code cells were not all executed in order 1..{len(code)} "
            f"({unexecuted} never executed; counts start {counts[:8]})"
        )
    problems += check_setup_cell(code[0].source)
    if "hide-input" not in code[0].metadata.get("tags", []):
        problems.append("the setup cell is not tagged hide-input (the website folds it, showing its output)")
    return problems


def _check_exemptions(code: list[NotebookNode]) -> list[str]:
    """At most 15% of code cells exempt from comparison, each followed by a checked cell with output."""
    problems = []
    exempt = [i for i, c in enumerate(code) if is_exempt(c)]
    if len(exempt) > MAX_EXEMPT_SHARE * len(code):
        problems.append(f"{len(exempt)} of {len(code)} code cells are exempt from output checks (max 15%)")
    for i in exempt:
        if i + 1 >= len(code) or is_exempt(code[i + 1]) or not code[i + 1].outputs:
            problems.append(f"exempt code cell {i + 1} is not followed by a checked cell with output")
    return problems


def _check_code_cell(i: int, cell: NotebookNode) -> list[str]:
    """Errors only where tagged, no stderr, nothing machine-specific, no forbidden source, no plot reprs."""
    problems = []
    tags = cell.metadata.get("tags", [])
    has_error = any(o.output_type == "error" for o in cell.outputs)
    if has_error and "raises-exception" not in tags:
        problems.append(f"code cell {i} stores an error but is not tagged raises-exception")
    if "raises-exception" in tags and not has_error:
        problems.append(f"code cell {i} is tagged raises-exception but stores no error")
    if any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs) and not is_exempt(cell):
        problems.append(f"code cell {i} writes to stderr (a warning or log line?)")
    for text in _output_texts(cell):
        problems += [f"code cell {i} output contains {what}" for pat, what in FORBIDDEN_OUTPUT if pat.search(text)]
    problems += [f"code cell {i} {what}" for pattern, what in FORBIDDEN_SOURCE if pattern.search(cell.source)]
    for out in cell.outputs:
        if out.output_type == "execute_result" and PLOT_RESULT.match(out.data.get("text/plain", "")):
            problems.append(f"code cell {i} shows a plotting call's return value (end it with plt.show())")
    return problems


def _check_chapter_end(cells: list[NotebookNode]) -> list[str]:
    """A chapter ends with a summary and exercises, with at least MIN_EXERCISES folded solutions."""
    problems = []
    headings = [ln for c in cells if c.cell_type == "markdown" for ln in c.source.splitlines()]
    for heading in ("## Summary", "## Exercises"):
        if heading not in headings:
            problems.append(f"no '{heading}' heading")
    if "## Exercises" in headings:
        start = next(i for i, c in enumerate(cells) if "## Exercises" in c.source.splitlines())
        solutions = [c for c in cells[start:] if c.cell_type == "code" and "hide-cell" in c.metadata.get("tags", [])]
        if len(solutions) < MIN_EXERCISES:
            problems.append(f"{len(solutions)} exercise solutions (code cells tagged hide-cell), need {MIN_EXERCISES}")
        problems += [
            f"exercise solution {k} is not folded in JupyterLab (metadata jupyter.source_hidden)"
            for k, cell in enumerate(solutions, start=1)
            if cell.metadata.get("jupyter", {}).get("source_hidden") is not True
        ]
        problems += _check_exercise_headings(cells[start:])
    return problems


# An exercise opens a paragraph as "**N. ★★ Title.**": numbered from 1, with its tier.
EXERCISE = re.compile(r"^\*\*(\d+)\.\s*(\S*)")
TIERS = ("★", "★★", "★★★")  # recall, apply, extend (STYLE.md)


def _check_exercise_headings(cells: list[NotebookNode]) -> list[str]:
    """Exercises numbered 1, 2, ..., each with its tier; exactly one of them open-ended."""
    found = [
        (match.group(1), match.group(2), line)
        for c in cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if (match := EXERCISE.match(line))
    ]
    problems = []
    numbers = [int(number) for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"exercises are numbered {numbers}, expected 1 to {len(numbers)} in order")
    problems += [
        f"exercise {number} has no tier ({' '.join(TIERS)}) after its number: {line[:40]!r}"
        for number, tier, line in found
        if tier not in TIERS
    ]
    open_ended = sum("Open-ended" in line for _, _, line in found)
    if open_ended != 1:
        problems.append(f"{open_ended} open-ended exercises (a title starting 'Open-ended:'), need exactly 1")
    return problems


def is_chapter(path: Path) -> bool:
    """Whether a notebook is held to the chapter rules: every notebook outside ``front/`` is."""
    return Path(path).resolve().parent.name != "front"


def check_notebook(path: Path, chapter: bool = True) -> list[str]:
    """Return the structural problems of one notebook.

    Chapter notebooks (``chapters/``) must also end with a summary and
    exercises; front- and back-matter notebooks (``front/``) need not.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    problems = _check_file(path, nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code:
        return [*problems, "no code cells"]
    problems += _check_execution(code) + _check_exemptions(code)
    for i, cell in enumerate(code, start=1):
        problems += _check_code_cell(i, cell)
    return problems + _check_chapter_end(nb.cells) if chapter else problems


def main(argv: list[str]) -> int:
    """Check the given notebooks (chapter rules except in ``front/``); print each problem; 1 if there was one."""
    if not argv:
        print("usage: python -m booktools.checks NOTEBOOK [NOTEBOOK ...]")
        return 2
    failed = False
    for name in argv:
        for problem in check_notebook(Path(name), chapter=is_chapter(Path(name))):
            failed = True
            print(f"{name}: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
