"""Opening master workbooks: file-level checks, fast values (python-calamine) and a streaming look
at the sheet XML for what calamine cannot tell apart (formulas without a saved result, cell errors)
and for merged ranges.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bcp_xl.errors import CellRef, Issue, WorkbookFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_HOT = re.compile(rb"<f[\s>/]|t=\"e\"")
_R_ATTR = re.compile(rb'\br="([A-Z]+)(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")


def col_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int]:
    """``K12`` → (12, 11): row and column, 1-based."""
    m = _CELL_REF.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m[2]), col_index(m[1])


@dataclass
class RawSheet:
    """One sheet's values (row 0 is Excel row 1) and what the XML look found."""

    name: str
    position: int
    rows: list[list[Any]]
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    cell_errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2

    def problem_at(self, row: int, col: int) -> tuple[str, str] | None:
        """``(code, value)`` when the cell is a formula without a value or an error cell."""
        if (row, col) in self.cell_errors:
            return "cell-error", self.cell_errors[(row, col)]
        if (row, col) in self.formula_no_value:
            return "formula-no-value", "(数式)"
        return None


class SheetSource(Protocol):
    """What validation reads from a workbook: :class:`RawWorkbook` for a file, or an adapter for a
    workbook open in Excel (``bcp_xl.xl``)."""

    path: Path
    name: str
    sheet_names: list[str]

    def sheet(self, name: str) -> RawSheet: ...

    def close(self) -> None: ...


def file_issue(path: Path, code: str, message: str) -> WorkbookFileError:
    return WorkbookFileError(Issue(code, f"{path.name}: {message}", CellRef(path.name)))


def lock_file(path: Path) -> Path:
    """Excel's owner file for an open workbook: ``~$`` + the name (Excel drops the first two
    characters of long names, so both forms are looked for)."""
    for cand in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if cand.exists():
            return cand
    return path.with_name("~$" + path.name)


def is_locked(path: Path) -> bool:
    return lock_file(path).exists()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class RawWorkbook:
    """A master workbook opened for reading. Raises :class:`WorkbookFileError` when it cannot be used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._check_file()
        try:
            import python_calamine

            self._cal = python_calamine.CalamineWorkbook.from_path(str(path))
            self._zip = zipfile.ZipFile(path)
            self._parts = self._sheet_parts()
        except WorkbookFileError:
            raise
        except Exception as exc:
            raise file_issue(
                path,
                "unreadable-file",
                f"ブックを読み込めません(壊れているか Excel のブックではありません: {type(exc).__name__})。"
                "Excel で開けるか確認し、.xlsx 形式で保存し直してください。",
            ) from exc
        self.sheet_names: list[str] = list(self._cal.sheet_names)

    def _check_file(self) -> None:
        path = self.path
        try:
            head = path.read_bytes()[:8] if path.stat().st_size < 4096 else _head(path)
        except OSError as exc:
            raise file_issue(path, "unreadable-file", f"ファイルを開けません({exc.strerror})。") from exc
        if head.startswith(OLE_MAGIC):
            data = path.read_bytes()
            if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
                raise file_issue(
                    path,
                    "encrypted-file",
                    "パスワードで保護されているため読み込めません。Excel で開いて「ファイル」→「情報」→"
                    "「ブックの保護」からパスワードを解除して保存するか、復号してから実行してください。",
                )
            raise file_issue(
                path,
                "xls-format",
                "古い Excel 形式(.xls)のブックです。Excel で開き「名前を付けて保存」で"
                "Excel ブック(.xlsx)として保存してください。",
            )
        if path.suffix.lower() == ".xls":
            raise file_issue(
                path,
                "xls-format",
                "古い Excel 形式(.xls)のファイル名です。Excel ブック(.xlsx)として保存してください。",
            )
        if not head.startswith(ZIP_MAGIC):
            raise file_issue(
                path,
                "unreadable-file",
                "Excel のブック(.xlsx)ではありません。Excel で開けるか確認し、.xlsx 形式で保存してください。",
            )
        try:
            with zipfile.ZipFile(path) as z:
                if "xl/workbook.xml" not in z.namelist():
                    raise zipfile.BadZipFile("no workbook part")
        except zipfile.BadZipFile as exc:
            raise file_issue(
                path,
                "unreadable-file",
                "ブックが壊れています(zip として読めません)。バックアップから戻すか、Excel で修復して保存してください。",
            ) from exc

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name → part path inside the package, from workbook.xml and its relationships."""
        wb = self._zip.read("xl/workbook.xml")
        rels = self._zip.read("xl/_rels/workbook.xml.rels")
        targets: dict[str, str] = {}
        for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
            tag = m.group(0)
            rid = re.search(rb'\bId="([^"]+)"', tag)
            tgt = re.search(rb'\bTarget="([^"]+)"', tag)
            if rid and tgt:
                t = tgt.group(1).decode()
                t = t.lstrip("/") if t.startswith("/") else "xl/" + t
                targets[rid.group(1).decode()] = t
        parts: dict[str, str] = {}
        for m in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", wb):
            tag = m.group(0)
            name = re.search(rb'\bname="([^"]*)"', tag)
            rid = re.search(rb'\b(?:\w+:)?id="([^"]+)"', tag)
            if name and rid:
                parts[_unescape(name.group(1).decode())] = targets.get(rid.group(1).decode(), "")
        return parts

    def sheet(self, name: str) -> RawSheet:
        """Values and XML findings of one sheet."""
        cal = self._cal.get_sheet_by_name(name)
        rows = cal.to_python(skip_empty_area=False)
        raw = RawSheet(name, self.sheet_names.index(name), rows)
        part = self._parts.get(name)
        if part and part in self._zip.namelist():
            _scan_xml(self._zip.read(part), raw)
        return raw

    def close(self) -> None:
        self._zip.close()
        self._cal.close()


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(8)


