"""The book's tooling: the commands of ``python3 scripts/book.py``, the notebook checks, execution, the site.

Modules:

- :mod:`booktools.cli`: the commands (``test``, ``build``, ``execute``, ``lint``,
  ``portability``, ``compat``); ``python3 scripts/book.py`` starts it as
  ``python3 -m booktools`` before ``.venv`` exists, so it and this file use
  only the standard library;
- :mod:`booktools.checks`: the structural checks of a notebook (tests,
  ``execute`` and the pre-commit hook run them; ``python -m booktools.checks NOTEBOOK ...``);
- :mod:`booktools.execute`: re-runs notebooks and stores their outputs (``book.py execute``);
- :mod:`booktools.compat`: runs the notebooks on a newer torch, says what changes (``book.py compat``);
- :mod:`booktools.site`: builds, reads and serves the website for tests/test_site.py.

The package is installed editable into ``.venv`` with ``utils`` (pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

#: The repository: the folder that holds this package.
ROOT = Path(__file__).resolve().parent.parent
