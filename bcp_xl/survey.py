"""業務調査票: the task inventory sent to each 課 and merged back (``bcp-xl survey split / merge``).

``split`` writes one survey workbook per 課 (workbooks.md §3.3): the sheet 業務一覧 with the rows of
that 課 and its 係, the same drop-down lists and input messages as the master (the list values sit in
the hidden, tool-owned sheet ``リスト``), and the 組織ID in the custom document property
``bcp_xl_org_id``, which wins over the file name when the survey comes back.

``merge`` validates every returned survey with the rules of the master sheet (and against the master's
設定 and 組織), then rewrites only the 業務一覧 sheet of bcp_master — the one stated exception to "input
sheets are never rewritten" (workbooks.md §1) — after a backup, through a temporary file that is
re-opened and checked before it atomically replaces the master.

Decisions (documented here because the contract leaves them open):

- Row order: rows of 課 that did not change stay exactly where they are. The rows of a 課 that changed
  are written, in the order of its survey, where that 課's first row was; a 課 that had no row yet is
  appended after the last data row, in the order the surveys were given. A 課 whose survey holds the
  same rows with the same values in the same order is left untouched (even if its rows are not
  contiguous in the master).
- Cells: a row that already existed keeps its XML (styles, user columns to the right, comments'
  anchors); only the cells whose value changed are rewritten, with the value as typed in the survey.
  New cells take the style of the master's first data row in that column. A formula cell in a row that
  moves is replaced by its saved value (its references would no longer fit), and so is every shared
  formula of the sheet (one shared formula spans many rows); Excel's calculation chain is then dropped
  so that Excel rebuilds it. Notes and hyperlinks stay anchored to their cell addresses.
- Untouched rows keep their XML; rows below a changed 課 are renumbered. Every package part other than
  the 業務一覧 sheet keeps its content (the exceptions: ``xl/calcChain.xml`` is removed when a formula
  was frozen, ``xl/styles.xml`` gains a date format only if a date had to be written without one).
  The hidden ``_FilterDatabase`` name in ``xl/workbook.xml`` is left as it was; Excel takes the filter
  range from the sheet's own ``autoFilter``, which is updated.
- A survey file that cannot be read, whose 課 cannot be told, or that has any error is not merged at
  all; the others still are. A 課 may move a task to another 課 only in the master itself: a 業務ID
  the master holds under another 課 is ``foreign-task``.
- A returned survey must hold every header of 業務一覧 (a missing optional column would otherwise wipe
  the master's values): ``missing-column``. Extra columns are ``unknown-column`` (W) and not merged.
- The merge report is returned (and printed by the CLI). It is written as a workbook only on request
  (:func:`write_merge_report`, ``--report FILE``), never into an input workbook, so that a merge with
  0 changes writes nothing at all, as workbooks.md §1 requires.

New issue codes: ``foreign-row``, ``foreign-task``, ``id-clash``, ``empty-survey`` (W) from the
contract, and ``unknown-survey-org`` (the file names no 課 of the master), ``duplicate-survey`` (two
returned files for one 課), ``column-not-in-master`` (W, the master sheet lacks a column the survey
filled; those values are not merged).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bcp_xl.errors import BcpXlError, CellRef, Issue, OutputError, ValidationReport, WorkbookFileError
from bcp_xl.schemas.contract import BCP, Column, SheetSpec
from bcp_xl.schemas.messages import make_issue
from bcp_xl.schemas.settings import Settings
from bcp_xl.schemas.sheets import SheetData, _allowed, read_sheet
from bcp_xl.workbook import normalize as nz
from bcp_xl.workbook.reader import RawWorkbook, col_index, col_letter

SHEET = "業務一覧"
LIST_SHEET = "リスト"
ORG_PROPERTY = "bcp_xl_org_id"
FILE_PREFIX = "業務調査票"
BAND_ITEMS = (
    "発災直後・継続",
    "3時間以内",
    "1日以内",
    "3日以内",
    "1週間以内",
    "2週間以内",
    "1か月以内",
    "1か月超・対象外",
)
EXCEL_EPOCH = dt.date(1899, 12, 30)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class SurveyError(BcpXlError):
    """The master cannot be used for a survey (no bcp_master, 組織 or 業務一覧 unreadable)."""


# ---- the master -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One 課: its ID, its name and the org IDs whose tasks it answers for (itself and its 係)."""

    org_id: str
    name: str
    members: tuple[str, ...]


@dataclass
class _Master:
    path: Path
    settings: Settings
    orgs: SheetData
    tasks: SheetData
    procedures: SheetData | None
    units: dict[str, Unit]
    unit_of_org: dict[str, str]

    @property
    def spec(self) -> SheetSpec:
        return self.tasks.spec

    def unit_of_row(self, row: int) -> str | None:
        assert self.tasks.frame is not None
        oid = self.tasks.frame.at[row, "org_id"]
        return self.unit_of_org.get(oid) if isinstance(oid, str) else None


def _load_master(folder: Path) -> _Master:
    from bcp_xl.schemas.validate import _read_workbook, find_workbook

    if not folder.is_dir():
        raise SurveyError(f"フォルダ {folder} がありません。マスタブックのあるフォルダを指定してください。")
    path = find_workbook(folder, BCP)
    if path is None:
        raise SurveyError(f"{folder} に bcp_master.xlsx がありません。区BCPマスタのあるフォルダを指定してください。")
    raw = RawWorkbook(path)
    try:
        wb = _read_workbook(BCP, path, raw, ValidationReport())
    finally:
        raw.close()
    orgs = wb.sheets.get("組織")
    tasks = wb.sheets.get(SHEET)
    for name, data in (("組織", orgs), (SHEET, tasks)):
        if data is None or data.frame is None:
            raise SurveyError(
                f"{path.name} のシート「{name}」を読み込めないため業務調査を行えません。"
                "bcp-xl validate で問題を確認して直してください。"
            )
    assert orgs is not None and orgs.frame is not None and tasks is not None
    df = orgs.frame
    units: dict[str, Unit] = {}
    for oid, name, level in zip(df["org_id"], df["org_name"], df["level"], strict=True):
        if isinstance(oid, str) and level == "課" and oid not in units:
            units[oid] = Unit(oid, name if isinstance(name, str) else "", (oid,))
    unit_of_org = {u: u for u in units}
    for oid, level, parent in zip(df["org_id"], df["level"], df["parent_org_id"], strict=True):
        if isinstance(oid, str) and level == "係" and parent in units and oid not in unit_of_org:
            unit_of_org[oid] = parent
            u = units[parent]
            units[parent] = Unit(u.org_id, u.name, (*u.members, oid))
    procs = wb.sheets.get("行動手順")
    return _Master(path, wb.settings, orgs, tasks, procs, units, unit_of_org)


