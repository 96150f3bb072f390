"""Build the Word templates of ``templates/`` from their text sources in ``templates/src/``.

The templates are ordinary ``.docx`` files that ward staff may reword and restyle in Word; the
committed copies are made from a short line-based source so that the prose can be reviewed as text
and every template shares one set of styles (fonts, A4, margins, header, page numbers, cover,
改定履歴, TOC). Staff who edit a template edit the ``.docx`` (a copy passed with ``--templates``);
the sources are for the developers.

Source syntax, one element per line (blank lines separate nothing and are ignored):

``# 見出し`` / ``## 見出し`` / ``### 見出し``
    Heading 1–3 (Word's heading styles, so the navigation pane and the TOC work).
``#! 見出し``
    Heading 1 that starts a new page (action cards).
``!cover`` / ``!history`` / ``!toc`` / ``!newpage``
    The cover page, the 改定履歴 table, the table of contents field, a page break.
``!figure {{ tag }}``
    A centred paragraph holding an image tag (a chart with its alternative text).
``!caption 表題``
    A caption paragraph.
``!table [25,60,25] 表題`` … ``!end``
    A table whose first ``|``-row is the header (repeated on every page); a row whose only cell
    starts with ``{%tr`` is a docxtpl row tag; widths in millimetres are optional.
``- 文``
    A bullet paragraph.
``> 文``
    A note paragraph (smaller, indented).
anything else
    A body paragraph (``{%p … %}`` lines are docxtpl paragraph tags and pass through).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from bcp_xl.workbook.writer import write_deterministic

GOTHIC = "BIZ UDPGothic"
MINCHO = "BIZ UDPMincho"
TEXT_COLOUR = RGBColor(0x1A, 0x1A, 0x1A)
HEAD_COLOUR = RGBColor(0x00, 0x3F, 0x7F)  # dark blue: contrast 10:1 on white
SHADE_HEADER = "D9E2F3"

_FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
_THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@dataclass(frozen=True)
class TemplateSource:
    """One template: its document key, its title for the header and its source lines."""

    key: str
    lines: tuple[str, ...]
    public: bool = False  # public summaries: 12 pt body, Gothic throughout


@dataclass
class _Table:
    caption: str
    widths: list[float] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def read_source(path: Path) -> TemplateSource:
    """A template source file; a first line ``%public`` marks a public summary."""
    lines = path.read_text(encoding="utf-8").splitlines()
    public = bool(lines) and lines[0].strip() == "%public"
    if public:
        lines = lines[1:]
    return TemplateSource(path.stem, tuple(lines), public)


def _set_fonts(rpr: object, font: str) -> None:
    """Explicit fonts on every slot of an rPr and no theme font left to override them."""
    el = rpr  # lxml element
    fonts = el.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        el.insert(0, fonts)  # type: ignore[attr-defined]
    for attr in _THEME_SLOTS:
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in _FONT_SLOTS:
        fonts.set(qn(attr), font)


def _rpr(element: object) -> object:
    el = element
    rpr = el.find(qn("w:rPr"))  # type: ignore[attr-defined]
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        el.append(rpr)  # type: ignore[attr-defined]
    return rpr


def _styles(doc: DocumentObject, public: bool) -> None:
    """Fonts, sizes, language and headings for every style of the document."""
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    body_font = GOTHIC if public else MINCHO
    _set_fonts(rpr, body_font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "ja-JP")
    lang.set(qn("w:eastAsia"), "ja-JP")
    lang.set(qn("w:bidi"), "ar-SA")
    body_size = Pt(12 if public else 10.5)
    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.size = body_size
    normal.font.color.rgb = TEXT_COLOUR
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.2
    sizes = {"Title": 22, "Heading 1": 16, "Heading 2": 13.5, "Heading 3": 12 if not public else 12.5}
    for name, size in sizes.items():
        st = doc.styles[name]
        assert isinstance(st, ParagraphStyle)
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.font.color.rgb = HEAD_COLOUR if name != "Title" else TEXT_COLOUR
        st.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 8)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.keep_with_next = True
    for name in ("Caption", "List Bullet"):
        st = doc.styles[name]
        assert isinstance(st, ParagraphStyle)
        st.font.size = body_size if name == "List Bullet" else Pt(10 if not public else 12)
        st.font.color.rgb = TEXT_COLOUR
        st.font.italic = False
        st.font.bold = name == "Caption"
        if name == "Caption":
            st.paragraph_format.keep_with_next = True  # a table's caption stays with its table
    note = doc.styles.add_style("注記", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = doc.styles["Normal"]
    note.font.size = Pt(10 if not public else 12)
    note.paragraph_format.left_indent = Mm(5)
    cell = doc.styles.add_style("表本文", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = doc.styles["Normal"]
    cell.font.size = Pt(9.5 if not public else 12)
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.line_spacing = 1.0
    for toc_level in (1, 2, 3):
        st = doc.styles.add_style(f"TOC {toc_level}", WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles["Normal"]
        st.paragraph_format.left_indent = Mm(5 * (toc_level - 1))
        st.paragraph_format.space_after = Pt(2)
    gothic_styles = {"Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "表本文", "TOC 1"}
    for st_el in styles_el.findall(qn("w:style")):
        name_el = st_el.find(qn("w:name"))
        name = name_el.get(qn("w:val")) if name_el is not None else ""
        font = GOTHIC if (public or name in gothic_styles or name.startswith("heading")) else MINCHO
        if name.lower().startswith("heading") or name == "Title":
            font = GOTHIC
        _set_fonts(_rpr(st_el), font)
    # Table styles carry their own run fonts per table part (first row, …): no theme font may remain.
    for fonts in styles_el.iter(qn("w:rFonts")):
        if any(fonts.get(qn(a)) is not None for a in _THEME_SLOTS):
            for attr in _THEME_SLOTS:
                if fonts.get(qn(attr)) is not None:
                    del fonts.attrib[qn(attr)]
            for attr in _FONT_SLOTS:
                fonts.set(qn(attr), GOTHIC)


def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    section.header_distance = Mm(8)
    section.footer_distance = Mm(8)
    section.different_first_page_header_footer = True  # the cover has no header
    header = section.header.paragraphs[0]
    header.text = (
        "{{ municipality }}{{ plan_title }}　第{{ version }}版"
        "{% if provisional %}　【暫定版(検証エラーあり)】{% endif %}{% if is_sample %}　【サンプルデータ】{% endif %}"
    )
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in header.runs:
        run.font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, TOC …) whose result Word or LibreOffice refreshes."""

    def run_with(child: object) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_break(doc: DocumentObject) -> None:
    p = doc.add_paragraph()
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    r = OxmlElement("w:r")
    r.append(br)
    p._p.append(r)


