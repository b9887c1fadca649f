"""The File menu through the window: round trips, bad files, failed saves, unsaved changes."""

from __future__ import annotations

import errno
import json
import os
import zipfile

import numpy as np
import pytest
from files_support import assert_same_state, menu_action, new_window, state, step

from solver import matrix_io
from solver.matrix_io import MAX_DIM, load_matrix, save_matrix
from solver.session import load_lesson


@pytest.fixture
def win(qtbot):
    return new_window(qtbot)


def _random(dtype, shape=(3, 5)):
    rng = np.random.default_rng(7)
    # Values with every digit in use, of both signs and many magnitudes.
    return (rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)).astype(dtype)


def _write(path, matrix):
    if path.suffix == ".npz":
        np.savez(path, matrix=matrix)
    else:
        save_matrix(path, matrix)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".npy", ".npz"])
def test_open_save_reopen_gives_identical_numbers(qtbot, win, tmp_path, suffix, dtype):
    window, answers = win
    original = _random(dtype)
    source = tmp_path / f"m{suffix}"
    _write(source, original)
    stored = load_matrix(source)
    # float32 text holds 9 digits: read as float64, they cast back to the same float32 bits.
    assert np.array_equal(stored.astype(dtype), original)
    answers.open_paths.append(str(source))
    menu_action(window, "File", "Open").trigger()
    assert answers.errors == []
    assert np.array_equal(window.editor.array(), stored)
    assert window.files.path == str(source) and not window.files.is_modified()
    assert "m" + suffix in window.windowTitle()

    copy = tmp_path / f"copy{suffix}"
    answers.save_paths.append((str(copy), ""))
    menu_action(window, "File", "Save As").trigger()
    assert answers.errors == []
    again = load_matrix(copy)
    assert np.array_equal(again, stored) and again.dtype == stored.dtype
    assert window.files.open_path(copy)
    assert np.array_equal(window.editor.array(), stored)


def test_ctrl_s_writes_into_the_open_matrix_file(qtbot, win, tmp_path):
    window, answers = win
    source = tmp_path / "m.csv"
    source.write_text("1,2\n3,4\n")
    assert window.files.open_path(source)
    window.editor.model.setData(window.editor.model.index(0, 1), "0.1")
    assert window.files.is_modified()
    save = menu_action(window, "File", "Save")
    assert save.shortcut().toString() == "Ctrl+S"
    assert menu_action(window, "File", "Open").shortcut().toString() == "Ctrl+O"
    save.trigger()
    assert answers.asked == [] and answers.errors == []
    np.testing.assert_array_equal(load_matrix(source), [[1.0, 0.1], [3.0, 4.0]])
    assert not window.files.is_modified()


def test_changed_settings_make_save_offer_a_lesson(qtbot, win, tmp_path):
    window, answers = win
    source = tmp_path / "m.csv"
    source.write_text("1,2\n3,4\n")
    assert window.files.open_path(source)
    window.panel.seed_spin.setValue(99)
    lesson = tmp_path / "m.mdlesson"
    answers.save_paths.append((str(lesson), ""))
    menu_action(window, "File", "Save").trigger()
    assert answers.asked[-1][0] == "save" and answers.asked[-1][2].endswith("m.mdlesson")
    assert load_lesson(lesson).settings.seed == 99
    assert source.read_text() == "1,2\n3,4\n"
    assert window.files.kind == "lesson" and not window.files.is_modified()