def survey_file_name(unit: Unit) -> str:
    """``業務調査票_<組織ID>_<課名>.xlsx``, with characters that no file system takes replaced by ``_``."""
    name = _BAD_NAME.sub("_", unit.name).strip(" .") or "課"
    return f"{FILE_PREFIX}_{unit.org_id}_{name}.xlsx"


def _columns(m: _Master) -> list[Column]:
    """The survey's columns: in the order of the master's sheet, then any the master lacks."""
    letters = m.tasks.letters
    present = sorted((c for c in m.spec.columns if c.name in letters), key=lambda c: col_index(letters[c.name]))
    return present + [c for c in m.spec.columns if c.name not in letters]


# ---- split ------------------------------------------------------------------------------------------


def split(master_dir: Path, out: Path, *, force: bool = False, argv: Sequence[str] = ()) -> list[Path]:
    """Write one survey workbook per 課 of 組織 into ``out`` and return their paths.

    Each holds that 課's rows of 業務一覧 (its own and its 係's, in master order), or none. Existing
    survey files are not overwritten unless ``force`` (a returned survey may sit there).
    """
    from bcp_xl.api import _ensure_writable, append_run_log

    m = _load_master(master_dir)
    frame = m.tasks.frame
    assert frame is not None
    rows_of: dict[str, list[int]] = {u: [] for u in m.units}
    for r in frame.index:
        u = m.unit_of_row(int(r))
        if u is not None:
            rows_of[u].append(int(r))
    targets = [(unit, out / survey_file_name(unit)) for unit in m.units.values()]
    existing = [p for _, p in targets if p.exists()]
    if existing and not force:
        names = "、".join(p.name for p in existing[:3]) + (" など" if len(existing) > 3 else "")
        raise OutputError(
            f"{out} に {names} が既にあります。回収済みの調査票を上書きしないよう、別のフォルダを指定するか --force を付けてください。"
        )
    _ensure_writable(out)
    columns = _columns(m)
    paths = []
    for unit, path in targets:
        _write_survey(path, m, unit, rows_of[unit.org_id], columns)
        paths.append(path)
    append_run_log(out, "survey split", [m.path], paths, "ok", argv)
    return paths


def _plain(value: Any) -> Any:
    """A cell value as calamine gave it, ready for openpyxl (integral floats become ints)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _list_values(col: Column, m: _Master, unit: Unit) -> tuple[Any, ...]:
    if col.name == "org_id":
        return unit.members
    if col.kind == "enum":
        return _allowed(col, m.settings)
    if col.kind == "band":
        return BAND_ITEMS
    if col.kind == "impact":
        return (1, 2, 3, 4, 5)
    if col.kind == "bool":
        return ("○", "×")
    return ()


def _write_survey(path: Path, m: _Master, unit: Unit, rows: Sequence[int], columns: Sequence[Column]) -> None:
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.worksheet.datavalidation import DataValidation

    from bcp_xl.workbook.writer import (
        HEADER_FONT,
        VALIDATION_ROWS,
        input_prompt,
        number_format,
        print_setup,
        save_workbook,
        write_cell,
        write_header,
    )

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    lists = wb.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    list_ranges: dict[str, str] = {}
    k = 0
    for col in columns:
        values = _list_values(col, m, unit)
        if not values:
            continue
        k += 1
        letter = col_letter(k)
        lists.cell(1, k, col.header).font = HEADER_FONT
        for i, v in enumerate(values, start=2):
            lists.cell(i, k, v)
        list_ranges[col.name] = f"'{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        lists.column_dimensions[letter].width = 22

    write_header(ws, columns)
    formats = [number_format(col) for col in columns]
    for i, r in enumerate(rows, start=2):
        for j, col in enumerate(columns, start=1):
            v = _plain(m.tasks.raw_value(col.name, r))
            if v is None:
                continue
            write_cell(ws, i, j, v, formats[j - 1])
    last = max(VALIDATION_ROWS, len(rows) + 1)
    for j, col in enumerate(columns, start=1):
        letter = col_letter(j)
        if col.name in list_ranges:
            strict = col.kind == "enum"
            dv = DataValidation(type="list", formula1=list_ranges[col.name], allow_blank=True, showErrorMessage=strict)
            if strict:
                dv.error = f"{col.header} は一覧から選んでください"
                dv.errorTitle = "入力値の確認"
        else:
            dv = DataValidation(allow_blank=True)
        dv.promptTitle = col.header[:32]
        dv.prompt = input_prompt(col)[:255]
        dv.showInputMessage = True
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    key_col = next((j for j, c in enumerate(columns, start=1) if c.name == "task_id"), 0)
    ws.freeze_panes = "B2" if key_col == 1 else "A2"
    ws.row_dimensions[1].height = 32
    ws.auto_filter.ref = f"A1:{col_letter(len(columns))}{max(len(rows) + 1, 2)}"
    print_setup(ws, landscape=True)
    wb.properties.title = f"{FILE_PREFIX} {unit.org_id} {unit.name}"
    wb.custom_doc_props.append(StringProperty(name=ORG_PROPERTY, value=unit.org_id))
    save_workbook(wb, path)


# ---- merge: the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """One changed cell of a task row: header, the master cell after the merge, old and new value."""

    column: str
    ref: str
    old: str
    new: str
    name: str = ""  # snake_case name of the column


@dataclass
class RowChange:
    """A task row added, changed or removed; ``row`` is the Excel row in the master after the merge
    (for a removed row, the row it had before)."""

    kind: str  # added / changed / removed
    task_id: str
    task_name: str
    row: int
    cells: list[CellChange] = field(default_factory=list)


KIND_LABEL = {"added": "追加", "changed": "変更", "removed": "削除"}
STATUS_LABEL = {
    "merged": "取込済み",
    "unchanged": "変更なし",
    "error": "取込せず(エラー)",
    "empty": "取込せず(データなし)",
}


@dataclass
class UnitMerge:
    """What one returned survey did to its 課's rows."""

    file: Path
    org_id: str | None
    org_name: str
    status: str  # merged / unchanged / error / empty
    rows: list[RowChange] = field(default_factory=list)
    reordered: bool = False

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)


