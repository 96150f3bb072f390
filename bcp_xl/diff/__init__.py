"""新旧対照表 (``bcp-xl diff OLD NEW``): what changed between two versions of a master workbook or
of a generated Word document.

Workbooks (.xlsx, .xlsm)
    Every sheet except the result sheets (``計算_…``) and ``検証結果`` is compared. Rows are matched by
    key, never by position, so sorting a sheet differently reports nothing. Cells are compared after
    normalisation: contract columns through the reader's parser for their kind (1 and 1.0, a date and
    its Excel serial number, 「○」 and 「はい」 are the same), other columns in a generic form (whole
    floats as integers, midnight datetimes as dates, text without surrounding white space). Extra
    columns that a user added are compared too, matched by their header text.

    Keys:

    - A sheet of the contract (``schemas/contract.py``) is keyed by its ``key`` columns: one ID column
      for most sheets; the composite keys of the contract for 職務代行 (対象職位 + 順位), 行動手順
      (手順ID + 手順番号) and the link table 業務システム依存 (業務ID + システムID). The ID shown joins
      the parts with `` / ``.
    - 設定, a sheet of ■ blocks (key/value parameters and small tables), is keyed by
      (block title, value of the block's first column): ■パラメータ rows by キー, ■業務区分 rows by 区分名,
      ■区の休日追加 rows by 日付 … The block's header row names the columns. Rows above the first block
      (title, instructions) are keyed by their first cell.
    - A sheet outside the contract, or a contract sheet whose key column is missing, is keyed by its
      first column with a header.
    - A key that occurs more than once is told apart by its occurrence (the 2nd ``T-0001`` of OLD is
      matched with the 2nd of NEW), so duplicates still give a stable, order-insensitive result.

    Each changed cell gives one line (sheet, ID, column header, old, new, Excel cells in OLD and NEW);
    an added or removed row gives one line holding the whole row as ``見出し: 値`` lines.

Documents (.docx)
    The non-blank paragraphs of the body and of table cells, in document order, are aligned with
    :mod:`difflib`; changed paragraphs are shown side by side with the changed characters marked.

The result is written as an Excel listing or as a Word 新旧対照表 (新 on the left) by
:func:`write_diff`. The library never prints and never exits.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from bcp_xl.diff.model import (
    CHANGE_KINDS,
    ROW_COLUMN,
    CellChange,
    ChangeKind,
    DiffError,
    DiffResult,
    ParagraphChange,
    Segment,
    SheetDiff,
)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
DOCUMENT_SUFFIXES = (".docx",)
OUTPUT_SUFFIXES = (".xlsx", ".docx")

FileKind = Literal["workbook", "document"]


def file_kind(path: Path) -> FileKind:
    """``workbook`` or ``document`` by the extension; raises :class:`DiffError` for anything else."""
    if not path.exists():
        raise DiffError(f"{path}: ファイルがありません。ファイル名と場所を確認してください。")
    if not path.is_file():
        raise DiffError(f"{path}: ファイルではありません(フォルダです)。比較するファイルを指定してください。")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    if suffix in DOCUMENT_SUFFIXES:
        return "document"
    hint = "(古い形式は Excel・Word で開き、.xlsx・.docx で保存し直してください)" if suffix in (".xls", ".doc") else ""
    raise DiffError(
        f"{path.name}: 新旧対照表を作れるのは Excel ブック(.xlsx・.xlsm)と Word 文書(.docx)だけです{hint}。"
    )


def _check_document(path: Path) -> None:
    """Refuse a .docx that python-docx cannot read, with a message naming the file."""
    try:
        with zipfile.ZipFile(path) as z:
            ok = "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        ok = False
    if not ok:
        raise DiffError(
            f"{path.name}: Word 文書(.docx)として読めません(壊れているか、パスワードで保護されているか、"
            "名前だけ .docx の別の形式です)。Word で開けるか確認してください。"
        )


def compare(old: Path, new: Path) -> DiffResult:
    """Compare two versions of a master workbook or of a Word document (both of the same kind)."""
    kinds = (file_kind(old), file_kind(new))
    label = {"workbook": "Excel ブック", "document": "Word 文書"}
    if kinds[0] != kinds[1]:
        raise DiffError(
            f"旧 {old.name} は{label[kinds[0]]}、新 {new.name} は{label[kinds[1]]}です。"
            "同じ種類のファイル(Excel ブック同士か Word 文書同士)を指定してください。"
        )
    if kinds[0] == "workbook":
        from bcp_xl.diff.workbooks import compare_workbooks

        return DiffResult(old, new, "workbook", sheets=compare_workbooks(old, new))
    from bcp_xl.diff.documents import compare_documents

    for p in (old, new):
        _check_document(p)
    try:
        paragraphs = compare_documents(old, new)
    except Exception as exc:  # python-docx refuses a broken part
        raise DiffError(
            f"{old.name} または {new.name} を Word 文書として読めません({type(exc).__name__})。"
            "Word で開けるか確認してください。"
        ) from exc
    return DiffResult(old, new, "document", paragraphs=paragraphs)


def write_diff(result: DiffResult, out: Path) -> Path:
    """Write the 新旧対照表 to ``out`` (.xlsx listing or .docx table, by the extension)."""
    from bcp_xl.diff.output import write_diff as write

    return write(result, out)


__all__ = [
    "CHANGE_KINDS",
    "DOCUMENT_SUFFIXES",
    "OUTPUT_SUFFIXES",
    "ROW_COLUMN",
    "WORKBOOK_SUFFIXES",
    "CellChange",
    "ChangeKind",
    "DiffError",
    "DiffResult",
    "ParagraphChange",
    "Segment",
    "SheetDiff",
    "compare",
    "file_kind",
    "write_diff",
]
