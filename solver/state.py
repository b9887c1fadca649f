"""Deep copies of run state (tensors, arrays and containers of them) for checkpoints."""

from __future__ import annotations

import numpy as np
import torch


def tree_nbytes(value) -> int:
    """Bytes held by the tensors and arrays inside lists, tuples and dicts."""
    if isinstance(value, torch.Tensor):
        return value.element_size() * value.nelement()
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return sum(tree_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(tree_nbytes(v) for v in value.values())
    return 0


def clone_tree(value):
    """An independent copy of tensors/arrays inside lists, tuples and dicts.

    Leaf tensors that require grad are cloned as fresh leaves that still require grad, so a
    restored parameter can be differentiated and updated in place like the original.
    """
    if isinstance(value, torch.Tensor):
        copy = value.detach().clone()
        return copy.requires_grad_(True) if value.requires_grad else copy
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [clone_tree(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clone_tree(v) for v in value)
    if isinstance(value, dict):
        return {k: clone_tree(v) for k, v in value.items()}
    return value
