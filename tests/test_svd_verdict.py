"""Slow or stalled, from evidence (issue 12, point 3): seed 316 is slow, seed 317 stalls,
and the command line says what the SVD view says."""

import json

import numpy as np
import pytest

from solver import Run, Settings
from solver.presets import load_preset
from solver.svd_verdict import SvdWatch


def watched(preset, steps, method="penalty", every=100):
    run = Run(load_preset(preset), Settings(problem="svd", svd_method=method, tol=0,
                                            max_steps=steps))
    watch = SvdWatch()
    watch.record(run.snapshot())
    while not run.done:
        run.step(every)
        watch.record(run.snapshot())
    return run, watch.verdict(run.snapshot())


def test_seed_317_stalls_with_sigma_3_held_at_zero():
    run, verdict = watched("svd-seed317", 2500)
    assert verdict.kind == "stalled" and verdict.worst == 2
    assert "in 1,200 steps" in verdict.text or "in 1,300 steps" in verdict.text
    assert "σ₃ = d₃² is held at 0" in verdict.mechanism
    snap = run.snapshot()
    pull = float(snap.u[:, 2] @ (-snap.error) @ snap.v[:, 2])
    assert snap.s[2] == 0 and pull < 0 and f"{pull:.3g}" in verdict.mechanism


def test_seed_316_is_slow_with_an_estimate_of_the_steps_still_needed():
    _, verdict = watched("svd-seed316", 6000)
    assert verdict.kind == "slow" and verdict.mechanism == ""
    assert verdict.text.startswith("Slow, not stalled, stopped at t = 6,000 short of torch's")
    assert 10_000 < verdict.steps_needed < 1_000_000


def test_too_little_evidence_is_not_a_stall():
    _, verdict = watched("svd-seed317", 1500)
    assert verdict.kind == "stopped" and "Stalled" not in verdict.text


def test_the_tutorial_matrix_matches():
    _, verdict = watched("svd-tutorial", 3000, method="deflation")
    assert verdict.kind == "match" and verdict.text.startswith("✓ Same SVD as torch")


@pytest.mark.parametrize(("preset", "steps", "kind"), [("svd-seed317", 3000, "stalled"),
                                                       ("svd-seed316", 6000, "slow")])
def test_the_command_line_prints_the_views_verdict(tmp_path, main_here, preset, steps, kind):
    done = main_here("solve", f"preset:{preset}", "--problem", "svd", "--steps", steps,
                     "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    _, verdict = watched(preset, steps)
    assert result["verdict"] == verdict.kind == kind
    assert result["verdict_text"] == verdict.text
    assert verdict.text in done.stderr.splitlines()
    assert result["steps_needed"] == verdict.steps_needed
    assert np.isfinite(result["final_loss"])
