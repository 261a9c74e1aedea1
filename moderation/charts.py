"""Charts drawn on the server as inline SVG: no script, no inline style (the dashboard's CSP
forbids both). Pure functions from plain series to markup; every text is escaped. Colours come
from classes styled by the dashboard's stylesheet (``currentColor`` when it is missing), so a
chart follows the page's theme.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(a summary in words); the page gives the figures as a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

WIDTH = 640
HEIGHT = 260
LEFT = 64  # room for the value labels
RIGHT = 12
TOP = 34  # room for the heading
BOTTOM = 40  # room for the day labels
LEGEND_ROW = 18
CHAR_WIDTH = 6.6  # an estimate of a 12px character, to lay out the legend


@dataclass(frozen=True)
class Series:
    """One series: ``key`` names its CSS class (``chart-series-<key>``), ``label`` is for people,
    and ``values`` has one value per day (None: nothing to show that day)."""

    key: str
    label: str
    values: Sequence[float | None]


def count_label(value: float) -> str:
    """A count as an axis shows it."""
    return f"{value:g}"


def stacked_bars(
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    *,
    unit: str = "",
) -> Markup:
    """One bar a day, stacked from ``series`` (zeros and Nones draw nothing)."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(days))]
    legend, legend_height = _legend(series, "bar")
    top = TOP + legend_height
    ticks, scale = _ticks(max(totals, default=0), count_label)
    y = _y_of(top, scale)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = slot * 0.64
    bars = []
    for i, day in enumerate(days):
        x = LEFT + slot * i + (slot - bar) / 2
        base = 0.0
        for s in series:
            value = s.values[i] or 0
            if value <= 0:
                continue
            bars.append(
                Markup(
                    '<rect class="chart-bar chart-series-{}" x="{}" y="{}" width="{}" height="{}"'
                    ' fill="currentColor"><title>{}</title></rect>'
                ).format(
                    s.key,
                    _n(x),
                    _n(y(base + value)),
                    _n(bar),
                    _n(y(base) - y(base + value)),
                    f"{day.isoformat()}: {s.label} {count_label(value)}{unit}",
                )
            )
            base += value
    peak = max(range(len(days)), key=lambda i: totals[i], default=None)
    summary = f"{_span(days)}. {count_label(sum(totals))}{unit} in all"
    if peak is not None and totals[peak]:
        summary += f"; the most on {days[peak].isoformat()}: {count_label(totals[peak])}{unit}"
    parts = [
        ", ".join(
            f"{s.label} {count_label(sum(v or 0 for v in s.values))}"
            for s in series
            if any(s.values)
        )
    ]
    summary += f" ({parts[0]})." if parts[0] else "."
    return _svg(
        chart_id,
        title,
        summary,
        "chart-stacked",
        legend_height,
        [legend, _grid(ticks, y, count_label), _day_axis(days, top), *bars],
    )


def line_chart(
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    *,
    value_label: Callable[[float], str] = count_label,
    ticks_for: Callable[[float], tuple[list[float], float]] | None = None,
) -> Markup:
    """One line a series, with a point a day where it has a value (a gap where it has none)."""
    peak = max((v for s in series for v in s.values if v is not None), default=0.0)
    legend, legend_height = _legend(series, "line") if len(series) > 1 else (Markup(""), 0)
    top = TOP + legend_height
    ticks, scale = (ticks_for or (lambda m: _ticks(m, value_label)))(peak)
    y = _y_of(top, scale)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    shapes = []
    for s in series:
        path: list[str] = []
        points = []
        pen_up = True
        for i, value in enumerate(s.values):
            if value is None:
                pen_up = True
                continue
            x, py = LEFT + slot * (i + 0.5), y(value)
            path.append(f"{'M' if pen_up else 'L'}{_n(x)} {_n(py)}")
            pen_up = False
            points.append(
                Markup(
                    '<circle class="chart-point chart-series-{}" cx="{}" cy="{}" r="3.5"'
                    ' fill="currentColor"><title>{}</title></circle>'
                ).format(
                    s.key, _n(x), _n(py), f"{days[i].isoformat()}: {s.label} {value_label(value)}"
                )
            )
        if path:
            shapes.append(
                Markup(
                    '<path class="chart-line chart-series-{}" d="{}" fill="none"'
                    ' stroke="currentColor" stroke-width="2"/>'
                ).format(s.key, " ".join(path))
            )
        shapes.extend(points)
    words = []
    for s in series:
        known = [(days[i], v) for i, v in enumerate(s.values) if v is not None]
        if not known:
            words.append(f"{s.label}: none")
            continue
        high_day, high = max(known, key=lambda dv: dv[1])
        last_day, last = known[-1]
        words.append(
            f"{s.label}: highest {value_label(high)} on {high_day.isoformat()}, "
            f"{value_label(last)} on {last_day.isoformat()}"
        )
    summary = f"{_span(days)}. " + "; ".join(words) + "."
    return _svg(
        chart_id,
        title,
        summary,
        "chart-lines",
        legend_height,
        [legend, _grid(ticks, y, value_label), _day_axis(days, top), *shapes],
    )


