"""Tests of rule R1, the ward calendar (区の休日と開庁日).

The oracle tests/data/national_holidays_2016_2030.csv was written out by hand
from the Cabinet Office list (内閣府「国民の祝日について」) and the rules of
国民の祝日に関する法律 and the special laws of 2019-2021; Python's datetime was
used only to look up weekdays. It is independent of jpholiday and of bcp_xl.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import jpholiday
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute import calendar as cal
from bcp_xl.compute.calendar import (
    DEFAULT_CALENDAR,
    SUBSTITUTE_HOLIDAY,
    YEAR_END,
    WardCalendar,
    add_business_days,
    business_days_between,
    closed_reason,
    holiday_library_version,
    is_business_day,
    next_business_day,
)

ORACLE = Path(__file__).parent / "data" / "national_holidays_2016_2030.csv"
D = dt.date
ONE_DAY = dt.timedelta(days=1)


def _oracle() -> dict[dt.date, str]:
    with ORACLE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    holidays = {dt.date.fromisoformat(r["date"]): r["name"] for r in rows}
    assert len(holidays) == len(rows), "duplicate date in the oracle"
    return holidays


def _year_end(d: dt.date) -> bool:
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


# -- worked examples of R1 (calculations.md) ------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 12, 26), 5, D(2026, 1, 9)),
        (D(2026, 9, 18), 5, D(2026, 9, 30)),
        (D(2026, 5, 1), 5, D(2026, 5, 13)),
        (D(2026, 12, 25), 5, D(2027, 1, 7)),
        (D(2027, 1, 2), 5, D(2027, 1, 8)),
        (D(2026, 9, 30), 1, D(2026, 10, 1)),
    ],
)
def test_add_business_days_examples(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_business_days(start, n) == expected
    assert DEFAULT_CALENDAR.add_business_days(start, n) == expected


def test_next_business_day_example() -> None:
    assert next_business_day(D(2026, 12, 29)) == D(2027, 1, 4)


def test_2019_05_01_is_closed() -> None:
    assert is_business_day(D(2019, 5, 1)) is False


def test_ec34() -> None:
    assert is_business_day(D(2026, 10, 1))
    assert not is_business_day(D(2019, 5, 1))
    assert not is_business_day(D(2026, 5, 6))
    assert closed_reason(D(2026, 5, 6)) == SUBSTITUTE_HOLIDAY


def test_ec36_due_date_on_year_end_is_rolled() -> None:
    assert closed_reason(D(2026, 12, 29)) == YEAR_END
    assert next_business_day(D(2026, 12, 29)) == D(2027, 1, 4)
    due = pd.Series([pd.Timestamp(2026, 12, 29)])
    assert DEFAULT_CALENDAR.next_business_day_series(due).iloc[0] == pd.Timestamp(2027, 1, 4)


@pytest.mark.parametrize("year", range(2016, 2041))
def test_kumin_no_hi_is_open_on_weekdays(year: int) -> None:
    day = D(year, 10, 1)
    if day.weekday() < 5:
        assert is_business_day(day), f"{day} (区民の日) must be open"
        assert closed_reason(day) is None


@pytest.mark.parametrize("day", [D(2026, 5, 6), D(2024, 9, 23), D(2025, 11, 24), D(2030, 11, 4)])
def test_substitute_holiday_is_closed(day: dt.date) -> None:
    assert day.weekday() < 5
    assert not is_business_day(day)
    assert closed_reason(day) == "振替休日"


def test_closed_reasons() -> None:
    assert closed_reason(D(2026, 9, 21)) == "敬老の日"
    assert closed_reason(D(2026, 9, 22)) == "国民の休日"
    assert closed_reason(D(2026, 6, 6)) == "土曜日"
    assert closed_reason(D(2026, 6, 7)) == "日曜日"
    assert closed_reason(D(2026, 5, 3)) == "憲法記念日"  # a Sunday: the holiday wins
    assert closed_reason(D(2027, 1, 1)) == "元日"
    assert closed_reason(D(2027, 1, 2)) == "年末年始(12月29日〜1月3日)"
    assert closed_reason(D(2019, 10, 22)) == "即位礼正殿の儀"
    assert closed_reason(D(2026, 6, 8)) is None


def test_scalar_inputs() -> None:
    assert is_business_day(dt.datetime(2026, 10, 1, 23, 59))
    assert add_business_days(pd.Timestamp("2026-09-30 08:00"), 1) == D(2026, 10, 1)
    with pytest.raises(TypeError):
        is_business_day(pd.NaT)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, -1, True, 1.5])
def test_add_business_days_rejects_bad_n(n: int) -> None:
    with pytest.raises(ValueError, match="n must be"):
        add_business_days(D(2026, 6, 1), n)
    with pytest.raises(ValueError, match="n must be"):
        DEFAULT_CALENDAR.add_business_days_series(pd.Series([D(2026, 6, 1)]), n)


def test_holiday_library_version() -> None:
    assert holiday_library_version().startswith("jpholiday ")
    assert holiday_library_version().split()[1][0].isdigit()


# -- extra closed days (■区の休日追加) -------------------------------------


def test_extra_closed_day_with_reason() -> None:
    ward = WardCalendar({D(2026, 6, 3): "庁舎電気設備点検"})
    assert not ward.is_business_day(D(2026, 6, 3))
    assert ward.closed_reason(D(2026, 6, 3)) == "庁舎電気設備点検"
    assert ward.add_business_days(D(2026, 6, 2), 1) == D(2026, 6, 4)
    assert ward.next_business_day(D(2026, 6, 3)) == D(2026, 6, 4)
    assert ward.business_days_between(D(2026, 6, 1), D(2026, 6, 5)) == 4
    # the default calendar is untouched
    assert is_business_day(D(2026, 6, 3))
    assert add_business_days(D(2026, 6, 2), 1) == D(2026, 6, 3)


def test_extra_closed_days_without_reason() -> None:
    ward = WardCalendar([D(2026, 6, 3), dt.datetime(2026, 6, 4, 9, 0)])
    assert ward.closed_reason(D(2026, 6, 3)) == "区の休日追加"
    assert ward.closed_reason(D(2026, 6, 4)) == "区の休日追加"
    assert ward.add_business_days(D(2026, 6, 2), 1) == D(2026, 6, 5)
    blank = WardCalendar({D(2026, 6, 3): "  "})
    assert blank.closed_reason(D(2026, 6, 3)) == "区の休日追加"


def test_extra_closed_day_on_a_closed_day_keeps_base_reason() -> None:
    ward = WardCalendar({D(2026, 6, 6): "点検", D(2026, 9, 22): "点検"})
    assert ward.closed_reason(D(2026, 6, 6)) == "土曜日"
    assert ward.closed_reason(D(2026, 9, 22)) == "国民の休日"


def test_extra_closed_days_in_columns() -> None:
    ward = WardCalendar({D(2026, 6, 3): "点検"})
    s = pd.Series([D(2026, 6, 2), D(2026, 6, 3)])
    assert ward.is_business_day_series(s).tolist() == [True, False]
    assert ward.add_business_days_series(s, 1).tolist() == [
        pd.Timestamp(2026, 6, 4),
        pd.Timestamp(2026, 6, 4),
    ]
    assert ward.next_business_day_series(s).tolist() == [
        pd.Timestamp(2026, 6, 2),
        pd.Timestamp(2026, 6, 4),
    ]


def test_calendar_is_frozen_and_hashable() -> None:
    a = WardCalendar({D(2026, 6, 3): "点検"})
    b = WardCalendar({D(2026, 6, 3): "点検"})
    assert a == b
    assert hash(a) == hash(b)
    assert a != DEFAULT_CALENDAR
    with pytest.raises(AttributeError):
        a._extra = ()  # type: ignore[misc]
    assert dict(a.extra_closed) == {D(2026, 6, 3): "点検"}


# -- business_days_between -------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2026, 6, 1), D(2026, 6, 5), 5),  # Mon-Fri, both ends included
        (D(2026, 6, 1), D(2026, 6, 1), 1),  # one open day
        (D(2026, 6, 6), D(2026, 6, 6), 0),  # one Saturday
        (D(2026, 6, 5), D(2026, 6, 1), 0),  # b < a
        (D(2026, 6, 1), D(2026, 6, 7), 5),  # a whole week
        (D(2026, 9, 18), D(2026, 9, 30), 6),  # 9/21-9/23 closed
        (D(2026, 12, 28), D(2027, 1, 4), 2),  # year end: 12/28 and 1/4
        (D(2026, 4, 15), D(2026, 5, 29), 29),  # R13 example, WBS 1.2
        (D(2026, 4, 15), D(2026, 5, 15), 19),  # R13 example, up to 5/15
        (D(2026, 10, 1), D(2026, 10, 1), 1),  # 区民の日 is open
    ],
)
def test_business_days_between(a: dt.date, b: dt.date, expected: int) -> None:
    assert business_days_between(a, b) == expected


def test_business_days_between_r13_late_minutes() -> None:
    due = add_business_days(D(2026, 9, 18), 5)
    assert business_days_between(due + ONE_DAY, D(2026, 10, 1)) == 1


# -- the independent oracle ------------------------------------------------


def test_oracle_is_self_consistent() -> None:
    """Every holiday on a Sunday is followed by a 振替休日 in the oracle."""
    holidays = _oracle()
    assert {d.year for d in holidays} == set(range(2016, 2031))
    for day, name in sorted(holidays.items()):
        if name == "振替休日":
            assert day.weekday() != 6, day
        if day.weekday() == 6 and name != "振替休日":
            nxt = day + ONE_DAY
            while holidays.get(nxt, "振替休日") != "振替休日":
                nxt += ONE_DAY
            assert holidays.get(nxt) == "振替休日", f"{day} {name}: no 振替休日"


def test_every_day_2016_2030_against_cabinet_office_list() -> None:
    holidays = _oracle()
    mismatches: list[str] = []
    day = D(2016, 1, 1)
    while day <= D(2030, 12, 31):
        expected_open = not (day.weekday() >= 5 or day in holidays or _year_end(day))
        actual_open = is_business_day(day)
        if actual_open != expected_open:
            mismatches.append(
                f"{day} ({'月火水木金土日'[day.weekday()]}): "
                f"oracle {'open' if expected_open else 'closed'} "
                f"{holidays.get(day, '')}, code "
                f"{'open' if actual_open else 'closed'} {closed_reason(day) or ''}"
            )
        day += ONE_DAY
    assert not mismatches, "\n".join(["calendar differs from the oracle:", *mismatches])


def test_national_holidays_match_oracle_exactly() -> None:
    """The holiday names come from jpholiday exactly on the oracle's dates."""
    holidays = _oracle()
    from_library = {day for year in range(2016, 2031) for day in cal._national_holidays(year)}
    assert sorted(from_library ^ set(holidays)) == []


