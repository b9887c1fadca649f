"""The lesson panel: the tutorial's story, page by page, with the current run's numbers."""
