"""Theory that never misleads (issue 12, points 4-6): optimal settings that are never worse
than the tutorial's 0.9/0.9, the loss floor of a singular M, and any finite matrix analysed."""

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest

from solver import Run, Settings, SettingsError, analyse
from solver.presets import load_preset
from solver.theory import limit_text

LINEAR_PRESETS = ["tutorial-diagonal", "tutorial-random", "indicator", "hilbert-6", "singular-3"]


def finish(run: Run) -> Run:
    while not run.done:
        run.step(5000)
    return run


def not_worse(auto: Run, tutorial: Run) -> bool:
    """Converged no later, or (neither converged) a final loss no higher."""
    if tutorial.status.state == "diverged":
        return auto.status.state != "diverged"
    if tutorial.status.state == "converged":
        return auto.status.state == "converged" and auto.iteration <= tutorial.iteration
    return auto.status.state == "converged" or auto.snapshot().loss <= tutorial.snapshot().loss


# -- point 4: optimal settings ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", LINEAR_PRESETS)
def test_optimal_settings_never_end_worse_than_the_tutorials(name, dtype):
    """hilbert-6: lr 27.2 with beta 0.99999973 took the loss from 0.431 to 30 and left it at
    7.9 after 200,000 steps, where 0.9/0.9 reaches 0.085 in 10,000."""
    m = load_preset(name)
    settings = Settings(dtype=dtype)
    theory = Run(m, settings).theory
    auto = finish(Run(m, dataclasses.replace(settings, lr=theory.optimal_lr,
                                             momentum=theory.optimal_momentum)))
    tutorial = finish(Run(m, settings))
    assert not_worse(auto, tutorial), (auto.status, tutorial.status, auto.snapshot().loss)
    assert max(auto.history.values()) < 100 * auto.history.values()[0]


def test_hilbert_tuning_says_why_it_is_not_polyaks():
    float32 = Run(load_preset("hilbert-6"), Settings()).theory
    assert "beyond what float32 resolves" in float32.tuning
    assert "more than 10,000 steps can converge" in float32.tuning
    assert float32.tuned_kappa == pytest.approx((10_000 / 4) ** 2)
    unlimited = Run(load_preset("hilbert-6"), Settings(max_steps=0)).theory
    assert unlimited.tuned_kappa == pytest.approx(2.0**23)  # 1/eps of float32
    float64 = Run(load_preset("hilbert-6"), Settings(dtype="float64", max_steps=0)).theory
    assert float64.tuning == "" and float64.tuned_kappa == pytest.approx(float64.L / float64.mu)
    assert Run(load_preset("tutorial-random"), Settings()).theory.tuning == ""


def test_cli_auto_on_hilbert_ends_below_the_tutorials_loss(tmp_path, main_here):
    def solve(*extra):
        done = main_here("solve", "preset:hilbert-6", "--json", *extra, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout), done.stderr

    (auto, table), (tutorial, _) = solve("--auto"), solve()
    assert auto["final_loss"] < tutorial["final_loss"] < 0.09
    assert "note: The curvature ratio L/mu = 1.66e+10 is beyond what float32 resolves" in table


# -- point 5: singular and rank-deficient matrices -------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_singular_theory_shows_infinite_kappa_with_the_rank_and_the_floor(dtype):
    theory = analyse(load_preset("singular-3"), Settings(dtype=dtype).validated((3, 3)))
    assert theory.condition_number == math.inf and theory.rank == 2
    assert theory.floor.value == 1 / 9 and theory.floor.text == "1/9"
    assert 0 < theory.predicted_loss_factor  # the rate towards the floor, from rank 2
    assert theory.mu > 0


def test_the_predicted_rate_is_the_rate_towards_the_floor():
    m = load_preset("singular-3")
    run = Run(m, Settings(optimizer="gd", lr=0.02, dtype="float64", tol=0, max_steps=600))
    run.step(600)
    excess = run.history.values() - 1 / 9
    late = np.arange(100, 400)
    slope = np.polyfit(late, np.log(excess[late]), 1)[0]
    assert slope / math.log(run.theory.predicted_loss_factor) == pytest.approx(1, abs=0.05)


@pytest.mark.parametrize("n", [1, 3])
def test_zero_matrix_theory(n):
    theory = analyse(np.zeros((n, n)), Settings().validated((n, n)))
    assert theory.rank == 0 and theory.condition_number == math.inf
    assert theory.floor.value == 1 / n
    assert "M is zero" in theory.note and "too large" not in theory.note


# -- point 6: extreme but finite matrices ------------------------------------------------------
@pytest.mark.parametrize("scale", [1e-200, 1e-300, 1e200, 1e300])
def test_any_finite_matrix_is_analysed(scale):
    m = np.diag([1.0, 2.0, 3.0]) * scale
    theory = analyse(m, Settings(dtype="float64").validated(m.shape))
    assert theory.condition_number == pytest.approx(3.0)
    assert theory.rank == 3 and theory.floor is None
    word = "underflows" if scale < 1 else "overflows"
    assert f"{word} float64" in theory.warning
    assert theory.optimal_lr is None and theory.max_stable_lr is None
    assert f"Scale M by 1e{-round(math.log10(scale)):+d}" in theory.warning


