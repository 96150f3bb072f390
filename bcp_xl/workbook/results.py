"""Writing the tool-owned result sheets (``計算_…``) into a copy of a workbook, or in place.

openpyxl drops images, charts and pivot tables when it re-saves a workbook, so the package is edited
part by part instead: the result sheets' own XML is written here, ``xl/workbook.xml``, its
relationships and ``[Content_Types].xml`` get the entries needed to add them, and cell formats the
results need are appended to ``xl/styles.xml`` (existing formats keep their numbers). Every other part
is copied with the same content, so input sheets stay byte-identical in their XML.

Decision: ``docProps/app.xml`` is left as it was; Excel and LibreOffice rebuild the sheet titles it
lists and do not need it to open a file.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import signal
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcp_xl.errors import CellRef, Issue, OutputError, WorkbookFileError
from bcp_xl.workbook.fileio import atomic_write
from bcp_xl.workbook.reader import col_letter, is_locked, lock_file


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``xml.sax.saxutils.escape`` (the same replacements, in the same order) without importing
    ``xml.sax``, which pulls in ``urllib.request`` on every command that reads the contract."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for k, v in (entities or {}).items():
        data = data.replace(k, v)
    return data


WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_EPOCH = dt.date(1899, 12, 30)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CRASH_ENV = "BCP_XL_TEST_CRASH"  # test hook: "mid-write" or "before-replace" kills the process
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ResultColumn:
    """A column of a result sheet: header, snake_case name and display format (None = text/General)."""

    header: str
    name: str
    fmt: str | None = None
    width: int = 12


@dataclass
class ResultSheet:
    """One ``計算_…`` sheet: columns and rows of plain values (str, int, float, bool, date, None)."""

    name: str
    columns: Sequence[ResultColumn]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


# ---- styles ---------------------------------------------------------------------------------------

_BUILTIN_FMT = {"0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}


class _Styles:
    """Find or append the cell formats the result sheets need, leaving existing indexes alone."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml.decode("utf-8")
        self.changed = False
        self._cache: dict[tuple[str | None, bool], int] = {}

    def xf(self, fmt: str | None, bold: bool = False) -> int:
        key = (fmt, bold)
        if key not in self._cache:
            num = self._numfmt(fmt) if fmt else 0
            font = self._bold_font() if bold else 0
            self._cache[key] = self._cell_xf(num, font)
        return self._cache[key]

    def _numfmt(self, code: str) -> int:
        if code in _BUILTIN_FMT:
            return _BUILTIN_FMT[code]
        code_xml = escape(code, {'"': "&quot;"})
        for m in re.finditer(r'<numFmt\s+numFmtId="(\d+)"\s+formatCode="([^"]*)"\s*/>', self.xml):
            if m.group(2) == code_xml:
                return int(m.group(1))
        ids = [int(i) for i in re.findall(r'<numFmt\s+numFmtId="(\d+)"', self.xml)]
        new_id = max([163, *ids]) + 1
        entry = f'<numFmt numFmtId="{new_id}" formatCode="{code_xml}"/>'
        block = re.search(r'<numFmts\s+count="(\d+)"\s*>', self.xml)
        if block:
            end = self.xml.index("</numFmts>", block.end())
            self.xml = self.xml[:end] + entry + self.xml[end:]
            self.xml = (
                self.xml[: block.start()] + f'<numFmts count="{int(block.group(1)) + 1}">' + self.xml[block.end() :]
            )
        else:
            m2 = re.search(r"<styleSheet\b[^>]*>", self.xml)
            assert m2 is not None
            self.xml = self.xml[: m2.end()] + f'<numFmts count="1">{entry}</numFmts>' + self.xml[m2.end() :]
        self.changed = True
        return new_id

    def _bold_font(self) -> int:
        m = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", self.xml, re.S)
        assert m is not None
        fonts = re.findall(r"<font\b[^>]*?(?:/>|>.*?</font>)", m.group(1), re.S)
        ours = '<font><b val="1"/><sz val="11"/></font>'
        if ours in fonts:
            return fonts.index(ours)
        self._append("fonts", "font", ours)
        return len(fonts)

    def _cell_xf(self, num: int, font: int) -> int:
        m = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", self.xml, re.S)
        assert m is not None
        xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", m.group(1), re.S)
        apply = (' applyNumberFormat="1"' if num else "") + (' applyFont="1"' if font else "")
        ours = f'<xf numFmtId="{num}" fontId="{font}" fillId="0" borderId="0" xfId="0"{apply}/>'
        if ours in xfs:
            return xfs.index(ours)
        self._append("cellXfs", "xf", ours)
        return len(xfs)

    def _append(self, container: str, _item: str, entry: str) -> None:
        m = re.search(rf"<{container}\b([^>]*)>", self.xml)
        assert m is not None
        end = self.xml.index(f"</{container}>", m.end())
        self.xml = self.xml[:end] + entry + self.xml[end:]
        count = re.search(r'count="(\d+)"', m.group(1))
        if count:
            attrs = m.group(1).replace(count.group(0), f'count="{int(count.group(1)) + 1}"')
            self.xml = self.xml[: m.start()] + f"<{container}{attrs}>" + self.xml[m.end() :]
        self.changed = True