@dataclass
class MergeResult:
    """Everything ``merge`` did and found: the per-課 changes, the issues, the backup."""

    master: Path
    report: ValidationReport
    units: list[UnitMerge]
    written: bool = False
    backup: Path | None = None

    @property
    def changes(self) -> int:
        """Rows added, changed or removed, plus 課 whose rows only changed order."""
        return sum(len(u.rows) + (1 if u.reordered else 0) for u in self.units if u.status == "merged")

    @property
    def ok(self) -> bool:
        """True when no returned file had an error."""
        return self.report.ok

    def table(self) -> list[tuple[str, ...]]:
        """One line per changed cell, per added or removed row, and per survey not merged (課 whose
        survey changed nothing are left out): 組織ID, 課名, 調査票, 区分, 業務ID, セル, 列名, 変更前, 変更後."""
        out: list[tuple[str, ...]] = []
        for u in self.units:
            head = (u.org_id or "", u.org_name, u.file.name)
            if u.status == "unchanged":
                continue
            if u.status != "merged":
                out.append((*head, STATUS_LABEL[u.status], "", "", "", "", ""))
                continue
            if u.reordered:
                out.append((*head, "並べ替え", "", "", "", "", ""))
            for r in u.rows:
                label = KIND_LABEL[r.kind]
                if r.kind == "changed":
                    for c in r.cells:
                        out.append((*head, label, r.task_id, c.ref, c.column, c.old, c.new))
                else:
                    out.append((*head, label, r.task_id, f"{r.row}:{r.row}", "", r.task_name, ""))
        return out

    def summary(self) -> str:
        merged = [u for u in self.units if u.status == "merged"]
        a = sum(u.count("added") for u in merged)
        c = sum(u.count("changed") for u in merged)
        r = sum(u.count("removed") for u in merged)
        skipped = sum(1 for u in self.units if u.status in ("error", "empty"))
        return f"変更 {self.changes} 件(追加 {a}、変更 {c}、削除 {r})、取り込まなかった調査票 {skipped} 件"


# ---- merge: reading a returned survey -----------------------------------------------------------


