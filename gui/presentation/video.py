"""Write a recording's frames as an animated GIF or an MP4 video, with ffmpeg.

The ffmpeg program comes inside the imageio-ffmpeg wheel (pinned in requirements.txt):
nothing is downloaded. Frames stream to it through a pipe as they are drawn, so memory
stays bounded however long the run, and encoding runs in its own process beside Qt's
drawing. MP4 is H.264 (yuv420p, what slides and browsers play). A GIF takes two passes
over a lossless FFV1 copy of the frames: one palette of 256 colours computed from all of
them (ffmpeg's palettegen), then each frame mapped to it without dithering (paletteuse), so
a pixel that does not change keeps its colour and ffmpeg's GIF encoder stores only the
rectangle that changed. The file appears at its path only when complete (os.replace).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from solver.matrix_io import MatrixFileError

VIDEO_TYPES = (".gif", ".mp4")
VIDEO_FILTERS = ["Animated GIF (*.gif)", "MP4 video, H.264 (*.mp4)"]
MP4_QUALITY = 7  # imageio-ffmpeg's 1-10 scale: H.264 CRF 15, text stays sharp
ENCODER_TIMEOUT_S = 600


class VideoWriter:
    """Streams frames (QImages of `size`) at `fps` to `path` (.gif or .mp4).

    `close()` finishes the file; `abort()` (or an error) leaves nothing behind. Errors are
    MatrixFileError naming the file."""

    def __init__(self, path: str | os.PathLike, size: tuple[int, int], fps: float) -> None:
        import imageio_ffmpeg  # imported here: only recordings need it

        self.path = Path(path)
        self.size = (int(size[0]), int(size[1]))
        self.fps = float(fps)
        self.frames = 0
        self._held = 0  # frames a GIF adds as copies of the last one
        self._last: QImage | None = None
        self._suffix = self.path.suffix.lower()
        if self._suffix not in VIDEO_TYPES:
            raise MatrixFileError(path, f"cannot record as '{self._suffix}' (use .gif or .mp4)")
        if self._suffix == ".mp4" and (self.size[0] % 2 or self.size[1] % 2):
            raise MatrixFileError(path, f"an MP4 needs an even width and height, not "
                                        f"{self.size[0]} × {self.size[1]}")
        try:
            self._ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
        except RuntimeError as error:
            raise MatrixFileError(path, f"cannot record: {error}") from None
        # Beside the target, so that the finished file is renamed into place atomically.
        self._work = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        try:
            self._work.mkdir()
        except OSError as error:
            raise MatrixFileError(path, f"cannot write there ({error.strerror})") from None
        gif = self._suffix == ".gif"
        self._stream = self._work / ("frames.mkv" if gif else "video.mp4")
        params = dict(codec="ffv1", pix_fmt_out="bgr0", quality=None) if gif else dict(
            codec="libx264", pix_fmt_out="yuv420p", quality=MP4_QUALITY,
            output_params=["-movflags", "+faststart"])
        self._writer = imageio_ffmpeg.write_frames(
            str(self._stream), self.size, fps=self.fps, macro_block_size=1,
            ffmpeg_log_level="error", **params)
        try:
            self._writer.send(None)  # starts ffmpeg
        except Exception as error:  # noqa: BLE001 -- one line, nothing left behind
            self.abort()
            raise MatrixFileError(path, f"cannot start ffmpeg ({error})") from None

    def write(self, image: QImage, repeat: int = 1) -> None:
        """Append `image` (any QImage format, `size` pixels) `repeat` times."""
        rgb = image.convertToFormat(QImage.Format.Format_RGB888)
        if (rgb.width(), rgb.height()) != self.size:
            raise ValueError(f"frame is {rgb.width()} × {rgb.height()}, the recording "
                             f"{self.size[0]} × {self.size[1]}")
        rows = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=rgb.sizeInBytes())
        # Each line of a QImage is padded to a multiple of 4 bytes.
        pixels = rows.reshape(rgb.height(), rgb.bytesPerLine())[:, : 3 * rgb.width()]
        data = np.ascontiguousarray(pixels).tobytes()
        self._last = image
        try:
            for _ in range(repeat):
                self._writer.send(data)
                self.frames += 1
        except Exception as error:  # noqa: BLE001 -- ffmpeg stopped: say so in one line
            self.abort()
            raise MatrixFileError(self.path, f"ffmpeg stopped encoding ({_first_line(error)})"
                                  ) from None

    def hold(self, count: int) -> None:
        """Show the last frame `count` more times. A GIF clones it in its last pass (ffmpeg's
        tpad) instead of sending it through both passes again."""
        if count <= 0 or self.frames == 0:
            return
        if self._suffix == ".gif":
            self._held += count
            self.frames += count
        else:
            self.write(self._last, repeat=count)

    def close(self) -> int:
        """Finish the file and put it at its path; returns its size in bytes."""
        try:
            self._writer.close()
            if self._suffix == ".gif":
                self._make_gif()
                result = self._work / "video.gif"
            else:
                result = self._stream
            os.replace(result, self.path)
        except MatrixFileError:
            self.abort()
            raise
        except Exception as error:  # noqa: BLE001 -- one line, nothing left behind
            self.abort()
            raise MatrixFileError(self.path, f"cannot finish the recording "
                                             f"({_first_line(error)})") from None
        shutil.rmtree(self._work, ignore_errors=True)
        return self.path.stat().st_size

    def abort(self) -> None:
        """Stop ffmpeg and remove everything written so far."""
        try:
            self._writer.close()
        except Exception:  # noqa: BLE001, S110 -- already failing: cleaning up is all that is left
            pass
        shutil.rmtree(self._work, ignore_errors=True)

    def _make_gif(self) -> None:
        palette = self._work / "palette.png"
        self._ffmpeg_run(["-i", str(self._stream), "-vf", "palettegen=stats_mode=full",
                          str(palette)])
        held = f"tpad=stop_mode=clone:stop={self._held}," if self._held else ""
        self._ffmpeg_run(["-i", str(self._stream), "-i", str(palette), "-lavfi",
                          f"[0:v]{held}null[v];[v][1:v]paletteuse=dither=none:"
                          "diff_mode=rectangle", "-loop", "0", str(self._work / "video.gif")])

    def _ffmpeg_run(self, arguments: list[str]) -> None:
        command = [self._ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *arguments]
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=ENCODER_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise MatrixFileError(self.path, "ffmpeg failed: " + _first_line(done.stderr))


def _first_line(text) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "no message"