def test_stored_holiday_table_is_jpholiday() -> None:
    """bcp_xl/compute/holiday_table.py is exactly what the installed jpholiday gives (regenerate it
    with calendar.holiday_table_source after upgrading jpholiday), and it is used."""
    stored = Path(cal.__file__).with_name("holiday_table.py").read_text(encoding="utf-8")
    assert stored == cal.holiday_table_source(), "regenerate: see calendar.holiday_table_source"
    assert cal._stored_year_holidays(2026) == jpholiday.year_holidays(2026)
    assert cal._stored_year_holidays(1989) is None  # outside the table: jpholiday is asked


def test_one_day_lookup_equals_the_year_table() -> None:
    """closed_reason asks jpholiday about one day only; the answer is the year table's."""
    for year in (2019, 2026, 2027):
        day = dt.date(year, 1, 1)
        while day.year == year:
            cal._holiday_on.cache_clear()
            cal._years_done.discard(year)
            assert cal._holiday_on(day) == cal._national_holidays(year).get(day), day
            day += dt.timedelta(days=1)


# -- pandas columns --------------------------------------------------------


def _random_dates(seed: int, size: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    first = np.datetime64("2015-06-01", "D").astype(np.int64)
    days = rng.integers(first, first + 16 * 365, size=size)
    values = days.astype("datetime64[D]").astype("datetime64[ns]")
    s = pd.Series(values, index=rng.permutation(size) + 100)
    s.iloc[rng.choice(size, size=size // 20, replace=False)] = pd.NaT
    return s


def test_vectorised_forms_agree_with_scalar_ones() -> None:
    ward = WardCalendar({D(2026, 6, 3): "点検", D(2020, 12, 28): "システム更新"})
    s = _random_dates(2024, 3000)
    rng = np.random.default_rng(7)
    n = pd.Series(rng.integers(1, 40, size=len(s)), index=s.index)

    is_open = ward.is_business_day_series(s)
    nxt = ward.next_business_day_series(s)
    plus3 = ward.add_business_days_series(s, 3)
    plus_n = ward.add_business_days_series(s, n)

    for result in (is_open, nxt, plus3, plus_n):
        assert result.index.equals(s.index)
    assert is_open.dtype == bool
    rows = zip(
        s.tolist(),
        n.tolist(),
        is_open.tolist(),
        nxt.tolist(),
        plus3.tolist(),
        plus_n.tolist(),
        strict=True,
    )
    for value, steps, open_, next_, p3, pn in rows:
        if pd.isna(value):
            assert not open_
            assert pd.isna(next_)
            assert pd.isna(p3)
            assert pd.isna(pn)
            continue
        day = value.date()
        assert open_ == ward.is_business_day(day), day
        assert next_.date() == ward.next_business_day(day), day
        assert p3.date() == ward.add_business_days(day, 3), day
        assert pn.date() == ward.add_business_days(day, steps), day


def test_vectorised_forms_on_object_columns_and_missing_n() -> None:
    s = pd.Series(
        [D(2025, 12, 26), None, dt.datetime(2026, 12, 29, 17, 30), D(2027, 1, 2)],
        name="開催日",
    )
    n = pd.Series([5, 5, np.nan, 5])
    result = DEFAULT_CALENDAR.add_business_days_series(s, n)
    assert result.name == "開催日"
    assert result.iloc[0] == pd.Timestamp(2026, 1, 9)
    assert pd.isna(result.iloc[1])
    assert pd.isna(result.iloc[2])  # n missing
    assert result.iloc[3] == pd.Timestamp(2027, 1, 8)
    rolled = DEFAULT_CALENDAR.next_business_day_series(s)
    assert rolled.iloc[2] == pd.Timestamp(2027, 1, 4)


def test_vectorised_forms_on_empty_and_all_missing_columns() -> None:
    for s in (pd.Series([], dtype="datetime64[ns]"), pd.Series([pd.NaT, None])):
        assert DEFAULT_CALENDAR.add_business_days_series(s, 5).isna().all()
        assert DEFAULT_CALENDAR.next_business_day_series(s).isna().all()
        assert not DEFAULT_CALENDAR.is_business_day_series(s).any()


def test_vectorised_add_with_long_closure_widens_its_table() -> None:
    start = D(2026, 6, 1)
    ward = WardCalendar([start + dt.timedelta(days=i) for i in range(1, 200)])
    s = pd.Series([pd.Timestamp(start)])
    expected = ward.add_business_days(start, 1)
    assert expected > D(2026, 12, 15)
    assert ward.add_business_days_series(s, 1).iloc[0].date() == expected


# -- properties --------------------------------------------------------------

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2045, 12, 31))


@given(day=days, n=st.integers(min_value=1, max_value=60))
@settings(max_examples=300, deadline=None)
def test_add_business_days_properties(day: dt.date, n: int) -> None:
    result = add_business_days(day, n)
    assert result > day
    assert is_business_day(result)
    assert business_days_between(day + ONE_DAY, result) == n
    assert business_days_between(day + ONE_DAY, result - ONE_DAY) == n - 1


@given(day=days)
@settings(max_examples=300, deadline=None)
def test_next_business_day_properties(day: dt.date) -> None:
    result = next_business_day(day)
    assert result >= day
    assert is_business_day(result)
    assert next_business_day(result) == result
    assert business_days_between(day, result - ONE_DAY) == 0
    if is_business_day(day):
        assert result == day
