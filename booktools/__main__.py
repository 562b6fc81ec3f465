"""``python3 -m booktools COMMAND ...``: the book's commands (booktools.cli), as ``scripts/book.py`` starts them."""

import sys

from booktools.cli import main

sys.exit(main(sys.argv[1:]))