def _unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def _hot_positions(data: bytes) -> list[int]:
    """The starts of the matches of ``_HOT`` (``<f`` + white space, ``>`` or ``/``, and ``t="e"``),
    in order. Plain byte searches are many times faster than the regex on a large sheet, where
    ``<f`` occurs only in a few other tags (``<formula1>``, ``<firstFooter>``)."""
    out: list[int] = []
    i = data.find(b"<f")
    while i >= 0:
        if data[i + 2 : i + 3] in (b" ", b"\t", b"\n", b"\r", b"\f", b"\v", b">", b"/"):
            out.append(i)
        i = data.find(b"<f", i + 2)
    i = data.find(b't="e"')
    while i >= 0:
        out.append(i)
        i = data.find(b't="e"', i + 5)
    out.sort()
    return out


def _scan_xml(data: bytes, raw: RawSheet) -> None:
    """Find formula cells without a saved value, error cells and merged ranges.

    Only the cells around a ``<f`` or ``t="e"`` are looked at, so the cost stays a fast byte scan
    however large the sheet is.
    """
    seen: set[int] = set()
    for hit in _hot_positions(data):
        start = data.rfind(b"<c ", 0, hit + 1)
        if start < 0 or start in seen:
            continue
        seen.add(start)
        end_tag = data.find(b">", start)
        if data[end_tag - 1 : end_tag] == b"/":
            continue
        end = data.find(b"</c>", end_tag)
        cell = data[start : end + 4]
        r = _R_ATTR.search(cell[: end_tag - start + 1])
        if not r:
            continue
        pos = (int(r.group(2)), col_index(r.group(1).decode()))
        head = cell[: end_tag - start + 1]
        v = _V.search(cell)
        if b't="e"' in head:
            raw.cell_errors[pos] = v.group(1).decode() if v else "#ERROR"
        elif b"<f" in cell and (v is None or (v.group(1) == b"" and b't="str"' not in head)):
            raw.formula_no_value.add(pos)
    for m in _MERGE.finditer(data) if b"<mergeCell" in data else ():
        ref = m.group(1).decode()
        a, _, b = ref.partition(":")
        r1, c1 = parse_ref(a)
        r2, c2 = parse_ref(b or a)
        raw.merged.append((r1, c1, r2, c2))
