"""Japanese messages for every issue code, in the form of workbooks.md §2.9:
``'<シート>'!<セル>: <列名> <what is wrong>。<what is expected>(入力値: "<値>")``.
"""

from __future__ import annotations

from bcp_xl.errors import CellRef, Issue, Severity
from bcp_xl.schemas.contract import BANDS, Column

BAND_FORMS = "、".join([b.code for b in BANDS] + ["3時間以内", "1日以内", "対象外"])

SEVERITY: dict[str, Severity] = {
    "unknown-column": "warning",
    "unknown-column-personal": "warning",
    "blank-row": "warning",
    "date-as-number": "warning",
    "share-as-percent": "warning",
    "workbook-not-found": "warning",
    "unknown-parameter": "warning",
    "unknown-block": "warning",
    "duplicate-in-list": "warning",
    "as-of-mismatch": "warning",
    "wbs-as-number": "warning",
    "missing-parameter": "warning",
    "municipality-mismatch": "warning",
    "duplicate-holiday": "warning",
    "holiday-already-closed": "info",
    "workbook-locked": "info",
    "workbook-missing": "warning",
    "computed-on-parent": "warning",
    "name-mismatch": "warning",
}


def expectation(col: Column, code: str, allowed: tuple[str, ...] = ()) -> str:
    """What the user should enter, for a cell-level code."""
    h = col.header
    if code == "missing-value":
        return f"{h} が未入力です。入力してください"
    if code == "bad-id":
        if col.kind == "wbs" or (col.item_kind is None and col.kind == "list"):
            return f"{h} は「1.2.3」のように数字を「.」で区切って入力してください"
        example = f"{col.id_prefix}{'0' * (col.id_digits - 1)}1"
        return f"{h} は「{example}」の形({col.id_prefix} と{col.id_digits}桁以上の数字)で入力してください"
    if code == "not-in-list":
        return f"{h} は次のいずれかを入力してください: {'、'.join(allowed or col.enum)}"
    if code == "bad-boolean":
        return f"{h} は ○ か ×(はい / いいえ)で入力してください"
    if code == "bad-date":
        return f"{h} は日付(例: 2026/4/1、令和8年4月1日)で入力してください"
    if code == "bad-band":
        return f"{h} は時間区分({BAND_FORMS} など)で入力してください"
    if code == "out-of-range":
        return f"{h} は {range_text(col)} で入力してください"
    if code == "wrong-type":
        kinds = {
            "int": "整数",
            "num": "数値",
            "yen": "金額(円)",
            "share": "0〜1 の数値か 85% の形",
            "impact": " 1〜5 の整数",
            "floor": "階(3、3階、B1 など。0 は不可)",
            "fy": "年度(2026、令和8年度 など)",
        }
        what = kinds.get(col.kind, "正しい形式")
        if col.name in ("completed_year", "retrofit_year"):
            what = "西暦年(1966 など)か和暦年(昭和41年 など)"
        return f"{h} は{what}で入力してください"
    return f"{h} を確認してください"


def range_text(col: Column) -> str:
    lo, hi = col.min, col.max
    if lo is not None and hi is not None:
        return f"{lo:g}〜{hi:g} の範囲"
    if lo is not None:
        return f"{lo:g} より大きい値" if col.min_exclusive else f"{lo:g} 以上"
    if hi is not None:
        return f"{hi:g} 以下"
    return "正しい範囲"


def make_issue(
    code: str,
    body: str,
    where: CellRef,
    value: object = None,
    *,
    severity: Severity | None = None,
    sheet_pos: int = 0,
    row: int = 0,
    col: int = 0,
) -> Issue:
    """Build an issue; the message is ``<place>: <body>(入力値: "<値>")``."""
    shown = None if value is None else str(value)
    msg = f"{where.label()}: {body.rstrip('。')}"
    msg += f'(入力値: "{shown}")' if shown else "。"
    return Issue(code, msg, where, shown, severity or SEVERITY.get(code, "error"), sheet_pos, row, col)
