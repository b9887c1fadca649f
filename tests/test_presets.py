"""The built-in examples: each file loads and equals its tutorial torch recipe bit for bit."""

import os

import numpy as np
import pytest
import torch

from solver.matrix_io import MatrixFileError
from solver.presets import PRESETS, load_preset, preset_path, resolve_matrix


def _rand(seed, *shape):
    torch.manual_seed(seed)
    return torch.rand(*shape)


# Written out again here (not imported from assets/make_presets.py) so that a wrong recipe
# there cannot make the test agree with itself.
RECIPES = {
    "tutorial-diagonal": lambda: torch.diag(torch.tensor([1.0, 2.0, 3.0, 4.0])),
    "tutorial-random": lambda: _rand(314, 4, 4),
    "indicator": lambda: (_rand(123, 17, 3) < 0.2).int().float(),
    "svd-tutorial": lambda: _rand(314, 5, 4),
    "hilbert-6": lambda: torch.tensor([[1.0 / (i + j + 1) for j in range(6)] for i in range(6)],
                                      dtype=torch.float64),
    "singular-3": lambda: torch.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]),
    "svd-seed315": lambda: _rand(315, 4, 4),
    "svd-seed316": lambda: _rand(316, 7, 4),
    "svd-seed317t": lambda: _rand(317, 3, 4).T,
    "svd-seed317": lambda: _rand(317, 4, 3),
}


def test_every_preset_has_a_recipe():
    assert list(PRESETS) == list(RECIPES)


@pytest.mark.parametrize("name", list(RECIPES))
def test_preset_matches_its_recipe_bit_for_bit(name):
    expected = RECIPES[name]().numpy()
    matrix = load_preset(name)
    assert matrix.dtype == np.float64
    cast = matrix.astype(expected.dtype)
    assert cast.shape == expected.shape
    assert cast.tobytes() == np.ascontiguousarray(expected).tobytes()
    # A float64 run uses the recipe's own numbers (M1.double()), not a 9-digit decimal of
    # them (which differed from M1.double() by up to 4.8e-10).
    exact = np.ascontiguousarray(expected.astype(np.float64))
    assert matrix.tobytes() == exact.tobytes()


@pytest.mark.parametrize("name", list(PRESETS))
def test_file_starts_with_its_one_line_description(name):
    description = PRESETS[name]
    assert description and "\n" not in description
    first_line = preset_path(name).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# {description}"


def test_singular_preset_is_rank_deficient():
    assert np.linalg.matrix_rank(load_preset("singular-3")) < 3


def test_resolve_matrix_takes_presets_and_paths(tmp_path):
    assert np.array_equal(resolve_matrix("preset:tutorial-diagonal"), np.diag([1.0, 2, 3, 4]))
    path = tmp_path / "m.csv"
    path.write_text("1,2\n3,4\n")
    assert np.array_equal(resolve_matrix(str(path)), [[1.0, 2], [3, 4]])


def test_unknown_preset_names_the_choices():
    with pytest.raises(MatrixFileError) as caught:
        resolve_matrix("preset:nope")
    assert str(caught.value).startswith("preset:nope: unknown preset (choose from ")
    assert "tutorial-diagonal" in str(caught.value)


def test_presets_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_preset("indicator").shape == (17, 3)
    assert os.getcwd() == str(tmp_path)
