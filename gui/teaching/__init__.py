"""The teaching layer's views: SVD, pseudo-inverse, gradient, theory on the plot.

`TeachingDock(model, loss_plot, optimal_action)` docks them beside the plots; it follows
the document model's runs and frames.
"""

from gui.teaching.dock import TeachingDock

__all__ = ["TeachingDock"]
