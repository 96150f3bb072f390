"""What a comparison found: changed cells of master workbooks, changed paragraphs of documents."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bcp_xl.errors import BcpXlError

ChangeKind = Literal["追加", "削除", "変更"]
SheetStatus = Literal["both", "added", "removed"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("追加", "削除", "変更")
ROW_COLUMN = "(行全体)"
"""The 列 of an added or removed row: the whole row is listed as ``見出し: 値`` lines."""


class DiffError(BcpXlError):
    """The two files cannot be compared (missing, of an unknown kind, of different kinds …)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a text, ``changed`` when it differs from the other version."""

    text: str
    changed: bool


def segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Character-level marking of two texts: the pieces of ``old`` and of ``new`` with changed flags."""
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    a: list[Segment] = []
    b: list[Segment] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            a.append(Segment(old[i1:i2], not same))
        if j2 > j1:
            b.append(Segment(new[j1:j2], not same))
    return tuple(a), tuple(b)


@dataclass(frozen=True, slots=True)
class CellChange:
    """One line of a workbook 新旧対照表.

    ``column`` is the header text (``ROW_COLUMN`` for a whole added or removed row); ``old_ref`` and
    ``new_ref`` are the Excel references in OLD and NEW (a cell ``K12`` or a row ``12:12``).
    """

    sheet: str
    key: str
    column: str
    old: str
    new: str
    kind: ChangeKind
    old_ref: str | None = None
    new_ref: str | None = None


@dataclass
class SheetDiff:
    """The differences found in one sheet; ``status`` says whether the sheet is in both files."""

    sheet: str
    status: SheetStatus = "both"
    changes: list[CellChange] = field(default_factory=list)

    def rows(self, kind: ChangeKind) -> int:
        """Rows added, removed or changed (a changed row counts once however many cells changed)."""
        if kind == "変更":
            return len({c.key for c in self.changes if c.kind == "変更"})
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def cells(self) -> int:
        return sum(1 for c in self.changes if c.kind == "変更")


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    """A paragraph of a document added, removed or changed; ``where`` is the heading it sits under
    (and the table cell, for table paragraphs); numbers count non-blank paragraphs from 1."""

    kind: ChangeKind
    where: str
    old: str
    new: str
    old_no: int | None
    new_no: int | None
    old_segments: tuple[Segment, ...] = ()
    new_segments: tuple[Segment, ...] = ()


@dataclass
class DiffResult:
    """The 新旧対照表 of two workbooks (``sheets``) or two documents (``paragraphs``)."""

    old: Path
    new: Path
    kind: Literal["workbook", "document"]
    sheets: list[SheetDiff] = field(default_factory=list)
    paragraphs: list[ParagraphChange] = field(default_factory=list)
    out: Path | None = None

    @property
    def changes(self) -> list[CellChange]:
        """Every changed cell, added and removed row of a workbook comparison, sheet by sheet."""
        return [c for s in self.sheets for c in s.changes]

    @property
    def empty(self) -> bool:
        return not self.changes and not self.paragraphs

    def counts(self) -> dict[str, int]:
        """Numbers of 追加 / 削除 / 変更 lines."""
        n = Counter(c.kind for c in self.changes) + Counter(p.kind for p in self.paragraphs)
        return {k: n.get(k, 0) for k in CHANGE_KINDS}

    def summary(self) -> list[str]:
        """Japanese lines for the terminal: counts per sheet (or per document), then the changes."""
        lines = [f"旧: {self.old}", f"新: {self.new}"]
        if self.empty:
            lines.append("差異はありません。")
            return lines
        if self.kind == "workbook":
            lines.append("シート\t追加行\t削除行\t変更行\t変更セル")
            for s in self.sheets:
                if not s.changes:
                    continue
                note = {"added": "(新で追加されたシート)", "removed": "(新で削除されたシート)"}.get(s.status, "")
                lines.append(f"{s.sheet}{note}\t{s.rows('追加')}\t{s.rows('削除')}\t{s.rows('変更')}\t{s.cells}")
            lines.append("")
            lines.append("シート\tID\t列\t旧\t新\t区分\t旧セル\t新セル")
            for c in self.changes:
                lines.append(
                    "\t".join(
                        (c.sheet, c.key, c.column, _one_line(c.old), _one_line(c.new), c.kind,
                         c.old_ref or "", c.new_ref or "")
                    )
                )  # fmt: skip
        else:
            n = self.counts()
            lines.append(f"追加 {n['追加']} 段落、削除 {n['削除']} 段落、変更 {n['変更']} 段落")
            lines.append("")
            lines.append("箇所\t区分\t旧\t新")
            for p in self.paragraphs:
                lines.append("\t".join((p.where, p.kind, _one_line(p.old), _one_line(p.new))))
        n = self.counts()
        lines.append(f"追加 {n['追加']} 件、削除 {n['削除']} 件、変更 {n['変更']} 件")
        return lines


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", " / ").replace("\t", " ")
