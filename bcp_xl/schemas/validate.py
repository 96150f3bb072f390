"""Validating a folder of master workbooks in one pass: file checks, 設定, every input sheet against
its pandera schema, the rules of each sheet and the references between sheets and workbooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bcp_xl.errors import CellRef, Issue, ValidationReport, WorkbookFileError
from bcp_xl.schemas.contract import SETTINGS_REQUIRED, SETTINGS_SHEET, SHEETS, WORKBOOKS, Column
from bcp_xl.schemas.messages import make_issue
from bcp_xl.schemas.models import check_sheet
from bcp_xl.schemas.rules import Sheets, reference_rules, sheet_rules
from bcp_xl.schemas.settings import Settings, read_settings
from bcp_xl.schemas.sheets import SheetData, _allowed, read_sheet
from bcp_xl.workbook.reader import RawWorkbook, SheetSource, is_locked, sha256_of

EXTENSIONS = (".xlsx", ".xlsm")


def find_workbook(folder: Path, key: str) -> Path | None:
    """The workbook ``key`` in ``folder``: ``.xlsx``, else ``.xlsm`` (else an ``.xls`` to complain about)."""
    for ext in (*EXTENSIONS, ".xls"):
        p = folder / f"{key}{ext}"
        if p.is_file():
            return p
    return None


@dataclass
class WorkbookData:
    """One master workbook as read and checked."""

    key: str
    path: Path
    settings: Settings
    sheets: dict[str, SheetData] = field(default_factory=dict)
    sha256: str = ""

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class MasterSet:
    """The master workbooks of one folder, their data and every issue found."""

    folder: Path
    workbooks: dict[str, WorkbookData] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)
    missing: list[str] = field(default_factory=list)
    unusable: dict[str, Issue] = field(default_factory=dict)

    def sheet(self, workbook: str, sheet: str) -> SheetData | None:
        wb = self.workbooks.get(workbook)
        return wb.sheets.get(sheet) if wb else None

    def as_of_date(self) -> dt.date | None:
        """The status date of the workbooks (bcp_master first)."""
        for key in WORKBOOKS:
            wb = self.workbooks.get(key)
            if wb and isinstance(wb.settings.params.get("as_of_date"), dt.date):
                v = wb.settings.params["as_of_date"]
                assert isinstance(v, dt.date)
                return v
        return None

    def extra_holidays(self) -> dict[dt.date, str]:
        """■区の休日追加 of all workbooks (their union)."""
        out: dict[dt.date, str] = {}
        for wb in self.workbooks.values():
            for d, why in wb.settings.holidays.items():
                out.setdefault(d, why)
        return out


def load_masters(folder: Path, opened: Mapping[str, SheetSource] | None = None) -> MasterSet:
    """Read and validate every master workbook in ``folder``; nothing is written.

    ``opened`` gives workbooks already open elsewhere (the ribbon's book in Excel), read instead of
    their file in ``folder``.
    """
    ms = MasterSet(folder)
    sheets: Sheets = {}
    opened = opened or {}
    for key in WORKBOOKS:
        given = opened.get(key)
        path = given.path if given is not None else find_workbook(folder, key)
        if path is None:
            ms.missing.append(key)
            ms.report.extend(
                [
                    make_issue(
                        "workbook-missing",
                        f"{key}.xlsx がフォルダにないため、このブックの検証と関係する文書の作成を省略します",
                        CellRef(f"{key}.xlsx"),
                        None,
                        severity="info",
                    )
                ]
            )
            continue
        try:
            raw: SheetSource = given if given is not None else RawWorkbook(path)
        except WorkbookFileError as err:
            ms.unusable[key] = err.issue
            ms.report.extend([err.issue])
            continue
        try:
            wb = _read_workbook(key, path, raw, ms.report)
        finally:
            raw.close()
        if given is None and is_locked(path):
            ms.report.extend(
                [
                    make_issue(
                        "workbook-locked",
                        "Excel で開かれています(~$ ロックファイルあり)。読み込みは行いますが、書き込む操作の前にブックを閉じてください",
                        CellRef(path.name),
                        None,
                        severity="info",
                    )
                ]
            )
        ms.workbooks[key] = wb
        for name, data in wb.sheets.items():
            sheets[(key, name)] = data
    ms.report.extend(sheet_rules(sheets))
    ms.report.extend(_cross_sheet(ms, sheets))
    ms.report.extend(reference_rules(sheets, set(ms.workbooks), {k: w.name for k, w in ms.workbooks.items()}))
    ms.report.extend(_cross_workbook(ms))
    return ms


def _read_workbook(key: str, path: Path, raw: SheetSource, report: ValidationReport) -> WorkbookData:
    names = raw.sheet_names
    settings_raw = raw.sheet(SETTINGS_SHEET) if SETTINGS_SHEET in names else None
    if settings_raw is None and SETTINGS_REQUIRED[key]:
        report.extend(
            [
                make_issue(
                    "missing-sheet",
                    f"シート「{SETTINGS_SHEET}」がありません。シートを追加してください(bcp-xl init で作成できます)",
                    CellRef(path.name, SETTINGS_SHEET),
                    None,
                )
            ]
        )
    settings, issues = read_settings(key, path.name, settings_raw)
    report.extend(issues)
    wb = WorkbookData(key, path, settings, sha256=sha256_of(path))
    for spec in SHEETS[key]:
        if spec.name not in names:
            if not spec.optional:
                report.extend(
                    [
                        make_issue(
                            "missing-sheet",
                            f"シート「{spec.name}」がありません。シート名を確認するか、シートを追加してください",
                            CellRef(path.name, spec.name),
                            None,
                            sheet_pos=len(names),
                        )
                    ]
                )
            continue
        data, issues = read_sheet(spec, path.name, raw.sheet(spec.name), settings)
        report.extend(issues)
        if data.usable:
            allowed = {c.name: _allowed(c, settings) for c in spec.columns if c.kind == "enum"}
            report.extend(check_sheet(data, allowed))
            wb.sheets[spec.name] = data
        else:
            wb.sheets[spec.name] = data
    _holiday_notes(wb, report)
    return wb


def _holiday_notes(wb: WorkbookData, report: ValidationReport) -> None:
    from bcp_xl.compute.calendar import DEFAULT_CALENDAR

    block = wb.settings.blocks.get("■区の休日追加")
    if block is None:
        return
    for row, cells in block.rows:
        from bcp_xl.workbook.normalize import parse_date

        p = parse_date(cells.get("日付"))
        if isinstance(p.value, dt.date):
            why = DEFAULT_CALENDAR.closed_reason(p.value)
            if why:
                report.extend(
                    [
                        make_issue(
                            "holiday-already-closed",
                            f"{p.value.isoformat()} はもともと区の休日です({why})",
                            CellRef(wb.name, SETTINGS_SHEET, f"A{row}", "日付"),
                            None,
                            severity="info",
                            row=row,
                        )
                    ]
                )


def _cross_sheet(ms: MasterSet, sheets: Sheets) -> list[Issue]:
    """Rules that need two sheets of one workbook."""
    out: list[Issue] = []
    camp = sheets.get(("pubcomment", "募集概要"))
    com = sheets.get(("pubcomment", "意見"))
    if (
        camp is not None
        and com is not None
        and camp.frame is not None
        and com.frame is not None
        and len(camp.frame) > 1
    ):
        import pandas as pd

        from bcp_xl.schemas.rules import require_when

        out += require_when(com, "campaign_id", pd.Series(True, index=com.frame.index), "募集概要に複数の案件がある")
    return out


def _cross_workbook(ms: MasterSet) -> list[Issue]:
    out: list[Issue] = []
    dates = {k: w.settings.params.get("as_of_date") for k, w in ms.workbooks.items()}
    given = {k: v for k, v in dates.items() if isinstance(v, dt.date)}
    if len(set(given.values())) > 1:
        first_key = next(iter(given))
        for k, v in given.items():
            if v != given[first_key]:
                out.append(
                    make_issue(
                        "as-of-mismatch",
                        f"基準日(as_of_date)が {ms.workbooks[first_key].name} の {given[first_key].isoformat()} と異なります({v.isoformat()})。4つのブックで同じ基準日にしてください",
                        CellRef(ms.workbooks[k].name),
                        v.isoformat(),
                    )
                )
    bcp = ms.workbooks.get("bcp_master")
    if bcp is not None:
        name = bcp.settings.params.get("municipality_name")
        for k, w in ms.workbooks.items():
            other = w.settings.params.get("municipality_name")
            if k != "bcp_master" and name and other and other != name:
                out.append(
                    make_issue(
                        "municipality-mismatch",
                        f"自治体名が bcp_master.xlsx の「{name}」と異なります。同じ名称にするか空欄にしてください",
                        CellRef(w.name, SETTINGS_SHEET),
                        other,
                    )
                )
    return out


__all__ = ["Column", "MasterSet", "WorkbookData", "find_workbook", "load_masters"]
