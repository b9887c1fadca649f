"""The F1 help window and its text."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

HELP_HTML = """
<h2>Matrix Descent</h2>
<p>Computes the inverse, pseudo-inverse or SVD of the matrix M on the left by gradient
descent, the way the tutorial does with PyTorch autograd, and shows every step.</p>
<h3>What you see</h3>
<ul>
<li><b>Loss</b>: the mean of the squared residual R, e.g. R = X·M − I. The curve is on a log
scale: a straight line downwards means the error shrinks by the same factor every step. The
dashed line is theory's prediction of that factor.</li>
<li><b>Error heatmap</b>: R itself; white is zero, blue negative, positive red (orange in
projector mode, whose colours colour-blind viewers tell apart). Its colour scale follows the
error down decade by decade.</li>
<li><b>Estimate heatmap</b>: the current X (or U·S·Vᵀ for the SVD). Its colour scale runs
from minus to plus its largest entry, rounded up to 1, 2 or 5 times a power of ten; it widens
as soon as an entry leaves it and narrows when the largest entry falls below a quarter of it,
so X's pattern stays readable whatever the size of the answer or of a diverging X (the
note under it says "colours: ± largest entry").</li>
<li><b>Learning rate</b>: above the stable limit shown under it, each step overshoots
and the loss grows; the run then pauses and suggests a stable value. Changes to the
learning rate and momentum apply at the next step; any other change starts the run over.</li>
</ul>
<h3>Teaching views (right)</h3>
<ul>
<li><b>SVD</b>: each singular value against torch.linalg.svd, the defects U·S·Vᵀ − M,
UᵀU − I and VᵀV − I, and whether the run is slow (with the steps it still needs) or
has stalled at a wrong answer.</li>
<li><b>Pinv</b>: the distance to the pseudo-inverse and the part of X that descent never
changes.</li>
<li><b>Gradient</b>: the gradient of this step, autograd against the closed form.</li>
<li><b>Theory</b>: condition number, stable learning rates, the predicted rate, and
<i>Optimal settings</i>, which puts theory's fastest lr and momentum into the controls.</li>
<li><b>Code</b>: the PyTorch program of this matrix and these settings, in the tutorial's
style; the lines a change of setting changed are marked, <i>Copy</i> takes it all. File ▸
Export ▸ Program saves it as a script or a notebook: <code>python run.py losses.csv</code>
writes the run's loss history, bit for bit.</li>
<li><b>Lesson</b> (Ctrl+L): the tutorial's steps with the numbers of the run on screen.</li>
<li>A matrix larger than 512 × 512 opens on the Gradient view with the stable learning rate
only: κ, the predicted rate and the optimum (one SVD of M) are computed while the Theory
view or a lesson page that quotes them is shown, or when <i>Optimal settings</i> is pressed,
and torch.linalg's answer while the Pinv or SVD view is shown; meanwhile they say
“computing…”.</li>
<li><b>View ▸ Sweep map</b> (Ctrl+Shift+M): steps to the tolerance for a grid of learning
rates and momenta (or learning rates at one momentum), every cell a run from the same start,
with theory's stable limit and optimum; click a cell to use its lr and β.</li>
</ul>
<h3>Compare, go back, keep</h3>
<ul>
<li><b>Compare ▸ Pin current run</b> (P) keeps its loss curve on the plot;
<b>Tutorial figures</b> recomputes the tutorial's own comparisons.</li>
<li><b>History</b>: drag the slider under the plots to look at an earlier iteration;
<i>Resume from here</i> continues the same run from it.</li>
<li><b>File ▸ Save</b> a lesson: the matrix, every setting and the loss history; reopened,
it shows that history and replays the run to its end, so the slider and Play go on from
there. Open reads CSV, TSV, text, .npy and .npz, or drop a file on the window.</li>
<li><b>File ▸ Export</b>: each plot and teaching view, or the loss plot and heatmaps as
one <i>Slide</i>, as PNG or SVG at a size you choose (1920 × 1080 by default), with a title
and a caption naming the run; <i>Recording of the run</i> saves it from iteration 0 as an
animated GIF or MP4, made in the background.</li>
<li><b>Examples</b> come with the tutorial's settings for them; <b>Run ▸ Reset settings to
the tutorial's</b> brings them back.</li>
<li><b>View ▸ Projector mode</b> (F11): full screen, the plots get the screen, the editor
and settings become one line (F2 shows them), text sized for the screen, thicker lines,
colour-blind-safe colours. Esc leaves it.</li>
</ul>
<h3>Keys</h3>
<table>
<tr><td><b>Space</b></td><td>Play / Pause</td></tr>
<tr><td><b>Right</b> or <b>N</b></td><td>one step</td></tr>
<tr><td><b>R</b></td><td>reset to iteration 0 (same seed, same numbers)</td></tr>
<tr><td><b>P</b></td><td>pin the current run for comparison</td></tr>
<tr><td><b>Ctrl+O</b> / <b>Ctrl+S</b></td><td>open / save</td></tr>
<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b> or <b>Ctrl+Y</b></td><td>undo / redo a matrix
edit</td></tr>
<tr><td><b>Ctrl+C</b> / <b>Ctrl+V</b></td><td>copy / paste cells (tab or comma separated)</td></tr>
<tr><td><b>Ctrl+L</b></td><td>bring the lesson panel to the front (again: hide it)</td></tr>
<tr><td><b>Ctrl+Shift+M</b></td><td>show or hide the sweep map</td></tr>
<tr><td><b>F11</b></td><td>projector mode</td></tr>
<tr><td><b>F2</b></td><td>show or hide the editor and settings</td></tr>
<tr><td><b>Esc</b></td><td>leave projector mode, else pause</td></tr>
</table>
<p>Space, N, R, P and Esc work right after typing a number into a setting: the number is
taken first. In the matrix table, typing a cell keeps every key.</p>
<p>Hover over a control for the formula it changes; hover over a plot to read values.</p>
"""


class HelpDialog(QDialog):
    """The help text in a scrolling window that stays open beside the main one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("Matrix Descent help")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if parent is not None:
            self.setFont(parent.font())  # a window does not take its parent's font by itself
        self.browser = QTextBrowser(self)
        self.browser.setHtml(HELP_HTML)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        # Wide enough for the key table on one line each; the text scrolls, the window
        # stays within a 768-pixel screen.
        self.resize(self.fontMetrics().averageCharWidth() * 80, 620)
