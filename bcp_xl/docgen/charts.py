"""Charts drawn from the computed results (matplotlib, imported only when a chart is drawn).

Colours are the colour-universal-design set (distinguishable with the common colour vision
deficiencies), every series also has its own hatch or marker and value labels, and the text is near
black on white. Each chart comes with an alternative text that states its numbers. Output is
deterministic: no timestamps in the PNG.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bcp_xl.docgen.render import Chart

# Colour-universal-design palette (CUD v4 / Okabe–Ito): blue, orange, bluish green, vermilion, sky
# blue, reddish purple, yellow, black.
CUD = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
FONT_CANDIDATES = ("BIZ UDPGothic", "IPAexGothic", "Noto Sans CJK JP")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    family = [f for f in FONT_CANDIDATES if f in names] or ["sans-serif"]
    plt.rcParams.update(
        {
            "font.family": family,
            "font.size": 10,
            "axes.edgecolor": "#333333",
            "axes.labelcolor": "#1A1A1A",
            "xtick.color": "#1A1A1A",
            "ytick.color": "#1A1A1A",
            "text.color": "#1A1A1A",
            "hatch.color": "#FFFFFF",
        }
    )
    return plt


def _finish(fig: Any, alt: str, width_mm: float) -> Chart:
    plt = _plt()
    png = io.BytesIO()
    fig.tight_layout()  # one layout pass instead of bbox_inches="tight", which draws the figure twice
    fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
    plt.close(fig)
    return Chart(png.getvalue(), alt, width_mm)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    ylabel: str,
    unit: str,
    stacked: bool = False,
    width_mm: float = 150.0,
) -> Chart:
    """Bars per category, one colour and hatch per series, value labels on the bars."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    n = max(len(series), 1)
    xs = list(range(len(categories)))
    width = 0.8 if stacked else 0.8 / n
    bottoms: list[float] = [0.0] * len(categories)
    for i, (name, values) in enumerate(series):
        if stacked:
            pos: list[float] = [float(x) for x in xs]
        else:
            pos = [x - 0.4 + width * (i + 0.5) for x in xs]
        bars = ax.bar(
            pos,
            values,
            width,
            bottom=bottoms if stacked else None,
            label=name,
            color=CUD[i % len(CUD)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="#333333",
            linewidth=0.5,
        )
        if not stacked:
            ax.bar_label(bars, labels=[_fmt(v) for v in values], fontsize=8, padding=1)
        else:
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    if stacked:
        for x, total in zip(xs, bottoms, strict=True):
            ax.annotate(_fmt(total), (x, total), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, list(categories))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=8)
    parts = []
    for name, values in series:
        cells = "、".join(f"{c} {_fmt(v)}{unit}" for c, v in zip(categories, values, strict=True))
        parts.append(f"{name}: {cells}" if len(series) > 1 else cells)
    alt = f"{title}({'。'.join(parts)})"
    return _finish(fig, alt, width_mm)