# ---- sheet XML ------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


def sheet_xml(sheet: ResultSheet, styles: _Styles) -> bytes:
    """The worksheet XML of one result sheet: frozen header, filter, widths, typed cells."""
    head_style = styles.xf(None, bold=True)
    col_styles = [styles.xf(c.fmt) if c.fmt else 0 for c in sheet.columns]
    date_style = styles.xf("yyyy/m/d")
    ncols = len(sheet.columns)
    last = col_letter(max(ncols, 1))
    nrows = len(sheet.rows) + 1
    out: list[str] = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">',
        f'<dimension ref="A1:{last}{nrows}"/>',
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>',
    ]
    for j, c in enumerate(sheet.columns, start=1):
        out.append(f'<col min="{j}" max="{j}" width="{max(c.width, len(c.header) * 2 + 2)}" customWidth="1"/>')
    out.append('</cols><sheetData><row r="1">')
    letters = [col_letter(j) for j in range(1, ncols + 1)]
    for j, c in enumerate(sheet.columns):
        out.append(f'<c r="{letters[j]}1" t="inlineStr" s="{head_style}"><is><t>{_text(c.header)}</t></is></c>')
    out.append("</row>")
    for i, row in enumerate(sheet.rows, start=2):
        out.append(f'<row r="{i}">')
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            ref = f"{letters[j]}{i}"
            if isinstance(v, bool):
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{"はい" if v else "いいえ"}</t></is></c>')
            elif isinstance(v, (int, float)):
                if isinstance(v, float) and math.isinf(v):
                    continue
                s = col_styles[j]
                out.append(f'<c r="{ref}" s="{s}"><v>{_num(v)}</v></c>')
            elif isinstance(v, dt.date):
                d = v.date() if isinstance(v, dt.datetime) else v
                out.append(f'<c r="{ref}" s="{date_style}"><v>{(d - EXCEL_EPOCH).days}</v></c>')
            else:
                # inline strings are never formulas, so text starting with = + - @ stays text
                out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(str(v))}</t></is></c>')
        out.append("</row>")
    out.append(f'</sheetData><autoFilter ref="A1:{last}{nrows}"/>')
    out.append('<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    out.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
    return "".join(out).encode("utf-8")


def _num(v: int | float) -> str:
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return repr(float(v))


# ---- package editing ------------------------------------------------------------------------------


def _sheet_entries(workbook_xml: str) -> list[tuple[str, str, int]]:
    """(name, rId, sheetId) of every sheet in workbook.xml."""
    out = []
    for m in re.finditer(r"<sheet\b[^>]*/>", workbook_xml):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\b(?:\w+:)?id="([^"]+)"', tag)
        sid = re.search(r'\bsheetId="(\d+)"', tag)
        if name and rid and sid:
            out.append((_unescape(name.group(1)), rid.group(1), int(sid.group(1))))
    return out


