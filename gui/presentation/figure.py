"""Figures for slides: live widgets laid out under a title and above a caption, drawn at a
chosen size or scale into a PNG image or an SVG drawing.

A `FigureFrame` is an offscreen widget that lays out the title, one slot per widget (in
rows, with stretch factors) and the caption at the figure's logical size. Painting draws the
frame's labels, then each widget into its slot, laid out at the slot's size and sharp at the
figure's pixel ratio (gui/presentation/print_quality.py). With `adopt=True` the frame holds
the widgets themselves instead of slots (the headless recorder: there no window shows them).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.presentation.caption import CAPTION_SEPARATOR
from gui.presentation.print_quality import laid_out_at, print_quality
from solver.matrix_io import MatrixFileError, atomic_write

FIGURE_FILTERS = ["PNG image (*.png)", "SVG drawing (*.svg)"]
# A figure of W x H pixels is laid out at W/s x H/s with s chosen so that this reference
# size fits it: text and lines keep their proportions at any size (1920 x 1080 is laid out
# as 1067 x 600 and drawn at 1.8x), the way a slide looks the same on any projector.
REFERENCE = QSize(1000, 600)
MAX_SCALE = 8.0
MIN_SCALE = 0.5
MAX_PIXELS = 8192  # the longest side of an exported image
TITLE_POINTS = 20
CAPTION_POINTS = 12
MARGIN = 12
_SOFTWARE = "Matrix Descent"


@dataclass(frozen=True)
class FigureOptions:
    """How big a figure is: `size` (width, height) in pixels, or None for the widgets'
    size on screen times `scale`; and its `title` (the caption is made from the run)."""

    size: tuple[int, int] | None = (1920, 1080)
    scale: float = 1.0
    title: str = ""


Arrangement = tuple  # ("h" or "v", [(QWidget or Arrangement, stretch), ...])


class FigureFrame(QWidget):
    """Title, widgets and caption, laid out at a figure's logical size (offscreen).

    `body` is a widget or an arrangement ("h" or "v", [(widget or arrangement, stretch),
    ...]) of them in rows and columns. Without `adopt` each widget gets an empty slot with
    the widget's minimum size, and `paint` draws the widget there; with `adopt` the widgets
    themselves are moved into the frame (never do that to widgets a window shows)."""

    def __init__(self, title: str, caption: str, body: QWidget | Arrangement,
                 adopt: bool = False) -> None:
        super().__init__(None)
        self.setObjectName("figureFrame")
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        # No style sheet here: it would stop the frame's font from reaching adopted widgets.
        self._adopt = adopt
        self.title_label = _label(TITLE_POINTS, bold=True, colour="#000000")
        self.title_label.setObjectName("figureTitle")
        self.caption_label = _label(CAPTION_POINTS, bold=False, colour="#303030")
        self.caption_label.setObjectName("figureCaption")
        self.slots: list[tuple[QWidget, QWidget]] = []  # (slot, widget drawn into it)
        self._body = body if isinstance(body, tuple) else ("v", [(body, 1)])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, MARGIN // 2, MARGIN, MARGIN // 2)
        layout.setSpacing(MARGIN // 2)
        layout.addWidget(self.title_label)
        layout.addLayout(self._build(self._body), 1)
        layout.addWidget(self.caption_label)
        self.set_texts(title, caption)

    @property
    def widgets(self) -> list[QWidget]:
        """The widgets the figure shows."""
        return [widget for _, widget in self.slots]

    def _build(self, arrangement: Arrangement):
        direction, children = arrangement
        box = QHBoxLayout() if direction == "h" else QVBoxLayout()
        box.setSpacing(MARGIN // 2)
        for child, stretch in children:
            if isinstance(child, tuple):
                box.addLayout(self._build(child), stretch)
                continue
            slot = child if self._adopt else QWidget(self)
            if not self._adopt:
                slot.setMinimumSize(child.minimumSizeHint().expandedTo(QSize(1, 1)))
            slot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            box.addWidget(slot, stretch)
            self.slots.append((slot, child))
        return box

    def set_texts(self, title: str, caption: str) -> None:
        """Change the title and the caption (a caption breaks only between its parts)."""
        self.title_label.setText(title)
        self.caption_label.setText(_unbreakable_parts(caption))

    def reserve_caption(self, longest: str) -> None:
        """Keep room for `longest` under the plots (call after lay_out), so that the plots
        do not move when a longer caption comes."""
        label = self.caption_label
        current = label.text()
        label.setText(_unbreakable_parts(longest))
        height = label.heightForWidth(label.width())
        label.setText(current)
        label.setMinimumHeight(height)

    def lay_out(self, logical: QSize) -> None:
        """Lay everything out at `logical` size; a narrow figure gets a smaller title and
        caption, so that the title keeps to one line."""
        width = logical.width()
        _set_points(self.caption_label, min(CAPTION_POINTS, max(9, width // 85)))
        # The largest title size up to TITLE_POINTS that keeps it on one line (it wraps
        # only below 12 pt).
        room = width - 2 * MARGIN
        for points in range(min(TITLE_POINTS, max(12, width // 50)), 11, -1):
            _set_points(self.title_label, points)
            if self.title_label.fontMetrics().horizontalAdvance(self.title_label.text()) \
                    <= room:
                break
        self.resize(logical)
        self.layout().activate()

    def natural_size(self) -> QSize:
        """The logical size at which every widget keeps its size on screen."""
        body = _natural(self._body)
        height = body.height() + sum(_text_height(label, body.width()) + MARGIN // 2
                                     for label in (self.title_label, self.caption_label))
        return QSize(body.width() + 2 * MARGIN, height + MARGIN)

    def minimum_size(self) -> QSize:
        """The smallest logical size that keeps every widget at its minimum size."""
        return self.layout().totalMinimumSize()

    def paint(self, painter: QPainter, scale: float) -> None:
        """Draw the frame as laid out: labels, then each widget at its slot's size."""
        flags = QWidget.RenderFlag.DrawChildren
        if self._adopt:  # the widgets are the frame's own: drawn with it
            with print_quality(self.widgets, scale):
                QWidget.render(self, painter, QPoint(), renderFlags=flags)
            return
        QWidget.render(self, painter, QPoint(), renderFlags=flags)
        for slot, widget in self.slots:
            origin = slot.mapTo(self, QPoint(0, 0))
            with laid_out_at(widget, slot.size()), print_quality([widget], scale):
                QWidget.render(widget, painter, origin, renderFlags=flags)


