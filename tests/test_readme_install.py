"""The README's install notes match this project (issue 12, point 12): the CPU-only wheel of
the pinned torch, and every system library Qt's X11 plugin needs, as `ldd` finds them."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def pinned(name: str) -> str:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    return re.search(rf"^{re.escape(name)}==(\S+)$", text, re.MULTILINE).group(1)


def test_the_cpu_wheel_command_installs_the_pinned_torch():
    version = pinned("torch")
    assert (f"pip install torch=={version} --index-url https://download.pytorch.org/whl/cpu"
            in README)
    assert f"`{version}+cpu`" in README


def _qt_libraries() -> list[Path]:
    pyside = pytest.importorskip("PySide6")
    qt = Path(pyside.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        pytest.skip("no xcb plugin in this PySide6 (not Linux)")
    return [plugin] + [qt / "lib" / f"libQt6{name}.so.6" for name in
                       ("XcbQpa", "Gui", "Core", "DBus")]


def _system_libraries() -> dict[str, str | None]:
    """soname -> resolved path outside the wheel (None: not found on this machine)."""
    found: dict[str, str | None] = {}
    for library in _qt_libraries():
        out = subprocess.run(["ldd", str(library)], capture_output=True, text=True,
                             check=True).stdout
        for soname, target in re.findall(r"^\s*(\S+) => (.+?)(?: \(0x|$)", out, re.MULTILINE):
            if "PySide6" in target:
                continue
            found[soname] = None if target.strip() == "not found" else target.strip()
    return found


def _debian_package(path: str) -> str:
    real = Path(path).resolve()
    out = subprocess.run(["dpkg", "-S", f"*/{real.name}"], capture_output=True, text=True)
    return out.stdout.split(":")[0].strip()


def _guessed_package(soname: str) -> str:
    """Debian's name for a library not installed here: libxcb-icccm.so.4 -> libxcb-icccm4."""
    stem, number = re.match(r"(lib.+)\.so\.(\d+)", soname).groups()
    return f"{stem}{'-' if stem[-1].isdigit() else ''}{number}"


@pytest.mark.skipif(not (shutil.which("ldd") and shutil.which("dpkg")),
                    reason="needs ldd and dpkg (a Debian-like Linux)")
def test_readme_lists_every_system_library_of_the_xcb_plugin():
    libraries = _system_libraries()
    assert "libxcb.so.1" in libraries and "libxcb-cursor.so.0" in libraries
    missing = []
    for soname, path in libraries.items():
        package = _debian_package(path) if path else _guessed_package(soname)
        if not package or not re.search(rf"(?<![\w.-]){re.escape(package)}(?![\w.-])", README):
            missing.append((soname, package))
    assert not missing, missing
