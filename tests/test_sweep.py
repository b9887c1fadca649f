"""The batched sweep: theory's stability limit drawn by the runs themselves, every cell
equal to a single Run with its settings, diverging cells kept apart, a partial map on
Cancel, and a clear refusal when the grid is too big."""

import dataclasses

import numpy as np
import pytest

from solver import Run, Settings, analyse
from solver.presets import load_preset
from solver.sweep import (
    CONVERGED,
    DIVERGED,
    FINISHED,
    PENDING,
    STATE_NAMES,
    BatchedRun,
    SweepError,
    check_size,
)
from solver.sweep_grid import Grid, best_cell, default_axes, write_csv
from solver.theory import max_stable_lr


def single_run(matrix, settings):
    """A Run stepped to its end: (state, iteration, losses incl. the returned estimate's)."""
    run = Run(matrix, settings)
    while not run.done:
        run.step(1000)
    return run.status.state, run.iteration, run.loss_rows()


@pytest.mark.parametrize("preset", ["tutorial-random", "tutorial-diagonal"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_runs_diverge_exactly_beyond_theory_stability_limit(preset, optimizer):
    matrix = load_preset(preset)
    settings = Settings(optimizer=optimizer, max_steps=2000).validated(matrix.shape)
    big = analyse(matrix.astype(np.float32), settings).L
    momenta = np.array([0.0]) if optimizer == "gd" else np.linspace(0.0, 0.99, 12)
    factors = np.geomspace(0.3, 3.0, 25)  # lr as a multiple of the limit at that momentum
    limits = np.array([max_stable_lr(optimizer, beta, big) for beta in momenta])
    lrs = (limits[:, None] * factors[None, :]).ravel()
    batch = BatchedRun(matrix, settings, lrs, np.repeat(momenta, factors.size))
    batch.step(10**6)
    result = batch.result()
    factor = np.tile(factors, momenta.size)
    diverged = result.state == DIVERGED
    assert result.complete
    assert diverged[factor > 1.03].all(), result.lrs[(factor > 1.03) & ~diverged]
    assert not diverged[factor < 0.97].any(), result.lrs[(factor < 0.97) & diverged]
    assert (result.state[factor < 0.97] != PENDING).all()


CASES = [
    # (preset, settings fields, learning rates, momenta)
    ("tutorial-random", {"optimizer": "momentum"}, [0.3, 2.5, 6.5, 9.0], [0.0, 0.5, 0.9]),
    ("tutorial-diagonal", {"optimizer": "gd"}, [0.1, 0.5, 0.9, 1.2], [0.0]),
    ("tutorial-random", {"optimizer": "nesterov", "gradient": "closed-form"},
     [0.5, 2.0, 3.0], [0.3, 0.8]),
    ("tutorial-random", {"optimizer": "adam"}, [1e-3, 0.03, 0.1], [0.0, 0.9]),
    ("tutorial-random", {"optimizer": "rmsprop", "gradient": "closed-form"},
     [1e-3, 0.01, 0.1], [0.0, 0.5]),
    ("tutorial-random", {"optimizer": "momentum", "side": "right"}, [1.0, 5.0], [0.5, 0.9]),
    ("tutorial-random", {"optimizer": "momentum", "side": "both"}, [1.0, 5.0], [0.5, 0.9]),
    ("indicator", {"optimizer": "momentum"}, [0.5, 1.5, 3.0], [0.0, 0.6]),
    ("svd-tutorial", {"problem": "pinv", "optimizer": "gd", "schedule": "exp:0.999"},
     [0.5, 2.0], [0.0]),
    # Rank 2: converged at the loss floor 1/9, as a single run.
    ("singular-3", {"optimizer": "momentum", "tol": 1e-9}, [0.01, 0.03, 0.07], [0.0, 0.5]),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("preset", "fields", "lrs", "momenta"), CASES)
def test_every_cell_equals_a_single_run_with_its_settings(preset, fields, lrs, momenta, dtype):
    matrix = load_preset(preset)
    settings = Settings(**{"tol": 1e-12, **fields}, dtype=dtype, max_steps=800)
    grid = Grid(np.array(lrs), np.array(momenta))
    batch = BatchedRun(matrix, settings, *grid.cells(), keep_losses=True)
    batch.step(10**6)
    result = batch.result()
    for k in range(grid.size):
        one = dataclasses.replace(settings, lr=float(result.lrs[k]),
                                  momentum=float(result.momenta[k]))
        state, iteration, losses = single_run(matrix, one)
        assert STATE_NAMES[result.state[k]] == state, (k, one)
        if state == "converged":
            assert abs(result.stopped_at[k] - iteration) <= 1, (k, one)
        ours = batch.losses(k)
        # The losses at iterations 0 ... N-1 and that of the estimate returned (row N).
        assert ours.size == losses.size, (k, one)
        if dtype == "float64":
            np.testing.assert_allclose(ours, losses, rtol=1e-9, atol=0, err_msg=str(one))
        else:
            np.testing.assert_allclose(ours, losses, rtol=1e-5, err_msg=str(one))


@pytest.mark.parametrize("optimizer", ["momentum", "gd", "nesterov", "adam", "rmsprop"])
@pytest.mark.parametrize("gradient", ["autograd", "closed-form"])
def test_cells_equal_single_runs_bit_for_bit(optimizer, gradient):
    """A cell clicked in the map and run in the window repeats the same numbers."""
    matrix = load_preset("tutorial-random")
    settings = Settings(optimizer=optimizer, gradient=gradient, max_steps=1000)
    lrs = [0.9, 6.25, 0.5] if optimizer != "adam" and optimizer != "rmsprop" else [1e-3, 0.02,
                                                                                 0.005]
    batch = BatchedRun(matrix, settings, lrs, [0.9, 0.82, 0.0], keep_losses=True)
    batch.step(10**6)
    result = batch.result()
    for k in range(3):
        one = dataclasses.replace(settings, lr=float(result.lrs[k]),
                                  momentum=float(result.momenta[k]))
        state, iteration, losses = single_run(matrix, one)
        assert STATE_NAMES[result.state[k]] == state and result.stopped_at[k] == iteration
        assert np.array_equal(batch.losses(k), losses), one


def test_the_tutorial_run_a_cell_takes_its_784_steps():
    matrix = load_preset("tutorial-random")
    settings = Settings(max_steps=3000)  # the app's defaults: heavy ball, float32, autograd
    batch = BatchedRun(matrix, settings, [0.9, 6.25], [0.9, 0.82], keep_losses=True)
    batch.step(10**6)
    result = batch.result()
    for k in range(2):
        one = dataclasses.replace(settings, lr=float(result.lrs[k]),
                                  momentum=float(result.momenta[k]))
        state, iteration, losses = single_run(matrix, one)
        assert state == "converged" and result.stopped_at[k] == iteration
        assert np.array_equal(batch.losses(k), losses)
    assert result.stopped_at[0] == 784  # the tutorial's run A (README)


def test_a_diverging_run_never_touches_the_others():
    matrix = load_preset("tutorial-random")
    settings = Settings(dtype="float32", max_steps=1500)
    calm = BatchedRun(matrix, settings, [2.0, 6.0], [0.9, 0.8])
    calm.step(10**6)
    # lr 1e30 overflows float32 at once (inf, then NaN); 50 diverges within a few steps.
    mixed = BatchedRun(matrix, settings, [1e30, 2.0, 50.0, 6.0], [0.9, 0.9, 0.5, 0.8])
    mixed.step(10**6)
    a, b = calm.result(), mixed.result()
    assert list(b.state) == [DIVERGED, a.state[0], DIVERGED, a.state[1]]
    assert list(b.stopped_at[[1, 3]]) == list(a.stopped_at)
    assert list(b.final_loss[[1, 3]]) == list(a.final_loss)
    assert not np.isfinite(b.final_loss[0]) and b.stopped_at[0] == 1


def test_cancel_keeps_the_finished_cells():
    matrix = load_preset("tutorial-random")
    settings = Settings(max_steps=2000)
    theory = analyse(matrix.astype(np.float32), settings.validated(matrix.shape))
    lr_axis, momentum_axis = default_axes(theory, "momentum", 16, 16)
    grid = Grid(lr_axis.values(), momentum_axis.values())
    whole = BatchedRun(matrix, settings, *grid.cells())
    whole.step(10**6)
    partial = BatchedRun(matrix, settings, *grid.cells())
    partial.step(300)  # then Cancel: no further step
    done, full = partial.result(), whole.result()
    finished = done.state != PENDING
    assert 0 < finished.sum() < grid.size and done.iteration == 300
    for name in ("state", "stopped_at", "final_loss", "rate"):
        np.testing.assert_array_equal(getattr(done, name)[finished],
                                      getattr(full, name)[finished])
    assert (full.stopped_at[~finished] >= 300).all()
    assert np.isnan(done.final_loss[~finished]).all()
    assert best_cell(done) == best_cell(full)  # the fastest cell finishes first


def test_partial_csv_holds_only_the_finished_cells(tmp_path):
    matrix = load_preset("tutorial-diagonal")
    batch = BatchedRun(matrix, Settings(max_steps=500), [0.5, 1.0, 3.0, 0.01], [0.5] * 4)
    batch.step(60)
    result = batch.result()
    write_csv(tmp_path / "g.csv", result)
    lines = (tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "lr,momentum,steps_to_tol,final_loss,diverged,rate"
    assert len(lines) == 1 + int(result.done.sum())
    rows = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:]}
    assert rows["3.0"][1] == "" and rows["3.0"][3] == "true"  # diverged: no steps to tol
    assert "0.01" not in rows and "1.0" in rows  # still crawling / converged by step 60
    assert rows["1.0"][1] == str(result.stopped_at[1]) and rows["1.0"][3] == "false"


def test_observed_rate_matches_theory_prediction():
    matrix = load_preset("tutorial-diagonal")
    settings = Settings(optimizer="gd", dtype="float64", max_steps=5000, tol=1e-20)
    lrs = np.array([0.2, 0.4, 0.6, 0.8])
    batch = BatchedRun(matrix, settings, lrs, np.zeros(4))
    batch.step(10**6)
    result = batch.result()
    assert (result.state == CONVERGED).all()
    for lr, rate in zip(lrs, result.rate, strict=True):
        one = dataclasses.replace(settings, lr=float(lr)).validated(matrix.shape)
        assert rate == pytest.approx(analyse(matrix, one).predicted_loss_factor, rel=0.01)


def test_grid_too_big_is_refused_with_one_line_before_allocating():
    with pytest.raises(SweepError) as err:
        check_size(64 * 64, (256, 256), "float64")
    message = str(err.value)
    assert message.startswith("grid: 4,096 runs of a 256 x 256 float64 problem need about ")
    assert "GB of memory (limit 1.0 GB)" in message and "\n" not in message
    with pytest.raises(SweepError, match="grid: 300,000 runs; at most 262,144"):
        BatchedRun(np.eye(2), Settings(), np.full(300_000, 0.1), np.zeros(300_000))
    check_size(48 * 48, (4, 4), "float32")  # the map of the tutorial: well within


def test_what_a_sweep_does_not_cover_is_refused_by_name():
    with pytest.raises(SweepError, match="^problem: the sweep covers the inverse and the "
                                         "pseudo-inverse only"):
        BatchedRun(load_preset("svd-tutorial"), Settings(problem="svd"), [0.1], [0.9])
    with pytest.raises(SweepError, match=r"^matrix: its entries overflow float32 \(largest "):
        BatchedRun(np.diag([1.0, 1e39]), Settings(), [0.1], [0.9])
    with pytest.raises(SweepError, match="^max_steps: a sweep needs a step limit"):
        BatchedRun(np.eye(2), Settings(max_steps=0), [0.1], [0.9])
    with pytest.raises(SweepError, match=r"^momentum: must be in \[0, 1\), got 1"):
        BatchedRun(np.eye(2), Settings(), [0.1, 0.2], [0.5, 1.0])
    with pytest.raises(SweepError, match="^lr: must be a positive finite number, got -1"):
        BatchedRun(np.eye(2), Settings(), [-1.0], [0.5])


def test_runs_that_never_reach_the_tolerance_finish_at_the_step_limit():
    batch = BatchedRun(load_preset("tutorial-random"), Settings(max_steps=50), [0.01], [0.0])
    assert batch.step(10**6) == 50  # iterations 0 ... 49 updated; 50 is the last estimate
    result = batch.result()
    assert result.state[0] == FINISHED and result.stopped_at[0] == 50
    assert result.steps_to_tol[0] == -1 and 0 < result.rate[0] < 1
