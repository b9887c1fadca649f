"""One meaning of "iteration" and one loss history everywhere (issue 12, points 1, 2, 5).

Iteration t names X_t, the estimate after t updates. A run stops at X_t without updating it;
its reason, snapshot, JSON `steps` and the history's last row all name that same t, and the
history holds rows 0..N: the tutorial's losses before each update, then loss(X_N).
"""

import json
import re

import numpy as np
import pytest

from solver import Run, Settings
from solver.presets import load_preset

NOTEBOOK_LR = 0.4605170185988092


def stopped_at(reason: str) -> int:
    return int(re.search(r"at iteration (\d+)", reason).group(1))


def run_to_end(run: Run, chunk: int = 1000) -> Run:
    while not run.done:
        run.step(chunk)
    return run


def assert_one_meaning(run: Run) -> np.ndarray:
    """Reason, snapshot and history agree on the iteration and the loss of X_N."""
    snap = run.snapshot()
    rows = run.loss_rows()
    assert stopped_at(run.status.reason) == run.iteration == snap.iteration
    assert rows.size == run.iteration + 1 == len(run.history) + 1
    np.testing.assert_array_equal(rows[:-1], run.history.values())
    assert rows[-1] == snap.loss or (np.isnan(rows[-1]) and np.isnan(snap.loss))
    return rows


def test_a_finished_run_reports_the_loss_of_the_estimate_it_returns():
    """Plain GD lr 0.4605, 100 steps: the banner said "last loss 4.64e-07" (X_99), the
    status bar "iteration 100, loss 4.124e-07"."""
    run = run_to_end(Run(load_preset("tutorial-diagonal"),
                         Settings(optimizer="gd", lr=NOTEBOOK_LR, tol=0, max_steps=100)))
    assert run.status.state == "finished"
    rows = assert_one_meaning(run)
    assert run.iteration == 100
    assert f"loss {rows[100]:.4g}" in run.status.reason
    assert f"{rows[100]:.4g}" == "4.124e-07" and f"{rows[99]:.3g}" == "4.64e-07"


def test_divergence_names_the_iteration_whose_loss_ran_away():
    """The banner said "at iteration 5" while the status bar said 6."""
    run = run_to_end(Run(load_preset("tutorial-random"),
                         Settings(optimizer="gd", lr=100.0, tol=0)))
    assert run.status.state == "diverged"
    rows = assert_one_meaning(run)
    # The runaway loss is row N, not one of the losses stepped from.
    assert not rows[-1] < 1e8 * rows[0]
    assert np.all(rows[:-1] < 1e8 * max(rows[0], 1e-3))


def test_deflation_names_the_iteration_of_the_estimate_it_returns():
    """Deflation said "converged at iteration 718" while the status bar said 719."""
    run = run_to_end(Run(load_preset("svd-tutorial"),
                         Settings(problem="svd", svd_method="deflation")))
    assert run.status.state == "converged" and "triplets" in run.status.reason
    assert_one_meaning(run)


def test_the_history_ends_with_the_loss_below_the_tolerance():
    """tutorial-random: the last row was 783 at 1.037e-12 while the saved X had 9.979e-13."""
    run = run_to_end(Run(load_preset("tutorial-random"), Settings()))
    rows = assert_one_meaning(run)
    assert run.iteration == 784
    assert rows[-1] < 1e-12 <= rows[:-1].min()
    assert f"{rows[783]:.4g}" == "1.037e-12" and f"{rows[784]:.4g}" == "9.979e-13"


def test_a_run_below_the_tolerance_at_its_last_step_converged():
    full = run_to_end(Run(load_preset("tutorial-random"), Settings()))
    run = run_to_end(Run(load_preset("tutorial-random"), Settings(max_steps=full.iteration)))
    assert run.status.state == "converged"
    assert run.iteration == full.iteration


def test_rows_are_the_tutorial_losses_bit_for_bit_then_the_estimate():
    """The rows 0..N-1 stay those of the tutorial's loop (tests/test_tutorial_numbers.py)."""
    run = Run(load_preset("tutorial-diagonal"), Settings(tol=0, max_steps=0))
    run.step(37)
    rows = run.loss_rows()
    assert rows.size == 38
    assert rows[-1] == run.snapshot().loss
    assert run.step(1).losses[0] == rows[-1]  # the next step records that same loss


# -- loss floor of a singular or rank-deficient matrix (point 5) ------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_singular_3_converges_to_its_floor_of_one_ninth(dtype):
    run = run_to_end(Run(load_preset("singular-3"), Settings(lr=0.05, dtype=dtype)))
    assert run.status.state == "converged"
    assert ("M has rank 2: no X makes X·M = I; the best possible loss, 1/9, is reached"
            in run.status.reason)
    rows = assert_one_meaning(run)
    assert rows[-1] == pytest.approx(1 / 9, rel=1e-6)
    assert run.iteration < 1000


@pytest.mark.parametrize("n", [1, 3])
def test_a_zero_matrix_is_at_its_floor_from_the_start(n):
    run = run_to_end(Run(np.zeros((n, n)), Settings()))
    assert run.status.state == "converged" and run.iteration == 0
    floor = "1" if n == 1 else "1/3"
    assert (f"M has rank 0: no X makes X·M = I; the best possible loss, {floor}, is reached"
            in run.status.reason)


def test_a_wide_rank_deficient_pinv_names_its_own_equation():
    run = run_to_end(Run(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]), Settings(lr=0.05)))
    assert run.status.state == "converged"
    assert "M has rank 1: no X makes M·X = I; the best possible loss, 1/4" in run.status.reason


def test_tol_zero_never_stops_at_the_floor():
    run = run_to_end(Run(load_preset("singular-3"), Settings(lr=0.05, tol=0, max_steps=500)))
    assert run.status.state == "finished" and run.iteration == 500


# -- the command line: text, JSON and history name the same iteration -------------------------
@pytest.mark.parametrize("args", [
    ["preset:tutorial-random"],
    ["preset:tutorial-diagonal", "--optimizer", "gd", "--lr", str(NOTEBOOK_LR), "--steps", "100",
     "--tol", "0"],
    ["preset:tutorial-random", "--optimizer", "gd", "--lr", "100"],
    ["preset:singular-3", "--lr", "0.05"],
], ids=["converged", "finished", "diverged", "floor"])
def test_cli_text_json_and_history_agree(tmp_path, main_here, args):
    done = main_here("solve", *args, "--json", "--history", "h.csv", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    lines = (tmp_path / "h.csv").read_text().splitlines()
    last_row, last_loss = lines[-1].split(",")
    assert int(last_row) == result["steps"] == len(lines) - 2
    assert stopped_at(result["reason"]) == result["steps"]
    if result["final_loss"] is not None:
        assert float(last_loss) == result["final_loss"]
    table = done.stderr.splitlines()
    assert table[-3].split()[0] == str(result["steps"])  # the table ends with row N
    assert f"at iteration {result['steps']}" in table[-1]
