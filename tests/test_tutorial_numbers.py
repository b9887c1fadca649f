"""The tutorial's published numbers (../shared/REFERENCE.md, part 2), reproduced by the solver.

The notebook printed its losses and gradient with torch's 4-digit formatting; every number is
compared to exactly the digits printed there. The momentum run is also compared bit for bit
with the tutorial's own loop, written below as the tutorial writes it.
"""

import math

import numpy as np
import pytest
import torch

from solver import Run, Settings

# The notebook: lrs = np.log(np.logspace(2e-1, 2e-1, 100)), i.e. ln(10) * 0.2 every step.
NOTEBOOK_LR = 0.4605170185988092

# Run B: loss at steps 0, 20, ..., 80, printed as `tensor(1.6650, ...)` etc.
PUBLISHED_LOSSES = {0: "1.6650", 20: "0.0054", 40: "0.0005", 60: "4.7337e-05", 80: "4.4184e-06"}

# Run B: the error matrix X @ M - I printed every 20 steps with "{:0.2f}".
PUBLISHED_ERRORS = {
    0: [[-0.28, 1.26, 2.00, 1.35], [0.85, -0.37, 1.50, 1.86],
        [0.01, 0.89, 1.41, 2.20], [0.36, 0.74, 2.05, 0.23]],
    20: [[-0.09, 0.01, 0.00, 0.00], [0.26, -0.00, 0.00, 0.00],
         [0.00, 0.00, 0.00, 0.00], [0.11, 0.00, 0.00, 0.00]],
    40: [[-0.03, 0.00, 0.00, 0.00], [0.08, -0.00, 0.00, 0.00],
         [0.00, 0.00, 0.00, 0.00], [0.03, 0.00, 0.00, 0.00]],
    60: [[-0.01, 0.00, 0.00, 0.00], [0.02, -0.00, 0.00, -0.00],
         [0.00, 0.00, 0.00, 0.00], [0.01, 0.00, 0.00, 0.00]],
    80: [[-0.00, 0.00, 0.00, 0.00], [0.01, -0.00, 0.00, -0.00],
         [0.00, 0.00, 0.00, 0.00], [0.00, 0.00, 0.00, 0.00]],
}

# `random_inverse.grad` after the first loss on diag(1, 2, 3, 4), as printed in the notebook.
PUBLISHED_GRADIENT = [
    ["-3.5046e-02", "3.1475e-01", "7.5007e-01", "6.7699e-01"],
    ["1.0653e-01", "-9.3718e-02", "5.6315e-01", "9.2856e-01"],
    ["1.0338e-03", "2.2346e-01", "5.2824e-01", "1.1024e+00"],
    ["4.4448e-02", "1.8549e-01", "7.6836e-01", "1.1486e-01"],
]

MOMENTUM_STEPS = 10_000  # tutorial run A
BIT_EXACT_STEPS = 2_000  # compared bit for bit with the tutorial's loop


def tutorial_random() -> torch.Tensor:
    """M1 of the tutorial: torch.manual_seed(314); torch.rand(4, 4)."""
    torch.manual_seed(314)
    return torch.rand(size=(4, 4))


def tutorial_diagonal() -> torch.Tensor:
    """M2 of the tutorial: diag(1, 2, 3, 4)."""
    return torch.diag(torch.tensor([1.0, 2.0, 3.0, 4.0]))


TUTORIAL_MATRICES = {"random": tutorial_random, "diagonal": tutorial_diagonal}


def as_printed(value: float, printed: str) -> float:
    """`value` rounded to the digits of `printed` (fixed or scientific, as torch printed it)."""
    if "e" in printed:
        digits = len(printed.split("e")[0].split(".")[1])
        return float(f"{value:.{digits}e}")
    digits = len(printed.split(".")[1])
    return float(f"{value:.{digits}f}")


# -- the tutorial's own code, as written there (seeds/000: improve / calculate_inverse) -------
def mse(y_hat, y_true):
    return ((y_hat - y_true) ** 2).mean()


def improve(approximate_inverse, M, learning_rate, momentum, losses):
    y_true = torch.eye(n=len(M))
    y_hat = approximate_inverse @ M
    loss = mse(y_hat, y_true)
    losses.append(loss.detach().numpy())
    loss.backward()
    with torch.no_grad():
        approximate_inverse -= learning_rate * approximate_inverse.grad
        approximate_inverse.grad *= momentum


def calculate_inverse(M, learning_rate=0.9, momentum=0.9, steps=10000):
    torch.manual_seed(314)
    approximate_inverse = torch.rand(size=M.shape, requires_grad=True)
    losses = []
    for _ in range(steps):
        improve(approximate_inverse, M, learning_rate, momentum, losses)
    return approximate_inverse, losses


