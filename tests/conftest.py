"""Fixtures shared by all tests."""

import subprocess

import pytest

import main


@pytest.fixture
def main_here(capfd, monkeypatch):
    """Run `python main.py ARGS` from the folder `cwd` in this process, as a function
    returning a CompletedProcess (exit status, stdout, stderr) like `main_process` does.

    For tests whose point is what a command prints and writes, not the process itself:
    each new process imports torch again, 2-8 s on this project's CI. What C libraries print
    (LAPACK's complaints) is captured too, as a terminal would show it; a NumPy warning
    fails the command (pyproject.toml turns RuntimeWarning into an error)."""

    def run(*args, cwd) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        capfd.readouterr()
        status = main.main([str(arg) for arg in args])
        printed = capfd.readouterr()
        return subprocess.CompletedProcess(list(args), status, printed.out, printed.err)

    return run
