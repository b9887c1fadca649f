"""Exported programs and notebooks (issue 15): what a user gets in the files, and what
`python run.py` prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from solver import Settings, SettingsError, cli
from solver.codegen import build_program
from solver.codegen.export import write_notebook, write_script
from solver.codegen.matrix_code import literal_lines, number_text
from solver.codegen.notebook import RunFacts
from solver.presets import resolve_matrix

MAIN = Path(__file__).resolve().parent.parent / "main.py"


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_text_gives_back_the_same_float32(value):
    text = number_text(value, "float32")
    back = torch.tensor([float(text)], dtype=torch.float32).numpy()[0]
    assert back.tobytes() == np.float32(value).tobytes()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float64_text_gives_back_the_same_float64(value):
    text = number_text(value, "float64")
    assert np.float64(float(text)).tobytes() == np.float64(value).tobytes()


def test_matrix_literal_is_the_runs_matrix():
    matrix = np.array([[1 / 3, -0.0, 1e-40], [3.4e38, -2.5, 0.1]])
    for dtype in ("float32", "float64"):
        namespace = {"torch": torch}
        exec("\n".join(literal_lines(matrix.astype(dtype), dtype)), namespace)
        assert namespace["M"].numpy().tobytes() == matrix.astype(dtype).tobytes()


def test_a_bad_setting_is_refused_like_a_run_refuses_it():
    with pytest.raises(SettingsError, match="problem: inverse needs a square matrix"):
        build_program(np.ones((2, 3)), Settings(problem="inverse"))
    with pytest.raises(SettingsError, match="matrix: contains NaN or infinite values"):
        build_program(np.array([[1.0, np.inf], [0.0, 1.0]]), Settings())


def test_script_prints_the_tutorials_progress_and_the_same_check_as_solve(tmp_path, main_here):
    done = main_here("solve", "preset:tutorial-diagonal", "--optimizer", "gd", "--lr",
                     "0.4605170185988092", "--steps", "100", "--tol", "0", "--script", "run.py",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    # The notebook's own printout: "20 : tensor(0.0054, grad_fn=<MeanBackward0>)".
    assert "0 : tensor(1.6650, grad_fn=<MeanBackward0>)" in lines
    assert "20 : tensor(0.0054, grad_fn=<MeanBackward0>)" in lines
    assert "80 : tensor(4.4184e-06, grad_fn=<MeanBackward0>)" in lines
    assert any(line.startswith("finished at iteration 100, the maximum number of steps")
               for line in lines)
    distance = re.search(r"distance to torch.linalg.inv's answer (\S+)", done.stdout).group(1)
    assert f"distance to torch.linalg.inv(M): {distance}" in lines
    assert not list(tmp_path.glob("*.csv"))  # without an argument nothing is written


def test_notebook_is_valid_and_its_code_is_the_script(tmp_path):
    matrix = resolve_matrix("preset:tutorial-random")
    settings = Settings(max_steps=50)
    facts = RunFacts(state="finished", iteration=50, loss=1.5e-3,
                     reason="stopped after the maximum of 50 steps; last loss 0.0015")
    write_notebook(tmp_path / "lesson.ipynb", matrix, settings, "tutorial-random", facts)
    write_script(tmp_path / "lesson.py", matrix, settings, "tutorial-random")
    notebook = nbformat.read(tmp_path / "lesson.ipynb", as_version=nbformat.NO_CONVERT)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "\n\n\n".join(code) + "\n" == (tmp_path / "lesson.py").read_text()
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    # The run's numbers: the first loss (tutorial run A's 0.7897), the ending, kappa.
    assert "Its loss is 0.7897" in text
    assert "stopped after the maximum of 50 steps; last loss 0.0015" in text
    kappa = np.linalg.cond(matrix.astype(np.float32).astype(np.float64))
    assert f"{kappa:.4g}" in text
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["markdown", "code"] * (len(kinds) // 2)


def test_notebook_run_in_a_kernel_prints_and_writes_no_csv(tmp_path):
    """In Jupyter, sys.argv holds the kernel's arguments; the program must not take them for
    a CSV file name."""
    write_notebook(tmp_path / "nb.ipynb", np.diag([1.0, 2.0]), Settings(max_steps=30), "d")
    notebook = nbformat.read(tmp_path / "nb.ipynb", as_version=4)
    code = "\n\n\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    (tmp_path / "cells.py").write_text(code)
    runner = ("import sys, types, runpy; sys.modules['ipykernel'] = types.ModuleType('ipykernel');"
              " sys.argv = ['ipykernel_launcher.py', '-f', 'kernel.json'];"
              " runpy.run_path('cells.py', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "finished at iteration 30, the maximum number of steps" in done.stdout
    assert not (tmp_path / "-f").exists() and not list(tmp_path.glob("*.csv"))


def test_big_matrix_goes_beside_the_script_as_npy(tmp_path):
    matrix = np.random.default_rng(3).random((13, 4))
    written = write_script(tmp_path / "big.py", matrix, Settings(dtype="float32"), "big")
    assert [p.name for p in written] == ["big.py", "big_matrix.npy"]
    assert np.load(tmp_path / "big_matrix.npy").tobytes() == matrix.astype(np.float32).tobytes()
    assert '"big_matrix.npy"' in (tmp_path / "big.py").read_text()


@pytest.mark.parametrize("args, message", [
    (["--script", "run.txt"], "error: --script: run.txt: expected a .py file"),
    (["--notebook", "run.py"], "error: --notebook: run.py: expected a .ipynb file"),
    (["--script", "missing/run.py"], "error: --script: missing/run.py: folder 'missing' does "
                                     "not exist"),
    (["--notebook", "nb.ipynb/"], "error: --notebook: nb.ipynb/: is a folder, not a file"),
])
def test_bad_export_paths_get_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb.ipynb").mkdir()
    (tmp_path / "m.csv").write_text("1,0\n0,2\n")
    code = cli.main(["m.csv", "--steps", "5", *args])
    assert code == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip() == message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "nb.ipynb"]


def test_readme_shows_the_exported_run_b_script(tmp_path):
    """The README's excerpt of run.py is the exported program's text, in order, and its
    length is the one the README gives."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### The code behind a run", 1)[1]
    excerpt = section.split("```python\n", 1)[1].split("```", 1)[0].splitlines()
    settings = Settings(optimizer="gd", lr=0.4605170185988092, max_steps=100, tol=0.0)
    write_script(tmp_path / "run.py", resolve_matrix("preset:tutorial-diagonal"), settings,
                 "tutorial-diagonal")
    script = (tmp_path / "run.py").read_text().splitlines()
    assert f"({len(script)} lines in all" in section
    position = 0
    for line in excerpt:
        if line.strip().startswith("..."):
            continue
        position = script.index(line, position) + 1


