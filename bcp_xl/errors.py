"""Errors as data: cell references, issues and the validation report.

Every problem the tool finds in a workbook is an :class:`Issue` with a stable kebab-case ``code``
(tests rely on it) and a one-sentence Japanese ``message`` (people read it). A file that cannot be
used at all raises :class:`WorkbookFileError`, which carries the same kind of issue.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABEL: dict[str, str] = {"error": "エラー", "warning": "警告", "info": "情報"}


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a problem is: workbook file name, sheet, Excel reference and the header text.

    ``ref`` is ``K12`` (a cell), ``12:12`` (a row), ``K:K`` (a column), ``M1:N1`` (a range) or None
    for a whole sheet or file.
    """

    workbook: str
    sheet: str | None = None
    ref: str | None = None
    column: str | None = None

    def label(self) -> str:
        """``'シート'!K12`` as printed in messages; the workbook name for file-level problems."""
        if self.sheet is None:
            return self.workbook
        if self.ref is None:
            return f"'{self.sheet}'"
        return f"'{self.sheet}'!{self.ref}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the data, with its stable code and Japanese message."""

    code: str
    message: str
    where: CellRef
    value: str | None = None
    severity: Severity = "error"
    # sort keys: position of the sheet in its workbook and the Excel row (0 for sheet level)
    sheet_pos: int = 0
    row: int = 0
    col: int = 0

    def to_dict(self) -> dict[str, str | None]:
        """The JSON shape of ``validate --json`` (cli.md)."""
        return {
            "severity": self.severity,
            "code": self.code,
            "workbook": self.where.workbook,
            "sheet": self.where.sheet,
            "cell": self.where.ref,
            "column": self.where.column,
            "value": self.value,
            "message": self.message,
        }


WORKBOOK_ORDER = ("bcp_master", "ict_master", "project_master", "pubcomment")


def _workbook_pos(name: str) -> int:
    stem = name.rsplit(".", 1)[0]
    return WORKBOOK_ORDER.index(stem) if stem in WORKBOOK_ORDER else len(WORKBOOK_ORDER)


def issue_sort_key(issue: Issue) -> tuple[int, int, int, int, int, str]:
    """Errors first, then warnings, then notes; within a severity, workbook, sheet and row order."""
    return (
        SEVERITY_ORDER[issue.severity],
        _workbook_pos(issue.where.workbook),
        issue.sheet_pos,
        issue.row,
        issue.col,
        issue.code,
    )


@dataclass
class ValidationReport:
    """Every issue found in one run, in the order of the 検証結果 sheet."""

    issues: list[Issue] = field(default_factory=list)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=issue_sort_key)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.issues)

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.issues if i.severity == severity)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and notes do not count)."""
        return self.count("error") == 0

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "counts": {s: self.count(s) for s in ("error", "warning", "info")},
            "issues": [i.to_dict() for i in self.sorted()],
        }


class BcpXlError(Exception):
    """Base of every error the library raises on purpose; the message is Japanese."""


class WorkbookFileError(BcpXlError):
    """A workbook that cannot be used at all (unreadable, encrypted, .xls, locked)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


class OutputError(BcpXlError):
    """An output folder or file that cannot be written."""