# -- the notebook's run B (seeds/001: update(lr) with grad.zero_()) ---------------------------
def notebook_run_b(steps=100):
    M1234 = torch.diag(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    Y_true = torch.diag(torch.tensor([1, 1, 1, 1])).float()
    lrs = np.log(np.logspace(2e-1, 2e-1, steps))
    torch.manual_seed(314)
    random_inverse = torch.nn.Parameter(torch.rand(size=[4, 4]))
    losses = []
    for lr in lrs:
        Y_hat = random_inverse @ M1234
        loss = ((Y_true - Y_hat) ** 2).mean()
        loss.backward()
        losses.append(loss.detach().numpy())
        with torch.no_grad():
            random_inverse.sub_(lr * random_inverse.grad)
            random_inverse.grad.zero_()
    return np.asarray(losses, dtype=np.float64), random_inverse.detach().numpy()


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_b():
    """The solver's run B: plain gradient descent, 100 steps, snapshots every 20 steps."""
    run = Run(np.diag([1.0, 2.0, 3.0, 4.0]),
              Settings(optimizer="gd", lr=NOTEBOOK_LR, tol=0, max_steps=100))
    snapshots = {}
    for step in range(0, 100, 20):
        snapshots[step] = run.snapshot()
        run.step(20)
    return run, snapshots


@pytest.fixture(scope="module")
def runs_a():
    """The solver's run A (lr 0.9, momentum 0.9, tol 0, 10,000 steps) on both tutorial
    matrices: name -> (M, run, snapshot after the first BIT_EXACT_STEPS steps)."""
    runs = {}
    for name, make in TUTORIAL_MATRICES.items():
        m = make()
        run = Run(m.numpy(), Settings(lr=0.9, momentum=0.9, tol=0, max_steps=MOMENTUM_STEPS))
        run.step(BIT_EXACT_STEPS)
        early = run.snapshot()
        run.step(MOMENTUM_STEPS - BIT_EXACT_STEPS)
        runs[name] = (m, run, early)
    return runs


# -- run B: the notebook's printed numbers ---------------------------------------------------
def test_notebook_lr_is_ln10_times_0_2():
    assert np.log(np.logspace(2e-1, 2e-1, 100))[0] == pytest.approx(NOTEBOOK_LR, rel=1e-15)
    assert math.log(10) * 0.2 == pytest.approx(NOTEBOOK_LR, rel=1e-15)


@pytest.mark.parametrize("step", sorted(PUBLISHED_LOSSES))
def test_run_b_losses_match_the_published_digits(run_b, step):
    run, _ = run_b
    printed = PUBLISHED_LOSSES[step]
    loss = run.history.values()[step]
    assert as_printed(loss, printed) == float(printed), f"step {step}: {loss!r} vs {printed}"


@pytest.mark.parametrize("step", sorted(PUBLISHED_ERRORS))
def test_run_b_error_heatmaps_match_the_published_digits(run_b, step):
    _, snapshots = run_b
    error = snapshots[step].error
    rounded = np.array([[float(f"{v:0.2f}") for v in row] for row in error])
    np.testing.assert_array_equal(rounded, np.array(PUBLISHED_ERRORS[step]))


def test_run_b_is_the_notebook_loop_bit_for_bit(run_b):
    run, _ = run_b
    losses, x = notebook_run_b()
    assert run.status.state == "finished"
    assert np.array_equal(run.history.values(), losses)
    assert np.array_equal(run.snapshot().estimate, x)


@pytest.mark.parametrize("gradient", ["autograd", "closed-form"])
def test_first_gradient_matches_the_printed_matrix(gradient):
    run = Run(np.diag([1.0, 2.0, 3.0, 4.0]),
              Settings(optimizer="gd", lr=NOTEBOOK_LR, gradient=gradient))
    grad = run.snapshot().gradient
    assert grad.shape == (4, 4)
    for i, row in enumerate(PUBLISHED_GRADIENT):
        for j, printed in enumerate(row):
            assert as_printed(float(grad[i, j]), printed) == float(printed), (i, j, grad[i, j])


# -- run A: the tutorial's momentum run -----------------------------------------------------
@pytest.mark.parametrize("name", sorted(TUTORIAL_MATRICES))
def test_run_a_is_the_tutorial_loop_bit_for_bit(runs_a, name):
    m, run, early = runs_a[name]
    x, losses = calculate_inverse(m, 0.9, 0.9, steps=BIT_EXACT_STEPS)
    assert early.iteration == BIT_EXACT_STEPS
    assert np.array_equal(run.history.values()[:BIT_EXACT_STEPS],
                          np.asarray(losses, dtype=np.float64))
    assert np.array_equal(early.estimate, x.detach().numpy())


@pytest.mark.parametrize("name", sorted(TUTORIAL_MATRICES))
def test_run_a_inverts_both_matrices(runs_a, name):
    m, run, _ = runs_a[name]
    assert run.status.state == "finished"
    assert run.iteration == MOMENTUM_STEPS
    x = run.snapshot().estimate
    np.testing.assert_allclose(x @ m.numpy(), np.eye(4), rtol=0, atol=1e-5)
    np.testing.assert_allclose(x, torch.linalg.inv(m).numpy(), rtol=0, atol=1e-4)


@pytest.mark.parametrize("level", [1e-4, 1e-8, 1e-10, 1e-12])
def test_the_diagonal_matrix_converges_in_fewer_steps(runs_a, level):
    """The tutorial's chart: "It depends, for the Simple Diagonal Matrix it converges faster"."""
    def first_step_below(name):
        losses = runs_a[name][1].history.values()
        below = np.flatnonzero(losses < level)
        assert below.size, f"{name} never reached {level:g}"
        return int(below[0])

    assert first_step_below("diagonal") < first_step_below("random")
