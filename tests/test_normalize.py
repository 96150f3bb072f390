"""Cell-value normalisation (workbooks.md §2.2–§2.5)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bcp_xl.workbook import normalize as nz


@pytest.mark.parametrize(
    ("text", "code"),
    [("H3", "H3"), ("3時間以内", "H3"), ("３時間以内", "H3"), ("3h", "H3"), ("24時間", "D1"), ("1日以内", "D1"),
     ("72時間", "D3"), ("7日", "W1"), ("1週間以内", "W1"), ("14日", "W2"), ("1ヶ月以内", "M1"), ("1ケ月", "M1"),
     ("30日", "M1"), ("720時間", "M1"), ("継続", "H0"), ("発災直後", "H0"), ("0時間", "H0"), ("対象外", "X"),
     ("1か月超", "X"), ("休止", "X"), ("発災直後・継続", "H0"), ("1か月超・対象外", "X"), ("3日後", "D3"), ("3日まで", "D3")],
)  # fmt: skip
def test_band_forms(text: str, code: str) -> None:
    assert nz.parse_band(text) == nz.Parsed(code)


@pytest.mark.parametrize("text", ["48時間", "10日", "すぐ", "4時間以内", "2か月"])
def test_unknown_band_text(text: str) -> None:
    assert nz.parse_band(text).code == "bad-band"


@pytest.mark.parametrize(
    ("text", "date"),
    [("2026-04-01", dt.date(2026, 4, 1)), ("2026/4/1", dt.date(2026, 4, 1)), ("2026.4.1", dt.date(2026, 4, 1)),
     ("2026年4月1日", dt.date(2026, 4, 1)), ("令和8年4月1日", dt.date(2026, 4, 1)), ("令和元年5月1日", dt.date(2019, 5, 1)),
     ("R8.4.1", dt.date(2026, 4, 1)), ("R08/04/01", dt.date(2026, 4, 1)), ("H31.4.30", dt.date(2019, 4, 30)),
     ("平成元年1月8日", dt.date(1989, 1, 8)), ("昭和41年4月1日", dt.date(1966, 4, 1)), ("S64.1.7", dt.date(1989, 1, 7)),
     ("２０２６年４月１日", dt.date(2026, 4, 1)), (dt.datetime(2026, 4, 1, 9, 30), dt.date(2026, 4, 1))],
)  # fmt: skip
def test_date_forms(text: object, date: dt.date) -> None:
    assert nz.parse_date(text) == nz.Parsed(date)


@pytest.mark.parametrize("text", ["2026-02-30", "平成31年5月1日", "昭和64年1月8日", "令和0年1月1日", "来週", "R8.13.1"])
def test_impossible_dates(text: str) -> None:
    assert nz.parse_date(text).code == "bad-date"


def test_serial_date_is_read_with_a_warning() -> None:
    assert nz.parse_date(46113) == nz.Parsed(dt.date(2026, 4, 1), "date-as-number", "2026-04-01")
    assert nz.parse_date("46113").code == "date-as-number"


@pytest.mark.parametrize(("raw", "value"), [("○", True), ("◯", True), ("✓", True), ("はい", True), ("yes", True),
                                            ("TRUE", True), (1, True), ("×", False), ("いいえ", False), ("なし", False),
                                            ("-", False), ("－", False), ("no", False), (0, False), (True, True)])  # fmt: skip
def test_booleans(raw: object, value: bool) -> None:
    assert nz.parse_bool(raw) == nz.Parsed(value)


def test_bad_boolean() -> None:
    assert nz.parse_bool("たぶん").code == "bad-boolean"
    assert nz.parse_bool(2).code == "bad-boolean"


@pytest.mark.parametrize(("raw", "value"), [("120万円", 1_200_000), ("1億2000万円", 120_000_000), ("3,500,000", 3_500_000),
                                            ("５００円", 500), (1500, 1500)])  # fmt: skip
def test_yen(raw: object, value: int) -> None:
    assert nz.parse_yen(raw) == nz.Parsed(value)


def test_units_and_widths_in_numbers() -> None:
    hours = ("時間", "h")
    assert nz.parse_int("７２時間", hours) == nz.Parsed(72)
    assert nz.parse_int("72h", hours) == nz.Parsed(72)
    assert nz.parse_int("1,200", ()) == nz.Parsed(1200)
    assert nz.parse_int("72分", hours).code == "wrong-type"  # another unit
    assert nz.parse_int(12.5).code == "wrong-type"
    assert nz.parse_num("12.5", ()) == nz.Parsed(12.5)


def test_shares() -> None:
    assert nz.parse_share("85%") == nz.Parsed(0.85)
    assert nz.parse_share("８５％") == nz.Parsed(0.85)
    assert nz.parse_share(0.5) == nz.Parsed(0.5)
    assert nz.parse_share(85).code == "share-as-percent"
    assert nz.parse_share(101).code == "out-of-range"
    assert nz.parse_share(-0.1).code == "out-of-range"


@pytest.mark.parametrize(
    ("raw", "value"), [("3", 3), ("3階", 3), ("3F", 3), ("B1", -1), ("B1F", -1), ("地下2階", -2), (-1, -1)]
)
def test_floors(raw: object, value: int) -> None:
    assert nz.parse_floor(raw) == nz.Parsed(value)


def test_floor_zero_is_refused() -> None:
    assert nz.parse_floor(0).code == "out-of-range"


@pytest.mark.parametrize(
    ("raw", "fy"), [(2026, 2026), ("令和8年度", 2026), ("R8", 2026), ("2026年度", 2026), ("令和元年度", 2019)]
)
def test_fiscal_years(raw: object, fy: int) -> None:
    assert nz.parse_fy(raw) == nz.Parsed(fy)


def test_ids_are_normalised_and_patterned() -> None:
    assert nz.parse_id("ｔ－０００１", "T-", 4) == nz.Parsed("T-0001")
    assert nz.parse_id("T‐20000", "T-", 4) == nz.Parsed("T-20000")
    assert nz.parse_id("T-1", "T-", 4).code == "bad-id"
    assert nz.parse_wbs("1.2.3") == nz.Parsed("1.2.3")
    assert nz.parse_wbs(1.1) == nz.Parsed("1.1", "wbs-as-number", "1.1")


def test_headers_compare_after_normalisation() -> None:
    assert nz.header_key("影響度（３時間）") == nz.header_key("影響度 (3時間)") == nz.header_key("影響度(3時間)")
    assert nz.header_key("必要人員(1ヶ月)") == nz.header_key("必要人員(1か月)") == nz.header_key("必要人員(1箇月)")


def test_impacts_accept_roman_numerals_and_names() -> None:
    assert nz.parse_impact("Ⅳ") == nz.Parsed(4)
    assert nz.parse_impact("IV") == nz.Parsed(4)
    assert nz.parse_impact("甚大", {"甚大": 5}) == nz.Parsed(5)
    assert nz.parse_impact(6).code == "wrong-type"


@given(st.dates(min_value=dt.date(1989, 1, 8), max_value=dt.date(2100, 12, 31)))
def test_wareki_round_trip(d: dt.date) -> None:
    """Every date written in 和暦 (full and abbreviated) reads back as itself."""
    era, base, letter = ("令和", 2018, "R") if d >= dt.date(2019, 5, 1) else ("平成", 1988, "H")
    y = d.year - base
    full = f"{era}{'元' if y == 1 else y}年{d.month}月{d.day}日"
    assert nz.parse_date(full) == nz.Parsed(d)
    assert nz.parse_date(f"{letter}{y}.{d.month}.{d.day}") == nz.Parsed(d)


@given(st.integers(min_value=0, max_value=10**9))
def test_full_width_integers(n: int) -> None:
    wide = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert nz.parse_int(f"　{wide}　") == nz.Parsed(n)
