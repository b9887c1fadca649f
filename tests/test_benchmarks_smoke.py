"""The benchmark script still runs (numbers are not checked: timing is not a test)."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_benchmark_quick_run_prints_its_ratios():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_solver.py"), "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "torch:" in out and "cpu:" in out
    ratios = re.findall(r"^\s*ratio ([\w /-]+):\s+([0-9.]+)", out, flags=re.MULTILINE)
    names = [name.strip() for name, _ in ratios]
    assert names == [
        "tutorial/solver autograd",
        "tutorial/solver closed-form",
        "autograd step / two products",
        "closed-form step / two products",
    ], out
    assert all(float(value) > 0 for _, value in ratios)


def test_record_benchmark_quick_run_prints_time_ratio_and_size():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_record.py"), "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "load average:" in out
    assert re.search(r"^record \.gif: [0-9.]+ s, [0-9.]+ MB, 49 frames$", out, re.MULTILINE), out
    ratio = re.search(r"ratio record/solve command: ([0-9.]+)", out)
    assert ratio and float(ratio.group(1)) > 0, out


def test_open_window_benchmark_quick_run_prints_its_ratios():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_open_window.py"), "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    ratios = re.findall(r"ratio open\+3 steps / six products, n=640 (\w+):\s+([0-9.]+)", out)
    assert [kind for kind, _ in ratios] == ["random", "zero"], out
    assert all(float(value) > 0 for _, value in ratios)
    assert "run: paused at iteration 3" in out and "run: converged at iteration 0" in out
