"""Small server-side SVG charts (no chart library, no script): bars by day, horizontal bars.

Every label is escaped; each bar has a ``<title>`` (the browser's tooltip) with its figure.
Colours come from classes styled in static/admin.css.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _nice_max(value: int) -> int:
    """A round upper bound of the axis (1, 2, 5 × 10ⁿ)."""
    if value <= 5:
        return 5
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step * 5:
                return m * step * 5
        step *= 10


def stacked_bars(
    label: str,
    columns: Sequence[tuple[str, dict[str, int]]],
    series: Sequence[tuple[str, str]],  # (key, name); the CSS class is bar-<key>
    width: int = 960,
    height: int = 260,
) -> Markup:
    """One stacked bar per column (e.g. per day), series stacked bottom-up."""
    left, right, top, bottom = 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((sum(v.values()) for _, v in columns), default=0))
    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
    ]
    for tick in (0, peak // 2, peak):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    n = max(1, len(columns))
    slot = plot_w / n
    bar = max(1.0, slot * 0.7)
    every = max(1, n // 10)  # at most ~10 labels under the axis
    for i, (name, values) in enumerate(columns):
        x = left + i * slot + (slot - bar) / 2
        y = float(top + plot_h)
        for key, title in series:
            value = values.get(key, 0)
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            body.append(
                f'<rect class="bar-{escape(key)}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                f"<title>{escape(name)} {escape(title)}：{value}</title></rect>"
            )
        if i % every == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(name)}</text>'
            )
    return _svg(width, height, label, body)


def horizontal_bars(label: str, rows: Sequence[tuple[str, int]], width: int = 460, row_height: int = 22) -> Markup:
    """One bar per row, largest first as given; the figure after each bar."""
    label_w, figure_w = 170, 50
    height = max(1, len(rows)) * row_height + 10
    peak = max((v for _, v in rows), default=0) or 1
    body = []
    for i, (name, value) in enumerate(rows):
        y = 5 + i * row_height
        w = (width - label_w - figure_w) * value / peak
        short = name if len(name) <= 12 else name[:11] + "…"
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_height - 6}">'
            f"<title>{escape(name)}：{value}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{value}</text>'
        )
    if not rows:
        body.append(f'<text x="10" y="{row_height - 6}">（无数据）</text>')
    return _svg(width, height, label, body)
