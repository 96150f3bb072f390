"""Normalising cell values (workbooks.md §2.2–§2.5).

Each ``parse_*`` function takes the raw value as python-calamine returns it (str, int, float, bool,
date, datetime or None) and returns a :class:`Parsed`: the normalised value, or a problem code with
the value kept as found. A warning code may come with a value (``date-as-number``). The cell itself
is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bcp_xl.schemas.contract import BANDS, Column

WHITESPACE = " \t\r\n\u3000\u00a0"
_DASHES = str.maketrans({ch: "-" for ch in "－‐‑–—―−ーｰ"})
_KA = re.compile(r"(?<=\d)[ヶケカヵ箇](?=月)")
_WS = re.compile(r"[\s\u3000\u00a0]+")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A normalised value, or the problem found (``code``) with ``value`` None for errors."""

    value: object = None
    code: str | None = None
    detail: str | None = None  # extra text for the message (the serial date read, …)

    @property
    def is_error(self) -> bool:
        return self.code is not None and self.code not in WARNING_CODES


WARNING_CODES = frozenset({"date-as-number", "share-as-percent", "duplicate-in-list", "wbs-as-number"})
BLANK = Parsed(None)


def clean_text(raw: object) -> str | None:
    """Strip white space (ASCII, U+3000, no-break space); blank → None."""
    if raw is None:
        return None
    if isinstance(raw, str):
        s = raw.strip(WHITESPACE)
        return s or None
    return str(raw)


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


@lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """The comparison form of a header: NFKC, no white space, ヶ/ケ/カ/ヵ/箇 before 月 → か."""
    s = _WS.sub("", nfkc(text))
    return _KA.sub("か", s)


def normalize_position(text: str) -> str:
    """Positions are matched after NFKC and white-space removal (workbooks.md §3.5)."""
    return _WS.sub("", nfkc(text))


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip(WHITESPACE))


