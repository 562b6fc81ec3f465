"""Re-run chapter notebooks top to bottom in a fresh kernel and store the outputs.

Run it through `python3 scripts/book.py execute [NOTEBOOK ...]` (all chapters
when none is named). It uses the same environment as the test suite
(`utils.DETERMINISTIC_ENV`: one thread, a fixed CPU kernel set), so the stored
outputs are the ones `pytest --nbval` reproduces. Afterwards it runs the
structural checks of tests/notebook_checks.py on each notebook.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from notebook_checks import check_notebook  # noqa: E402

from utils.reproducibility import DETERMINISTIC_ENV  # noqa: E402


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        record_timing=False,  # no timestamps in cell metadata: clean diffs
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    elapsed = time.perf_counter() - started
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    os.environ.update(DETERMINISTIC_ENV)  # inherited by the kernel
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    failed = False
    for path in paths:
        print(f"executing {path.relative_to(ROOT)} ...", flush=True)
        print(f"  {execute(path):.1f} s", flush=True)
        for problem in check_notebook(path):
            failed = True
            print(f"  problem: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