def test_a_tiny_matrix_in_float64_runs_and_says_why_nothing_moves():
    run = finish(Run(np.diag([1.0, 2.0, 3.0]) * 1e-200,
                     Settings(dtype="float64", max_steps=50)))
    assert run.status.state == "finished"
    assert run.theory.predicted_loss_factor == 1.0
    assert math.isfinite(run.snapshot().distance)


@pytest.mark.parametrize("scale", [1e200, 1e300])
def test_overflow_is_named_as_such(scale):
    run = finish(Run(np.diag([1.0, 2.0, 3.0]) * scale, Settings(dtype="float64")))
    assert run.status.state == "diverged" and run.iteration == 0
    reason = run.status.reason
    assert "the squares of X·M − I" in reason and "overflow float64" in reason
    assert "smaller learning rate" not in reason


def test_a_diverged_huge_run_is_shown_without_numpy_warnings():
    """diag(1, 2, 3)·1e120 in float64 diverges at once; its snapshot printed NumPy's
    "overflow encountered in matmul" (Run.null_space_norm on the diverged X)."""
    run = Run(np.diag([1.0, 2.0, 3.0]) * 1e120, Settings(dtype="float64"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        finish(run)
        snap = run.snapshot()
    assert run.status.state == "diverged" and run.iteration == 1
    assert "stable limit 1.9e-240" in run.status.reason  # lr 0.9 is far above it
    assert snap.extra["null_space_norm"] == math.inf


def test_overflow_of_x_times_m_in_float32_is_named():
    m = np.diag([1.0, 2.0, 3.0]) * 1e37
    run = finish(Run(m, Settings()))
    assert run.status.state == "diverged" and run.iteration == 0
    assert "overflow float32" in run.status.reason and "Use float64" in run.status.reason


@pytest.mark.parametrize("side", ["left", "right"])
def test_closed_form_float64_overflow_is_a_reason_not_a_warning(side):
    """The window's console showed NumPy's "overflow encountered in matmul" here."""
    m = np.diag([1.0, 2.0, 3.0])
    m[0, 1] = 1e308
    settings = Settings(dtype="float64", gradient="closed-form", side=side)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = finish(Run(m, settings))
    assert run.status.state == "diverged" and run.iteration == 0
    assert "overflow float64" in run.status.reason


@pytest.mark.parametrize(("scale", "word"), [(1e200, "overflow"), (1e-200, "underflow")])
def test_a_matrix_beyond_float32_is_refused_naming_dtype(scale, word):
    with pytest.raises(SettingsError, match=rf"^dtype: .* {word} float32"):
        Run(np.diag([1.0, 2.0, 3.0]) * scale, Settings())


def test_cli_names_the_dtype_for_a_matrix_beyond_float32(tmp_path, main_here):
    (tmp_path / "big.csv").write_text("1e200,0\n0,2e200\n")
    done = main_here("solve", "big.csv", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: --dtype: M's entries (up to 2e+200) overflow float32")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("limit, text", [(6.998, "6.99"), (7.2169, "7.21"), (1.9, "1.9"),
                                         (0.772, "0.772"), (12345.6, "1.23e+04")])
def test_a_stable_limit_is_written_rounded_down(limit, text):
    """'lr < 7' for a limit of 6.998 (β 0.8426 on tutorial-random) invited a class to try
    lr 7, which diverges: the text is never above the limit."""
    assert limit_text(limit) == text and float(limit_text(limit)) <= limit


def test_every_stable_limit_text_holds_over_a_range_of_momenta():
    matrix = load_preset("tutorial-random")
    for beta in np.linspace(0.0, 0.99, 67):
        limit = analyse(matrix, Settings(momentum=float(beta))).max_stable_lr
        assert float(limit_text(limit)) <= limit
        assert float(limit_text(limit, 4)) <= limit


def test_limit_text_takes_numpy_floats():
    # The sweep's limits are NumPy floats, whose repr is "np.float64(6.998)".
    assert limit_text(np.float64(6.998)) == "6.99"
    assert limit_text(np.float32(2.5)) == "2.5"


def test_a_residual_beyond_float64_splits_into_inf_without_warnings():
    """The Theory view's error-per-direction of a diverged run whose residual is near
    1e200: the squares overflow, the view gets inf (drawn at the top), and no warning
    (which the window's event loop would have raised from every frame)."""
    from solver.analysis import error_by_direction, singular_directions

    matrix = load_preset("tutorial-random")
    _sigma, basis = singular_directions(matrix, "left")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parts = error_by_direction(basis, np.full((4, 4), 1e200), "left")
    assert np.isinf(parts).any()
