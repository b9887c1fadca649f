"""The window's own widgets: matrix editor, settings panel, transport bar, banner, and the
small controls they are made of. They show the document model and send it commands."""