@dataclass
class _Survey:
    path: Path
    index: int
    org_id: str | None = None
    data: SheetData | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def has_error(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def add(self, issue: Issue) -> None:
        self.issues.append(dataclasses.replace(issue, sheet_pos=self.index))


_PROP = re.compile(
    r'<(?:\w+:)?property\b[^>]*\bname="' + ORG_PROPERTY + r'"[^>]*>\s*<(?:\w+:)?\w+\b[^>]*>([^<]*)</', re.S
)
_NAME_ID = re.compile(r"^" + FILE_PREFIX + r"_(ORG-\d+)")


def survey_org_id(path: Path) -> str | None:
    """The 組織ID of a survey: the custom property ``bcp_xl_org_id``, else the file name."""
    try:
        with zipfile.ZipFile(path) as z:
            if "docProps/custom.xml" in z.namelist():
                m = _PROP.search(z.read("docProps/custom.xml").decode("utf-8", "replace"))
                if m and m.group(1).strip():
                    return nz.normalize_id(m.group(1))
    except (OSError, zipfile.BadZipFile):
        pass
    m2 = _NAME_ID.match(nz.normalize_id(unicodedata.normalize("NFC", path.name)))
    return m2.group(1) if m2 else None


def _read_survey(path: Path, index: int, m: _Master) -> _Survey:
    from bcp_xl.schemas.models import check_sheet
    from bcp_xl.schemas.rules import reference_rules, sheet_rules

    sv = _Survey(path, index)
    try:
        raw = RawWorkbook(path)
    except WorkbookFileError as err:
        sv.add(err.issue)
        return sv
    try:
        sv.org_id = survey_org_id(path)
        if sv.org_id is None or sv.org_id not in m.units:
            shown = (
                f"「{sv.org_id}」は{m.path.name} の 組織 にある課ではありません" if sv.org_id else "課を特定できません"
            )
            sv.add(
                make_issue(
                    "unknown-survey-org",
                    f"業務調査票の{shown}。bcp-xl survey split で作った調査票(ファイル名 {FILE_PREFIX}_<組織ID>_<課名>.xlsx)を返送してください",
                    CellRef(path.name),
                    sv.org_id,
                )
            )
        if SHEET not in raw.sheet_names:
            sv.add(
                make_issue(
                    "missing-sheet",
                    f"シート「{SHEET}」がありません。配布した調査票のシート名を変えずに返送してください",
                    CellRef(path.name, SHEET),
                )
            )
            return sv
        data, issues = read_sheet(m.spec, path.name, raw.sheet(SHEET), m.settings)
    finally:
        raw.close()
    for i in issues:
        sv.add(i)
    if data.frame is None:
        return sv
    for col in m.spec.columns:
        if col.name not in data.letters and not any(i.code == "missing-column" for i in sv.issues):
            sv.add(
                make_issue(
                    "missing-column",
                    f"列「{col.header}」がありません。調査票の列は削除せず、見出し「{col.header}」の列を戻してください",
                    CellRef(path.name, SHEET, "1:1", col.header),
                    row=1,
                )
            )
    if any(i.code == "missing-column" for i in sv.issues):
        return sv
    sv.data = data
    allowed = {c.name: _allowed(c, m.settings) for c in m.spec.columns if c.kind == "enum"}
    for i in check_sheet(data, allowed):
        sv.add(i)
    for i in sheet_rules({("survey", SHEET): data}):
        sv.add(i)
    refs: dict[tuple[str, str], SheetData] = {("survey", SHEET): data, (BCP, "組織"): m.orgs}
    if m.procedures is not None:
        refs[(BCP, "行動手順")] = m.procedures
    for i in reference_rules(refs, {BCP}, {BCP: m.path.name}):
        if i.where.workbook == path.name:
            sv.add(i)
    if sv.org_id in m.units:
        _ownership(sv, m)
    return sv


def _ownership(sv: _Survey, m: _Master) -> None:
    """``foreign-row`` and ``foreign-task``: rows and tasks of other 課."""
    data = sv.data
    assert data is not None and data.frame is not None and sv.org_id is not None
    unit = m.units[sv.org_id]
    org_level = (
        dict(zip(m.orgs.frame["org_id"], m.orgs.frame["level"], strict=True)) if m.orgs.frame is not None else {}
    )
    mframe = m.tasks.frame
    assert mframe is not None
    master_unit: dict[str, tuple[str | None, int]] = {}
    for r, tid in zip(mframe.index, mframe["task_id"], strict=True):
        if isinstance(tid, str) and tid not in master_unit:
            master_unit[tid] = (m.unit_of_row(int(r)), int(r))
    df = data.frame
    for r, tid, oid in zip(df.index, df["task_id"], df["org_id"], strict=True):
        row = int(r)
        if isinstance(oid, str) and oid in org_level and oid not in unit.members:
            owner = m.unit_of_org.get(oid)
            where = f"{owner} {m.units[owner].name}" if owner else f"階層「{org_level[oid]}」"
            sv.add(
                data.issue(
                    "foreign-row",
                    f"組織ID {oid} はこの調査票の課({unit.org_id} {unit.name})とその係ではありません({where}の組織)。"
                    f"{'、'.join(unit.members)} のいずれかを入力してください",
                    "org_id",
                    row,
                    nz.display(data.raw_value("org_id", row)),
                )
            )
            data.excluded.add(row)
        if isinstance(tid, str) and tid in master_unit and master_unit[tid][0] != unit.org_id:
            owner_unit, mrow = master_unit[tid]
            whose = f"{owner_unit} {m.units[owner_unit].name}" if owner_unit else "課に属さない組織"
            sv.add(
                data.issue(
                    "foreign-task",
                    f"業務ID {tid} は {m.path.name} の 業務一覧 {mrow} 行目で {whose} の業務です。"
                    "新しい業務には未使用の業務IDを付けてください(課の間で業務を移す場合はマスタで直接修正してください)",
                    "task_id",
                    row,
                    nz.display(data.raw_value("task_id", row)),
                )
            )
            data.excluded.add(row)


def _cross_file(surveys: Sequence[_Survey], m: _Master) -> None:
    """``duplicate-survey`` (two files for one 課) and ``id-clash`` (one 業務ID in two files)."""
    by_unit: dict[str, list[_Survey]] = {}
    for sv in surveys:
        if sv.org_id in m.units and sv.data is not None:
            by_unit.setdefault(sv.org_id, []).append(sv)
    for org, group in by_unit.items():
        if len(group) > 1:
            for sv in group:
                others = "、".join(o.name for o in group if o is not sv)
                sv.add(
                    make_issue(
                        "duplicate-survey",
                        f"{org} {m.units[org].name} の調査票が複数あります(ほかに {others})。1課につき1つの調査票を指定してください",
                        CellRef(sv.name),
                        org,
                    )
                )
    seen: dict[str, list[tuple[_Survey, int]]] = {}
    for sv in surveys:
        if sv.data is None or sv.data.frame is None:
            continue
        for r, tid in zip(sv.data.frame.index, sv.data.frame["task_id"], strict=True):
            if isinstance(tid, str):
                seen.setdefault(tid, []).append((sv, int(r)))
    for tid, places in seen.items():
        files = {id(sv) for sv, _ in places}
        if len(files) < 2:
            continue
        for sv, row in places:
            others = "、".join(sorted({o.name for o, _ in places if o is not sv}))
            assert sv.data is not None
            sv.add(
                sv.data.issue(
                    "id-clash",
                    f"業務ID {tid} がほかの調査票({others})にもあります。この調査票は取り込みません。どちらか一方の業務IDを直してください",
                    "task_id",
                    row,
                    nz.display(sv.data.raw_value("task_id", row)),
                )
            )


# ---- merge: the plan ----------------------------------------------------------------------------


@dataclass
class _NewRow:
    """A row of a merged 課 to write: from the survey, over the master row it replaces (if any)."""

    survey: _Survey
    srow: int
    mrow: int | None
    changed: dict[str, Any]  # column name → new raw value (None: clear) for cells that differ


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return bool(a == b)
    except Exception:
        return False


def _diff_unit(sv: _Survey, m: _Master, master_rows: list[int]) -> tuple[UnitMerge, list[_NewRow]]:
    data = sv.data
    assert data is not None and data.frame is not None and sv.org_id is not None
    unit = m.units[sv.org_id]
    um = UnitMerge(sv.path, unit.org_id, unit.name, "merged")
    mframe = m.tasks.frame
    assert mframe is not None
    first_of: dict[str, int] = {}
    for r in master_rows:
        tid = mframe.at[r, "task_id"]
        if isinstance(tid, str):
            first_of.setdefault(tid, r)
    sframe = data.frame
    names = [c.name for c in m.spec.columns]
    not_in_master = [n for n in names if n not in m.tasks.letters]
    warned: set[str] = set()
    plan: list[_NewRow] = []
    matched: set[int] = set()
    for r in sframe.index:
        srow = int(r)
        tid = sframe.at[srow, "task_id"]
        mrow = first_of.get(tid) if isinstance(tid, str) else None
        changed: dict[str, Any] = {}
        for n in names:
            new = sframe.at[srow, n]
            old = mframe.at[mrow, n] if mrow is not None else None
            if _same(old, new):
                continue
            if n in not_in_master:
                if n not in warned:
                    warned.add(n)
                    col = m.spec.column(n)
                    sv.add(
                        data.issue(
                            "column-not-in-master",
                            f"{m.path.name} の 業務一覧 に列「{col.header}」がないため、この列の値は取り込みません。"
                            "取り込むにはマスタに列を追加してください",
                            n,
                            None,
                            severity="warning",
                        )
                    )
                continue
            changed[n] = data.raw_value(n, srow)
        plan.append(_NewRow(sv, srow, mrow, changed))
        if mrow is not None:
            matched.add(mrow)
            if changed:
                um.rows.append(
                    RowChange(
                        "changed",
                        _text_of(tid),
                        _text_of(sframe.at[srow, "task_name"]),
                        0,
                        [
                            CellChange(
                                m.tasks.headers.get(n, m.spec.column(n).header),
                                "",
                                _shown(m.tasks.raw_value(n, mrow)),
                                _shown(v),
                                n,
                            )
                            for n, v in changed.items()
                        ],
                    )
                )
        else:
            um.rows.append(RowChange("added", _text_of(tid), _text_of(sframe.at[srow, "task_name"]), 0))
    for r in master_rows:
        if r not in matched:
            um.rows.append(
                RowChange("removed", _text_of(mframe.at[r, "task_id"]), _text_of(mframe.at[r, "task_name"]), r)
            )
    kept_order = [p.mrow for p in plan if p.mrow is not None]
    um.reordered = kept_order != [r for r in master_rows if r in matched]
    if not um.rows and not um.reordered:
        um.status = "unchanged"
    return um, plan


def _text_of(v: Any) -> str:
    return "" if v is None else nz.display(v)


def _shown(v: Any) -> str:
    return "" if v is None or v == "" else nz.display(v)


def merge(
    master_dir: Path,
    returned: Sequence[Path],
    *,
    stamp: str | None = None,
    argv: Sequence[str] = (),
) -> MergeResult:
    """Validate the returned surveys and merge the good ones into 業務一覧 of bcp_master, in place.

    ``stamp`` names the backup (``DIR/.backup/bcp_master.<stamp>.xlsx``); the CLI passes the clock.
    Nothing at all is written when the merge changes nothing. Raises :class:`WorkbookFileError`
    (``workbook-locked``) when Excel holds the master, :class:`SurveyError` when the master cannot
    be used.
    """
    from bcp_xl.workbook.results import refuse_if_locked

    m = _load_master(master_dir)
    refuse_if_locked(m.path)
    surveys = [_read_survey(p, i, m) for i, p in enumerate(returned, start=1)]
    _cross_file(surveys, m)
    report = ValidationReport()
    units: list[UnitMerge] = []
    plans: dict[str, list[_NewRow]] = {}
    master_rows = _rows_by_unit(m)
    for sv in surveys:
        unit = m.units.get(sv.org_id) if sv.org_id else None
        name = unit.name if unit else ""
        if sv.has_error() or sv.data is None or sv.data.frame is None:
            units.append(UnitMerge(sv.path, sv.org_id, name, "error"))
        elif sv.data.frame.empty:
            sv.add(
                make_issue(
                    "empty-survey",
                    f"調査票に業務の行がありません。{sv.org_id} {name} の業務はマスタのまま変更しません"
                    "(業務がなくなった場合はマスタで行を削除してください)",
                    CellRef(sv.name, SHEET),
                    severity="warning",
                    sheet_pos=sv.index,
                )
            )
            units.append(UnitMerge(sv.path, sv.org_id, name, "empty"))
        else:
            assert sv.org_id is not None
            um, plan = _diff_unit(sv, m, master_rows.get(sv.org_id, []))
            units.append(um)
            if um.status == "merged":
                plans[sv.org_id] = plan
        report.extend(sv.issues)
    result = MergeResult(m.path, report, units)
    if not plans:
        return result
    backup_stamp = stamp or dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    _write_master(m, plans, master_rows, result, backup_stamp)
    from bcp_xl.api import append_run_log

    log_dir = master_dir / ".bcp_xl"
    try:
        log_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{log_dir} を作成できません({exc.strerror})。") from exc
    inputs = [p for p in (result.backup, *returned) if p is not None]
    append_run_log(log_dir, "survey merge", inputs, [m.path], "ok" if report.ok else "errors", argv)
    return result


def _rows_by_unit(m: _Master) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    assert m.tasks.frame is not None
    for r in m.tasks.frame.index:
        u = m.unit_of_row(int(r))
        if u is not None:
            out.setdefault(u, []).append(int(r))
    return out


# ---- merge: rewriting the sheet XML -------------------------------------------------------------


@dataclass
class _Cell:
    col: int
    attrs: str
    body: str | None  # None for a self-closing cell
    text: str


class _Row:
    """One ``<row>`` as found; its cells are parsed only when the row is rewritten."""

    def __init__(self, sheet: _SheetXml, num: int, attrs: str, body: str, text: str) -> None:
        self.sheet, self.num, self.attrs, self.body, self.text = sheet, num, attrs, body, text

    @cached_property
    def cells(self) -> list[_Cell]:
        return self.sheet._cells(self.body)


class _SheetXml:
    """The 業務一覧 part split around ``<sheetData>`` into head, rows and tail."""

    def __init__(self, xml: str) -> None:
        m = re.search(r"<(\w+:)?sheetData\b([^>]*?)(/?)>", xml)
        if m is None:
            raise OutputError("業務一覧 のシート XML に sheetData がありません。Excel で保存し直してください。")
        self.p = p = m.group(1) or ""
        if m.group(3) == "/":
            self.head = xml[: m.start()] + f"<{p}sheetData{m.group(2)}>"
            body = ""
            self.tail = f"</{p}sheetData>" + xml[m.end() :]
        else:
            end = xml.index(f"</{p}sheetData>", m.end())
            self.head, body, self.tail = xml[: m.end()], xml[m.end() : end], xml[end:]
        self._row = re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S)
        self._cell = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
        self.rows: list[_Row] = []
        prev = 0
        for rm in self._row.finditer(body):
            attrs = rm.group(1)
            r = re.search(r'(?<![\w:])r="(\d+)"', attrs)
            num = int(r.group(1)) if r else prev + 1
            prev = num
            self.rows.append(_Row(self, num, attrs, rm.group(2) or "", rm.group(0)))
        self.by_num = {row.num: row for row in self.rows}
        self.shared = 't="shared"' in body

    def _cells(self, body: str) -> list[_Cell]:
        out = []
        prev = 0
        for cm in self._cell.finditer(body):
            attrs = cm.group(1)
            r = re.search(r'(?<![\w:])r="([A-Z]+)\d+"', attrs)
            col = col_index(r.group(1)) if r else prev + 1
            prev = col
            out.append(_Cell(col, attrs, cm.group(2), cm.group(0)))
        return out


