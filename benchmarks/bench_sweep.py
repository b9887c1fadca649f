"""Speed of the batched sweep against the same runs made one after another with Run.

    python benchmarks/bench_sweep.py             # about a minute: ratio, map time, throughput
    python benchmarks/bench_sweep.py --full      # the baseline times all 1,024 runs (slow)
    python benchmarks/bench_sweep.py --large     # throughput also at n = 256
    python benchmarks/bench_sweep.py --quick     # a smoke run (numbers not meaningful)

1. The ratio: 1,024 runs (a 32 x 32 grid of learning rates and momenta around theory's
   stability limit) of the tutorial's random 4 x 4 for up to 2,000 steps (tol 1e-12, so
   runs stop as they would in the app), as one BatchedRun against the same runs one after
   another with Run and the same settings, for the autograd and the closed-form gradient.
   Every run's outcome is checked equal first. By default the sequential time is measured
   on every 16th run and scaled by run-steps (each run's steps until it stopped); --full
   times all of them. Target: batched >= 50x faster.
2. The Sweep view's default: a 48 x 48 map of the same 4 x 4 for 2,000 steps (seconds).
3. Throughput: run-steps per second (K runs x steps / time) for K = 64 ... 4,096 runs of an
   n x n matrix, n = 4 ... 64 (256 with --large), on the CPU and on CUDA when present.
4. Memory: the peak memory of a sweep (in a child process, Linux: VmHWM after resetting it)
   against solver.sweep's estimate, which the size limit uses; the estimate must not be
   below what is used.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_solver import machine_description  # noqa: E402 (benchmarks/ is the script's path)

from solver import Run, Settings, analyse  # noqa: E402
from solver.presets import load_preset  # noqa: E402
from solver.sweep import BatchedRun, estimate_bytes  # noqa: E402
from solver.sweep_grid import Grid, default_axes  # noqa: E402


def tutorial_grid(points: int) -> tuple[np.ndarray, Settings, Grid]:
    """The tutorial's random 4 x 4, the app's settings, and the view's default grid."""
    matrix = load_preset("tutorial-random")
    settings = Settings(max_steps=2000)
    theory = analyse(matrix.astype(np.float32), settings.validated(matrix.shape))
    lr_axis, momentum_axis = default_axes(theory, "momentum", points, points)
    return matrix, settings, Grid(lr_axis.values(), momentum_axis.values())


def batched(matrix, settings, grid):
    """(seconds, result) of one BatchedRun of the grid, set-up included."""
    start = time.perf_counter()
    batch = BatchedRun(matrix, settings, *grid.cells())
    batch.step(10**9)
    return time.perf_counter() - start, batch.result()


def sequential(matrix, settings, lrs, momenta):
    """(seconds, [(state, iteration)]) of Run after Run, construction included."""
    outcomes = []
    start = time.perf_counter()
    for lr, momentum in zip(lrs.tolist(), momenta.tolist(), strict=True):
        run = Run(matrix, dataclasses.replace(settings, lr=lr, momentum=momentum))
        while not run.done:
            run.step(settings.max_steps)
        outcomes.append((run.status.state, run.iteration))
    return time.perf_counter() - start, outcomes


def bench_ratio(points: int, every: int, repeats: int) -> None:
    matrix, base, grid = tutorial_grid(points)
    lrs, momenta = grid.cells()
    names = ("pending", "converged", "diverged", "finished")
    for gradient in ("autograd", "closed-form"):
        settings = dataclasses.replace(base, gradient=gradient)
        times, result = [], None
        for _ in range(repeats):
            seconds, result = batched(matrix, settings, grid)
            times.append(seconds)
        sample = np.arange(0, grid.size, every)
        seq_seconds, outcomes = sequential(matrix, settings, lrs[sample], momenta[sample])
        for k, (state, iteration) in zip(sample.tolist(), outcomes, strict=True):
            assert names[result.state[k]] == state and result.stopped_at[k] == iteration, k
        run_steps = result.stopped_at.sum()
        scale = run_steps / result.stopped_at[sample].sum()
        seq_all = seq_seconds * scale
        fast = statistics.median(times)
        how = ("all runs" if every == 1 else
               f"measured on {sample.size} of {grid.size} runs (every {every}th), scaled by "
               "run-steps")
        print(f"   {gradient:<11} batched {fast:7.3f} s (median of {repeats}); one after "
              f"another {seq_all:8.2f} s ({how}); {run_steps:,} run-steps")
        print(f"   ratio sequential/batched {gradient}: {seq_all / fast:8.1f}  (target >= 50)")


