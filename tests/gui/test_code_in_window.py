"""The Code tab and File ▸ Export ▸ Program (issue 15) in the window: the program shown and
saved is the document's, and the saved script writes the window's own loss history."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import numpy as np
from files_support import TIMEOUT_MS, menu_action, new_window, step

from solver import Settings
from solver.codegen import build_program

RUN_B = Settings(optimizer="gd", lr=0.4605170185988092, momentum=0.0, max_steps=30, tol=0.0)


def test_code_tab_follows_the_document(qtbot):
    window, _answers = new_window(qtbot)
    view = window.teaching.code_view
    window.teaching.show_tab("code")
    model = window.model
    assert view.text == build_program(model.matrix, model.settings, model.name).script
    window.panel.lr_spin.setValue(0.5)
    qtbot.waitUntil(lambda: "lr = 0.5  # the learning rate" in view.text, timeout=TIMEOUT_MS)
    assert [view.text.splitlines()[n] for n in view.changed] == [
        "lr = 0.5  # the learning rate"]
    window.panel.seed_spin.setValue(315)
    qtbot.waitUntil(lambda: "seed = 315" in view.text, timeout=TIMEOUT_MS)
    assert [view.text.splitlines()[n] for n in view.changed] == ["seed = 315"]


def test_exported_script_writes_the_windows_loss_history(qtbot, tmp_path):
    """Run B for 30 steps in the window; File ▸ Export ▸ Loss history and ▸ Program as
    script; `python run.py losses.csv` writes the same bytes as the window's export."""
    window, answers = new_window(qtbot, matrix=np.diag([1.0, 2.0, 3.0, 4.0]), settings=RUN_B,
                                 name="tutorial-diagonal")
    step(qtbot, window, 30)
    qtbot.waitUntil(lambda: window.model.state.done, timeout=TIMEOUT_MS)
    answers.save_paths.append((str(tmp_path / "window.csv"), "CSV (*.csv)"))
    menu_action(window, "File", "Export", "Loss history").trigger()
    answers.save_paths.append((str(tmp_path / "run.py"), "Python script (*.py)"))
    menu_action(window, "File", "Export", "Program as script").trigger()
    assert answers.asked[-1][2].endswith("tutorial-diagonal.py")  # the name offered
    done = subprocess.run([sys.executable, "run.py", "script.csv"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    expected = (tmp_path / "window.csv").read_bytes()
    assert len(expected.splitlines()) == 32  # header, rows 0..29, row 30
    assert (tmp_path / "script.csv").read_bytes() == expected
    answers.save_paths.append((str(tmp_path / "run.ipynb"), "Jupyter notebook (*.ipynb)"))
    menu_action(window, "File", "Export", "Program as notebook").trigger()
    notebook = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    nbformat.validate(notebook)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "finished at iteration 30" in text
    assert not answers.errors


def test_a_failed_export_is_one_line(qtbot, tmp_path):
    window, answers = new_window(qtbot)
    answers.save_paths.append((str(tmp_path / "missing" / "run.py"), "Python script (*.py)"))
    menu_action(window, "File", "Export", "Program as script").trigger()
    assert answers.errors == [f"{tmp_path / 'missing' / 'run.py'}: cannot save (no such "
                              "folder)"]
    assert not (tmp_path / "missing").exists()