_R_ATTR = re.compile(r'(?<![\w:])r="[^"]*"')
_T_ATTR = re.compile(r'(?<![\w:])t="(\w+)"')
_S_ATTR = re.compile(r'(?<![\w:])s="(\d+)"')


class _RowWriter:
    def __init__(self, sheet: _SheetXml, m: _Master, styles_xml: bytes | None) -> None:
        self.sheet = sheet
        self.p = sheet.p
        self.m = m
        self.froze = False
        # a shared formula spans rows: once the sheet is rewritten, every one is replaced by its value
        self.shared = sheet.shared
        self.styles_xml = styles_xml
        self.new_styles: bytes | None = None
        self._date_style: int | None = None
        self.col_of = {n: col_index(letter) for n, letter in m.tasks.letters.items()}
        self.kind_of = {c.name: c.kind for c in m.spec.columns}
        # styles for new cells: the master's first data row, else the <col style> of the column
        self.style: dict[int, str] = {}
        for cm in re.finditer(r"<(?:\w+:)?col\b([^>]*)/?>", sheet.head):
            a = cm.group(1)
            lo, hi, st = (re.search(rf'\b{k}="(\d+)"', a) for k in ("min", "max", "style"))
            if lo and hi and st:
                for c in range(int(lo.group(1)), min(int(hi.group(1)), 16384) + 1):
                    self.style[c] = st.group(1)
        assert m.tasks.frame is not None
        if len(m.tasks.frame.index):
            first = sheet.by_num.get(int(m.tasks.frame.index[0]))
            if first is not None:
                for cell in first.cells:
                    s = _S_ATTR.search(cell.attrs)
                    if s:
                        self.style[cell.col] = s.group(1)

    # -- cells --
    def _renumber_cell(self, cell: _Cell, num: int, moved: bool) -> str:
        ref = f'r="{col_letter(cell.col)}{num}"'
        attrs = _R_ATTR.sub(ref, cell.attrs, count=1) if _R_ATTR.search(cell.attrs) else f" {ref}{cell.attrs}"
        body = cell.body
        p = self.p
        if body is not None and f"<{p}f" in body and (moved or (self.shared and 't="shared"' in body)):
            self.froze = True
            v = re.search(rf"<{p}v>(.*?)</{p}v>", body, re.S)
            t = _T_ATTR.search(attrs)
            kind = t.group(1) if t else "n"
            if kind == "str":
                attrs = _T_ATTR.sub('t="inlineStr"', attrs)
                body = f'<{p}is><{p}t xml:space="preserve">{v.group(1) if v else ""}</{p}t></{p}is>'
            elif v is None or v.group(1) == "":
                attrs = _T_ATTR.sub("", attrs)
                body = None
            else:
                body = f"<{p}v>{v.group(1)}</{p}v>"
        if not moved and attrs == cell.attrs and body == cell.body:
            return cell.text
        return f"<{p}c{attrs}/>" if body is None else f"<{p}c{attrs}>{body}</{p}c>"

    def _value_cell(self, col: int, num: int, name: str, value: Any) -> str | None:
        p = self.p
        ref = f"{col_letter(col)}{num}"
        style = self.style.get(col)
        s = f' s="{style}"' if style else ""
        if nz.is_blank(value) or (isinstance(value, float) and math.isnan(value)):
            return f'<{p}c r="{ref}"{s}/>' if style else None
        if isinstance(value, bool):
            return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, (int, float)):
            if isinstance(value, float) and math.isinf(value):
                return None
            return f'<{p}c r="{ref}"{s}><{p}v>{_num(value)}</{p}v></{p}c>'
        if isinstance(value, dt.date) and self.kind_of.get(name) == "date":
            d = value.date() if isinstance(value, dt.datetime) else value
            ds = style or str(self.date_style())
            return f'<{p}c r="{ref}" s="{ds}"><{p}v>{(d - EXCEL_EPOCH).days}</{p}v></{p}c>'
        text = value if isinstance(value, str) else nz.display(value)
        # an inline string is never a formula: text starting with = + - @ stays text
        return (
            f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
            f"{escape(_ILLEGAL.sub('', text))}</{p}t></{p}is></{p}c>"
        )

    def date_style(self) -> int:
        if self._date_style is None:
            from bcp_xl.workbook.results import _Styles

            if self.styles_xml is None:
                return 0
            st = _Styles(self.new_styles or self.styles_xml)
            self._date_style = st.xf("yyyy/m/d")
            if st.changed:
                self.new_styles = st.xml.encode("utf-8")
        return self._date_style

    # -- rows --
    def _untouched(self, row: _Row) -> bool:
        return not (self.shared and 't="shared"' in row.text)

    def kept(self, row: _Row, num: int) -> str:
        if num == row.num and self._untouched(row):
            return row.text
        moved = num != row.num
        return self._row_xml(row.attrs, num, [(c.col, self._renumber_cell(c, num, moved)) for c in row.cells])

    def _row_xml(self, attrs: str, num: int, cells: list[tuple[int, str | None]]) -> str:
        p = self.p
        ref = f'r="{num}"'
        attrs = _R_ATTR.sub(ref, attrs, count=1) if _R_ATTR.search(attrs) else f" {ref}{attrs}"
        attrs = re.sub(r'\sspans="[^"]*"', "", attrs)
        body = "".join(x for _, x in sorted(cells, key=lambda t: t[0]) if x)
        return f"<{p}row{attrs}>{body}</{p}row>" if body else f"<{p}row{attrs}/>"

    def written(self, nr: _NewRow, num: int) -> str:
        data = nr.survey.data
        assert data is not None
        if nr.mrow is not None and nr.mrow in self.sheet.by_num:
            base = self.sheet.by_num[nr.mrow]
            moved = base.num != num
            if not nr.changed and not moved and self._untouched(base):
                return base.text
            cells: dict[int, str | None] = {}
            for c in base.cells:
                cells[c.col] = self._renumber_cell(c, num, moved)
            for name, value in nr.changed.items():
                col = self.col_of[name]
                cells[col] = self._value_cell(col, num, name, value)
            return self._row_xml(base.attrs, num, list(cells.items()))
        out: list[tuple[int, str | None]] = []
        for name, col in self.col_of.items():
            out.append((col, self._value_cell(col, num, name, data.raw_value(name, nr.srow))))
        return self._row_xml("", num, out)


