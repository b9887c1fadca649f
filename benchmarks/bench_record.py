"""Time and size of a recording: the 300-step tutorial run at 1280 x 720, 20 frames/s.

    python benchmarks/bench_record.py            # GIF and MP4 of the 300-step run
    python benchmarks/bench_record.py --quick    # a 40-step run at 640 x 360 (smoke test)

Each command is timed whole (`python main.py ...` in a child process: Python, torch and Qt
start-up included, as a teacher would wait for it), against `python main.py solve` of the
same run timed the same way in the same process: the ratio says what drawing and encoding
the frames adds to the run itself. The solver loop alone (no start-up) is given as well.
Targets (issue 14): under a minute and under 15 MB for the GIF. Note the load average: the
machine's two cores are shared.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from solver import Run, Settings  # noqa: E402
from solver.presets import load_preset  # noqa: E402

MATRIX = "preset:tutorial-random"


def run_command(arguments: list[str]) -> tuple[float, str]:
    """Seconds a `main.py` command takes, and its output; exits on failure."""
    environment = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "main.py"), *arguments],
                          capture_output=True, text=True, env=environment, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"main.py {' '.join(arguments)} failed:\n{done.stderr}")
    return seconds, done.stdout


def solver_loop_seconds(steps: int) -> float:
    """The run's steps alone, in this process (the best of three)."""
    matrix = load_preset(MATRIX.removeprefix("preset:"))
    best = float("inf")
    for _ in range(3):
        run = Run(matrix, Settings(max_steps=steps).validated(matrix.shape))
        start = time.perf_counter()
        while not run.done:
            run.step(steps)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 40-step run at 640 x 360")
    args = parser.parse_args()
    steps, size = (40, "640x360") if args.quick else (300, "1280x720")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    print(f"run: {MATRIX} --steps {steps}, recorded at {size}, 20 frames/s, 100 steps/s")
    run_options = [MATRIX, "--steps", str(steps)]
    solve, _ = run_command(["solve", *run_options])
    loop = solver_loop_seconds(steps)
    print(f"solve command: {solve:.2f} s (solver loop alone {loop * 1000:.1f} ms)")
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".gif",) if args.quick else (".gif", ".mp4"):
            out = Path(folder) / f"run{suffix}"
            seconds, output = run_command(["record", *run_options, "--out", str(out),
                                           "--size", size, "--fps", "20"])
            frames = re.search(r": ([\d,]+) frames", output).group(1)
            megabytes = out.stat().st_size / 1e6
            print(f"record {suffix}: {seconds:.2f} s, {megabytes:.2f} MB, {frames} frames")
            print(f"  ratio record/solve command: {seconds / solve:.2f}")
            print(f"  ratio record/solver loop: {seconds / loop:.0f}")
            if suffix == ".gif":
                verdict = "within" if seconds < 60 and megabytes < 15 else "OVER"
                print(f"  target < 60 s and < 15 MB: {verdict}")


if __name__ == "__main__":
    main()