def bench_map(repeats: int) -> None:
    matrix, settings, grid = tutorial_grid(48)
    times = [batched(matrix, settings, grid)[0] for _ in range(repeats)]
    print(f"   48 x 48 = 2,304 runs, up to 2,000 steps: {statistics.median(times):.2f} s "
          f"(median of {repeats}; the view adds the drawing, about 5 partial maps a second)")


def throughput(ks, ns, device: str, seconds: float) -> None:
    print(f"   device {device}; run-steps per second (K runs x steps / time):")
    print("   " + f"{'n':>5}" + "".join(f"{f'K={k:,}':>14}" for k in ks))
    for n in ns:
        cells = []
        generator = torch.Generator().manual_seed(0)
        matrix = (torch.eye(n) + 0.1 * torch.rand(n, n, generator=generator) / n**0.5).numpy()
        for k in ks:
            settings = Settings(optimizer="momentum", device=device, max_steps=10**9, tol=0.0)
            if estimate_bytes(k, (n, n), "float32") > (1 << 30):
                cells.append("over limit")
                continue
            batch = BatchedRun(matrix, settings, np.full(k, 0.5), np.full(k, 0.5))
            batch.step(2)  # warm-up, and one step's time to size the measurement
            start = time.perf_counter()
            batch.step(2)
            per_step = max((time.perf_counter() - start) / 2, 1e-7)
            steps = int(min(max(seconds / per_step, 3), 2000))
            start = time.perf_counter()
            batch.step(steps)
            if device == "cuda":
                torch.cuda.synchronize()
            elapsed = time.perf_counter() - start
            cells.append(f"{k * steps / elapsed:,.0f}")
        print("   " + f"{n:>5}" + "".join(f"{c:>14}" for c in cells))


MEMORY_PROBE = """
import json, sys
import numpy as np, torch
sys.path.insert(0, {root!r})
from solver import Settings
from solver.sweep import BatchedRun, estimate_bytes

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024

k, n, dtype, gradient = {k}, {n}, {dtype!r}, {gradient!r}
m = np.eye(n) + 0.1 * np.random.default_rng(0).random((n, n)) / n**0.5
with open("/proc/self/clear_refs", "w") as fh:  # the peak (VmHWM) restarts from here
    fh.write("5")
before = status("VmRSS")
batch = BatchedRun(m, Settings(dtype=dtype, gradient=gradient, max_steps=30, tol=0.0),
                   np.full(k, 0.5), np.full(k, 0.5))
batch.step(30)
print(json.dumps({{"used": status("VmHWM") - before,
                  "estimate": estimate_bytes(k, (n, n), dtype)}}))
"""


def bench_memory(cases) -> None:
    root = str(Path(__file__).resolve().parents[1])
    for k, n, dtype, gradient in cases:
        code = MEMORY_PROBE.format(root=root, k=k, n=n, dtype=dtype, gradient=gradient)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        figures = json.loads(done.stdout)
        used, estimate = figures["used"], figures["estimate"]
        print(f"   K={k:,} of {n} x {n} {dtype} {gradient:<11}: peak growth "
              f"{used / 2**20:7.1f} MB, estimate {estimate / 2**20:7.1f} MB, "
              f"estimate/used {estimate / used:5.2f}  (target >= 1)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small and short")
    parser.add_argument("--full", action="store_true",
                        help="time all 1,024 runs one after another (slow: about a minute "
                             "for the closed form, several for autograd)")
    parser.add_argument("--large", action="store_true", help="throughput at n = 256 too")
    args = parser.parse_args(argv)
    print("Matrix Descent sweep benchmark" + (" (--quick: numbers not meaningful)"
                                              if args.quick else ""))
    print(machine_description())
    print()
    points, every, repeats = (8, 8, 1) if args.quick else (32, 1 if args.full else 16, 3)
    print(f"1. {points * points:,} runs of tutorial-random (4 x 4), heavy ball, float32, up "
          "to 2,000 steps, tol 1e-12: batched against one Run after another")
    bench_ratio(points, every, repeats)
    print()
    print("2. The Sweep view's default map")
    if args.quick:
        print("   (skipped with --quick)")
    else:
        bench_map(3)
    print()
    print("3. Throughput")
    ks = (64, 256) if args.quick else (64, 256, 1024, 4096)
    ns = (4, 16) if args.quick else ((4, 16, 64, 256) if args.large else (4, 16, 64))
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        throughput(ks, ns, device, 0.05 if args.quick else 0.5)
    if not torch.cuda.is_available():
        print("   (no CUDA device: torch reports none)")
    print()
    print("4. Memory (each case in a child process)")
    cases = ([(256, 16, "float32", "autograd")] if args.quick else
             [(4096, 64, "float32", "autograd"), (4096, 64, "float32", "closed-form"),
              (1024, 64, "float64", "autograd"), (16384, 4, "float32", "autograd")])
    bench_memory(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
