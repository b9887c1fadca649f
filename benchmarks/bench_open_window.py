"""Opening a big matrix in the window's document model and taking three steps, against six
of its matrix products.

    python benchmarks/bench_open_window.py                      # n = 2048
    python benchmarks/bench_open_window.py --sizes 2048 4096    # and n = 4096 (minutes)
    python benchmarks/bench_open_window.py --window             # the whole main window
    python benchmarks/bench_open_window.py --quick              # a smoke run (n = 640)

What is timed is what the window does when a .npy file is opened (issue 13): read the file,
`DocumentModel.open_matrix` (the matrix model and its undo step, the document's digest, the
worker's new Run with the cheap analysis), wait for the run's first frame, then three times
`model.step()` and wait for its frame. Everything goes through the real model and its solver
thread (Qt offscreen); no view asks for torch.linalg's answer or the complete theory, as in
the window when a large matrix opens on the Gradient view. With `--window` the model belongs
to a shown MainWindow, so the heatmaps, the loss plot and the views draw every frame too
(`frame_drawn` is waited for).

The baseline is six n x n float32 matrix products by torch, measured in the same process,
alternating with the measured openings. Target (issue 13): open + 3 steps <= 8 x six
products.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_open import six_products  # noqa: E402
from bench_solver import machine_description  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.document_model import DocumentModel  # noqa: E402
from solver.matrix_io import load_matrix, save_matrix  # noqa: E402

TARGET = 8.0
TIMEOUT_S = 600.0


def wait_for(signal, condition) -> None:
    """Run the event loop until `signal` brings an argument for which `condition` holds."""
    loop = QEventLoop()
    hit = []

    def check(value) -> None:
        if not hit and condition(value):
            hit.append(value)
            loop.quit()

    signal.connect(check)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(int(TIMEOUT_S * 1000))
    loop.exec()
    signal.disconnect(check)
    if not hit:
        raise TimeoutError(f"no frame within {TIMEOUT_S:g} s")


class Target:
    """The document model alone, or a shown main window's (then frames must be drawn)."""

    def __init__(self, window: bool) -> None:
        self.window = None
        if window:
            from gui.main_window import MainWindow

            self.window = MainWindow()
            self.window.resize(1280, 860)
            self.window.show()
            self.model = self.window.model
            self.drawn = self.window.frame_drawn
        else:
            self.model = DocumentModel()
            self.drawn = self.model.frame
        wait_for(self.drawn, lambda frame: frame.snapshot is not None)

    def close(self) -> None:
        if self.window is not None:
            self.window.model.mark_saved(None, None)  # no "unsaved changes" question
            self.window.close()
        else:
            self.model.shutdown()


def open_and_step(target: Target, path: Path) -> dict:
    """Seconds from reading `path` to the frame of the third step, by part, and where the
    run stands then."""
    model = target.model
    parts: dict = {}
    start = time.perf_counter()
    matrix = load_matrix(path)
    parts["read file"] = time.perf_counter() - start
    mark = time.perf_counter()
    before = model.run.run_id
    model.open_matrix(matrix, path.stem, str(path))
    parts["open_matrix (GUI thread)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    wait_for(target.drawn, lambda frame: frame.run_id > before and frame.snapshot is not None)
    parts["first frame"] = time.perf_counter() - mark
    # Nothing costly was asked for (a zero M's theory is complete at once: rank 0).
    assert model.snapshot.reference is None and not model.theory_needed
    mark = time.perf_counter()
    steps = 0
    while steps < 3 and model.state.can_step:
        # A zero M stops at its first step: its loss is already the loss floor, 1/n.
        model.step()
        wait_for(target.drawn, lambda frame: frame.snapshot is not None and not frame.past)
        steps += 1
    parts[f"{steps} step(s) + frames"] = time.perf_counter() - mark
    parts["total"] = time.perf_counter() - start
    parts["state"] = f"{model.state.state} at iteration {model.snapshot.iteration}"
    return parts


def bench(target: Target, n: int, kind: str, repeats: int, folder: Path) -> float:
    generator = torch.Generator().manual_seed(0)
    matrix = (torch.rand(n, n, generator=generator).numpy() if kind == "random"
              else np.zeros((n, n), dtype=np.float32))
    path = folder / f"{kind}-{n}.npy"
    save_matrix(path, matrix)
    del matrix
    six_products(n)  # warm-up: thread pools, first-touch allocations
    opens, baselines = [], []
    for _ in range(repeats):
        baselines.append(six_products(n))
        opens.append(open_and_step(target, path))
        # The next opening starts from a small document, as a fresh window would.
        target.model.open_example("tutorial-diagonal")
        wait_for(target.drawn, lambda frame: frame.snapshot is not None
                 and frame.snapshot.estimate.shape == (4, 4))
    baseline = statistics.median(baselines)
    middle = sorted(opens, key=lambda parts: parts["total"])[len(opens) // 2]
    print(f"   n = {n}, {kind} matrix (median of {repeats}): six products "
          f"{baseline:.3f} s; load {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for name, seconds in middle.items():
        if name == "state":
            print(f"     run: {seconds}")
        else:
            print(f"     {name:<26} {seconds:8.3f} s   {seconds / baseline:6.2f} x six products")
    ratio = middle["total"] / baseline
    label = f"ratio open+3 steps / six products, n={n} {kind}:"
    print(f"   {label:<52} {ratio:6.2f}  (target <= {TARGET:g})", flush=True)
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048],
                        help="matrix sizes n (default 2048; 4096 takes minutes)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repetitions per size (default 3, 1 for n > 2048)")
    parser.add_argument("--window", action="store_true",
                        help="through a shown MainWindow (every frame drawn)")
    parser.add_argument("--kinds", nargs="+", choices=("random", "zero"),
                        default=["random", "zero"], help="which matrices (default both)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: n = 640, once")
    args = parser.parse_args(argv)
    sizes = [640] if args.quick else args.sizes
    app = QApplication.instance() or QApplication([])
    print("Matrix Descent: opening a big matrix in the "
          f"{'main window' if args.window else 'document model'} + 3 steps"
          + (" (--quick: numbers not meaningful)" if args.quick else ""))
    print(machine_description())
    target = Target(args.window)
    try:
        with tempfile.TemporaryDirectory() as folder:
            for n in sizes:
                repeats = args.repeats or (1 if args.quick or n > 2048 else 3)
                for kind in args.kinds:
                    bench(target, n, kind, repeats, Path(folder))
    finally:
        target.close()
        app.processEvents()
    print(f"load at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
