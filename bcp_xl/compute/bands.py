"""The time bands of workbooks.md §2.5: fixed codes, default labels and upper bounds.

Kept apart from :mod:`bcp_xl.compute.base` so that the contract can use them without importing pandas.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    """A time band: fixed code, label from ■時間区分, upper bound in hours (None for X)."""

    code: str
    label: str
    short: str | None
    hours: float | None
    family_share: float = 0.0


DEFAULT_BANDS: tuple[Band, ...] = (
    Band("H0", "発災直後・継続", None, 0.0),
    Band("H3", "3時間以内", "3時間", 3.0),
    Band("D1", "1日以内", "1日", 24.0),
    Band("D3", "3日以内", "3日", 72.0),
    Band("W1", "1週間以内", "1週間", 168.0),
    Band("W2", "2週間以内", "2週間", 336.0),
    Band("M1", "1か月以内", "1か月", 720.0),
    Band("X", "1か月超・対象外", None, None),
)
TIMED = ("H3", "D1", "D3", "W1", "W2", "M1")  # b1…b6

__all__ = ["DEFAULT_BANDS", "TIMED", "Band"]