def _cover(doc: DocumentObject) -> None:
    for _ in range(6):
        doc.add_paragraph()
    p = doc.add_paragraph("{{ municipality }}", style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph("{{ plan_title }}", style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph("{{ doc_title }}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].font.size = Pt(16)
    for _ in range(3):
        doc.add_paragraph()
    for text in ("第{{ version }}版", "{{ issue_date_wareki }}({{ issue_date }})"):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.runs[0].font.size = Pt(14)
    doc.add_paragraph("{%p if provisional %}")
    p = doc.add_paragraph("【暫定版(検証エラーあり)】入力データに未解決の誤りがあるため、この文書は暫定版です。")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].font.bold = True
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if is_sample %}")
    p = doc.add_paragraph("この文書はサンプルデータによる例示です。実在の組織・業務・数値ではありません。")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].font.bold = True
    doc.add_paragraph("{%p endif %}")
    _page_break(doc)


def _mark_header_row(table: Table) -> None:
    row = table.rows[0]
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    for cell in row.cells:
        tcpr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), SHADE_HEADER)
        tcpr.append(shd)
        for p in cell.paragraphs:
            for r in p.runs:
                r.font.bold = True


def _no_split(table: Table) -> None:
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        cant.set(qn("w:val"), "true")
        trpr.insert(0, cant)


