"""The sweep benchmark still runs (its numbers are not checked: timing is not a test)."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_sweep_benchmark_quick_run_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_sweep.py"), "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "load:" in out and "cpu:" in out
    ratios = re.findall(r"ratio sequential/batched ([\w-]+):\s+([0-9.]+)", out)
    assert [name for name, _ in ratios] == ["autograd", "closed-form"], out
    assert all(float(value) > 0 for _, value in ratios)
    assert re.search(r"^\s+4\s+[0-9,]+\s+[0-9,]+$", out, flags=re.MULTILINE), out
    assert "estimate/used" in out