def display(raw: object) -> str:
    """The offending value as the user sees it, for ``入力値``."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    return str(raw)


# ---- numbers --------------------------------------------------------------------------------------

_NUM = re.compile(r"^([+-]?)(\d+(?:,\d{3})*|\d*)(?:\.(\d+))?$")


def column_units(col: Column) -> tuple[str, ...]:
    """Unit suffixes accepted in a number column, read from its header."""
    h = nfkc(col.header)
    units: list[str] = []
    if "(h)" in h:
        units += ["時間", "h", "H"]
    if "(分)" in h:
        units += ["分"]
    if "(km)" in h:
        units += ["km", "キロ"]
    if "(m)" in h:
        units += ["m"]
    if "(円)" in h or col.kind == "yen":
        units += ["円"]
    if "人" in h:
        units += ["人", "名"]
    if "日数" in h:
        units += ["日"]
    if "年" in h and "年度" not in h:
        units += ["年"]
    if "(人日)" in h:
        units += ["人日"]
    if col.name.startswith("need_") or col.name == "normal_staff":
        units += ["人", "名"]
    return tuple(sorted(set(units), key=len, reverse=True))


def _to_number(raw: object, units: tuple[str, ...]) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    if not isinstance(raw, str):
        return None
    s = _WS.sub("", nfkc(raw)).translate(_DASHES)
    for u in units:
        if s.endswith(u) and len(s) > len(u):
            s = s[: -len(u)]
            break
    m = _NUM.match(s)
    if not m or (not m.group(2) and not m.group(3)):
        return None
    return float(s.replace(",", ""))


def parse_int(raw: object, units: tuple[str, ...] = ()) -> Parsed:
    x = _to_number(raw, units)
    if x is None or not x.is_integer():
        return Parsed(None, "wrong-type")
    return Parsed(int(x))


def parse_num(raw: object, units: tuple[str, ...] = ()) -> Parsed:
    x = _to_number(raw, units)
    return Parsed(None, "wrong-type") if x is None else Parsed(x)


_YEN = re.compile(r"^(?:(\d+(?:\.\d+)?)億)?(?:(\d+(?:\.\d+)?)万)?(\d+)?$")


def parse_yen(raw: object) -> Parsed:
    if isinstance(raw, str):
        s = _WS.sub("", nfkc(raw)).replace(",", "").translate(_DASHES)
        s = s.removesuffix("円")
        if s.startswith("-"):
            p = parse_yen(s[1:])
            return Parsed(None, "out-of-range") if p.code is None else p
        m = _YEN.match(s)
        if m and any(m.groups()):
            oku, man, rest = m.groups()
            total = float(oku or 0) * 1e8 + float(man or 0) * 1e4 + float(rest or 0)
            if total.is_integer():
                return Parsed(int(total))
        return Parsed(None, "wrong-type")
    p = parse_int(raw)
    if p.code is None and isinstance(p.value, int) and p.value < 0:
        return Parsed(None, "out-of-range")
    return p


def parse_share(raw: object) -> Parsed:
    percent = False
    if isinstance(raw, str):
        s = _WS.sub("", nfkc(raw))
        if s.endswith("%"):
            percent = True
            s = s[:-1]
        x = _to_number(s, ())
    else:
        x = _to_number(raw, ())
    if x is None:
        return Parsed(None, "wrong-type")
    if percent:
        x /= 100
    if x < 0 or x > 100:
        return Parsed(None, "out-of-range")
    if x > 1:
        return Parsed(x / 100, "share-as-percent", f"{x / 100:g}")
    return Parsed(x)


# ---- booleans ---------------------------------------------------------------------------------

_TRUE = {"○", "◯", "〇", "●", "✓", "✔", "レ", "はい", "有", "あり", "Y", "YES", "TRUE", "1"}
_FALSE = {"×", "✕", "いいえ", "無", "なし", "N", "NO", "FALSE", "0", "-", "－"}


def parse_bool(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(raw)
    if isinstance(raw, (int, float)):
        if raw in (0, 1):
            return Parsed(bool(raw))
        return Parsed(None, "bad-boolean")
    s = str(raw).strip(WHITESPACE)
    up = s.upper()
    # NFKC would turn × into x and － into -, so look at the original first.
    for cand in (s, up, nfkc(s).upper()):
        if cand in _TRUE:
            return Parsed(True)
        if cand in _FALSE:
            return Parsed(False)
    return Parsed(None, "bad-boolean")


# ---- dates ----------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
_ERAS = {
    "令和": (2019, dt.date(2019, 5, 1), None),
    "平成": (1989, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "昭和": (1926, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
}
_ERA_LETTER = {"R": "令和", "H": "平成", "S": "昭和"}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_KANJI = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_WAREKI = re.compile(r"^(令和|平成|昭和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日$")
_WAREKI_ABBR = re.compile(r"^([RHS])(\d{1,2})[./-](\d{1,2})[./-](\d{1,2})$")


def _make_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _era_date(era: str, year: int, m: int, d: int) -> dt.date | None:
    base, start, end = _ERAS[era]
    if year < 1:
        return None
    date = _make_date(base + year - 1, m, d)
    if date is None or date < start or (end is not None and date > end):
        return None
    return date


def parse_date(raw: object) -> Parsed:
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date())
    if isinstance(raw, dt.date):
        return Parsed(raw)
    if isinstance(raw, bool):
        return Parsed(None, "bad-date")
    if isinstance(raw, (int, float)):
        return _serial(float(raw))
    s = _WS.sub("", nfkc(str(raw)))
    date: dt.date | None = None
    if (m := _ISO.match(s)) or (m := _KANJI.match(s)):
        date = _make_date(int(m[1]), int(m[2]), int(m[3]))
    elif m := _WAREKI.match(s):
        date = _era_date(m[1], 1 if m[2] == "元" else int(m[2]), int(m[3]), int(m[4]))
    elif m := _WAREKI_ABBR.match(s.upper()):
        date = _era_date(_ERA_LETTER[m[1]], int(m[2]), int(m[3]), int(m[4]))
    elif re.fullmatch(r"\d+(?:\.\d+)?", s):
        return _serial(float(s))
    return Parsed(date) if date else Parsed(None, "bad-date")


def _serial(x: float) -> Parsed:
    if not (1 <= x < 2958466):
        return Parsed(None, "bad-date")
    date = EXCEL_EPOCH + dt.timedelta(days=int(x))
    return Parsed(date, "date-as-number", date.isoformat())


_FY = re.compile(r"^(?:(令和|平成|R|H)(元|\d{1,2})|(\d{4}))(?:年度|年)?$")


def parse_fy(raw: object) -> Parsed:
    """年度: the calendar year in which the fiscal year starts (令和8年度 = 2026)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Parsed(int(raw)) if float(raw).is_integer() and 1900 <= raw <= 2200 else Parsed(None, "wrong-type")
    s = _WS.sub("", nfkc(str(raw))).upper()
    m = _FY.match(s)
    if not m:
        return Parsed(None, "wrong-type")
    if m[3]:
        return Parsed(int(m[3]))
    era = _ERA_LETTER.get(m[1], m[1])
    n = 1 if m[2] == "元" else int(m[2])
    return Parsed(_ERAS[era][0] + n - 1)


def parse_year(raw: object) -> Parsed:
    """A calendar year; 和暦 years are accepted (昭和41年 → 1966)."""
    if isinstance(raw, str):
        s = _WS.sub("", nfkc(raw)).upper()
        m = re.fullmatch(r"(令和|平成|昭和|R|H|S)(元|\d{1,2})年?", s)
        if m:
            era = _ERA_LETTER.get(m[1], m[1])
            return Parsed(_ERAS[era][0] + (1 if m[2] == "元" else int(m[2])) - 1)
    return parse_int(raw, ("年",))


# ---- bands ----------------------------------------------------------------------------------------


def _band_table() -> dict[str, str]:
    t: dict[str, str] = {}
    for b in BANDS:
        t[b.code] = b.code
        t[header_key(b.label)] = b.code
    synonyms = {
        "H3": "3時間 3h",
        "D1": "1日 24時間",
        "D3": "3日 72時間",
        "W1": "1週間 7日 168時間",
        "W2": "2週間 14日",
        "M1": "1か月 30日 720時間",
        "H0": "発災直後 直後 即時 継続 0時間",
        "X": "対象外 休止 1か月超 なし",
    }
    for code, words in synonyms.items():
        for w in words.split():
            t[header_key(w).upper()] = code
            t[header_key(w)] = code
    return t


