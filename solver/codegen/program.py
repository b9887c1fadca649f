"""The program behind a run: a standalone PyTorch script in cells (one per step of the
tutorial's story), built from a matrix and Settings. Joined, the cells are the script."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import torch

from solver.codegen import linear_code, svd_code
from solver.codegen.matrix_code import NPY_READER, embeds, literal_lines, npy_bytes
from solver.codegen.updates import update_code
from solver.run import _cast as cast_matrix
from solver.settings import Settings, SettingsError
from solver.theory import Theory, analyse


@dataclass(frozen=True)
class Cell:
    """One step of the program: `key` names it (matrix, settings, guess, loss, loop, result)."""

    key: str
    title: str
    code: str


@dataclass(frozen=True)
class Program:
    """The program's cells, the resolved settings, and the matrix as the run uses it."""

    cells: list[Cell]
    settings: Settings
    matrix: np.ndarray  # M cast to the run's dtype
    data_name: str | None  # the .npy file the program reads M from, None when M is in the code
    title: str  # e.g. "the inverse of tutorial-random (4 x 4) by gradient descent"
    script_name: str  # the name the program's help text gives it, e.g. "run.py"

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def data_files(self) -> dict[str, bytes]:
        """The files the program reads, name -> contents (made on demand: a 4096 x 4096
        float32 matrix is 64 MB)."""
        if self.data_name is None:
            return {}
        return {self.data_name: npy_bytes(self.matrix, self.settings.dtype)}

    @property
    def script(self) -> str:
        """The whole program, as saved to a .py file."""
        return "\n\n\n".join(cell.code for cell in self.cells) + "\n"

    def cell(self, key: str) -> Cell:
        """The cell called `key`."""
        return next(c for c in self.cells if c.key == key)


def build_program(matrix, settings: Settings, name: str = "the matrix",
                  script_name: str = "run.py", data_name: str = "run_matrix.npy",
                  theory: Theory | None = None) -> Program:
    """The program that replays a run of `settings` on `matrix` bit for bit.

    `name` is how the header names the matrix, `script_name` how it names the program; a
    matrix larger than 12 x 12 is not written into the code but read from `data_name` beside
    the program (Program.data_files).
    `theory`, solver.theory.analyse's answer for this matrix (cast to the run's dtype), its
    problem, side and dtype, may be given to save computing it (an SVD: a second or more
    for a 1000 x 1000 matrix); only its loss floor and singular values are used.
    Raises SettingsError as Run does for settings that cannot run on this matrix.
    """
    matrix = np.asarray(matrix)
    # The checks solver.run.Run makes: a program exists for exactly the runs that do.
    if matrix.dtype.kind not in "biuf":
        raise SettingsError(f"matrix: expected real numbers, got dtype {matrix.dtype}")
    if matrix.ndim == 2 and matrix.size and not np.isfinite(matrix).all():
        raise SettingsError("matrix: contains NaN or infinite values")
    settings = settings.validated(matrix.shape)
    # The run works on M cast to its precision, refusing a cast that changes M (Run's rule).
    m = cast_matrix(matrix, settings.dtype)
    if settings.problem == "svd":
        problem = svd_code.problem_code(m, settings)
    else:
        # The loss floor is the solver's own (solver/theory.py, solver/floor.py).
        theory = analyse(m, settings) if theory is None else theory
        problem = linear_code.problem_code(m, settings, theory)
    numpy_path = getattr(problem, "numpy", False)
    embedded = embeds(m)
    update = update_code(settings, problem.params, backward=problem.backward,
                         lib="np" if numpy_path else "torch")
    cells = [
        Cell("header", "What this program does",
             _header(m, settings, name, script_name, problem.what, numpy_path,
                     embedded)),
        Cell("matrix", "The matrix", _matrix(m, settings, embedded, data_name)),
        Cell("settings", "The settings", _settings(settings, update)),
        Cell("guess", "Step 0) Guess", problem.guess),
        Cell("loss", "The loss", problem.loss),
        Cell("loop", "Step 1) Improve, many times", problem.loop(update)),
        Cell("result", "The result, checked against torch.linalg", problem.result + "\n\n\n"
             + _CSV),
    ]
    rows, cols = m.shape
    return Program(cells=cells, settings=settings, matrix=m,
                   data_name=None if embedded else data_name,
                   title=f"{problem.what} of {name} ({rows} x {cols}) by gradient descent",
                   script_name=script_name)


