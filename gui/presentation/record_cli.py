"""``python main.py record MATRIX [solve's options] --out run.gif``: a run recorded headless.

The run is set up exactly as `solve` sets it up (solver/cli.py's parser and checks); the
recording shows the window's central area drawn by the window's own code, offscreen. Bad
input prints one line ``error: ...`` naming the option or file and exits with status 2,
before Qt starts; a run or encoder failure exits with 1.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
import tempfile
from pathlib import Path

from solver.cli import CliError, run_inputs, run_parser, settings_message
from solver.matrix_io import MatrixFileError
from solver.settings import SettingsError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
MIN_SIDE, MAX_SIDE = 160, 3840
MAX_FPS = 50  # a GIF's frame delay is counted in 1/100 s: faster plays wrong or not at all

EPILOG = """\
MATRIX and the run's options are those of `main.py solve` (see its --help).
The recording shows the window's central area: the loss curve, the error and the estimate
heatmaps, under a title and above a caption naming the run. Frame k shows iteration
round(k * speed / fps); the last frame is held for --hold seconds.
Exit status: 0 written, 1 the run or the encoder failed, 2 bad input (one line
"error: ..." on stderr), 130 interrupted.
Example (a 300-step tutorial run): main.py record preset:tutorial-random --steps 300
  --out run.gif --size 1280x720 --fps 20"""


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[x×X]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"must be WIDTHxHEIGHT in pixels, got {text!r}")
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise argparse.ArgumentTypeError(
            f"each side must be {MIN_SIDE} to {MAX_SIDE} pixels, got {width}x{height}")
    return width, height


def _positive(low: float, high: float, what: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    """`solve`'s parser for the run, with the recording's options."""
    p = run_parser("main.py record", EPILOG, "Record a run's loss curve and heatmaps as an "
                                             "animated GIF or an MP4 video, offscreen.")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="the recording: .gif (animated GIF) or .mp4 (H.264 video)")
    p.add_argument("--size", type=_size, default=(1280, 720), metavar="WxH",
                   help="frame size in pixels (default 1280x720)")
    p.add_argument("--fps", type=_positive(1, MAX_FPS, f"1 to {MAX_FPS}"), default=20.0,
                   help="frames per second (default 20)")
    p.add_argument("--speed", type=_positive(1e-3, 1e9, "a positive number"), default=100.0,
                   help="steps of the run per second of video (default 100, the window's "
                        "default speed)")
    p.add_argument("--hold", type=_positive(0, 60, "0 to 60 seconds"), default=2.0,
                   help="seconds the last frame stays (default 2)")
    p.add_argument("--title", help="the title above the plots (default: the problem and the "
                                   "matrix, e.g. 'Gradient descent: inverse of ...')")
    p.add_argument("--name", help="what the caption calls the matrix (default: the preset's "
                                  "or the file's name)")
    return p


def main(argv: list[str]) -> int:
    """Run ``record`` with arguments ``argv``; return the exit status."""
    from gui.presentation.recorder import MAX_FRAMES, RecordingOptions

    try:
        args = parser().parse_args(argv)
        _check_out(args.out, args.size)
        matrix, settings = run_inputs(args)  # --steps comes from a lesson if not given
        steps = settings.max_steps
        if steps == 0:
            raise CliError("--steps: a recording needs a step limit (0 means none)")
        options = RecordingOptions(size=args.size, fps=args.fps, speed=args.speed,
                                   hold=args.hold, title=args.title or "")
        frames = options.frame_count(steps)
        if frames > MAX_FRAMES:
            raise CliError(f"--speed: {steps:,} steps at {args.speed:g} steps/s and "
                           f"{args.fps:g} fps make {frames:,} frames, more than {MAX_FRAMES:,}"
                           " (raise --speed or lower --steps)")
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else EXIT_OK
    except (CliError, MatrixFileError) as error:
        return _fail(str(error))
    except SettingsError as error:
        return _fail(settings_message(str(error)))
    name = args.name or _matrix_name(args.matrix)
    try:
        return _record(matrix, settings, name, args.out, options)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _record(matrix, settings, name: str, out: str, options) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # draws offscreen, shows nothing
    from PySide6.QtCore import QSettings, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from gui.presentation.recorder import RecordError, record

    app = QApplication.instance()
    own_app = app is None
    if own_app:
        qInstallMessageHandler(_qt_message)
        app = QApplication(sys.argv[:1])
        # The window's remembered choices (projector mode, geometry) are the user's own:
        # a recording always looks the same, so it reads and writes none of them.
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          tempfile.mkdtemp(prefix="matrix-descent-record-"))

    def progress(frame: int, iteration: int) -> None:
        if frame % 20 == 0:
            print(f"frame {frame:,}: iteration {iteration:,}", flush=True)

    if own_app:
        # The window's Stop terminates this process: end as after Ctrl+C, so the partial
        # recording is removed (the recorder's finally blocks run).
        signal.signal(signal.SIGTERM, _interrupted)
    try:
        result = record(matrix, settings, name, out, options, progress)
    except RecordError as error:
        message = str(error)
        if message.startswith("--size:"):
            return _fail(message)
        print(f"error: {out}: {message}", file=sys.stderr)
        return EXIT_FAILED
    except MatrixFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if own_app:
            app.processEvents()  # deleteLater of the window and its frame
    width, height = options.size
    seconds = result.frames / options.fps
    print(f"{out}: {result.frames:,} frames, {width} × {height} at {options.fps:g} fps "
          f"({seconds:.1f} s), {result.bytes / 1e6:.2f} MB; the run {result.state} at "
          f"iteration {result.iteration:,} (loss {result.loss:.4g}); recorded in "
          f"{result.seconds:.1f} s", flush=True)
    return EXIT_OK


def _check_out(out: str, size: tuple[int, int]) -> None:
    path = Path(out)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise CliError(f"--out: {out}: is a folder, not a file")
    if suffix not in (".gif", ".mp4"):
        raise CliError(f"--out: {out}: cannot record as '{suffix}' (use .gif or .mp4)")
    if not path.resolve().parent.is_dir():
        raise CliError(f"--out: {out}: folder {str(path.parent)!r} does not exist")
    if suffix == ".mp4" and (size[0] % 2 or size[1] % 2):
        raise CliError(f"--size: an MP4 needs an even width and height, not "
                       f"{size[0]}x{size[1]}")


def _matrix_name(matrix: str) -> str:
    return matrix.removeprefix("preset:") if matrix.startswith("preset:") else Path(matrix).name


def _fail(message: str) -> int:
    print("error: " + " ".join(message.split("\n")), file=sys.stderr)
    return EXIT_BAD_INPUT


def _interrupted(_signal, _frame) -> None:
    raise KeyboardInterrupt


def _qt_message(_mode, _context, message: str) -> None:
    # The offscreen platform says this whenever a size constraint changes: not a problem.
    if "propagateSizeHints" not in message:
        print(f"qt: {message}", file=sys.stderr)
