"""The solver's problems: inverse (three sides), pseudo-inverse (tall and wide) and SVD
(the tutorial's penalty method and rank-one deflation), checked against torch.linalg."""

import numpy as np
import pytest
import torch

from solver import Run, Settings

SIDES = ("left", "right", "both")
DTYPES = ("float32", "float64")
SVD_STEPS = 20_000  # the tutorial's part 3


def tutorial_random() -> np.ndarray:
    torch.manual_seed(314)
    return torch.rand(4, 4).numpy()


def indicator() -> np.ndarray:
    """The notebook's 17 x 3 word/document indicator matrix, as floats."""
    torch.manual_seed(123)
    return (torch.rand(17, 3) < 0.2).float().numpy()


def svd_tutorial_matrices() -> dict[str, np.ndarray]:
    """The five matrices of the tutorial's part 3."""
    def seeded(seed, *shape):
        torch.manual_seed(seed)
        return torch.rand(*shape)

    return {
        "314 rand(5,4)": seeded(314, 5, 4).numpy(),
        "315 rand(4,4)": seeded(315, 4, 4).numpy(),
        "316 rand(7,4)": seeded(316, 7, 4).numpy(),
        "317 rand(3,4).T": seeded(317, 3, 4).T.contiguous().numpy(),
        "317 rand(4,3)": seeded(317, 4, 3).numpy(),
    }


SVD_MATRICES = svd_tutorial_matrices()
# Where the tutorial's penalty method stalls at a wrong answer (the lesson of part 3).
PENALTY_STALLS_ON = "317 rand(4,3)"


def torch_singular_values(m: np.ndarray) -> np.ndarray:
    return torch.linalg.svdvals(torch.as_tensor(m, dtype=torch.float64)).numpy()


