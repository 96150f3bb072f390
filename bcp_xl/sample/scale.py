"""How big a sample ward is: the scale table of ``quality.md``, interpolated for a number of tasks."""

from __future__ import annotations

from dataclasses import dataclass

MEGURO_TASKS = 1_500
LARGE_TASKS = 20_000
MIN_UNITS = 58  # the 課 of the vocabulary: never fewer than the meguro organisation


@dataclass(frozen=True)
class Scale:
    """Target sizes of one sample; the generator gets close to them, not always exactly."""

    label: str
    tasks: int
    units: int  # 課-level units (the 本部 and 部 rows come on top)
    systems: int
    links: int
    staff_groups: int
    staff_total: int
    steps: int
    scenarios: int
    measures: int
    comments: int


def parse_scale(scale: str | int) -> Scale:
    """``meguro``, ``large`` or a number of tasks (``"3000"`` or 3000)."""
    text = str(scale).strip().lower()
    if text == "meguro":
        return _scale("meguro", MEGURO_TASKS)
    if text == "large":
        return _scale("large", LARGE_TASKS)
    try:
        n = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"scale は meguro、large または業務数(整数)で指定してください(入力値: {scale!r})") from None
    if n < 1:
        raise ValueError(f"業務数は1以上で指定してください(入力値: {n})")
    return _scale(str(n), n)


def _scale(label: str, n: int) -> Scale:
    # t runs from 0 at the meguro size to 1 at the large size; per-task ratios move between the two rows
    t = min(1.0, max(0.0, (n - MEGURO_TASKS) / (LARGE_TASKS - MEGURO_TASKS)))
    units = max(MIN_UNITS, round(n / 100))
    return Scale(
        label=label,
        tasks=n,
        units=units,
        systems=max(81, round(n / 40)),
        links=round(n * (2 + t)),
        staff_groups=max(units * 4, round(n * (0.2 - 0.05 * t))),
        staff_total=round(2_000 * max(units / MIN_UNITS, n / MEGURO_TASKS / 2)),
        steps=max(300, round(n * (0.267 - 0.017 * t))),
        scenarios=8 + round(12 * t),
        measures=max(40, round(n * 0.015)),
        comments=40 + round(60 * t),
    )
