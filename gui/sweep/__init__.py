"""The Sweep view (issue 16): steps to the tolerance over a grid of learning rates and
momenta for the matrix on screen, computed as one batched run off the GUI thread."""
