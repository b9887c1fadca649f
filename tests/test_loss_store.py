"""gui/loss_store.py: the one loss history of the run on screen, bounded in memory."""

import numpy as np
import pytest

from gui.loss_store import LossStore


def test_recent_losses_are_exact_and_older_ones_kept_at_their_peaks():
    store = LossStore(exact_window=1024, max_old_points=256)
    rng = np.random.default_rng(3)
    data = rng.random(200_000) * np.exp(-np.arange(200_000) / 5e4)
    data[5_000] = 99.0  # a spike long ago
    for start in range(0, data.size, 1000):
        store.extend(start, data[start: start + 1000])
    assert len(store) == 200_000
    assert store.nbytes < 60_000  # not 1.6 MB
    x, y = store.points()
    assert np.all(np.diff(x) > 0) and x[-1] == 199_999
    np.testing.assert_array_equal(y, data[x])  # every kept loss is exact at its iteration
    assert 5_000 in x  # the spike is kept
    assert store.exact_from >= 200_000 - 2048
    np.testing.assert_array_equal(store.exact(), data[store.exact_from:])
    # Each bin of the older part keeps its smallest and largest loss.
    width = store.bin_width
    old = x < store.exact_from
    for b in np.unique(x[old] // width)[:20]:
        inside = data[b * width: (b + 1) * width]
        kept = y[old][(x[old] // width) == b]
        assert kept.max() == inside.max() and kept.min() == inside.min()


def test_memory_stays_bounded_over_millions_of_steps():
    store = LossStore()
    chunk = np.linspace(1.0, 0.5, 50_000)
    sizes = []
    for start in range(0, 3_000_000, chunk.size):
        store.extend(start, chunk)
        sizes.append(store.nbytes)
    assert max(sizes) < 6_000_000
    assert sizes[-1] - sizes[len(sizes) // 2] <= 1_100_000  # no growth with the run


def test_truncate_and_resume():
    store = LossStore(exact_window=8, max_old_points=64)
    data = np.arange(100, dtype=float)
    store.extend(0, data)
    store.truncate(50)
    assert len(store) == 50
    x, y = store.points()
    assert x[-1] < 50 and np.array_equal(y, data[x])
    store.extend(50, data[50:60])
    assert len(store) == 60 and store.loss_at(55) == 55.0
    store.extend(58, [1.5])  # a resume from 58 forgets what came after
    assert len(store) == 59 and store.loss_at(58) == 1.5
    with pytest.raises(ValueError, match="gap"):
        store.extend(70, [1.0])


def test_nan_and_inf_count_as_peaks():
    store = LossStore(exact_window=4, max_old_points=4)
    store.extend(0, [1.0, np.nan, 0.5, np.inf, 0.25, 0.1, 0.2, 0.3, 1.0, 2.0, 3.0, 4.0])
    x, y = store.points()
    assert np.isnan(y).any() or np.isinf(y).any()
