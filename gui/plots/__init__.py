"""The plots: the loss curve, matrix heatmaps, and the Qt items and axes they are drawn with
(painted by Qt without holding Python's GIL: see plot_widgets.py)."""
