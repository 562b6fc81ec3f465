"""Run the notebooks on another PyTorch and say what changes.

Run it through `python3 scripts/book.py compat` (which builds the side
environment `.venv-compat` with a newer torch and starts this module,
`python -m booktools.compat`, with that environment's Python). Every notebook runs top to bottom in a fresh
kernel of this interpreter, with the book's kernel environment
(`utils.DETERMINISTIC_ENV`), in its own folder as under nbval; the notebook
file is not written. Then, cell by cell, against the stored outputs:

- a cell that raises where the stored one does not is a failure (exit code 1);
- a cell that writes to stderr, or prints other text, is reported.

Timing cells (exempt from nbval) and progress bars print other text on every
run; they are listed separately so that real changes stand out. The report
is also written as JSON to `_build/compat-report.json`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from booktools import ROOT
from booktools.checks import CELL_TIMEOUT_S, is_exempt
from utils.reproducibility import DETERMINISTIC_ENV

REPORT = ROOT / "_build" / "compat-report.json"
#: What changed in one notebook: for each kind ("new_errors", "stderr", "text",
#: "varying"), one entry per cell: its number and the texts.
Found = dict[str, list[dict[str, Any]]]


def printed_text(cell: NotebookNode) -> str:
    """What a cell printed or returned, as nbval compares it (stdout, text/plain, error name and value)."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def stderr_text(cell: NotebookNode) -> str:
    return "".join(out.text for out in cell.outputs if out.output_type == "stream" and out.name == "stderr")


def raised(cell: NotebookNode) -> str | None:
    errors = [out for out in cell.outputs if out.output_type == "error"]
    return f"{errors[0].ename}: {errors[0].evalue.splitlines()[0] if errors[0].evalue else ''}" if errors else None


def compare(stored: NotebookNode, fresh: NotebookNode) -> Found:
    """Cell-by-cell differences between a stored notebook and a fresh run of it."""
    found: Found = {"new_errors": [], "stderr": [], "text": [], "varying": []}
    code = [(s, f) for s, f in zip(stored.cells, fresh.cells, strict=True) if s.cell_type == "code"]
    for number, (old, new) in enumerate(code, start=1):
        error = raised(new)
        if error and not raised(old):
            found["new_errors"].append({"cell": number, "error": error[:500]})
        if stderr_text(new) and not stderr_text(old):
            found["stderr"].append({"cell": number, "stderr": stderr_text(new)[:500]})
        if printed_text(new) != printed_text(old):
            entry = {"cell": number, "stored": printed_text(old)[:300], "now": printed_text(new)[:300]}
            first_line = printed_text(old).split("\n", 1)[0]
            varies = is_exempt(old) or "\r" in printed_text(new) or first_line.startswith("python 3.")
            found["varying" if varies else "text"].append(entry)
    return found


def run(notebook: Path) -> Found:
    """Execute a copy of ``notebook`` in memory, in its own folder as nbval does; the file is not written."""
    stored = nbformat.read(notebook, as_version=4)
    fresh = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        fresh,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    client.execute()
    return compare(stored, fresh)


def main(argv: list[str]) -> int:
    os.environ.update(DETERMINISTIC_ENV)
    import torch

    notebooks = [Path(a).resolve() for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
        (ROOT / "front").glob("*.ipynb")
    )
    results: dict[str, Found] = {}
    for notebook in notebooks:
        name = str(notebook.relative_to(ROOT))
        print(f"compat: {name} on torch {torch.__version__} ...", flush=True)
        found = results[name] = run(notebook)
        for key in ("new_errors", "stderr", "text"):
            for entry in found[key]:
                detail = entry.get("error") or entry.get("stderr") or f"{entry['stored']!r} -> {entry['now']!r}"
                print(f"  cell {entry['cell']} {key}: {detail.strip()[:300]}")
        print(f"  {len(found['varying'])} cells with timings, progress bars or the version line differ, as expected")
    REPORT.parent.mkdir(exist_ok=True)
    report = {"torch": torch.__version__, "notebooks": results}
    REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    errors = sum(len(n["new_errors"]) for n in results.values())
    print(f"compat: torch {torch.__version__}: {errors} cells raise that did not; report in {REPORT.relative_to(ROOT)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
