"""`python main.py record`: bad input in one line with status 2, and real recordings."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from gui.presentation import record_cli
from gui.presentation.record_process import record_arguments, run_arguments
from gui.presentation.recorder import RecordingOptions
from solver import Settings
from solver.cli import run_inputs

ROOT = Path(__file__).resolve().parents[1]
CURVE = np.array([0x0B, 0x3D, 0x91])  # the loss curve's colour (gui/plots/loss_plot.py)


def _one_error_line(capsys, argv: list[str]) -> str:
    status = record_cli.main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.parametrize("options, names", [
    (["--size", "12x12"], "--size: each side must be 160 to 3840 pixels, got 12x12"),
    (["--size", "big"], "--size: must be WIDTHxHEIGHT in pixels, got 'big'"),
    (["--fps", "0"], "--fps: must be 1 to 50, got '0'"),
    (["--fps", "120"], "--fps: must be 1 to 50, got '120'"),
    (["--speed", "-5"], "--speed: must be a positive number, got '-5'"),
    (["--hold", "nan"], "--hold: must be 0 to 60 seconds, got 'nan'"),
    (["--steps", "0"], "--steps: a recording needs a step limit (0 means none)"),
    (["--steps", "100000"], "--speed: 100,000 steps at 100 steps/s and 20 fps make "
                            "20,041 frames, more than 6,000 (raise --speed or lower --steps)"),
    (["--lr", "-1"], "--lr: must be a number from 1e-12 to 1e+06, got '-1'"),
    (["--problem", "svd", "--side", "right"], "--side: applies to an inverse or "
                                              "pseudo-inverse, not an SVD"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_options_name_the_option_in_one_line(capsys, tmp_path, options, names):
    argv = ["preset:tutorial-diagonal", "--out", str(tmp_path / "run.gif"), *options]
    assert _one_error_line(capsys, argv) == f"error: {names}"
    assert os.listdir(tmp_path) == []


def test_bad_outputs_name_the_file(capsys, tmp_path):
    gif = str(tmp_path / "run.gif")
    cases = [
        ([str(tmp_path / "run.jpg")], f"--out: {tmp_path / 'run.jpg'}: cannot record as "
                                      "'.jpg' (use .gif or .mp4)"),
        ([str(tmp_path)], f"--out: {tmp_path}: is a folder, not a file"),
        ([str(tmp_path / "no" / "run.gif")], f"--out: {tmp_path / 'no' / 'run.gif'}: folder "
                                             f"{str(tmp_path / 'no')!r} does not exist"),
        ([str(tmp_path / "run.mp4"), "--size", "641x360"],
         "--size: an MP4 needs an even width and height, not 641x360"),
    ]
    for out, message in cases:
        argv = ["preset:tutorial-diagonal", "--out", *out]
        assert _one_error_line(capsys, argv) == f"error: {message}"
    assert "required: --out" in _one_error_line(capsys, ["preset:tutorial-diagonal"])
    missing = tmp_path / "missing.csv"
    assert _one_error_line(capsys, [str(missing), "--out", gif]).startswith(
        f"error: {missing}: ")
    assert os.listdir(tmp_path) == []


def test_help_lists_the_recording_and_the_run_options(capsys):
    assert record_cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--out", "--size", "--fps", "--speed", "--hold", "--title", "--optimizer",
                   "--lr", "--steps"):
        assert option in out


def test_the_window_s_settings_become_the_same_run_on_the_command_line():
    settings = Settings(problem="pinv", side="right", optimizer="nesterov", lr=0.123456789,
                        momentum=0.77, schedule="exp:0.995", weight_decay=0.0, init="zeros",
                        seed=2024, dtype="float64", gradient="closed-form", max_steps=500,
                        tol=1e-9)
    argv = ["preset:indicator", *run_arguments(settings, 80), "--out", "x.gif"]
    args = record_cli.parser().parse_args(argv)
    _matrix, parsed = run_inputs(args)
    expected = settings.validated((17, 3))
    assert parsed == Settings(**{**expected.to_dict(), "max_steps": 80})
    full = record_arguments("m.npy", "my matrix", settings, 80, "x.gif",
                            RecordingOptions(size=(854, 480), fps=15.0, speed=40.0, hold=1.0,
                                             title="T"))
    args = record_cli.parser().parse_args(full[1:])
    assert (args.size, args.fps, args.speed, args.hold, args.title, args.name) == \
        ((854, 480), 15.0, 40.0, 1.0, "T", "my matrix")


def _record(tmp_path, out: str, *options: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    environment.pop("DISPLAY", None)  # the command itself must draw offscreen
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "record", *options,
                           "--out", str(tmp_path / out)], capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=300, check=False)


def test_a_gif_shows_the_run_frame_by_frame(tmp_path):
    done = _record(tmp_path, "run.gif", "preset:tutorial-diagonal", "--steps", "40",
                   "--size", "640x360", "--fps", "20", "--speed", "100", "--hold", "0.5")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    frames = math.ceil(40 * 20 / 100) + 1 + 10  # iterations 0, 5, ..., 40, then 0.5 s held
    summary = done.stdout.splitlines()[-1]
    assert summary.startswith(f"{tmp_path / 'run.gif'}: {frames} frames, 640 × 360 at 20 fps")
    assert "the run finished at iteration 40" in summary
    gif = Image.open(tmp_path / "run.gif")
    assert (gif.n_frames, gif.size, gif.info["duration"]) == (frames, (640, 360), 50)
    gif.seek(0)
    first = np.asarray(gif.convert("RGB"), dtype=np.int32)
    gif.seek(frames - 1)
    last = np.asarray(gif.convert("RGB"), dtype=np.int32)
    plot = slice(40, 330), slice(0, 640 * 3 // 5)  # the loss plot: left three fifths
    # Iteration 0 is a single point; 40 iterations later the curve runs across the plot.
    assert np.count_nonzero(np.abs(first[plot] - CURVE).sum(axis=2) < 60) < 20
    assert np.count_nonzero(np.abs(last[plot] - CURVE).sum(axis=2) < 60) > 300
    assert os.listdir(tmp_path) == ["run.gif"]  # no temporary file left


def test_an_mp4_has_the_frames_and_size_asked_for(tmp_path):
    done = _record(tmp_path, "run.mp4", "preset:tutorial-random", "--steps", "10",
                   "--size", "480x270", "--fps", "10", "--speed", "50", "--hold", "0")
    assert done.returncode == 0, done.stderr
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "run.mp4"))
    meta = reader.__next__()
    count = sum(1 for _ in reader)
    assert meta["size"] == (480, 270) and meta["fps"] == 10
    assert count == math.ceil(10 * 10 / 50) + 1


def test_a_size_too_small_for_the_slide_is_bad_input(tmp_path):
    done = _record(tmp_path, "run.gif", "preset:tutorial-random", "--size", "160x160")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: --size: 160 × 160 is too small for this figure: it needs at least "), lines
    assert os.listdir(tmp_path) == []
