"""Special, huge and hostile files (issue 13): refused at once and within bounded memory;
saves that write through links, never replace devices, name a full disk, leave nothing."""

import errno
import fcntl
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from solver import safe_io
from solver.matrix_io import (
    MatrixFileError,
    check_save_target,
    existing_files,
    load_matrix,
    save_matrices,
    save_matrix,
)
from solver.session import load_lesson

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = [".csv", ".tsv", ".txt", ".npy", ".npz"]


def _load_any(path):
    return load_lesson(path) if str(path).endswith(".mdlesson") else load_matrix(path)


def _refusal(path, timeout=20.0) -> str:
    """The message a load of `path` ends with; fails (instead of hanging the suite) if the
    load does not return within `timeout` seconds."""
    outcome = {}

    def load():
        try:
            _load_any(path)
            outcome["message"] = "loaded"
        except MatrixFileError as err:
            outcome["message"] = str(err)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"loading {path} blocked for {timeout} s"
    return outcome["message"]


@pytest.mark.parametrize("suffix", [*SUFFIXES, ".mdlesson"])
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_behind_any_name_is_refused_at_once(tmp_path, suffix, device):
    link = tmp_path / f"m{suffix}"
    link.symlink_to(device)
    assert _refusal(link) == f"{link}: is a device, not a regular file"


@pytest.mark.parametrize("suffix", [*SUFFIXES, ".mdlesson"])
def test_a_fifo_is_refused_without_blocking(tmp_path, suffix):
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    assert _refusal(fifo) == f"{fifo}: is a FIFO (named pipe), not a regular file"


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".mdlesson"])
def test_a_folder_and_a_link_loop_are_named(tmp_path, suffix):
    folder = tmp_path / f"dir{suffix}"
    folder.mkdir()
    assert _refusal(folder) == f"{folder}: is a folder, not a file"
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    a.symlink_to(b)
    b.symlink_to(a)
    assert _refusal(a) == f"{a}: cannot read (symbolic link loop)"


def test_a_link_to_a_regular_file_is_read(tmp_path):
    save_matrix(tmp_path / "real.csv", np.eye(2))
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    assert load_matrix(tmp_path / "link.csv").tolist() == [[1, 0], [0, 1]]


# --- huge text: refused early, within bounded memory ---------------------------------------

HUGE = 128 << 20
# What a refused file may cost above the interpreter's baseline (issue 13: 300 MB).
MEMORY_LIMIT_MB = 300



