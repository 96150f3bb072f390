"""Turning a master workbook (.xlsx) into a ribbon-enabled .xlsm: the VBA project part, the ribbon
(customUI) part, their relationships and content types. Every other part is copied unchanged; the
zip is written with fixed times and a fixed order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from bcp_xl.workbook.fileio import atomic_write
from bcp_xl.workbook.reader import file_issue

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CT_PART = "[Content_Types].xml"
VBA_PART = "xl/vbaProject.bin"
UI_PART = "customUI/customUI.xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_MAIN_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MAIN_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_UI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
WORKBOOK_CODE_NAME = "ThisWorkbook"


def _add_relationship(rels: str, rel_type: str, target: str) -> str:
    """``rels`` with one relationship of ``rel_type`` pointing at ``target`` (replacing any of that type)."""
    rels = re.sub(rf'<Relationship\b[^>]*\bType="{re.escape(rel_type)}"[^>]*/>', "", rels)
    used = {int(n) for n in re.findall(r'\bId="rId(\d+)"', rels)}
    n = 1
    while n in used:
        n += 1
    tag = f'<Relationship Id="rId{n}" Type="{rel_type}" Target="{escape(target)}"/>'
    return rels.replace("</Relationships>", tag + "</Relationships>", 1)


def _content_types(ct: str) -> str:
    ct = ct.replace(f'ContentType="{CT_MAIN_XLSX}"', f'ContentType="{CT_MAIN_XLSM}"')
    if not re.search(r'<Default\b[^>]*\bExtension="bin"', ct):
        ct = ct.replace("</Types>", f'<Default Extension="bin" ContentType="{CT_VBA}"/></Types>', 1)
    return ct


def _code_name(workbook_xml: str) -> str:
    """``xl/workbook.xml`` with the workbook's code name, which ties it to the ThisWorkbook module."""
    m = re.search(r"<workbookPr\b[^>]*?(/?)>", workbook_xml)
    if m is None:
        tag = f'<workbookPr codeName="{WORKBOOK_CODE_NAME}"/>'
        anchor = re.search(r"<(?:fileVersion|fileSharing)\b[^>]*/>", workbook_xml) or re.search(
            r"<workbook\b[^>]*>", workbook_xml
        )
        assert anchor is not None
        return workbook_xml[: anchor.end()] + tag + workbook_xml[anchor.end() :]
    tag = m.group(0)
    if "codeName=" in tag:
        new = re.sub(r'codeName="[^"]*"', f'codeName="{WORKBOOK_CODE_NAME}"', tag)
    else:
        new = tag.replace("<workbookPr", f'<workbookPr codeName="{WORKBOOK_CODE_NAME}"', 1)
    return workbook_xml[: m.start()] + new + workbook_xml[m.end() :]


def xlsm_parts(src: Path, vba_project: bytes, custom_ui: bytes) -> dict[str, bytes]:
    """The parts of ``src`` that change or are added to make it a ribbon-enabled .xlsm."""
    with zipfile.ZipFile(src) as z:
        names = z.namelist()
        need = [CT_PART, "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
        missing = [n for n in need if n not in names]
        if missing:
            raise file_issue(
                src, "unreadable-file", f"ブックの構成要素 {missing[0]} がありません。Excel で保存し直してください。"
            )
        ct = z.read(CT_PART).decode("utf-8")
        root_rels = z.read("_rels/.rels").decode("utf-8")
        wb_xml = z.read("xl/workbook.xml").decode("utf-8")
        wb_rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    return {
        CT_PART: _content_types(ct).encode("utf-8"),
        "_rels/.rels": _add_relationship(root_rels, REL_UI, UI_PART).encode("utf-8"),
        "xl/workbook.xml": _code_name(wb_xml).encode("utf-8"),
        "xl/_rels/workbook.xml.rels": _add_relationship(wb_rels, REL_VBA, "vbaProject.bin").encode("utf-8"),
        VBA_PART: vba_project,
        UI_PART: custom_ui,
    }


def write_xlsm(src: Path, dst: Path, vba_project: bytes, custom_ui: bytes) -> Path:
    """Write ``dst``: ``src`` with the VBA project and the ribbon, atomically (temporary file, then replace)."""
    parts = xlsm_parts(src, vba_project, custom_ui)
    with atomic_write(dst) as tmp, zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        order = [CT_PART] + [n for n in zin.namelist() if n != CT_PART]
        order += [n for n in (VBA_PART, UI_PART) if n not in order]
        for name in order:
            data = parts[name] if name in parts else zin.read(name)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)
    return dst