def lines(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    ylabel: str,
    unit: str,
    percent: bool = False,
    width_mm: float = 150.0,
) -> Chart:
    """Lines over ordered categories (time bands), one colour and marker per series, value labels."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    xs = list(range(len(categories)))
    for i, (name, values) in enumerate(series):
        shown = [v * 100 for v in values] if percent else list(values)
        ax.plot(xs, shown, marker=MARKERS[i % len(MARKERS)], color=CUD[i % len(CUD)], label=name, linewidth=2)
        for x, v in zip(xs, shown, strict=True):
            ax.annotate(_fmt(v), (x, v), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=8)
    ax.set_xticks(xs, list(categories))
    ax.set_ylabel(ylabel)
    if percent:
        ax.set_ylim(0, 105)
    ax.set_title(title)
    ax.grid(axis="y", color="#DDDDDD")
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=8)
    parts = []
    for name, values in series:
        shown = [v * 100 for v in values] if percent else list(values)
        cells = "、".join(f"{c} {_fmt(v)}{unit}" for c, v in zip(categories, shown, strict=True))
        parts.append(f"{name}: {cells}")
    return _finish(fig, f"{title}({'。'.join(parts)})", width_mm)


def heat_map(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    unit: str,
    width_mm: float = 160.0,
) -> Chart:
    """A grid of values (e.g. gap hours per system and scenario), numbers written in every cell."""
    plt = _plt()
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("cud_heat", ["#FFFFFF", "#F0E442", "#E69F00", "#D55E00"])
    height = max(2.5, 0.32 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(7.2, height))
    top = max((max(r) for r in values if r), default=0.0) or 1.0
    ax.imshow([list(r) for r in values], cmap=cmap, vmin=0, vmax=top, aspect="auto")
    ax.set_xticks(range(len(columns)), list(columns), rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), list(rows), fontsize=8)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, _fmt(v), ha="center", va="center", fontsize=7, color="#000000")
    ax.set_title(title)
    cells = []
    for name, row in zip(rows, values, strict=True):
        hits = [f"{c} {_fmt(v)}{unit}" for c, v in zip(columns, row, strict=True) if v > 0]
        cells.append(f"{name}: {'、'.join(hits) if hits else 'なし'}")
    return _finish(fig, f"{title}({'。'.join(cells)})", width_mm)


def _md(day: dt.date) -> str:
    return f"{day.year}/{day.month}/{day.day}"


def s_curve(
    title: str,
    days: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    status_date: dt.date | None = None,
    marks: Sequence[dt.date] = (),
    ylabel: str = "累計工数(人日)",
    unit: str = "人日",
    width_mm: float = 160.0,
) -> Chart:
    """Cumulative curves over dates (planned value and earned value), one colour, line style and marker
    per series, a dotted line at the status date with the values there written on the chart. The
    alternative text states each series' value on the ``marks`` days, the status date and the last day."""
    plt = _plt()
    import matplotlib.dates as _mdates

    mdates: Any = _mdates

    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    styles = ("-", "--", "-.", ":")
    step = max(1, len(days) // 12)
    for i, (name, values) in enumerate(series):
        xs = [d for d, v in zip(days, values, strict=True) if v is not None]
        ys = [float(v) for v in values if v is not None]
        if not xs:
            continue
        ax.plot(
            xs,
            ys,
            color=CUD[i % len(CUD)],
            linestyle=styles[i % len(styles)],
            marker=MARKERS[i % len(MARKERS)],
            markevery=step,
            markersize=4,
            linewidth=2,
            label=name,
        )
        ax.annotate(_fmt(ys[-1]), (xs[-1], ys[-1]), textcoords="offset points", xytext=(4, 4 - 12 * i), fontsize=8)
    if status_date is not None:
        ax.axvline(status_date, color="#000000", linestyle=":", linewidth=1)
        ax.annotate(
            f"基準日 {status_date.month}/{status_date.day}",
            (status_date, 0),
            textcoords="offset points",
            xytext=(3, 3),
            fontsize=8,
        )
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y/%m"))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(axis="y", color="#DDDDDD")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.autofmt_xdate()
    wanted = set(marks)
    if status_date is not None:
        wanted.add(status_date)
    if days:
        wanted.add(days[-1])
    parts = []
    for name, values in series:
        cells = [
            f"{_md(d)} {_fmt(float(v))}{unit}"
            for d, v in zip(days, values, strict=True)
            if d in wanted and v is not None
        ]
        parts.append(f"{name}: {'、'.join(cells) if cells else 'なし'}")
    span = f"{_md(days[0])}〜{_md(days[-1])}、週ごと。" if days else ""
    return _finish(fig, f"{title}({span}{'。'.join(parts)})", width_mm)


@dataclass(frozen=True)
class GanttBar:
    """One row of a Gantt chart: planned span, share done, late flag, summary (parent) row."""

    label: str
    start: dt.date
    finish: dt.date
    progress: float | None = None  # 0–1
    late: bool = False
    summary: bool = False


def gantt(
    title: str,
    bars: Sequence[GanttBar],
    *,
    status_date: dt.date | None = None,
    width_mm: float = 170.0,
) -> Chart:
    """Horizontal bars over dates: the planned span (light, outlined), the share done (dark), late
    rows hatched in vermilion, summary rows as thin black bars; the share written after each bar and a
    dotted line at the status date. The alternative text lists every row with its dates and share."""
    plt = _plt()
    import matplotlib.dates as _mdates

    mdates: Any = _mdates
    from matplotlib.patches import Patch

    n = max(len(bars), 1)
    fig, ax = plt.subplots(figsize=(7.2, 0.2 * n + 1.3))
    one = dt.timedelta(days=1)
    for y, b in enumerate(bars):
        left = mdates.date2num(b.start)
        span = mdates.date2num(b.finish + one) - left
        if b.summary:
            ax.barh(y, span, left=left, height=0.3, color="#000000")
        else:
            ax.barh(
                y,
                span,
                left=left,
                height=0.6,
                color="#F4C7AB" if b.late else CUD[4],
                edgecolor=CUD[3] if b.late else "#333333",
                hatch="xxx" if b.late else "",
                linewidth=0.8,
            )
            if b.progress:
                ax.barh(y, span * min(b.progress, 1.0), left=left, height=0.6, color=CUD[0], linewidth=0)
        if b.progress is not None:
            ax.text(left + span, y, f" {b.progress * 100:.0f}%", va="center", fontsize=6)
    if status_date is not None:
        ax.axvline(mdates.date2num(status_date), color="#000000", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(bars)), [b.label for b in bars], fontsize=6)
    ax.set_ylim(len(bars) - 0.5, -0.5)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y/%m"))
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#DDDDDD")
    ax.set_axisbelow(True)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [
        Patch(facecolor=CUD[4], edgecolor="#333333", label="予定期間"),
        Patch(facecolor=CUD[0], label="進捗"),
        Patch(facecolor="#F4C7AB", edgecolor=CUD[3], hatch="xxx", label="遅延"),
        Patch(facecolor="#000000", label="上位項目"),
    ]
    ax.legend(handles=handles, frameon=True, fontsize=7, loc="lower left", ncol=2)
    fig.autofmt_xdate()
    rows = []
    for b in bars:
        share = "" if b.progress is None else f"、進捗{b.progress * 100:.0f}%"
        rows.append(f"{b.label} {_md(b.start)}〜{_md(b.finish)}{share}{'、遅延' if b.late else ''}")
    head = f"基準日 {_md(status_date)}。" if status_date is not None else ""
    return _finish(fig, f"{title}({head}{'。'.join(rows)})", width_mm)
