"""The stepping API (docs/solver-api.md): reset, step, live changes, stopping, settings
validation, the update rules against torch.optim, and the theory's predictions."""

import dataclasses
import math
import re

import numpy as np
import pytest
import torch

from solver import Run, Settings, SettingsError, StepBatch
from solver.history import LossHistory
from solver.presets import load_preset


def tutorial_random() -> np.ndarray:
    torch.manual_seed(314)
    return torch.rand(4, 4).numpy()


def tutorial_diagonal() -> np.ndarray:
    return np.diag([1.0, 2.0, 3.0, 4.0]).astype(np.float32)


TUTORIAL_MATRICES = {"random": tutorial_random(), "diagonal": tutorial_diagonal()}


def numbers_in(text: str) -> list[float]:
    return [float(t) for t in re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


def run_until_done(run: Run, chunk: int = 5000) -> Run:
    while not run.done:
        run.step(chunk)
    return run


def reference_loop(m, steps, lr_at, momentum_at=lambda t: 0.0, dtype=torch.float64):
    """Heavy-ball gradient descent written out by hand: buf = beta_t * buf + g,
    x -= lr_t * buf (beta_t = 0 is plain gradient descent). Returns losses and X."""
    m = torch.as_tensor(m, dtype=dtype)
    x = torch.rand(m.T.shape, generator=torch.Generator().manual_seed(314)).to(dtype)
    eye = torch.eye(m.shape[1], dtype=dtype)
    buf = None
    losses = []
    for t in range(steps):
        r = x @ m - eye
        losses.append(float((r * r).mean()))
        g = 2 * r @ m.T / r.numel()
        buf = g if buf is None else momentum_at(t) * buf + g
        x = x - lr_at(t) * buf
    return np.array(losses), x.numpy()


# -- reset and stepping ---------------------------------------------------------------------
@pytest.mark.parametrize("settings", [
    Settings(tol=0),
    Settings(optimizer="adam", lr=0.01, weight_decay=1e-5, tol=0),
    Settings(gradient="closed-form", tol=0),
    Settings(problem="svd", svd_method="deflation", tol=0),
    Settings(problem="svd", tol=0, optimizer="rmsprop", lr=0.001),
], ids=["momentum", "adam", "closed-form", "svd-deflation", "svd-penalty-rmsprop"])
def test_reset_repeats_the_run_bit_for_bit(settings):
    m = tutorial_random() if settings.problem != "svd" else tutorial_random()[:, :3].copy()
    run = Run(m, settings)
    first_start = run.snapshot().estimate
    run.step(500)
    first = (run.history.values().copy(), run.snapshot().estimate)
    run.reset()
    assert run.iteration == 0 and len(run.history) == 0 and run.status.state == "ready"
    assert np.array_equal(run.snapshot().estimate, first_start)
    run.step(200)
    run.step(300)
    second = (run.history.values().copy(), run.snapshot().estimate)
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])
    fresh = Run(m, settings)
    fresh.step(500)
    assert np.array_equal(fresh.history.values(), first[0])


def test_reset_after_a_finished_run_starts_again():
    run = Run(tutorial_diagonal(), Settings(max_steps=50, tol=0))
    run.step(100)
    assert run.done
    run.reset()
    assert not run.done
    assert len(run.step(10).losses) == 10


def test_step_advances_k_iterations_and_reports_each_loss():
    run = Run(tutorial_random(), Settings(tol=0, max_steps=0))
    assert run.iteration == 0 and run.status.state == "ready"
    batch = run.step(7)
    assert isinstance(batch, StepBatch)
    assert batch.iterations.tolist() == list(range(7))
    assert batch.iterations.dtype == np.int64
    assert batch.losses.dtype == np.float64 and batch.losses.shape == (7,)
    assert run.iteration == 7 and run.status.state == "running"
    second = run.step(5)
    assert second.iterations.tolist() == list(range(7, 12))
    assert run.step().iterations.tolist() == [12]
    assert np.array_equal(run.history.values(),
                          np.concatenate([batch.losses, second.losses, run.history.values()[12:]]))
    assert len(run.history) == run.iteration == 13


