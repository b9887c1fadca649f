"""Compare runs (issue 5): pin runs, draw them over the live one with a legend, reproduce the
tutorial's figures, export the compared loss histories as one CSV.

`install(window)` is the one entry point; it returns the CompareController.
"""

from gui.compare.controller import CompareController, install

__all__ = ["CompareController", "install"]