def duration_ticks(seconds: float) -> tuple[list[float], float]:
    """Axis ticks in seconds for durations up to ``seconds``, at round numbers of one unit
    (seconds, minutes, hours or days), and the top of the axis."""
    unit = next((size for size in (86400, 3600, 60) if seconds >= 2 * size), 1)
    ticks, top = _ticks(seconds / unit, count_label)
    return [t * unit for t in ticks], top * unit


def duration_label(seconds: float) -> str:
    """A duration in its largest unit, as an axis shows it: "90 s", "45 min", "6 h", "2.5 d"."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


# --- Drawing ---------------------------------------------------------------------------------


def _svg(
    chart_id: str, title: str, summary: str, kind: str, extra: int, parts: list[Markup]
) -> Markup:
    head = Markup(
        '<svg class="chart-svg {}" viewBox="0 0 {} {}" role="img" aria-labelledby="{} {}"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>'
        '<text class="chart-heading" x="0" y="16" fill="currentColor" font-weight="600">{}</text>'
    ).format(
        kind,
        WIDTH,
        HEIGHT + extra,
        f"{chart_id}-title",
        f"{chart_id}-desc",
        f"{chart_id}-title",
        title,
        f"{chart_id}-desc",
        summary,
        title,
    )
    return head + Markup("").join(parts) + Markup("</svg>")


def _legend(series: Sequence[Series], shape: str) -> tuple[Markup, int]:
    """Swatches and labels in rows across the top; returns the markup and its height."""
    items = []
    x, row = float(LEFT), 0
    for s in series:
        width = 18 + len(s.label) * CHAR_WIDTH + 14
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = float(LEFT), row + 1
        y = TOP + row * LEGEND_ROW
        swatch = (
            Markup(
                '<rect class="chart-swatch chart-series-{}" x="{}" y="{}" width="12" height="12"'
                ' fill="currentColor"/>'
            ).format(s.key, _n(x), y)
            if shape == "bar"
            else Markup(
                '<line class="chart-line chart-series-{}" x1="{}" y1="{}" x2="{}" y2="{}"'
                ' stroke="currentColor" stroke-width="3"/>'
            ).format(s.key, _n(x), y + 6, _n(x + 12), y + 6)
        )
        items.append(
            swatch
            + Markup(
                '<text class="chart-legend-label" x="{}" y="{}" fill="currentColor">{}</text>'
            ).format(_n(x + 18), y + 11, s.label)
        )
        x += width
    if not items:
        return Markup(""), 0
    height = (row + 1) * LEGEND_ROW + 6
    return (
        Markup('<g class="chart-legend">') + Markup("").join(items) + Markup("</g>"),
        height,
    )


def _ticks(peak: float, label: Callable[[float], str]) -> tuple[list[float], float]:
    """Four or five round ticks from 0 to at least ``peak``; the axis ends at the last."""
    if peak <= 0:
        return [0.0, 1.0], 1.0
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if label is count_label:
        step = max(step, 1)
    count = math.ceil(peak / step)
    return [step * i for i in range(count + 1)], step * count


def _y_of(top: float, scale: float) -> Callable[[float], float]:
    bottom = HEIGHT - BOTTOM + top - TOP
    height = bottom - top
    return lambda value: bottom - (value / scale) * height if scale else bottom


def _grid(ticks: list[float], y: Callable[[float], float], label: Callable[[float], str]) -> Markup:
    lines = []
    for tick in ticks:
        py = _n(y(tick))
        lines.append(
            Markup(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor"'
                ' stroke-opacity="0.25"/>'
                '<text class="chart-value-label" x="{}" y="{}" text-anchor="end"'
                ' fill="currentColor">{}</text>'
            ).format(LEFT, py, WIDTH - RIGHT, py, LEFT - 6, py, label(tick) if tick else "0")
        )
    return (
        Markup('<g class="chart-axis chart-axis-values">') + Markup("").join(lines) + Markup("</g>")
    )


def _day_axis(days: Sequence[date], top: float) -> Markup:
    """The day of the month under each slot, with the month's name under the first day and the
    first of a month."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    base = HEIGHT - BOTTOM + top - TOP
    labels = [
        Markup(
            '<line class="chart-axis-line" x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor"/>'
        ).format(LEFT, _n(base), WIDTH - RIGHT, _n(base))
    ]
    for i, day in enumerate(days):
        x = _n(LEFT + slot * (i + 0.5))
        labels.append(
            Markup(
                '<text class="chart-day-label" x="{}" y="{}" text-anchor="middle"'
                ' fill="currentColor">{}</text>'
            ).format(x, _n(base + 16), day.day)
        )
        if i == 0 or day.day == 1:
            labels.append(
                Markup(
                    '<text class="chart-month-label" x="{}" y="{}" text-anchor="middle"'
                    ' fill="currentColor">{}</text>'
                ).format(x, _n(base + 31), day.strftime("%b"))
            )
    return (
        Markup('<g class="chart-axis chart-axis-days">') + Markup("").join(labels) + Markup("</g>")
    )


def _span(days: Sequence[date]) -> str:
    if not days:
        return "No days"
    return f"Each day (UTC) from {days[0].isoformat()} to {days[-1].isoformat()}"


def _n(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


__all__ = [
    "Series",
    "count_label",
    "duration_label",
    "duration_ticks",
    "line_chart",
    "stacked_bars",
]
