"""The book's colours, written once and shared by :mod:`utils.plotting` and :mod:`utils.graph`."""

from __future__ import annotations

#: Light fills that tell kinds of things apart (broadcast operands, graph nodes).
BLUE = "#8fbce6"
ORANGE = "#f5b971"
GREEN = "#a8d5a2"
#: Solid colours for data drawn on axes.
BAR = "#5b8fc9"
PATH = "#d62728"
#: The colour map of storage cells, from the first to the last element.
CELL_CMAP = "YlGnBu"
