"""Ward calendar, rule R1 (区の休日と開庁日).

A day is closed (区の休日) when it is a Saturday or Sunday, a national holiday
(国民の祝日・振替休日・国民の休日 and the one-off holidays set by special law),
within the year-end closure 12/29-1/3, or listed in ■区の休日追加. Every other
day is a business day (開庁日). 10月1日 (目黒区区民の日) is a business day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from types import MappingProxyType
from typing import Final

import jpholiday
import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DEFAULT_CALENDAR",
    "EXTRA_CLOSED",
    "SATURDAY",
    "SUBSTITUTE_HOLIDAY",
    "SUNDAY",
    "YEAR_END",
    "WardCalendar",
    "add_business_days",
    "business_days_between",
    "closed_reason",
    "holiday_library_version",
    "is_business_day",
    "next_business_day",
]

SATURDAY: Final = "土曜日"
SUNDAY: Final = "日曜日"
YEAR_END: Final = "年末年始(12月29日〜1月3日)"
EXTRA_CLOSED: Final = "区の休日追加"
SUBSTITUTE_HOLIDAY: Final = "振替休日"

_SATURDAY: Final = 5  # date.weekday()
_SUNDAY: Final = 6
_YEAR_END_FROM: Final = (12, 29)  # (month, day)
_YEAR_END_TO: Final = (1, 3)
_EPOCH_ORDINAL: Final = dt.date(1970, 1, 1).toordinal()
_NAT_DAY: Final = np.iinfo(np.int64).min  # int64 value of NaT

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def holiday_library_version() -> str:
    """Name and version of the holiday library, for 計算_実行情報."""
    return f"jpholiday {version('jpholiday')}"


@cache
def _national_holidays(year: int) -> Mapping[dt.date, str]:
    """National holidays of one year with their names (cached: jpholiday is slow)."""
    # jpholiday 1.0.3 already covers the one-off holidays (2019-05-01 天皇の即位の日,
    # 2019-10-22 即位礼正殿の儀), 国民の休日 (2019-04-30, 2019-05-02, 2026-09-22)
    # and the moved Olympic holidays of 2020/2021, so nothing is added by hand.
    # tests/test_calendar.py checks every day of 2016-2030 against the Cabinet
    # Office list (tests/data/national_holidays_2016_2030.csv).
    return MappingProxyType({day: _holiday_name(name) for day, name in jpholiday.year_holidays(year)})


def _holiday_name(name: str) -> str:
    """Ward name of a holiday: jpholiday's '<holiday> 振替休日' becomes 振替休日."""
    return SUBSTITUTE_HOLIDAY if name.endswith(SUBSTITUTE_HOLIDAY) else name