def _bad_files(tmp_path):
    """(file name, how to make it, words the message must contain)."""

    def text(content):
        return lambda p: p.write_text(content)

    def array(value, **kwargs):
        return lambda p: np.save(p, value, **kwargs)

    def huge_npy(p):
        with open(p, "wb") as fh:  # a header that promises 5000 x 5000; no data needed
            np.lib.format.write_array_header_1_0(
                fh, {"descr": "<f8", "fortran_order": False, "shape": (5000, 5000)})

    def lesson(mutate):
        def make(p):
            good = tmp_path / "good.mdlesson"
            with zipfile.ZipFile(good) as archive:
                parts = {n: archive.read(n) for n in archive.namelist()}
            meta = json.loads(parts["session.json"])
            mutate(meta, parts)
            parts["session.json"] = json.dumps(meta).encode()
            with zipfile.ZipFile(p, "w") as archive:
                for name, data in parts.items():
                    archive.writestr(name, data)
        return make

    def truncated_lesson(p):
        p.write_bytes((tmp_path / "good.mdlesson").read_bytes()[:150])

    def set_setting(name, value):
        return lesson(lambda meta, parts: meta["settings"].__setitem__(name, value))

    return [
        ("ragged.csv", text("1,2,3\n4,5\n"), "row 2"),
        ("words.csv", text("1,2\nx,4\n"), "not a number"),
        ("empty.csv", text(""), "empty"),
        ("blank.tsv", text("\n\n  \n"), "empty"),
        ("nan.csv", text("1,nan\n2,3\n"), "NaN"),
        ("inf.txt", text("1 2\n-inf 3\n"), "infinite"),
        ("cube.npy", array(np.zeros((2, 2, 2))), "3-D"),
        ("scalar.npy", array(np.float64(3.0)), "0-D"),
        ("objects.npy", array(np.array([1, "a"], dtype=object), allow_pickle=True), "object"),
        ("complex.npy", array(np.ones((2, 2), dtype=complex)), "complex"),
        ("huge.npy", huge_npy, f"{MAX_DIM}"),
        ("wide.csv", text(",".join(["1"] * (MAX_DIM + 1)) + "\n"), f"{MAX_DIM}"),
        ("junk.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), "not a text matrix"),
        ("junk.npy", lambda p: p.write_bytes(b"\x93NUMPY junk" * 9), ".npy"),
        ("junk.npz", lambda p: p.write_bytes(b"PK\x03\x04 junk" * 9), ".npz"),
        ("table.xlsx", text("1,2\n"), "unsupported file type"),
        ("noextension", text("1,2\n"), "no file extension"),
        ("vanished.csv", None, "no such file"),
        ("folder.csv", lambda p: p.mkdir(), "folder"),
        ("cut.mdlesson", truncated_lesson, "not a lesson"),
        ("notzip.mdlesson", text("hello"), "not a lesson"),
        ("newer.mdlesson", lesson(lambda m, _: m.__setitem__("format_version", 99)), "newer"),
        ("badlr.mdlesson", set_setting("lr", -1.0), "lr"),
        ("badtype.mdlesson", set_setting("schedule", 5), "schedule"),
        ("badseed.mdlesson", set_setting("seed", 2**40), "seed"),
        ("badgamma.mdlesson", set_setting("schedule", "exp:0.1"), "schedule"),
        ("tinylr.mdlesson", set_setting("lr", 1e-300), "lr"),
        ("badspeed.mdlesson", lesson(lambda m, _: m["view"].__setitem__("speed", 3)), "speed"),
        ("nomatrix.mdlesson", lesson(lambda m, parts: parts.pop("matrix.npy")), "matrix.npy"),
        ("badjson.mdlesson",
         lesson(lambda m, _: m.__setitem__("settings", "not a dict")), "settings"),
    ]


def test_every_bad_file_gives_one_line_and_changes_nothing(qtbot, win, tmp_path):
    window, answers = win
    assert window.files.save_to(tmp_path / "good.mdlesson")
    window.panel.lr_spin.setValue(0.31)
    step(qtbot, window, 4)
    before = state(window)
    for name, make, words in _bad_files(tmp_path):
        path = tmp_path / name
        if make is not None:
            make(path)
        answers.errors.clear()
        assert not window.files.open_path(path), name
        assert len(answers.errors) == 1, (name, answers.errors)
        message = answers.errors[0]
        assert "\n" not in message and name in message, message
        assert words.lower() in message.lower(), (name, message)
        assert_same_state(before, state(window))
    # Nothing restarted behind the scenes either: the run goes on from step 4.
    step(qtbot, window, 1)
    assert len(window.model.losses) == 5


def test_an_unreadable_file_is_reported(qtbot, win, tmp_path, monkeypatch):
    window, answers = win
    path = tmp_path / "locked.csv"
    path.write_text("1,2\n")

    def refuse(name, *args, **kwargs):  # chmod 000 does not stop root, who runs CI here
        if os.fspath(name) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(name))
        return open(name, *args, **kwargs)

    monkeypatch.setattr(matrix_io, "open", refuse, raising=False)
    before = state(window)
    assert not window.files.open_path(path)
    assert answers.errors == [f"Cannot open {path}: cannot read (permission denied)"]
    assert_same_state(before, state(window))


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".mdlesson"])
def test_a_save_failing_midway_keeps_the_old_file(qtbot, win, tmp_path, monkeypatch, suffix):
    window, answers = win
    target = tmp_path / f"old{suffix}"
    assert window.files.save_to(target)
    old = target.read_bytes()
    window.editor.model.setData(window.editor.model.index(0, 0), "7")
    real_fsync = os.fsync

    def disk_full(fd):  # the data is written, then the disk fills up before it is safe
        os.write(fd, b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not window.files.save_to(target)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    assert len(answers.errors) == 1 and target.name in answers.errors[0]
    assert "No space left" in answers.errors[0]
    assert window.files.is_modified()


def test_a_save_to_a_missing_folder_says_why(qtbot, win, tmp_path):
    window, answers = win
    assert not window.files.save_to(tmp_path / "no" / "such" / "m.csv")
    assert answers.errors == [f"{tmp_path / 'no' / 'such' / 'm.csv'}: cannot save (no such folder)"]


def test_close_with_unsaved_changes_asks_and_cancel_keeps_everything(qtbot, win, tmp_path):
    window, answers = win
    window.editor.model.setData(window.editor.model.index(1, 1), "5")
    before = state(window)
    answers.unsaved.append("cancel")
    assert not window.close()
    # The question names the document as the title bar does (not "untitled").
    assert window.isVisible() and answers.asked == [("unsaved", window.model.name)]
    assert f"— {window.model.name} (" in window.windowTitle()
    assert_same_state(before, state(window))

    target = tmp_path / "kept.mdlesson"
    answers.unsaved.append("save")
    answers.save_paths.append((str(target), ""))
    assert window.close()
    assert np.array_equal(load_lesson(target).matrix, before["matrix"])


def test_close_without_changes_does_not_ask(qtbot, win):
    window, answers = win
    step(qtbot, window, 2)  # running is not editing
    assert window.close()
    assert answers.asked == []


def test_open_with_unsaved_changes_asks_first(qtbot, win, tmp_path):
    window, answers = win
    other = tmp_path / "other.csv"
    other.write_text("9,8\n7,6\n")
    window.panel.optimizer_combo.setCurrentIndex(window.panel.optimizer_combo.findData("adam"))
    before = state(window)
    answers.unsaved.append("cancel")
    answers.open_paths.append(str(other))
    menu_action(window, "File", "Open").trigger()
    assert answers.asked == [("unsaved", "tutorial-diagonal")]  # no file dialog after Cancel
    assert_same_state(before, state(window))
    assert window.files.open_path(other)  # asked again; the empty queue answers Discard
    assert answers.asked[-1] == ("unsaved", "tutorial-diagonal")
    np.testing.assert_array_equal(window.editor.array(), [[9.0, 8.0], [7.0, 6.0]])
    assert window.panel.settings().optimizer == "adam"  # a matrix file holds no settings
    assert not window.files.is_modified()


def test_an_example_from_the_editor_button_is_a_new_untitled_matrix(qtbot, win, tmp_path):
    window, answers = win
    path = tmp_path / "mine.csv"
    path.write_text("2,1\n1,3\n")
    assert window.files.open_path(path)
    button_menu = window.editor.examples_button.menu()
    assert button_menu is menu_action(window, "Examples").menu()  # one menu, two ways in
    next(a for a in button_menu.actions() if a.text() == "hilbert-6").trigger()
    assert window.editor.model.shape == (6, 6)
    assert window.windowTitle() == "Matrix Descent — hilbert-6 (6 × 6)[*]"
    assert not window.isWindowModified()  # no "*" in the title bar
    assert (window.files.path, window.files.kind) == (None, None)  # Ctrl+S cannot hit mine.csv
    assert not window.files.is_modified()
    assert window.close() and answers.asked == []  # an unedited example loses nothing
    assert path.read_text() == "2,1\n1,3\n"


def test_an_example_over_unsaved_edits_asks_and_cancel_keeps_them(qtbot, win):
    window, answers = win
    window.editor.model.setData(window.editor.model.index(0, 0), "7")
    before = state(window)
    answers.unsaved.append("cancel")
    menu_action(window, "Examples", "indicator").trigger()
    assert answers.asked == [("unsaved", "tutorial-diagonal")]
    assert_same_state(before, state(window))
    menu_action(window, "Examples", "indicator").trigger()  # the empty queue discards
    assert window.editor.model.shape == (17, 3)
    window.editor.model.undo_stack.undo()  # the edits are still one Ctrl+Z away
    assert window.editor.array()[0, 0] == 7.0


def test_the_title_bar_marks_unsaved_changes(qtbot, win, tmp_path):
    window, answers = win
    assert not window.isWindowModified()
    window.editor.model.setData(window.editor.model.index(0, 0), "9")
    assert window.isWindowModified()
    window.editor.model.undo_stack.undo()  # back to the document's matrix
    assert not window.isWindowModified()
    window.panel.lr_spin.setValue(0.5)
    assert window.isWindowModified()
    assert window.files.save_to(tmp_path / "kept.mdlesson")
    assert not window.isWindowModified() and "kept.mdlesson" in window.windowTitle()
