"""Comparing two versions of a generated Word document paragraph by paragraph.

The paragraphs of the body and of table cells are taken in document order (blank ones left out),
aligned with :mod:`difflib`, and each changed pair is marked character by character.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcp_xl.diff.model import ParagraphChange, segments

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BEFORE_FIRST_HEADING = "(冒頭)"


@dataclass(frozen=True, slots=True)
class Para:
    """A non-blank paragraph: its text and where it is (heading above it, table cell)."""

    text: str
    where: str


def read_paragraphs(path: Path) -> list[Para]:
    """The non-blank paragraphs of a .docx in document order, table cells included."""
    import docx
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    headings = {
        s.style_id for s in document.styles if (s.name or "").lower().startswith(("heading", "title", "見出し", "表題"))
    }
    out: list[Para] = []
    heading = [BEFORE_FIRST_HEADING]
    tables = [0]

    def para(p: Any, cell: str) -> None:
        text = Paragraph(p, None).text  # type: ignore[arg-type]  # no part needed for the text
        if not text.strip():
            return
        style = p.style
        if not cell and style in headings:
            heading[0] = text.strip()
        out.append(Para(text, f"{heading[0]}{cell}"))

    def blocks(container: Any, cell: str) -> None:
        for child in container.iterchildren():
            tag = child.tag
            if tag == f"{W}p":
                para(child, cell)
            elif tag == f"{W}tbl":
                table(child)
            elif tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    blocks(content, cell)

    def table(tbl: Any) -> None:
        tables[0] += 1
        n = tables[0]
        for r, tr in enumerate(tbl.iterchildren(f"{W}tr"), start=1):
            for c, tc in enumerate(tr.iterchildren(f"{W}tc"), start=1):
                blocks(tc, f" 表{n}({r}行{c}列)")

    blocks(document.element.body, "")
    return out


def compare_paragraphs(old: list[Para], new: list[Para]) -> list[ParagraphChange]:
    """Align the two paragraph lists; replaced runs are paired in order, the rest added or removed."""
    sm = difflib.SequenceMatcher(None, [p.text for p in old], [p.text for p in new], autojunk=False)
    out: list[ParagraphChange] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        out.extend(_changed(old[i1 + k], new[j1 + k], i1 + k + 1, j1 + k + 1) for k in range(pairs))
        out.extend(_added(new[j], j + 1) for j in range(j1 + pairs, j2))
        out.extend(_removed(old[i], i + 1) for i in range(i1 + pairs, i2))
    return out


def _changed(a: Para, b: Para, i: int, j: int) -> ParagraphChange:
    sa, sb = segments(a.text, b.text)
    return ParagraphChange("変更", b.where, a.text, b.text, i, j, sa, sb)


def _added(b: Para, j: int) -> ParagraphChange:
    _, sb = segments("", b.text)
    return ParagraphChange("追加", b.where, "", b.text, None, j, (), sb)


def _removed(a: Para, i: int) -> ParagraphChange:
    sa, _ = segments(a.text, "")
    return ParagraphChange("削除", a.where, a.text, "", i, None, sa, ())


def compare_documents(old: Path, new: Path) -> list[ParagraphChange]:
    """The changed paragraphs from ``old`` to ``new``."""
    return compare_paragraphs(read_paragraphs(old), read_paragraphs(new))