def test_recorded_loss_is_that_of_the_estimate_before_the_update():
    run = Run(tutorial_random(), Settings(tol=0))
    before = run.snapshot()
    batch = run.step(1)
    assert batch.losses[0] == before.loss
    after = run.snapshot()
    assert after.iteration == 1
    assert run.step(1).losses[0] == after.loss
    assert after.loss != before.loss


def test_step_zero_is_harmless():
    run = Run(tutorial_random(), Settings(tol=0))
    batch = run.step(0)
    assert batch.losses.size == 0 and run.iteration == 0


# -- live changes ---------------------------------------------------------------------------
def test_set_lr_and_momentum_between_steps_match_a_hand_computed_run():
    m = tutorial_random()
    run = Run(m, Settings(dtype="float64", lr=0.9, momentum=0.9, tol=0, max_steps=0))
    run.step(150)
    run.set_lr(0.5)
    run.step(100)
    run.set_momentum(0.5)
    run.step(100)
    run.set_lr(2.0)
    run.set_momentum(0.0)
    run.step(50)
    assert run.iteration == 400
    assert run.settings.lr == 2.0 and run.settings.momentum == 0.0
    losses, x = reference_loop(
        m, 400,
        lr_at=lambda t: 0.9 if t < 150 else 0.5 if t < 350 else 2.0,
        momentum_at=lambda t: 0.9 if t < 250 else 0.5 if t < 350 else 0.0,
    )
    np.testing.assert_allclose(run.history.values(), losses, rtol=1e-10)
    np.testing.assert_allclose(run.snapshot().estimate, x, rtol=1e-10, atol=1e-12)
    unchanged = Run(m, Settings(dtype="float64", tol=0))
    unchanged.step(400)
    assert not np.allclose(unchanged.history.values()[150:], losses[150:], rtol=1e-3)


def test_set_lr_changes_plain_gradient_descent_without_a_reset():
    m = tutorial_diagonal()
    run = Run(m, Settings(optimizer="gd", lr=0.1, dtype="float64", tol=0))
    run.step(30)
    run.set_lr(0.45)
    run.step(30)
    losses, _ = reference_loop(m, 60, lr_at=lambda t: 0.1 if t < 30 else 0.45)
    np.testing.assert_allclose(run.history.values(), losses, rtol=1e-10)


def test_set_lr_rejects_a_bad_value_and_keeps_the_run():
    run = Run(tutorial_random(), Settings(tol=0))
    run.step(10)
    with pytest.raises(SettingsError, match=r"^lr:"):
        run.set_lr(-1.0)
    with pytest.raises(SettingsError, match=r"^momentum:"):
        run.set_momentum(1.0)
    assert run.settings.lr == 0.9 and run.settings.momentum == 0.9
    assert run.step(5).iterations.tolist() == [10, 11, 12, 13, 14]


# -- stopping -------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_huge_learning_rate_diverges_with_a_reason_naming_lr_and_limit(optimizer):
    run = Run(tutorial_random(), Settings(optimizer=optimizer, lr=100.0, tol=0))
    batch = run.step(10_000)
    assert run.status.state == "diverged"
    assert run.done and batch.status == run.status
    assert run.iteration < 1000
    reason = run.status.reason
    limit = run.theory.max_stable_lr
    assert "learning rate" in reason and "stable limit" in reason
    numbers = numbers_in(reason)
    assert 100.0 in numbers, reason
    assert any(math.isclose(n, limit, rel_tol=1e-3) for n in numbers), (limit, reason)
    # A stopped run stays stopped.
    empty = run.step(10)
    assert empty.losses.size == 0 and run.iteration == batch.iterations[-1] + 1


def test_divergence_to_infinity_is_caught():
    run = Run(tutorial_random(), Settings(optimizer="gd", lr=1e6, tol=0))
    batch = run.step(100)
    assert run.status.state == "diverged"
    assert batch.losses.size < 100
    assert "learning rate" in run.status.reason


