"""Charts as small SVG drawn on the server: no script, no style attribute (the Content-Security-Policy allows
neither), presentation attributes only. Each chart is an image with a text title and description; every page
that shows one shows its figures in a table too, which is what a screen reader reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

INK = "#0b0c0c"
BAR = "#1d70b8"
ALT = "#d4351c"
GRID = "#b1b4b6"


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")


def bars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str = "",
    width: int = 640,
    second: Sequence[float] | None = None,
) -> Markup:
    """Horizontal bars, one per item (label, value); ``second`` draws a thinner bar under each (say, upheld
    under filed)."""
    row = 34
    label_width = 230
    height = max(row * len(items) + 10, 40)
    top = max([v for _, v in items] + list(second or []) + [1])
    scale = (width - label_width - 70) / top
    body = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        shown = label if len(label) <= 34 else label[:33] + "…"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="{INK}">'
            f"{escape(shown)}</text>"
        )
        body.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{max(value * scale, 1):.1f}" height="16" fill="{BAR}"/>'
        )
        body.append(
            f'<text x="{label_width + value * scale + 6:.1f}" y="{y + 17}" font-size="13" fill="{INK}">'
            f"{escape(_plain(value))}</text>"
        )
        if second is not None:
            other = second[i]
            body.append(
                f'<rect x="{label_width}" y="{y + 22}" width="{max(other * scale, 1):.1f}" height="6" fill="{ALT}"/>'
            )
    return _svg(width, height, title, description, body)


def steps(
    points: Sequence[tuple[date, float]],
    *,
    title: str,
    description: str = "",
    width: int = 640,
    height: int = 220,
    lines: Sequence[tuple[float, str]] = (),
) -> Markup:
    """A value over time as a step line (a score that changes on the day a record starts or stops counting);
    ``lines`` are labelled horizontal guides (grade thresholds)."""
    if not points:
        return _svg(width, 40, title, description, [])
    left, right, top_pad, bottom_pad = 60, 20, 15, 30
    days = [p[0].toordinal() for p in points]
    values = [p[1] for p in points] + [v for v, _ in lines]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 10, hi + 10
    span_days = max(days[-1] - days[0], 1)

    def x(day: int) -> float:
        return left + (day - days[0]) / span_days * (width - left - right)

    def y(value: float) -> float:
        return top_pad + (hi - value) / (hi - lo) * (height - top_pad - bottom_pad)

    body = []
    for value, label in lines:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{GRID}" '
            f'stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    path = [f"M{x(days[0]):.1f},{y(points[0][1]):.1f}"]
    for i in range(1, len(points)):
        previous, value = points[i - 1][1], points[i][1]
        path.append(f"L{x(days[i]):.1f},{y(previous):.1f}L{x(days[i]):.1f},{y(value):.1f}")
    body.append(f'<path d="{"".join(path)}" fill="none" stroke="{BAR}" stroke-width="2.5"/>')
    for day, (_, value) in zip(days, points, strict=True):
        body.append(f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="3" fill="{BAR}"/>')
    body.append(f'<text x="{left}" y="{height - 8}" font-size="11" fill="{INK}">{points[0][0].isoformat()}</text>')
    body.append(
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="11" fill="{INK}">'
        f"{points[-1][0].isoformat()}</text>"
    )
    return _svg(width, height, title, description, body)


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
