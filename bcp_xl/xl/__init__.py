"""The ribbon: what the BCP tab's buttons do to the workbook that holds them.

Every button of ``macros/customUI.xml`` calls the VBA callback ``OnAction``, which runs
``bcp_xl.xl.dispatch('<button id>')`` through xlwings' RunPython. :data:`HANDLERS` maps each button id
to its handler; adding a button means a line in ``customUI.xml`` and a line here.

This package is the only place that imports xlwings, and only when a button is pressed without a
book given (``xw.Book.caller()``), so ``import bcp_xl`` and the command line work without Excel. The
handlers call the same api functions as the command line; problems in the data become the 検証結果
sheet and a message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcp_xl.errors import BcpXlError, CellRef, Issue, OutputError, ValidationReport, WorkbookFileError
from bcp_xl.xl.book import RESULT_SHEET, BookSource, clear_marks, select, write_issues, write_result_sheet

TITLE = "BCP"
OUTPUT_FOLDER = "出力"
ERROR_LOG = "ribbon-error.log"


@dataclass
class Outcome:
    """What a button did: the status-bar text, and the message-box text when something went wrong."""

    button: str
    status: str
    alert: str | None = None
    issues: int = 0


def workbook_key(book: Any) -> str:
    """Which master this book is, from its file name (``bcp_master.xlsm`` → ``bcp_master``)."""
    from bcp_xl.schemas.contract import WORKBOOKS

    path = Path(book.fullname)
    if not path.is_file():
        raise OutputError("ブックがまだ保存されていません。マスタブックのフォルダに保存してから実行してください。")
    key = path.stem.lower()
    if key not in WORKBOOKS:
        names = "、".join(f"{k}.xlsm" for k in WORKBOOKS)
        raise OutputError(
            f"{path.name} はマスタブックの名前ではありません。ファイル名を {names} のいずれかにしてください。"
        )
    return key


def _counts(report: ValidationReport) -> str:
    return f"エラー {report.count('error')} 件、警告 {report.count('warning')} 件、情報 {report.count('info')} 件"


def _check(book: Any) -> Any:
    """Validate and compute with this book's current values (other masters from their files)."""
    from bcp_xl import api

    key = workbook_key(book)
    checked = api.check(Path(book.fullname).parent, opened={key: BookSource(book)})
    clear_marks(book, keep_sheet=True)
    select(book, write_issues(book, checked.masters.report.sorted()))
    return checked


def on_validate(book: Any) -> Outcome:
    """検証: the 検証結果 sheet, coloured cells, the first one selected, the count in the status bar."""
    report = _check(book).masters.report
    return Outcome("validate", f"検証しました: {_counts(report)}", None, len(report))


def on_compute(book: Any) -> Outcome:
    """再計算: validate, then rewrite this workbook's 計算_… sheets as ``bcp-xl compute`` does."""
    checked = _check(book)
    masters = checked.masters
    for issue in masters.unusable.values():
        raise WorkbookFileError(issue)
    sheets = checked.sheets.get(workbook_key(book), [])
    for result in sheets:
        write_result_sheet(book, result)
    status = f"再計算しました({len(sheets)} シート): {_counts(masters.report)}"
    return Outcome("compute", status, None, len(masters.report))


def on_generate(book: Any) -> Outcome:
    """文書生成: save the book, then generate the documents it feeds into 出力 beside it."""
    from bcp_xl import api
    from bcp_xl.docgen.registry import documents_fed_by

    key = workbook_key(book)
    book.save()
    folder = Path(book.fullname).parent
    run = api.generate(folder, folder / OUTPUT_FOLDER, only=documents_fed_by(key), allow_errors=False)
    clear_marks(book, keep_sheet=True)
    select(book, write_issues(book, run.report.sorted()))
    docs = run.documents
    lines = [f"{len(docs.outputs)} 件の文書を {folder / OUTPUT_FOLDER} に作成しました。"]
    lines += [f"作成しませんでした: {k}({why})" for k, why in [*docs.held, *docs.skipped]]
    lines += list(docs.notes)
    held = bool(docs.held or docs.skipped)
    return Outcome("generate", lines[0], "\n".join(lines) if held else None, len(run.report))


def on_clear_marks(book: Any) -> Outcome:
    """表示クリア: give the coloured cells their fill back and delete 検証結果."""
    n = clear_marks(book)
    return Outcome("clear_marks", f"検証の表示を消しました({n} セル)。")


HANDLERS: dict[str, Callable[[Any], Outcome]] = {
    "validate": on_validate,
    "compute": on_compute,
    "generate": on_generate,
    "clear_marks": on_clear_marks,
}


def _show_error(book: Any, button: str, issue: Issue) -> Outcome:
    """A problem that stopped the button: one row in 検証結果 and a message box."""
    try:
        clear_marks(book, keep_sheet=True)
        write_issues(book, [issue])
        select(book, None)
    except Exception:  # the book itself may be the problem; the message box still says what happened
        pass
    return Outcome(button, f"中止しました: {issue.message}", issue.message, 1)


def dispatch(button_id: str, book: Any = None) -> Outcome:
    """Run the handler of ``button_id`` on ``book`` (the calling workbook when None)."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    handler = HANDLERS.get(button_id)
    where = CellRef(Path(str(book.fullname)).name)
    if handler is None:
        text = f"ボタン「{button_id}」の処理がありません。bcp_xl とブックの版を合わせてください(bcp-xl xlsm build)。"
        outcome = Outcome(button_id, text, text)
    else:
        try:
            book.app.status_bar = "BCP: 実行中です…"
            outcome = handler(book)
        except WorkbookFileError as err:
            outcome = _show_error(book, button_id, err.issue)
        except BcpXlError as err:  # the library's own errors carry a Japanese message
            outcome = _show_error(book, button_id, Issue("stopped", str(err), where))
        except Exception:
            log = _log_bug(book)
            text = f"内部エラーが発生しました。{log} の内容を担当者に伝えてください。"
            outcome = _show_error(book, button_id, Issue("internal-error", text, where))
    book.app.status_bar = outcome.status
    if outcome.alert:
        book.app.alert(outcome.alert, title=TITLE)
    return outcome


def _log_bug(book: Any) -> Path:
    """Write the traceback of an unexpected error beside the book, for whoever maintains the tool."""
    folder = Path(str(book.fullname)).parent / ".bcp_xl"
    path = folder / ERROR_LOG
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n{traceback.format_exc()}\n")
    except OSError:
        pass
    return path


__all__ = ["HANDLERS", "RESULT_SHEET", "Outcome", "dispatch"]
