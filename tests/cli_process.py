"""`python main.py ARGS` in a process of its own, for tests whose point is the process: its
exit status through main.py, a signal, a pipe, what reaches the terminal."""

import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parent.parent / "main.py"


def main_process(*args, cwd, timeout: float = 600, env=None) -> subprocess.CompletedProcess:
    """Run main.py with `args` from the folder `cwd`; stdout and stderr as text."""
    return subprocess.run([sys.executable, str(MAIN), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