def _unbreakable_parts(caption: str) -> str:
    return CAPTION_SEPARATOR.join(part.replace(" ", "\u00a0")
                                  for part in caption.split(CAPTION_SEPARATOR))


def _natural(arrangement: Arrangement) -> QSize:
    direction, children = arrangement
    sizes = [_natural(child) if isinstance(child, tuple) else child.size()
             for child, _ in children]
    gaps = (len(sizes) - 1) * (MARGIN // 2)
    if direction == "h":
        return QSize(sum(s.width() for s in sizes) + gaps, max(s.height() for s in sizes))
    return QSize(max(s.width() for s in sizes), sum(s.height() for s in sizes) + gaps)


def _set_points(label: QLabel, points: int) -> None:
    font = label.font()
    if font.pointSize() != points:
        font.setPointSize(points)
        label.setFont(font)


def _label(points: int, bold: bool, colour: str) -> QLabel:
    label = QLabel()
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)
    label.setTextFormat(Qt.TextFormat.PlainText)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(palette)
    return label


def _text_height(label: QLabel, width: int) -> int:
    return label.heightForWidth(width) if label.text() else 0


@dataclass(frozen=True)
class Geometry:
    """A figure's pixel size, its logical (layout) size, and the scale between them."""

    pixels: QSize
    logical: QSize
    scale: float