def _unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def _targets(rels_xml: str) -> dict[str, str]:
    out = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels_xml):
        rid = re.search(r'\bId="([^"]+)"', m.group(0))
        tgt = re.search(r'\bTarget="([^"]+)"', m.group(0))
        if rid and tgt:
            t = tgt.group(1)
            out[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


def build_package(src: Path, sheets: Sequence[ResultSheet]) -> dict[str, bytes]:
    """The changed and added parts of ``src`` for these result sheets (part name → content)."""
    with zipfile.ZipFile(src) as z:
        names = set(z.namelist())
        wb_xml = z.read("xl/workbook.xml").decode("utf-8")
        rels_xml = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        ct_xml = z.read("[Content_Types].xml").decode("utf-8")
        styles = _Styles(z.read("xl/styles.xml")) if "xl/styles.xml" in names else None
    if styles is None:
        raise OutputError(
            f"{src.name}: 書式情報(styles.xml)がないため結果シートを書き込めません。Excel で保存し直してください。"
        )
    entries = {name: (rid, sid) for name, rid, sid in _sheet_entries(wb_xml)}
    targets = _targets(rels_xml)
    rid_numbers = [int(n) for n in re.findall(r'\bId="rId(\d+)"', rels_xml)]
    next_rid = max([0, *rid_numbers]) + 1
    next_sid = max([0, *(sid for _, sid in entries.values())]) + 1
    parts: dict[str, bytes] = {}
    removed: set[str] = set()
    new_sheet_tags: list[str] = []
    new_rels: list[str] = []
    new_cts: list[str] = []
    taken = set(names)
    for sheet in sheets:
        xml = sheet_xml(sheet, styles)
        if sheet.name in entries:
            part = targets[entries[sheet.name][0]]
            rels_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels_part in names:
                removed.add(rels_part)  # a tool-owned sheet owns nothing else
            parts[part] = xml
            continue
        k = 1
        while f"xl/worksheets/sheet{k}.xml" in taken:
            k += 1
        part = f"xl/worksheets/sheet{k}.xml"
        taken.add(part)
        rid = f"rId{next_rid}"
        next_rid += 1
        new_sheet_tags.append(
            f'<sheet xmlns:r="{NS_R}" name="{escape(sheet.name, {chr(34): "&quot;"})}" sheetId="{next_sid}" r:id="{rid}"/>'
        )
        next_sid += 1
        new_rels.append(f'<Relationship Id="{rid}" Type="{REL_WORKSHEET}" Target="/{part}"/>')
        new_cts.append(f'<Override PartName="/{part}" ContentType="{WORKSHEET_CT}"/>')
        parts[part] = xml
    if new_sheet_tags:
        wb_xml = re.sub(r"(<sheets\b[^>]*)/>", r"\1></sheets>", wb_xml, count=1)
        wb_xml = wb_xml.replace("</sheets>", "".join(new_sheet_tags) + "</sheets>", 1)
        rels_xml = rels_xml.replace("</Relationships>", "".join(new_rels) + "</Relationships>", 1)
        ct_xml = ct_xml.replace("</Types>", "".join(new_cts) + "</Types>", 1)
        parts["xl/workbook.xml"] = wb_xml.encode("utf-8")
        parts["xl/_rels/workbook.xml.rels"] = rels_xml.encode("utf-8")
        parts["[Content_Types].xml"] = ct_xml.encode("utf-8")
    if styles.changed:
        parts["xl/styles.xml"] = styles.xml.encode("utf-8")
    for r in removed:
        parts[r] = b""  # marker: drop
    return parts


def _crash(point: str) -> None:
    if os.environ.get(CRASH_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _write_zip(src: Path, tmp: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w") as zout:
        written = set()
        infos = zin.infolist()
        for n, info in enumerate(infos):
            if n == len(infos) // 2:
                _crash("mid-write")
            if info.filename in parts:
                data = parts[info.filename]
                written.add(info.filename)
                if data == b"" and info.filename.endswith(".rels") and "worksheets/_rels/" in info.filename:
                    continue
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(zi, data)
            else:
                zout.writestr(info, zin.read(info.filename), compress_type=info.compress_type)
        for name in sorted(parts):
            if name not in written and parts[name]:
                zi = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(zi, parts[name])


def _check(tmp: Path, expected: Sequence[str]) -> None:
    """Re-open the written file: a whole zip that calamine reads with every result sheet present."""
    import python_calamine

    with zipfile.ZipFile(tmp) as z:
        if z.testzip() is not None:
            raise OutputError(f"{tmp.name}: 書き出したブックの検査に失敗しました。元のブックはそのままです。")
    wb = python_calamine.CalamineWorkbook.from_path(str(tmp))
    try:
        missing = [n for n in expected if n not in wb.sheet_names]
        if missing:
            raise OutputError(f"{tmp.name}: 書き出したブックに {missing[0]} がありません。元のブックはそのままです。")
    finally:
        wb.close()


def write_results(src: Path, dst: Path, sheets: Sequence[ResultSheet]) -> Path:
    """Write a copy of ``src`` with these result sheets to ``dst`` (``dst`` may be ``src``).

    The new file is written to a temporary file in the same folder, re-opened to check it, then moved
    over ``dst`` in one atomic step: a crash at any moment leaves either the old or the new file whole.
    """
    parts = build_package(src, sheets)
    with atomic_write(dst) as tmp:
        _write_zip(src, tmp, parts)
        _check(tmp, [s.name for s in sheets])
        _crash("before-replace")
    return dst


def backup(path: Path, stamp: str) -> Path:
    """Copy ``path`` to ``<folder>/.backup/<name>.<stamp>.<ext>`` before it is changed in place."""
    folder = path.parent / ".backup"
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        n += 1
    import shutil

    shutil.copy2(path, target)
    return target


def refuse_if_locked(path: Path) -> None:
    """``workbook-locked``: Excel holds the workbook, so it is not written."""
    if is_locked(path):
        raise WorkbookFileError(Issue(
            "workbook-locked",
            f"{path.name}: Excel で開かれているため書き込めません({lock_file(path).name} があります)。ブックを閉じてから実行してください。",
            CellRef(path.name),
        ))  # fmt: skip
