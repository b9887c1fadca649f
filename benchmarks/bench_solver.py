"""Speed of the solver against the tutorial's own loop and against the arithmetic floor.

    python benchmarks/bench_solver.py            # the full benchmark (about a minute or two)
    python benchmarks/bench_solver.py --quick    # a fast smoke run (a few seconds)
    python benchmarks/bench_solver.py --threads 1   # torch on one thread

Run it on a quiet machine: with torch's default of one thread per core, every parallel
torch operation waits for all its threads, and a core busy with another process turns a
0.7 ms element-wise operation on a 1024 x 1024 matrix into several milliseconds.

1. The tutorial's random 4x4 (seed 314), lr 0.9, momentum 0.9, tol 0, 10,000 steps: the
   tutorial's `calculate_inverse` exactly as written there (seeds/000) against this solver's
   autograd and closed-form paths, repetitions interleaved, medians compared.
   Targets: tutorial / solver >= 1.0 (autograd) and >= 5 (closed form).
2. n = 1024, float32: one solver step (median of several) against two 1024 x 1024 matrix
   products (the arithmetic floor of a step: X @ M forward, residual @ M.T backward), the
   faster of torch's and NumPy's.
   Target: step / floor <= 1.3.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver import Run, Settings  # noqa: E402


# -- the tutorial's code, exactly as written there (seeds/000) -------------------------------
def mse(y_hat, y_true): return ((y_hat-y_true)**2).mean()


def improve(approximate_inverse, M, learning_rate, momentum, losses):
    # identity matrix
    y_true = torch.eye(n=len(M))
    # estimate of identity matrix
    y_hat = approximate_inverse @ M
    # loss = "degree of being lost"
    loss = mse(y_hat, y_true)
    losses.append(loss.detach().numpy())
    # calculate loss
    loss.backward()
    with torch.no_grad():
        # displace by learning_rate * derivatives
        approximate_inverse -= learning_rate * approximate_inverse.grad
        # momentum
        approximate_inverse.grad *= momentum  # reduce speed due to friction
    return None


def calculate_inverse(M, learning_rate=0.9, momentum=0.9, steps=10000):
    isSquare = M.shape[0] == M.shape[1]
    assert isSquare, 'M should be square'
    torch.manual_seed(314)
    # Step 0) Guess
    approximate_inverse = torch.rand(size=M.shape, requires_grad=True)
    losses = []
    for _t in range(steps):
        # Step 1) Improve
        improve(approximate_inverse, M, learning_rate, momentum, losses)
    return approximate_inverse, losses


# -- timing helpers ---------------------------------------------------------------------------
def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine_description() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return "\n".join([
        f"cpu:     {model}",
        f"cores:   {os.cpu_count()} logical, {affinity} usable by this process",
        f"torch:   {torch.__version__}, {torch.get_num_threads()} intra-op threads, "
        f"{torch.get_num_interop_threads()} inter-op threads",
        f"load:    {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min averages)",
        f"numpy:   {np.__version__}",
        f"python:  {platform.python_version()} on {platform.system()} {platform.release()}",
    ])


# -- part 1: the tutorial's 4x4 ---------------------------------------------------------------
def tutorial_matrix() -> torch.Tensor:
    torch.manual_seed(314)
    return torch.rand(size=(4, 4))


def solver_run(m: np.ndarray, gradient: str, steps: int) -> Run:
    """Create and run the solver as the app and the command line do (construction included)."""
    run = Run(m, Settings(lr=0.9, momentum=0.9, tol=0, max_steps=steps, gradient=gradient))
    run.step(steps)
    return run


def bench_tutorial_4x4(steps: int, repeats: int) -> dict[str, float]:
    m = tutorial_matrix()
    m_np = m.numpy()
    variants = {
        "tutorial loop": lambda: calculate_inverse(m, 0.9, 0.9, steps),
        "solver autograd": lambda: solver_run(m_np, "autograd", steps),
        "solver closed-form": lambda: solver_run(m_np, "closed-form", steps),
    }
    # Same numbers first (a benchmark of different work would mean nothing); also warms up.
    x, losses = calculate_inverse(m, 0.9, 0.9, min(steps, 500))
    check = solver_run(m_np, "autograd", min(steps, 500))
    assert np.array_equal(np.asarray(losses, dtype=np.float64), check.history.values())
    assert np.array_equal(x.detach().numpy(), check.snapshot().estimate)
    solver_run(m_np, "closed-form", min(steps, 500))  # warm-up of the last variant
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for rep in range(repeats):
        # Interleave, rotating the order so no variant always runs first or last.
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            times[name].append(timed(variants[name]))
    return {name: statistics.median(t) for name, t in times.items()}


# -- part 2: one step at n = 1024 -------------------------------------------------------------
def well_conditioned(n: int) -> np.ndarray:
    generator = torch.Generator().manual_seed(0)
    return (torch.eye(n) + 0.1 * torch.rand(n, n, generator=generator) / n**0.5).numpy()


def bench_large(n: int, repeats: int) -> dict[str, tuple[float, float]]:
    """(median, best) time of one step of each path and of two n x n products.

    Each step is sampled in turn with the products of its own library (autograd step with
    torch's, closed-form step with NumPy's), so load from other processes hits both alike.
    The two libraries are not interleaved with each other: torch's OpenMP threads and NumPy's
    OpenBLAS threads spin-wait after each call and would slow each other down.
    """
    m = well_conditioned(n)
    generator = torch.Generator().manual_seed(1)
    a = torch.rand(n, n, generator=generator)
    b = torch.rand(n, n, generator=generator)
    a_np, b_np = a.numpy().copy(), b.numpy().copy()
    runs = {
        gradient: Run(m, Settings(lr=0.5, momentum=0.9, tol=0, max_steps=0, gradient=gradient))
        for gradient in ("autograd", "closed-form")
    }
    groups = [
        {"two torch products": lambda: (a @ b) @ b,
         "solver autograd step": lambda: runs["autograd"].step(1)},
        {"two numpy products": lambda: (a_np @ b_np) @ b_np,
         "solver closed-form step": lambda: runs["closed-form"].step(1)},
    ]
    results = {}
    for group in groups:
        for fn in group.values():  # warm-up: first-touch allocations, autograd set-up
            fn()
            fn()
        times: dict[str, list[float]] = {name: [] for name in group}
        for _ in range(repeats):
            for name, fn in group.items():
                times[name].append(timed(fn))
        results.update({name: (statistics.median(t), min(t)) for name, t in times.items()})
    return results


# -- main -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a fast smoke run: few steps, small n, one repetition")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's own choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    steps, repeats, n, step_repeats = (300, 1, 256, 3) if args.quick else (10_000, 5, 1024, 15)

    print("Matrix Descent solver benchmark" + (" (--quick: numbers not meaningful)"
                                               if args.quick else ""))
    print(machine_description())
    print()

    print(f"1. Tutorial random 4x4, lr 0.9, momentum 0.9, {steps} steps, "
          f"median of {repeats} interleaved runs")
    small = bench_tutorial_4x4(steps, repeats)
    tutorial = small["tutorial loop"]
    for name, seconds in small.items():
        print(f"   {name:<20} {seconds:8.3f} s   {steps / seconds:10.0f} steps/s")
    ratio_auto = tutorial / small["solver autograd"]
    ratio_closed = tutorial / small["solver closed-form"]
    print(f"   ratio tutorial/solver autograd:    {ratio_auto:6.2f}  (target >= 1.0)")
    print(f"   ratio tutorial/solver closed-form: {ratio_closed:6.2f}  (target >= 5)")
    print()

    print(f"2. n = {n}, float32, one step: {step_repeats} samples of each, taken in turn")
    large = bench_large(n, step_repeats)
    print(f"   {'':<24} {'median':>9}    {'best':>9}")
    for name, (median, best) in large.items():
        print(f"   {name:<24} {median * 1e3:9.2f} ms {best * 1e3:9.2f} ms")
    # Each path against the products of its own library (torch for autograd, NumPy for the
    # closed form on the CPU), and against the faster of the two: the arithmetic floor.
    floors = {"autograd": large["two torch products"], "closed-form": large["two numpy products"]}
    fastest = min(floors.values())
    for path, own in floors.items():
        median, best = large[f"solver {path} step"]
        label = f"ratio {path} step / two products:"
        print(f"   {label:<40} {median / fastest[0]:5.2f}  (target <= 1.3; "
              f"vs its own library {median / own[0]:.2f}, best/best {best / own[1]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
