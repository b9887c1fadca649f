"""solver.timeline: past iterations shown and resumed exactly, memory bounded, lr changes."""

import numpy as np

from solver import Run, Settings
from solver.timeline import Timeline

M = np.diag([1.0, 2.0, 3.0, 4.0])
SETTINGS = Settings(lr=0.9, momentum=0.9, max_steps=0, tol=0.0)


def fresh_snapshot(iteration, settings=SETTINGS):
    run = Run(M, settings)
    run.step(iteration)
    return run.snapshot()


def test_view_is_the_snapshot_of_a_fresh_run_and_leaves_the_run_alone():
    timeline = Timeline(Run(M, SETTINGS), stride=8, recent=32, sparse_stride=16)
    timeline.advance(100)
    before = timeline.run.snapshot()
    for t in (0, 75, 99, 100):  # all within the exact recent window
        assert timeline.shown_iteration(t) == t
        got, expected = timeline.view(t), fresh_snapshot(t)
        assert got.iteration == t
        np.testing.assert_array_equal(got.estimate, expected.estimate)
        assert got.loss == expected.loss
    assert timeline.run.iteration == 100
    np.testing.assert_array_equal(timeline.run.snapshot().estimate, before.estimate)


def test_sparse_past_shows_the_checkpoint_before_the_asked_iteration():
    timeline = Timeline(Run(M, SETTINGS), stride=8, recent=32, sparse_stride=16)
    timeline.advance(200)
    assert timeline.shown_iteration(45) == 32
    np.testing.assert_array_equal(timeline.view(45).estimate, fresh_snapshot(32).estimate)


def test_resume_reproduces_the_original_losses_bit_for_bit():
    original = Run(M, SETTINGS)
    original.step(300)
    timeline = Timeline(Run(M, SETTINGS), stride=8, recent=32, sparse_stride=16)
    timeline.advance(300)
    for t in (290, 123):  # recent, then sparse past
        assert timeline.resume_from(t) == t
        assert len(timeline.run.history) == t
        timeline.advance(300 - t)
        np.testing.assert_array_equal(timeline.run.history.values(), original.history.values())


def test_checkpoints_stay_bounded():
    """Dense over `recent` steps, one per sparse_stride before: with the defaults (64, 8192,
    1024) a million steps keep about 1,100 small checkpoints (a few MB for a 4x4)."""
    timeline = Timeline(Run(M, SETTINGS), stride=2, recent=16, sparse_stride=32)
    timeline.advance(2000)
    assert timeline.checkpoint_count <= 16 // 2 + 2000 // 32 + 2


def test_mark_keeps_views_exact_across_an_lr_change():
    run = Run(M, SETTINGS)
    timeline = Timeline(run, stride=8, recent=64, sparse_stride=16)
    timeline.advance(13)
    run.set_lr(0.5)
    timeline.mark()
    timeline.advance(10)
    expected = Run(M, SETTINGS)
    expected.step(13)
    expected.set_lr(0.5)
    expected.step(5)
    np.testing.assert_array_equal(timeline.view(18).estimate, expected.snapshot().estimate)


def test_checkpoints_of_a_big_run_stay_within_their_budget():
    """A 4096 x 4096 run's checkpoint is over 100 MB: the timeline keeps a bounded number,
    spread over the run, and views and resumes stay exact where it keeps one."""
    from solver.timeline import Timeline

    m = np.eye(24) * 2.0
    run = Run(m, Settings(tol=0.0, max_steps=0))
    one = 2 * 24 * 24 * 4  # X and the momentum buffer, float32
    timeline = Timeline(run, stride=4, recent=64, sparse_stride=16, max_bytes=6 * one)
    reference = Run(m, Settings(tol=0.0, max_steps=0))
    timeline.advance(200)
    reference.step(200)
    assert timeline.checkpoint_bytes <= 6 * one and timeline.checkpoint_count == 6
    keys = [timeline.nearest(t).iteration for t in range(201)]
    assert keys[0] == 0 and keys[-1] == 200
    for t in sorted(set(keys)):
        replay = Run(m, Settings(tol=0.0, max_steps=0))
        replay.step(t)
        assert np.array_equal(timeline.view(t).estimate, replay.snapshot().estimate)
    assert np.array_equal(timeline.run.snapshot().estimate, reference.snapshot().estimate)