def _huge_files(folder: Path) -> dict[str, str]:
    """name -> the problem its refusal must name."""
    with open(folder / "rows.csv", "w") as fh:
        fh.write("0,0\n" * (HUGE // 4))  # the 128 MiB CSV
    with open(folder / "blank.csv", "w") as fh:
        fh.write("\n" * HUGE)
    with open(folder / "comments.csv", "w") as fh:
        fh.write("# c\n" * (HUGE // 4))
    with open(folder / "one-line.csv", "w") as fh:
        fh.write("0," * (HUGE // 2))
    with open(folder / "tall.csv", "w") as fh:  # 4,097 full rows: the shape is read first
        row = ",".join(["0"] * 4096) + "\n"
        fh.write(row * 4097)
    return {
        "rows.csv": "lines: more than a 4096 x 4096 matrix needs",
        "blank.csv": "lines: more than a 4096 x 4096 matrix needs",
        "comments.csv": "lines: more than a 4096 x 4096 matrix needs",
        "one-line.csv": "line 1 is longer than a row of 4096 numbers can be",
        "tall.csv": "more than 4096 rows (refused at row 4097)",
    }


def test_huge_text_files_are_refused_within_bounded_memory(tmp_path):
    # A separate process, whose peak memory (VmHWM, reset before each load) is the load's.
    expected = _huge_files(tmp_path)
    paths = [str(tmp_path / name) for name in expected]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load_cost.py"), *paths],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for name, problem in expected.items():
        result = results[str(tmp_path / name)]
        assert result["message"].startswith(f"{tmp_path / name}: "), result
        assert problem in result["message"], result
        assert result["peak_mb"] <= MEMORY_LIMIT_MB, (name, result)


# --- saving ------------------------------------------------------------------------------

def test_saving_onto_a_link_writes_through_to_its_target(tmp_path):
    real = tmp_path / "data" / "real.csv"
    real.parent.mkdir()
    real.write_text("1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(os.path.relpath(real, tmp_path))
    save_matrix(link, np.eye(2))
    assert link.is_symlink() and load_matrix(real).tolist() == [[1, 0], [0, 1]]
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "data" / "new.csv")
    save_matrix(dangling, np.ones((1, 1)))
    assert dangling.is_symlink() and (tmp_path / "data" / "new.csv").read_text() == "1\n"


def _device_node(tmp_path) -> Path:
    node = tmp_path / "null.csv"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("creating a device node needs root")
    return node


def test_a_device_or_fifo_is_never_replaced(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(MatrixFileError, match=r"pipe\.csv: cannot save: is a FIFO"):
        save_matrix(fifo, np.eye(2))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "null-link.npy"
    link.symlink_to("/dev/null")
    with pytest.raises(MatrixFileError, match=r"null-link\.npy: cannot save: is a device"):
        save_matrix(link, np.eye(2))
    node = _device_node(tmp_path)
    with pytest.raises(MatrixFileError, match="cannot save: is a device, not a regular file"):
        check_save_target(node)
    with pytest.raises(MatrixFileError, match="cannot save: is a device"):
        save_matrix(node, np.eye(2))
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_link_loop_is_named_when_saving(tmp_path):
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    with pytest.raises(MatrixFileError, match=r"a\.csv: cannot save \(symbolic link loop\)$"):
        save_matrix(tmp_path / "a.csv", np.eye(2))


def _disk_fills_after(monkeypatch, room: int) -> None:
    """os.write accepts `room` more bytes, then fails as a full disk does."""
    real_write = os.write
    left = {"room": room}

    def write(fd, data):
        if left["room"] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        data = bytes(data)[: left["room"]]
        left["room"] -= len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".npz"])
def test_a_full_disk_is_named_and_the_old_file_kept(tmp_path, monkeypatch, suffix):
    path = tmp_path / f"m{suffix}"
    save_matrix(path, np.eye(3))
    before = path.read_bytes()
    _disk_fills_after(monkeypatch, 4080)
    with pytest.raises(MatrixFileError) as caught:
        save_matrix(path, np.random.default_rng(0).standard_normal((40, 40)))
    assert str(caught.value) == f"{path}: cannot save (disk full: No space left on device)"
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_stale_temporaries_of_a_killed_save_are_removed(tmp_path):
    target = tmp_path / "m.csv"
    stale = tmp_path / ".m.csv.0123abcd.tmp"
    stale.write_bytes(b"half of a killed save")
    live = tmp_path / ".m.csv.89abcdef.tmp"
    live.write_bytes(b"another process is still writing this")
    other = tmp_path / ".other.csv.0123abcd.tmp"
    other.write_bytes(b"not ours to judge")
    with open(live, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a save in progress holds it
        save_matrix(target, np.eye(2))
        assert not stale.exists() and live.exists() and other.exists()
    assert load_matrix(target).tolist() == [[1, 0], [0, 1]]


def test_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    """A real SIGKILL during a save (the worst case: no handler runs)."""
    target = tmp_path / "big.npy"
    script = (
        "import os, signal, sys, numpy as np\n"
        "from solver import safe_io\n"
        "def write(fh):\n"
        "    fh.write(b'x' * 1000); fh.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
        "safe_io.atomic_write(sys.argv[1], write)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(target)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert len([p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]) == 1
    save_matrix(target, np.eye(2))
    assert [p.name for p in tmp_path.iterdir()] == ["big.npy"]


def _svd_set(tmp_path, suffix=".csv"):
    return {tmp_path / f"svd-{name}{suffix}": value for name, value in
            (("U", np.eye(2)), ("S", np.ones((1, 2))), ("V", np.eye(2)))}


def test_a_set_of_files_is_written_all_or_nothing(tmp_path, monkeypatch):
    old = _svd_set(tmp_path)
    save_matrices(old)
    before = {path: path.read_bytes() for path in old}
    assert existing_files(list(old)) == [str(p) for p in old]
    assert existing_files([tmp_path / "svd-X.csv"]) == []
    new = {path: value * 2 for path, value in old.items()}

    calls = {"n": 0}
    real_savetxt = np.savetxt

    def full_on_the_second(fh, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_savetxt(fh, *args, **kwargs)

    monkeypatch.setattr(np, "savetxt", full_on_the_second)
    with pytest.raises(MatrixFileError, match=r"svd-S\.csv: cannot save \(disk full: No space"):
        save_matrices(new)
    assert {path: path.read_bytes() for path in old} == before
    monkeypatch.undo()

    real_replace = os.replace
    moved = {"n": 0}

    def refuse_the_third(src, dst):
        if str(dst).endswith("svd-V.csv") and ".old" not in str(src):
            raise PermissionError(errno.EACCES, "Permission denied")
        moved["n"] += 1
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_the_third)
    with pytest.raises(MatrixFileError, match=r"svd-V\.csv: cannot save \(permission denied\)"):
        save_matrices(new)
    # U and S had been moved into place already: they are put back.
    assert {path: path.read_bytes() for path in old} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svd-S.csv", "svd-U.csv", "svd-V.csv"]
    monkeypatch.undo()
    save_matrices(new)
    assert all(np.array_equal(load_matrix(p), v) for p, v in new.items())


def test_open_regular_refuses_before_reading(tmp_path):
    with pytest.raises(safe_io.FileProblem, match="is a device"):
        safe_io.open_regular("/dev/zero")
    with pytest.raises(safe_io.FileProblem, match="is a folder"):
        safe_io.open_regular(tmp_path)


def test_main_py_refuses_a_fifo_and_a_device_before_any_window(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    device = tmp_path / "random.npz"
    device.symlink_to("/dev/urandom")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # a window let through times out
    for path, problem in ((fifo, "is a FIFO (named pipe), not a regular file"),
                          (device, "is a device, not a regular file")):
        done = subprocess.run([sys.executable, "main.py", str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr == f"matrix-descent: cannot open {path}: {problem}\n"
