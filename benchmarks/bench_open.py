"""Opening a big matrix and taking three steps, against six of its matrix products.

    python benchmarks/bench_open.py                  # n = 2048 (about a minute)
    python benchmarks/bench_open.py --sizes 2048 4096   # and n = 4096 (several minutes)
    python benchmarks/bench_open.py --quick          # a smoke run (n = 256)

What is timed is what the window's worker does for a newly opened matrix (issue 13): read
the .npy file, create the Run (the analysis: sigma_max by Lanczos for the stable learning
rate), send a first snapshot, then three times a step and a snapshot. Snapshots are taken
with reference=False: torch.linalg's answer (an inverse or SVD of M) is computed only when
a view asks for it. Default settings (inverse, momentum, float32).

The baseline is six n x n float32 matrix products by torch (the arithmetic of three steps:
X @ M forward, residual @ M.T backward), measured in the same process, alternating with
the measured opening. Target (issue 13): open + 3 steps <= 8 x six products.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_solver import machine_description  # noqa: E402

from solver import Run, Settings  # noqa: E402
from solver.matrix_io import load_matrix, save_matrix  # noqa: E402

TARGET = 8.0


def open_and_step(path: Path, reference: bool) -> dict[str, float]:
    """Seconds spent in each part of opening `path` and taking three steps."""
    parts: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        value = fn()
        parts[name] = parts.get(name, 0.0) + time.perf_counter() - start
        return value

    matrix = timed("read file", lambda: load_matrix(path))
    run = timed("create Run (analysis)", lambda: Run(matrix, Settings()))
    timed("snapshots", lambda: run.snapshot(reference=reference))
    for _ in range(3):
        timed("steps", lambda: run.step(1))
        timed("snapshots", lambda: run.snapshot(reference=reference))
    parts["total"] = sum(parts.values())
    return parts


def six_products(n: int) -> float:
    generator = torch.Generator().manual_seed(1)
    a = torch.rand(n, n, generator=generator)
    b = torch.rand(n, n, generator=generator)
    start = time.perf_counter()
    for _ in range(3):
        (a @ b) @ b
    return time.perf_counter() - start


def bench(n: int, kind: str, repeats: int, reference: bool, folder: Path) -> None:
    generator = torch.Generator().manual_seed(0)
    matrix = (torch.rand(n, n, generator=generator).numpy() if kind == "random"
              else np.zeros((n, n), dtype=np.float32))
    path = folder / f"{kind}-{n}.npy"
    save_matrix(path, matrix)
    six_products(n)  # warm-up: thread pools, first-touch allocations
    opens, baselines = [], []
    for _ in range(repeats):
        baselines.append(six_products(n))
        opens.append(open_and_step(path, reference))
    baseline = statistics.median(baselines)
    middle = sorted(opens, key=lambda parts: parts["total"])[len(opens) // 2]
    print(f"   n = {n}, {kind} matrix (median of {repeats}): six products "
          f"{baseline:.3f} s")
    for name, seconds in middle.items():
        print(f"     {name:<24} {seconds:8.3f} s   {seconds / baseline:6.2f} x six products")
    label = f"ratio open+3 steps / six products, n={n} {kind}:"
    print(f"   {label:<52} {middle['total'] / baseline:6.2f}  (target <= {TARGET:g})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048],
                        help="matrix sizes n (default 2048; 4096 takes several minutes)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repetitions per size (default 3, 1 for n > 2048)")
    parser.add_argument("--with-reference", action="store_true",
                        help="snapshots compute torch.linalg's answer too (what a view "
                             "showing the distance to it costs)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: n = 256, once")
    args = parser.parse_args(argv)
    sizes = [256] if args.quick else args.sizes
    print("Matrix Descent: opening a big matrix + 3 steps" +
          (" (--quick: numbers not meaningful)" if args.quick else ""))
    print(machine_description())
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            repeats = args.repeats or (1 if args.quick or n > 2048 else 3)
            for kind in ("random", "zero"):
                bench(n, kind, repeats, args.with_reference, Path(folder))
    print(f"load at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