def _split_row(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    cells, current, depth, i = [], [], 0, 0
    while i < len(inner):
        pair = inner[i : i + 2]
        if pair in ("{{", "{%"):
            depth += 1
            current.append(pair)
            i += 2
            continue
        if pair in ("}}", "%}"):
            depth -= 1
            current.append(pair)
            i += 2
            continue
        if inner[i] == "|" and depth == 0:  # a cell border, not a Jinja filter
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(inner[i])
        i += 1
    cells.append("".join(current).strip())
    return cells


def _add_table(doc: DocumentObject, spec: _Table) -> None:
    if spec.caption:
        doc.add_paragraph(spec.caption, style="Caption")
    ncols = len(spec.rows[0])
    table = doc.add_table(rows=len(spec.rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, cells in enumerate(spec.rows):
        for c in range(ncols):
            text = cells[c] if c < len(cells) else ""
            cell = table.cell(r, c)
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = doc.styles["表本文"]
    widths = list(spec.widths[:ncols])
    if len(widths) < ncols:  # the rest share what is left of the 170 mm text width
        rest = max(170 - sum(widths), 10 * (ncols - len(widths)))
        widths += [rest / (ncols - len(widths))] * (ncols - len(widths))
    table.autofit = False
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Mm(width)
    for c, width in enumerate(widths):
        for row in table.rows:
            row.cells[c].width = Mm(width)
    _mark_header_row(table)
    _no_split(table)
    doc.add_paragraph()


def _elements(lines: Sequence[str]) -> Iterator[tuple[str, object]]:
    table: _Table | None = None
    for raw in lines:
        line = raw.rstrip()
        if table is not None:
            if line.strip() == "!end":
                yield "table", table
                table = None
            elif line.strip():
                table.rows.append(_split_row(line))
            continue
        s = line.strip()
        if not s or s.startswith("%%"):
            continue
        if s.startswith("!table"):
            rest = s[len("!table") :].strip()
            widths: list[float] = []
            m = re.match(r"\[([\d.,\s]+)\]\s*(.*)$", rest)
            if m:
                widths = [float(w) for w in m.group(1).split(",") if w.strip()]
                rest = m.group(2)
            table = _Table(rest, widths)
            continue
        yield "line", s
    if table is not None:
        raise ValueError(f"!table {table.caption!r} has no !end")


def build_template(source: TemplateSource, target: Path) -> None:
    """Write ``target`` (.docx) from ``source`` with the shared styles and page set-up."""
    doc = Document()
    _styles(doc, source.public)
    _page(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    for kind, item in _elements(source.lines):
        if kind == "table":
            assert isinstance(item, _Table)
            _add_table(doc, item)
            continue
        s = str(item)
        if s == "!cover":
            _cover(doc)
        elif s == "!newpage":
            _page_break(doc)
        elif s == "!toc":
            title = doc.add_paragraph("目次", style="Title")
            title.runs[0].font.size = Pt(16)
            p = doc.add_paragraph()
            _field(
                p, 'TOC \\o "1-3" \\h \\z \\u', "(目次は Word で「フィールドの更新」、または PDF 作成時に更新されます)"
            )
            _page_break(doc)
        elif s == "!history":
            _add_table(
                doc,
                _Table(
                    "改定履歴",
                    [25, 40, 105],
                    [
                        ["版", "改定日", "改定内容"],
                        ["{%tr for h in history %}"],
                        ["{{ h.version }}", "{{ h.date }}", "{{ h.summary }}"],
                        ["{%tr endfor %}"],
                    ],
                ),
            )
        elif s.startswith("!figure"):
            p = doc.add_paragraph(s[len("!figure") :].strip())
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.keep_with_next = True
        elif s.startswith("!caption"):
            p = doc.add_paragraph(s[len("!caption") :].strip(), style="Caption")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif s.startswith("#! "):
            p = doc.add_paragraph(s[3:].strip(), style="Heading 1")
            p.paragraph_format.page_break_before = True
        elif s.startswith("### "):
            doc.add_paragraph(s[4:].strip(), style="Heading 3")
        elif s.startswith("## "):
            doc.add_paragraph(s[3:].strip(), style="Heading 2")
        elif s.startswith("# "):
            doc.add_paragraph(s[2:].strip(), style="Heading 1")
        elif s.startswith("- "):
            doc.add_paragraph(s[2:].strip(), style="List Bullet")
        elif s.startswith("> "):
            doc.add_paragraph(s[2:].strip(), style="注記")
        else:
            doc.add_paragraph(s)
    # Word asks to refresh fields (TOC, pages) when the document is opened.
    settings = doc.settings.element
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    settings.append(upd)
    core = doc.core_properties
    core.author = "bcp_xl"
    core.last_modified_by = "bcp_xl"
    core.title = "{{ municipality }}{{ plan_title }}"
    core.language = "ja-JP"
    core.revision = 1
    fixed = dt.datetime(2026, 1, 1)
    core.created = fixed
    core.modified = fixed
    core.last_printed = fixed
    buf = io.BytesIO()
    doc.save(buf)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_deterministic(buf.getvalue(), target)


def build_all(src_dir: Path, out_dir: Path) -> list[Path]:
    """Build every ``src_dir/*.txt`` into ``out_dir/<key>.docx``; returns the files written."""
    written = []
    for path in sorted(src_dir.glob("*.txt")):
        target = out_dir / f"{path.stem}.docx"
        build_template(read_source(path), target)
        written.append(target)
    return written


def main() -> None:
    """``python -m bcp_xl.docgen.builder [SRC] [OUT]``: rebuild the committed templates."""
    import sys

    root = Path(__file__).resolve().parents[2]
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "templates" / "src"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else root / "templates"
    for path in build_all(src, out):
        print(path)


if __name__ == "__main__":
    main()
