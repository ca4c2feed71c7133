"""Chart geometry for server-rendered SVG (templates/insights/_charts.html draws it).

A small module of our own rather than a charting library: the CSP forbids inline styles
(style-src 'self'), and the SVG libraries for Python (pygal, matplotlib's SVG) write a
<style> element or style attributes into every chart. Here the geometry is numbers in
attributes and every colour is a class in static/css/app.css, so the charts follow the dark
palette like the rest of the page. Coordinates are in viewBox units; the SVG scales to its box.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 400


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str  # the value as a person reads it ("12", "40%")
    href: str | None
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    height: float
    width: int = WIDTH
    bar_height: int = 14
    label_x: float = 0
    value_gap: float = 6

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def bar_chart(items: Sequence[tuple[str, float, str, str | None]], row: int = 38, room: int = 330) -> BarChart:
    """Horizontal bars, one per (label, value, display, href); the label sits above its bar
    so that long names fit on a phone. The longest bar is `room` units long."""
    top = max((value for _, value, _, _ in items), default=0) or 1
    bars = tuple(Bar(label, value, display, href, y=i * row + 18, width=round(max(value, 0) / top * room, 1))
                 for i, (label, value, display, href) in enumerate(items))
    return BarChart(bars, height=len(items) * row + 4)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    label: str  # the x label of this point (a week)
    href: str | None


@dataclass(frozen=True)
class Series:
    key: str  # the CSS class suffix: line-<key>
    label: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    series: tuple[Series, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    left: float
    right: float
    top: float
    bottom: float
    width: int = WIDTH
    height: int = 190
    extra: dict = field(default_factory=dict)


def line_chart(x_labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float], Sequence[str | None]]],
               height: int = 190) -> LineChart:
    """Lines over shared x labels; `series` is (key, label, values, hrefs) each as long as x_labels."""
    left, right, top, bottom = 34.0, WIDTH - 8.0, 8.0, height - 24.0
    peak = max((v for _, _, values, _ in series for v in values), default=0)
    peak = _nice(peak)
    n = len(x_labels)

    def x(i: int) -> float:
        return round(left + (right - left) * (i / (n - 1) if n > 1 else 0.5), 1)

    def y(v: float) -> float:
        return round(bottom - (bottom - top) * (v / peak), 1)

    lines = tuple(Series(key, label, tuple(Point(x(i), y(v), v, x_labels[i], hrefs[i]) for i, v in enumerate(values)))
                  for key, label, values, hrefs in series)
    ticks = sorted({0, n // 2, n - 1}) if n else []
    return LineChart(lines, tuple((x(i), x_labels[i]) for i in ticks),
                     tuple((y(v), _short(v)) for v in (0, peak / 2, peak)), left, right, top, bottom, height=height)


def _nice(peak: float) -> float:
    """A round top for the y axis at or above `peak` (1, 2, 5 x 10^n), at least 1."""
    if peak <= 1:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= peak:
                return m * step
        step *= 10


def _short(v: float) -> str:
    return f"{v:.0f}" if v == int(v) else f"{v:.1f}"
