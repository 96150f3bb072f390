"""Writing a 新旧対照表: an Excel listing (.xlsx) or a Word table with 新 on the left (.docx).

Both are written deterministically (fixed zip entry times and document dates) and atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bcp_xl.diff.model import CellChange, DiffError, DiffResult, ParagraphChange, Segment, segments
from bcp_xl.errors import OutputError

OUTPUT_SUFFIXES = (".xlsx", ".docx")  # also in bcp_xl.diff
FONT = "BIZ UDPGothic"
SHEET = "新旧対照表"
SUMMARY_SHEET = "集計"
FIXED_TIME = dt.datetime(2000, 1, 1)
WORKBOOK_HEADS = ("シート", "ID", "列", "旧", "新", "区分", "旧セル", "新セル")
WORKBOOK_WIDTHS = (16, 18, 18, 40, 40, 8, 10, 10)
DOCUMENT_HEADS = ("箇所", "区分", "旧", "新")
DOCUMENT_WIDTHS = (30, 8, 60, 60)


def write_diff(result: DiffResult, out: Path) -> Path:
    """Write ``result`` to ``out``; the format follows the extension (.xlsx or .docx)."""
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise DiffError(f"{out.name}: 出力ファイルの拡張子は .xlsx か .docx にしてください。")
    target = out.resolve()
    if target in (result.old.resolve(), result.new.resolve()):
        raise DiffError(f"{out.name} は比較するファイルです。新旧対照表は別のファイル名で書き出してください。")
    data = _xlsx(result) if suffix == ".xlsx" else _docx(result)
    _save(data, out)
    result.out = out
    return out


def _save(package: bytes, out: Path) -> None:
    from bcp_xl.workbook.fileio import replace_atomically, temp_beside
    from bcp_xl.workbook.writer import write_deterministic

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(out)
        try:
            write_deterministic(package, tmp)
            replace_atomically(tmp, out)
        finally:
            if tmp.exists():
                tmp.unlink()
    except OSError as exc:
        raise OutputError(
            f"{out} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
        ) from exc


# ---- Excel ---------------------------------------------------------------------------------------------


def _workbook_lines(result: DiffResult) -> list[tuple[str, ...]]:
    return [(c.sheet, c.key, c.column, c.old, c.new, c.kind, c.old_ref or "", c.new_ref or "") for c in result.changes]


def _document_lines(result: DiffResult) -> list[tuple[str, ...]]:
    return [(p.where, p.kind, p.old, p.new) for p in result.paragraphs]


def _xlsx(result: DiffResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from bcp_xl.workbook.writer import BORDER, HEADER_FILL, HEADER_FONT, print_setup, write_cell

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    heads: tuple[str, ...]
    widths: tuple[int, ...]
    if result.kind == "workbook":
        heads, widths, lines = WORKBOOK_HEADS, WORKBOOK_WIDTHS, _workbook_lines(result)
    else:
        heads, widths, lines = DOCUMENT_HEADS, DOCUMENT_WIDTHS, _document_lines(result)
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, (h, w) in enumerate(zip(heads, widths, strict=True), start=1):
        write_cell(ws, 1, j, h, None)
        c = ws.cell(1, j)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        ws.column_dimensions[get_column_letter(j)].width = w
    for i, line in enumerate(lines, start=2):
        for j, v in enumerate(line, start=1):
            write_cell(ws, i, j, v if v != "" else None, "@")
            ws.cell(i, j).alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(len(lines) + 1, 2)}"
    print_setup(ws, landscape=True)

    ss = wb.create_sheet(SUMMARY_SHEET)
    info: list[tuple[str, ...]] = [("旧", result.old.name), ("新", result.new.name), ("", "")]
    if result.kind == "workbook":
        info.append(("シート", "追加行", "削除行", "変更行", "変更セル"))
        info.extend(
            (s.sheet, str(s.rows("追加")), str(s.rows("削除")), str(s.rows("変更")), str(s.cells))
            for s in result.sheets
        )
    else:
        n = result.counts()
        info.append(("区分", "段落数"))
        info.extend((k, str(v)) for k, v in n.items())
    if result.empty:
        info.append(("差異はありません。",))
    for i, line in enumerate(info, start=1):
        for j, v in enumerate(line, start=1):
            write_cell(ss, i, j, v or None, None)
    bold = Font(bold=True)
    ss.cell(1, 1).font = ss.cell(2, 1).font = bold
    for j in range(1, 6):
        ss.cell(4, j).font = bold
    ss.column_dimensions["A"].width = 24
    ss.column_dimensions["B"].width = 30
    print_setup(ss, landscape=False)

    wb.properties.creator = "bcp_xl"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- Word ----------------------------------------------------------------------------------------------


def _fonts(element: Any) -> None:
    """BIZ UDPGothic on the Latin and East Asian slots of a style or run (w:rFonts)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    el = trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    trpr.append(el)