def left_null_part(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The part of X that X @ M (tall M) or M @ X (wide M) cannot see."""
    m = m.astype(np.float64)
    p = np.linalg.pinv(m)
    if m.shape[0] >= m.shape[1]:
        return x - x @ m @ p
    return x - p @ m @ x


# -- inverse --------------------------------------------------------------------------------
@pytest.mark.parametrize("side", SIDES)
def test_inverse_converges_to_torch_inverse_from_every_side(side):
    m = tutorial_random()
    run = Run(m, Settings(side=side, max_steps=10_000))
    run.step(10_000)
    assert run.status.state == "converged", run.status.reason
    snap = run.snapshot()
    expected = torch.linalg.inv(torch.as_tensor(m, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(snap.reference, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(snap.estimate, expected, rtol=0, atol=1e-4)
    assert snap.distance == pytest.approx(np.linalg.norm(snap.estimate - expected), rel=1e-6)
    assert snap.distance < 1e-4


@pytest.mark.parametrize("side", SIDES)
def test_error_matrix_is_the_residual_of_the_chosen_side(side):
    m = tutorial_random()
    snap = Run(m, Settings(side=side)).snapshot()
    x = snap.estimate
    residual = {"left": x @ m, "right": m @ x, "both": (x @ m + m @ x) / 2}[side]
    np.testing.assert_allclose(snap.error, residual - np.eye(4), rtol=1e-6, atol=1e-6)
    assert snap.loss == pytest.approx(float(np.mean(snap.error**2)), rel=1e-6)


# -- closed-form gradient against autograd --------------------------------------------------
GRADIENT_CASES = [
    pytest.param(tutorial_random(), "inverse", side, id=f"inverse-{side}") for side in SIDES
] + [
    pytest.param(indicator(), "pinv", "left", id="pinv-tall"),
    pytest.param(indicator().T.copy(), "pinv", "left", id="pinv-wide"),
]
GRADIENT_TOL = {"float32": 1e-6, "float64": 1e-14}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "problem", "side"), GRADIENT_CASES)
def test_closed_form_gradient_equals_autograd(m, problem, side, dtype):
    def gradients(gradient):
        run = Run(m, Settings(problem=problem, side=side, dtype=dtype, gradient=gradient,
                              optimizer="gd", lr=0.1, tol=0))
        first = run.snapshot().gradient
        run.step(7)  # and somewhere away from the start
        return first, run.snapshot().gradient

    for auto, closed in zip(gradients("autograd"), gradients("closed-form"), strict=True):
        assert closed.shape == auto.shape == m.T.shape
        assert closed.dtype == auto.dtype == np.dtype(dtype)
        scale = np.abs(auto).max()
        assert scale > 0
        np.testing.assert_allclose(closed, auto, rtol=0, atol=GRADIENT_TOL[dtype] * scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("side", SIDES)
def test_closed_form_run_tracks_the_autograd_run(side, dtype):
    m = tutorial_random()

    def history(gradient):
        run = Run(m, Settings(side=side, dtype=dtype, gradient=gradient, tol=0, max_steps=3000))
        run.step(3000)
        return run.history.values().copy(), run.snapshot().estimate

    (h_auto, x_auto), (h_closed, x_closed) = history("autograd"), history("closed-form")
    assert len(h_auto) == len(h_closed) == 3000
    # The two gradients round differently, and so do the residuals they give: the losses
    # may differ by a few round-offs of the residual, whose r.m.s. is sqrt(loss). How much
    # depends on the CPU's BLAS kernels (AVX-512 machines drift further than AVX2 ones).
    eps = np.finfo(dtype).eps
    h_auto64 = h_auto.astype(np.float64)
    drift = np.abs(h_closed - h_auto64) / (eps * np.sqrt(h_auto64))
    assert drift.max() < 16, f"losses differ by {drift.max():.1f} residual round-offs"
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(x_closed, x_auto, rtol=rtol, atol=rtol)


# -- pseudo-inverse -------------------------------------------------------------------------
PINV_SHAPES = {"tall": indicator(), "wide": indicator().T.copy()}


@pytest.fixture(scope="module")
def pinv_runs():
    """(shape name, init) -> (M, X at the start, run at its end, null-space norms per 25 steps)."""
    runs = {}
    for name, m in PINV_SHAPES.items():
        for init in ("zeros", "random"):
            run = Run(m, Settings(init=init, max_steps=10_000))
            start = run.snapshot()
            norms = [start.extra["null_space_norm"]]
            while not run.done:
                run.step(25)
                norms.append(run.snapshot().extra["null_space_norm"])
            runs[name, init] = (m, start.estimate, run, np.array(norms))
    return runs


def test_indicator_is_the_notebooks_matrix():
    m = indicator()
    assert m.shape == (17, 3) and m.dtype == np.float32
    assert np.flatnonzero(m.sum(axis=1)).tolist() == [1, 2, 4, 5, 9, 12]
    assert m[2].tolist() == [1, 1, 1] and m[12].tolist() == [1, 0, 1]


@pytest.mark.parametrize("shape", sorted(PINV_SHAPES))
def test_pinv_from_zeros_is_the_moore_penrose_pseudo_inverse(pinv_runs, shape):
    m, _, run, _ = pinv_runs[shape, "zeros"]
    assert run.settings.problem == "pinv"
    assert run.status.state == "converged", run.status.reason
    snap = run.snapshot()
    expected = torch.linalg.pinv(torch.as_tensor(m, dtype=torch.float64)).numpy()
    assert snap.estimate.shape == m.T.shape
    np.testing.assert_allclose(snap.estimate, expected, rtol=0, atol=1e-4)
    assert snap.distance < 1e-4


@pytest.mark.parametrize("shape", sorted(PINV_SHAPES))
def test_pinv_from_random_start_keeps_its_null_space_part(pinv_runs, shape):
    """The lesson: from a random start the equation is solved, but X is not pinv(M); the
    difference is exactly the start's null-space part, which no gradient step can move."""
    m, x0, run, norms = pinv_runs[shape, "random"]
    assert run.status.state == "converged", run.status.reason
    snap = run.snapshot()
    x = snap.estimate.astype(np.float64)
    pinv = np.linalg.pinv(m.astype(np.float64))
    remainder = x - pinv
    assert np.abs(remainder).max() > 0.1, "a random start should not end at pinv(M)"
    assert snap.distance > 0.1
    # The equation itself is solved: X @ M = I (tall) or M @ X = I (wide).
    solved = x @ m if shape == "tall" else m @ x
    np.testing.assert_allclose(solved, np.eye(3), rtol=0, atol=1e-5)
    # The remainder lies in the null space...
    seen = remainder @ m if shape == "tall" else m @ remainder
    np.testing.assert_allclose(seen, 0, atol=1e-5)
    # ...and is the random start's own null-space part, unchanged.
    np.testing.assert_allclose(remainder, left_null_part(x0.astype(np.float64), m), atol=1e-5)
    assert norms[0] == pytest.approx(np.linalg.norm(left_null_part(x0, m)), rel=1e-5)
    assert norms[0] > 1.0
    np.testing.assert_allclose(norms, norms[0], rtol=1e-5)
    assert len(norms) > 5


@pytest.mark.parametrize("shape", sorted(PINV_SHAPES))
def test_pinv_from_zeros_has_no_null_space_part(pinv_runs, shape):
    _, _, _, norms = pinv_runs[shape, "zeros"]
    assert norms[0] == 0
    assert np.all(norms < 1e-5)


# -- SVD ------------------------------------------------------------------------------------
def svd_run(m: np.ndarray, method: str, steps: int = SVD_STEPS) -> Run:
    """The tutorial's SVD settings: lr 0.9, momentum 0.9, tol 0, 20,000 steps."""
    run = Run(m, Settings(problem="svd", svd_method=method, lr=0.9, momentum=0.9, tol=0,
                          max_steps=steps))
    run.step(steps)
    return run


@pytest.fixture(scope="module")
def penalty_runs():
    """The penalty method on the matrix where it works and on one where it stalls."""
    return {name: svd_run(SVD_MATRICES[name], "penalty")
            for name in ("314 rand(5,4)", PENALTY_STALLS_ON)}


@pytest.fixture(scope="module")
def deflation_runs():
    return {name: svd_run(m, "deflation") for name, m in SVD_MATRICES.items()}


def test_penalty_svd_of_the_tutorial_matrix_matches_torch(penalty_runs):
    m = SVD_MATRICES["314 rand(5,4)"]
    run = penalty_runs["314 rand(5,4)"]
    assert run.status.state == "finished" and run.iteration == SVD_STEPS
    snap = run.snapshot()
    np.testing.assert_allclose(snap.s, torch_singular_values(m), rtol=0, atol=1e-3)
    np.testing.assert_allclose(snap.reference, torch_singular_values(m), rtol=1e-12)
    assert snap.distance < 1e-3
    assert np.all(np.diff(snap.s) <= 0), "singular values sorted descending"
    np.testing.assert_allclose((snap.u * snap.s) @ snap.v.T, m, atol=1e-3)
    np.testing.assert_allclose(snap.estimate, m, atol=1e-3)
    # Vectors agree with torch's up to sign.
    np.testing.assert_allclose(snap.u, snap.extra["u_ref"], atol=1e-2)
    np.testing.assert_allclose(snap.v, snap.extra["v_ref"], atol=1e-2)


def test_penalty_svd_stalls_at_a_wrong_answer(penalty_runs, deflation_runs):
    """The documented lesson of part 3: the tutorial's formulation can stall; deflation,
    on the same matrix with the same settings, does not."""
    m = SVD_MATRICES[PENALTY_STALLS_ON]
    run = penalty_runs[PENALTY_STALLS_ON]
    snap = run.snapshot()
    assert np.abs(snap.s - torch_singular_values(m)).max() > 1e-2
    assert np.abs(snap.error).max() > 1e-2
    # A stall, not slow progress: the last half of the run barely moved the loss.
    losses = run.history.values()
    assert losses[-1] > 0.9 * losses[SVD_STEPS // 2] > 1e-4
    fixed = deflation_runs[PENALTY_STALLS_ON].snapshot()
    np.testing.assert_allclose(fixed.s, torch_singular_values(m), atol=1e-3)


@pytest.mark.parametrize("name", list(SVD_MATRICES))
def test_deflation_svd_matches_torch_on_every_tutorial_matrix(deflation_runs, name):
    m = SVD_MATRICES[name]
    run = deflation_runs[name]
    assert run.status.state == "converged", run.status.reason
    snap = run.snapshot()
    k = min(m.shape)
    assert snap.u.shape == (m.shape[0], k) and snap.v.shape == (m.shape[1], k)
    np.testing.assert_allclose(snap.s, torch_singular_values(m), rtol=0, atol=1e-3)
    assert np.all(np.diff(snap.s) <= 0)
    np.testing.assert_allclose((snap.u * snap.s) @ snap.v.T, m, atol=1e-3)
    np.testing.assert_allclose(snap.error, (snap.u * snap.s) @ snap.v.T - m, atol=1e-6)
    np.testing.assert_allclose(snap.u.T @ snap.u, np.eye(k), atol=1e-3)
    np.testing.assert_allclose(snap.v.T @ snap.v, np.eye(k), atol=1e-3)
    np.testing.assert_allclose(snap.u, snap.extra["u_ref"], atol=1e-3)
    np.testing.assert_allclose(snap.v, snap.extra["v_ref"], atol=1e-3)


@pytest.mark.parametrize("method", ["penalty", "deflation"])
def test_wide_svd_comes_back_in_the_matrix_orientation(method):
    torch.manual_seed(317)
    wide = torch.rand(3, 4).numpy()
    steps = SVD_STEPS if method == "deflation" else 200
    run = svd_run(wide, method, steps)
    snap = run.snapshot()
    assert snap.u.shape == (3, 3)
    assert snap.s.shape == (3,)
    assert snap.v.shape == (4, 3)
    assert snap.estimate.shape == snap.error.shape == (3, 4)
    np.testing.assert_allclose(snap.error, (snap.u * snap.s) @ snap.v.T - wide, atol=1e-6)
    if method == "deflation":
        np.testing.assert_allclose(snap.s, torch_singular_values(wide), atol=1e-3)
        np.testing.assert_allclose(snap.estimate, wide, atol=1e-3)


def test_wide_penalty_svd_gradients_have_the_shapes_of_the_factors_shown():
    """Snapshot.gradient is documented as the gradient w.r.t. U; for a wide M, U is 3 x 3 in
    M's orientation, and the named gradients should match the named factors."""
    torch.manual_seed(317)
    wide = torch.rand(3, 4).numpy()
    snap = svd_run(wide, "penalty", 10).snapshot()
    assert snap.gradients["U"].shape == snap.u.shape == (3, 3)
    assert snap.gradients["V"].shape == snap.v.shape == (4, 3)
    assert snap.gradient.shape == snap.u.shape


def test_wide_deflation_svd_gradient_is_for_the_left_factor():
    """For deflation the shown gradient is that of the current left vector: one row per row
    of M, in M's orientation."""
    torch.manual_seed(317)
    wide = torch.rand(3, 4).numpy()
    snap = svd_run(wide, "deflation", 10).snapshot()
    assert snap.gradient.shape[0] == wide.shape[0] == snap.u.shape[0]