def test_a_cuda_program_falls_back_to_the_cpu(tmp_path, monkeypatch):
    """This machine has no GPU, so a CUDA run cannot be checked bit for bit here; its program
    (closed-form gradient in torch, as the app computes it on a GPU) runs on the CPU and
    gives the losses of the CPU run up to rounding."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # to build the program
    matrix = np.array([[2.0, 0.5], [0.25, 1.0]])
    settings = Settings(device="cuda", gradient="closed-form", max_steps=200, tol=0.0)
    write_script(tmp_path / "gpu.py", matrix, settings, "m")
    monkeypatch.undo()
    text = (tmp_path / "gpu.py").read_text()
    assert 'torch.device("cuda" if torch.cuda.is_available() else "cpu")' in text
    assert "import numpy" not in text and "float((R * R).sum())" in text
    done = subprocess.run([sys.executable, "gpu.py", "gpu.csv"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = np.loadtxt(tmp_path / "gpu.csv", delimiter=",", skiprows=1)[:, 1]
    cpu = cli.main  # the same run on the CPU, through solve --history
    assert cpu([str(_matrix_file(tmp_path, matrix)), "--steps", "200", "--tol", "0",
                "--history", str(tmp_path / "cpu.csv")]) == cli.EXIT_OK
    expected = np.loadtxt(tmp_path / "cpu.csv", delimiter=",", skiprows=1)[:, 1]
    assert rows.shape == expected.shape == (201,)
    np.testing.assert_allclose(rows, expected, rtol=1e-4)


def _matrix_file(folder: Path, matrix: np.ndarray) -> Path:
    path = folder / "m.npy"
    np.save(path, matrix)
    return path


def test_a_matrix_the_precision_cannot_hold_gets_no_program():
    """Run refuses a float32 cast that overflows (solver.run); so does the program."""
    with pytest.raises(SettingsError, match="dtype: M's entries .* overflow float32"):
        build_program(np.diag([1.0, 1e300]), Settings(dtype="float32"))


def test_notebook_of_a_large_matrix_quotes_its_condition_number(tmp_path):
    # Above FULL_ANALYSIS_MAX_DIM a Run knows sigma_max only until asked (issue 13): the
    # notebook, which quotes kappa, asks.
    rng = np.random.default_rng(5)
    matrix = np.eye(520) + rng.standard_normal((520, 520)) / 100
    write_notebook(tmp_path / "big.ipynb", matrix, Settings(max_steps=5), "big", None)
    notebook = nbformat.read(tmp_path / "big.ipynb", as_version=nbformat.NO_CONVERT)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    kappa = np.linalg.cond(matrix.astype(np.float32).astype(np.float64))
    assert f"κ(M) = σ_max/σ_min is {kappa:.4g}" in text
