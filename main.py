"""Matrix Descent: `main.py [FILE]` opens the app; `main.py solve ...` and `main.py sweep ...`
run headless; `main.py record ...` records a run as a GIF or MP4, offscreen."""

import sys


def main(argv: list[str]) -> int:
    """Dispatch to the headless command line or the desktop app; return the exit status."""
    if argv and argv[0] == "solve":
        # Imported lazily so that headless runs never load Qt.
        from solver.cli import main as solve_main

        return solve_main(argv[1:])
    if argv and argv[0] == "sweep":
        from solver.sweep_cli import main as sweep_main

        return sweep_main(argv[1:])
    if argv and argv[0] == "record":
        from gui.presentation.record_cli import main as record_main

        return record_main(argv[1:])
    from gui.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