def _num(v: int | float) -> str:
    if isinstance(v, int) or (v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return repr(float(v))


def _sheet_part(path: Path) -> tuple[str, str | None]:
    """The part name of 業務一覧 and of the calculation chain (if any) in the master package."""
    from bcp_xl.workbook.results import _sheet_entries, _targets

    with zipfile.ZipFile(path) as z:
        wb_xml = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        names = set(z.namelist())
    targets = _targets(rels)
    for name, rid, _ in _sheet_entries(wb_xml):
        if name == SHEET and rid in targets:
            return targets[rid], "xl/calcChain.xml" if "xl/calcChain.xml" in names else None
    raise OutputError(f"{path.name}: 業務一覧 のシートの場所が分かりません。Excel で保存し直してください。")


def _plan_rows(
    m: _Master, sheet: _SheetXml, plans: dict[str, list[_NewRow]], master_rows: dict[str, list[int]]
) -> list[tuple[str, Any]]:
    """The new row sequence: ("keep", _Row), ("drop", old row number) and ("new", _NewRow)."""
    assert m.tasks.frame is not None
    frame_rows = [int(r) for r in m.tasks.frame.index]
    last_data = frame_rows[-1] if frame_rows else 1
    owner = {r: u for u, rows in master_rows.items() if u in plans for r in rows}
    entries: list[tuple[str, Any]] = []
    placed: set[str] = set()
    append_at: int | None = None
    for num in sorted(set(sheet.by_num) | set(owner)):
        u = owner.get(num)
        if u is not None:
            entries.append(("drop", num))
            if u not in placed:
                placed.add(u)
                entries.extend(("new", nr) for nr in plans[u])
        else:
            entries.append(("keep", sheet.by_num[num]))
        if num == last_data or (num == 1 and not frame_rows):
            append_at = len(entries)  # after the last data row (or the header when there is no data)
    tail = [("new", nr) for u, plan in plans.items() if u not in placed for nr in plan]
    if append_at is None:
        append_at = len(entries)
    return entries[:append_at] + tail + entries[append_at:]


def _build_sheet(
    m: _Master,
    xml: str,
    plans: dict[str, list[_NewRow]],
    master_rows: dict[str, list[int]],
    styles: bytes | None,
    result: MergeResult,
) -> tuple[str, _RowWriter, list[str]]:
    sheet = _SheetXml(xml)
    writer = _RowWriter(sheet, m, styles)
    entries = _plan_rows(m, sheet, plans, master_rows)
    out: list[str] = []
    expected: list[str] = []
    new_num_of: dict[tuple[int, int], int] = {}  # (survey index, survey row) → master row
    old_cur = new_cur = 0
    assert m.tasks.frame is not None
    frame_rows = set(int(r) for r in m.tasks.frame.index)
    for kind, x in entries:
        if kind == "keep":
            row: _Row = x
            num = new_cur + (row.num - old_cur)
            old_cur, new_cur = row.num, num
            out.append(writer.kept(row, num))
            if row.num in frame_rows:
                tid = m.tasks.frame.at[row.num, "task_id"]
                expected.append(tid if isinstance(tid, str) else "")
        elif kind == "drop":
            new_cur += (x - old_cur) - 1
            old_cur = x
        else:
            nr: _NewRow = x
            new_cur += 1
            out.append(writer.written(nr, new_cur))
            new_num_of[(nr.survey.index, nr.srow)] = new_cur
            assert nr.survey.data is not None and nr.survey.data.frame is not None
            tid = nr.survey.data.frame.at[nr.srow, "task_id"]
            expected.append(tid if isinstance(tid, str) else "")
    last_row = max(new_cur, 1)
    head = sheet.head
    dim = re.search(r'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+\d+)(?::([A-Z]+)\d+)?"', head)
    if dim:
        start = dim.group(1)
        max_col = max([col_index(dim.group(2) or re.sub(r"\d", "", start)), *writer.col_of.values()])
        head = head[: dim.start(1)] + f"{start}:{col_letter(max_col)}{last_row}" + head[dim.end(0) - 1 :]
    tail = sheet.tail
    af = re.search(r'(<(?:\w+:)?autoFilter\b[^>]*\bref=")([A-Z]+)(\d+):([A-Z]+)(\d+)(")', tail)
    if af:
        tail = (
            tail[: af.start()]
            + f"{af.group(1)}{af.group(2)}{af.group(3)}:{af.group(4)}{max(last_row, int(af.group(3)) + 1)}{af.group(6)}"
            + tail[af.end() :]
        )
    # the report's rows and cells refer to the master after the merge
    letters = m.tasks.letters
    for u in result.units:
        if u.status != "merged" or u.org_id not in plans:
            continue
        by_task: dict[str, int] = {}
        for nr in plans[u.org_id]:
            d = nr.survey.data
            assert d is not None and d.frame is not None
            tid = d.frame.at[nr.srow, "task_id"]
            if isinstance(tid, str):
                by_task.setdefault(tid, new_num_of[(nr.survey.index, nr.srow)])
        for rc in u.rows:
            if rc.kind == "removed":
                continue
            rc.row = by_task.get(rc.task_id, 0)
            rc.cells = [dataclasses.replace(c, ref=f"{letters[c.name]}{rc.row}") for c in rc.cells]
    return head + "".join(out) + tail, writer, expected


def _write_master(
    m: _Master, plans: dict[str, list[_NewRow]], master_rows: dict[str, list[int]], result: MergeResult, stamp: str
) -> None:
    from bcp_xl.workbook.fileio import replace_atomically, temp_beside
    from bcp_xl.workbook.results import backup

    part, calc = _sheet_part(m.path)
    with zipfile.ZipFile(m.path) as z:
        xml = z.read(part).decode("utf-8")
        styles = z.read("xl/styles.xml") if "xl/styles.xml" in z.namelist() else None
    new_xml, writer, expected = _build_sheet(m, xml, plans, master_rows, styles, result)
    replace: dict[str, bytes] = {part: new_xml.encode("utf-8")}
    drop: set[str] = set()
    if writer.new_styles is not None:
        replace["xl/styles.xml"] = writer.new_styles
    if writer.froze and calc is not None:
        drop.add(calc)
    try:
        result.backup = backup(m.path, stamp)
        tmp = temp_beside(m.path)
    except OSError as exc:
        raise OutputError(
            f"{m.path.parent} にバックアップを書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
        ) from exc
    try:
        _copy_package(m.path, tmp, replace, drop)
        _check(tmp, m, expected)
        replace_atomically(tmp, m.path)
    except OSError as exc:
        raise OutputError(
            f"{m.path} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。元のブックはそのままです。"
        ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    result.written = True


def _copy_package(src: Path, dst: Path, replace: dict[str, bytes], drop: set[str]) -> None:
    """Copy every part of ``src`` with the same content, except those replaced or dropped."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            name = info.filename
            if name in drop:
                continue
            data = replace.get(name)
            if data is None:
                data = zin.read(name)
                if drop and name == "[Content_Types].xml":
                    data = _without_overrides(data, drop)
                elif drop and name == "xl/_rels/workbook.xml.rels":
                    data = _without_rels(data, drop)
            zi = zipfile.ZipInfo(name, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, data)


def _without_overrides(data: bytes, drop: set[str]) -> bytes:
    text = data.decode("utf-8")
    for part in drop:
        text = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", text)
    return text.encode("utf-8")


def _without_rels(data: bytes, drop: set[str]) -> bytes:
    text = data.decode("utf-8")
    for part in drop:
        rel = part.removeprefix("xl/")
        text = re.sub(rf'<Relationship\b[^>]*Target="/?(?:xl/)?{re.escape(rel)}"[^>]*/>', "", text)
    return text.encode("utf-8")


def _check(tmp: Path, m: _Master, expected: list[str]) -> None:
    """Re-open the written file: a whole package whose 業務一覧 holds exactly the expected 業務ID."""
    try:
        with zipfile.ZipFile(tmp) as z:
            if z.testzip() is not None:
                raise zipfile.BadZipFile("crc")
        raw = RawWorkbook(tmp)
        try:
            data, _ = read_sheet(m.spec, m.path.name, raw.sheet(SHEET), m.settings)
            names = raw.sheet_names
        finally:
            raw.close()
    except (WorkbookFileError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise OutputError(
            f"{m.path.name}: 書き出したブックの検査に失敗しました({exc})。元のブックはそのままです。"
        ) from exc
    got = [] if data.frame is None else [t if isinstance(t, str) else "" for t in data.frame["task_id"]]
    if got != expected or SHEET not in names:
        raise OutputError(f"{m.path.name}: 書き出したブックの 業務一覧 が想定と異なります。元のブックはそのままです。")


# ---- the merge report as a workbook ---------------------------------------------------------------


def write_merge_report(result: MergeResult, path: Path, inputs: Sequence[Path] = ()) -> Path:
    """Write the merge report (取込結果 and 問題 sheets) to ``path``, a new ``.xlsx``.

    Refuses to write over the master or any of ``inputs`` (the returned surveys).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from bcp_xl.workbook.writer import HEADER_FILL, save_workbook

    target = path.resolve()
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"取込結果のファイル名は .xlsx にしてください: {path}")
    if any(target == p.resolve() for p in (result.master, *inputs, *(u.file for u in result.units))):
        raise OutputError(f"{path.name} は入力のブックです。取込結果は別のファイル名で書き出してください。")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "取込結果"
    heads = ("組織ID", "課名", "調査票", "区分", "業務ID", "セル", "列名", "変更前", "変更後")
    _table(ws, heads, result.table(), Font, HEADER_FILL)
    ws2 = wb.create_sheet("問題")
    issues = [
        (i.severity, i.where.workbook, i.where.sheet or "", i.where.ref or "", i.code, i.message)
        for i in result.report.sorted()
    ]
    _table(ws2, ("重大度", "ブック", "シート", "セル", "コード", "メッセージ"), issues, Font, HEADER_FILL)
    return save_workbook(wb, path)


def _table(ws: Any, heads: Sequence[str], rows: Sequence[Sequence[str]], font: Any, fill: Any) -> None:
    from bcp_xl.errors import SEVERITY_LABEL

    for j, h in enumerate(heads, start=1):
        c = ws.cell(1, j, h)
        c.font = font(bold=True)
        c.fill = fill
        ws.column_dimensions[col_letter(j)].width = 14 if h not in ("メッセージ", "変更前", "変更後") else 40
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            cell = ws.cell(i, j)
            v = SEVERITY_LABEL.get(v, v) if j == 1 and heads[0] == "重大度" else v
            cell.data_type = "s"
            cell._value = v  # text stays text
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{col_letter(len(heads))}{max(len(rows) + 1, 2)}"


__all__ = [
    "CellChange",
    "MergeResult",
    "RowChange",
    "SurveyError",
    "Unit",
    "UnitMerge",
    "merge",
    "split",
    "survey_file_name",
    "survey_org_id",
    "write_merge_report",
]
