"""The report's charts: matplotlib (Agg, no display needed) drawing PNG bytes of a known size.

Suppressed values (fewer than 3) arrive as None: they are drawn as an empty bar marked "<3", so a
chart never shows what the tables hide. Colours differ in lightness too, so a chart printed in
black and white still reads.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DPI = 100
WIDTH = 8.0  # inches: 800 pixels at DPI
HEIGHT = 3.4
BAR_HEIGHT = 0.3  # inches per bar in horizontal charts
MIN_HORIZONTAL = 1.5
COLOURS = ("#1f4e79", "#f0a35e", "#9bc3e6")
MAX_LABEL = 38
_LOCK = threading.Lock()  # matplotlib's caches are not made for several threads drawing at once


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int | None]  # None: fewer than 3, not shown


@dataclass(frozen=True)
class Png:
    data: bytes
    width: int
    height: int


def bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    small: str = "<3",
    ylabel: str = "",
) -> Png:
    """A bar chart (grouped or stacked; vertical, or horizontal for long labels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    height = max(MIN_HORIZONTAL, 0.7 + BAR_HEIGHT * len(labels)) if horizontal else HEIGHT
    with _LOCK:
        figure = Figure(figsize=(WIDTH, height), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        count = len(series)
        width = 0.8 if stacked else 0.8 / max(count, 1)
        bottoms = [0] * len(labels)
        top = max((sum(v or 0 for v in column) for column in zip(*(s.values for s in series), strict=True)), default=0)
        for index, one in enumerate(series):
            values = [v or 0 for v in one.values]
            offsets = [p if stacked else p - 0.4 + width * (index + 0.5) for p in positions]
            draw = axes.barh if horizontal else axes.bar
            kwargs: dict[str, Any] = {"left" if horizontal else "bottom": bottoms} if stacked else {}
            draw(offsets, values, width, label=one.label, color=COLOURS[index % len(COLOURS)], **kwargs)
            for offset, value, base in zip(offsets, one.values, bottoms, strict=True):
                if value is None:  # mark the hidden small count where the bar would be
                    at = (base + top * 0.01, offset) if horizontal else (offset, base + top * 0.01)
                    axes.annotate(small, at, ha="left" if horizontal else "center", va="center", fontsize=7)
            if stacked:
                bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        shown = [_short(label) for label in labels]
        if horizontal:
            axes.set_yticks(positions, shown, fontsize=8)
            axes.invert_yaxis()
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            axes.set_xticks(positions, shown, fontsize=7, rotation=60 if len(labels) > 8 else 0, ha="right")
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            if ylabel:
                axes.set_ylabel(ylabel, fontsize=8)
        axes.tick_params(labelsize=7)
        axes.spines[["top", "right"]].set_visible(False)
        if count > 1:
            axes.legend(fontsize=8, frameon=False, ncols=count, loc="lower left", bbox_to_anchor=(0, 1))
        figure.set_layout_engine("constrained")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return Png(buffer.getvalue(), round(WIDTH * DPI), round(height * DPI))


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
