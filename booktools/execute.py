"""Re-run chapter notebooks top to bottom in a fresh kernel and store the outputs.

Run it through `python3 scripts/book.py execute [NOTEBOOK ...]` (all chapters
when none is named), which starts `python -m booktools.execute` in .venv. It uses the same environment as the test suite
(`utils.DETERMINISTIC_ENV`: one thread, a fixed CPU kernel set), so the stored
outputs are the ones `pytest --nbval` reproduces. Afterwards it runs the
structural checks of booktools/checks.py on each notebook.

Two things in the stored outputs are tidied, neither of which nbval compares
differently. Consecutive pieces of the same stream are merged and carriage
returns applied, as a notebook front end shows them (a progress bar would
otherwise be stored as one output per update). And in the traceback of an error
that a cell shows on purpose (tagged ``raises-exception``), the folders where
Python and its packages are installed on this machine, and the checkout
itself (``utils`` is installed editable), become ``...``, so a frame reads
``File .../torch/_tensor.py:623, in Tensor.backward(...)``. nbval compares only an error's name and
message, never its traceback, and readers should not see the author's paths.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from booktools import ROOT
from booktools.checks import CELL_TIMEOUT_S, check_notebook, is_chapter, with_book_ref
from utils.reproducibility import DETERMINISTIC_ENV

#: Install locations to hide in stored tracebacks, longest first.
INSTALL_DIRS = sorted(
    {(sysconfig.get_paths()["purelib"], "..."), (sysconfig.get_paths()["stdlib"], "..."), (str(ROOT), "...")},
    key=lambda pair: -len(pair[0]),
)


def shorten_paths(text: str) -> str:
    """Replace this machine's install folders in ``text`` with short placeholders."""
    for folder, placeholder in INSTALL_DIRS:
        text = text.replace(folder, placeholder)
    return text


_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def merge_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Merge consecutive outputs of the same stream and apply carriage returns."""
    merged: list[NotebookNode] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    for output in merged:
        if output.output_type == "stream":
            output.text = _CARRIAGE_RETURN.sub("", output.text)
    return merged


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    setup = next((cell for cell in nb.cells if cell.cell_type == "code"), None)
    if setup is not None:  # the release of utils that Colab installs: utils.__version__ (a release is one edit)
        setup.source = with_book_ref(setup.source)
    started = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        record_timing=False,  # no timestamps in cell metadata: clean diffs
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = time.perf_counter() - started
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = merge_streams(cell.outputs)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [shorten_paths(line) for line in output.traceback]
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    os.environ.update(DETERMINISTIC_ENV)  # inherited by the kernel
    paths = [Path(a).resolve() for a in argv] or sorted(
        [*(ROOT / "chapters").glob("*.ipynb"), *(ROOT / "front").glob("*.ipynb")]
    )
    failed = False
    for path in paths:
        print(f"executing {os.path.relpath(path, ROOT)} ...", flush=True)
        print(f"  {execute(path):.1f} s", flush=True)
        for problem in check_notebook(path, chapter=is_chapter(path)):
            failed = True
            print(f"  problem: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
