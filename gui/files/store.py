"""What the app remembers between sessions (QSettings): recent files, last folder, geometry.

Always an INI file in the user's config folder, so tests can redirect it with
`QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp_path)` and
never touch the real settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "matrix-descent"
APPLICATION = "matrix-descent"
MAX_RECENT = 8
_RECENT = "files/recent"
_FOLDER = "files/lastFolder"
_GEOMETRY = "window/geometry"


def open_store() -> QSettings:
    """The app's QSettings (INI format, user scope)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     ORGANIZATION, APPLICATION)


def recent_files() -> list[str]:
    """Recently opened or saved files, newest first."""
    value = open_store().value(_RECENT, [])
    # An INI list of one entry reads back as a plain string.
    if isinstance(value, str):
        value = [value]
    return [str(path) for path in value or [] if path]


def add_recent(path: str) -> None:
    """Put `path` first in the recent list (absolute, no duplicates, at most MAX_RECENT)."""
    path = os.path.abspath(path)
    paths = [path, *(p for p in recent_files() if p != path)][:MAX_RECENT]
    open_store().setValue(_RECENT, paths)


def remove_recent(paths: list[str]) -> None:
    """Drop `paths` from the recent list."""
    gone = set(paths)
    open_store().setValue(_RECENT, [p for p in recent_files() if p not in gone])


def last_folder() -> str:
    """The folder of the last file opened or saved ("" until there is one, or if it is gone)."""
    folder = str(open_store().value(_FOLDER, "") or "")
    return folder if folder and os.path.isdir(folder) else ""


def set_last_folder(path: str) -> None:
    """Remember the folder holding `path`."""
    open_store().setValue(_FOLDER, str(Path(path).resolve().parent))


def geometry() -> QByteArray | None:
    """The window geometry saved by save_geometry, or None."""
    value = open_store().value(_GEOMETRY)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_geometry(data: QByteArray) -> None:
    """Remember the window geometry (QWidget.saveGeometry())."""
    open_store().setValue(_GEOMETRY, data)
