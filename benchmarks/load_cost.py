"""What loading matrix files costs this process: `python benchmarks/load_cost.py PATH...`
prints one JSON object, for each path (in order) its load's seconds, its peak resident
memory above the memory before it (MB), the seconds of reading the file once in 1 MiB
blocks (a baseline), and "loaded" or the refusal's message.

Run in a process of its own, so that the peak is the loads' alone: benchmarks/bench_limits.py
and tests/test_file_safety.py use it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.matrix_io import MatrixFileError, load_matrix  # noqa: E402


def peak_kb() -> int:
    """VmHWM, the peak resident memory since the last reset_peak (Linux)."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))


def reset_peak() -> None:
    """Writing 5 to clear_refs resets VmHWM to the current size (Linux >= 4.0);
    ru_maxrss, never reset, would hide a peak below the imports' own."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def read_once(path: str) -> float:
    """Seconds to read the file once in 1 MiB blocks."""
    start = time.perf_counter()
    with open(path, "rb") as fh:
        while fh.read(1 << 20):
            pass
    return time.perf_counter() - start


def load_cost(path: str) -> dict:
    """The cost of load_matrix(path) in this process, and what it said."""
    baseline = read_once(path)
    reset_peak()
    base = peak_kb()
    start = time.perf_counter()
    try:
        load_matrix(path)
        message = "loaded"
    except MatrixFileError as err:
        message = str(err)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "read_once": baseline, "peak_mb": (peak_kb() - base) / 1024,
            "message": message}


if __name__ == "__main__":
    print(json.dumps({path: load_cost(path) for path in sys.argv[1:]}))
