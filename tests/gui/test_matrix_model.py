"""MatrixModel: display, parsing, refusals, paste/copy, resize and undo; big matrices."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.matrix_model import MatrixModel, parse_block, parse_number


def test_display_and_edit_roles():
    model = MatrixModel(np.array([[1.0, -2.5e-7], [3.0, 4.0]]))
    assert model.data(model.index(0, 1), Qt.ItemDataRole.DisplayRole) == "-2.5e-07"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.EditRole) == "-2.5e-07"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "0"
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "-inf", "1,5", "1e400"])
def test_refused_values_keep_the_cell_and_say_why(qtbot, text):
    model = MatrixModel(np.eye(2))
    with qtbot.waitSignal(model.edit_rejected) as blocker:
        assert not model.setData(model.index(0, 0), text)
    assert "kept its value" in blocker.args[0]
    assert model.value(0, 0) == 1.0
    assert model.undo_stack.count() == 0


def test_parse_number_is_locale_free():
    assert parse_number(" -2e-3 ") == -0.002
    assert parse_number(7) == 7.0
    with pytest.raises(ValueError):
        parse_number("1,5")


def test_edit_undo_redo(qtbot):
    model = MatrixModel(np.eye(2))
    with qtbot.waitSignal(model.matrix_changed):
        assert model.setData(model.index(1, 0), "0.25")
    assert model.value(1, 0) == 0.25
    model.undo_stack.undo()
    assert model.value(1, 0) == 0.0
    model.undo_stack.redo()
    assert model.value(1, 0) == 0.25


def test_resize_keeps_values_and_undoes():
    model = MatrixModel(np.arange(6.0).reshape(2, 3))
    model.resize(3, 2)
    np.testing.assert_array_equal(model.array(), [[0, 1], [3, 4], [0, 0]])
    model.undo_stack.undo()
    np.testing.assert_array_equal(model.array(), np.arange(6.0).reshape(2, 3))


def test_paste_tab_and_comma_blocks_growing_the_matrix():
    model = MatrixModel(np.zeros((2, 2)))
    assert model.paste_text(1, 1, "1\t2\n3\t4\n")
    np.testing.assert_array_equal(model.array(), [[0, 0, 0], [0, 1, 2], [0, 3, 4]])
    assert model.paste_text(0, 0, "5,6\r\n")
    np.testing.assert_array_equal(model.array()[0], [5, 6, 0])
    model.undo_stack.undo()
    model.undo_stack.undo()
    np.testing.assert_array_equal(model.array(), np.zeros((2, 2)))


def test_a_bad_paste_is_refused_whole(qtbot):
    model = MatrixModel(np.zeros((2, 2)))
    with qtbot.waitSignal(model.edit_rejected) as blocker:
        assert not model.paste_text(0, 0, "1\t2\n3\tx\n")
    assert "(2, 2)" in blocker.args[0]
    np.testing.assert_array_equal(model.array(), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="row 2"):
        parse_block("1,2\n3\n")


def test_copy_round_trips_through_paste():
    values = np.array([[0.1, -2.0], [1e-20, 3.0]])
    model = MatrixModel(values)
    text = model.copy_text(0, 0, 1, 1)
    other = MatrixModel(np.zeros((1, 1)))
    other.paste_text(0, 0, text)
    np.testing.assert_array_equal(other.array(), values)


def test_set_array_refuses_non_finite_and_empty(qtbot):
    model = MatrixModel(np.eye(2))
    with qtbot.waitSignal(model.edit_rejected):
        assert not model.set_array(np.array([[1.0, np.nan]]))
    with qtbot.waitSignal(model.edit_rejected):
        assert not model.set_array(np.zeros((0, 3)))
    np.testing.assert_array_equal(model.array(), np.eye(2))


def test_a_1000_by_1000_matrix_asks_only_for_the_cells_on_screen(qtbot, monkeypatch):
    """Opening and scrolling cost what is visible, not the million cells: the editor never
    sizes columns from every cell (its time is measured in benchmarks/bench_gui.py)."""
    from gui.widgets.matrix_editor import MatrixEditor

    asked = []
    original = MatrixModel.data

    def counting(self, index, role=Qt.ItemDataRole.DisplayRole):
        asked.append(role)
        return original(self, index, role)

    monkeypatch.setattr(MatrixModel, "data", counting)
    editor = MatrixEditor(MatrixModel(np.eye(2)))
    qtbot.addWidget(editor)
    editor.resize(600, 400)
    editor.show()
    qtbot.waitExposed(editor)
    big = np.random.default_rng(0).normal(size=(1000, 1000))
    asked.clear()
    assert editor.model.set_array(big)
    model = editor.model
    editor.table.scrollTo(model.index(999, 999))
    editor.table.grab()  # paints the visible cells now
    display_calls = asked.count(Qt.ItemDataRole.DisplayRole)
    assert 0 < display_calls < 2_000, display_calls  # a screenful or two, of 1,000,000
    assert model.data(model.index(999, 999)) == f"{big[999, 999]:.6g}"


def test_the_digest_follows_every_change_and_undo(monkeypatch):
    """The unsaved flag compares digests: an edit changes it, undo brings it back, and it is
    hashed once per change, not at every question (128 MB at 4096 x 4096)."""
    import gui.matrix_model as module

    model = MatrixModel(np.eye(3))
    original = model.digest()
    assert original == module.matrix_digest(np.eye(3))
    hashed = []
    real = module.matrix_digest
    monkeypatch.setattr(module, "matrix_digest", lambda a: hashed.append(1) or real(a))
    assert model.digest() == original and not hashed
    model.setData(model.index(0, 1), "2")
    edited = model.digest()
    assert edited != original and model.digest() == edited and len(hashed) == 1
    model.undo_stack.undo()
    assert model.digest() == original
    model.set_array(np.zeros((2, 2)))
    assert model.digest() == real(np.zeros((2, 2)))
    model.resize(3, 3)
    assert model.digest() == real(np.zeros((3, 3)))