BAND_LOOKUP = _band_table()
_DURATION = re.compile(r"^(\d+)(時間|H|日|週間|か月)$")
_UNIT_HOURS = {"時間": 1, "H": 1, "日": 24, "週間": 168, "か月": 720}
_HOURS_TO_BAND = {b.hours: b.code for b in BANDS if b.hours}


def parse_band(raw: object) -> Parsed:
    """A time-band code, label or free text such as 「３時間以内」 → band code (§2.5)."""
    s = header_key(str(raw))
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        s = f"{display(raw)}時間"
    for cand in (s, s.upper()):
        if cand in BAND_LOOKUP:
            return Parsed(BAND_LOOKUP[cand])
    for suffix in ("以内", "まで", "後"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    for cand in (s, s.upper()):
        if cand in BAND_LOOKUP:
            return Parsed(BAND_LOOKUP[cand])
    m = _DURATION.match(s.upper().replace("か月", "か月"))
    if m is None:
        m = _DURATION.match(s)
    if m:
        hours = int(m[1]) * _UNIT_HOURS[m[2].upper() if m[2] == "h" else m[2]]
        if hours == 0:
            return Parsed("H0")
        if hours in _HOURS_TO_BAND:
            return Parsed(_HOURS_TO_BAND[hours])
    return Parsed(None, "bad-band")


# ---- floors, impacts, ids ------------------------------------------------------------------------

_FLOOR = re.compile(r"^(?:(B|地下)(\d+)(?:F|階)?|(-?\d+)(?:F|階)?)$")


def parse_floor(raw: object) -> Parsed:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not float(raw).is_integer():
            return Parsed(None, "wrong-type")
        n = int(raw)
    else:
        m = _FLOOR.match(_WS.sub("", nfkc(str(raw))).upper().translate(_DASHES))
        if not m:
            return Parsed(None, "wrong-type")
        n = -int(m[2]) if m[1] else int(m[3])
    return Parsed(None, "out-of-range") if n == 0 else Parsed(n)


_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


def parse_impact(raw: object, level_names: dict[str, int] | None = None) -> Parsed:
    """An impact level 1–5; also Ⅰ–Ⅴ, I–V or a ■影響度 名称."""
    if isinstance(raw, str):
        s = raw.strip(WHITESPACE)
        if s in _ROMAN:
            return Parsed(_ROMAN[s])
        if level_names and s in level_names:
            return Parsed(level_names[s])
        k = nfkc(s).upper()
        if k in _ROMAN:
            return Parsed(_ROMAN[k])
    p = parse_int(raw)
    if p.code is None and isinstance(p.value, int) and not 1 <= p.value <= 5:
        return Parsed(None, "wrong-type")
    return p


def normalize_id(raw: object) -> str:
    return _WS.sub("", nfkc(display(raw))).translate(_DASHES).upper()


@lru_cache(maxsize=64)
def id_pattern(prefix: str, digits: int) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}\d{{{digits},}}$")


@lru_cache(maxsize=64)
def _plain_id_pattern(prefix: str, digits: int) -> re.Pattern[str] | None:
    """IDs already in their normal form (ASCII, upper case, no space): ``normalize_id`` keeps them
    as they are, so :func:`parse_id` can accept them without normalising (most cells)."""
    if not prefix.isascii() or prefix != prefix.upper() or any(c.isspace() for c in prefix):
        return None
    return re.compile(rf"{re.escape(prefix)}[0-9]{{{digits},}}\Z")


def parse_id(raw: object, prefix: str, digits: int) -> Parsed:
    if type(raw) is str:
        plain = _plain_id_pattern(prefix, digits)
        if plain is not None and plain.match(raw):
            return Parsed(raw)
    s = normalize_id(raw)
    return Parsed(s) if id_pattern(prefix, digits).match(s) else Parsed(None, "bad-id")


_WBS = re.compile(r"^\d+(?:\.\d+)*$")


def parse_wbs(raw: object) -> Parsed:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        s = display(raw)
        return Parsed(s, "wbs-as-number", s) if _WBS.match(s) else Parsed(None, "bad-id")
    s = normalize_id(raw)
    return Parsed(s) if _WBS.match(s) else Parsed(None, "bad-id")


def parse_enum(raw: object, allowed: tuple[str, ...]) -> Parsed:
    """One of the listed values after NFKC (and ignoring spaces); else ``not-in-list``."""
    s = display(raw).strip(WHITESPACE)
    if s in allowed:
        return Parsed(s)
    key = header_key(s)
    for a in allowed:
        if header_key(a) == key or header_key(a).upper() == key.upper():
            return Parsed(a)
    return Parsed(None, "not-in-list")


_LIST_SPLIT = re.compile(r"[,、，;；\n\r]+")


def split_list(raw: object) -> list[str]:
    return [p.strip(WHITESPACE) for p in _LIST_SPLIT.split(display(raw)) if p.strip(WHITESPACE)]