def test_loss_below_tol_converges():
    run = Run(tutorial_diagonal(), Settings(tol=1e-8, max_steps=10_000))
    batch = run.step(10_000)
    assert run.status.state == "converged"
    # The run stops at the first X below the tolerance, without stepping past it: the
    # estimate left is that X, and every loss recorded before it was above.
    assert np.all(batch.losses >= 1e-8)
    assert run.iteration == batch.losses.size
    assert run.snapshot().loss < 1e-8
    assert f"converged at iteration {run.iteration}:" in run.status.reason
    assert run.step(5).losses.size == 0


def test_max_steps_finishes():
    run = Run(tutorial_random(), Settings(tol=0, max_steps=120))
    assert run.step(50).losses.size == 50
    assert run.step(100).losses.size == 70
    assert run.status.state == "finished" and run.done
    assert run.iteration == 120 == len(run.history)
    assert "120" in run.status.reason


def test_a_million_losses_fit_in_50_mb():
    history = Run(tutorial_random(), Settings()).history
    values = np.linspace(1.0, 1e-12, 1_000_000)
    for chunk in np.split(values, 400):
        history.extend(chunk.tolist())
    assert len(history) == 1_000_000
    assert history.nbytes < 50e6
    assert np.array_equal(history.values(), values)


def test_history_grows_compactly_from_small_chunks():
    history = LossHistory()
    for i in range(20_000):
        history.extend([float(i)])
    assert history.nbytes <= 2 * 8 * 20_000
    assert history.values()[-1] == 19_999.0


# -- settings validation --------------------------------------------------------------------
BAD_SETTINGS = [
    ("problem", "cholesky"), ("side", "top"), ("svd_method", "power"), ("optimizer", "sgd"),
    ("lr", 0.0), ("lr", -1.0), ("lr", math.nan), ("lr", math.inf), ("lr", "0.1"),
    ("momentum", 1.0), ("momentum", -0.1), ("momentum", math.nan),
    ("schedule", "linear"), ("schedule", "exp:0"), ("schedule", "exp:1.5"),
    ("schedule", "exp:abc"), ("schedule", "exp:"),
    ("weight_decay", -1e-5), ("weight_decay", math.inf),
    ("init", "ones"), ("seed", -1), ("seed", 1.5), ("seed", True),
    ("dtype", "float16"), ("gradient", "numeric"), ("device", "tpu"),
    ("max_steps", -1), ("max_steps", 10.5), ("tol", -1e-12), ("tol", math.nan),
]


@pytest.mark.parametrize(("field", "value"), BAD_SETTINGS)
def test_bad_setting_raises_an_error_naming_the_field(field, value):
    settings = dataclasses.replace(Settings(), **{field: value})
    with pytest.raises(SettingsError, match=rf"^{field}: ") as info:
        Run(tutorial_random(), settings)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(("matrix", "changes", "field"), [
    (np.ones((3, 4)), {"problem": "inverse"}, "problem"),
    (np.ones((3, 4)), {"side": "both"}, "side"),
    (np.ones((4, 4)), {"problem": "svd", "gradient": "closed-form"}, "gradient"),
    (np.ones((4, 4)), {"problem": "svd", "init": "zeros"}, "init"),
    (np.ones(4), {}, "matrix"),
    (np.ones((0, 3)), {}, "matrix"),
    (np.array([[1.0, math.nan], [0.0, 1.0]]), {}, "matrix"),
    (np.array([["a", "b"], ["c", "d"]]), {}, "matrix"),
])
def test_setting_that_does_not_fit_the_matrix_names_the_field(matrix, changes, field):
    with pytest.raises(SettingsError, match=rf"^{field}: "):
        Run(matrix, Settings(**changes))


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_cuda_without_a_device_names_the_field():
    with pytest.raises(SettingsError, match=r"^device: .*cuda"):
        Run(tutorial_random(), Settings(device="cuda"))


