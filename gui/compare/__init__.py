"""Compare runs (issue 5): pin runs, draw them over the live one with a legend, reproduce the
tutorial's figures, export the compared loss histories as one CSV.

`CompareController(model, loss_plot)` is the one entry point.
"""

from gui.compare.controller import CompareController

__all__ = ["CompareController"]
