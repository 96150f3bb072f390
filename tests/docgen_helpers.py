"""Reading generated documents back for the document tests (text, headings, tables, images, PDF)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document
from docx.oxml.ns import qn

from bcp_xl import api

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "workbooks"
LEFTOVER = re.compile(r"\{\{|\{%|\}\}|%\}|(?<![A-Za-z])(?:None|nan|NaN)(?![A-Za-z])")


@dataclass
class DocText:
    """What a reader sees in a .docx: paragraphs in order (tables included), headings, tables, images."""

    paragraphs: list[str]
    headings: list[tuple[int, str]]  # (level, text)
    tables: list[list[list[str]]]
    alt_texts: list[str]
    header_text: str

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def read_docx(path: Path) -> DocText:
    doc = Document(str(path))
    paragraphs: list[str] = []
    headings: list[tuple[int, str]] = []
    tables: list[list[list[str]]] = []
    body = doc.element.body
    for el in body.iterchildren():
        if el.tag == qn("w:p"):
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            paragraphs.append(text)
            style = el.find(qn("w:pPr"))
            sid = None
            if style is not None and style.find(qn("w:pStyle")) is not None:
                sid = style.find(qn("w:pStyle")).get(qn("w:val"))
            if sid:
                m = re.match(r"Heading(\d)", sid)
                if m:
                    headings.append((int(m.group(1)), text))
        elif el.tag == qn("w:tbl"):
            rows = []
            for tr in el.iter(qn("w:tr")):
                cells = []
                for tc in tr.iter(qn("w:tc")):
                    cells.append("".join(t.text or "" for t in tc.iter(qn("w:t"))))
                rows.append(cells)
                paragraphs.extend(cells)
            tables.append(rows)
    alts = [d.get("descr") or "" for d in body.iter(qn("wp:docPr"))]
    header_text = ""
    for section in doc.sections:
        for part in (section.header, section.first_page_header):
            header_text += "".join(t.text or "" for t in part._element.iter(qn("w:t")))
    return DocText(paragraphs, headings, tables, alts, header_text)


def leftovers(doc: DocText) -> list[str]:
    """Template tags or empty values (None/nan) left in the text."""
    return [p for p in [*doc.paragraphs, doc.header_text] if LEFTOVER.search(p)]


def set_in_sheet(ws: Any, header: str, key: tuple[str, Any], value: Any) -> Any:
    """Set column ``header`` in the first row of ``ws`` whose column ``key[0]`` equals ``key[1]``;
    returns the old value."""
    heads = [c.value for c in ws[1]]
    col, key_col = heads.index(header), heads.index(key[0])
    for row in ws.iter_rows(min_row=2):
        if row[key_col].value == key[1]:
            old = row[col].value
            row[col].value = value
            return old
    raise AssertionError(key)


def set_param(folder: Path, workbook: str, key: str, value: Any) -> None:
    """Set a ■パラメータ value in 設定 (column 値 of the row whose キー is ``key``)."""
    path = folder / f"{workbook}.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["設定"]
    for row in ws.iter_rows():
        if row[0].value == key:
            row[2].value = value
            break
    else:
        raise AssertionError(key)
    wb.save(path)


def set_first(folder: Path, workbook: str, sheet: str, header: str, value: Any, where: tuple[str, Any]) -> str:
    """Set ``header`` in the first row of a master's sheet whose column ``where[0]`` equals ``where[1]``."""
    path = folder / f"{workbook}.xlsx"
    wb = openpyxl.load_workbook(path)
    old = set_in_sheet(wb[sheet], header, where, value)
    wb.save(path)
    return str(old)


def copy_sample(tmp: Path) -> Path:
    """A copy of the committed sample workbooks (tests may edit it)."""
    dst = tmp / "workbooks"
    shutil.copytree(SAMPLE, dst)
    return dst


def generate(
    folder: Path, out: Path, *keys: str, allow_errors: bool = False, templates: Path | None = None
) -> api.GenerateRun:
    return api.generate(folder, out, only=list(keys) or None, allow_errors=allow_errors, templates=templates)


def pdf_of(docx: Path, out_dir: Path) -> Path:
    """The LibreOffice render (TOC refreshed) of one document."""
    from bcp_xl import office

    return office.export_pdfs([docx], out_dir)[0]


def pdf_pages(pdf: Path) -> list[str]:
    """Text of each page (pdftotext, layout kept)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def pdf_fonts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()]
