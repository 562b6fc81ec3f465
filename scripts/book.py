#!/usr/bin/env python3
"""The book's commands, for every author and CI. Needs only Python 3.11+ and pip; creates .venv itself.

    python3 scripts/book.py COMMAND [ARGS...]   (without a command: the list of commands)

The commands live in the package booktools (booktools/cli.py, standard library
only). This file only starts them, as `python3 -m booktools ...` from the
repository root, where Python finds the package before .venv exists.
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    if sys.version_info < (3, 11):  # noqa: UP036 (any python3 may start this file)
        sys.exit("book.py: Python 3.11 or newer is needed, this is " + sys.version.split()[0])
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)  # with it set, python -m would not look in the repository root
    try:
        sys.exit(subprocess.call([sys.executable, "-m", "booktools"] + sys.argv[1:], cwd=ROOT, env=env))
    except KeyboardInterrupt:
        sys.exit(130)