def _put(cell: Any, parts: Sequence[Segment], side: str) -> None:
    """Write segments into a table cell, one paragraph per line; changed pieces are marked:
    in 新 bold and underlined, in 旧 struck through and underlined."""
    paragraph = cell.paragraphs[0]
    for seg in parts:
        lines = seg.text.split("\n")
        for k, line in enumerate(lines):
            if k:
                paragraph = cell.add_paragraph()
            if not line:
                continue
            run = paragraph.add_run(line)
            if seg.changed:
                run.font.underline = True
                if side == "新":
                    run.font.bold = True
                else:
                    run.font.strike = True


def _where(c: CellChange) -> str:
    refs = " → ".join(r for r in (c.old_ref, c.new_ref) if r)
    return f"{c.sheet}\n{c.key}\n{c.column}" + (f"\n({refs})" if refs else "")


Line = tuple[str, str, tuple[Segment, ...], tuple[Segment, ...]]


def _rows(result: DiffResult) -> list[Line]:
    """(箇所, 区分, 新 segments, 旧 segments) for every line of the table."""
    if result.kind == "document":
        return [(p.where, p.kind, p.new_segments, p.old_segments) for p in result.paragraphs]
    out: list[Line] = []
    for c in result.changes:
        old, new = segments(c.old, c.new)
        out.append((_where(c), c.kind, new, old))
    return out


def _docx(result: DiffResult) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(15)
    for name in ("Normal", "Title", "Heading 1", "Table Grid"):
        style = document.styles[name]
        _fonts(style.element)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(SHEET, level=1)
    document.add_paragraph(f"旧: {result.old.name}\n新: {result.new.name}")
    n = result.counts()
    unit = "段落" if result.kind == "document" else "件"
    counts = f"追加 {n['追加']} {unit}、削除 {n['削除']} {unit}、変更 {n['変更']} {unit}"
    legend = "(下線の箇所が変更部分です。新は太字、旧は取消線で示します。)"
    document.add_paragraph("差異はありません。" if result.empty else counts + legend)
    widths = (Mm(50), Mm(14), Mm(100), Mm(100))
    table = document.add_table(rows=1, cols=4)
    table.style = document.styles["Table Grid"]
    table.autofit = False
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w  # the grid, which LibreOffice follows; cell widths below are for Word
    head = table.rows[0]
    for cell, text, w in zip(head.cells, ("箇所", "区分", "新", "旧"), widths, strict=True):
        cell.text = text
        cell.width = w
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    _repeat_header(head)
    for where, kind, new, old in _rows(result):
        cells = table.add_row().cells
        _put(cells[0], (Segment(where, False),), "")
        _put(cells[1], (Segment(kind, False),), "")
        _put(cells[2], new, "新")
        _put(cells[3], old, "旧")
        for cell, w in zip(cells, widths, strict=True):
            cell.width = w
    props = document.core_properties
    props.author = props.last_modified_by = "bcp_xl"
    props.title = SHEET
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


__all__ = ["OUTPUT_SUFFIXES", "ParagraphChange", "write_diff"]
