"""The Code view (issue 15): the exact PyTorch program behind the run on screen."""