def test_unknown_setting_in_a_dict_is_named():
    with pytest.raises(SettingsError, match=r"^learning_rate: "):
        Settings.from_dict({"learning_rate": 0.1})
    assert Settings.from_dict(Settings(lr=0.3).to_dict()) == Settings(lr=0.3)


def test_problem_auto_resolves_from_the_shape():
    assert Run(np.eye(3), Settings()).settings.problem == "inverse"
    assert Run(np.ones((5, 2)), Settings()).settings.problem == "pinv"
    assert Run(np.ones((2, 5)), Settings()).settings.problem == "pinv"


# -- update rules against torch.optim -------------------------------------------------------
def torch_optim_run(m, make_optimizer, steps, dtype=torch.float32):
    """The same problem driven by a torch.optim optimizer, as a PyTorch user would write it."""
    m = torch.as_tensor(m, dtype=dtype)
    x = torch.rand(m.T.shape, generator=torch.Generator().manual_seed(314)).to(dtype)
    x.requires_grad_(True)
    optimizer = make_optimizer([x])
    eye = torch.eye(m.shape[1], dtype=dtype)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((x @ m - eye) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        optimizer.step()
    return np.array(losses), x.detach().numpy()


# (optimizer, lr, momentum, weight_decay, torch.optim counterpart given the params and lr)
OPTIM_CASES = [
    ("adam", 0.01, 0.9, 1e-5, lambda p, lr: torch.optim.Adam(
        p, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-5)),
    ("adam", 0.05, 0.5, 0.0, lambda p, lr: torch.optim.Adam(
        p, lr=lr, betas=(0.5, 0.999), eps=1e-8)),
    ("rmsprop", 0.01, 0.9, 0.0, lambda p, lr: torch.optim.RMSprop(
        p, lr=lr, alpha=0.99, eps=1e-8, momentum=0.9)),
    ("rmsprop", 0.001, 0.0, 1e-5, lambda p, lr: torch.optim.RMSprop(
        p, lr=lr, alpha=0.99, eps=1e-8, weight_decay=1e-5)),
    ("nesterov", 0.9, 0.9, 0.0, lambda p, lr: torch.optim.SGD(
        p, lr=lr, momentum=0.9, nesterov=True)),
    ("nesterov", 2.0, 0.5, 0.0, lambda p, lr: torch.optim.SGD(
        p, lr=lr, momentum=0.5, nesterov=True)),
    ("momentum", 0.9, 0.9, 0.0, lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
    ("momentum", 3.0, 0.3, 0.0, lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.3)),
    ("gd", 0.9, 0.0, 0.0, lambda p, lr: torch.optim.SGD(p, lr=lr)),
]
# The diagonal matrix is about four times as curved as the random one (L = 2 vs 0.53): the
# SGD family gets a four times smaller step there, to stay below the stable limit.
SGD_LR_SCALE = {"random": 1.0, "diagonal": 0.25}


@pytest.mark.parametrize(("optimizer", "lr", "momentum", "weight_decay", "make"), OPTIM_CASES,
                         ids=[f"{c[0]}-lr{c[1]}-m{c[2]}-wd{c[3]}" for c in OPTIM_CASES])
@pytest.mark.parametrize(("name", "dtype"), [
    ("random", "float32"), ("random", "float64"), ("diagonal", "float64"),
])  # float32 on the diagonal matrix reaches rounding noise (1e-13) within 200 steps
def test_optimizer_matches_torch_optim(name, dtype, optimizer, lr, momentum, weight_decay, make):
    m = TUTORIAL_MATRICES[name]
    if optimizer not in ("adam", "rmsprop"):
        lr *= SGD_LR_SCALE[name]
    run = Run(m, Settings(optimizer=optimizer, lr=lr, momentum=momentum, dtype=dtype,
                          weight_decay=weight_decay, tol=0, max_steps=200))
    run.step(200)
    assert run.status.state == "finished", run.status.reason
    torch_dtype = torch.float32 if dtype == "float32" else torch.float64
    losses, x = torch_optim_run(m, lambda params: make(params, lr), 200, torch_dtype)
    rtol = 1e-4 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(run.history.values(), losses, rtol=rtol)
    np.testing.assert_allclose(run.snapshot().estimate, x, rtol=rtol, atol=rtol / 10)


# -- theory ---------------------------------------------------------------------------------
def steps_to_reach(matrix, level, **settings) -> int:
    run = run_until_done(Run(matrix, Settings(tol=level, max_steps=30_000, **settings)))
    assert run.status.state == "converged", run.status.reason
    return run.iteration


def test_auto_tuned_momentum_beats_the_tutorials_settings():
    m = tutorial_random()
    theory = Run(m, Settings(optimizer="momentum")).theory
    assert 0 < theory.optimal_momentum < 1 and theory.optimal_lr > 0
    tutorial = steps_to_reach(m, 1e-12, optimizer="momentum", lr=0.9, momentum=0.9)
    tuned = steps_to_reach(m, 1e-12, optimizer="momentum", lr=theory.optimal_lr,
                           momentum=theory.optimal_momentum)
    assert tuned <= tutorial / 2, (tuned, tutorial)


def test_auto_tuned_nesterov_beats_the_tutorials_settings():
    m = tutorial_random()
    theory = Run(m, Settings(optimizer="nesterov")).theory
    tutorial = steps_to_reach(m, 1e-12, optimizer="momentum", lr=0.9, momentum=0.9)
    tuned = steps_to_reach(m, 1e-12, optimizer="nesterov", lr=theory.optimal_lr,
                           momentum=theory.optimal_momentum)
    assert tuned <= tutorial / 2, (tuned, tutorial)


def test_auto_tuned_gradient_descent_beats_gradient_descent_at_the_tutorials_lr():
    """Plain gradient descent at its best step 2/(L+mu) cannot beat momentum 0.9/0.9 on this
    matrix (its rate is (k-1)/(k+1), not (sqrt k-1)/(sqrt k+1)), but it is far faster than
    plain gradient descent at the tutorial's lr. In float32 plain gradient descent stalls near
    4e-11 on this matrix, so this runs in float64."""
    m = tutorial_random()
    theory = Run(m, Settings(optimizer="gd")).theory
    assert theory.optimal_lr == pytest.approx(2 / (theory.L + theory.mu))
    assert theory.optimal_momentum is None
    tutorial_lr = steps_to_reach(m, 1e-12, optimizer="gd", lr=0.9, dtype="float64")
    tuned = steps_to_reach(m, 1e-12, optimizer="gd", lr=theory.optimal_lr, dtype="float64")
    assert tuned <= tutorial_lr / 2, (tuned, tutorial_lr)


def test_optimal_gd_lr_is_the_best_constant_lr():
    m = tutorial_random()
    theory = Run(m, Settings(optimizer="gd", dtype="float64")).theory
    best = steps_to_reach(m, 1e-12, optimizer="gd", lr=theory.optimal_lr, dtype="float64")
    for lr in (0.8 * theory.optimal_lr, (theory.optimal_lr + theory.max_stable_lr) / 2):
        other = steps_to_reach(m, 1e-12, optimizer="gd", lr=lr, dtype="float64")
        assert best < other, (lr, best, other)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
@pytest.mark.parametrize("name", sorted(TUTORIAL_MATRICES))
def test_max_stable_lr_is_the_true_limit(name, optimizer):
    m = TUTORIAL_MATRICES[name]
    settings = Settings(optimizer=optimizer, momentum=0.9, dtype="float64", tol=0,
                        max_steps=20_000)
    limit = Run(m, settings).theory.max_stable_lr
    assert limit > 0

    below = Run(m, dataclasses.replace(settings, lr=0.95 * limit, tol=1e-20))
    run_until_done(below)
    assert below.status.state == "converged", below.status.reason

    above = Run(m, dataclasses.replace(settings, lr=1.05 * limit))
    run_until_done(above)
    assert above.status.state == "diverged", above.status.reason
    assert any(math.isclose(n, limit, rel_tol=1e-3) for n in numbers_in(above.status.reason))


@pytest.mark.parametrize(("name", "optimizer", "lr", "steps"), [
    ("random", "gd", 0.9, 8000),
    ("random", "gd", 3.0, 2000),
    ("diagonal", "gd", math.log(10) * 0.2, 200),
    ("diagonal", "gd", 0.8, 150),
    ("random", "momentum", 0.9, 1500),
])
def test_predicted_loss_factor_matches_the_observed_rate(name, optimizer, lr, steps):
    """Fit log(loss) over the second half of the run; compare the per-step rates
    -log(factor), which is stricter than comparing factors close to 1."""
    m = TUTORIAL_MATRICES[name]
    run = Run(m, Settings(optimizer=optimizer, lr=lr, momentum=0.9, dtype="float64", tol=0,
                          max_steps=steps))
    run.step(steps)
    losses = run.history.values()
    assert losses[-1] > 1e-28, "the window must stay above float64 rounding"
    late = np.arange(steps // 2, steps)
    slope = np.polyfit(late, np.log(losses[late]), 1)[0]
    predicted = run.theory.predicted_loss_factor
    assert 0 < predicted < 1
    assert slope / math.log(predicted) == pytest.approx(1.0, abs=0.1), (predicted, slope)


def test_float64_runs_reach_float64_accuracy():
    m = tutorial_random()
    run = run_until_done(Run(m, Settings(dtype="float64", tol=1e-28, max_steps=20_000)))
    assert run.status.state == "converged", run.status.reason
    snap = run.snapshot()
    assert snap.estimate.dtype == np.float64
    np.testing.assert_allclose(snap.estimate @ m.astype(np.float64), np.eye(4), atol=1e-12)
    assert snap.distance < 1e-11
    float32 = run_until_done(Run(m, Settings(tol=0, max_steps=5000)))
    assert float32.snapshot().estimate.dtype == np.float32
    assert float32.history.values()[-1] > 1e-20


def test_exponential_schedule_decays_the_learning_rate():
    m = tutorial_diagonal()
    gamma, lr = 0.999, 0.45
    run = Run(m, Settings(optimizer="gd", lr=lr, schedule="exp:0.999", dtype="float64", tol=0))
    assert run.lr_at(0) == lr
    assert run.lr_at(1000) == pytest.approx(lr * gamma**1000, rel=1e-12)
    run.step(300)
    losses, x = reference_loop(m, 300, lr_at=lambda t: lr * gamma**t)
    np.testing.assert_allclose(run.history.values(), losses, rtol=1e-10)
    np.testing.assert_allclose(run.snapshot().estimate, x, rtol=1e-10)
    constant = Run(m, Settings(optimizer="gd", lr=lr, dtype="float64", tol=0))
    constant.step(300)
    assert constant.history.values()[-1] < 0.5 * run.history.values()[-1]


def test_schedule_applies_with_momentum_too():
    m = tutorial_random()
    run = Run(m, Settings(lr=0.9, momentum=0.9, schedule="exp:0.99", dtype="float64", tol=0))
    run.step(200)
    losses, _ = reference_loop(m, 200, lr_at=lambda t: 0.9 * 0.99**t, momentum_at=lambda t: 0.9)
    np.testing.assert_allclose(run.history.values(), losses, rtol=1e-10)


def test_check_stop_says_at_once_what_the_next_step_would_find():
    """A run brought exactly to its converging iteration (as a reopened lesson's replay
    does) reports converged there without another step, with step()'s own reason."""
    matrix, settings = load_preset("tutorial-random"), Settings()
    reference = Run(matrix, settings)
    while not reference.done:
        reference.step(1000)
    replayed = Run(matrix, settings)
    replayed.step(reference.iteration)
    assert replayed.status.state == "running"
    assert replayed.check_stop() == reference.status
    assert replayed.iteration == reference.iteration
    np.testing.assert_array_equal(replayed.loss_rows(), reference.loss_rows())
