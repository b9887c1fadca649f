"""The text of the F1 help window."""

HELP_HTML = """
<h2>Matrix Descent</h2>
<p>Computes the inverse, pseudo-inverse or SVD of the matrix M on the left by gradient
descent, the way the tutorial does with PyTorch autograd, and shows every step.</p>
<ul>
<li><b>Loss</b>: the mean of the squared residual R, e.g. R = X·M − I. The curve is on a log
scale: a straight line downwards means the error shrinks by the same factor every step.</li>
<li><b>Error heatmap</b>: R itself; white is zero, red positive, blue negative.</li>
<li><b>Estimate heatmap</b>: the current X (or U·S·Vᵀ for the SVD).</li>
<li><b>Learning rate</b>: above the stable limit shown next to it, each step overshoots
and the loss grows; the run then pauses and suggests a stable value.</li>
</ul>
<h3>Keys</h3>
<table>
<tr><td><b>Space</b></td><td>Play / Pause</td></tr>
<tr><td><b>Right</b> or <b>N</b></td><td>one step</td></tr>
<tr><td><b>R</b></td><td>reset to iteration 0 (same seed, same numbers)</td></tr>
<tr><td><b>Ctrl+O</b> / <b>Ctrl+S</b></td><td>open / save the matrix</td></tr>
<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>undo / redo a matrix edit</td></tr>
<tr><td><b>Ctrl+C</b> / <b>Ctrl+V</b></td><td>copy / paste cells (tab or comma separated)</td></tr>
</table>
<p>Hover over a control for the formula it changes; hover over a plot to read values.</p>
"""
