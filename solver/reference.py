"""torch.linalg's own answers, the yardstick every gradient-descent run is measured against."""

from __future__ import annotations

import numpy as np
import torch


def reference_inverse(matrix: np.ndarray, problem: str) -> np.ndarray:
    """inv(M) for the inverse (pinv when M is singular), pinv(M) for the pseudo-inverse,
    computed in float64."""
    m = torch.as_tensor(np.asarray(matrix, dtype=np.float64))
    if not torch.any(m):  # pinv(0) = 0 (LAPACK took minutes on a 2048 x 2048 zero matrix)
        return np.zeros(m.shape[::-1])
    if _invertible(m, problem):
        return torch.linalg.inv(m).numpy()
    return torch.linalg.pinv(m).numpy()


def reference_inverse_name(matrix: np.ndarray, problem: str) -> str:
    """Which torch.linalg function reference_inverse answers with: "inv" or "pinv"."""
    m = torch.as_tensor(np.asarray(matrix, dtype=np.float64))
    return "inv" if torch.any(m) and _invertible(m, problem) else "pinv"


def _invertible(m: torch.Tensor, problem: str) -> bool:
    return problem == "inverse" and int(torch.linalg.matrix_rank(m)) == m.shape[0]


def reference_svd(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD (U, s, V) of M in float64 with M = U diag(s) V.T, s descending."""
    m = torch.as_tensor(np.asarray(matrix, dtype=np.float64))
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return u.numpy(), s.numpy(), vh.T.numpy()


def align_signs(
    u_ref: np.ndarray, v_ref: np.ndarray, u_est: np.ndarray, v_est: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Flip reference singular-vector pairs so each points the same way as the estimate.

    Singular vectors are defined up to a common sign per pair; aligning them makes the
    estimate and the reference comparable entry by entry.
    """
    agreement = np.sum(u_ref * u_est, axis=0) + np.sum(v_ref * v_est, axis=0)
    signs = np.where(agreement < 0, -1.0, 1.0)
    return u_ref * signs, v_ref * signs


def singular_values(matrix: np.ndarray) -> np.ndarray:
    """Singular values of M in float64, descending."""
    return torch.linalg.svdvals(torch.as_tensor(np.asarray(matrix, dtype=np.float64))).numpy()
