"""What bad or huge input costs: refused text files, and the undo history (issue 13).

    python benchmarks/bench_limits.py           # about half a minute
    python benchmarks/bench_limits.py --quick   # a smoke run (small files)

1. Text files that must be refused, each loaded in a fresh process, its peak memory
   (VmHWM, reset just before the load) compared with the memory it had before: the
   issue's 128 MiB CSV of "0,0" lines, 128 MiB on one line, 128 MiB of blank lines, and
   4,097 full rows of 4,096 zeros. Printed: seconds, peak memory above that baseline
   (target <= 300 MB), and the time against reading the same file once in 1 MiB blocks
   in the same process (baseline).
2. The undo history: a 2000 x 2000 matrix opened ten times into the editor's model
   (the issue measured 378 -> 1,415 MB). Printed: resident memory growth against the size
   of one matrix (32 MB), and the bytes the history holds (target <= 256 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def _files(folder: Path, size: int) -> dict[str, Path]:
    files = {}
    for name, text in (("rows.csv", "0,0\n" * (size // 4)), ("one-line.csv", "0," * (size // 2)),
                       ("blank.csv", "\n" * size)):
        (folder / name).write_text(text)
        files[name] = folder / name
    row = ",".join(["0"] * 4096) + "\n"
    (folder / "tall.csv").write_text(row * 4097)
    files["tall.csv"] = folder / "tall.csv"
    return files


def bench_refused(size: int) -> None:
    print(f"1. Refused text files ({size >> 20} MiB unless named), each in a fresh process")
    with tempfile.TemporaryDirectory() as folder:
        for name, path in _files(Path(folder), size).items():
            done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "load_cost.py"),
                                   str(path)], capture_output=True, text=True, timeout=600,
                                  check=True)
            result = json.loads(done.stdout)[str(path)]
            mib = path.stat().st_size / 2**20
            print(f"   {name:<13} {mib:6.0f} MiB  {result['seconds']:6.2f} s  peak "
                  f"+{result['peak_mb']:5.0f} MB (target <= 300)  ratio to one read "
                  f"{result['seconds'] / max(result['read_once'], 1e-9):6.2f}  "
                  f"-> {result['message'].split(': ', 1)[1]}")


def _resident_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_undo(n: int, opens: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from gui.matrix_model import UNDO_MEMORY_BYTES, MatrixModel

    app = QApplication.instance() or QApplication([])  # noqa: F841 -- the model needs one
    one = n * n * 8 / 2**20
    print(f"2. Undo history: a {n} x {n} matrix ({one:.0f} MB) opened {opens} times")
    model = MatrixModel(np.zeros((2, 2)))
    before = _resident_mb()
    for k in range(opens):
        model.set_array(np.full((n, n), float(k)), f"open {k}")
    grown = _resident_mb() - before
    print(f"   resident memory grew {grown:.0f} MB = {grown / one:.1f} matrices; the history "
          f"holds {model.undo_bytes() / 2**20:.0f} MB in {model.undo_stack.count()} steps "
          f"(bound {UNDO_MEMORY_BYTES >> 20} MiB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small files, small matrices")
    args = parser.parse_args(argv)
    from bench_solver import machine_description

    print("Matrix Descent: the cost of bad and huge input" +
          (" (--quick: numbers not meaningful)" if args.quick else ""))
    print(machine_description())
    bench_refused(8 << 20 if args.quick else 128 << 20)
    bench_undo(200 if args.quick else 2000, 10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