def geometry(frame: FigureFrame, options: FigureOptions) -> Geometry:
    """Where the figure of `options` is laid out and at what scale; ValueError (one line)
    for a size out of range or too small to hold the widgets at their minimum size."""
    minimum = frame.minimum_size()
    if options.size is None:
        scale = float(options.scale)
        if not (MIN_SCALE <= scale <= MAX_SCALE):
            raise ValueError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}, got "
                             f"{scale:g}")
        logical = frame.natural_size().expandedTo(minimum)
        pixels = QSize(math.ceil(logical.width() * scale), math.ceil(logical.height() * scale))
    else:
        width, height = options.size
        pixels = QSize(int(width), int(height))
        fit = min(width / REFERENCE.width(), height / REFERENCE.height())
        scale = min(max(fit, 1.0), MAX_SCALE)
        # Below the reference size the scale shrinks until the widgets fit at their minimum
        # size, down to MIN_SCALE (text at half its size on screen is still legible).
        scale = min(scale, width / max(minimum.width(), 1), height / max(minimum.height(), 1))
        if scale < MIN_SCALE:
            raise ValueError(f"{width} × {height} is too small for this figure: it needs at "
                             f"least {math.ceil(minimum.width() * MIN_SCALE)} × "
                             f"{math.ceil(minimum.height() * MIN_SCALE)} pixels")
        logical = QSize(math.floor(width / scale), math.floor(height / scale))
        scale = min(width / logical.width(), height / logical.height())
    if max(pixels.width(), pixels.height()) > MAX_PIXELS or min(pixels.width(),
                                                                 pixels.height()) < 16:
        raise ValueError(f"{pixels.width()} × {pixels.height()} pixels: each side must be "
                         f"between 16 and {MAX_PIXELS}")
    return Geometry(pixels, logical, scale)


def render_image(frame: FigureFrame, geo: Geometry) -> QImage:
    """The figure as an image of geo.pixels (device pixel ratio geo.scale), on white."""
    frame.lay_out(geo.logical)
    image = QImage(geo.pixels, QImage.Format.Format_RGB32)
    _match_screen_dpi(image, frame)
    image.setDevicePixelRatio(geo.scale)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        frame.paint(painter, geo.scale)
    finally:
        painter.end()
    return image


def svg_bytes(frame: FigureFrame, geo: Geometry, title: str, caption: str) -> bytes:
    """The figure as an SVG drawing (text as text, curves as paths), geo.pixels in size."""
    frame.lay_out(geo.logical)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    # Text sizes come from the device's resolution: the same as the screen the widgets
    # were laid out for, or every label would be drawn bigger or smaller than its place.
    generator.setResolution(frame.logicalDpiY())
    generator.setSize(geo.pixels)
    generator.setViewBox(QRect(QPoint(0, 0), geo.logical))
    generator.setTitle(title)
    generator.setDescription(caption)
    painter = QPainter(generator)
    try:
        painter.fillRect(QRect(QPoint(0, 0), geo.logical), QColor("white"))
        frame.paint(painter, 1.0)
    finally:
        painter.end()
        buffer.close()
    return _pixel_size(bytes(data.data()), geo.pixels)


def _pixel_size(svg: bytes, pixels: QSize) -> bytes:
    """QSvgGenerator writes the drawing's width and height in millimetres, which viewers
    convert back at differing DPIs (Qt's own renderer at 90): state them in pixels."""
    head, sep, rest = svg.partition(b"<svg")
    tag, close, body = rest.partition(b">")
    tag = re.sub(rb'\swidth="[^"]*"', f' width="{pixels.width()}px"'.encode(), tag, count=1)
    tag = re.sub(rb'\sheight="[^"]*"', f' height="{pixels.height()}px"'.encode(), tag, count=1)
    return head + sep + tag + close + body


def png_bytes(image: QImage, title: str, caption: str) -> bytes:
    """`image` encoded as PNG, with the title and caption as its text (Title, Description)."""
    image.setText("Title", title)
    image.setText("Description", caption)
    image.setText("Software", _SOFTWARE)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, "PNG")
    buffer.close()
    if not ok:
        raise ValueError("Qt could not encode the image as PNG")
    return bytes(data.data())


def export(frame: FigureFrame, options: FigureOptions, path: str | os.PathLike,
           caption: str) -> QSize:
    """Write the figure to `path` (.png or .svg) atomically; returns its size in pixels.
    Raises MatrixFileError (one line naming the file) on any problem."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise MatrixFileError(path, f"cannot export a figure as '{suffix}' (use .png or .svg)")
    try:
        geo = geometry(frame, options)
    except ValueError as error:
        raise MatrixFileError(path, str(error)) from None
    frame.set_texts(options.title, caption)
    if suffix == ".png":
        data = png_bytes(render_image(frame, geo), options.title, caption)
    else:
        data = svg_bytes(frame, geo, options.title, caption)
    atomic_write(path, lambda fh: fh.write(data))
    return geo.pixels


def _match_screen_dpi(image: QImage, frame: QWidget) -> None:
    dots_per_metre = round(frame.logicalDpiY() / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)