def _as_date(value: dt.date) -> dt.date:
    """The calendar date of a date, datetime or pandas Timestamp."""
    if not isinstance(value, dt.date) or pd.isna(value):
        raise TypeError(f"a date is required, got {value!r}")
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (numpy's datetime64[D] count)."""
    return day.toordinal() - _EPOCH_ORDINAL


def _from_day_number(number: int) -> dt.date:
    return dt.date.fromordinal(number + _EPOCH_ORDINAL)


def _is_year_end(day: dt.date) -> bool:
    """True from 12/29 to 1/3 (年末年始)."""
    month_day = (day.month, day.day)
    return month_day >= _YEAR_END_FROM or month_day <= _YEAR_END_TO


def _normalise_extra(
    extra_closed: Mapping[dt.date, str] | Iterable[dt.date],
) -> dict[dt.date, str]:
    if isinstance(extra_closed, Mapping):
        return {
            _as_date(day): (reason.strip() if isinstance(reason, str) and reason.strip() else EXTRA_CLOSED)
            for day, reason in extra_closed.items()
        }
    return {_as_date(day): EXTRA_CLOSED for day in extra_closed}


@dataclass(frozen=True, init=False)
class WardCalendar:
    """The ward's calendar: national holidays, year-end closure and extra closed days.

    ``extra_closed`` are the days of ■区の休日追加, either a mapping from date to
    reason (理由) or plain dates (reason '区の休日追加').
    """

    _extra: tuple[tuple[dt.date, str], ...]
    _extra_map: Mapping[dt.date, str] = field(repr=False, compare=False, hash=False)
    _open_by_year: dict[int, BoolArray] = field(repr=False, compare=False, hash=False)

    def __init__(self, extra_closed: Mapping[dt.date, str] | Iterable[dt.date] = ()) -> None:
        extra = _normalise_extra(extra_closed)
        object.__setattr__(self, "_extra", tuple(sorted(extra.items())))
        object.__setattr__(self, "_extra_map", MappingProxyType(extra))
        object.__setattr__(self, "_open_by_year", {})

    def __repr__(self) -> str:
        return f"WardCalendar(extra_closed={dict(self._extra)!r})"

    @property
    def extra_closed(self) -> Mapping[dt.date, str]:
        """The extra closed days (■区の休日追加) with their reasons."""
        return self._extra_map

    # -- one day -----------------------------------------------------------

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the ward is closed on ``day`` (Japanese), or None on a business day.

        When several reasons apply, the first of: holiday name, 年末年始,
        土曜日/日曜日, the extra day's reason.
        """
        day = _as_date(day)
        name = _national_holidays(day.year).get(day)
        if name is not None:
            return name
        if _is_year_end(day):
            return YEAR_END
        weekday = day.weekday()
        if weekday == _SATURDAY:
            return SATURDAY
        if weekday == _SUNDAY:
            return SUNDAY
        return self._extra_map.get(day)

    def is_business_day(self, day: dt.date) -> bool:
        """True on a business day (開庁日)."""
        return self.closed_reason(day) is None

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th business day after ``day`` (n ≥ 1); ``day`` itself never counts."""
        _check_steps(n)
        current = _as_date(day)
        remaining = n
        while remaining:
            current += dt.timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a business day, else the first business day after it."""
        current = _as_date(day)
        while not self.is_business_day(current):
            current += dt.timedelta(days=1)
        return current

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in [start, end], both ends included (0 if end < start)."""
        first, last = _day_number(_as_date(start)), _day_number(_as_date(end))
        if last < first:
            return 0
        return int(np.count_nonzero(self._open_table(first, last)))

    # -- pandas columns ----------------------------------------------------

    def is_business_day_series(self, dates: pd.Series) -> pd.Series[bool]:
        """Column form of is_business_day; a missing date (NaT/None) gives False."""
        days, valid, _ = _day_numbers(dates)
        result = np.zeros(len(days), dtype=np.bool_)
        if valid.any():
            known = days[valid]
            first = int(known.min())
            table = self._open_table(first, int(known.max()))
            result[valid] = table[known - first]
        return pd.Series(result, index=dates.index, name=dates.name, dtype=bool)

    def add_business_days_series(self, dates: pd.Series, n: int | pd.Series) -> pd.Series:
        """Column form of add_business_days; NaT/None (or a missing n) gives NaT."""
        days, valid, dtype = _day_numbers(dates)
        steps, steps_valid = _steps_array(n, dates)
        ok = valid & steps_valid
        result = np.full(len(days), _NAT_DAY, dtype=np.int64)
        result[ok] = self._shift(days[ok], steps[ok])
        return _as_series(result, dates, dtype)

    def next_business_day_series(self, dates: pd.Series) -> pd.Series:
        """Column form of next_business_day; NaT/None stays NaT."""
        days, valid, dtype = _day_numbers(dates)
        result = np.full(len(days), _NAT_DAY, dtype=np.int64)
        known = days[valid]
        # The first business day on or after d is the first one after d - 1.
        result[valid] = self._shift(known - 1, np.ones(len(known), dtype=np.int64))
        return _as_series(result, dates, dtype)

    # -- internals ---------------------------------------------------------

    def _open_in_year(self, year: int) -> BoolArray:
        """Business-day flags for every day of ``year`` (cached per calendar)."""
        cached = self._open_by_year.get(year)
        if cached is not None:
            return cached
        start = dt.date(year, 1, 1)
        length = (dt.date(year + 1, 1, 1) - start).days
        weekdays = (np.arange(length) + start.weekday()) % 7
        is_open: BoolArray = weekdays < _SATURDAY
        is_open[:3] = False  # 1/1 to 1/3
        is_open[-3:] = False  # 12/29 to 12/31
        for day in _national_holidays(year):
            is_open[(day - start).days] = False
        for day in self._extra_map:
            if day.year == year:
                is_open[(day - start).days] = False
        is_open.setflags(write=False)
        self._open_by_year[year] = is_open
        return is_open

    def _open_table(self, first: int, last: int) -> BoolArray:
        """Business-day flags for day numbers first..last (days since 1970-01-01)."""
        first_year = _from_day_number(first).year
        last_year = _from_day_number(last).year
        years = [self._open_in_year(y) for y in range(first_year, last_year + 1)]
        table = years[0] if len(years) == 1 else np.concatenate(years)
        offset = first - _day_number(dt.date(first_year, 1, 1))
        return table[offset : offset + last - first + 1]

    def _shift(self, days: IntArray, steps: IntArray) -> IntArray:
        """Day numbers of the steps-th business day after each of ``days``.

        One table of business days over the span of the data, its running
        count, and a binary search per row: O(rows · log days + days).
        """
        if len(days) == 0:
            return np.empty(0, dtype=np.int64)
        first = int(days.min())
        last = int(days.max()) + 2 * int(steps.max()) + 31
        while True:
            count = np.cumsum(self._open_table(first, last), dtype=np.int64)
            # count[i] = business days in [first, first + i]
            target = count[days - first] + steps
            if int(target.max()) <= int(count[-1]):
                break
            last += (last - first) + 31  # too many closed days in the span: widen it
        found = np.searchsorted(count, target, side="left")
        return (first + found).astype(np.int64)


def _check_steps(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer ≥ 1, got {n!r}")


def _day_numbers(
    dates: pd.Series,
) -> tuple[IntArray, BoolArray, np.dtype[np.datetime64]]:
    """Day numbers of a date column, the mask of known dates, and the output dtype."""
    stamps = pd.to_datetime(dates)
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)  # keep the local calendar date
    values = stamps.to_numpy()
    if not np.issubdtype(values.dtype, np.datetime64):
        raise TypeError(f"a column of dates is required, got dtype {values.dtype}")
    valid: BoolArray = ~np.isnat(values)
    days: IntArray = values.astype("datetime64[D]").astype(np.int64)
    return days, valid, values.dtype


def _steps_array(n: int | pd.Series, dates: pd.Series) -> tuple[IntArray, BoolArray]:
    """n per row as integers, and the mask of rows where n is given."""
    if not isinstance(n, pd.Series):
        _check_steps(n)
        return (
            np.full(len(dates), int(n), dtype=np.int64),
            np.ones(len(dates), dtype=np.bool_),
        )
    if not n.index.equals(dates.index):
        n = n.reindex(dates.index)
    raw = pd.to_numeric(n, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    given: BoolArray = ~np.isnan(raw)
    bad = given & ((raw < 1) | (raw != np.floor(raw)))
    if bad.any():
        raise ValueError(f"n must be an integer ≥ 1, got {raw[bad][0]!r}")
    steps: IntArray = np.where(given, raw, 0).astype(np.int64)
    return steps, given


def _as_series(days: IntArray, like: pd.Series, dtype: np.dtype[np.datetime64]) -> pd.Series:
    values = days.astype("datetime64[D]").astype(dtype)
    return pd.Series(values, index=like.index, name=like.name)


DEFAULT_CALENDAR: Final = WardCalendar()
"""The ward calendar without extra closed days."""


def closed_reason(day: dt.date) -> str | None:
    """Why the ward is closed on ``day`` (default calendar), or None."""
    return DEFAULT_CALENDAR.closed_reason(day)


def is_business_day(day: dt.date) -> bool:
    """True on a business day of the default calendar."""
    return DEFAULT_CALENDAR.is_business_day(day)


def add_business_days(day: dt.date, n: int) -> dt.date:
    """The n-th business day after ``day`` on the default calendar (n ≥ 1)."""
    return DEFAULT_CALENDAR.add_business_days(day, n)


def next_business_day(day: dt.date) -> dt.date:
    """``day`` or the first business day after it, on the default calendar."""
    return DEFAULT_CALENDAR.next_business_day(day)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days in [start, end] on the default calendar (0 if end < start)."""
    return DEFAULT_CALENDAR.business_days_between(start, end)
