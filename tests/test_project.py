"""Facts about the project that must agree across its files."""

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