def _header(m, s: Settings, name: str, script: str, what: str, numpy_path: bool,
            embedded: bool) -> str:
    rows, cols = m.shape
    lines = [
        *textwrap.wrap(f'"""Matrix Descent: {what} of {name} ({rows} x {cols}) by gradient '
                       "descent.", width=92),
        "",
        f"Exported by Matrix Descent (torch {torch.__version__.split('+')[0]}). Needs Python "
        f"and torch{', and NumPy' if numpy_path else ''}:",
        f"    python {script}",
        "        prints the progress and checks the result against torch.linalg",
        f"    python {script} losses.csv",
        "        also writes the loss history: the same file as",
        "        `main.py solve ... --history losses.csv`, bit for bit",
        "        (on the same machine with the same torch version)",
        '"""',
        "",
    ]
    imports = []
    if not embedded:
        imports += ["import ast"]
    if s.problem == "svd" and s.svd_method == "deflation":
        imports += ["import math"]
    imports += ["import sys"]
    if not embedded:
        imports += ["from pathlib import Path"]
    lines += imports + [""]
    if numpy_path:
        lines += ["# The app computes the closed-form gradient with NumPy on the CPU (a small",
                  "# matrix product there costs a microsecond, a torch one several); so does",
                  "# this program, to replay its arithmetic bit for bit.",
                  "import numpy as np"]
    lines += ["import torch"]
    return "\n".join(lines)


def _matrix(m, s: Settings, embedded: bool, data_name: str) -> str:
    if embedded:
        return "\n".join([f"# M in {s.dtype}, every digit needed to get the same numbers back.",
                          *literal_lines(m, s.dtype)])
    rows, cols = m.shape
    return "\n".join([
        f"# M ({rows} x {cols}, {s.dtype}) is too big to read in the code: it is in "
        f"{data_name} beside",
        "# this program (a NumPy .npy file; NumPy's np.load reads it too).",
        NPY_READER,
        "",
        '# In a notebook there is no __file__: the file is looked for in the current folder.',
        'here = Path(__file__).parent if "__file__" in globals() else Path.cwd()',
        f'M = load_npy(here / "{data_name}")',
    ])


def _settings(s: Settings, update) -> str:
    lines = []
    if s.init == "random":
        lines.append(f"seed = {s.seed}")
    lines.append(f"dtype = torch.{s.dtype}")
    if s.device == "cuda":
        lines.append('device = torch.device("cuda" if torch.cuda.is_available() else "cpu")'
                     "  # the app ran on CUDA")
    else:
        lines.append('device = torch.device("cpu")  # "cuda" runs it on a GPU, with other '
                     "rounding")
    if s.schedule_gamma == 1.0:
        lines.append(f"lr = {s.lr!r}  # the learning rate")
    else:
        lines += [f"learning_rate = {s.lr!r}",
                  f"gamma = {s.schedule_gamma!r}  # the learning rate at iteration t is "
                  "learning_rate * gamma**t"]
    lines += update.constants
    lines += [f"max_steps = {s.max_steps}  # stop at iteration max_steps (0: no limit)",
              f"tol = {s.tol!r}  # stop at the first estimate whose loss is below tol "
              "(0: never)",
              "runaway_factor = 1e8  # a loss this many times the first one (at least 1e-3) "
              "has diverged",
              f"every = {max(1, s.max_steps // 5) if s.max_steps else 1000}  # print the "
              "loss every this many iterations"]
    return "\n".join(lines)


_CSV = '''\
def csv_path_argument():
    """The CSV file named on the command line (a notebook's kernel has arguments of its own)."""
    if "ipykernel" in sys.modules or len(sys.argv) < 2:
        return None
    return sys.argv[1]


path = csv_path_argument()
if path:
    # iteration,loss with every digit, as `main.py solve --history` writes it.
    with open(path, "w", newline="\\n") as f:
        f.write("iteration,loss\\n")
        for t, loss in enumerate(losses):
            f.write("%d,%.17g\\n" % (t, loss))
    print(f"wrote {len(losses)} losses to {path}")'''
