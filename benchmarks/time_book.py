"""Wall time of the book's three long commands, for the issue notes (never a test).

    python3 benchmarks/time_book.py [--repeat N] [--skip-execute]

Times `scripts/book.py test`, `scripts/book.py build` and, unless skipped,
`scripts/book.py execute` on a copy of the chapters (the stored notebooks are
not touched). Prints the median of N runs for each. Goals (issue 2, on a
2-core machine): tests under 5 minutes, site build under 60 seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = [sys.executable, str(ROOT / "scripts" / "book.py")]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-execute", action="store_true")
    args = parser.parse_args()
    timed([*BOOK, "lint"])  # make sure .venv exists before anything is timed

    results: dict[str, list[float]] = {"test": [], "build": [], "execute": []}
    for _ in range(args.repeat):
        results["test"].append(timed([*BOOK, "test", "-q"]))
        results["build"].append(timed([*BOOK, "build"]))
        if not args.skip_execute:
            with tempfile.TemporaryDirectory() as tmp:
                copies = []
                for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
                    copies.append(str(shutil.copy(nb, tmp)))
                results["execute"].append(timed([*BOOK, "execute", *copies]))
    for name, times in results.items():
        if times:
            print(f"{name:8s} median {statistics.median(times):6.1f} s over {len(times)} run(s)")


if __name__ == "__main__":
    main()
