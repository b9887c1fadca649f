"""Figures for slides and recordings, through the window's File ▸ Export menu."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from files_support import menu_action, new_window, step
from PIL import Image
from PySide6.QtGui import QImage

from gui.presentation.figure import FigureOptions
from gui.presentation.recorder import RecordingOptions

CURVE = np.array([0x0B, 0x3D, 0x91])  # the loss curve's colour (gui/plots/loss_plot.py)


@pytest.fixture
def win(qtbot):
    return new_window(qtbot)


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int32)


def _near(pixels: np.ndarray, colour: np.ndarray, tolerance: int = 40) -> int:
    return int((np.abs(pixels - colour).sum(axis=2) < tolerance).sum())


def _dark_rows(pixels: np.ndarray, top: float, bottom: float) -> int:
    rows = pixels[int(top * len(pixels)): int(bottom * len(pixels))]
    return int((rows.sum(axis=2) < 3 * 110).sum())


def _export(window, answers, entry, path, options=None):
    if options is not None:
        answers.figure_options.append(options)
    answers.save_paths.append((str(path), ""))
    menu_action(window, "File", "Export", entry).trigger()


def test_the_slide_is_1920x1080_with_a_title_and_a_caption_naming_the_run(qtbot, win,
                                                                          tmp_path):
    window, answers = win
    step(qtbot, window, 12)
    path = tmp_path / "slide.png"
    _export(window, answers, "Slide", path, FigureOptions(size=(1920, 1080),
                                                          title="Watch X·M become I"))
    assert answers.errors == []
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1920, 1080)
    assert image.text("Title") == "Watch X·M become I"
    caption = image.text("Description")
    for fact in ("tutorial-diagonal (4 × 4)", "inverse (X·M = I)", "momentum, lr 0.9, β 0.9",
                 "seed 314", "iteration 12, loss"):
        assert fact in caption
    # Drawn, not only stored: dark text across the title band and the caption band.
    pixels = _pixels(path)
    assert _dark_rows(pixels, 0.0, 0.07) > 2000
    assert _dark_rows(pixels, 0.94, 1.0) > 1000
    # The loss curve of the 12 steps is in the plot (left three fifths of the slide).
    assert _near(pixels[:, : 1920 * 3 // 5], CURVE) > 300
    assert "Exported slide.png (1920 × 1080)." in window.banner.text()


def test_the_slide_as_svg_keeps_title_and_caption_as_text(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 3)
    path = tmp_path / "slide.svg"
    _export(window, answers, "Slide", path, FigureOptions(size=(1280, 720), title="Slide 4"))
    text = path.read_text(encoding="utf-8")
    assert answers.errors == []
    assert 'width="1280px" height="720px"' in text
    assert "<title>Slide 4</title>" in text and ">Slide 4<" in text  # metadata and drawn
    assert "iteration 3, loss" in text


def test_a_figure_is_drawn_at_its_scale_not_enlarged(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 30)
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    # Twice: the first export's notice in the banner above the plot makes the plot shorter.
    for _ in range(2):
        _export(window, answers, "Loss plot", one, FigureOptions(size=None, scale=1.0,
                                                                 title="L"))
    _export(window, answers, "Loss plot", two, FigureOptions(size=None, scale=2.0, title="L"))
    small, large = _pixels(one), _pixels(two)
    assert large.shape[0] == pytest.approx(2 * small.shape[0], abs=2)
    assert large.shape[1] == pytest.approx(2 * small.shape[1], abs=2)
    assert small.shape[1] >= window.loss_plot.width()  # the plot's own size on screen
    # Lines keep their proportions: twice as long and twice as wide, four times the ink
    # (a screen-sized drawing enlarged would have them, but blurred; pens not widened
    # would give about two).
    ratio = _near(large, CURVE) / _near(small, CURVE)
    assert 3.0 < ratio < 5.0


def test_exporting_leaves_the_window_as_it_was(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 20)
    qtbot.wait(100)
    area = window.plot_area
    before = area.grab().toImage()
    _export(window, answers, "Slide", tmp_path / "slide.png", FigureOptions(size=(1920, 1080),
                                                                           title="t"))
    window.banner.hide()  # the notice "Exported ..." is not part of the plots
    qtbot.wait(100)
    assert area.grab().toImage() == before


def test_every_teaching_view_exports_shown_in_front(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 5)
    for entry, key in (("Gradient view", "gradient"), ("Theory view", "theory"),
                       ("Pseudo-inverse view", "pinv")):
        path = tmp_path / f"{key}.png"
        _export(window, answers, entry, path, FigureOptions(size=(1280, 720), title=entry))
        assert answers.errors == []
        assert window.teaching.current_tab() == key
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1280, 720)
        assert image.text("Title") == entry


def test_a_view_that_does_not_apply_is_not_exported(qtbot, win, tmp_path):
    window, answers = win
    _export(window, answers, "SVD view", tmp_path / "svd.png")
    assert answers.errors == ["The SVD view does not apply to this run (an inverse): "
                              "nothing exported."]
    assert os.listdir(tmp_path) == []


def test_a_size_too_small_says_so_in_one_line_and_writes_nothing(qtbot, win, tmp_path):
    window, answers = win
    path = tmp_path / "tiny.png"
    _export(window, answers, "Slide", path, FigureOptions(size=(120, 80), title="t"))
    assert len(answers.errors) == 1
    assert answers.errors[0].startswith(f"{path}: 120 × 80 is too small for this figure: "
                                        "it needs at least ")
    assert os.listdir(tmp_path) == []


def test_the_figure_dialog_is_offered_the_run_s_title(qtbot, win, tmp_path):
    window, answers = win
    answers.figure_options.append(None)  # cancelled: nothing asked after, nothing written
    menu_action(window, "File", "Export", "Error heatmap").trigger()
    kind, title, natural = answers.asked[-1]
    assert kind == "figure" and title == "Error — inverse of tutorial-diagonal (4 × 4)"
    assert natural.width() >= window.error_heatmap.width()
    assert os.listdir(tmp_path) == []


def test_record_writes_a_gif_of_the_run_in_the_background(qtbot, win, tmp_path):
    window, answers = win
    path = tmp_path / "run.gif"
    options = RecordingOptions(size=(480, 270), fps=10.0, speed=100.0, hold=0.0)
    answers.recording_options.append((options, 20))
    answers.save_paths.append((str(path), ""))
    presentation = window.slides
    with qtbot.waitSignal(presentation.recording.finished, timeout=180_000) as done:
        menu_action(window, "File", "Export", "Recording").trigger()
        assert presentation.recording.running
    assert done.args[0], done.args[1]
    assert done.args[1].startswith(f"Recorded {path}: 3 frames, 480 × 270 at 10 fps")
    assert window.banner.text() == done.args[1]
    gif = Image.open(path)
    assert gif.n_frames == math.ceil(20 * 10 / 100) + 1 and gif.size == (480, 270)
    assert not presentation.recording.running


def test_stopping_a_recording_leaves_no_file(qtbot, win, tmp_path):
    window, answers = win
    answers.recording_options.append((RecordingOptions(size=(854, 480)), 2000))
    answers.save_paths.append((str(tmp_path / "run.gif"), ""))
    presentation = window.slides
    entry = menu_action(window, "File", "Export", "Recording")
    entry.trigger()
    assert presentation.recording.running
    assert entry.text().replace("&", "").startswith("Stop the recording")
    with qtbot.waitSignal(presentation.recording.finished, timeout=30_000) as done:
        entry.trigger()  # the same entry stops it
    assert done.args == [False, "Recording stopped: nothing was written."]
    assert os.listdir(tmp_path) == []
    assert entry.text().replace("&", "") == "Recording of the run (GIF or MP4)…"


def test_the_figure_dialog_gives_a_size_a_scale_or_a_custom_size(qtbot):
    from PySide6.QtCore import QSize

    from gui.presentation.options_dialog import FigureOptionsDialog

    dialog = FigureOptionsDialog(None, "Loss — inverse of M", QSize(600, 400))
    qtbot.addWidget(dialog)
    assert dialog.options() == FigureOptions(size=(1920, 1080), title="Loss — inverse of M")
    combo = dialog.size_combo
    combo.setCurrentIndex(combo.findData(2.0))
    assert combo.currentText() == "2× the size on screen  (1200 × 800)"
    assert dialog.options() == FigureOptions(size=None, scale=2.0, title="Loss — inverse of M")
    assert not dialog.width_spin.isEnabled()
    combo.setCurrentIndex(combo.count() - 1)  # custom
    dialog.width_spin.setValue(1600)
    dialog.height_spin.setValue(900)
    dialog.title_edit.setText("  My slide ")
    assert dialog.options() == FigureOptions(size=(1600, 900), title="My slide")


def test_the_recording_dialog_counts_frames_and_refuses_too_many(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from gui.presentation.options_dialog import RecordingOptionsDialog

    dialog = RecordingOptionsDialog(None, "T", steps=300, speed=100.0, max_steps=100_000)
    qtbot.addWidget(dialog)
    options, steps = dialog.options()
    assert (options.size, options.fps, options.speed, steps) == ((1280, 720), 20.0, 100.0, 300)
    assert dialog.summary.text().startswith("At most 101 frames, 5.0 s of video")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    dialog.steps_spin.setValue(100_000)
    assert not ok.isEnabled() and "more than 6,000" in dialog.summary.text()
